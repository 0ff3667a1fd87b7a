//! Sliding-window rate limits and their headers.

mod common;

use common::{Http, text_post};
use serde_json::json;
use soku_sandbox::{Fault, Sandbox};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn headers_count_down_then_429_with_retry_after_until_the_window_moves() {
    let sb = Sandbox::builder()
        .window(Duration::from_secs(1))
        .limit("posts", 3)
        .start()
        .unwrap();
    let http = Http::new(&sb);
    let post = || http.post("/v1/posts", sb.api_key(), &text_post("t", json!(["x"])));
    for remaining in [2, 1, 0] {
        let r = post();
        assert_eq!(r.status, 200);
        assert_eq!(
            (
                r.num_header("x-ratelimit-limit"),
                r.num_header("x-ratelimit-remaining")
            ),
            (3, remaining)
        );
        let reset = r.num_header("x-ratelimit-reset");
        assert!(reset >= unix_now() && reset <= unix_now() + 2, "{reset}");
    }
    let limited = post();
    assert_eq!(
        (limited.status, limited.code()),
        (429, "rate_limit_exceeded".to_string())
    );
    assert_eq!(limited.header("retry-after"), Some("1"));
    assert_eq!(limited.num_header("x-ratelimit-remaining"), 0);
    assert_eq!(limited.header("x-ratelimit-tier"), Some("sandbox"));
    assert!(limited.header("x-request-id").is_some());
    // Other endpoints have their own window.
    let media = http.post(
        "/v1/media",
        sb.api_key(),
        &json!({"url": "https://e.com/a.png"}),
    );
    assert_eq!(
        (
            media.status,
            media.num_header("x-ratelimit-limit"),
            media.num_header("x-ratelimit-remaining")
        ),
        (201, 30, 29)
    );
    std::thread::sleep(Duration::from_millis(1050));
    let r = post();
    assert_eq!((r.status, r.num_header("x-ratelimit-remaining")), (200, 2));
    assert_eq!(sb.submissions().len(), 4, "the 429 was not a submission");
}

#[test]
fn retry_after_is_the_time_until_the_oldest_request_leaves() {
    let sb = Sandbox::builder()
        .window(Duration::from_secs(3))
        .limit("templates", 1)
        .start()
        .unwrap();
    let http = Http::new(&sb);
    let render = || {
        http.post(
            "/v1/templates",
            sb.api_key(),
            &json!({"templateSlug": "tweetImage"}),
        )
    };
    assert_eq!(render().status, 200);
    let r = render();
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("3"));
    // render-og is a separate endpoint with its own limit (default 20).
    let og = http.post(
        "/v1/media/render-og",
        sb.api_key(),
        &json!({"templateSlug": "tweetImage"}),
    );
    assert_eq!((og.status, og.num_header("x-ratelimit-limit")), (200, 20));
}

#[test]
fn every_response_carries_the_headers() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    let unauthorized = http.post("/v1/posts", "sk_live_nobody", &text_post("t", json!(["x"])));
    let invalid = http.post("/v1/posts", sb.api_key(), &json!({}));
    sb.inject("/v1/ai/transcribe", Fault::status(500, "internal_error"));
    let faulted = http.post("/v1/ai/transcribe", sb.api_key(), &json!({"mediaId": "m"}));
    let keys = http.bearer("GET", "/v1/api-keys", sb.firebase_token(), None);
    for (r, limit) in [
        (&unauthorized, 30),
        (&invalid, 30),
        (&faulted, 10),
        (&keys, 100),
    ] {
        assert_eq!(r.num_header("x-ratelimit-limit"), limit, "{}", r.body);
        assert!(
            r.header("x-ratelimit-remaining").is_some() && r.header("x-ratelimit-reset").is_some()
        );
        assert_eq!(r.header("x-ratelimit-tier"), Some("sandbox"));
    }
    // Authenticated requests count even when invalid; unauthenticated and faulted ones do not.
    assert_eq!(invalid.num_header("x-ratelimit-remaining"), 29);
    assert_eq!(faulted.num_header("x-ratelimit-remaining"), 10);
}

#[test]
fn limits_can_be_disabled() {
    let sb = Sandbox::builder()
        .rate_limits(false)
        .limit("posts", 1)
        .start()
        .unwrap();
    let http = Http::new(&sb);
    for _ in 0..4 {
        let r = http.post("/v1/posts", sb.api_key(), &text_post("t", json!(["x"])));
        assert_eq!((r.status, r.num_header("x-ratelimit-remaining")), (200, 1));
    }
}

#[test]
fn unknown_limit_names_are_refused() {
    let err = Sandbox::builder().limit("postz", 1).start().unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("postz"), "{err}");
    // The first invalid setting is the one reported.
    let err = Sandbox::builder()
        .limit("first", 1)
        .limit("second", 1)
        .start()
        .unwrap_err();
    assert!(err.to_string().contains("\"first\""), "{err}");
}

#[test]
fn unknown_paths_and_wrong_methods_carry_the_headers_too() {
    let sb = Sandbox::builder().limit("posts", 5).start().unwrap();
    let http = Http::new(&sb);
    assert_eq!(
        http.post("/v1/posts", sb.api_key(), &text_post("t", json!(["x"])))
            .status,
        200
    );
    let key = [("soku-api-key", sb.api_key())];
    let seen = |r: &common::Resp| {
        (
            r.status,
            r.num_header("x-ratelimit-limit"),
            r.num_header("x-ratelimit-remaining"),
        )
    };
    // 405 on a known path: that path's bucket, for the caller's account, not counted.
    let wrong = http.send("GET", "/v1/posts", &key, None);
    assert_eq!(seen(&wrong), (405, 5, 4));
    let wrong_keys = http.send("PUT", "/v1/api-keys", &[], None);
    assert_eq!(seen(&wrong_keys), (405, 100, 100));
    // 404: no bucket counts it; the headers show the largest limit, all remaining.
    let unknown = http.send("GET", "/v1/nothing", &key, None);
    assert_eq!(seen(&unknown), (404, 100, 100));
    for r in [&wrong, &wrong_keys, &unknown] {
        assert!(r.num_header("x-ratelimit-reset") >= unix_now(), "{r:?}");
        assert_eq!(r.header("x-ratelimit-tier"), Some("sandbox"));
    }
    // A fault on an unknown path carries them as well.
    sb.inject("/v2/*", Fault::status(503, "internal_error"));
    let faulted = http.send("GET", "/v2/anything", &[], None);
    assert_eq!(seen(&faulted), (503, 100, 100));
    // None of them counted against posts.
    let r = http.post("/v1/posts", sb.api_key(), &text_post("t", json!(["x"])));
    assert_eq!(r.num_header("x-ratelimit-remaining"), 3);
}
