//! The per-attempt events a Rust program gets through the `log` facade (target `soku`).

use std::sync::Mutex;
use std::time::Duration;

use log::{Level, Log, Metadata, Record};
use soku::{Client, CreatePost, Platform};
use soku_sandbox::{Fault, Sandbox};

static RECORDS: Mutex<Vec<(Level, String, String)>> = Mutex::new(Vec::new());

struct Capture;

impl Log for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn log(&self, r: &Record<'_>) {
        RECORDS
            .lock()
            .unwrap()
            .push((r.level(), r.target().to_owned(), r.args().to_string()));
    }
    fn flush(&self) {}
}

#[test]
fn each_attempt_is_one_event_without_secrets() {
    log::set_logger(&Capture).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    let sb = Sandbox::start().unwrap();
    let client = Client::builder()
        .base_url(sb.url())
        .api_key(sb.api_key())
        .backoff_base(Duration::from_millis(1))
        .build()
        .unwrap();
    sb.inject("/v1/posts", Fault::status(503, "internal_error"));
    let resp = client
        .create_post(&CreatePost::text("logged", [Platform::X]))
        .unwrap();

    let records: Vec<_> = RECORDS
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, target, _)| target == "soku")
        .cloned()
        .collect();
    // attempt 1 (debug), the wait before attempt 2 (info), attempt 2 (debug).
    assert_eq!(records.len(), 3, "{records:?}");
    let (level, _, first) = &records[0];
    assert_eq!(*level, Level::Debug);
    assert!(
        first.starts_with("POST /v1/posts attempt 1: status 503, request req_"),
        "{first}"
    );
    let (level, _, wait) = &records[1];
    assert_eq!(*level, Level::Info);
    assert!(
        wait.starts_with("POST /v1/posts attempt 1 failed (status 503), retrying in "),
        "{wait}"
    );
    let (level, _, last) = &records[2];
    assert_eq!(*level, Level::Debug);
    let rid = resp.meta.request_id.as_deref().unwrap();
    assert_eq!(
        *last,
        format!("POST /v1/posts attempt 2: status 200, request {rid}, rate limit 29/30")
    );
    for (_, _, message) in &records {
        assert!(!message.contains(sb.api_key()), "{message}");
    }

    // A connection that fails before an answer: status 0 and why.
    RECORDS.lock().unwrap().clear();
    sb.inject("/v1/posts", Fault::drop_connection());
    let err = client
        .create_post_with(
            &CreatePost::text("dropped", [Platform::X]),
            &soku::CallOptions::new().max_retries(0),
        )
        .unwrap_err();
    assert_eq!(err.kind(), soku::ErrorKind::Transport);
    let records = RECORDS.lock().unwrap();
    let last = &records.iter().rfind(|(_, t, _)| t == "soku").unwrap().2;
    assert!(
        last.starts_with("POST /v1/posts attempt 1: status 0 (connection failed), request -"),
        "{last}"
    );
}
