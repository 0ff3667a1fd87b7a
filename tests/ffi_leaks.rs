//! Leaks across the C ABI, caught by `cargo test` without valgrind: this test binary counts
//! every allocation through a global allocator, per thread (a thread-local tally that is on
//! only while a test measures), so the sandbox's threads and other tests running in parallel do
//! not disturb the count. After a warm-up (connection pool, caches), each loop of calls, each
//! output freed with `soku_string_free`, must leave the calling thread's live heap where it was:
//! a `soku_string_free` that frees nothing, a handle that `soku_client_free` keeps, or a token
//! `soku_cancel_token_free` forgets shows up as live bytes left behind.

mod ffi_common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ffi::{CString, c_char};
use std::ptr;

use ffi_common::*;
use soku::ffi::*;
use soku_sandbox::Sandbox;

/// The system allocator, with a per-thread tally of live bytes and blocks.
struct Counting;

thread_local! {
    static ON: Cell<bool> = const { Cell::new(false) };
    static LIVE_BYTES: Cell<i64> = const { Cell::new(0) };
    static LIVE_BLOCKS: Cell<i64> = const { Cell::new(0) };
}

fn note(bytes: i64, blocks: i64) {
    // `try_with`: the allocator also runs while thread-locals are being torn down.
    let _ = ON.try_with(|on| {
        if on.get() {
            let _ = LIVE_BYTES.try_with(|b| b.set(b.get() + bytes));
            let _ = LIVE_BLOCKS.try_with(|b| b.set(b.get() + blocks));
        }
    });
}

fn size(layout: Layout) -> i64 {
    i64::try_from(layout.size()).unwrap_or(i64::MAX)
}

// SAFETY: every call is forwarded to `System` unchanged; only the tally is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            note(size(layout), 1);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            note(size(layout), 1);
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        note(-size(layout), -1);
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, layout, new_size) };
        if !q.is_null() {
            note(
                i64::try_from(new_size).unwrap_or(i64::MAX) - size(layout),
                0,
            );
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// `(bytes, blocks)` that the current thread allocated and did not free while running `f`.
fn live_after<T>(f: impl FnOnce() -> T) -> ((i64, i64), T) {
    let before = (LIVE_BYTES.with(Cell::get), LIVE_BLOCKS.with(Cell::get));
    ON.with(|on| on.set(true));
    let value = f();
    ON.with(|on| on.set(false));
    let after = (LIVE_BYTES.with(Cell::get), LIVE_BLOCKS.with(Cell::get));
    ((after.0 - before.0, after.1 - before.1), value)
}

/// Runs `round` a few times to warm up, then `ROUNDS` times measured: the live heap the calling
/// thread keeps must be less than one round's smallest output (`floor` bytes) in total, and
/// no block may stay behind per round.
fn assert_no_leak(what: &str, floor: usize, mut round: impl FnMut()) {
    const ROUNDS: i64 = 20;
    for _ in 0..3 {
        round();
    }
    let ((bytes, blocks), ()) = live_after(|| {
        for _ in 0..ROUNDS {
            round();
        }
    });
    assert!(
        bytes < i64::try_from(floor).unwrap() && blocks < ROUNDS,
        "{what}: {ROUNDS} rounds left {bytes} bytes in {blocks} blocks live"
    );
}

/// Calls `op` and frees its output with `soku_string_free`; returns the output's length.
fn call_and_free(op: Op, client: &Handle, request: Option<&CString>) -> usize {
    let mut out: *mut c_char = ptr::null_mut();
    let status = unsafe {
        op(
            client.ptr(),
            request.map_or(ptr::null(), |r| r.as_ptr()),
            ptr::null(),
            &mut out,
        )
    };
    assert!(!out.is_null(), "status {status}: no output");
    let len = unsafe { std::ffi::CStr::from_ptr(out) }.to_bytes().len();
    unsafe { soku_string_free(out) };
    len
}

#[test]
fn every_operation_output_is_freed_by_soku_string_free() {
    let sb = Sandbox::builder().rate_limits(false).start().unwrap();
    let c = client(&fast_config(sb.url(), sb.api_key(), sb.firebase_token()));
    for (name, op, request) in operations() {
        let request = request.map(|r| CString::new(r).unwrap());
        let floor = call_and_free(op, &c, request.as_ref());
        assert!(floor > 20, "{name}: {floor}");
        assert_no_leak(name, floor, || {
            call_and_free(op, &c, request.as_ref());
        });
    }
    // The cancellable batch, with a token (cancelled half of the time) and without one.
    let batch = CString::new(BATCH).unwrap();
    let mut round = 0;
    let mut cancellable = || {
        round += 1;
        let token = soku_cancel_token_new();
        if round % 2 == 0 {
            unsafe { soku_cancel_token_cancel(token) };
        }
        let mut len = 0;
        for t in [token.cast_const(), ptr::null()] {
            let mut out: *mut c_char = ptr::null_mut();
            let status = unsafe {
                soku_posts_publish_batch_with_cancel(
                    c.ptr(),
                    batch.as_ptr(),
                    ptr::null(),
                    t,
                    &mut out,
                )
            };
            assert_eq!(status, SOKU_OK);
            len = unsafe { std::ffi::CStr::from_ptr(out) }.to_bytes().len();
            unsafe { soku_string_free(out) };
        }
        unsafe { soku_cancel_token_free(token) };
        len
    };
    let floor = cancellable();
    assert_no_leak("soku_posts_publish_batch_with_cancel", floor, || {
        cancellable();
    });
}

#[test]
fn error_outputs_are_freed_too() {
    let c = client(r#"{"baseUrl": "http://127.0.0.1:9", "apiKey": "sk_live_x", "maxRetries": 0}"#);
    let bad = CString::new(r#"{"post": {"content": {"text": ""}}}"#).unwrap();
    let floor = call_and_free(soku_posts_create, &c, Some(&bad));
    assert_no_leak("invalid argument", floor, || {
        call_and_free(soku_posts_create, &c, Some(&bad));
    });
    let floor = call_and_free(soku_posts_create, &c, None);
    assert_no_leak("null request", floor, || {
        call_and_free(soku_posts_create, &c, None);
    });
}

#[test]
fn clients_and_tokens_are_freed() {
    let config =
        CString::new(r#"{"baseUrl": "http://127.0.0.1:9", "apiKey": "sk_live_x"}"#).unwrap();
    // A client handle: the smallest sign of a kept handle is its Arc'd configuration.
    assert_no_leak("soku_client_new / soku_client_free", 64, || {
        let mut client = ptr::null_mut();
        let mut out = ptr::null_mut();
        let status = unsafe { soku_client_new(config.as_ptr(), &mut client, &mut out) };
        assert_eq!(status, SOKU_OK);
        unsafe {
            soku_string_free(out);
            soku_client_free(client);
        }
    });
    // A refused configuration: only the error JSON, freed.
    let bad = CString::new(r#"{"baseUrl": "ftp://x"}"#).unwrap();
    assert_no_leak("refused soku_client_new", 32, || {
        let mut client = ptr::null_mut();
        let mut out = ptr::null_mut();
        let status = unsafe { soku_client_new(bad.as_ptr(), &mut client, &mut out) };
        assert_eq!(status, SOKU_ERR_CONFIG);
        assert!(client.is_null());
        unsafe { soku_string_free(out) };
    });
    assert_no_leak("soku_cancel_token_new / soku_cancel_token_free", 1, || {
        let token = soku_cancel_token_new();
        assert!(!token.is_null());
        unsafe {
            soku_cancel_token_cancel(token);
            soku_cancel_token_free(token);
        }
    });
}

/// The tally itself: a leaked string is seen, so the checks above can fail.
#[test]
fn the_tally_sees_a_leaked_output() {
    let c = client(r#"{"baseUrl": "http://127.0.0.1:9", "apiKey": "sk_live_x", "maxRetries": 0}"#);
    let bad = CString::new(r#"{"post": {"content": {"text": ""}}}"#).unwrap();
    let ((bytes, blocks), out) = live_after(|| {
        let mut out: *mut c_char = ptr::null_mut();
        unsafe { soku_posts_create(c.ptr(), bad.as_ptr(), ptr::null(), &mut out) };
        out // not freed while measuring
    });
    let len = unsafe { std::ffi::CStr::from_ptr(out) }.to_bytes().len();
    unsafe { soku_string_free(out) };
    assert!(
        bytes > i64::try_from(len).unwrap() && blocks >= 1,
        "{bytes} {blocks}"
    );
}
