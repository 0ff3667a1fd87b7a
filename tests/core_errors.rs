//! Error classification: API envelopes, non-JSON bodies, undecodable successes, redirects,
//! size caps, refused connections and timeouts.

mod core_support;

use std::time::{Duration, Instant};

use core_support::{RawServer, builder, checked, client, never_answer, refused_url};
use mockito::{Matcher, Server};
use serde_json::json;
use soku::{CallOptions, CreatePost, Error, ErrorCode, Platform, UploadMedia};

fn post() -> CreatePost {
    CreatePost::text("hello", [Platform::LinkedIn])
}

#[test]
fn error_envelope_is_parsed() {
    let mut server = Server::new();
    let m = server
        .mock("POST", "/v1/posts")
        .with_status(400)
        .with_body(
            r#"{"error":{"type":"invalid_request_error","code":"validation_error","message":"text is required","timestamp":"2026-12-01T08:00:00Z","requestId":"req_123","details":{"field":"post.content.text","reason":"required"}}}"#,
        )
        .expect(1)
        .create();
    let err = client(&server.url()).create_post(&post()).unwrap_err();
    m.assert();
    assert_eq!(
        checked(&err),
        "api error 400 validation_error: text is required (request req_123)"
    );
    assert_eq!(err.kind(), soku::ErrorKind::Api);
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.code(), Some(&ErrorCode::ValidationError));
    assert_eq!(err.request_id(), Some("req_123"));
    assert_eq!(err.message(), "text is required");
    assert_eq!(
        err.details(),
        Some(&json!({"field": "post.content.text", "reason": "required"}))
    );
    assert_eq!(err.retry_after(), None);
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.error_type.as_deref(), Some("invalid_request_error"));
    // The body's requestId fills in the meta when no header carried one.
    assert_eq!(api.meta.request_id.as_deref(), Some("req_123"));
    assert_eq!(api.meta.status, 400);
}

#[test]
fn unknown_codes_are_kept() {
    let mut server = Server::new();
    server
        .mock("POST", "/v1/posts")
        .with_status(422)
        .with_body(r#"{"error":{"code":"brand_new_code","message":"new"}}"#)
        .create();
    let err = client(&server.url()).create_post(&post()).unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::Other("brand_new_code".into())));
    assert_eq!(checked(&err), "api error 422 brand_new_code: new");
}

#[test]
fn html_502_is_an_api_error_with_a_bounded_excerpt() {
    let mut server = Server::new();
    let page = format!(
        "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>{}</body></html>",
        "x".repeat(5000)
    );
    let m = server
        .mock("POST", "/v1/posts")
        .with_status(502)
        .with_header("content-type", "text/html")
        .with_body(&page)
        .expect(1)
        .create();
    let c = builder(&server.url()).max_retries(0).build().unwrap();
    let err = c.create_post(&post()).unwrap_err();
    m.assert();
    checked(&err);
    assert_eq!(err.kind(), soku::ErrorKind::Api);
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.code(), Some(&ErrorCode::Other("http_502".into())));
    assert!(
        err.message()
            .starts_with("<html> <head><title>502 Bad Gateway</title>")
    );
    assert!(err.message().chars().count() <= 201, "{}", err.message());
    assert_eq!(err.request_id(), None);
}

#[test]
fn json_without_envelope_and_empty_bodies() {
    let mut server = Server::new();
    server
        .mock("POST", "/v1/media")
        .with_status(400)
        .with_body(r#"{"message":"bad url"}"#)
        .create();
    server.mock("POST", "/v1/posts").with_status(401).create();
    let c = client(&server.url());
    let err = c
        .upload_media(&UploadMedia::new("https://example.com/x"))
        .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::Other("http_400".into())));
    assert_eq!(err.message(), r#"{"message":"bad url"}"#);
    let err = c.create_post(&post()).unwrap_err();
    // An empty body still gives a message (the C ABI's error JSON never has an empty one).
    assert_eq!(
        checked(&err),
        "api error 401 http_401: the server gave no error message"
    );
}

#[test]
fn undecodable_success_is_a_decode_error() {
    let mut server = Server::new();
    server
        .mock("POST", "/v1/posts")
        .with_status(200)
        .with_header("x-request-id", "req_dec")
        .with_body("<html>ok</html>")
        .create();
    server
        .mock("POST", "/v1/media")
        .with_status(201)
        .with_body(r#"{"mediaId":"m_1"}"#)
        .create();
    let c = client(&server.url());
    let err = c.create_post(&post()).unwrap_err();
    assert_eq!(err.kind(), soku::ErrorKind::Decode);
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.request_id(), Some("req_dec"));
    assert!(
        checked(&err).starts_with("decode error: response body is not json"),
        "{err}"
    );
    assert!(err.to_string().ends_with("(request req_dec)"), "{err}");
    let err = c
        .upload_media(&UploadMedia::new("https://example.com/x"))
        .unwrap_err();
    assert_eq!(err.kind(), soku::ErrorKind::Decode);
    assert!(
        checked(&err).contains("unexpected response body: missing field `url`"),
        "{err}"
    );
    // The serde error is kept as the source, and the kind has the C/Python name.
    let source = std::error::Error::source(&err).expect("a decode error keeps its cause");
    let serde = source
        .downcast_ref::<serde_json::Error>()
        .expect("the cause is serde_json's");
    assert!(serde.is_data(), "{serde}");
    assert_eq!(err.kind().as_str(), "decode");
    assert_eq!(err.meta().unwrap().attempts, 1);
}

#[test]
fn oversized_success_body_is_refused() {
    let mut server = Server::new();
    let huge = format!(
        r#"{{"postSubmissionId":"ps","pad":"{}"}}"#,
        "a".repeat(10 * 1024 * 1024)
    );
    server.mock("POST", "/v1/posts").with_body(huge).create();
    let err = client(&server.url()).create_post(&post()).unwrap_err();
    assert_eq!(err.kind(), soku::ErrorKind::Decode);
    assert_eq!(checked(&err), "decode error: response body exceeds 10 MiB");
}

/// A JavaScript server that cuts a string between the two halves of an emoji sends a lone
/// surrogate escape: the post was published, so the caller gets `Ok`, with U+FFFD in the text.
#[test]
fn lone_surrogate_in_a_success_answer_is_a_replacement_character() {
    let mut server = Server::new();
    let m = server
        .mock("POST", "/v1/posts")
        .with_body(
            r#"{"postSubmissionId":"ps_1","title":"cut \ud83d","tail":"\uDE00!","pair":"\ud83d\ude00","text":"\\ud83d"}"#,
        )
        .expect(1)
        .create();
    let resp = client(&server.url()).create_post(&post()).unwrap();
    m.assert();
    assert_eq!(resp.post_submission_id, "ps_1");
    assert_eq!(resp.extra["title"], "cut \u{fffd}");
    assert_eq!(resp.extra["tail"], "\u{fffd}!");
    assert_eq!(resp.extra["pair"], "😀");
    assert_eq!(resp.extra["text"], "\\ud83d");
}

/// Error envelopes as hostile servers send them: a lone surrogate, `details` nested past
/// serde_json's 128 levels (130 and 100 000), unknown deep members, 70 KiB long. Each keeps its
/// code, message and request id (no `X-Request-Id` header: only the body carries it).
#[test]
fn hostile_error_envelopes_keep_code_message_and_request_id() {
    let nest = |n: usize| format!("{}0{}", "[".repeat(n), "]".repeat(n));
    let envelope = |details: &str, message: &str| {
        format!(
            r#"{{"error":{{"type":"invalid_request_error","details":{details},"code":"validation_error","message":"{message}","requestId":"req_hostile"}}}}"#
        )
    };
    let cases = [
        (
            "lone surrogate",
            envelope("null", r"bad text \ud83d"),
            "bad text \u{fffd}",
            None,
        ),
        (
            "130 levels",
            envelope(&nest(130), "deep"),
            "deep",
            Some(true),
        ),
        (
            "100 000 levels",
            envelope(&nest(100_000), "deeper"),
            "deeper",
            Some(true),
        ),
        (
            "70 KiB",
            envelope(
                &format!(r#"{{"pad":"{}"}}"#, "x".repeat(70 * 1024)),
                "large",
            ),
            "large",
            Some(false),
        ),
        (
            "deep unknown members",
            format!(
                r#"{{"trace":{n},"error":{{"stack":{n},"code":"validation_error","message":"odd","requestId":"req_hostile"}}}}"#,
                n = nest(100_000)
            ),
            "odd",
            None,
        ),
    ];
    let mut server = Server::new();
    for (what, body, message, omitted) in cases {
        let m = server
            .mock("POST", "/v1/posts")
            .with_status(400)
            .with_body(body)
            .expect(1)
            .create();
        let err = client(&server.url()).create_post(&post()).unwrap_err();
        m.assert();
        checked(&err);
        assert_eq!(err.code(), Some(&ErrorCode::ValidationError), "{what}");
        assert_eq!(err.request_id(), Some("req_hostile"), "{what}");
        assert_eq!(err.message(), message, "{what}");
        match omitted {
            None => assert_eq!(err.details(), None, "{what}"),
            Some(true) => assert_eq!(
                err.details(),
                Some(&json!({"omitted": "details nested deeper than 64 levels"})),
                "{what}"
            ),
            Some(false) => assert_eq!(
                err.details().unwrap()["pad"].as_str().unwrap().len(),
                70 * 1024
            ),
        }
        m.remove();
    }
    // Past the documented 1 MiB cap the body is cut, so it is no envelope any more.
    let m = server
        .mock("POST", "/v1/posts")
        .with_status(400)
        .with_body(envelope(
            &format!(r#""{}""#, "x".repeat(1024 * 1024)),
            "huge",
        ))
        .create();
    let err = client(&server.url()).create_post(&post()).unwrap_err();
    m.assert();
    assert_eq!(err.code().unwrap().as_str(), "http_400");
}

#[test]
fn redirects_are_not_followed() {
    let mut elsewhere = Server::new();
    let stolen = elsewhere.mock("POST", Matcher::Any).expect(0).create();
    let mut server = Server::new();
    for status in [301, 302, 307, 308] {
        let m = server
            .mock("POST", "/v1/posts")
            .with_status(status)
            .with_header("location", &format!("{}/v1/posts", elsewhere.url()))
            .expect(1)
            .create();
        let err = client(&server.url()).create_post(&post()).unwrap_err();
        m.assert();
        checked(&err);
        assert_eq!(err.kind(), soku::ErrorKind::Api);
        assert_eq!(err.status(), Some(status as u16));
        assert_eq!(err.code().unwrap().as_str(), format!("http_{status}"));
        assert_eq!(err.message(), "redirect not followed");
        m.remove();
    }
    stolen.assert();
}

#[test]
fn refused_connection_is_a_transport_error() {
    let url = refused_url();
    let host = url.trim_start_matches("http://");
    let c = builder(&url).max_retries(0).build().unwrap();
    let err = c.create_post(&post()).unwrap_err();
    let shown = checked(&err);
    assert_eq!(err.kind(), soku::ErrorKind::Transport);
    let source = std::error::Error::source(&err).expect("a transport error keeps its cause");
    assert!(source.downcast_ref::<ureq::Error>().is_some(), "{source:?}");
    // The message says where it tried to connect (and, after retries, how often).
    assert!(
        shown.starts_with(&format!("transport error: connect to {host} failed: ")),
        "{shown}"
    );
    assert!(!shown.contains("attempts"), "{shown}");
    assert_eq!(err.status(), None);
    assert_eq!(err.code(), None);
    let meta = err.meta().unwrap();
    assert_eq!((meta.status, meta.attempts), (0, 1));
    let err = builder(&url)
        .max_retries(2)
        .build()
        .unwrap()
        .create_post(&post())
        .unwrap_err();
    assert!(
        err.message()
            .starts_with(&format!("connect to {host} failed: ")),
        "{err}"
    );
    assert!(err.message().ends_with(" (after 3 attempts)"), "{err}");
}

#[test]
fn silent_server_times_out_within_the_bound() {
    let server = RawServer::start(never_answer);
    let bound = Duration::from_millis(300);
    // Client-level timeout …
    let c = builder(&server.url).timeout(bound).build().unwrap();
    let started = Instant::now();
    let err = c.create_post(&post()).unwrap_err();
    let took = started.elapsed();
    checked(&err);
    assert_eq!(err.kind(), soku::ErrorKind::Timeout);
    assert!(took >= bound, "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    // A timeout after sending is not retried: the server may still be working on it; the
    // caller can retry with meta.idempotency_key.
    assert_eq!(err.meta().unwrap().attempts, 1);
    assert!(err.meta().unwrap().idempotency_key.is_some());

    // … and the per-call override.
    let c = builder(&server.url).build().unwrap();
    let started = Instant::now();
    let err = c
        .list_api_keys_with(&CallOptions::new().timeout(bound))
        .unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.kind(), soku::ErrorKind::Timeout);
    assert!(took >= bound && took < Duration::from_secs(3), "{took:?}");
    assert_eq!(server.connections(), 2);
}

/// A server that answers `200` with `x-request-id: <request_id>` and the first bytes of a
/// 100-byte body, waits `then`, and hangs up.
fn cut_answer(request_id: &'static str, then: Duration) -> RawServer {
    RawServer::start(move |mut stream| {
        use std::io::Write;
        core_support::read_head(&mut stream);
        let head = format!(
            "HTTP/1.1 200 OK\r\nx-request-id: {request_id}\r\ncontent-length: 100\r\n\r\n{{\"post"
        );
        let _ = stream.write_all(head.as_bytes());
        std::thread::sleep(then);
        let _ = stream.shutdown(std::net::Shutdown::Both);
    })
}

#[test]
fn truncated_success_body_is_a_transport_error_with_the_head_kept() {
    let server = cut_answer("req_cut", Duration::ZERO);
    let c = builder(&server.url).max_retries(0).build().unwrap();
    let err = c.create_post(&post()).unwrap_err();
    let shown = checked(&err);
    assert_eq!(err.kind(), soku::ErrorKind::Transport);
    assert!(
        shown.starts_with("transport error: ") && shown.ends_with(" (request req_cut)"),
        "{shown}"
    );
    let meta = err.meta().unwrap();
    assert_eq!(meta.status, 200);
    assert_eq!(meta.request_id.as_deref(), Some("req_cut"));
    assert_eq!(err.request_id(), Some("req_cut"));
}

#[test]
fn stalled_success_body_times_out_with_the_request_id_shown() {
    let server = cut_answer("req_slow", Duration::from_secs(5));
    let c = builder(&server.url)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = c.create_post(&post()).unwrap_err();
    let shown = checked(&err);
    assert_eq!(err.kind(), soku::ErrorKind::Timeout);
    assert_eq!(
        shown,
        "timeout: no complete answer within 300ms (request req_slow)"
    );
    assert_eq!(err.request_id(), Some("req_slow"));
}
