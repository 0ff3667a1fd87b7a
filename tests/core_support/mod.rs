//! Helpers shared by the `core_*` integration tests (mockito servers on loopback).
#![allow(dead_code)]

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use soku::{Client, ClientBuilder};

/// A syntactically realistic API key; no test output may ever contain it.
pub const KEY: &str = "sk_live_TESTKEY0123456789abcdefghijklmnopqrstuv";
/// A Firebase ID token; no test output may ever contain it.
pub const TOKEN: &str = "eyJhbGciOiJSUzI1NiIs.FIREBASE-TEST-TOKEN.sig";

/// A builder pointed at `url` with both credentials and a millisecond backoff.
pub fn builder(url: &str) -> ClientBuilder {
    Client::builder()
        .base_url(url)
        .api_key(KEY)
        .firebase_token(TOKEN)
        .backoff_base(Duration::from_millis(2))
        .max_retry_wait(Duration::from_secs(2))
        .timeout(Duration::from_secs(5))
}

/// A client for `url` (see [`builder`]).
pub fn client(url: &str) -> Client {
    builder(url).build().expect("client builds")
}

/// A loopback URL on which nothing listens (the port was just released).
pub fn refused_url() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

/// Panics if `text` contains a credential.
pub fn assert_no_secret(text: &str) {
    assert!(!text.contains(KEY), "api key leaked: {text}");
    assert!(!text.contains(TOKEN), "firebase token leaked: {text}");
    assert!(!text.contains("TESTKEY"), "api key fragment leaked: {text}");
    assert!(
        !text.contains("FIREBASE-TEST"),
        "token fragment leaked: {text}"
    );
}

/// Checks Display and Debug of an error for secrets; returns the Display.
pub fn checked(e: &soku::Error) -> String {
    let shown = e.to_string();
    assert_no_secret(&shown);
    assert_no_secret(&format!("{e:?}"));
    assert_no_secret(&e.message());
    shown
}

/// Records one header of every request answered by the mocks it is attached to
/// (`with_body_from_request(rec.answer(header, body))`: called once per answered request).
#[derive(Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<Option<String>>>>);

impl Recorder {
    pub fn answer(
        &self,
        header: &'static str,
        body: &str,
    ) -> impl Fn(&mockito::Request) -> Vec<u8> + Send + Sync + 'static {
        let seen = self.0.clone();
        let body = body.as_bytes().to_vec();
        move |req| {
            let value = req
                .header(header)
                .first()
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            seen.lock().unwrap().push(value);
            body.clone()
        }
    }

    pub fn values(&self) -> Vec<Option<String>> {
        self.0.lock().unwrap().clone()
    }
}
