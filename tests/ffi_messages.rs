//! Errors that say what to fix, through the C ABI: request-parse errors name the JSON path and
//! the documented field names (no serde backticks, no Rust type names, never the value sent),
//! likely misspellings of documented keys are refused with a suggestion, and unknown config or
//! option keys suggest the closest known key.

mod ffi_common;

use ffi_common::*;
use soku::ffi::*;

const SECRET: &str = "sk_live_SECRETVALUE";

fn offline_client() -> Handle {
    client(r#"{"apiKey": "sk_live_test", "baseUrl": "http://127.0.0.1:1", "maxRetries": 0}"#)
}

fn message_of(op: Op, client: &Handle, request: &str, options: Option<&str>) -> String {
    let (status, json) = call(op, client, Some(request), options);
    assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT, "{request}: {json}");
    assert!(json["meta"].is_null(), "nothing was sent: {json}");
    let message = json["error"]["message"].as_str().unwrap().to_owned();
    for bad in [
        "`",
        SECRET,
        "struct ",
        "enum ",
        "PlatformTarget",
        "PostBody",
    ] {
        assert!(!message.contains(bad), "{bad:?} in {message:?}");
    }
    message
}

#[test]
fn request_parse_errors_name_the_path_and_never_quote_values() {
    let c = offline_client();
    let post = |content: &str| format!(r#"{{"post": {{"content": {content}}}}}"#);
    let cases: Vec<(Op, String, &str)> = vec![
        (
            soku_posts_create,
            post(r#"{"text": "hi"}"#),
            r#"invalid request at post.content: missing field "platform""#,
        ),
        (
            soku_posts_create,
            post(r#"{"text": "hi", "platform": 5}"#),
            "invalid request at post.content.platform: must be an array, not a number",
        ),
        (
            soku_posts_create,
            post(&format!(
                r#"{{"text": "hi", "platform": ["x"], "mediaType": "{SECRET}"}}"#
            )),
            r#"invalid request at post.content.mediaType: must be one of "text", "image", "video""#,
        ),
        (
            soku_posts_create,
            post(&format!(
                r#"{{"text": "{SECRET}", "platform": "{SECRET}"}}"#
            )),
            "invalid request at post.content.platform: must be an array, not a string",
        ),
        (
            soku_posts_create,
            format!(
                r#"{{"post": {{"content": {{"platform": ["x"]}}}}, "enableRepurposing": "{SECRET}"}}"#
            ),
            "invalid request at enableRepurposing: must be a boolean, not a string",
        ),
        (
            soku_posts_create,
            r#"{"post": 5}"#.to_owned(),
            "invalid request at post: must be an object, not a number",
        ),
        (
            soku_posts_create,
            r#"{}"#.to_owned(),
            r#"invalid request: missing field "post""#,
        ),
        (
            soku_posts_create,
            post(r#"{"platform": [5]}"#),
            "invalid request at post.content.platform[0]: has the wrong type (see the documented request format)",
        ),
        (
            soku_api_keys_rotate,
            format!(r#"{{"oldKeyId": "k", "verify": "{SECRET}"}}"#),
            r#"invalid request at verify: must be one of "probe", "post", "none""#,
        ),
        (
            soku_api_keys_rotate,
            r#"{"oldKeyid": "k"}"#.to_owned(),
            r#"invalid request: unknown field "oldKeyid" (did you mean "oldKeyId"?)"#,
        ),
        (
            soku_posts_publish_batch,
            format!(
                r#"{{"posts": [{}, {{"post": {{"content": {{"platform": [{{"platform": "{SECRET}", "accountId": 5}}]}}}}}}]}}"#,
                post(r#"{"platform": ["x"]}"#)
            ),
            "invalid request at posts[1].post.content.platform[0]: has the wrong type (see the documented request format)",
        ),
    ];
    for (op, request, expected) in cases {
        assert_eq!(message_of(op, &c, &request, None), expected, "{request}");
    }
}

#[test]
fn likely_misspellings_of_documented_fields_are_refused_with_a_suggestion() {
    let c = offline_client();
    let cases: Vec<(Op, &str, &str)> = vec![
        (
            soku_posts_create,
            r#"{"post": {"content": {"text": "hi", "platfrom": ["x"]}}}"#,
            r#"invalid request at post.content: unknown field "platfrom" (did you mean "platform"?)"#,
        ),
        (
            soku_posts_create,
            r#"{"post": {"content": {"platform": ["x"]}}, "scheduledtime": "2030-01-01T00:00:00Z"}"#,
            r#"invalid request: unknown field "scheduledtime" (did you mean "scheduledTime"?)"#,
        ),
        (
            soku_posts_create,
            r#"{"post": {"contnet": {"platform": ["x"]}}}"#,
            r#"invalid request at post: unknown field "contnet" (did you mean "content"?)"#,
        ),
        (
            soku_posts_publish_batch,
            r#"{"posts": [{"post": {"content": {"platform": ["x"]}}}, {"post": {"content": {"platform": ["x"], "videoURL": "https://e.com/v.mp4"}}}]}"#,
            r#"invalid request at posts[1].post.content: unknown field "videoURL" (did you mean "videoUrl"?)"#,
        ),
        (
            soku_posts_publish_with_media,
            r#"{"sourceUrl": ["https://e.com/a.png"], "post": {"platform": ["x"]}}"#,
            r#"invalid request: unknown field "sourceUrl" (did you mean "sourceUrls"?)"#,
        ),
        (
            soku_posts_publish_with_template,
            r#"{"template": {"templateSlug": "t"}, "post": {"platfrom": ["x"]}}"#,
            r#"invalid request at post: unknown field "platfrom" (did you mean "platform"?)"#,
        ),
    ];
    for (op, request, expected) in cases {
        assert_eq!(message_of(op, &c, request, None), expected, "{request}");
    }
    // A key that resembles no documented one is still sent unchanged (forward compatibility):
    // the call gets past its arguments and meets the closed port.
    let (status, json) = call(
        soku_posts_create,
        &c,
        Some(
            r#"{"post": {"content": {"text": "hi", "platform": ["x"], "futureField": 1}}, "anotherNewOne": 2}"#,
        ),
        None,
    );
    assert_eq!(status, SOKU_ERR_TRANSPORT, "{json}");
}

#[test]
fn unknown_config_and_option_keys_suggest_the_closest_key() {
    let (status, _, json) = try_client(Some(br#"{"apikey": "sk_live_x"}"#));
    assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT);
    assert_eq!(
        json["error"]["message"],
        r#"unknown config key: apikey (did you mean "apiKey"?)"#
    );
    let (_, _, json) = try_client(Some(br#"{"colour": "blue"}"#));
    assert_eq!(json["error"]["message"], "unknown config key: colour");
    let c = offline_client();
    let (status, json) = call(
        soku_posts_create,
        &c,
        Some(r#"{"post": {"content": {"platform": ["x"]}}}"#),
        Some(r#"{"idempotencykey": "k"}"#),
    );
    assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT);
    assert_eq!(
        json["error"]["message"],
        r#"unknown options key: idempotencykey (did you mean "idempotencyKey"?)"#
    );
}

/// `error.param` names what to fix as data: the JSON path of the request field, the config or
/// option key, or the C parameter. Errors with no single culprit, and every error that is not
/// about the caller's input, carry `null`.
#[test]
fn errors_name_the_field_or_key_at_fault_as_param() {
    let c = offline_client();
    let text_post = r#"{"post": {"content": {"text": "hi", "platform": ["x"]}}}"#;
    let cases: Vec<(Op, &str, Option<&str>, &str)> = vec![
        (
            soku_posts_create,
            r#"{"post": {"content": {"text": "hi"}}}"#,
            None,
            "post.content.platform",
        ),
        (
            soku_posts_create,
            r#"{"post": {"content": {"text": "hi", "platform": 5}}}"#,
            None,
            "post.content.platform",
        ),
        (
            soku_posts_create,
            r#"{"post": {"content": {"text": "hi", "platfrom": ["x"]}}}"#,
            None,
            "post.content.platfrom",
        ),
        (
            soku_posts_create,
            r#"{"post": {"content": {"text": " ", "platform": ["x"]}}}"#,
            None,
            "post.content.text",
        ),
        (soku_posts_create, "[1]", None, "request_json"),
        (
            soku_posts_create,
            text_post,
            Some(r#"{"idempotencyKey": " k"}"#),
            "idempotencyKey",
        ),
        (
            soku_posts_create,
            text_post,
            Some(r#"{"timeoutMs": "1"}"#),
            "timeoutMs",
        ),
        (
            soku_api_keys_rotate,
            r#"{"oldKeyid": "k"}"#,
            None,
            "oldKeyid",
        ),
        (soku_api_keys_revoke, r#"{"id": ".."}"#, None, "id"),
    ];
    for (op, request, options, param) in cases {
        let (status, json) = call(op, &c, Some(request), options);
        assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT, "{request}: {json}");
        assert_eq!(
            json["error"]["param"], param,
            "{request} {options:?}: {json}"
        );
    }
    let (status, json) = call(soku_posts_create, &c, None, None);
    assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT);
    assert_eq!(json["error"]["param"], "request_json", "{json}");
    // An error that is not about the caller's input has none.
    let (status, json) = call(soku_posts_create, &c, Some(text_post), None);
    assert_eq!(status, SOKU_ERR_TRANSPORT, "{json}");
    assert!(json["error"]["param"].is_null(), "{json}");

    for (config, status, param) in [
        (
            r#"{"apikey": "sk_live_x"}"#,
            SOKU_ERR_INVALID_ARGUMENT,
            "apikey",
        ),
        (
            r#"{"timeoutMs": true}"#,
            SOKU_ERR_INVALID_ARGUMENT,
            "timeoutMs",
        ),
        (
            r#"{"baseUrl": "ftp://example.com"}"#,
            SOKU_ERR_CONFIG,
            "baseUrl",
        ),
        (r#"{"maxRetries": 99}"#, SOKU_ERR_CONFIG, "maxRetries"),
        (
            r#"{"connectTimeoutMs": 0}"#,
            SOKU_ERR_CONFIG,
            "connectTimeoutMs",
        ),
        (r#"{"caPem": "not a pem"}"#, SOKU_ERR_CONFIG, "caPem"),
    ] {
        let (got, _, json) = try_client(Some(config.as_bytes()));
        assert_eq!(got, status, "{config}: {json}");
        assert_eq!(json["error"]["param"], param, "{config}: {json}");
    }
}
