//! `soku_posts_publish_batch_with_cancel` and the `soku_cancel_token_*` exports: a batch
//! stopped from another thread mid-wait, a token cancelled beforehand, NULL everywhere, and the
//! panic boundary.

mod ffi_common;
mod watchdog;

use std::ffi::{CString, c_char};
use std::ptr;
use std::time::{Duration, Instant};

use ffi_common::*;
use serde_json::{Value, json};
use soku::ffi::*;
use soku_sandbox::Sandbox;

/// Owned token, freed on drop; `Send + Sync` as the C ABI documents.
struct Token(*mut SokuCancelToken);
unsafe impl Send for Token {}
unsafe impl Sync for Token {}
impl Drop for Token {
    fn drop(&mut self) {
        unsafe { soku_cancel_token_free(self.0) };
    }
}

fn batch_request(n: usize) -> CString {
    let posts: Vec<Value> = (0..n)
        .map(|i| json!({"post": {"content": {"text": format!("post {i}"), "platform": ["x"]}}}))
        .collect();
    CString::new(json!({ "posts": posts }).to_string()).unwrap()
}

fn run(client: &Handle, request: &CString, token: *const SokuCancelToken) -> (i32, Value) {
    let mut out: *mut c_char = ptr::null_mut();
    let status = unsafe {
        soku_posts_publish_batch_with_cancel(
            client.ptr(),
            request.as_ptr(),
            ptr::null(),
            token,
            &mut out,
        )
    };
    let json = take(out);
    assert_shape(status, &json);
    (status, json)
}

/// A sandbox allowing one post per 50 s window, and a client that would wait that long.
fn one_post_per_window() -> (Sandbox, Handle) {
    let sb = Sandbox::builder()
        .window(Duration::from_secs(50))
        .limit("posts", 1)
        .start()
        .unwrap();
    let config = json!({"baseUrl": sb.url(), "apiKey": sb.api_key(), "maxRetries": 0,
                        "maxRetryWaitMs": 60000});
    let c = client(&config.to_string());
    (sb, c)
}

fn posts_sent(sb: &Sandbox) -> usize {
    sb.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/v1/posts")
        .count()
}

/// How soon a cancellation must be observed: one poll of the token (100 ms) plus a generous
/// margin for a loaded machine.
const CANCEL_BOUND: Duration = Duration::from_secs(1);

#[test]
fn cancelling_from_another_thread_interrupts_the_pacing_wait() {
    // The batch would wait ~50 s for the window; it must return within CANCEL_BOUND of the
    // cancel, and the watchdog fails the test in seconds should it not.
    watchdog::within(Duration::from_secs(5), "a cancelled C batch", || {
        let (sb, c) = one_post_per_window();
        let token = Token(soku_cancel_token_new());
        assert!(!token.0.is_null());
        let (token_ref, sb_ref) = (&token, &sb);
        let mut cancelled_at = None;
        let (status, json, returned) = std::thread::scope(|s| {
            let canceller = s.spawn(move || {
                // The first post uses the window up; the batch then waits for its reset.
                while posts_sent(sb_ref) == 0 {
                    std::thread::sleep(Duration::from_millis(10));
                }
                std::thread::sleep(Duration::from_millis(200));
                let at = Instant::now();
                unsafe { soku_cancel_token_cancel(token_ref.0) };
                at
            });
            let (status, json) = run(&c, &batch_request(3), token.0);
            let returned = Instant::now();
            cancelled_at = Some(canceller.join().unwrap());
            (status, json, returned)
        });
        let took = returned.saturating_duration_since(cancelled_at.unwrap());
        assert!(took <= CANCEL_BOUND, "cancel to return: {took:?}");
        assert_eq!(status, SOKU_OK, "{json}");
        assert_eq!(json["data"]["cancelled"], true, "{json}");
        assert_eq!(json["data"]["results"].as_array().unwrap().len(), 1);
        assert_eq!(
            json["data"]["summary"],
            json!({"total": 3, "succeeded": 1, "failed": 0})
        );
        assert_eq!(posts_sent(&sb), 1);
    });
}

#[test]
fn a_token_cancelled_beforehand_sends_nothing_and_null_means_not_cancellable() {
    let sb = Sandbox::builder().rate_limits(false).start().unwrap();
    let c = client(&fast_config(sb.url(), sb.api_key(), sb.firebase_token()));
    let token = Token(soku_cancel_token_new());
    unsafe {
        soku_cancel_token_cancel(token.0);
        soku_cancel_token_cancel(token.0); // idempotent
    }
    let (status, json) = run(&c, &batch_request(2), token.0);
    assert_eq!(status, SOKU_OK, "{json}");
    assert_eq!(json["data"]["cancelled"], true);
    assert!(json["data"]["results"].as_array().unwrap().is_empty());
    assert_eq!(posts_sent(&sb), 0);

    let (status, json) = run(&c, &batch_request(2), ptr::null());
    assert_eq!(status, SOKU_OK, "{json}");
    assert_eq!(json["data"]["cancelled"], false);
    assert_eq!(json["data"]["summary"]["succeeded"], 2);
    assert_eq!(posts_sent(&sb), 2);
}

#[test]
fn null_arguments_and_a_forced_panic_are_errors_not_crashes() {
    unsafe {
        soku_cancel_token_cancel(ptr::null());
        soku_cancel_token_free(ptr::null_mut());
    }
    let request = batch_request(1);
    // A NULL client, with `out` NULL or not.
    let run_without_client = |out: *mut *mut c_char| unsafe {
        soku_posts_publish_batch_with_cancel(
            ptr::null(),
            request.as_ptr(),
            ptr::null(),
            ptr::null(),
            out,
        )
    };
    assert_eq!(
        run_without_client(ptr::null_mut()),
        SOKU_ERR_INVALID_ARGUMENT
    );
    let mut out = ptr::null_mut();
    let status = run_without_client(&mut out);
    let json = take(out);
    assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT);
    assert_eq!(json["error"]["message"], "client is null");

    soku::ffi::__force_panic_in_next_call();
    let mut out = ptr::null_mut();
    assert_eq!(run_without_client(&mut out), SOKU_ERR_PANIC);
    assert_eq!(take(out)["error"]["kind"], "panic");
    soku::ffi::__force_panic_in_next_call();
    assert!(soku_cancel_token_new().is_null());
}
