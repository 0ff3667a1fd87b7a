//! Endpoints, authentication, validation and idempotency, over plain HTTP.

mod common;

use common::{Http, text_post};
use serde_json::{Value, json};
use soku_sandbox::Sandbox;

fn ig(id: &str) -> Value {
    json!({"platform": "instagram", "accountId": id})
}

#[test]
fn post_success_shape_headers_and_submission() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    let body = text_post("Just shipped", json!(["threads", "x", "linkedin"]));
    let r = http.post("/v1/posts", sb.api_key(), &body);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let id = r.json()["postSubmissionId"].as_str().unwrap().to_string();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let rid = r.header("x-request-id").unwrap();
    assert!(rid.starts_with("req_") && rid.len() > 10);
    assert_eq!(r.num_header("x-ratelimit-limit"), 30);
    assert_eq!(r.num_header("x-ratelimit-remaining"), 29);
    assert_eq!(r.header("x-ratelimit-tier"), Some("sandbox"));
    assert_eq!(sb.submissions(), vec![body]);
}

#[test]
fn error_envelope_matches_the_documented_shape() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    let r = http.post(
        "/v1/posts",
        sb.api_key(),
        &json!({"post": {"content": {"text": "x"}}}),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let e = &r.json()["error"];
    assert_eq!(e["type"], "invalid_request_error");
    assert_eq!(e["code"], "validation_error");
    assert_eq!(
        e["details"],
        json!({"field": "post.content.platform", "reason": "required"})
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("post.content.platform")
    );
    assert_eq!(e["requestId"].as_str(), r.header("x-request-id"));
    let ts = e["timestamp"].as_str().unwrap();
    assert_eq!((ts.len(), &ts[10..11], &ts[23..]), (24, "T", "Z"), "{ts}");
    assert!(sb.submissions().is_empty());
}

#[test]
fn the_documented_example_requests_succeed() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    let key = sb.api_key();
    let ok = |r: common::Resp| {
        assert!((200..300).contains(&r.status), "{} {}", r.status, r.body);
        r.json()
    };
    ok(http.post(
        "/v1/posts",
        key,
        &text_post(
            "Just shipped our biggest update yet.",
            json!(["threads", "x", "linkedin"]),
        ),
    ));
    let media = ok(http.post(
        "/v1/media",
        key,
        &json!({"url": "https://example.com/videos/product-demo.mp4"}),
    ));
    let media_url = media["url"].as_str().unwrap();
    assert!(
        media_url.starts_with("https://storage.mysoku.io/"),
        "{media_url}"
    );
    ok(http.post(
        "/v1/posts",
        key,
        &json!({"post": {"content": {
        "text": "Watch our full product walkthrough", "mediaType": "video", "videoUrl": media_url,
        "platform": [ig("ig_main"), {"platform": "tiktok", "accountId": "tt_brand"}, "youtube"]}}}),
    ));
    ok(http.post("/v1/posts", key, &json!({"post": {"content": {
        "text": "Behind the scenes", "mediaType": "image",
        "imageUrls": ["https://storage.mysoku.io/media/img1.jpg", "https://storage.mysoku.io/media/img2.jpg"],
        "platform": [ig("ig_main"), {"platform": "facebook", "accountId": "fb_page"}, "linkedin"]}}})));
    let template = ok(http.post("/v1/templates", key, &json!({"templateSlug": "tweetImage",
        "config": {"title": "5 Lessons From Building in Public", "author": "Soku Team", "theme": "dark"}})));
    ok(http.post(
        "/v1/posts",
        key,
        &json!({"post": {"content": {"text": "5 Lessons", "mediaType": "image",
        "imageUrls": [template["url"]], "platform": ["x", "linkedin"]}}}),
    ));
    let t = ok(http.post_with("/v1/ai/transcribe", key,
        &json!({"mediaId": "media_f7e8d9c0b3c4", "language": "en", "model": "whisper-1", "durationSeconds": 600}),
        &[("Idempotency-Key", "ep42-transcribe-20261201")]));
    assert_eq!(t["creditsDebited"], 10);
    // The documented scheduled posts, with times in the future (the page's 2026-03 dates have passed).
    for day in 1..=3 {
        let mut post = text_post("Monday motivation", json!(["threads", "x"]));
        post["scheduledTime"] = json!(format!("2099-03-{day:02}T09:00:00.000Z"));
        ok(http.post("/v1/posts", key, &post));
    }
    // Key rotation: create, verify with a post, revoke the old key.
    let token = sb.firebase_token();
    let created = ok(http.bearer(
        "POST",
        "/v1/api-keys",
        token,
        Some(&json!({"name": "Production Server (rotated)"})),
    ));
    let new_key = created["apiKey"].as_str().unwrap();
    ok(http.post(
        "/v1/posts",
        new_key,
        &text_post("Key rotation verification", json!(["threads"])),
    ));
    let path = format!("/v1/api-keys/{}", sb.default_key_id());
    let revoked = http.bearer("DELETE", &path, token, None);
    assert_eq!((revoked.status, revoked.body.as_str()), (204, ""));
    assert_eq!(
        http.post("/v1/posts", key, &text_post("old", json!(["x"])))
            .status,
        401
    );
    assert_eq!(sb.submissions().len(), 8);
}

#[test]
fn documented_dates_in_the_past_pass_when_the_check_is_off() {
    let sb = Sandbox::builder()
        .check_scheduled_time(false)
        .start()
        .unwrap();
    let http = Http::new(&sb);
    let mut post = text_post("Happy Monday!", json!(["threads", "x", "linkedin"]));
    post["scheduledTime"] = json!("2026-03-09T14:00:00.000Z");
    assert_eq!(http.post("/v1/posts", sb.api_key(), &post).status, 200);
    post["scheduledTime"] = json!("next monday");
    let r = http.post("/v1/posts", sb.api_key(), &post);
    assert_eq!((r.status, r.field()), (400, "scheduledTime".to_string()));
}

#[test]
fn media_import_rules() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    let key = sb.api_key();
    let a = http.post(
        "/v1/media",
        key,
        &json!({"url": "https://example.com/a.png"}),
    );
    assert_eq!(a.status, 201);
    assert!(a.json()["url"].as_str().unwrap().ends_with("/a.png"));
    // No Idempotency-Key: the key is derived from the body, so the same source is one import.
    let again = http.post(
        "/v1/media",
        key,
        &json!({"url": "https://example.com/a.png"}),
    );
    assert_eq!(again.json(), a.json());
    let b = http.post(
        "/v1/media",
        key,
        &json!({"url": "https://example.com/b.png"}),
    );
    assert_ne!(b.json()["url"], a.json()["url"]);
    let failed = http.post(
        "/v1/media",
        key,
        &json!({"url": "https://cdn.example.invalid/x.mp4"}),
    );
    assert_eq!(
        (failed.status, failed.code()),
        (400, "upload_failed".to_string())
    );
    for (body, reason) in [
        (json!({}), "required"),
        (json!({"url": "ftp://example.com/a.png"}), "invalid_url"),
        (json!({"url": 42}), "invalid_type"),
    ] {
        let r = http.post("/v1/media", key, &body);
        assert_eq!(
            (r.status, r.code(), r.field()),
            (400, "validation_error".into(), "url".into()),
            "{body}"
        );
        assert_eq!(r.json()["error"]["details"]["reason"], reason);
    }
}

#[test]
fn templates_and_render_og_alias() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    let key = sb.api_key();
    for path in ["/v1/templates", "/v1/media/render-og"] {
        let r = http.post(
            path,
            key,
            &json!({"templateSlug": "tweetImage", "aspectRatio": "9:16", "config": {"title": "t"}}),
        );
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        let v = r.json();
        assert!(v["url"].as_str().unwrap().ends_with(".png"));
        assert!(v["id"].as_str().unwrap().starts_with("og_"));
    }
    let r = http.post(
        "/v1/templates",
        key,
        &json!({"templateSlug": "noSuchTemplate"}),
    );
    assert_eq!(
        (r.status, r.code()),
        (404, "template_not_found".to_string())
    );
    for (body, field) in [
        (json!({}), "templateSlug"),
        (
            json!({"templateSlug": "tweetImage", "aspectRatio": "16:9"}),
            "aspectRatio",
        ),
        (
            json!({"templateSlug": "tweetImage", "config": "dark"}),
            "config",
        ),
    ] {
        let r = http.post("/v1/media/render-og", key, &body);
        assert_eq!((r.status, r.field()), (400, field.to_string()), "{body}");
    }
}

#[test]
fn transcription_credits_and_replay() {
    let sb = Sandbox::builder().credits(10).start().unwrap();
    let http = Http::new(&sb);
    let key = sb.api_key();
    let body = json!({"mediaId": "media_1", "durationSeconds": 600});
    let first = http.post_with(
        "/v1/ai/transcribe",
        key,
        &body,
        &[("Idempotency-Key", "t-1")],
    );
    assert_eq!(first.status, 200, "{}", first.body);
    let v = first.json();
    assert!(v["jobId"].as_str().unwrap().starts_with("tj_"));
    assert!(v["transcript"].is_string());
    assert_eq!(
        (v["creditsDebited"].clone(), v["likelyLyrics"].clone()),
        (json!(10), json!(false))
    );
    // Same key: the original result, no second charge (there is nothing left to charge).
    let replay = http.post_with(
        "/v1/ai/transcribe",
        key,
        &body,
        &[("Idempotency-Key", "t-1")],
    );
    assert_eq!((replay.status, replay.json()), (200, v));
    let broke = http.post_with(
        "/v1/ai/transcribe",
        key,
        &json!({"mediaId": "media_2"}),
        &[("Idempotency-Key", "t-2")],
    );
    assert_eq!(
        (broke.status, broke.code()),
        (402, "insufficient_credits".to_string())
    );
    for (body, field) in [
        (json!({}), "mediaId"),
        (json!({"mediaId": "m", "model": "whisper-2"}), "model"),
        (json!({"mediaId": "m", "language": "english"}), "language"),
        (
            json!({"mediaId": "m", "durationSeconds": "long"}),
            "durationSeconds",
        ),
    ] {
        let r = http.post("/v1/ai/transcribe", key, &body);
        assert_eq!((r.status, r.field()), (400, field.to_string()), "{body}");
    }
}

#[test]
fn transcription_cost_is_per_started_minute() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    for (secs, cost) in [
        (json!(1), 1),
        (json!(60), 1),
        (json!(61.5), 2),
        (json!(0), 1),
    ] {
        let r = http.post(
            "/v1/ai/transcribe",
            sb.api_key(),
            &json!({"mediaId": "m", "durationSeconds": secs}),
        );
        assert_eq!(r.json()["creditsDebited"], cost, "{secs}");
    }
    let r = http.post("/v1/ai/transcribe", sb.api_key(), &json!({"mediaId": "m"}));
    assert_eq!(r.json()["creditsDebited"], 1);
}

#[test]
fn content_endpoint_auth() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    let body = text_post("hi", json!(["x"])).to_string();
    let post = |headers: &[(&str, &str)]| {
        let mut h = vec![("Content-Type", "application/json")];
        h.extend_from_slice(headers);
        http.send("POST", "/v1/posts", &h, Some(&body))
    };
    let bearer = format!("Bearer {}", sb.firebase_token());
    for headers in [
        vec![],
        vec![("soku-api-key", "sk_live_not_a_real_key_000000000000000000")],
        vec![("Authorization", bearer.as_str())],
        vec![
            ("soku-api-key", sb.api_key()),
            ("Authorization", bearer.as_str()),
        ],
    ] {
        let r = post(&headers);
        assert_eq!(
            (r.status, r.code()),
            (401, "unauthorized".to_string()),
            "{headers:?}"
        );
        assert_eq!(r.json()["error"]["type"], "authentication_error");
        assert!(r.header("x-ratelimit-limit").is_some());
    }
    let r = post(&[("soku-api-key", sb.inactive_api_key())]);
    assert_eq!((r.status, r.code()), (403, "forbidden".to_string()));
    assert_eq!(post(&[("soku-api-key", sb.api_key())]).status, 200);
    assert_eq!(sb.submissions().len(), 1);
}

#[test]
fn checks_run_in_order_key_then_subscription_then_body() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    let bad = json!({"post": {}});
    assert_eq!(http.post("/v1/posts", "sk_live_unknown", &bad).status, 401);
    assert_eq!(
        http.post("/v1/posts", sb.inactive_api_key(), &bad).status,
        403
    );
    assert_eq!(http.post("/v1/posts", sb.api_key(), &bad).status, 400);
}

#[test]
fn api_keys_auth_is_bearer_only() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("soku-api-key", sb.api_key())],
        vec![("Authorization", "Basic c2FuZGJveDpzYW5kYm94")],
        vec![("Authorization", sb.firebase_token())],
        vec![("Authorization", "Bearer not-a-token")],
    ];
    for headers in cases {
        let r = http.send("GET", "/v1/api-keys", &headers, None);
        assert_eq!(
            (r.status, r.code()),
            (401, "unauthorized".to_string()),
            "{headers:?}"
        );
    }
    let r = http.bearer("GET", "/v1/api-keys", sb.firebase_token(), None);
    assert_eq!(r.status, 200);
}

#[test]
fn configured_firebase_tokens_are_accepted_besides_the_fixture() {
    let builder = Sandbox::builder()
        .extra_firebase_token("ci-token-one")
        .extra_firebase_token(" ci-token-two ");
    assert!(
        !format!("{builder:?}").contains("ci-token"),
        "tokens stay out of Debug"
    );
    let sb = builder.start().unwrap();
    let http = Http::new(&sb);
    for token in [sb.firebase_token(), "ci-token-one", "ci-token-two"] {
        let r = http.bearer("GET", "/v1/api-keys", token, None);
        assert_eq!(r.status, 200, "{token}: {}", r.body);
        // The configured tokens belong to the default account.
        assert_eq!(r.json()["apiKeys"][0]["id"], sb.default_key_id());
    }
    let r = http.bearer("GET", "/v1/api-keys", "ci-token-three", None);
    assert_eq!((r.status, r.code()), (401, "unauthorized".to_string()));
    // Still accepted after a reset.
    sb.reset();
    let r = http.bearer("GET", "/v1/api-keys", "ci-token-one", None);
    assert_eq!(r.status, 200);
    // Without the option only the fixture token works.
    let plain = Sandbox::start().unwrap();
    let r = Http::new(&plain).bearer("GET", "/v1/api-keys", "ci-token-one", None);
    assert_eq!(r.status, 401);
    let err = Sandbox::builder()
        .extra_firebase_token("  ")
        .start()
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("blank"), "{err}");
}

#[test]
fn api_key_lifecycle() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    let token = sb.firebase_token();
    let created = http.bearer("POST", "/v1/api-keys", token, Some(&json!({"name": "ci"})));
    assert_eq!(created.status, 201);
    let c = created.json();
    let (secret, id) = (c["apiKey"].as_str().unwrap(), c["id"].as_str().unwrap());
    assert!(
        secret.starts_with("sk_live_") && secret.len() >= 40,
        "{secret}"
    );
    // Works at once.
    assert_eq!(
        http.post("/v1/posts", secret, &text_post("new key", json!(["x"])))
            .status,
        200
    );
    let list = http.bearer("GET", "/v1/api-keys", token, None);
    assert!(
        !list.body.contains(secret) && !list.body.contains(sb.api_key()),
        "{}",
        list.body
    );
    let keys = list.json()["apiKeys"].as_array().unwrap().clone();
    let ids: Vec<&str> = keys.iter().map(|k| k["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![sb.default_key_id(), id]);
    let mine = &keys[1];
    assert_eq!(
        (
            mine["name"].clone(),
            mine["status"].clone(),
            mine["revokedAt"].clone()
        ),
        (json!("ci"), json!("active"), Value::Null)
    );
    assert!(mine["createdAt"].is_string());
    assert!(
        mine["keyPreview"]
            .as_str()
            .unwrap()
            .ends_with(&secret[secret.len() - 4..])
    );
    // Revoke: 204 without a body, then the key gets 401; revoking again is still 204.
    let path = format!("/v1/api-keys/{id}");
    let r = http.bearer("DELETE", &path, token, None);
    assert_eq!(
        (r.status, r.body.as_str(), r.header("content-type")),
        (204, "", None)
    );
    let r = http.post("/v1/posts", secret, &text_post("revoked", json!(["x"])));
    assert_eq!((r.status, r.code()), (401, "unauthorized".to_string()));
    assert_eq!(http.bearer("DELETE", &path, token, None).status, 204);
    let after = http.bearer("GET", "/v1/api-keys", token, None).json();
    assert_eq!(after["apiKeys"][1]["status"], "revoked");
    assert!(after["apiKeys"][1]["revokedAt"].is_string());
    // Unknown ids and another account's key are 404.
    let r = http.bearer("DELETE", "/v1/api-keys/key_nope", token, None);
    assert_eq!((r.status, r.code()), (404, "not_found".to_string()));
    let r = http.bearer("DELETE", "/v1/api-keys/key_sandbox_inactive", token, None);
    assert_eq!(r.status, 404);
    // Name rules; an empty body is fine.
    let r = http.bearer(
        "POST",
        "/v1/api-keys",
        token,
        Some(&json!({"name": "n".repeat(101)})),
    );
    assert_eq!((r.status, r.field()), (400, "name".to_string()));
    let r = http.send(
        "POST",
        "/v1/api-keys",
        &[("Authorization", &format!("Bearer {token}"))],
        None,
    );
    assert_eq!(r.status, 201, "{}", r.body);
}

#[test]
fn post_validation_names_the_field() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    let content = |c: Value| json!({"post": {"content": c}});
    let cases = [
        (json!({}), "post", "required"),
        (json!({"post": "hi"}), "post", "invalid_type"),
        (json!({"post": {}}), "post.content", "required"),
        (
            content(json!({"text": "t"})),
            "post.content.platform",
            "required",
        ),
        (
            content(json!({"text": "t", "platform": []})),
            "post.content.platform",
            "empty",
        ),
        (
            content(json!({"text": "t", "platform": "x"})),
            "post.content.platform",
            "invalid_type",
        ),
        (
            content(json!({"text": "t", "platform": ["myspace"]})),
            "post.content.platform[0]",
            "unknown_platform",
        ),
        (
            content(json!({"text": "t", "platform": ["linkedin", 7]})),
            "post.content.platform[1]",
            "invalid_type",
        ),
        (
            content(json!({"text": "t", "platform": [{"accountId": "li_main"}]})),
            "post.content.platform[0].platform",
            "required",
        ),
        (
            content(json!({"platform": ["x"]})),
            "post.content.text",
            "required",
        ),
        (
            content(json!({"text": "  ", "platform": ["threads"]})),
            "post.content.text",
            "required",
        ),
        (
            content(json!({"mediaType": "text", "platform": ["linkedin"]})),
            "post.content.text",
            "required",
        ),
        (
            content(json!({"text": 5, "platform": ["linkedin"]})),
            "post.content.text",
            "invalid_type",
        ),
        (
            content(json!({"text": "t", "mediaType": "gif", "platform": ["linkedin"]})),
            "post.content.mediaType",
            "invalid_value",
        ),
        (
            content(
                json!({"text": "t", "mediaType": "image", "imageUrls": ["file:///etc/passwd"], "platform": ["linkedin"]}),
            ),
            "post.content.imageUrls[0]",
            "invalid_url",
        ),
        (
            content(json!({"text": "t", "mediaUrls": "https://a/b", "platform": ["linkedin"]})),
            "post.content.mediaUrls",
            "invalid_type",
        ),
        (
            content(
                json!({"text": "t", "mediaType": "video", "videoUrl": "not a url", "platform": ["youtube"]}),
            ),
            "post.content.videoUrl",
            "invalid_url",
        ),
        (
            json!({"post": {"content": {"text": "t", "platform": ["x"]}}, "scheduledTime": "2099-13-01T00:00:00Z"}),
            "scheduledTime",
            "invalid_format",
        ),
        (
            json!({"post": {"content": {"text": "t", "platform": ["x"]}}, "scheduledTime": "2020-01-01T00:00:00Z"}),
            "scheduledTime",
            "too_soon",
        ),
        (
            json!({"post": {"content": {"text": "t", "platform": ["x"]}}, "enableRepurposing": "yes"}),
            "enableRepurposing",
            "invalid_type",
        ),
        (
            json!({"post": {"content": {"text": "t", "platform": ["x"]}}, "trial_reel": 1}),
            "trial_reel",
            "invalid_type",
        ),
    ];
    for (body, field, reason) in cases {
        let r = http.post("/v1/posts", sb.api_key(), &body);
        assert_eq!(
            (r.status, r.code(), r.field()),
            (400, "validation_error".into(), field.into()),
            "{body}"
        );
        assert_eq!(r.json()["error"]["details"]["reason"], reason, "{body}");
    }
    // 90 s ahead (with an offset) is fine; 30 s ahead is too soon.
    let at = |secs: u64| {
        let t = std::time::SystemTime::now() + std::time::Duration::from_secs(secs);
        // "Tue, 01 Dec 2026 08:13:28 GMT" → "2026-12-01T08:13:28+00:00"
        let http_date = httpdate::fmt_http_date(t);
        let p: Vec<&str> = http_date.split(' ').collect();
        let months = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let month = months.iter().position(|m| *m == p[2]).unwrap() + 1;
        format!("{}-{month:02}-{}T{}+00:00", p[3], p[1], p[4])
    };
    let mut post = text_post("later", json!(["x"]));
    post["scheduledTime"] = json!(at(90));
    assert_eq!(
        http.post("/v1/posts", sb.api_key(), &post).status,
        200,
        "{post}"
    );
    post["scheduledTime"] = json!(at(30));
    assert_eq!(
        http.post("/v1/posts", sb.api_key(), &post).field(),
        "scheduledTime"
    );
    assert_eq!(sb.submissions().len(), 1);
}

#[test]
fn body_must_be_json() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    let key = sb.api_key();
    for (ctype, body, field, reason) in [
        ("application/json", "{\"post\": ", "body", "invalid_json"),
        ("application/json", "[1, 2]", "body", "invalid_type"),
        ("application/json", "", "body", "required"),
        ("text/plain", "{}", "Content-Type", "unsupported_media_type"),
    ] {
        let r = http.send(
            "POST",
            "/v1/posts",
            &[("soku-api-key", key), ("Content-Type", ctype)],
            Some(body),
        );
        assert_eq!(
            (r.status, r.code(), r.field()),
            (400, "validation_error".into(), field.into()),
            "{body}"
        );
        assert_eq!(r.json()["error"]["details"]["reason"], reason);
    }
    let r = http.send(
        "POST",
        "/v1/posts",
        &[
            ("soku-api-key", key),
            ("Content-Type", "application/json; charset=utf-8"),
        ],
        Some(&text_post("ok", json!(["x"])).to_string()),
    );
    assert_eq!(r.status, 200);
}

#[test]
fn account_targeting() {
    let sb = Sandbox::builder()
        .connected_accounts("youtube", Vec::<String>::new())
        .start()
        .unwrap();
    let http = Http::new(&sb);
    let key = sb.api_key();
    let post = |platforms: Value| http.post("/v1/posts", key, &text_post("t", platforms));
    let r = post(json!(["instagram"]));
    assert_eq!(
        (r.status, r.code(), r.field()),
        (
            400,
            "missing_account".into(),
            "post.content.platform[0]".into()
        )
    );
    let r = post(json!(["x", ig("ig_nope")]));
    assert_eq!(
        (r.status, r.code(), r.field()),
        (
            400,
            "missing_account".into(),
            "post.content.platform[1].accountId".into()
        )
    );
    let r = post(json!(["youtube"]));
    assert_eq!(
        (r.status, r.code()),
        (400, "missing_integrations".to_string())
    );
    assert_eq!(
        post(json!([ig("ig_main"), ig("ig_backup"), "twitter", "TikTok"])).status,
        200
    );
    assert_eq!(sb.submissions().len(), 1);
}

#[test]
fn idempotent_replay_and_conflict() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    let key = sb.api_key();
    let body = text_post("once", json!(["x"]));
    let idem = [("Idempotency-Key", "k-1")];
    let first = http.post_with("/v1/posts", key, &body, &idem);
    // Same body with keys in another order and other whitespace is the same request.
    let reordered =
        r#"{ "post" : {"content": {"platform": ["x"], "mediaType": "text", "text": "once"}} }"#;
    let again = http.send(
        "POST",
        "/v1/posts",
        &[
            ("soku-api-key", key),
            ("Content-Type", "application/json"),
            idem[0],
        ],
        Some(reordered),
    );
    assert_eq!((again.status, again.json()), (first.status, first.json()));
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_ne!(again.header("x-request-id"), first.header("x-request-id"));
    assert_eq!(sb.submissions().len(), 1);
    let conflict = http.post_with("/v1/posts", key, &text_post("twice", json!(["x"])), &idem);
    assert_eq!(
        (conflict.status, conflict.code()),
        (409, "idempotency_conflict".to_string())
    );
    let other = http.post_with("/v1/posts", key, &body, &[("Idempotency-Key", "k-2")]);
    assert_ne!(
        other.json()["postSubmissionId"],
        first.json()["postSubmissionId"]
    );
    assert_eq!(sb.submissions().len(), 2);
    // A failed request stores nothing: the fixed body may reuse its key.
    let bad = http.post_with(
        "/v1/posts",
        key,
        &json!({"post": {}}),
        &[("Idempotency-Key", "k-3")],
    );
    assert_eq!(bad.status, 400);
    assert_eq!(
        http.post_with("/v1/posts", key, &body, &[("Idempotency-Key", "k-3")])
            .status,
        200
    );
    // Keys are per endpoint.
    let media = http.post_with(
        "/v1/media",
        key,
        &json!({"url": "https://e.com/a.png"}),
        &idem,
    );
    assert_eq!(media.status, 201);
    let long = "k".repeat(256);
    let r = http.post_with("/v1/posts", key, &body, &[("Idempotency-Key", &long)]);
    assert_eq!((r.status, r.field()), (400, "Idempotency-Key".to_string()));
}

#[test]
fn unknown_paths_and_methods() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    let r = http.send("GET", "/v1/nothing", &[], None);
    assert_eq!((r.status, r.code()), (404, "not_found".to_string()));
    assert!(r.header("x-request-id").is_some());
    let r = http.send("GET", "/v1/posts", &[("soku-api-key", sb.api_key())], None);
    assert_eq!(
        (r.status, r.code()),
        (405, "method_not_allowed".to_string())
    );
    // A path prefix is not part of the sandbox's API.
    assert_eq!(
        http.send("POST", "/api/v1/posts", &[], Some("{}")).status,
        404
    );
}

#[test]
fn reset_restores_fixtures() {
    let sb = Sandbox::builder().credits(1).start().unwrap();
    let http = Http::new(&sb);
    let path = format!("/v1/api-keys/{}", sb.default_key_id());
    assert_eq!(
        http.bearer("DELETE", &path, sb.firebase_token(), None)
            .status,
        204
    );
    assert_eq!(
        http.post("/v1/posts", sb.api_key(), &text_post("t", json!(["x"])))
            .status,
        401
    );
    sb.reset();
    assert!(sb.requests().is_empty());
    assert_eq!(
        http.post("/v1/posts", sb.api_key(), &text_post("t", json!(["x"])))
            .status,
        200
    );
    assert_eq!(
        http.post("/v1/ai/transcribe", sb.api_key(), &json!({"mediaId": "m"}))
            .status,
        200
    );
    assert_eq!(
        http.post("/v1/ai/transcribe", sb.api_key(), &json!({"mediaId": "m"}))
            .status,
        402
    );
    sb.reset();
    assert_eq!(
        http.post("/v1/ai/transcribe", sb.api_key(), &json!({"mediaId": "m"}))
            .status,
        200
    );
    assert!(sb.submissions().is_empty());
}
