//! publish_with_media / publish_with_template against the sandbox, and retries that must not
//! publish twice.

mod workflow_support;

use serde_json::json;
use soku::workflows::{PublishWithMedia, PublishWithTemplate};
use soku::{
    CallOptions, CreatePost, ErrorCode, MediaType, Platform, PlatformTarget, PostContent,
    RenderTemplate,
};
use soku_sandbox::{Fault, Sandbox};
use workflow_support::{client, requests_to};

fn images_post() -> PostContent {
    PostContent::new([Platform::LinkedIn]).text("Behind the scenes")
}

fn video_post() -> PostContent {
    PostContent::new([
        PlatformTarget::account(Platform::Instagram, "ig_main"),
        Platform::YouTube.into(),
    ])
    .text("Watch our full product walkthrough")
    .media_type(MediaType::Video)
}

fn keys(sb: &Sandbox, path: &str) -> Vec<String> {
    requests_to(sb, "POST", path)
        .iter()
        .map(|r| r.header("idempotency-key").unwrap_or_default().to_string())
        .collect()
}

#[test]
fn a_post_hit_by_500_after_processing_is_retried_with_the_same_key_and_published_once() {
    let sb = Sandbox::start().unwrap();
    sb.inject(
        "/v1/posts",
        Fault::status(500, "internal_error").after_processing(),
    );

    let resp = client(&sb)
        .create_post(&CreatePost::text("retry me", [Platform::X]))
        .unwrap();

    assert_eq!(resp.meta.attempts, 2);
    // One call: no `calls` count, in Rust or in the document.
    assert_eq!(resp.meta.calls, None);
    let doc = serde_json::to_value(soku::ffi::document::SuccessDocument::new(&resp)).unwrap();
    assert!(doc["meta"].get("calls").is_none(), "{doc}");
    let sent = keys(&sb, "/v1/posts");
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0], sent[1]);
    assert_eq!(resp.meta.idempotency_key.as_deref(), Some(sent[0].as_str()));
    assert_eq!(sb.submissions().len(), 1);
}

#[test]
fn images_are_imported_then_published_with_the_hosted_urls() {
    let sb = Sandbox::start().unwrap();
    let req = PublishWithMedia::new(
        ["https://example.com/a.jpg", "https://example.com/b.jpg"],
        images_post(),
    );

    let resp = client(&sb)
        .publish_with_media(&req, &CallOptions::new().idempotency_key("launch"))
        .unwrap();

    assert_eq!(resp.media.len(), 2);
    assert_ne!(resp.media[0].url, "https://example.com/a.jpg");
    let subs = sb.submissions();
    assert_eq!(subs.len(), 1);
    let content = &subs[0]["post"]["content"];
    assert_eq!(content["mediaType"], "image");
    assert_eq!(
        content["imageUrls"],
        json!([resp.media[0].url, resp.media[1].url])
    );
    assert_eq!(content["text"], "Behind the scenes");
    assert_eq!(keys(&sb, "/v1/media"), ["launch:media:0", "launch:media:1"]);
    assert_eq!(keys(&sb, "/v1/posts"), ["launch:post"]);
    assert_eq!(resp.meta.idempotency_key.as_deref(), Some("launch"));
    // Three calls (two imports and the post), each one HTTP attempt: no retry.
    assert_eq!(resp.meta.calls, Some(3));
    assert_eq!(resp.meta.attempts, 3);
    let doc = serde_json::to_value(soku::ffi::document::SuccessDocument::new(&resp)).unwrap();
    assert_eq!(doc["meta"]["calls"], 3);
    assert_eq!(doc["meta"]["attempts"], 3);
    let json = serde_json::to_value(&resp.data).unwrap();
    assert_eq!(
        json["post"]["postSubmissionId"].as_str(),
        Some(resp.post.post_submission_id.as_str())
    );
    assert_eq!(
        json["media"][1]["url"].as_str(),
        Some(resp.media[1].url.as_str())
    );
}

#[test]
fn a_video_gets_the_hosted_url_as_video_url_and_the_schedule_is_kept() {
    let sb = Sandbox::start().unwrap();
    let client = client(&sb);
    let mut req = PublishWithMedia::new(["https://example.com/demo.mp4"], video_post())
        .scheduled_time("2030-01-01T09:00:00.000Z");
    req.extra.insert("trial_reel".into(), json!(false));

    let resp = client
        .publish_with_media(&req, &CallOptions::new())
        .unwrap();

    let sub = &sb.submissions()[0];
    assert_eq!(
        sub["post"]["content"]["videoUrl"].as_str(),
        Some(resp.media[0].url.as_str())
    );
    assert_eq!(sub["post"]["content"]["mediaType"], "video");
    assert!(sub["post"]["content"].get("imageUrls").is_none());
    assert_eq!(sub["scheduledTime"], "2030-01-01T09:00:00.000Z");
    assert_eq!(sub["trial_reel"], false);
    // A fresh base key was made and every step derived from it.
    let base = resp.meta.idempotency_key.clone().unwrap();
    assert_eq!(keys(&sb, "/v1/media"), [format!("{base}:media:0")]);
    assert_eq!(keys(&sb, "/v1/posts"), [format!("{base}:post")]);
}

#[test]
fn dropped_connections_after_processing_publish_once_and_import_each_media_once() {
    let sb = Sandbox::start().unwrap();
    let client = client(&sb);
    sb.inject("/v1/media", Fault::drop_connection().after_processing());
    sb.inject("/v1/posts", Fault::drop_connection().after_processing());
    let req = PublishWithMedia::new(
        ["https://example.com/a.jpg", "https://example.com/b.jpg"],
        images_post(),
    );
    let opts = CallOptions::new().idempotency_key("drop-1");

    let first = client.publish_with_media(&req, &opts).unwrap();

    assert_eq!(sb.submissions().len(), 1);
    // The first import was sent twice with the same key (and answered from the stored import).
    assert_eq!(
        keys(&sb, "/v1/media"),
        ["drop-1:media:0", "drop-1:media:0", "drop-1:media:1"]
    );
    assert_eq!(keys(&sb, "/v1/posts"), ["drop-1:post", "drop-1:post"]);
    assert_eq!(first.meta.attempts, 5);

    // Running the whole call again with the same key: same media, same post, nothing new.
    let again = client.publish_with_media(&req, &opts).unwrap();
    assert_eq!(again.media, first.media);
    assert_eq!(again.post.post_submission_id, first.post.post_submission_id);
    assert_eq!(sb.submissions().len(), 1);
}

#[test]
fn a_failure_after_the_imports_carries_the_base_key_and_a_rerun_with_it_repeats_nothing() {
    let sb = Sandbox::start().unwrap();
    let client = client(&sb);
    // The post is stored, but its answer is lost (and not retried): the caller sees an error.
    sb.inject(
        "/v1/posts",
        Fault::status(500, "internal_error").after_processing(),
    );
    let req = PublishWithMedia::new(
        ["https://example.com/a.jpg", "https://example.com/b.jpg"],
        images_post(),
    );

    // No key from the caller: the workflow made one up, and the error must say which.
    let err = client
        .publish_with_media(&req, &CallOptions::new().max_retries(0))
        .unwrap_err();

    assert_eq!(err.status(), Some(500));
    let base = err.meta().unwrap().idempotency_key.clone().unwrap();
    assert_eq!(
        keys(&sb, "/v1/media"),
        [format!("{base}:media:0"), format!("{base}:media:1")]
    );
    assert_eq!(keys(&sb, "/v1/posts"), [format!("{base}:post")]);
    assert_eq!(sb.submissions().len(), 1);

    // Retrying the whole call with that key: the stored imports and the stored post come back.
    let again = client
        .publish_with_media(&req, &CallOptions::new().idempotency_key(base.clone()))
        .unwrap();
    assert_eq!(again.meta.idempotency_key.as_deref(), Some(base.as_str()));
    let subs = sb.submissions();
    assert_eq!(subs.len(), 1, "no second submission");
    // The post the first run stored used the same hosted media the re-run got back, so nothing
    // was imported anew (new imports would have other URLs, and the post key a 409).
    assert_eq!(
        subs[0]["post"]["content"]["imageUrls"],
        json!([again.media[0].url, again.media[1].url])
    );
    assert_eq!(
        keys(&sb, "/v1/media"),
        [0, 1, 0, 1].map(|i| format!("{base}:media:{i}"))
    );
    // The C ABI's error JSON carries the same key in its meta.
    assert_eq!(
        serde_json::to_value(err.meta().unwrap()).unwrap()["idempotencyKey"],
        base.as_str()
    );
}

#[test]
fn unusable_media_input_sends_nothing() {
    let sb = Sandbox::start().unwrap();
    let client = client(&sb);
    let two_videos = PublishWithMedia::new(
        ["https://a.example/1.mp4", "https://a.example/2.mp4"],
        video_post(),
    );
    let err = client
        .publish_with_media(&two_videos, &CallOptions::new())
        .unwrap_err();
    assert_eq!(err.kind(), soku::ErrorKind::InvalidArgument);
    let err = client
        .publish_with_media(
            &PublishWithMedia::new(["not a url"], images_post()),
            &CallOptions::new(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), soku::ErrorKind::InvalidArgument);
    assert!(sb.requests().is_empty());
}

#[test]
fn a_failed_import_stops_before_the_post() {
    let sb = Sandbox::start().unwrap();
    let req = PublishWithMedia::new(
        ["https://example.com/a.jpg", "https://cdn.invalid/b.jpg"],
        images_post(),
    );
    let err = client(&sb)
        .publish_with_media(&req, &CallOptions::new())
        .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::UploadFailed));
    assert!(requests_to(&sb, "POST", "/v1/posts").is_empty());
}

#[test]
fn a_template_is_rendered_then_published_as_an_image_post() {
    let sb = Sandbox::start().unwrap();
    let template =
        RenderTemplate::new("tweetImage").config(json!({"title": "5 Lessons", "theme": "dark"}));
    let req = PublishWithTemplate::new(
        template,
        PostContent::new([Platform::X, Platform::LinkedIn]).text("5 Lessons — a thread."),
    );

    let resp = client(&sb)
        .publish_with_template(&req, &CallOptions::new().idempotency_key("og-1"))
        .unwrap();

    let rendered = &requests_to(&sb, "POST", "/v1/templates")[0];
    assert_eq!(rendered.json().unwrap()["templateSlug"], "tweetImage");
    assert_eq!(rendered.header("idempotency-key"), None);
    let sub = &sb.submissions()[0];
    assert_eq!(sub["post"]["content"]["mediaType"], "image");
    assert_eq!(
        sub["post"]["content"]["imageUrls"],
        json!([resp.template.url])
    );
    assert_eq!(keys(&sb, "/v1/posts"), ["og-1:post"]);
    assert_eq!(resp.meta.attempts, 2);
    let json = serde_json::to_value(&resp.data).unwrap();
    assert_eq!(
        json["template"]["url"].as_str(),
        Some(resp.template.url.as_str())
    );
}

#[test]
fn a_template_post_retried_with_its_key_never_publishes_twice() {
    let sb = Sandbox::start().unwrap();
    let client = client(&sb);
    sb.inject(
        "/v1/posts",
        Fault::status(500, "internal_error").after_processing(),
    );
    let req = PublishWithTemplate::new(
        RenderTemplate::new("tweetImage"),
        PostContent::new([Platform::X]).text("rendered"),
    );
    let opts = CallOptions::new().idempotency_key("og-2");

    let resp = client.publish_with_template(&req, &opts).unwrap();
    assert_eq!(resp.meta.attempts, 3, "render + two post attempts");
    assert_eq!(sb.submissions().len(), 1);

    // The whole call again: the sandbox renders a new URL, so the same post key now comes with
    // another body and the server refuses it rather than publishing a second post.
    let err = client.publish_with_template(&req, &opts).unwrap_err();
    assert_eq!(err.status(), Some(409));
    assert_eq!(err.code().map(|c| c.as_str()), Some("idempotency_conflict"));
    assert_eq!(sb.submissions().len(), 1);
}

#[test]
fn an_unknown_template_is_an_api_error_and_nothing_is_published() {
    let sb = Sandbox::start().unwrap();
    let req = PublishWithTemplate::new(
        RenderTemplate::new("noSuchTemplate"),
        PostContent::new([Platform::X]).text("t"),
    );
    let err = client(&sb)
        .publish_with_template(&req, &CallOptions::new())
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.code().map(|c| c.as_str()), Some("template_not_found"));
    assert!(requests_to(&sb, "POST", "/v1/posts").is_empty());
    // The render step has no key of its own; the error still carries the base key to retry with.
    let base = err.meta().unwrap().idempotency_key.as_deref().unwrap();
    assert!(uuid::Uuid::parse_str(base).is_ok(), "{base}");
}

#[test]
fn a_workflow_counts_its_calls_apart_from_the_http_attempts() {
    let sb = Sandbox::start().unwrap();
    // The import is answered 503 once (retried: it carries a key), the post goes through.
    sb.inject("/v1/media", Fault::status(503, "internal_error"));
    let req = PublishWithMedia::new(["https://example.com/a.jpg"], images_post());

    let resp = client(&sb)
        .publish_with_media(&req, &CallOptions::new())
        .unwrap();

    assert_eq!(resp.meta.calls, Some(2), "one import and the post");
    assert_eq!(
        resp.meta.attempts, 3,
        "the import's two attempts and the post's one"
    );
    assert_eq!(
        requests_to(&sb, "POST", "/v1/media").len() + requests_to(&sb, "POST", "/v1/posts").len(),
        3
    );
}
