//! The C ABI's argument handling, without a server: NULL in every pointer position of every
//! export, invalid UTF-8, non-JSON, wrong JSON types, unknown keys, and the panic boundary.
//!
//! Clients here point at a closed loopback port with retries off, so a call that gets past its
//! arguments fails fast with a transport error instead of touching the network.

mod ffi_common;

use std::ffi::{CStr, c_char};
use std::ptr;

use ffi_common::*;
use serde_json::{Value, json};
use soku::ffi::*;

/// A client whose calls fail with transport errors (nothing listens on port 1).
fn offline_client() -> Handle {
    client(
        r#"{"apiKey": "sk_live_test", "baseUrl": "http://127.0.0.1:1", "firebaseToken": "tok", "maxRetries": 0}"#,
    )
}

/// The call got past its arguments and met the closed port. A batch reports per post and
/// returns SOKU_OK.
fn assert_reached_network(name: &str, status: i32, json: &Value) {
    if name == "soku_posts_publish_batch" {
        assert_eq!(status, SOKU_OK, "{name}: {json}");
        assert_eq!(
            json["data"]["results"][0]["error"]["kind"], "transport",
            "{json}"
        );
        assert_eq!(json["data"]["summary"]["failed"], 2, "{json}");
    } else {
        assert_eq!(status, SOKU_ERR_TRANSPORT, "{name}: {json}");
        assert_eq!(json["meta"]["attempts"], 1, "{name}: {json}");
    }
}

fn assert_invalid(status: i32, json: &Value, needle: &str) {
    assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT, "{json}");
    let message = json["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(needle),
        "message {message:?} lacks {needle:?}"
    );
}

#[test]
fn version_and_status_names() {
    let version = unsafe { CStr::from_ptr(soku_version()) }.to_str().unwrap();
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    assert_eq!(version, soku::VERSION);
    let names = [
        (SOKU_OK, "ok"),
        (SOKU_ERR_INVALID_ARGUMENT, "invalid_argument"),
        (SOKU_ERR_CONFIG, "config"),
        (SOKU_ERR_API, "api"),
        (SOKU_ERR_TRANSPORT, "transport"),
        (SOKU_ERR_TIMEOUT, "timeout"),
        (SOKU_ERR_DECODE, "decode"),
        (SOKU_ERR_PANIC, "panic"),
        (1, "unknown"),
        (-8, "unknown"),
        (i32::MIN, "unknown"),
    ];
    for (status, name) in names {
        let got = unsafe { CStr::from_ptr(soku_status_str(status)) }
            .to_str()
            .unwrap();
        assert_eq!(got, name, "status {status}");
    }
}

#[test]
fn status_numbers_are_the_contract() {
    let all = [
        SOKU_OK,
        SOKU_ERR_INVALID_ARGUMENT,
        SOKU_ERR_CONFIG,
        SOKU_ERR_API,
        SOKU_ERR_TRANSPORT,
        SOKU_ERR_TIMEOUT,
        SOKU_ERR_DECODE,
        SOKU_ERR_PANIC,
    ];
    assert_eq!(all, [0, -1, -2, -3, -4, -5, -6, -7]);
}

#[test]
fn client_new_null_positions() {
    let config = c"{}";
    // not NULL beforehand, so the check below sees the library store NULL
    let mut client = ptr::NonNull::<SokuClient>::dangling().as_ptr();
    let mut out = ptr::null_mut();

    // NULL out_json: invalid argument, *out_client set to NULL, no client made
    let status = unsafe { soku_client_new(config.as_ptr(), &mut client, ptr::null_mut()) };
    assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT);
    assert!(client.is_null());

    // NULL out_client: invalid argument with an error JSON
    let status = unsafe { soku_client_new(config.as_ptr(), ptr::null_mut(), &mut out) };
    let json = take(out);
    assert_shape(status, &json);
    assert_invalid(status, &json, "out_client is null");

    // everything NULL
    let status = unsafe { soku_client_new(ptr::null(), ptr::null_mut(), ptr::null_mut()) };
    assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT);

    // NULL config_json is the same as {} (here with an explicit key from the environment or not:
    // either way a handle or a config error, never invalid_argument)
    let (status, _, json) = try_client(None);
    assert!(status == SOKU_OK || status == SOKU_ERR_CONFIG, "{json}");
}

#[test]
fn client_new_success_json() {
    let (status, handle, json) = try_client(Some(
        br#"{"apiKey": "sk_live_x", "baseUrl": "http://127.0.0.1:9/api"}"#,
    ));
    assert_eq!(status, SOKU_OK, "{json}");
    assert!(handle.is_some());
    assert_eq!(
        json,
        json!({"data": {"baseUrl": "http://127.0.0.1:9/api", "version": soku::VERSION}, "meta": null})
    );
}

#[test]
fn client_new_rejects_bad_config() {
    let cases: &[(&[u8], &str)] = &[
        (b"", "config_json is not valid json"),
        (b"not json", "config_json is not valid json"),
        (b"{\"apiKey\": ", "config_json is not valid json"),
        (b"[]", "config_json must be a json object"),
        (b"\"sk_live_x\"", "config_json must be a json object"),
        (b"{\"apiKey\": \"\xff\"}", "config_json is not valid utf-8"),
        (b"{\"colour\": \"blue\"}", "unknown config key: colour"),
        (b"{\"apikey\": \"sk_live_x\"}", "unknown config key: apikey"),
        (b"{\"apiKey\": 5}", "config key apiKey must be a string"),
        (b"{\"baseUrl\": []}", "config key baseUrl must be a string"),
        (
            b"{\"firebaseToken\": {}}",
            "config key firebaseToken must be a string",
        ),
        (
            b"{\"userAgent\": true}",
            "config key userAgent must be a string",
        ),
        (
            b"{\"timeoutMs\": \"30s\"}",
            "config key timeoutMs must be an integer",
        ),
        (
            b"{\"timeoutMs\": 1.5}",
            "config key timeoutMs must be an integer",
        ),
        (
            b"{\"connectTimeoutMs\": -1}",
            "config key connectTimeoutMs must be an integer",
        ),
        (
            b"{\"maxRetryWaitMs\": false}",
            "config key maxRetryWaitMs must be an integer",
        ),
        (
            b"{\"backoffBaseMs\": \"1\"}",
            "config key backoffBaseMs must be an integer",
        ),
        (
            b"{\"allowInsecureHttp\": \"yes\"}",
            "config key allowInsecureHttp must be a boolean",
        ),
        (
            b"{\"validateScheduledTime\": 0}",
            "config key validateScheduledTime must be a boolean",
        ),
    ];
    for (config, needle) in cases {
        let (status, handle, json) = try_client(Some(config));
        assert!(handle.is_none());
        assert_invalid(status, &json, needle);
    }
}

#[test]
fn config_errors_never_echo_values() {
    let secret = "sk_live_do_not_print_me";
    let config = format!(r#"{{"apiKey": "{secret}", "timeoutMs": "{secret}"}}"#);
    let (status, _, json) = try_client(Some(config.as_bytes()));
    assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT);
    assert!(!json.to_string().contains(secret), "{json}");
    let (status, json) = call(
        soku_posts_create,
        &offline_client(),
        Some(TEXT_POST),
        Some(&format!(
            r#"{{"firebaseToken": "{secret}", "maxRetries": "{secret}"}}"#
        )),
    );
    assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT);
    assert!(!json.to_string().contains(secret), "{json}");
}

#[test]
fn null_values_in_config_count_as_absent() {
    let (status, _, json) = try_client(Some(
        br#"{"apiKey": "sk_live_x", "baseUrl": "http://127.0.0.1:9", "timeoutMs": null, "userAgent": null}"#,
    ));
    assert_eq!(status, SOKU_OK, "{json}");
}

#[test]
fn blank_idempotency_keys_are_refused_for_every_operation() {
    let client = offline_client();
    for key in ["", " ", " k", "k "] {
        let opts = json!({ "idempotencyKey": key }).to_string();
        for (_, op, request) in operations() {
            let (status, json) = call(op, &client, request, Some(&opts));
            assert_invalid(
                status,
                &json,
                "idempotency key must be 1 to 255 printable ascii characters without leading or trailing spaces",
            );
        }
    }
}

#[test]
fn unusable_config_is_a_config_error() {
    for config in [
        r#"{"apiKey": "sk_live_x", "baseUrl": "http://example.com"}"#,
        r#"{"apiKey": "sk_live_x", "baseUrl": "ftp://127.0.0.1"}"#,
        r#"{"apiKey": "sk_live_x", "baseUrl": "not a url"}"#,
    ] {
        let (status, handle, json) = try_client(Some(config.as_bytes()));
        assert!(handle.is_none());
        assert_eq!(status, SOKU_ERR_CONFIG, "{config}: {json}");
        assert!(json["meta"].is_null());
    }
}

#[test]
fn free_functions_accept_null() {
    unsafe { soku_client_free(ptr::null_mut()) };
    unsafe { soku_string_free(ptr::null_mut()) };
}

#[test]
fn operations_null_positions() {
    let client = offline_client();
    for (name, op, request) in operations() {
        // NULL out_json: invalid argument, nothing written, nothing sent
        let status = unsafe {
            op(
                client.ptr(),
                TEXT_POST.as_ptr().cast(),
                ptr::null(),
                ptr::null_mut(),
            )
        };
        assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT, "{name}");

        // NULL client
        let (status, json) = call_raw(op, ptr::null(), request.map(str::as_bytes), None);
        assert_invalid(status, &json, "client is null");

        // NULL request_json: invalid except for the list call, which takes no input
        let (status, json) = call_raw(op, client.ptr(), None, None);
        if name == "soku_api_keys_list" {
            assert_reached_network(name, status, &json);
        } else {
            assert_invalid(status, &json, "request_json is null");
        }

        // NULL options_json is allowed: the call goes out (and meets the closed port)
        let (status, json) = call(op, &client, request, None);
        assert_reached_network(name, status, &json);
    }
}

#[test]
fn operations_reject_invalid_utf8_and_non_json() {
    let client = offline_client();
    for (name, op, request) in operations() {
        let request = request.unwrap_or("{}").as_bytes();
        for (req, opts, needle) in [
            (
                &b"{\"x\": \"\xc3\x28\"}"[..],
                None,
                "request_json is not valid utf-8",
            ),
            (b"\xff", None, "request_json is not valid utf-8"),
            (
                request,
                Some(&b"{\"idempotencyKey\": \"\xe2\x82\"}"[..]),
                "options_json is not valid utf-8",
            ),
            (b"", None, "request_json is not valid json"),
            (b"not json", None, "request_json is not valid json"),
            (b"{\"a\": 1,}", None, "request_json is not valid json"),
            (b"[]", None, "request_json must be a json object"),
            (b"null", None, "request_json must be a json object"),
            (b"42", None, "request_json must be a json object"),
            (request, Some(b"nope"), "options_json is not valid json"),
            (request, Some(b"[1]"), "options_json must be a json object"),
        ] {
            let (status, json) = call_raw(op, client.ptr(), Some(req), opts);
            assert_invalid(status, &json, needle);
            let _ = name;
        }
    }
}

#[test]
fn options_wrong_types_and_unknown_keys() {
    let client = offline_client();
    for (opts, needle) in [
        (
            r#"{"idempotencyKey": 5}"#,
            "options key idempotencyKey must be a string",
        ),
        (
            r#"{"firebaseToken": []}"#,
            "options key firebaseToken must be a string",
        ),
        (
            r#"{"timeoutMs": "1s"}"#,
            "options key timeoutMs must be an integer",
        ),
        (
            r#"{"maxRetries": -1}"#,
            "options key maxRetries must be an integer",
        ),
        (
            r#"{"maxRetries": 1.0e100}"#,
            "options key maxRetries must be an integer",
        ),
        (r#"{"retries": 1}"#, "unknown options key: retries"),
        (
            r#"{"maxRetries": 11}"#,
            "max retries must be at most 10 (got 11)",
        ),
        (
            r#"{"maxRetries": 4294967295}"#,
            "max retries must be at most 10 (got 4294967295)",
        ),
    ] {
        for (_, op, request) in operations() {
            let (status, json) = call(op, &client, request, Some(opts));
            assert_invalid(status, &json, needle);
        }
    }
    // null values and {} are fine
    let (status, json) = call(
        soku_posts_create,
        &client,
        Some(TEXT_POST),
        Some(r#"{"timeoutMs": null}"#),
    );
    assert_eq!(status, SOKU_ERR_TRANSPORT, "{json}");
}

#[test]
fn requests_with_wrong_json_types() {
    let client = offline_client();
    let cases: &[(Op, &str)] = &[
        (soku_posts_create, r#"{"post": 5}"#),
        (
            soku_posts_create,
            r#"{"post": {"content": {"text": "hi", "platform": 5}}}"#,
        ),
        (
            soku_posts_create,
            r#"{"post": {"content": {"text": 5, "platform": ["x"]}}}"#,
        ),
        (
            soku_posts_create,
            r#"{"post": {"content": {"text": "hi", "platform": ["x"], "mediaType": "gif"}}}"#,
        ),
        (
            soku_posts_create,
            r#"{"post": {"content": {"text": "hi", "platform": ["x"]}}, "enableRepurposing": "no"}"#,
        ),
        (
            soku_posts_create,
            r#"{"post": {"content": {"text": "hi", "platform": ["x"]}}, "trial_reel": 1}"#,
        ),
        (soku_media_upload, r#"{"url": 5}"#),
        (soku_media_upload, r#"{}"#),
        (soku_templates_render, r#"{"templateSlug": []}"#),
        (
            soku_templates_render,
            r#"{"templateSlug": "tweetImage", "aspectRatio": "2:1"}"#,
        ),
        (soku_ai_transcribe, r#"{"mediaId": 1}"#),
        (
            soku_ai_transcribe,
            r#"{"mediaId": "m", "durationSeconds": "long"}"#,
        ),
        (soku_api_keys_create, r#"{"name": 5}"#),
        (soku_api_keys_list, r#"{"page": 1}"#),
        (soku_api_keys_revoke, r#"{"id": 5}"#),
        (soku_api_keys_revoke, r#"{"id": ""}"#),
        (soku_api_keys_revoke, r#"{"id": "."}"#),
        (soku_api_keys_revoke, r#"{"id": ".."}"#),
        (soku_api_keys_revoke, r#"{"id": " "}"#),
        (soku_api_keys_rotate, r#"{"oldKeyId": ".."}"#),
        (soku_api_keys_rotate, r#"{"oldKeyId": "."}"#),
        (soku_api_keys_rotate, r#"{"oldKeyId": ""}"#),
        (soku_api_keys_revoke, r#"{}"#),
        (soku_api_keys_revoke, r#"{"id": "k", "force": true}"#),
        (soku_api_keys_rotate, r#"{"oldKeyId": 5}"#),
        (
            soku_api_keys_rotate,
            r#"{"oldKeyId": "k", "verify": "maybe"}"#,
        ),
        (
            soku_api_keys_rotate,
            r#"{"oldKeyId": "k", "colour": "red"}"#,
        ),
        (soku_api_keys_rotate, r#"{"name": "no old key"}"#),
        (soku_posts_publish_batch, r#"{"posts": {}}"#),
        (soku_posts_publish_batch, r#"{"posts": [5]}"#),
        (soku_posts_publish_batch, r#"{"post": []}"#),
        (
            soku_posts_publish_with_media,
            r#"{"sourceUrls": "https://example.com/a.png", "post": {"content": {"platform": ["x"]}}}"#,
        ),
        (
            soku_posts_publish_with_media,
            r#"{"sourceUrls": ["https://example.com/a.png"]}"#,
        ),
        (
            soku_posts_publish_with_media,
            r#"{"sourceUrls": [], "post": {"content": {"text": "t", "platform": ["x"]}}}"#,
        ),
        (
            soku_posts_publish_with_media,
            r#"{"sourceUrls": ["https://example.com/a.png"], "post": {"text": "t"}}"#,
        ),
        (
            soku_posts_publish_with_media,
            r#"{"sourceUrls": ["https://example.com/a.png"], "post": {"content": 5}}"#,
        ),
        (
            soku_posts_publish_with_template,
            r#"{"template": "tweetImage", "post": {"content": {"platform": ["x"]}}}"#,
        ),
        (
            soku_posts_publish_with_template,
            r#"{"template": {"templateSlug": "tweetImage"}, "post": {"content": {"platform": "x"}}}"#,
        ),
        (
            soku_posts_publish_with_template,
            r#"{"template": {"templateSlug": "tweetImage"}, "post": {"platform": "x"}}"#,
        ),
    ];
    for (op, request) in cases {
        let (status, json) = call(*op, &client, Some(request), None);
        assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT, "{request}: {json}");
        assert!(json["meta"].is_null(), "nothing was sent: {json}");
    }
}

#[test]
fn forced_panic_in_every_export_becomes_soku_err_panic() {
    let client = offline_client();
    for (name, op, request) in operations() {
        __force_panic_in_next_call();
        let (status, json) = call(op, &client, request, None);
        assert_eq!(status, SOKU_ERR_PANIC, "{name}: {json}");
        assert_eq!(json["error"]["kind"], "panic");
        assert!(
            json["error"]["message"]
                .as_str()
                .unwrap()
                .contains("forced panic"),
            "{json}"
        );
        // the hook fires once: the next call is ordinary again
        let (status, json) = call(op, &client, request, None);
        assert_reached_network(name, status, &json);
    }

    // soku_client_new: panic status, JSON written, *out_client set to NULL
    __force_panic_in_next_call();
    let mut handle = ptr::NonNull::<SokuClient>::dangling().as_ptr();
    let mut out = ptr::null_mut();
    let status = unsafe { soku_client_new(c"{}".as_ptr(), &mut handle, &mut out) };
    let json = take(out);
    assert_shape(status, &json);
    assert_eq!(status, SOKU_ERR_PANIC, "{json}");
    assert!(handle.is_null());

    // functions without out_json fall back to a safe answer
    __force_panic_in_next_call();
    let version = unsafe { CStr::from_ptr(soku_version()) };
    assert_eq!(version.to_str().unwrap(), soku::VERSION);
    __force_panic_in_next_call();
    let name = unsafe { CStr::from_ptr(soku_status_str(SOKU_OK)) };
    assert_eq!(name.to_str().unwrap(), "unknown");
    __force_panic_in_next_call();
    unsafe { soku_string_free(ptr::null_mut::<c_char>()) };
    __force_panic_in_next_call();
    unsafe { soku_client_free(ptr::null_mut()) };
    // and the flag is consumed
    let name = unsafe { CStr::from_ptr(soku_status_str(SOKU_OK)) };
    assert_eq!(name.to_str().unwrap(), "ok");
}

#[test]
fn client_side_validation_is_invalid_argument_and_sends_nothing() {
    // no platform: the Rust API rejects it before any I/O (the offline client would say transport)
    let client = offline_client();
    let (status, json) = call(
        soku_posts_create,
        &client,
        Some(r#"{"post": {"content": {"text": "hi", "platform": []}}}"#),
        None,
    );
    assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT, "{json}");
}

#[test]
fn deeply_nested_or_huge_input_is_rejected_without_crashing() {
    let client = offline_client();
    let deep = format!(
        "{{\"post\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    for (_, op, _) in operations() {
        let (status, json) = call(op, &client, Some(&deep), Some(&deep));
        assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT, "{json}");
    }
    let (status, _, json) = try_client(Some(deep.as_bytes()));
    assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT, "{json}");
    // a 4 MiB string is just data: parsed and sent (here to the closed port)
    let huge = format!(
        r#"{{"url": "https://example.com/{}"}}"#,
        "a".repeat(4 << 20)
    );
    let (status, json) = call(soku_media_upload, &client, Some(&huge), None);
    assert_eq!(status, SOKU_ERR_TRANSPORT, "{json}");
    assert!(
        json["error"]["message"].as_str().unwrap().len() < 4096,
        "messages stay bounded"
    );
}

#[test]
fn out_of_range_durations_are_refused_not_panicked_on() {
    for config in [
        r#"{"apiKey": "sk_live_x", "timeoutMs": 0}"#,
        r#"{"apiKey": "sk_live_x", "timeoutMs": 100000000000}"#,
        r#"{"apiKey": "sk_live_x", "connectTimeoutMs": 18446744073709551615}"#,
    ] {
        let (status, handle, json) = try_client(Some(config.as_bytes()));
        assert!(handle.is_none());
        assert_eq!(status, SOKU_ERR_CONFIG, "{config}: {json}");
    }
    let (status, json) = call(
        soku_posts_create,
        &offline_client(),
        Some(TEXT_POST),
        Some(r#"{"timeoutMs": 18446744073709551615}"#),
    );
    assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT, "{json}");
}
