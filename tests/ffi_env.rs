//! Config keys that are absent fall back to SOKU_API_KEY / SOKU_BASE_URL / SOKU_FIREBASE_TOKEN,
//! keys that are present win over the environment, and `"fromEnv": false` reads none of it.
//! One test in its own binary, because it sets process environment variables.

mod ffi_common;

use ffi_common::*;
use soku::ffi::{SOKU_ERR_CONFIG, SOKU_OK, soku_api_keys_list, soku_posts_create};

#[test]
fn absent_keys_fall_back_to_the_environment() {
    let mut server = mockito::Server::new();
    let from_env = server
        .mock("POST", "/v1/posts")
        .match_header("soku-api-key", "sk_live_from_env")
        .with_status(201)
        .with_body(r#"{"postSubmissionId": "sub_env"}"#)
        .expect(2)
        .create();
    let from_config = server
        .mock("POST", "/v1/posts")
        .match_header("soku-api-key", "sk_live_from_config")
        .with_status(201)
        .with_body(r#"{"postSubmissionId": "sub_config"}"#)
        .expect(1)
        .create();
    let keys = server
        .mock("GET", "/v1/api-keys")
        .match_header("authorization", "Bearer token_from_env")
        .with_status(200)
        .with_body(r#"{"apiKeys": []}"#)
        .expect(1)
        .create();
    // SAFETY: this binary runs this single test; nothing else reads the environment meanwhile.
    unsafe {
        std::env::set_var("SOKU_API_KEY", "sk_live_from_env");
        std::env::set_var("SOKU_BASE_URL", server.url());
        std::env::set_var("SOKU_FIREBASE_TOKEN", "token_from_env");
    }

    for config in [None, Some(&b"{}"[..])] {
        let (status, handle, json) = try_client(config);
        assert_eq!(status, SOKU_OK, "{json}");
        assert_eq!(json["data"]["baseUrl"], server.url());
        let (status, json) = call(soku_posts_create, &handle.unwrap(), Some(TEXT_POST), None);
        assert_eq!(status, SOKU_OK, "{json}");
        assert_eq!(json["data"]["postSubmissionId"], "sub_env");
    }

    let handle = client(r#"{"apiKey": "sk_live_from_config"}"#);
    let (status, json) = call(soku_posts_create, &handle, Some(TEXT_POST), None);
    assert_eq!(status, SOKU_OK, "{json}");
    assert_eq!(json["data"]["postSubmissionId"], "sub_config");
    let (status, json) = call(soku_api_keys_list, &handle, None, None);
    assert_eq!(status, SOKU_OK, "{json}");

    // a baseUrl in the config wins over SOKU_BASE_URL
    let (status, _, json) = try_client(Some(br#"{"baseUrl": "http://127.0.0.1:9/other"}"#));
    assert_eq!(status, SOKU_OK, "{json}");
    assert_eq!(json["data"]["baseUrl"], "http://127.0.0.1:9/other");

    // "fromEnv": false reads nothing from the environment: the default base URL, and no key,
    // so a content call fails before any I/O (the server saw no request for it).
    let (status, _, json) = try_client(Some(br#"{"fromEnv": false}"#));
    assert_eq!(status, SOKU_OK, "{json}");
    assert_eq!(json["data"]["baseUrl"], soku::DEFAULT_BASE_URL);
    let handle = client(&format!(
        r#"{{"fromEnv": false, "baseUrl": "{}"}}"#,
        server.url()
    ));
    let (status, json) = call(soku_posts_create, &handle, Some(TEXT_POST), None);
    assert_eq!(status, SOKU_ERR_CONFIG, "{json}");
    assert_eq!(json["error"]["param"], "apiKey", "{json}");
    let message = json["error"]["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("an api key is required"), "{json}");
    assert!(!message.contains("sk_live_from_env"), "{json}");
    let (status, _, json) = try_client(Some(br#"{"fromEnv": "no"}"#));
    assert_eq!(json["error"]["param"], "fromEnv", "{status} {json}");

    from_env.assert();
    from_config.assert();
    keys.assert();
}
