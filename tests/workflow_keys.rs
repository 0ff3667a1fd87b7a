//! Idempotency keys a workflow derives from the caller's key (`-<i>`, `:verify`, `:media:<i>`,
//! `:post`) are checked before the first request: a base key too long (or blank) for any step
//! fails with `invalid_argument` and the server sees nothing.

mod workflow_support;

use soku::workflows::{
    BatchOptions, PublishWithMedia, PublishWithTemplate, RotateApiKey, VerifyMode,
};
use soku::{CallOptions, Error, MediaType, Platform, PostContent, RenderTemplate};
use soku_sandbox::Sandbox;
use workflow_support::{client, text_post};

fn assert_refused_before_io(sb: &Sandbox, result: Result<impl std::fmt::Debug, Error>, n: usize) {
    let err = result.unwrap_err();
    assert_eq!(err.kind(), soku::ErrorKind::InvalidArgument, "{err:?}");
    assert!(err.meta().is_none());
    assert!(
        err.message()
            .starts_with("idempotency key is too long for this workflow: with the step suffix"),
        "{err}"
    );
    assert!(
        err.message().contains(&format!("would be {n} characters")),
        "{err}"
    );
    assert!(sb.requests().is_empty(), "{:?}", sb.requests());
}

#[test]
fn rotation_with_a_too_long_base_key_creates_and_revokes_nothing() {
    let sb = Sandbox::start().unwrap();
    let key = "k".repeat(250);
    let opts = CallOptions::new().idempotency_key(key.as_str());
    let req = RotateApiKey::new(sb.default_key_id());
    assert_refused_before_io(&sb, client(&sb).rotate_api_key(&req, &opts), 257);
    // Without verification the key is never sent: nothing to refuse.
    let none = RotateApiKey::new(sb.default_key_id()).verify(VerifyMode::None);
    assert!(client(&sb).rotate_api_key(&none, &opts).is_ok());
}

#[test]
fn a_batch_with_a_too_long_base_key_fails_up_front() {
    let sb = Sandbox::start().unwrap();
    let posts: Vec<_> = (0..11).map(text_post).collect();
    // "-10" makes 256.
    let opts = CallOptions::new().idempotency_key("k".repeat(253));
    assert_refused_before_io(
        &sb,
        client(&sb).publish_batch_with(&posts, BatchOptions::new().call_options(opts.clone())),
        256,
    );
    // "-9" on ten posts fits exactly.
    let report = client(&sb)
        .publish_batch_with(&posts[..10], BatchOptions::new().call_options(opts))
        .unwrap();
    assert_eq!(report.summary.succeeded, 10);
}

#[test]
fn media_and_template_workflows_check_every_step_key_first() {
    let sb = Sandbox::start().unwrap();
    let post = PostContent::new([Platform::X])
        .text("hi")
        .media_type(MediaType::Image);
    let urls: Vec<String> = (0..10)
        .map(|i| format!("https://example.com/{i}.png"))
        .collect();
    let media = PublishWithMedia::new(urls, post.clone());
    // ":media:9" (8 characters) on a 248-character key makes 256.
    let opts = CallOptions::new().idempotency_key("k".repeat(248));
    assert_refused_before_io(&sb, client(&sb).publish_with_media(&media, &opts), 256);
    let template = PublishWithTemplate::new(RenderTemplate::new("tweetImage"), post);
    let opts = CallOptions::new().idempotency_key("k".repeat(251));
    assert_refused_before_io(
        &sb,
        client(&sb).publish_with_template(&template, &opts),
        256,
    );
}

#[test]
fn a_blank_base_key_is_refused_by_every_workflow() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    let opts = CallOptions::new().idempotency_key(" ");
    let errors = [
        c.rotate_api_key(&RotateApiKey::new(sb.default_key_id()), &opts)
            .map(|_| ())
            .unwrap_err(),
        c.publish_batch_with(
            &[text_post(0)],
            BatchOptions::new().call_options(opts.clone()),
        )
        .map(|_| ())
        .unwrap_err(),
    ];
    for err in errors {
        assert_eq!(err.kind(), soku::ErrorKind::InvalidArgument);
        assert!(
            err.message().starts_with("idempotency key must be"),
            "{err}"
        );
    }
    assert!(sb.requests().is_empty());
}
