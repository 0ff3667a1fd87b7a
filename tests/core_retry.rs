//! Retries and idempotency (`docs/soku-api.md` §6): what is retried, how often, with which key.

mod core_support;
mod watchdog;

use std::time::{Duration, Instant};

use core_support::{RawServer, Recorder, builder, checked, client, hang_up, refused_url};
use mockito::{Matcher, Server};
use soku::{CallOptions, CreateApiKey, CreatePost, ErrorCode, Platform, RenderTemplate};

fn post() -> CreatePost {
    CreatePost::text(
        "Published with production-grade error handling.",
        [Platform::Threads],
    )
}

const RATE_LIMITED: &str =
    r#"{"error":{"code":"rate_limit_exceeded","message":"slow down","requestId":"req_429"}}"#;
const INTERNAL: &str = r#"{"error":{"type":"api_error","code":"internal_error","message":"boom","requestId":"req_500"}}"#;

#[test]
fn rate_limited_twice_then_success_reuses_one_key() {
    let mut server = Server::new();
    let rec = Recorder::default();
    let a = server
        .mock("POST", "/v1/posts")
        .with_status(429)
        .with_body_from_request(rec.answer("idempotency-key", RATE_LIMITED))
        .expect(1)
        .create();
    let b = server
        .mock("POST", "/v1/posts")
        .with_status(429)
        .with_header("retry-after", "1")
        .with_body_from_request(rec.answer("idempotency-key", RATE_LIMITED))
        .expect(1)
        .create();
    let c = server
        .mock("POST", "/v1/posts")
        .with_status(201)
        .with_body_from_request(rec.answer("idempotency-key", r#"{"postSubmissionId":"ps_ok"}"#))
        .expect(1)
        .create();
    let url = server.url();
    let (resp, waited) = watchdog::within(Duration::from_secs(10), "Retry-After: 1", move || {
        let started = Instant::now();
        let resp = client(&url).create_post(&post()).unwrap();
        (resp, started.elapsed())
    });
    a.assert();
    b.assert();
    c.assert();
    assert_eq!(resp.post_submission_id, "ps_ok");
    assert_eq!(resp.meta().attempts, 3);
    assert_eq!(resp.meta().status, 201);
    let keys = rec.values();
    assert_eq!(keys.len(), 3);
    let key = resp.meta().idempotency_key.clone().unwrap();
    assert!(
        keys.iter().all(|k| k.as_deref() == Some(key.as_str())),
        "{keys:?} vs {key}"
    );
    // Retry-After: 1 was honoured (behaviour, not speed: the client must not retry early),
    // and not stretched: one second plus a margin (the first 429 has no hint: a 2 ms backoff).
    assert!(waited >= Duration::from_secs(1), "{waited:?}");
    watchdog::assert_within(waited, Duration::from_secs(3), "Retry-After: 1");
}

#[test]
fn server_errors_exhaust_retries_with_callers_key() {
    let mut server = Server::new();
    let rec = Recorder::default();
    let m = server
        .mock("POST", "/v1/posts")
        .with_status(500)
        .with_body_from_request(rec.answer("idempotency-key", INTERNAL))
        .expect(4)
        .create();
    let err = client(&server.url())
        .create_post_with(&post(), &CallOptions::new().idempotency_key("my-key-1"))
        .unwrap_err();
    m.assert();
    checked(&err);
    assert_eq!(err.kind(), soku::ErrorKind::Api);
    assert_eq!(err.status(), Some(500));
    assert_eq!(err.code(), Some(&ErrorCode::InternalError));
    assert_eq!(err.request_id(), Some("req_500"));
    let meta = err.meta().unwrap();
    assert_eq!(meta.attempts, 4);
    assert_eq!(meta.idempotency_key.as_deref(), Some("my-key-1"));
    assert_eq!(rec.values(), vec![Some("my-key-1".to_owned()); 4]);
    assert_eq!(
        err.to_string(),
        "api error 500 internal_error: boom (request req_500)"
    );
}

#[test]
fn client_errors_are_never_retried() {
    for (status, code) in [
        (400, ErrorCode::ValidationError),
        (401, ErrorCode::Unauthorized),
        (403, ErrorCode::Forbidden),
        (409, ErrorCode::Other("idempotency_conflict".into())),
    ] {
        let mut server = Server::new();
        let m = server
            .mock("POST", "/v1/posts")
            .with_status(status)
            .with_body(format!(
                r#"{{"error":{{"code":"{}","message":"no","requestId":"req_{status}"}}}}"#,
                code.as_str()
            ))
            .expect(1)
            .create();
        let err = client(&server.url()).create_post(&post()).unwrap_err();
        m.assert();
        checked(&err);
        assert_eq!(err.status(), Some(status as u16));
        assert_eq!(err.code(), Some(&code));
        assert_eq!(err.meta().unwrap().attempts, 1);
    }
}

#[test]
fn retry_count_is_configurable_per_client_and_call() {
    let mut server = Server::new();
    let first = server
        .mock("POST", "/v1/media")
        .match_header("soku-api-key", core_support::KEY)
        .with_status(503)
        .with_body(INTERNAL)
        .expect(1)
        .create();
    let second = server
        .mock("POST", "/v1/media")
        .match_header("soku-api-key", "sk_live_other")
        .with_status(502)
        .with_body(INTERNAL)
        .expect(2)
        .create();
    let media = soku::UploadMedia::new("https://example.com/a.mp4");
    let no_retry = builder(&server.url()).max_retries(0).build().unwrap();
    let err = no_retry.upload_media(&media).unwrap_err();
    assert_eq!(err.meta().unwrap().attempts, 1);
    // Another key on the same configuration, with a per-call override.
    let err = no_retry
        .with_api_key("sk_live_other")
        .upload_media_with(&media, &CallOptions::new().max_retries(1))
        .unwrap_err();
    assert_eq!(err.meta().unwrap().attempts, 2);
    first.assert();
    second.assert();
}

#[test]
fn templates_retry_429_but_not_5xx() {
    let mut server = Server::new();
    let req = RenderTemplate::new("tweetImage");
    let m = server
        .mock("POST", "/v1/templates")
        .match_header("idempotency-key", Matcher::Missing)
        .with_status(500)
        .with_body(INTERNAL)
        .expect(1)
        .create();
    let err = client(&server.url()).render_template(&req).unwrap_err();
    m.assert();
    checked(&err);
    assert_eq!(err.meta().unwrap().attempts, 1);
    assert_eq!(err.meta().unwrap().idempotency_key, None);

    let mut server = Server::new();
    let limited = server
        .mock("POST", "/v1/media/render-og")
        .with_status(429)
        .with_header("retry-after", "0")
        .with_body(RATE_LIMITED)
        .expect(1)
        .create();
    let ok = server
        .mock("POST", "/v1/media/render-og")
        .with_body(r#"{"url":"https://cdn/x.png"}"#)
        .expect(1)
        .create();
    let resp = client(&server.url()).render_og(&req).unwrap();
    limited.assert();
    ok.assert();
    assert_eq!(resp.meta().attempts, 2);
}

#[test]
fn render_og_is_retried_only_when_the_request_surely_did_not_arrive() {
    // The alias carries no idempotency key: a 500 or a dropped connection may mean the render
    // happened, so neither is retried; a 429 is (tested above), and so is a refused connection.
    let mut server = Server::new();
    let req = RenderTemplate::new("tweetImage");
    let m = server
        .mock("POST", "/v1/media/render-og")
        .match_header("idempotency-key", Matcher::Missing)
        .with_status(500)
        .with_body(INTERNAL)
        .expect(1)
        .create();
    let err = builder(&server.url())
        .max_retries(3)
        .build()
        .unwrap()
        .render_og(&req)
        .unwrap_err();
    m.assert();
    checked(&err);
    assert_eq!(err.status(), Some(500));
    assert_eq!(err.meta().unwrap().attempts, 1);
    assert_eq!(err.meta().unwrap().idempotency_key, None);

    let server = RawServer::start(hang_up);
    let c = builder(&server.url).max_retries(3).build().unwrap();
    let err = c.render_og(&req).unwrap_err();
    assert_eq!(err.meta().unwrap().attempts, 1);
    assert_eq!(server.connections(), 1);

    let c = builder(&refused_url()).max_retries(2).build().unwrap();
    let err = c.render_og(&req).unwrap_err();
    assert_eq!(err.meta().unwrap().attempts, 3);
}

#[test]
fn api_key_creation_retries_only_429() {
    let mut server = Server::new();
    let m = server
        .mock("POST", "/v1/api-keys")
        .with_status(503)
        .with_body("unavailable")
        .expect(1)
        .create();
    let err = client(&server.url())
        .create_api_key(&CreateApiKey::new().name("ci"))
        .unwrap_err();
    m.assert();
    assert_eq!(err.status(), Some(503));

    let mut server = Server::new();
    let limited = server
        .mock("POST", "/v1/api-keys")
        .with_status(429)
        .with_body(RATE_LIMITED)
        .expect(1)
        .create();
    let ok = server
        .mock("POST", "/v1/api-keys")
        .with_status(201)
        .with_body(r#"{"apiKey":"sk_live_new"}"#)
        .expect(1)
        .create();
    let resp = client(&server.url())
        .create_api_key(&CreateApiKey::new())
        .unwrap();
    limited.assert();
    ok.assert();
    assert_eq!(resp.meta().attempts, 2);
}

#[test]
fn list_and_revoke_retry_server_errors_without_a_key() {
    let mut server = Server::new();
    let failing = server
        .mock("GET", "/v1/api-keys")
        .match_header("idempotency-key", Matcher::Missing)
        .with_status(500)
        .with_body(INTERNAL)
        .expect(1)
        .create();
    let ok = server
        .mock("GET", "/v1/api-keys")
        .with_body("[]")
        .expect(1)
        .create();
    let resp = client(&server.url()).list_api_keys().unwrap();
    failing.assert();
    ok.assert();
    assert_eq!(resp.meta().attempts, 2);
    assert_eq!(resp.meta().idempotency_key, None);

    let failing = server
        .mock("DELETE", "/v1/api-keys/k1")
        .with_status(502)
        .with_body("bad gateway")
        .expect(1)
        .create();
    let ok = server
        .mock("DELETE", "/v1/api-keys/k1")
        .with_status(204)
        .expect(1)
        .create();
    let resp = client(&server.url()).revoke_api_key("k1").unwrap();
    failing.assert();
    ok.assert();
    assert_eq!(resp.meta().attempts, 2);
}

#[test]
fn rate_limit_reset_is_the_fallback_and_every_wait_is_capped() {
    // An hour's hint, capped at max_retry_wait (300 ms): the call ends within the cap plus a
    // margin, and the watchdog fails the test in seconds (not an hour) should the cap break.
    let cap = Duration::from_millis(300);
    let far = soku_now() + 3600;
    for (name, value) in [
        ("x-ratelimit-reset", far.to_string()),
        ("retry-after", "3600".to_owned()),
    ] {
        watchdog::within(Duration::from_secs(5), name, move || {
            let mut server = Server::new();
            let limited = server
                .mock("POST", "/v1/posts")
                .with_status(429)
                .with_header(name, &value)
                .with_body(RATE_LIMITED)
                .expect(1)
                .create();
            let ok = server
                .mock("POST", "/v1/posts")
                .with_body(r#"{"postSubmissionId":"ps"}"#)
                .expect(1)
                .create();
            let c = builder(&server.url())
                .backoff_base(Duration::from_millis(1))
                .max_retry_wait(cap)
                .build()
                .unwrap();
            let started = Instant::now();
            let resp = c.create_post(&post()).unwrap();
            let waited = started.elapsed();
            limited.assert();
            ok.assert();
            assert_eq!(resp.meta().attempts, 2);
            // The hint was used (a 1 ms backoff would not wait this long) and capped.
            assert!(waited >= cap, "{name}: {waited:?}");
            watchdog::assert_within(waited, cap + Duration::from_secs(1), name);
        });
    }
}

fn soku_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn final_429_reports_retry_after() {
    let mut server = Server::new();
    let m = server
        .mock("POST", "/v1/posts")
        .with_status(429)
        .with_header("retry-after", "0")
        .with_header("x-request-id", "req_hdr")
        .with_body(RATE_LIMITED)
        .expect(2)
        .create();
    let err = client(&server.url())
        .create_post_with(&post(), &CallOptions::new().max_retries(1))
        .unwrap_err();
    m.assert();
    checked(&err);
    assert_eq!(err.code(), Some(&ErrorCode::RateLimitExceeded));
    assert_eq!(err.retry_after(), Some(Duration::ZERO));
    // The header wins over the body's requestId.
    assert_eq!(err.request_id(), Some("req_hdr"));
    assert_eq!(err.meta().unwrap().attempts, 2);
}

#[test]
fn connect_failures_are_retried_for_every_endpoint() {
    let c = builder(&refused_url()).max_retries(2).build().unwrap();
    let err = c.create_post(&post()).unwrap_err();
    checked(&err);
    assert_eq!(err.kind(), soku::ErrorKind::Transport);
    assert_eq!(err.meta().unwrap().attempts, 3);
    assert_eq!(err.meta().unwrap().status, 0);
    assert!(err.meta().unwrap().idempotency_key.is_some());
    let err = c
        .render_template(&RenderTemplate::new("tweetImage"))
        .unwrap_err();
    assert_eq!(err.kind(), soku::ErrorKind::Transport);
    assert_eq!(err.meta().unwrap().attempts, 3);
}

#[test]
fn broken_connections_retry_only_when_safe() {
    // The server reads the request and hangs up: it may have processed it.
    let server = RawServer::start(hang_up);
    let c = builder(&server.url).max_retries(2).build().unwrap();
    let err = c.create_post(&post()).unwrap_err();
    checked(&err);
    assert_eq!(err.kind(), soku::ErrorKind::Transport);
    assert_eq!(err.meta().unwrap().attempts, 3);
    assert_eq!(server.connections(), 3);

    let server = RawServer::start(hang_up);
    let c = builder(&server.url).max_retries(2).build().unwrap();
    let err = c
        .render_template(&RenderTemplate::new("tweetImage"))
        .unwrap_err();
    assert_eq!(err.kind(), soku::ErrorKind::Transport);
    assert_eq!(err.meta().unwrap().attempts, 1);
    assert_eq!(server.connections(), 1);
}

#[test]
fn api_key_creation_is_not_retried_after_a_dropped_connection() {
    // The request was sent, then the connection dropped: the key may exist already, and a
    // second POST would create another one.
    let server = RawServer::start(hang_up);
    let c = builder(&server.url).max_retries(3).build().unwrap();
    let err = c
        .create_api_key(&CreateApiKey::new().name("ci"))
        .unwrap_err();
    checked(&err);
    assert_eq!(err.kind(), soku::ErrorKind::Transport);
    assert_eq!(err.meta().unwrap().attempts, 1);
    assert_eq!(err.meta().unwrap().idempotency_key, None);
    assert_eq!(server.connections(), 1);

    // Listing is idempotent: the same failure is retried.
    let server = RawServer::start(hang_up);
    let c = builder(&server.url).max_retries(2).build().unwrap();
    let err = c.list_api_keys().unwrap_err();
    assert_eq!(err.kind(), soku::ErrorKind::Transport);
    assert_eq!(err.meta().unwrap().attempts, 3);
    assert_eq!(server.connections(), 3);
}

/// `ClientBuilder::retry_policy` sets the three retry options at once: the server sees exactly
/// `1 + max_retries` attempts, and the policy reads back from the client's config. A policy
/// outside the bounds is refused like the single setters.
#[test]
fn a_retry_policy_sets_all_three_options_at_once() {
    let mut server = Server::new();
    let failing = server
        .mock("POST", "/v1/posts")
        .with_status(500)
        .with_body(INTERNAL)
        .expect(3)
        .create();
    let policy = soku::RetryPolicy {
        max_retries: 2,
        max_wait: Duration::from_millis(20),
        backoff_base: Duration::from_millis(1),
    };
    let c = builder(&server.url()).retry_policy(policy).build().unwrap();
    assert_eq!(c.config().retry(), policy);
    let err = c.create_post(&post()).unwrap_err();
    failing.assert();
    assert_eq!(err.meta().unwrap().attempts, 3);

    let too_many = soku::RetryPolicy {
        max_retries: soku::MAX_RETRIES + 1,
        ..policy
    };
    let err = builder(&server.url())
        .retry_policy(too_many)
        .build()
        .unwrap_err();
    assert_eq!(err.param(), Some("maxRetries"), "{err:?}");
}
