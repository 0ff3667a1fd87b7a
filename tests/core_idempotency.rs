//! Idempotency per endpoint, as one table: for every endpoint of the client, whether an
//! `Idempotency-Key` is sent without the caller asking, whether the same key is reused across a
//! retried 5xx and across a connection the server dropped after reading the request, and which
//! retry class follows (`docs/soku-api.md` §6):
//!
//! - keyed (posts, media upload, transcription): a key is always sent, and a 5xx or a dropped
//!   connection is retried with that same key, so the server can drop the duplicate;
//! - idempotent (list and revoke keys): no key; 5xx and drops retried (GET / DELETE);
//! - unsafe (template renders, key creation): no key; a 5xx or a dropped connection may mean the
//!   work was done, so neither is retried. A 429 and a refused connection (nothing arrived) are
//!   retried for every class.
//!
//! Every count is the server's: what it received, on which connection, with which key.

mod core_support;

use std::io::Write;
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use core_support::{RawServer, builder, checked, header_of, read_request, refused_url};
use soku::{
    CallOptions, Client, CreateApiKey, CreatePost, ErrorKind, Meta, Platform, RenderTemplate,
    Transcribe, UploadMedia,
};

/// A body every endpoint accepts as its success answer.
const OK_BODY: &str = r#"{"postSubmissionId":"ps_1","url":"https://cdn.example/x","jobId":"job_1","apiKey":"sk_live_new","apiKeys":[]}"#;
const INTERNAL: &str = r#"{"error":{"code":"internal_error","message":"boom"}}"#;
const LIMITED: &str = r#"{"error":{"code":"rate_limit_exceeded","message":"slow down"}}"#;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Class {
    Keyed,
    Idempotent,
    Unsafe,
}

type Call = fn(&Client, &CallOptions) -> soku::Result<Meta>;

/// Every endpoint: name, method and path on the wire, the call, and its class.
const ENDPOINTS: [(&str, &str, &str, Call, Class); 8] = [
    (
        "create post",
        "POST",
        "/v1/posts",
        |c, o| {
            c.create_post_with(&CreatePost::text("hi", [Platform::X]), o)
                .map(|r| r.meta)
        },
        Class::Keyed,
    ),
    (
        "upload media",
        "POST",
        "/v1/media",
        |c, o| {
            c.upload_media_with(&UploadMedia::new("https://a.example/v.mp4"), o)
                .map(|r| r.meta)
        },
        Class::Keyed,
    ),
    (
        "transcribe",
        "POST",
        "/v1/ai/transcribe",
        |c, o| {
            c.transcribe_with(&Transcribe::new("media_1"), o)
                .map(|r| r.meta)
        },
        Class::Keyed,
    ),
    (
        "render template",
        "POST",
        "/v1/templates",
        |c, o| {
            c.render_template_with(&RenderTemplate::new("tweetImage"), o)
                .map(|r| r.meta)
        },
        Class::Unsafe,
    ),
    (
        "render og",
        "POST",
        "/v1/media/render-og",
        |c, o| {
            c.render_og_with(&RenderTemplate::new("tweetImage"), o)
                .map(|r| r.meta)
        },
        Class::Unsafe,
    ),
    (
        "create api key",
        "POST",
        "/v1/api-keys",
        |c, o| {
            c.create_api_key_with(&CreateApiKey::new().name("ci"), o)
                .map(|r| r.meta)
        },
        Class::Unsafe,
    ),
    (
        "list api keys",
        "GET",
        "/v1/api-keys",
        |c, o| c.list_api_keys_with(o).map(|r| r.meta),
        Class::Idempotent,
    ),
    (
        "revoke api key",
        "DELETE",
        "/v1/api-keys/key_1",
        |c, o| c.revoke_api_key_with("key_1", o).map(|r| r.meta),
        Class::Idempotent,
    ),
];

/// What the scripted server does with the n-th request it reads.
#[derive(Clone, Copy)]
enum Step {
    /// Answer with this status, extra header lines and body (keeping the connection).
    Answer(u16, &'static str, &'static str),
    /// Close the connection without answering (the request was read: it may have been
    /// processed).
    Drop,
}

/// One request as the server saw it: request line, `Idempotency-Key`, connection number.
#[derive(Debug, Clone)]
struct Seen {
    line: String,
    key: Option<String>,
    connection: usize,
}

/// A loopback server that plays `script` to the requests in order, then answers `201 OK_BODY`.
fn scripted(script: &[Step]) -> (RawServer, Arc<Mutex<Vec<Seen>>>) {
    let script = script.to_vec();
    let seen = Arc::new(Mutex::new(Vec::<Seen>::new()));
    let log = seen.clone();
    let conns = Arc::new(Mutex::new(0usize));
    let server = RawServer::start(move |mut stream: TcpStream| {
        let connection = {
            let mut c = conns.lock().unwrap();
            *c += 1;
            *c
        };
        while let Some((head, _body)) = read_request(&mut stream) {
            let n = {
                let mut log = log.lock().unwrap();
                log.push(Seen {
                    line: head.lines().next().unwrap_or("").to_owned(),
                    key: header_of(&head, "idempotency-key").map(str::to_owned),
                    connection,
                });
                log.len() - 1
            };
            let (status, extra, body) = match script.get(n).copied() {
                Some(Step::Drop) => {
                    let _ = stream.shutdown(std::net::Shutdown::Both);
                    return;
                }
                Some(Step::Answer(s, h, b)) => (s, h, b),
                None => (201, "", OK_BODY),
            };
            let answer = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra}\r\n{body}",
                body.len()
            );
            if stream.write_all(answer.as_bytes()).is_err() {
                return;
            }
        }
    });
    (server, seen)
}

fn fast_client(url: &str) -> Client {
    builder(url)
        .max_retries(2)
        .backoff_base(Duration::from_millis(1))
        .max_retry_wait(Duration::from_millis(50))
        .build()
        .unwrap()
}

/// The scenarios every endpoint goes through, with what the server must have seen.
#[test]
fn every_endpoint_sends_reuses_and_retries_its_idempotency_key_by_its_class() {
    let failures: [(&str, Step); 2] = [
        ("a 500", Step::Answer(500, "", INTERNAL)),
        ("a dropped connection", Step::Drop),
    ];
    let mut rows = Vec::new();
    for (name, method, path, call, class) in ENDPOINTS {
        let line = format!("{method} {path} HTTP/1.1");
        let retried = class != Class::Unsafe;

        // A plain call: the key is sent exactly when the class is keyed.
        let (server, seen) = scripted(&[]);
        let meta = call(&fast_client(&server.url), &CallOptions::new())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 1, "{name}: {seen:?}");
        assert_eq!(seen[0].line, line, "{name}");
        assert_eq!(
            seen[0].key.is_some(),
            class == Class::Keyed,
            "{name}: {seen:?}"
        );
        assert_eq!(
            meta.idempotency_key, seen[0].key,
            "{name}: meta reports the key sent"
        );

        // A 5xx, then a dropped connection (each followed by success when retried).
        for (what, step) in failures {
            let (server, seen) = scripted(&[step]);
            let result = call(&fast_client(&server.url), &CallOptions::new());
            let seen = seen.lock().unwrap().clone();
            assert!(seen.iter().all(|s| s.line == line), "{name}: {seen:?}");
            if retried {
                let meta = result.unwrap_or_else(|e| panic!("{name} after {what}: {e}"));
                assert_eq!(seen.len(), 2, "{name} after {what}: {seen:?}");
                assert_eq!(meta.attempts, 2, "{name} after {what}");
                assert_eq!(seen[0].key, seen[1].key, "{name}: key changed after {what}");
                assert_eq!(meta.idempotency_key, seen[1].key, "{name} after {what}");
                if matches!(step, Step::Drop) {
                    assert_ne!(seen[0].connection, seen[1].connection, "{name}: {seen:?}");
                }
            } else {
                let err = result.expect_err(name);
                checked(&err);
                assert_eq!(seen.len(), 1, "{name} re-sent after {what}: {seen:?}");
                assert_eq!(err.meta().unwrap().attempts, 1, "{name} after {what}");
                let kind = if matches!(step, Step::Drop) {
                    ErrorKind::Transport
                } else {
                    ErrorKind::Api
                };
                assert_eq!(err.kind(), kind, "{name} after {what}");
            }
            assert_eq!(
                seen[0].key.is_some(),
                class == Class::Keyed,
                "{name}: {seen:?}"
            );
        }

        // The caller's own key is sent verbatim on every attempt, whatever the class.
        let (server, seen) = scripted(&[Step::Answer(500, "", INTERNAL)]);
        let opts = CallOptions::new().idempotency_key("caller-key-1");
        let _ = call(&fast_client(&server.url), &opts);
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), if retried { 2 } else { 1 }, "{name}: {seen:?}");
        assert!(
            seen.iter()
                .all(|s| s.key.as_deref() == Some("caller-key-1")),
            "{name}: {seen:?}"
        );

        // A 429 is retried for every class (nothing was done), with the same key.
        let (server, seen) = scripted(&[Step::Answer(429, "retry-after: 0\r\n", LIMITED)]);
        let meta = call(&fast_client(&server.url), &CallOptions::new())
            .unwrap_or_else(|e| panic!("{name} after a 429: {e}"));
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 2, "{name}: {seen:?}");
        assert_eq!(meta.attempts, 2, "{name}");
        assert_eq!(seen[0].key, seen[1].key, "{name}: key changed after a 429");

        // A refused connection is retried for every class (nothing arrived).
        let err = call(&fast_client(&refused_url()), &CallOptions::new()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Transport, "{name}");
        assert_eq!(err.meta().unwrap().attempts, 3, "{name}");
        assert_eq!(
            err.meta().unwrap().idempotency_key.is_some(),
            class == Class::Keyed,
            "{name}"
        );
        rows.push(format!("{name}: {class:?}"));
    }
    assert_eq!(rows.len(), 8, "{rows:?}");
}
