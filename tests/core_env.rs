//! `Client::from_env` and immunity to proxy variables. One test in its own binary, because it
//! changes the process environment.

mod core_support;

use core_support::{KEY, TOKEN, checked};
use mockito::{Matcher, Server};
use soku::{Client, CreatePost, Platform};

fn set(name: &str, value: Option<&str>) {
    // SAFETY: this binary has a single test, so no other thread reads the environment now.
    unsafe {
        match value {
            Some(v) => std::env::set_var(name, v),
            None => std::env::remove_var(name),
        }
    }
}

#[test]
fn from_env_and_proxy_variables() {
    // A dead proxy everywhere: a client that honoured these could not reach the mock server.
    for name in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        set(name, Some("http://127.0.0.1:1"));
    }
    for name in ["NO_PROXY", "no_proxy"] {
        set(name, None);
    }

    let mut server = Server::new();
    set("SOKU_API_KEY", Some(KEY));
    set("SOKU_BASE_URL", Some(&format!("{}/api/", server.url())));
    set("SOKU_FIREBASE_TOKEN", Some(TOKEN));
    let post = server
        .mock("POST", "/api/v1/posts")
        .match_header("soku-api-key", KEY)
        .match_header("authorization", Matcher::Missing)
        .with_body(r#"{"postSubmissionId":"ps_env"}"#)
        .expect(1)
        .create();
    let keys = server
        .mock("GET", "/api/v1/api-keys")
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .match_header("soku-api-key", Matcher::Missing)
        .with_body("[]")
        .expect(1)
        .create();
    let c = Client::from_env().unwrap();
    assert_eq!(c.base_url(), format!("{}/api", server.url()));
    let resp = c
        .create_post(&CreatePost::text("hi", [Platform::X]))
        .unwrap();
    assert_eq!(resp.post_submission_id, "ps_env");
    c.list_api_keys().unwrap();
    post.assert();
    keys.assert();

    set("SOKU_BASE_URL", Some("http://api.example.com"));
    let err = Client::from_env().unwrap_err();
    assert_eq!(err.kind(), soku::ErrorKind::Config);
    checked(&err);

    // Unset or empty variables fall back to the defaults.
    set("SOKU_API_KEY", Some(""));
    set("SOKU_BASE_URL", None);
    set("SOKU_FIREBASE_TOKEN", None);
    let c = Client::from_env().unwrap();
    assert_eq!(c.base_url(), "https://api.mysoku.io");
    let err = c
        .create_post(&CreatePost::text("hi", [Platform::X]))
        .unwrap_err();
    assert_eq!(err.kind(), soku::ErrorKind::Config);
    // Explicit builder calls override the environment.
    set("SOKU_API_KEY", Some("sk_live_from_env"));
    let c = soku::ClientBuilder::from_env()
        .base_url(server.url())
        .api_key(KEY)
        .build()
        .unwrap();
    let m = server
        .mock("POST", "/v1/posts")
        .match_header("soku-api-key", KEY)
        .with_body(r#"{"postSubmissionId":"ps"}"#)
        .expect(1)
        .create();
    c.create_post(&CreatePost::text("hi", [Platform::X]))
        .unwrap();
    m.assert();
}
