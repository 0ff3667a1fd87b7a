//! The examples' own code, run against the sandbox: each workflow of the vendor's code-examples
//! page end to end, with the exact bodies that page sends (`tests/documented/`).

// Every example declares `mod common;` so that it runs alone; included here, each brings its
// own copy.
#![allow(clippy::duplicate_mod)]

mod documented;
mod workflow_support;

#[path = "../examples/common/mod.rs"]
mod common;

#[allow(dead_code)]
#[path = "../examples/batch_publish.rs"]
mod batch_publish;
#[allow(dead_code)]
#[path = "../examples/error_handling.rs"]
mod error_handling;
#[allow(dead_code)]
#[path = "../examples/image_post.rs"]
mod image_post;
#[allow(dead_code)]
#[path = "../examples/quickstart.rs"]
mod quickstart;
#[allow(dead_code)]
#[path = "../examples/rotate_key.rs"]
mod rotate_key;
#[allow(dead_code)]
#[path = "../examples/schedule_post.rs"]
mod schedule_post;
#[allow(dead_code)]
#[path = "../examples/template_post.rs"]
mod template_post;
#[allow(dead_code)]
#[path = "../examples/text_post.rs"]
mod text_post;
#[allow(dead_code)]
#[path = "../examples/transcribe.rs"]
mod transcribe;
#[allow(dead_code)]
#[path = "../examples/video_post.rs"]
mod video_post;

use serde_json::json;
use soku_sandbox::{Fault, Sandbox};
use workflow_support::{builder, client, requests_to};

fn sandbox() -> Sandbox {
    Sandbox::start().expect("sandbox")
}

#[test]
fn text_post_sends_the_documented_body() {
    let sb = sandbox();
    let resp = text_post::run(&client(&sb)).unwrap();
    assert_eq!(sb.submissions(), [documented::text_post()]);
    assert!(!resp.post_submission_id.is_empty());
}

#[test]
fn video_post_imports_then_publishes_to_accounts_and_names() {
    let sb = sandbox();
    let resp = video_post::run(&client(&sb)).unwrap();
    let import = &requests_to(&sb, "POST", "/v1/media")[0];
    assert_eq!(
        import.json().unwrap(),
        json!({"url": "https://example.com/videos/product-demo.mp4"})
    );
    assert_eq!(
        sb.submissions(),
        [documented::video_post(&resp.media[0].url)]
    );
}

#[test]
fn image_post_sends_the_documented_body() {
    let sb = sandbox();
    image_post::run(&client(&sb)).unwrap();
    assert_eq!(sb.submissions(), [documented::image_post()]);
}

#[test]
fn template_post_renders_the_documented_template_then_publishes_it() {
    let sb = sandbox();
    let resp = template_post::run(&client(&sb)).unwrap();
    let render = &requests_to(&sb, "POST", "/v1/templates")[0];
    assert_eq!(
        render.json().unwrap(),
        json!({"templateSlug": "tweetImage", "config": {
            "title": "5 Lessons From Building in Public", "author": "Soku Team", "theme": "dark"
        }})
    );
    assert_eq!(
        sb.submissions(),
        [json!({"post": {"content": {
            "text": "5 Lessons From Building in Public — a thread.",
            "mediaType": "image",
            "imageUrls": [resp.template.url],
            "platform": ["x", "linkedin"]
        }}})]
    );
}

#[test]
fn transcribe_uses_the_episode_and_date_key_so_a_rerun_is_the_same_job() {
    let sb = sandbox();
    let client = client(&sb);
    let first = transcribe::run(&client).unwrap();
    let again = transcribe::run(&client).unwrap();
    assert_eq!(first.job_id, again.job_id);
    let sent = requests_to(&sb, "POST", "/v1/ai/transcribe");
    let key = format!("ep42-transcribe-{}", common::today_yyyymmdd());
    assert_eq!(sent.len(), 2);
    assert!(
        sent.iter()
            .all(|r| r.header("idempotency-key") == Some(key.as_str()))
    );
    assert_eq!(
        sent[0].json().unwrap(),
        json!({"mediaId": "media_f7e8d9c0b3c4", "language": "en", "model": "whisper-1", "durationSeconds": 600})
    );
    assert_eq!(key.len(), "ep42-transcribe-".len() + 8);
}

#[test]
fn schedule_post_uses_a_time_computed_from_now() {
    let sb = sandbox();
    schedule_post::run(&client(&sb)).unwrap();
    let sub = &sb.submissions()[0];
    let when = sub["scheduledTime"].as_str().unwrap().to_string();
    // Same fixed-width format, so the strings compare as the instants do.
    assert!(when > common::rfc3339_in(60), "{when}");
    assert!(when <= common::rfc3339_in(3600), "{when}");
    assert_eq!(
        sub["post"]["content"]["text"],
        "Happy Monday! Here is your weekly dose of motivation."
    );
}

#[test]
fn error_handling_survives_a_500_after_processing_and_meets_both_special_cases() {
    let sb = sandbox();
    let resp = error_handling::run(builder(&sb), Some(&sb)).unwrap();
    assert_eq!(resp.meta.attempts, 2);
    assert_eq!(
        error_handling::count_text(&sb, error_handling::POST_TEXT),
        1
    );
    let key = resp.meta.idempotency_key.as_deref();
    let posts = requests_to(&sb, "POST", "/v1/posts");
    assert_eq!(posts.len(), 2);
    assert!(posts.iter().all(|r| r.header("idempotency-key") == key));
    // The insufficient_credits transcription was sent.
    let long = &requests_to(&sb, "POST", "/v1/ai/transcribe")[0];
    assert_eq!(long.json().unwrap()["durationSeconds"], 10_000_000);
}

#[test]
fn batch_publish_schedules_the_three_documented_posts_on_consecutive_days() {
    let sb = sandbox();
    let report = batch_publish::run(&client(&sb)).unwrap();
    assert_eq!(report.summary.succeeded, 3);
    let subs = sb.submissions();
    let times: Vec<&str> = subs
        .iter()
        .map(|s| s["scheduledTime"].as_str().unwrap())
        .collect();
    assert!(times[0] > common::rfc3339_in(86_000).as_str());
    assert!(times[0] < times[1] && times[1] < times[2]);
    assert_eq!(
        subs[2]["post"]["content"]["text"],
        "Wednesday wisdom: ship it, then improve."
    );
}

#[test]
fn rotate_key_revokes_the_default_key() {
    let sb = sandbox();
    let client = client(&sb);
    let rotated = rotate_key::run(&client, sb.default_key_id(), false).unwrap();
    assert_eq!(
        requests_to(&sb, "POST", "/v1/api-keys")[0].json().unwrap(),
        json!({"name": "Production Server (rotated)"})
    );
    assert_eq!(
        post_as(&client, sb.api_key()).unwrap_err().status(),
        Some(401)
    );
    post_as(&client, rotated.api_key.expose()).unwrap();
}

/// Publishes a text post with `client`'s configuration and `api_key`.
fn post_as(
    client: &soku::Client,
    api_key: &str,
) -> soku::Result<soku::Response<soku::PostSubmission>> {
    client
        .with_api_key(api_key)
        .create_post(&soku::CreatePost::text(
            "after rotation",
            [soku::Platform::X],
        ))
}

#[test]
fn rotate_key_reports_a_failed_revocation_and_keeps_the_new_key() {
    let sb = sandbox();
    let client = client(&sb);
    sb.inject(
        &format!("/v1/api-keys/{}", sb.default_key_id()),
        Fault::status(404, "not_found").method("DELETE"),
    );
    let rotated = rotate_key::run(&client, sb.default_key_id(), false).unwrap();
    assert!(!rotated.revoked);
    post_as(&client, rotated.api_key.expose()).expect("the new key works");
    post_as(&client, sb.api_key()).expect("the old key works");
}

#[test]
fn rotate_key_prints_the_whole_key_only_when_asked() {
    let key = "sk_live_0123456789abcdefghij";
    let preview = rotate_key::key_line(key, false);
    assert!(!preview.contains(key), "{preview}");
    assert!(preview.contains("sk_live_0123…"), "{preview}");
    assert!(rotate_key::key_line(key, true).contains(key));

    let args = |a: &[&str]| {
        a.iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .into_iter()
    };
    assert!(!rotate_key::print_key_wanted(args(&[]), None));
    assert!(!rotate_key::print_key_wanted(
        args(&["--verbose"]),
        Some("0".into())
    ));
    assert!(rotate_key::print_key_wanted(args(&["--print-key"]), None));
    assert!(rotate_key::print_key_wanted(args(&[]), Some("1".into())));
}

#[test]
fn quickstart_runs_all_nine_workflows() {
    let sb = sandbox();
    quickstart::run(
        &client(&sb),
        builder(&sb),
        Some(&sb),
        Some(sb.default_key_id()),
    )
    .unwrap();
    let paths: Vec<String> = sb
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    for want in [
        "POST /v1/media",
        "POST /v1/templates",
        "POST /v1/ai/transcribe",
        "POST /v1/api-keys",
        "DELETE /v1/api-keys/key_sandbox_default",
    ] {
        assert!(
            paths.iter().any(|p| p == want),
            "{want} missing from {paths:?}"
        );
    }
    // text, video, image, template, schedule, error handling (once despite its retry), 3 batch.
    assert_eq!(sb.submissions().len(), 9);
}
