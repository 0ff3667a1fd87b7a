//! Wire format of every endpoint: method, path, auth scheme (never both headers), Content-Type,
//! the exact JSON of each request example of the vendor's code-examples page, and the decoded answer
//! including unknown fields.

mod core_support;
mod documented;

use core_support::{KEY, TOKEN, builder, client};
use mockito::{Matcher, Server};
use serde_json::{Value, json};
use soku::{
    AspectRatio, CallOptions, CreateApiKey, CreatePost, MediaType, Platform, PlatformTarget,
    PostContent, RenderTemplate, Transcribe, UploadMedia,
};

const UUID_V4: &str = "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$";

/// A mock of a content endpoint: API key only, JSON body, given status and answer.
fn content_mock(
    server: &mut Server,
    path: &str,
    body: Value,
    keyed: bool,
    status: usize,
    answer: &str,
) -> mockito::Mock {
    server
        .mock("POST", path)
        .match_header("soku-api-key", KEY)
        .match_header("authorization", Matcher::Missing)
        .match_header("content-type", "application/json")
        .match_header("accept", "application/json")
        .match_header(
            "user-agent",
            format!("soku-rust/{}", soku::VERSION).as_str(),
        )
        .match_header(
            "idempotency-key",
            if keyed {
                Matcher::Regex(UUID_V4.into())
            } else {
                Matcher::Missing
            },
        )
        .match_body(Matcher::Json(body))
        .with_status(status)
        .with_header("content-type", "application/json")
        .with_header("x-request-id", "req_wire")
        .with_header("x-ratelimit-limit", "30")
        .with_header("x-ratelimit-remaining", "29")
        .with_header("x-ratelimit-reset", "2000000000")
        .with_header("x-ratelimit-tier", "pro")
        .with_body(answer)
        .expect(1)
        .create()
}

#[test]
fn text_post_exact_bytes_and_meta() {
    let mut server = Server::new();
    let exact = r#"{"post":{"content":{"text":"Just shipped our biggest update yet. More details coming soon.","mediaType":"text","platform":["threads","x","linkedin"]}}}"#;
    let m = server
        .mock("POST", "/v1/posts")
        .match_header("soku-api-key", KEY)
        .match_header("authorization", Matcher::Missing)
        .match_header("content-type", "application/json")
        .match_body(Matcher::Exact(exact.into()))
        .with_status(201)
        .with_header("x-request-id", "req_text")
        .with_header("x-ratelimit-limit", "30")
        .with_header("x-ratelimit-remaining", "29")
        .with_header("x-ratelimit-reset", "2026-12-01T10:00:00Z")
        .with_header("x-ratelimit-tier", "sandbox")
        .with_body(r#"{"postSubmissionId":"ps_1","status":"queued","nested":{"a":[1,2]}}"#)
        .expect(1)
        .create();
    let req = CreatePost::text(
        "Just shipped our biggest update yet. More details coming soon.",
        [Platform::Threads, Platform::X, Platform::LinkedIn],
    );
    let resp = client(&server.url()).create_post(&req).unwrap();
    m.assert();
    assert_eq!(resp.post_submission_id, "ps_1");
    assert_eq!(resp.extra["status"], "queued");
    assert_eq!(
        serde_json::to_value(&resp.data).unwrap(),
        json!({"postSubmissionId": "ps_1", "status": "queued", "nested": {"a": [1, 2]}})
    );
    let meta = resp.meta();
    assert_eq!(meta.status, 201);
    assert_eq!(meta.request_id.as_deref(), Some("req_text"));
    assert_eq!(meta.attempts, 1);
    assert_eq!(meta.rate_limit.limit, Some(30));
    assert_eq!(meta.rate_limit.remaining, Some(29));
    assert_eq!(meta.rate_limit.reset, Some(1_796_119_200));
    assert_eq!(meta.rate_limit.tier.as_deref(), Some("sandbox"));
    let key = meta.idempotency_key.clone().unwrap();
    assert!(regex_like_uuid(&key), "{key}");
    let whole = serde_json::to_value(soku::ffi::document::SuccessDocument::new(&resp)).unwrap();
    assert_eq!(whole["data"]["postSubmissionId"], "ps_1");
    assert_eq!(whole["meta"]["idempotencyKey"], key.as_str());
    assert_eq!(
        serde_json::to_value(meta).unwrap(),
        json!({"status": 201, "requestId": "req_text",
               "rateLimit": {"limit": 30, "remaining": 29, "reset": 1_796_119_200u64, "tier": "sandbox"},
               "attempts": 1, "idempotencyKey": key})
    );
}

fn regex_like_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && parts[2].starts_with('4')
        && s.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

#[test]
fn documented_posts_from_constructors_and_from_json() {
    let video_doc = documented::video_post("https://storage.mysoku.io/media/product-demo.mp4");
    let video = CreatePost::video(
        "Watch our full product walkthrough",
        "https://storage.mysoku.io/media/product-demo.mp4",
        [
            PlatformTarget::account(Platform::Instagram, "ig_main"),
            PlatformTarget::account(Platform::TikTok, "tt_brand"),
            Platform::YouTube.into(),
        ],
    );
    let images_doc = documented::image_post();
    let images = CreatePost::images(
        "Behind the scenes from today's shoot",
        [
            "https://storage.mysoku.io/media/img1.jpg",
            "https://storage.mysoku.io/media/img2.jpg",
            "https://storage.mysoku.io/media/img3.jpg",
        ],
        [
            PlatformTarget::account(Platform::Instagram, "ig_main"),
            PlatformTarget::account(Platform::Facebook, "fb_page"),
            Platform::LinkedIn.into(),
        ],
    );
    let og_doc = json!({"post": {"content": {
        "text": "5 Lessons From Building in Public — a thread.",
        "mediaType": "image",
        "imageUrls": ["https://cdn.mysoku.io/og/og_1.png"],
        "platform": ["x", "linkedin"]
    }}});
    let og = CreatePost::images(
        "5 Lessons From Building in Public — a thread.",
        ["https://cdn.mysoku.io/og/og_1.png"],
        [Platform::X, Platform::LinkedIn],
    );
    let scheduled_doc = json!({
        "post": {"content": {
            "text": "Happy Monday! Here is your weekly dose of motivation.",
            "mediaType": "text",
            "platform": ["threads", "x", "linkedin"]
        }},
        "scheduledTime": "2026-03-09T14:00:00.000Z"
    });
    let scheduled = CreatePost::text(
        "Happy Monday! Here is your weekly dose of motivation.",
        [Platform::Threads, Platform::X, Platform::LinkedIn],
    )
    .scheduled_time("2026-03-09T14:00:00.000Z");
    let retry_doc = json!({"post": {"content": {
        "text": "Published with production-grade error handling.",
        "mediaType": "text",
        "platform": ["threads"]
    }}});
    let retry = CreatePost::text(
        "Published with production-grade error handling.",
        ["threads"],
    );
    let all_options_doc = json!({
        "post": {"content": {
            "text": "Reel",
            "mediaType": "video",
            "mediaUrls": ["https://a.example/1.mp4"],
            "videoUrl": "https://a.example/1.mp4",
            "platform": [{"platform": "instagram", "accountId": "ig_backup"}]
        }},
        "scheduledTime": "2099-01-01T00:00:00Z",
        "enableRepurposing": false,
        "trial_reel": true
    });
    let all_options = CreatePost::video(
        "Reel",
        "https://a.example/1.mp4",
        [PlatformTarget::account(Platform::Instagram, "ig_backup")],
    )
    .media_urls(["https://a.example/1.mp4"])
    .scheduled_time("2099-01-01T00:00:00Z")
    .enable_repurposing(false)
    .trial_reel(true);

    let cases = [
        (
            documented::text_post(),
            CreatePost::text(
                "Just shipped our biggest update yet. More details coming soon.",
                [Platform::Threads, Platform::X, Platform::LinkedIn],
            ),
        ),
        (video_doc, video),
        (images_doc, images),
        (og_doc, og),
        (scheduled_doc, scheduled),
        (retry_doc, retry),
        (all_options_doc, all_options),
    ];
    let mut server = Server::new();
    // The documented scheduled post lies in the past; the server, not the client, judges it here.
    let c = builder(&server.url())
        .validate_scheduled_time(false)
        .build()
        .unwrap();
    for (documented, typed) in cases {
        // The typed constructors produce the documented body field for field …
        assert_eq!(serde_json::to_value(&typed).unwrap(), documented);
        // … and the documented JSON (what the C ABI receives) decodes into the same value.
        let parsed: CreatePost = serde_json::from_value(documented.clone()).unwrap();
        assert_eq!(parsed, typed);
        let m = content_mock(
            &mut server,
            "/v1/posts",
            documented,
            true,
            202,
            r#"{"postSubmissionId":"ps"}"#,
        );
        let resp = c.create_post(&parsed).unwrap();
        m.assert();
        assert_eq!(resp.meta().status, 202);
        assert_eq!(resp.meta().request_id.as_deref(), Some("req_wire"));
        assert_eq!(resp.meta().rate_limit.tier.as_deref(), Some("pro"));
    }
}

#[test]
fn unknown_fields_and_platforms_pass_through() {
    let body = json!({
        "post": {
            "content": {
                "text": "hi",
                "platform": ["bluesky", {"platform": "mastodon", "accountId": "m1", "visibility": "public"}],
                "firstComment": "👋"
            },
            "labels": ["a"]
        },
        "campaign": {"id": 7}
    });
    let req: CreatePost = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(
        req.post.content.platform[0],
        PlatformTarget::Name(Platform::Other("bluesky".into()))
    );
    let mut server = Server::new();
    let m = content_mock(
        &mut server,
        "/v1/posts",
        body,
        true,
        200,
        r#"{"postSubmissionId":"ps"}"#,
    );
    client(&server.url()).create_post(&req).unwrap();
    m.assert();
}

#[test]
fn base_url_path_prefix_and_trailing_slash() {
    let mut server = Server::new();
    let m = server
        .mock("POST", "/api/v1/posts")
        .with_status(201)
        .with_body(r#"{"postSubmissionId":"ps_prefix"}"#)
        .expect(1)
        .create();
    let c = client(&format!("{}/api/", server.url()));
    assert_eq!(c.base_url(), format!("{}/api", server.url()));
    let resp = c
        .create_post(&CreatePost::text("hi", [Platform::LinkedIn]))
        .unwrap();
    m.assert();
    assert_eq!(resp.post_submission_id, "ps_prefix");
}

#[test]
fn media_upload_doc() {
    let mut server = Server::new();
    let documented = json!({"url": "https://example.com/videos/product-demo.mp4"});
    let m = content_mock(
        &mut server,
        "/v1/media",
        documented.clone(),
        true,
        201,
        r#"{"url":"https://storage.mysoku.io/media/m1.mp4","mediaId":"media_1"}"#,
    );
    let req = UploadMedia::new("https://example.com/videos/product-demo.mp4");
    assert_eq!(serde_json::to_value(&req).unwrap(), documented);
    let resp = client(&server.url()).upload_media(&req).unwrap();
    m.assert();
    assert_eq!(resp.url, "https://storage.mysoku.io/media/m1.mp4");
    assert_eq!(resp.extra["mediaId"], "media_1");
    assert_eq!(resp.meta().status, 201);
}

#[test]
fn documented_template_and_render_og_alias() {
    let documented = json!({
        "templateSlug": "tweetImage",
        "config": {"title": "5 Lessons From Building in Public", "author": "Soku Team", "theme": "dark"}
    });
    let req = RenderTemplate::new("tweetImage").config(json!({
        "title": "5 Lessons From Building in Public", "author": "Soku Team", "theme": "dark"
    }));
    assert_eq!(serde_json::to_value(&req).unwrap(), documented);
    let answer = r#"{"url":"https://cdn.mysoku.io/og/og_1.png","id":"og_1","width":1200}"#;
    let mut server = Server::new();
    let c = client(&server.url());

    let m = content_mock(
        &mut server,
        "/v1/templates",
        documented.clone(),
        false,
        200,
        answer,
    );
    let resp = c.render_template(&req).unwrap();
    m.assert();
    assert_eq!(resp.url, "https://cdn.mysoku.io/og/og_1.png");
    assert_eq!(resp.id.as_deref(), Some("og_1"));
    assert_eq!(resp.extra["width"], 1200);
    assert_eq!(resp.meta().idempotency_key, None);

    let with_ratio = req.clone().aspect_ratio(AspectRatio::Story);
    let mut body = documented.clone();
    body["aspectRatio"] = json!("9:16");
    let m = content_mock(&mut server, "/v1/media/render-og", body, false, 200, answer);
    let resp = c.render_og(&with_ratio).unwrap();
    m.assert();
    assert_eq!(resp.id.as_deref(), Some("og_1"));
    for (ratio, wire) in [
        (AspectRatio::Square, "1:1"),
        (AspectRatio::Portrait, "4:5"),
        (AspectRatio::Story, "9:16"),
    ] {
        assert_eq!(serde_json::to_value(ratio).unwrap(), wire);
    }
}

#[test]
fn documented_transcribe_with_callers_idempotency_key() {
    let documented = json!({"mediaId": "media_f7e8d9c0b3c4", "language": "en", "model": "whisper-1", "durationSeconds": 600});
    let req = Transcribe::new("media_f7e8d9c0b3c4")
        .language("en")
        .model("whisper-1")
        .duration_seconds(600.0);
    assert_eq!(serde_json::to_value(&req).unwrap(), documented);
    assert_eq!(
        serde_json::to_string(&req).unwrap(),
        r#"{"mediaId":"media_f7e8d9c0b3c4","language":"en","model":"whisper-1","durationSeconds":600}"#
    );
    let mut server = Server::new();
    let m = server
        .mock("POST", "/v1/ai/transcribe")
        .match_header("soku-api-key", KEY)
        .match_header("authorization", Matcher::Missing)
        .match_header("content-type", "application/json")
        .match_header("idempotency-key", "ep42-transcribe-20261201")
        .match_body(Matcher::Json(documented))
        .with_body(r#"{"jobId":"tj_1","transcript":"hello","creditsDebited":10,"likelyLyrics":false,"language":"en"}"#)
        .expect(1)
        .create();
    let resp = client(&server.url())
        .transcribe_with(
            &req,
            &CallOptions::new().idempotency_key("ep42-transcribe-20261201"),
        )
        .unwrap();
    m.assert();
    assert_eq!(resp.job_id, "tj_1");
    assert_eq!(resp.transcript.as_deref(), Some("hello"));
    assert_eq!(resp.credits_debited, Some(10.0));
    assert_eq!(resp.likely_lyrics, Some(false));
    assert_eq!(
        resp.meta().idempotency_key.as_deref(),
        Some("ep42-transcribe-20261201")
    );
    // Re-serialising gives back the server's fields.
    assert_eq!(
        serde_json::to_value(&resp.data).unwrap(),
        json!({"jobId": "tj_1", "transcript": "hello", "creditsDebited": 10, "likelyLyrics": false, "language": "en"})
    );
}

#[test]
fn api_key_create_uses_bearer_only() {
    let mut server = Server::new();
    let m = server
        .mock("POST", "/v1/api-keys")
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .match_header("soku-api-key", Matcher::Missing)
        .match_header("idempotency-key", Matcher::Missing)
        .match_header("content-type", "application/json")
        .match_body(Matcher::Json(
            json!({"name": "Production Server (rotated)"}),
        ))
        .with_status(201)
        .with_body(r#"{"apiKey":"sk_live_NEWKEY","id":"key_2","createdAt":"2026-12-01T08:00:00Z"}"#)
        .expect(1)
        .create();
    let resp = client(&server.url())
        .create_api_key(&CreateApiKey::new().name("Production Server (rotated)"))
        .unwrap();
    m.assert();
    assert_eq!(resp.api_key.expose(), "sk_live_NEWKEY");
    assert_eq!(resp.id.as_deref(), Some("key_2"));
    assert_eq!(resp.extra["createdAt"], "2026-12-01T08:00:00Z");
    assert!(!format!("{resp:?}").contains("sk_live_NEWKEY"));
}

#[test]
fn api_key_list_and_revoke() {
    let mut server = Server::new();
    let list = server
        .mock("GET", "/v1/api-keys")
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .match_header("soku-api-key", Matcher::Missing)
        .match_header("content-type", Matcher::Missing)
        .match_body("")
        .with_body(
            r#"{"apiKeys":[{"id":"key_1","name":"Prod","createdAt":"2026-01-01T00:00:00Z","revokedAt":null,"status":"active","keyPreview":"sk_live_ab…","scopes":["posts"]}],"total":1}"#,
        )
        .expect(1)
        .create();
    let resp = client(&server.url()).list_api_keys().unwrap();
    list.assert();
    let k = &resp.keys[0];
    assert_eq!(k.id, "key_1");
    assert_eq!(k.name.as_deref(), Some("Prod"));
    assert_eq!(k.created_at.as_deref(), Some("2026-01-01T00:00:00Z"));
    assert_eq!(k.revoked_at, None);
    assert_eq!(k.status.as_deref(), Some("active"));
    assert_eq!(k.preview.as_deref(), Some("sk_live_ab…"));
    assert_eq!(k.extra["scopes"], json!(["posts"]));
    assert_eq!(resp.extra["total"], 1);

    let revoke = server
        .mock("DELETE", "/v1/api-keys/key_old_id_here")
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .match_header("soku-api-key", Matcher::Missing)
        .match_header("idempotency-key", Matcher::Missing)
        .with_status(204)
        .expect(1)
        .create();
    let resp = client(&server.url())
        .revoke_api_key("key_old_id_here")
        .unwrap();
    revoke.assert();
    assert_eq!(resp.meta().status, 204);
    assert_eq!(resp.meta().attempts, 1);

    let encoded = server
        .mock("DELETE", "/v1/api-keys/a%2Fb%20c")
        .with_status(204)
        .expect(1)
        .create();
    client(&server.url()).revoke_api_key("a/b c").unwrap();
    encoded.assert();
}

#[test]
fn api_key_ids_may_be_numbers_and_odd_metadata_never_loses_the_key() {
    let mut server = Server::new();
    let create = server
        .mock("POST", "/v1/api-keys")
        .with_status(201)
        .with_body(
            r#"{"apiKey":"sk_live_NUMERIC","id":42,"name":{"label":"odd"},"createdAt":1764576000}"#,
        )
        .expect(1)
        .create();
    let c = client(&server.url());
    let resp = c.create_api_key(&CreateApiKey::new()).unwrap();
    assert_eq!(resp.api_key.expose(), "sk_live_NUMERIC");
    assert_eq!(resp.id.as_deref(), Some("42"));
    assert_eq!(resp.meta().attempts, 1);
    create.assert();

    // An id of an unexpected type is dropped; the key is still returned.
    let odd = server
        .mock("POST", "/v1/api-keys")
        .with_status(201)
        .with_body(r#"{"apiKey":"sk_live_ODD","id":{"v":1}}"#)
        .expect(1)
        .create();
    let resp = c.create_api_key(&CreateApiKey::new()).unwrap();
    odd.assert();
    assert_eq!(resp.api_key.expose(), "sk_live_ODD");
    assert_eq!(resp.id, None);

    server
        .mock("GET", "/v1/api-keys")
        .with_body(
            r#"{"apiKeys":[{"id":7,"name":5,"createdAt":1764576000,"revokedAt":false,"status":["active"],"keyPreview":null},{"id":"key_2"}]}"#,
        )
        .create();
    let resp = c.list_api_keys().unwrap();
    let k = &resp.keys[0];
    assert_eq!(k.id, "7");
    assert_eq!(k.name.as_deref(), Some("5"));
    assert_eq!(k.created_at.as_deref(), Some("1764576000"));
    assert_eq!(
        (&k.revoked_at, &k.status, &k.preview),
        (&None, &None, &None)
    );
    assert_eq!(resp.keys[1].id, "key_2");
    assert_eq!(
        serde_json::to_value(k).unwrap(),
        json!({"id": "7", "name": "5", "createdAt": "1764576000"})
    );
}

#[test]
fn custom_user_agent_goes_out_on_the_wire() {
    const UA: &str = "acme-scheduler/2.1 (+https://acme.example)";
    let mut server = Server::new();
    let posts = server
        .mock("POST", "/v1/posts")
        .match_header("user-agent", UA)
        .with_body(r#"{"postSubmissionId":"ps_ua"}"#)
        .expect(2)
        .create();
    let keys = server
        .mock("GET", "/v1/api-keys")
        .match_header("user-agent", UA)
        .with_body("[]")
        .expect(1)
        .create();
    let c = builder(&server.url()).user_agent(UA).build().unwrap();
    let post = CreatePost::text("hi", [Platform::X]);
    c.create_post(&post).unwrap();
    c.with_api_key("sk_live_other").create_post(&post).unwrap();
    c.list_api_keys().unwrap();
    posts.assert();
    keys.assert();
}

#[test]
fn call_options_token_and_other_key_override() {
    let mut server = Server::new();
    let m = server
        .mock("GET", "/v1/api-keys")
        .match_header("authorization", "Bearer other-token")
        .with_body("[]")
        .expect(1)
        .create();
    let resp = client(&server.url())
        .list_api_keys_with(&CallOptions::new().firebase_token("other-token"))
        .unwrap();
    m.assert();
    assert!(resp.keys.is_empty());

    // A client with no token of its own works with a per-call token.
    let no_token = soku::Client::builder()
        .base_url(server.url())
        .build()
        .unwrap();
    let m = server
        .mock("GET", "/v1/api-keys")
        .match_header("authorization", "Bearer per-call")
        .with_body(r#"{"keys":[]}"#)
        .expect(1)
        .create();
    no_token
        .list_api_keys_with(&CallOptions::new().firebase_token("per-call"))
        .unwrap();
    m.assert();

    let m = server
        .mock("POST", "/v1/posts")
        .match_header("soku-api-key", "sk_live_second")
        .with_body(r#"{"postSubmissionId":"ps_2"}"#)
        .expect(1)
        .create();
    let second = client(&server.url()).with_api_key("sk_live_second");
    let post = CreatePost::new(
        PostContent::new([Platform::Threads])
            .text("Key rotation verification")
            .media_type(MediaType::Text),
    );
    assert_eq!(
        second.create_post(&post).unwrap().post_submission_id,
        "ps_2"
    );
    m.assert();
}

#[test]
fn client_is_send_sync_clone() {
    fn check<T: Send + Sync + Clone + 'static>() {}
    check::<soku::Client>();
    check::<soku::Error>();
}

#[test]
fn one_keep_alive_connection_is_shared_by_clones_and_other_keys() {
    let server = core_support::RawServer::start(core_support::keep_alive);
    let c = client(&server.url);
    let post = CreatePost::text("hi", [Platform::X]);
    for _ in 0..3 {
        assert_eq!(c.create_post(&post).unwrap().post_submission_id, "ps_ka");
    }
    c.clone().list_api_keys().unwrap();
    c.with_api_key("sk_live_other").create_post(&post).unwrap();
    std::thread::spawn({
        let c = c.clone();
        move || {
            c.create_post(&CreatePost::text("hi", [Platform::X]))
                .unwrap()
        }
    })
    .join()
    .unwrap();
    assert_eq!(server.connections(), 1);
}
