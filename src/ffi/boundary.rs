//! The one panic boundary every exported function runs inside.

use std::any::Any;
use std::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::json::{Outcome, into_c_string, panic_outcome};
use super::status::SOKU_ERR_INVALID_ARGUMENT;

#[cfg(feature = "test-hooks")]
thread_local! {
    static FORCE_PANIC: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Test hook: makes the next exported call *on this thread* panic inside its panic boundary,
/// so tests can prove that every export turns a panic into `SOKU_ERR_PANIC` instead of
/// unwinding into (or aborting) the host. Not part of the C ABI and not a stable API: it exists
/// only with the `test-hooks` cargo feature, which only this crate's tests enable.
#[cfg(feature = "test-hooks")]
#[doc(hidden)]
pub fn __force_panic_in_next_call() {
    FORCE_PANIC.with(|f| f.set(true));
}

/// Runs `body`; if it panics, returns `on_panic(message)` instead. `AssertUnwindSafe` is sound
/// here because nothing observes the body's partially updated state after a panic: the body only
/// touches its own locals and the `Send + Sync` client, whose state ureq keeps consistent.
pub(crate) fn boundary<T>(body: impl FnOnce() -> T, on_panic: impl FnOnce(&str) -> T) -> T {
    let result = catch_unwind(AssertUnwindSafe(|| {
        #[cfg(feature = "test-hooks")]
        if FORCE_PANIC.with(|f| f.replace(false)) {
            // bindings/c/test.sh looks for this message to prove a shipped library lacks the hook.
            panic!("forced panic (test hook)");
        }
        body()
    }));
    match result {
        Ok(value) => value,
        Err(payload) => on_panic(panic_message(payload.as_ref())),
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "non-string panic payload"
    }
}

/// The boundary for every export that returns a status and writes `*out_json`.
///
/// A NULL `out_json` returns `SOKU_ERR_INVALID_ARGUMENT` without running `body` or writing
/// anything; otherwise `*out_json` always receives an owned JSON string, panic or not.
///
/// # Safety
/// `out_json` must be NULL or valid for one pointer write.
pub(crate) unsafe fn with_out_json(
    out_json: *mut *mut c_char,
    body: impl FnOnce() -> Outcome,
) -> i32 {
    if out_json.is_null() {
        return SOKU_ERR_INVALID_ARGUMENT;
    }
    let outcome = boundary(body, panic_outcome);
    // SAFETY: non-NULL, and the caller promises it is valid for a write.
    unsafe { out_json.write(into_c_string(outcome.json)) };
    outcome.status
}
