//! `Client::plan`: the requests it records are the ones the same call sends (compared with what
//! the sandbox recorded, body bytes included), it sends nothing, it refuses what the call
//! refuses with the same error, and it never shows a credential.

mod workflow_support;

use soku::endpoint::{self, Method};
use soku::plan::{Plan, REDACTED};
use soku::workflows::{BatchOptions, PublishWithMedia, PublishWithTemplate, RotateApiKey};
use soku::{CallOptions, Client, CreatePost, ErrorKind, MediaType, Platform, PostContent};
use soku::{RenderTemplate, Result};
use soku_sandbox::Sandbox;
use workflow_support::{client, text_post};

/// (method, path, body bytes, idempotency key) of each request.
type Wire = Vec<(String, String, Vec<u8>, Option<String>)>;

fn planned(plan: &Plan, base: &str) -> Wire {
    plan.requests
        .iter()
        .map(|r| {
            assert_eq!(r.url, format!("{base}{}", r.path));
            assert_eq!(r.method, r.endpoint.method);
            (
                r.method.as_str().to_owned(),
                r.path.clone(),
                r.body.clone().unwrap_or_default(),
                r.idempotency_key.clone(),
            )
        })
        .collect()
}

fn sent(sb: &Sandbox) -> Wire {
    sb.requests()
        .into_iter()
        .map(|r| {
            let key = r.header("idempotency-key").map(str::to_owned);
            (r.method, r.path, r.body.into_bytes(), key)
        })
        .collect()
}

/// Plans `call`, checks that nothing was sent, runs it, and returns (planned, sent).
fn both<T>(sb: &Sandbox, c: &Client, call: impl Fn(&Client) -> Result<T>) -> (Wire, Wire) {
    sb.reset();
    let plan = c.plan(&call).expect("plan");
    assert!(sb.requests().is_empty(), "a plan sent {:?}", sb.requests());
    call(c).map(|_| ()).expect("the real call");
    (planned(&plan, sb.url()), sent(sb))
}

#[test]
fn plans_equal_what_is_sent_byte_for_byte() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    let key = |k: &str| CallOptions::new().idempotency_key(k);

    // One call each, and the batch with its derived keys.
    let post = CreatePost::text("Planned", [Platform::X, Platform::Threads]);
    let (p, s) = both(&sb, &c, |c| c.create_post_with(&post, &key("P")));
    assert_eq!(p, s);
    let posts = [text_post(0), text_post(1), text_post(2)];
    let (p, s) = both(&sb, &c, |c| {
        c.publish_batch_with(&posts, BatchOptions::new().call_options(key("B")))
    });
    assert_eq!(p, s);
    let keys: Vec<_> = p.iter().map(|r| r.3.as_deref()).collect();
    assert_eq!(keys, [Some("B-0"), Some("B-1"), Some("B-2")]);

    // Rotation: list, create, the probe (its exact bytes), revoke.
    let rotate = RotateApiKey::new(sb.default_key_id());
    let (p, s) = both(&sb, &c, |c| c.rotate_api_key(&rotate, &key("R")));
    assert_eq!(p, s);
    let steps: Vec<_> = p.iter().map(|r| format!("{} {}", r.0, r.1)).collect();
    let revoke = format!("DELETE /v1/api-keys/{}", sb.default_key_id());
    assert_eq!(
        steps,
        [
            "GET /v1/api-keys",
            "POST /v1/api-keys",
            "POST /v1/posts",
            revoke.as_str()
        ]
    );
    assert_eq!(p[2].3.as_deref(), Some("R:verify"));

    // Render then post: the post carries the rendered URL (a stand-in in the plan).
    let template = PublishWithTemplate::new(
        RenderTemplate::new("quoteCard"),
        PostContent::new([Platform::X]).text("T"),
    );
    let (p, s) = both(&sb, &c, |c| c.publish_with_template(&template, &key("T")));
    assert_eq!(p[0], s[0]);
    assert_eq!((&p[1].1, &p[1].3), (&s[1].1, &s[1].3));
    assert_eq!(p.len(), 2);
    assert_eq!(s.len(), 2);

    // Upload(s) then post, keys derived per step.
    let media = PublishWithMedia::new(
        ["https://a.example/1.png", "https://a.example/2.png"],
        PostContent::new([Platform::X])
            .text("M")
            .media_type(MediaType::Image),
    );
    let (p, s) = both(&sb, &c, |c| c.publish_with_media(&media, &key("M")));
    assert_eq!(p[..2], s[..2]);
    let keys: Vec<_> = p.iter().map(|r| r.3.as_deref()).collect();
    assert_eq!(keys, [Some("M:media:0"), Some("M:media:1"), Some("M:post")]);
    assert_eq!(s.len(), 3);
}

#[test]
fn a_plan_refuses_what_the_call_refuses() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    // An id is one encoded path segment; `.` and `..` are refused before anything is sent.
    let plan = c.plan(|c| c.revoke_api_key("a/b")).unwrap();
    assert_eq!(plan.requests[0].path, "/v1/api-keys/a%2Fb");
    assert_eq!(plan.requests[0].endpoint, endpoint::REVOKE_API_KEY);
    for id in ["..", ".", " "] {
        let planned = c.plan(|c| c.revoke_api_key(id)).unwrap_err();
        let real = c.revoke_api_key(id).unwrap_err();
        assert_eq!(planned.kind(), ErrorKind::InvalidArgument, "{id:?}");
        assert_eq!(planned.to_string(), real.to_string(), "{id:?}");
    }
    let bad = CreatePost::text("", [Platform::X]);
    let planned = c.plan(|c| c.create_post(&bad)).unwrap_err();
    assert_eq!(
        planned.to_string(),
        c.create_post(&bad).unwrap_err().to_string()
    );
    // A batch's validate() is the check each post gets: the same message, with its index.
    let batch = soku::workflows::PublishBatch {
        posts: vec![text_post(0), bad.clone()],
    };
    let e = batch.validate(true).unwrap_err();
    let report = c.publish_batch(&batch.posts).unwrap().data;
    let item_error = report.results[1].error().unwrap().message();
    assert_eq!(e.message(), format!("posts[1]: {item_error}"));
    assert!(report.results[0].is_ok());
    sb.reset();
    // A missing credential: the same config error, naming the option.
    let keyless = Client::builder().base_url(sb.url()).build().unwrap();
    let planned = keyless.plan(|c| c.create_post(&text_post(0))).unwrap_err();
    assert_eq!(planned.kind(), ErrorKind::Config);
    assert_eq!(planned.param(), Some("apiKey"));
    assert!(sb.requests().is_empty(), "{:?}", sb.requests());
}

#[test]
fn a_plan_shows_no_credential_and_marks_generated_keys() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    let post = text_post(0);
    let plan = c
        .plan(|c| {
            c.create_post(&post)?;
            c.list_api_keys()
        })
        .unwrap();
    let [create, list] = &plan.requests[..] else {
        panic!("{plan:?}")
    };
    assert_eq!(create.header("soku-api-key"), Some(REDACTED));
    assert_eq!(
        list.header("authorization"),
        Some(format!("Bearer {REDACTED}").as_str())
    );
    assert_eq!(create.header("content-type"), Some("application/json"));
    assert_eq!(list.method, Method::Get);
    assert_eq!(list.body, None);
    // Posts always carry a key: a fresh one (a real call generates its own).
    assert!(create.key_generated);
    assert_eq!(create.idempotency_key.as_deref().map(str::len), Some(36));
    assert!(!list.key_generated && list.idempotency_key.is_none());
    // A workflow without a caller's key derives its step keys from a fresh UUID: marked too.
    let media = PublishWithMedia::new(
        ["https://a.example/1.png"],
        PostContent::new([Platform::X]).text("M"),
    );
    let flow = c
        .plan(|c| c.publish_with_media(&media, &CallOptions::new()))
        .unwrap();
    let base = &flow.requests[0].idempotency_key.as_deref().unwrap()[..36];
    for (r, suffix) in flow.requests.iter().zip([":media:0", ":post"]) {
        assert!(r.key_generated, "{r:?}");
        assert_eq!(r.idempotency_key, Some(format!("{base}{suffix}")));
    }
    let keyed = c
        .plan(|c| c.publish_with_media(&media, &CallOptions::new().idempotency_key("K")))
        .unwrap();
    assert!(keyed.requests.iter().all(|r| !r.key_generated));
    let shown = format!("{plan:?}");
    for secret in [sb.api_key(), sb.firebase_token()] {
        assert!(!shown.contains(secret), "a credential in the plan");
    }
    assert_eq!(
        create.body_json(),
        Some(serde_json::to_value(&post).unwrap())
    );
}
