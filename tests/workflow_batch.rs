//! Batch publishing against the sandbox: pacing by the rate-limit headers, per-item results,
//! idempotency keys.

mod watchdog;
mod workflow_support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use std::ops::ControlFlow;

use soku::workflows::{BatchOptions, CancelToken};
use soku::{CallOptions, CreatePost, ErrorCode, Platform};
use soku_sandbox::{Fault, Sandbox};
use watchdog::assert_within;
use workflow_support::{client, requests_to, text_post};

const WINDOW: Duration = Duration::from_secs(2);

#[test]
fn batch_larger_than_the_window_waits_for_the_reset_instead_of_collecting_429s() {
    let sb = Sandbox::builder()
        .window(WINDOW)
        .limit("posts", 30)
        .start()
        .unwrap();
    let client = client(&sb);
    let posts: Vec<CreatePost> = (0..40).map(text_post).collect();

    let mut seen = Vec::new();
    let report = client
        .publish_batch_with(
            &posts,
            BatchOptions::new().on_item(|item| {
                seen.push(item.index);
                ControlFlow::Continue(())
            }),
        )
        .unwrap();

    assert_eq!(
        seen,
        (0..40).collect::<Vec<_>>(),
        "one progress call per post, in order"
    );
    assert_eq!(report.results.len(), 40);
    for (i, item) in report.results.iter().enumerate() {
        assert_eq!(item.index, i);
        assert!(item.is_ok(), "post {i} failed: {:?}", item.error());
        assert_eq!(
            item.meta.as_ref().unwrap().attempts,
            1,
            "post {i} was retried"
        );
    }
    assert_eq!(report.summary.total, 40);
    assert_eq!(report.summary.succeeded, 40);
    assert_eq!(report.summary.failed, 0);
    // Zero 429s: the server saw exactly one request per post, and accepted each.
    assert_eq!(requests_to(&sb, "POST", "/v1/posts").len(), 40);
    assert_eq!(sb.submissions().len(), 40);
    assert_eq!(report.meta.attempts, 40);
    // The waits the batch computed (not wall-clock time): none while the window had room ...
    for item in &report.results[..30] {
        assert_eq!(item.paced, Duration::ZERO, "post {} waited", item.index);
    }
    // ... and only right after an answer that said the window was used up ...
    for pair in report.results.windows(2) {
        let previous = pair[0].meta.as_ref().unwrap();
        if !pair[1].paced.is_zero() {
            assert_eq!(
                previous.rate_limit.remaining,
                Some(0),
                "post {} waited",
                pair[1].index
            );
        }
    }
    // ... in all about one window (reset in whole seconds plus a margin), never a fixed delay
    // per post.
    let paced: Duration = report.results.iter().map(|i| i.paced).sum();
    assert!(paced <= WINDOW * 2, "waited {paced:?} in all");
    let json = serde_json::to_value(&report.data).unwrap();
    for (item, shown) in report
        .results
        .iter()
        .zip(json["results"].as_array().unwrap())
    {
        assert_eq!(shown["pacedMs"], item.paced.as_millis() as u64);
    }
}

#[test]
fn failures_do_not_stop_the_batch_and_keep_their_place_and_code() {
    let sb = Sandbox::start().unwrap();
    let client = client(&sb);
    let mut posts: Vec<CreatePost> = (0..20).map(text_post).collect();
    // Instagram has two connected accounts: a plain name is 400 missing_account.
    posts[3] = CreatePost::text("which instagram?", [Platform::Instagram]);
    // An unknown platform: 400 validation_error from the server.
    posts[9] = CreatePost::text("unknown network", [Platform::Other("myspace".into())]);
    // A text post without text: rejected client-side, nothing sent.
    posts[16] = CreatePost::text("", [Platform::Threads]);

    let report = client.publish_batch(&posts).unwrap();

    assert_eq!(report.results.len(), 20);
    assert_eq!(report.summary.succeeded, 17);
    assert_eq!(report.summary.failed, 3);
    let failed: Vec<usize> = report
        .results
        .iter()
        .filter(|r| !r.is_ok())
        .map(|r| r.index)
        .collect();
    assert_eq!(failed, [3, 9, 16]);
    let code = |i: usize| report.results[i].error().and_then(|e| e.code()).cloned();
    assert_eq!(code(3), Some(ErrorCode::MissingAccount));
    assert_eq!(code(9), Some(ErrorCode::ValidationError));
    assert_eq!(
        report.results[16].error().unwrap().kind(),
        soku::ErrorKind::InvalidArgument
    );
    assert!(
        report.results[16].meta.is_none(),
        "nothing was sent for item 16"
    );
    assert_eq!(sb.submissions().len(), 17);
    assert_eq!(requests_to(&sb, "POST", "/v1/posts").len(), 19);
    for (i, item) in report.results.iter().enumerate() {
        assert_eq!(item.index, i);
    }

    // The C ABI / Python shape.
    let json = serde_json::to_value(&report.data).unwrap();
    assert_eq!(
        json["summary"],
        json!({"total": 20, "succeeded": 17, "failed": 3})
    );
    let ok = &json["results"][0];
    assert_eq!(ok["index"], 0);
    assert_eq!(ok["ok"], true);
    assert_eq!(
        ok["postSubmissionId"].as_str(),
        report.results[0].post_submission_id()
    );
    assert_eq!(ok["meta"]["status"], 200);
    assert_eq!(ok["pacedMs"], 0);
    let bad = &json["results"][3];
    assert_eq!(bad["ok"], false);
    assert_eq!(bad["error"]["kind"], "api");
    assert_eq!(bad["error"]["status"], 400);
    assert_eq!(bad["error"]["code"], "missing_account");
    assert!(bad["error"]["requestId"].is_string());
    assert_eq!(bad["meta"]["status"], 400);
    let local = &json["results"][16];
    assert_eq!(local["error"]["kind"], "invalid_argument");
    assert_eq!(local["error"]["code"], serde_json::Value::Null);
    assert_eq!(local["meta"], serde_json::Value::Null);
}

#[test]
fn items_get_keys_derived_from_the_callers_key_so_a_rerun_publishes_nothing_twice() {
    let sb = Sandbox::start().unwrap();
    let client = client(&sb);
    let posts: Vec<CreatePost> = (0..3).map(text_post).collect();
    let opts = CallOptions::new().idempotency_key("weekly-2026-49");

    let first = client
        .publish_batch_with(&posts, BatchOptions::new().call_options(opts.clone()))
        .unwrap();
    let second = client
        .publish_batch_with(&posts, BatchOptions::new().call_options(opts.clone()))
        .unwrap();

    let keys: Vec<String> = requests_to(&sb, "POST", "/v1/posts")
        .iter()
        .map(|r| r.header("idempotency-key").unwrap_or_default().to_string())
        .collect();
    let want: Vec<String> = (0..3).map(|i| format!("weekly-2026-49-{i}")).collect();
    assert_eq!(keys, [want.clone(), want].concat());
    assert_eq!(
        sb.submissions().len(),
        3,
        "the rerun was replayed, not published"
    );
    let ids = |r: &soku::workflows::BatchReport| -> Vec<String> {
        r.results
            .iter()
            .map(|i| i.post_submission_id().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&first), ids(&second));
    assert_eq!(
        first.meta.idempotency_key.as_deref(),
        Some("weekly-2026-49")
    );

    // Without a caller key every item gets its own fresh key.
    client.publish_batch(&posts).unwrap();
    let fresh: Vec<String> = requests_to(&sb, "POST", "/v1/posts")[6..]
        .iter()
        .map(|r| r.header("idempotency-key").unwrap().to_string())
        .collect();
    assert_eq!(fresh.len(), 3);
    assert!(fresh[0] != fresh[1] && fresh[1] != fresh[2] && fresh[0] != fresh[2]);
    assert_eq!(sb.submissions().len(), 6);
}

#[test]
fn an_empty_batch_is_an_empty_report() {
    let sb = Sandbox::start().unwrap();
    let report = client(&sb).publish_batch(&[]).unwrap();
    assert!(report.results.is_empty());
    assert_eq!(report.summary.total, 0);
    assert!(sb.requests().is_empty());
}

#[test]
fn a_429_that_happens_anyway_is_left_to_the_clients_retry() {
    let sb = Sandbox::start().unwrap();
    sb.inject("/v1/posts", Fault::rate_limited(1));
    let posts: Vec<CreatePost> = (0..3).map(text_post).collect();

    let report = client(&sb).publish_batch(&posts).unwrap();

    assert_eq!(report.summary.succeeded, 3);
    let attempts: Vec<u32> = report
        .results
        .iter()
        .map(|r| r.meta.as_ref().unwrap().attempts)
        .collect();
    assert_eq!(attempts, [2, 1, 1]);
    assert_eq!(report.meta.attempts, 4);
    assert_eq!(sb.submissions().len(), 3);
}

#[test]
fn a_transport_failure_is_an_item_with_its_meta() {
    let sb = Sandbox::start().unwrap();
    sb.inject("/v1/posts", Fault::drop_connection());
    let posts: Vec<CreatePost> = (0..2).map(text_post).collect();

    let report = client(&sb)
        .publish_batch_with(
            &posts,
            BatchOptions::new().call_options(CallOptions::new().max_retries(0)),
        )
        .unwrap();

    let json = serde_json::to_value(&report.data).unwrap();
    let failed = &json["results"][0];
    assert_eq!(failed["ok"], false);
    assert_eq!(failed["error"]["kind"], "transport");
    assert_eq!(failed["error"]["status"], serde_json::Value::Null);
    assert_eq!(failed["meta"]["attempts"], 1);
    assert!(failed["meta"]["idempotencyKey"].is_string());
    assert_eq!(json["results"][1]["ok"], true);
    assert_eq!(
        json["summary"],
        json!({"total": 2, "succeeded": 1, "failed": 1})
    );
}

/// A server whose every post answer says the window is used up and resets at `reset`.
fn exhausted_server(reset: String, expect: usize) -> (mockito::ServerGuard, mockito::Mock) {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("POST", "/v1/posts")
        .with_status(201)
        .with_header("x-ratelimit-limit", "30")
        .with_header("x-ratelimit-remaining", "0")
        .with_header("x-ratelimit-reset", &reset)
        .with_body(r#"{"postSubmissionId": "ps_1"}"#)
        .expect(expect)
        .create();
    (server, mock)
}

fn plain_client(url: &str, max_retry_wait: Duration) -> soku::Client {
    soku::Client::builder()
        .base_url(url)
        .api_key("sk_live_test")
        .max_retry_wait(max_retry_wait)
        .build()
        .unwrap()
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn pacing_never_believes_a_reset_beyond_one_window() {
    // Reset in 2100 (and 10 minutes ahead): implausible for a 60 s window, so no wait at all.
    for reset in ["4102444800".to_owned(), (unix_now() + 600).to_string()] {
        let (server, mock) = exhausted_server(reset, 3);
        let posts: Vec<CreatePost> = (0..3).map(text_post).collect();
        let report = plain_client(&server.url(), Duration::from_secs(60))
            .publish_batch(&posts)
            .unwrap();
        let paced: Vec<Duration> = report.results.iter().map(|i| i.paced).collect();
        assert_eq!(paced, [Duration::ZERO; 3]);
        mock.assert();
    }
}

#[test]
fn pacing_honours_max_retry_wait() {
    // The window resets in 30 s; max_retry_wait (100 ms) caps each pacing wait. The watchdog
    // fails the test within seconds should the cap stop holding.
    watchdog::within(Duration::from_secs(5), "a capped pacing wait", || {
        let (server, mock) = exhausted_server((unix_now() + 30).to_string(), 3);
        let posts: Vec<CreatePost> = (0..3).map(text_post).collect();
        let started = Instant::now();
        let report = plain_client(&server.url(), Duration::from_millis(100))
            .publish_batch(&posts)
            .unwrap();
        let paced: Vec<u128> = report.results.iter().map(|i| i.paced.as_millis()).collect();
        assert_eq!(paced, [0, 100, 100]);
        // Two waits of 100 ms, plus a margin for three loopback posts.
        assert_within(
            started.elapsed(),
            Duration::from_millis(200 + 1500),
            "the batch",
        );
        assert_eq!(report.summary.succeeded, 3);
        mock.assert();
    });
}

#[test]
fn returning_break_from_the_callback_stops_the_batch() {
    let (server, mock) = exhausted_server("0".to_owned(), 2);
    let posts: Vec<CreatePost> = (0..5).map(text_post).collect();
    let c = plain_client(&server.url(), Duration::from_secs(1));
    let opts = BatchOptions::new().on_item(|item| {
        if item.index == 1 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    let report = c.publish_batch_with(&posts, opts).unwrap();
    assert!(report.cancelled);
    assert_eq!(report.results.len(), 2);
    assert_eq!(
        (
            report.summary.total,
            report.summary.succeeded,
            report.summary.failed
        ),
        (5, 2, 0)
    );
    let json = serde_json::to_value(&report.data).unwrap();
    assert_eq!(json["cancelled"], true);
    mock.assert();
}

/// How soon a cancellation must be observed: one poll of the token (`CANCEL_POLL`, 100 ms)
/// plus a generous margin for a loaded machine.
const CANCEL_BOUND: Duration = Duration::from_secs(1);

#[test]
fn a_cancel_token_interrupts_a_pacing_wait_and_sends_nothing_more() {
    // The window resets in 50 s and max_retry_wait allows the wait: only cancelling ends it,
    // and the batch must return within CANCEL_BOUND of the cancel.
    watchdog::within(Duration::from_secs(5), "a cancelled batch", || {
        let (server, mock) = exhausted_server((unix_now() + 50).to_string(), 1);
        let posts: Vec<CreatePost> = (0..3).map(text_post).collect();
        let c = plain_client(&server.url(), Duration::from_secs(60));
        let token = CancelToken::new();
        let canceller = token.clone();
        let cancelled_at = Arc::new(Mutex::new(None::<Instant>));
        let stamp = cancelled_at.clone();
        let opts = BatchOptions::new().cancel_token(token).on_item(move |_| {
            // Cancel from another thread while the batch waits for the window.
            let (t, stamp) = (canceller.clone(), stamp.clone());
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(200));
                *stamp.lock().unwrap() = Some(Instant::now());
                t.cancel();
            });
            ControlFlow::Continue(())
        });
        let report = c.publish_batch_with(&posts, opts).unwrap();
        let returned = Instant::now();
        let cancelled = cancelled_at
            .lock()
            .unwrap()
            .expect("the token was cancelled");
        assert_within(
            returned.saturating_duration_since(cancelled),
            CANCEL_BOUND,
            "cancel to return",
        );
        assert!(report.cancelled);
        assert_eq!(report.results.len(), 1);
        assert_eq!(report.summary.total, 3);
        mock.assert();

        // A token cancelled beforehand: nothing is sent, and the call returns at once.
        let (server, mock) = exhausted_server("0".to_owned(), 0);
        let token = CancelToken::new();
        token.cancel();
        let started = Instant::now();
        let report = plain_client(&server.url(), Duration::from_secs(1))
            .publish_batch_with(&posts, BatchOptions::new().cancel_token(token))
            .unwrap();
        assert_within(
            started.elapsed(),
            CANCEL_BOUND,
            "a batch cancelled beforehand",
        );
        assert!(report.cancelled && report.results.is_empty());
        mock.assert();
    });
}

#[test]
#[allow(deprecated)]
fn the_deprecated_progress_shim_still_reports_every_post() {
    let (server, mock) = exhausted_server("0".to_owned(), 2);
    let posts: Vec<CreatePost> = (0..2).map(text_post).collect();
    let mut seen = Vec::new();
    let report = plain_client(&server.url(), Duration::from_secs(1))
        .publish_batch_with_progress(&posts, &CallOptions::new(), |item| seen.push(item.index))
        .unwrap();
    assert_eq!(seen, [0, 1]);
    assert!(!report.cancelled);
    mock.assert();
}
