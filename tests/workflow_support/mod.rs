//! Helpers shared by the workflow tests.

// Each test file uses part of this module.
#![allow(dead_code)]

use std::time::Duration;

use soku::{Client, ClientBuilder, CreatePost, Platform};
use soku_sandbox::{RecordedRequest, Sandbox};

/// A client builder for `sb` with its key and token, and millisecond backoff.
pub fn builder(sb: &Sandbox) -> ClientBuilder {
    Client::builder()
        .base_url(sb.url())
        .api_key(sb.api_key())
        .firebase_token(sb.firebase_token())
        .backoff_base(Duration::from_millis(10))
}

/// A client for `sb` (see [`builder`]).
pub fn client(sb: &Sandbox) -> Client {
    builder(sb).build().expect("client for the sandbox")
}

/// The requests `sb` saw for `method path`.
pub fn requests_to(sb: &Sandbox, method: &str, path: &str) -> Vec<RecordedRequest> {
    sb.requests()
        .into_iter()
        .filter(|r| r.method == method && r.path == path)
        .collect()
}

/// A valid text post to X, numbered so that every post's body differs.
pub fn text_post(n: usize) -> CreatePost {
    CreatePost::text(format!("batch post #{n}"), [Platform::X])
}
