//! `soku_set_log_callback` and `soku_posts_publish_batch_with_progress`: the events a C program
//! receives (one `attempt` per HTTP attempt, `rate_limited` and `retry_wait` on a 429, one
//! `batch_item` per post), no credential in any of them, a callback that re-enters the library,
//! a progress callback that stops the batch, NULLs and the panic boundary.
//!
//! The log callback is process-wide, so the tests of this file take turns ([`SERIAL`]).

mod ffi_common;
mod watchdog;

use std::ffi::{CStr, CString, c_char, c_void};
use std::ptr;
use std::sync::Mutex;
use std::time::Duration;

use ffi_common::*;
use serde_json::{Value, json};
use soku::ffi::*;
use soku_sandbox::{Fault, Sandbox};

static SERIAL: Mutex<()> = Mutex::new(());
static EVENTS: Mutex<Vec<(i32, Value)>> = Mutex::new(Vec::new());

unsafe extern "C" fn collect(_: *mut c_void, level: i32, line: *const c_char) {
    let line = unsafe { CStr::from_ptr(line) }.to_str().unwrap();
    assert!(!line.contains('\n'));
    EVENTS
        .lock()
        .unwrap()
        .push((level, serde_json::from_str(line).unwrap()));
}

fn take_events() -> Vec<(i32, Value)> {
    std::mem::take(&mut *EVENTS.lock().unwrap())
}

fn named<'a>(events: &'a [(i32, Value)], name: &str) -> Vec<&'a Value> {
    events
        .iter()
        .filter(|(_, e)| e["event"] == name)
        .map(|(_, e)| e)
        .collect()
}

fn batch_request(n: usize) -> CString {
    let posts: Vec<Value> = (0..n)
        .map(|i| json!({"post": {"content": {"text": format!("post {i}"), "platform": ["x"]}}}))
        .collect();
    CString::new(json!({ "posts": posts }).to_string()).unwrap()
}

#[test]
fn events_of_a_retried_call_reach_the_callback_without_secrets() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sb = Sandbox::start().unwrap();
    let c = client(&fast_config(sb.url(), sb.api_key(), sb.firebase_token()));
    assert_eq!(
        unsafe { soku_set_log_callback(Some(collect), ptr::null_mut(), SOKU_LOG_DEBUG) },
        SOKU_OK
    );
    take_events();
    sb.inject("/v1/posts", Fault::rate_limited(0));
    let (status, json) = call(
        soku_posts_create,
        &c,
        Some(r#"{"post": {"content": {"text": "hi", "platform": ["x"]}}}"#),
        Some(r#"{"idempotencyKey": "evt-key-1"}"#),
    );
    assert_eq!(status, SOKU_OK, "{json}");
    assert_eq!(
        unsafe { soku_set_log_callback(None, ptr::null_mut(), 0) },
        SOKU_OK
    );
    let events = take_events();

    let attempts = named(&events, "attempt");
    assert_eq!(attempts.len(), 2, "{events:?}");
    assert_eq!(attempts[0]["status"], 429);
    assert_eq!(attempts[0]["method"], "POST");
    assert_eq!(attempts[0]["path"], "/v1/posts");
    assert_eq!(attempts[0]["attempt"], 1);
    assert_eq!(attempts[0]["idempotencyKey"], "evt-key-1");
    assert_eq!(attempts[0]["level"], "debug");
    assert_eq!(attempts[1]["status"], 200);
    assert_eq!(attempts[1]["requestId"], json["meta"]["requestId"]);
    assert_eq!(named(&events, "rate_limited").len(), 1, "{events:?}");
    let waits = named(&events, "retry_wait");
    assert_eq!(waits.len(), 1, "{events:?}");
    assert_eq!(waits[0]["level"], "info");
    assert!(waits[0]["waitMs"].is_u64());
    for (level, e) in &events {
        assert!(matches!(*level, SOKU_LOG_INFO | SOKU_LOG_DEBUG), "{e}");
        let text = e.to_string();
        assert!(!text.contains(sb.api_key()), "{text}");
        assert!(!text.contains(sb.firebase_token()), "{text}");
    }

    // Removed: nothing more arrives.
    let (status, _) = call(
        soku_posts_create,
        &c,
        Some(r#"{"post": {"content": {"text": "quiet", "platform": ["x"]}}}"#),
        None,
    );
    assert_eq!(status, SOKU_OK);
    assert!(take_events().is_empty());

    // At SOKU_LOG_INFO, attempts are filtered out.
    unsafe { soku_set_log_callback(Some(collect), ptr::null_mut(), SOKU_LOG_INFO) };
    sb.inject(
        "/v1/posts",
        Fault::status(503, "internal_error").retry_after(0),
    );
    let (status, _) = call(
        soku_posts_create,
        &c,
        Some(r#"{"post": {"content": {"text": "info", "platform": ["x"]}}}"#),
        None,
    );
    unsafe { soku_set_log_callback(None, ptr::null_mut(), 0) };
    assert_eq!(status, SOKU_OK);
    let events = take_events();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].1["event"], "retry_wait");
}

/// State of [`stop_after`]: items seen, and after how many to stop.
struct Progress {
    seen: Vec<Value>,
    stop_after: usize,
}

unsafe extern "C" fn stop_after(data: *mut c_void, item: *const SokuBatchProgress) -> bool {
    let state = unsafe { &mut *(data as *mut Progress) };
    let item = unsafe { &*item };
    let id = (!item.post_submission_id.is_null()).then(|| {
        unsafe { CStr::from_ptr(item.post_submission_id) }
            .to_str()
            .unwrap()
            .to_owned()
    });
    let json: Value =
        serde_json::from_str(unsafe { CStr::from_ptr(item.item_json) }.to_str().unwrap()).unwrap();
    assert_eq!(json["index"], item.index);
    assert_eq!(json["postSubmissionId"].as_str(), id.as_deref());
    assert!(item.error_message.is_null() == item.ok);
    assert_eq!(item.total, 4);
    state.seen.push(json);
    state.seen.len() < state.stop_after
}

#[test]
fn the_progress_callback_sees_each_post_and_stops_the_batch() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sb = Sandbox::start().unwrap();
    let c = client(&fast_config(sb.url(), sb.api_key(), sb.firebase_token()));
    unsafe { soku_set_log_callback(Some(collect), ptr::null_mut(), SOKU_LOG_INFO) };
    take_events();
    let mut state = Progress {
        seen: Vec::new(),
        stop_after: 2,
    };
    let request = batch_request(4);
    let mut out: *mut c_char = ptr::null_mut();
    let status = unsafe {
        soku_posts_publish_batch_with_progress(
            c.ptr(),
            request.as_ptr(),
            ptr::null(),
            ptr::null(),
            Some(stop_after),
            (&mut state as *mut Progress).cast(),
            &mut out,
        )
    };
    unsafe { soku_set_log_callback(None, ptr::null_mut(), 0) };
    let json = take(out);
    assert_shape(status, &json);
    assert_eq!(status, SOKU_OK, "{json}");
    assert_eq!(state.seen.len(), 2);
    assert_eq!(json["data"]["cancelled"], true);
    assert_eq!(json["data"]["results"].as_array().unwrap().len(), 2);
    assert_eq!(
        json["data"]["results"][1]["postSubmissionId"],
        state.seen[1]["postSubmissionId"]
    );
    assert_eq!(
        sb.submissions().len(),
        2,
        "the batch stopped after two posts"
    );
    let items: Vec<_> = take_events()
        .into_iter()
        .filter(|(_, e)| e["event"] == "batch_item")
        .collect();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].1["index"], 0);
    assert_eq!(items[0].1["ok"], true);
    assert_eq!(items[0].1["total"], 4);
    assert!(items[0].1["id"].is_string());

    // No progress callback: the same as soku_posts_publish_batch_with_cancel.
    let status = unsafe {
        soku_posts_publish_batch_with_progress(
            c.ptr(),
            request.as_ptr(),
            ptr::null(),
            ptr::null(),
            None,
            ptr::null_mut(),
            &mut out,
        )
    };
    let json = take(out);
    assert_eq!(status, SOKU_OK, "{json}");
    assert_eq!(json["data"]["summary"]["succeeded"], 4);
}

/// A client the re-entrant callback publishes with.
struct Reenter {
    other: *const SokuClient,
    calls: usize,
}

unsafe extern "C" fn reenter(data: *mut c_void, _: i32, _: *const c_char) {
    let state = unsafe { &mut *(data as *mut Reenter) };
    state.calls += 1;
    assert!(!unsafe { CStr::from_ptr(soku_version()) }.is_empty());
    let request =
        c"{\"post\": {\"content\": {\"text\": \"from the callback\", \"platform\": [\"x\"]}}}";
    let mut out: *mut c_char = ptr::null_mut();
    let status = unsafe { soku_posts_create(state.other, request.as_ptr(), ptr::null(), &mut out) };
    unsafe { soku_string_free(out) };
    assert_eq!(status, SOKU_OK);
}

#[test]
fn a_callback_may_reenter_the_library_without_recursion_or_deadlock() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    watchdog::within(Duration::from_secs(20), "a re-entrant log callback", || {
        let sb = Sandbox::start().unwrap();
        let c = client(&fast_config(sb.url(), sb.api_key(), sb.firebase_token()));
        let other = client(&fast_config(sb.url(), sb.api_key(), sb.firebase_token()));
        let mut state = Reenter {
            other: other.ptr(),
            calls: 0,
        };
        unsafe {
            soku_set_log_callback(
                Some(reenter),
                (&mut state as *mut Reenter).cast(),
                SOKU_LOG_DEBUG,
            )
        };
        let (status, json) = call(
            soku_posts_create,
            &c,
            Some(r#"{"post": {"content": {"text": "outer", "platform": ["x"]}}}"#),
            None,
        );
        unsafe { soku_set_log_callback(None, ptr::null_mut(), 0) };
        assert_eq!(status, SOKU_OK, "{json}");
        // One event (the outer attempt); the callback's own call caused no event back to it.
        assert_eq!(state.calls, 1);
        assert_eq!(sb.submissions().len(), 2);
    });
}

unsafe extern "C" fn unregister_itself(_: *mut c_void, _: i32, _: *const c_char) {
    assert_eq!(
        unsafe { soku_set_log_callback(None, ptr::null_mut(), 0) },
        SOKU_OK
    );
}

unsafe extern "C" fn slow(_: *mut c_void, _: i32, _: *const c_char) {
    std::thread::sleep(Duration::from_millis(300));
}

#[test]
fn removing_the_callback_from_inside_it_or_while_it_runs_does_not_deadlock() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    watchdog::within(
        Duration::from_secs(20),
        "removing a running callback",
        || {
            let sb = Sandbox::start().unwrap();
            let c = client(&fast_config(sb.url(), sb.api_key(), sb.firebase_token()));
            let post = r#"{"post": {"content": {"text": "x", "platform": ["x"]}}}"#;
            unsafe {
                soku_set_log_callback(Some(unregister_itself), ptr::null_mut(), SOKU_LOG_DEBUG)
            };
            assert_eq!(call(soku_posts_create, &c, Some(post), None).0, SOKU_OK);

            // A slow callback on another thread: removing it waits for it, then returns.
            unsafe { soku_set_log_callback(Some(slow), ptr::null_mut(), SOKU_LOG_DEBUG) };
            let worker = std::thread::spawn({
                let config = fast_config(sb.url(), sb.api_key(), sb.firebase_token());
                move || {
                    let c = client(&config);
                    call(soku_posts_create, &c, Some(post), None).0
                }
            });
            std::thread::sleep(Duration::from_millis(100));
            assert_eq!(
                unsafe { soku_set_log_callback(None, ptr::null_mut(), 0) },
                SOKU_OK
            );
            assert_eq!(worker.join().unwrap(), SOKU_OK);
        },
    );
}

#[test]
fn bad_levels_nulls_and_panics_are_reported() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    for bad in [-1, 5, i32::MAX] {
        assert_eq!(
            unsafe { soku_set_log_callback(Some(collect), ptr::null_mut(), bad) },
            SOKU_ERR_INVALID_ARGUMENT
        );
    }
    let request = batch_request(1);
    let status = unsafe {
        soku_posts_publish_batch_with_progress(
            ptr::null(),
            request.as_ptr(),
            ptr::null(),
            ptr::null(),
            None,
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT);
    let mut out: *mut c_char = ptr::null_mut();
    let status = unsafe {
        soku_posts_publish_batch_with_progress(
            ptr::null(),
            request.as_ptr(),
            ptr::null(),
            ptr::null(),
            None,
            ptr::null_mut(),
            &mut out,
        )
    };
    let json = take(out);
    assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT, "{json}");

    soku::ffi::__force_panic_in_next_call();
    assert_eq!(
        unsafe { soku_set_log_callback(Some(collect), ptr::null_mut(), SOKU_LOG_DEBUG) },
        SOKU_ERR_PANIC
    );
    let sb = Sandbox::start().unwrap();
    let c = client(&fast_config(sb.url(), sb.api_key(), sb.firebase_token()));
    soku::ffi::__force_panic_in_next_call();
    let status = unsafe {
        soku_posts_publish_batch_with_progress(
            c.ptr(),
            request.as_ptr(),
            ptr::null(),
            ptr::null(),
            None,
            ptr::null_mut(),
            &mut out,
        )
    };
    let json = take(out);
    assert_eq!(status, SOKU_ERR_PANIC, "{json}");
    assert_eq!(json["error"]["kind"], "panic");
    assert!(sb.requests().is_empty());
}
