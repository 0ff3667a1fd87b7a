//! Every operation through the C ABI against the sandbox: success paths, pass-through of unknown
//! fields, API errors with status/code/requestId, retries (429, 5xx) that publish once, and the
//! transport, timeout and decode kinds.

mod ffi_common;

use std::ptr;
use std::time::Duration;

use ffi_common::*;
use serde_json::json;
use soku::ffi::*;
use soku_sandbox::{Fault, Sandbox};

fn sandbox() -> Sandbox {
    Sandbox::builder()
        .rate_limits(false)
        .start()
        .expect("sandbox starts")
}

fn handle(sb: &Sandbox) -> Handle {
    client(&fast_config(sb.url(), sb.api_key(), sb.firebase_token()))
}

fn header<'a>(req: &'a soku_sandbox::RecordedRequest, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Options of a call that must see the injected fault itself, not a retry.
const NO_RETRY: Option<&str> = Some(r#"{"maxRetries": 0}"#);

#[test]
fn posts_create_sends_the_body_unchanged_and_returns_data_and_meta() {
    let sb = sandbox();
    let c = handle(&sb);
    let request = json!({
        "post": {"content": {"text": "hello", "platform": ["x", {"platform": "instagram", "accountId": "ig_main"}],
                             "mediaType": "image", "imageUrls": ["https://example.com/a.png"], "futureField": {"a": 1}}},
        "enableRepurposing": true,
        "trial_reel": false,
        "topLevelExtra": "kept"
    });
    let (status, json) = call(
        soku_posts_create,
        &c,
        Some(&request.to_string()),
        Some(r#"{"idempotencyKey": "ffi-key-1"}"#),
    );
    assert_eq!(status, SOKU_OK, "{json}");
    assert!(
        json["data"]["postSubmissionId"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    let meta = &json["meta"];
    assert_eq!(meta["attempts"], 1);
    assert_eq!(meta["idempotencyKey"], "ffi-key-1");
    assert!(
        meta["requestId"]
            .as_str()
            .is_some_and(|s| s.starts_with("req_"))
    );
    assert_eq!(meta["rateLimit"]["tier"], "sandbox");
    assert!((200..300).contains(&meta["status"].as_u64().unwrap()));

    assert_eq!(
        sb.submissions(),
        vec![request],
        "the body reaches the server unchanged"
    );
    let requests = sb.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(header(&requests[0], "idempotency-key"), Some("ffi-key-1"));
    assert_eq!(header(&requests[0], "soku-api-key"), Some(sb.api_key()));
    assert_eq!(
        header(&requests[0], "user-agent"),
        Some(format!("soku-rust/{v} soku-c/{v}", v = soku::VERSION).as_str())
    );
}

#[test]
fn media_templates_and_transcribe_succeed() {
    let sb = sandbox();
    let c = handle(&sb);
    let (status, json) = call(
        soku_media_upload,
        &c,
        Some(r#"{"url": "https://example.com/v.mp4"}"#),
        None,
    );
    assert_eq!(status, SOKU_OK, "{json}");
    assert!(
        json["data"]["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("http")),
        "{json}"
    );
    assert!(json["meta"]["idempotencyKey"].is_string());

    let (status, json) = call(
        soku_templates_render,
        &c,
        Some(r#"{"templateSlug": "tweetImage", "config": {"title": "t"}, "aspectRatio": "9:16"}"#),
        None,
    );
    assert_eq!(status, SOKU_OK, "{json}");
    assert!(json["data"]["url"].is_string(), "{json}");
    assert!(
        json["meta"]["idempotencyKey"].is_null(),
        "templates carry no key: {json}"
    );

    // The Open Graph alias: the same request at its own path.
    let before = sb.requests().len();
    let (status, json) = call(
        soku_templates_render_og,
        &c,
        Some(r#"{"templateSlug": "blogPost", "config": {"title": "t"}}"#),
        None,
    );
    assert_eq!(status, SOKU_OK, "{json}");
    assert!(json["data"]["url"].is_string(), "{json}");
    let sent = &sb.requests()[before..];
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].method.as_str(), sent[0].path.as_str()),
        ("POST", "/v1/media/render-og")
    );
    assert_eq!(
        sent[0].json(),
        Some(serde_json::json!({"templateSlug": "blogPost", "config": {"title": "t"}}))
    );

    let (status, json) = call(
        soku_ai_transcribe,
        &c,
        Some(r#"{"mediaId": "m_1", "durationSeconds": 61}"#),
        None,
    );
    assert_eq!(status, SOKU_OK, "{json}");
    assert!(json["data"]["jobId"].is_string(), "{json}");
    assert_eq!(json["data"]["creditsDebited"], 2, "{json}");

    let paths: Vec<String> = sb
        .requests()
        .into_iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        paths,
        [
            "POST /v1/media",
            "POST /v1/templates",
            "POST /v1/media/render-og",
            "POST /v1/ai/transcribe"
        ]
    );
}

#[test]
fn api_keys_create_list_revoke() {
    let sb = sandbox();
    let c = handle(&sb);
    let (status, json) = call(soku_api_keys_create, &c, Some(r#"{"name": "ffi"}"#), None);
    assert_eq!(status, SOKU_OK, "{json}");
    assert!(
        json["data"]["apiKey"]
            .as_str()
            .unwrap()
            .starts_with("sk_live_")
    );
    let id = json["data"]["id"].as_str().unwrap().to_owned();

    let (status, json) = call(
        soku_api_keys_revoke,
        &c,
        Some(&json!({"id": id}).to_string()),
        None,
    );
    assert_eq!(status, SOKU_OK, "{json}");
    assert!(json["data"].is_null());
    assert_eq!(json["meta"]["status"], 204);

    let (status, json) = call(soku_api_keys_list, &c, Some("{}"), None);
    assert_eq!(status, SOKU_OK, "{json}");
    let keys = json["data"]["apiKeys"].as_array().unwrap();
    let revoked = keys
        .iter()
        .find(|k| k["id"] == id.as_str())
        .expect("listed");
    assert_eq!(revoked["status"], "revoked");
    assert!(keys.iter().any(|k| k["id"] == sb.default_key_id()));

    for r in sb.requests() {
        assert_eq!(
            header(&r, "authorization"),
            Some(format!("Bearer {}", sb.firebase_token()).as_str())
        );
        assert_eq!(header(&r, "soku-api-key"), None, "schemes never mix");
    }
}

#[test]
fn api_error_carries_status_code_request_id_and_details() {
    let sb = sandbox();
    let c = handle(&sb);
    let (status, json) = call(
        soku_posts_create,
        &c,
        Some(
            r#"{"post": {"content": {"text": "hi", "platform": ["instagram"], "mediaType": "image", "imageUrls": ["https://example.com/a.png"]}}}"#,
        ),
        None,
    );
    assert_eq!(status, SOKU_ERR_API, "{json}");
    let err = &json["error"];
    assert_eq!(err["kind"], "api");
    assert_eq!(err["status"], 400);
    assert_eq!(err["code"], "missing_account");
    assert!(
        err["requestId"]
            .as_str()
            .is_some_and(|r| r.starts_with("req_"))
    );
    assert_eq!(json["meta"]["requestId"], err["requestId"]);
    assert_eq!(json["meta"]["status"], 400);
    assert!(err["retryAfter"].is_null());

    let inactive = client(&fast_config(
        sb.url(),
        sb.inactive_api_key(),
        sb.firebase_token(),
    ));
    let (status, json) = call(soku_posts_create, &inactive, Some(TEXT_POST), None);
    assert_eq!(status, SOKU_ERR_API, "{json}");
    assert_eq!(json["error"]["status"], 403);
    assert_eq!(json["error"]["code"], "forbidden");
    assert!(
        !json.to_string().contains(sb.inactive_api_key()),
        "no secret in errors"
    );
}

#[test]
fn a_429_is_retried_once_with_the_same_key_and_publishes_once() {
    let sb = sandbox();
    let c = handle(&sb);
    sb.inject("/v1/posts", Fault::rate_limited(1));
    let (status, json) = call(soku_posts_create, &c, Some(TEXT_POST), None);
    assert_eq!(status, SOKU_OK, "{json}");
    assert_eq!(json["meta"]["attempts"], 2);
    let requests = sb.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        header(&requests[0], "idempotency-key"),
        header(&requests[1], "idempotency-key")
    );
    assert_eq!(sb.submissions().len(), 1);
}

#[test]
fn a_5xx_after_processing_is_retried_without_a_second_post() {
    let sb = sandbox();
    let c = handle(&sb);
    sb.inject(
        "/v1/posts",
        Fault::status(503, "internal_error").after_processing(),
    );
    let (status, json) = call(soku_posts_create, &c, Some(TEXT_POST), None);
    assert_eq!(status, SOKU_OK, "{json}");
    assert_eq!(json["meta"]["attempts"], 2);
    assert_eq!(
        sb.submissions().len(),
        1,
        "the retry replays, it does not publish again"
    );
}

#[test]
fn exhausted_429_reports_retry_after_in_seconds() {
    let sb = sandbox();
    let c = handle(&sb);
    sb.inject("/v1/posts", Fault::rate_limited(7));
    let (status, json) = call(soku_posts_create, &c, Some(TEXT_POST), NO_RETRY);
    assert_eq!(status, SOKU_ERR_API, "{json}");
    assert_eq!(json["error"]["status"], 429);
    assert_eq!(json["error"]["code"], "rate_limit_exceeded");
    assert_eq!(json["error"]["retryAfter"], 7);
    assert_eq!(json["meta"]["attempts"], 1);
}

#[test]
fn transport_timeout_and_decode_kinds() {
    let sb = sandbox();
    let c = handle(&sb);

    sb.inject("/v1/templates", Fault::drop_connection());
    let (status, json) = call(
        soku_templates_render,
        &c,
        Some(r#"{"templateSlug": "tweetImage"}"#),
        NO_RETRY,
    );
    assert_eq!(status, SOKU_ERR_TRANSPORT, "{json}");

    sb.inject("/v1/media", Fault::delay(Duration::from_millis(1500)));
    let (status, json) = call(
        soku_media_upload,
        &c,
        Some(r#"{"url": "https://example.com/a.png"}"#),
        Some(r#"{"maxRetries": 0, "timeoutMs": 200}"#),
    );
    assert_eq!(status, SOKU_ERR_TIMEOUT, "{json}");

    sb.inject("/v1/posts", Fault::raw_body(200, "<html>hello</html>"));
    let (status, json) = call(soku_posts_create, &c, Some(TEXT_POST), NO_RETRY);
    assert_eq!(status, SOKU_ERR_DECODE, "{json}");
    assert_eq!(json["meta"]["status"], 200);

    sb.inject(
        "/v1/posts",
        Fault::raw_body(502, "<html>bad gateway</html>"),
    );
    let (status, json) = call(soku_posts_create, &c, Some(TEXT_POST), NO_RETRY);
    assert_eq!(status, SOKU_ERR_API, "{json}");
    assert_eq!(json["error"]["status"], 502);
}

#[test]
fn a_null_out_json_sends_nothing() {
    let sb = sandbox();
    let c = handle(&sb);
    let request = c"{\"post\": {\"content\": {\"text\": \"x\", \"platform\": [\"x\"]}}}";
    let status =
        unsafe { soku_posts_create(c.ptr(), request.as_ptr(), ptr::null(), ptr::null_mut()) };
    assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT);
    let (status, _) = call_raw(soku_posts_create, c.ptr(), Some(b"{\"post\": 1}"), None);
    assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT);
    assert!(
        sb.requests().is_empty(),
        "invalid input never reaches the server"
    );
}

#[test]
fn publish_batch_reports_every_post_and_returns_ok() {
    let sb = sandbox();
    let c = handle(&sb);
    let request = json!({"posts": [
        {"post": {"content": {"text": "one", "platform": ["x"]}}},
        {"post": {"content": {"text": "two", "platform": ["instagram"], "mediaType": "image",
                              "imageUrls": ["https://example.com/a.png"]}}},
        {"post": {"content": {"text": "three", "platform": ["threads"]}}},
    ]});
    let (status, json) = call(
        soku_posts_publish_batch,
        &c,
        Some(&request.to_string()),
        Some(r#"{"idempotencyKey": "batch-1"}"#),
    );
    assert_eq!(status, SOKU_OK, "{json}");
    let data = &json["data"];
    assert_eq!(
        data["summary"],
        json!({"total": 3, "succeeded": 2, "failed": 1})
    );
    let results = data["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r["index"], i);
    }
    assert_eq!(results[0]["ok"], true);
    assert!(results[0]["postSubmissionId"].is_string());
    assert_eq!(results[0]["meta"]["idempotencyKey"], "batch-1-0");
    assert_eq!(results[1]["ok"], false);
    assert_eq!(results[1]["error"]["kind"], "api");
    assert_eq!(results[1]["error"]["code"], "missing_account");
    assert_eq!(results[1]["error"]["status"], 400);
    assert!(results[1]["error"]["requestId"].is_string());
    assert_eq!(results[2]["ok"], true);
    assert_eq!(sb.submissions().len(), 2);
}

#[test]
fn publish_with_media_imports_then_publishes() {
    let sb = sandbox();
    let c = handle(&sb);
    let request = json!({
        "sourceUrls": ["https://example.com/a.png", "https://example.com/b.png"],
        "post": {"content": {"text": "two images", "platform": ["x", "linkedin"]}},
    });
    let (status, json) = call(
        soku_posts_publish_with_media,
        &c,
        Some(&request.to_string()),
        None,
    );
    assert_eq!(status, SOKU_OK, "{json}");
    let media: Vec<&str> = json["data"]["media"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["url"].as_str().unwrap())
        .collect();
    assert_eq!(media.len(), 2);
    assert!(
        json["data"]["post"]["postSubmissionId"].is_string(),
        "{json}"
    );
    let submitted = &sb.submissions()[0]["post"]["content"];
    assert_eq!(submitted["imageUrls"], json!(media));
    assert_eq!(submitted["mediaType"], "image");

    // a source the sandbox cannot fetch: the API's upload_failed, nothing published
    let bad = json!({"sourceUrls": ["https://media.invalid/x.mp4"],
                     "post": {"content": {"text": "v", "mediaType": "video", "platform": ["youtube"]}}});
    let (status, json) = call(
        soku_posts_publish_with_media,
        &c,
        Some(&bad.to_string()),
        None,
    );
    assert_eq!(status, SOKU_ERR_API, "{json}");
    assert_eq!(json["error"]["code"], "upload_failed");
    assert_eq!(sb.submissions().len(), 1);
}

#[test]
fn publish_with_template_renders_then_publishes() {
    let sb = sandbox();
    let c = handle(&sb);
    let (status, json) = call(
        soku_posts_publish_with_template,
        &c,
        Some(WITH_TEMPLATE),
        None,
    );
    assert_eq!(status, SOKU_OK, "{json}");
    let url = json["data"]["template"]["url"].as_str().unwrap();
    assert!(
        json["data"]["post"]["postSubmissionId"].is_string(),
        "{json}"
    );
    assert_eq!(
        sb.submissions()[0]["post"]["content"]["imageUrls"],
        json!([url])
    );

    let unknown = r#"{"template": {"templateSlug": "noSuchTemplate"},
        "post": {"content": {"text": "t", "platform": ["x"]}}}"#;
    let (status, json) = call(soku_posts_publish_with_template, &c, Some(unknown), None);
    assert_eq!(status, SOKU_ERR_API, "{json}");
    assert_eq!(json["error"]["status"], 404);
}

#[test]
fn workflows_still_accept_the_deprecated_post_shape() {
    // Deprecated: "post" = the content object itself. It must send exactly what the documented
    // shape "post": {"content": ...} sends.
    let sb = sandbox();
    let c = handle(&sb);
    let content = json!({"text": "same post", "platform": ["x", "linkedin"]});
    let shapes = [json!({"content": content}), content.clone()];
    for (op, request) in [
        (
            soku_posts_publish_with_media as Op,
            json!({"sourceUrls": ["https://example.com/a.png"]}),
        ),
        (
            soku_posts_publish_with_template as Op,
            json!({"template": {"templateSlug": "tweetImage"}}),
        ),
    ] {
        let before = sb.submissions().len();
        for post in &shapes {
            let mut request = request.clone();
            request["post"] = post.clone();
            let (status, json) = call(op, &c, Some(&request.to_string()), None);
            assert_eq!(status, SOKU_OK, "{request}: {json}");
        }
        let subs = sb.submissions();
        assert_eq!(subs.len(), before + 2);
        let (new, old) = (&subs[before]["post"], &subs[before + 1]["post"]);
        assert_eq!(new["content"]["text"], "same post");
        assert_eq!(new["content"]["platform"], json!(["x", "linkedin"]));
        assert_eq!(old["content"]["text"], new["content"]["text"]);
        assert_eq!(old["content"]["platform"], new["content"]["platform"]);
        assert_eq!(old["content"]["mediaType"], new["content"]["mediaType"]);
        assert!(
            old.get("text").is_none() && old.get("platform").is_none(),
            "{old}"
        );
    }
}

#[test]
fn rotate_revokes_the_old_key_only_after_verification() {
    let sb = sandbox();
    let c = handle(&sb);
    let list = |c: &Handle| {
        let (status, json) = call(soku_api_keys_list, c, None, None);
        assert_eq!(status, SOKU_OK, "{json}");
        json["data"]["apiKeys"].as_array().unwrap().clone()
    };
    let status_of = |keys: &[serde_json::Value], id: &str| {
        keys.iter()
            .find(|k| k["id"] == id)
            .map(|k| k["status"].clone())
    };

    // verification fails: the probe answers 401, the old key stays active
    sb.inject("/v1/posts", Fault::status(401, "unauthorized"));
    let request = json!({"oldKeyId": sb.default_key_id(), "name": "rotated"}).to_string();
    let (status, json) = call(soku_api_keys_rotate, &c, Some(&request), None);
    assert_eq!(status, SOKU_ERR_API, "{json}");
    assert_eq!(json["error"]["code"], "unauthorized");
    assert_eq!(
        status_of(&list(&c), sb.default_key_id()),
        Some(json!("active"))
    );

    // verification succeeds: the old key is revoked
    let (status, json) = call(soku_api_keys_rotate, &c, Some(&request), None);
    assert_eq!(status, SOKU_OK, "{json}");
    let data = &json["data"];
    assert!(data["apiKey"].as_str().unwrap().starts_with("sk_live_"));
    assert_eq!(data["verified"], "probe");
    assert_eq!(data["revokedKeyId"], sb.default_key_id());
    assert_eq!(
        status_of(&list(&c), sb.default_key_id()),
        Some(json!("revoked"))
    );

    // the new key publishes
    let new_key = data["apiKey"].as_str().unwrap();
    let rotated = client(&fast_config(sb.url(), new_key, sb.firebase_token()));
    let (status, json) = call(soku_posts_create, &rotated, Some(TEXT_POST), None);
    assert_eq!(status, SOKU_OK, "{json}");

    // the old key, now revoked, and an unknown id: refused before anything is created
    let keys_before = list(&c);
    for old in [sb.default_key_id(), "key_typo"] {
        let request = json!({"oldKeyId": old}).to_string();
        let (status, json) = call(soku_api_keys_rotate, &c, Some(&request), None);
        assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT, "{json}");
        assert_eq!(json["error"]["kind"], "invalid_argument");
        assert_eq!(json["error"]["param"], "oldKeyId");
        assert!(
            json["error"]["message"]
                .as_str()
                .unwrap()
                .contains("nothing was created"),
            "{json}"
        );
        assert_eq!(list(&c), keys_before, "no key created");
    }
}

#[test]
fn a_configured_user_agent_is_sent_verbatim() {
    let sb = sandbox();
    let config = json!({"baseUrl": sb.url(), "apiKey": sb.api_key(), "userAgent": "my-app/2.0"});
    let c = client(&config.to_string());
    let (status, json) = call(soku_posts_create, &c, Some(TEXT_POST), None);
    assert_eq!(status, SOKU_OK, "{json}");
    assert_eq!(header(&sb.requests()[0], "user-agent"), Some("my-app/2.0"));
}

#[test]
fn validate_scheduled_time_decides_who_rejects_a_past_time() {
    let sb = sandbox();
    let past = r#"{"post": {"content": {"text": "late", "platform": ["x"]}}, "scheduledTime": "2000-01-01T00:00:00Z"}"#;

    // default: the client rejects it, nothing is sent
    let (status, json) = call(soku_posts_create, &handle(&sb), Some(past), None);
    assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT, "{json}");
    assert!(sb.requests().is_empty());

    // validateScheduledTime false: the server rejects it, its details come through
    let config =
        json!({"baseUrl": sb.url(), "apiKey": sb.api_key(), "validateScheduledTime": false});
    let (status, json) = call(
        soku_posts_create,
        &client(&config.to_string()),
        Some(past),
        None,
    );
    assert_eq!(status, SOKU_ERR_API, "{json}");
    assert_eq!(json["error"]["code"], "validation_error");
    assert_eq!(
        json["error"]["details"],
        json!({"field": "scheduledTime", "reason": "too_soon"})
    );
    assert_eq!(sb.requests().len(), 1);
}
