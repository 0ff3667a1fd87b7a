//! API-key rotation against the sandbox: the old key is revoked only after the new key was
//! verified.

mod workflow_support;

use soku::workflows::{RotateApiKey, VerifyMode};
use soku::{CallOptions, Client, CreatePost, ErrorCode, Platform};
use soku_sandbox::{Fault, Sandbox};
use workflow_support::{client, requests_to};

fn post() -> CreatePost {
    CreatePost::text("after rotation", [Platform::Threads])
}

/// Nothing was revoked: no DELETE reached the server, and `old`'s key still publishes.
fn assert_not_revoked(sb: &Sandbox, old: &Client) {
    assert!(sb.requests().iter().all(|r| r.method != "DELETE"));
    old.create_post(&post()).expect("the old key still works");
}

#[test]
fn probe_rotation_revokes_the_old_key_and_the_new_key_works() {
    let sb = Sandbox::start().unwrap();
    let old = client(&sb);
    let req = RotateApiKey::new(sb.default_key_id()).name("Production Server (rotated)");

    let rotated = old.rotate_api_key(&req, &CallOptions::new()).unwrap();

    assert_eq!(rotated.verified, VerifyMode::Probe);
    assert_eq!(rotated.revoked_key_id, sb.default_key_id());
    assert!(rotated.api_key.starts_with("sk_live_"));
    assert_ne!(rotated.api_key, sb.api_key());
    // The probe published nothing.
    assert!(sb.submissions().is_empty());
    let probes = requests_to(&sb, "POST", "/v1/posts");
    assert_eq!(probes.len(), 1);
    assert_eq!(
        probes[0].header("soku-api-key"),
        Some(rotated.api_key.as_str())
    );
    assert_eq!(
        requests_to(
            &sb,
            "DELETE",
            &format!("/v1/api-keys/{}", sb.default_key_id())
        )
        .len(),
        1
    );
    // create + probe + revoke
    assert_eq!(rotated.meta.attempts, 3);
    assert_eq!(rotated.meta.status, 204);

    let err = old.create_post(&post()).unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.code(), Some(&ErrorCode::Unauthorized));
    let new = old.with_api_key(rotated.api_key.clone());
    new.create_post(&post()).unwrap();
    assert_eq!(sb.submissions().len(), 1);

    let keys = new.list_api_keys().unwrap();
    let old_info = keys
        .keys
        .iter()
        .find(|k| k.id == sb.default_key_id())
        .unwrap();
    assert_eq!(old_info.status.as_deref(), Some("revoked"));
}

#[test]
fn new_key_failing_the_probe_leaves_the_old_key_alone() {
    let sb = Sandbox::start().unwrap();
    let old = client(&sb);
    sb.inject("/v1/posts", Fault::status(401, "unauthorized"));

    let err = old
        .rotate_api_key(&RotateApiKey::new(sb.default_key_id()), &CallOptions::new())
        .unwrap_err();

    assert_eq!(err.kind(), "api");
    assert_eq!(err.code(), Some(&ErrorCode::Unauthorized));
    assert_not_revoked(&sb, &old);
}

#[test]
fn probe_answered_with_anything_but_400_or_401_is_a_failure() {
    let sb = Sandbox::start().unwrap();
    let old = client(&sb);
    // A server error on the probe and on its one retry.
    sb.inject("/v1/posts", Fault::status(503, "internal_error").times(2));

    let err = old
        .rotate_api_key(
            &RotateApiKey::new(sb.default_key_id()),
            &CallOptions::new().max_retries(1),
        )
        .unwrap_err();

    assert_eq!(err.status(), Some(503));
    assert_eq!(err.meta().unwrap().attempts, 2);
    assert_not_revoked(&sb, &old);
}

#[test]
fn post_verification_publishes_the_seed_post_then_revokes() {
    let sb = Sandbox::start().unwrap();
    let old = client(&sb);
    let req = RotateApiKey::new(sb.default_key_id()).verify(VerifyMode::Post);

    let rotated = old
        .rotate_api_key(&req, &CallOptions::new().idempotency_key("rotate-1"))
        .unwrap();

    assert_eq!(rotated.verified, VerifyMode::Post);
    let subs = sb.submissions();
    assert_eq!(subs.len(), 1);
    assert_eq!(
        subs[0]["post"]["content"]["text"],
        "Key rotation verification"
    );
    assert_eq!(subs[0]["post"]["content"]["platform"][0], "threads");
    let verification = &requests_to(&sb, "POST", "/v1/posts")[0];
    assert_eq!(
        verification.header("idempotency-key"),
        Some("rotate-1:verify")
    );
    assert_eq!(old.create_post(&post()).unwrap_err().status(), Some(401));
}

#[test]
fn failed_verification_post_leaves_the_old_key_alone() {
    let sb = Sandbox::start().unwrap();
    let old = client(&sb);
    sb.inject("/v1/posts", Fault::status(403, "forbidden"));

    let err = old
        .rotate_api_key(
            &RotateApiKey::new(sb.default_key_id()).verify(VerifyMode::Post),
            &CallOptions::new(),
        )
        .unwrap_err();

    assert_eq!(err.code(), Some(&ErrorCode::Forbidden));
    assert!(sb.submissions().is_empty());
    assert_not_revoked(&sb, &old);
}

#[test]
fn no_verification_revokes_right_away() {
    let sb = Sandbox::start().unwrap();
    let old = client(&sb);
    let req = RotateApiKey::new(sb.default_key_id()).verify(VerifyMode::None);

    let rotated = old.rotate_api_key(&req, &CallOptions::new()).unwrap();

    assert_eq!(rotated.verified, VerifyMode::None);
    assert!(requests_to(&sb, "POST", "/v1/posts").is_empty());
    assert_eq!(old.create_post(&post()).unwrap_err().status(), Some(401));
    old.with_api_key(rotated.api_key.clone())
        .create_post(&post())
        .unwrap();
}

#[test]
fn the_new_key_never_shows_in_debug_output() {
    let sb = Sandbox::start().unwrap();
    let rotated = client(&sb)
        .rotate_api_key(&RotateApiKey::new(sb.default_key_id()), &CallOptions::new())
        .unwrap();
    let debug = format!("{rotated:?}");
    assert!(!debug.contains(&rotated.api_key), "{debug}");
    let json = serde_json::to_value(&rotated.data).unwrap();
    assert_eq!(json["apiKey"], rotated.api_key.as_str());
    assert_eq!(json["verified"], "probe");
    assert_eq!(json["revokedKeyId"], sb.default_key_id());
}

#[test]
fn an_empty_old_key_id_is_rejected_before_anything_is_created() {
    let sb = Sandbox::start().unwrap();
    let err = client(&sb)
        .rotate_api_key(&RotateApiKey::new(" "), &CallOptions::new())
        .unwrap_err();
    assert_eq!(err.kind(), "invalid_argument");
    assert!(sb.requests().is_empty());
}

#[test]
fn a_probe_that_is_accepted_is_not_taken_as_verification() {
    let sb = Sandbox::start().unwrap();
    let old = client(&sb);
    sb.inject(
        "/v1/posts",
        Fault::raw_body(200, r#"{"postSubmissionId": "surprise"}"#),
    );

    let err = old
        .rotate_api_key(&RotateApiKey::new(sb.default_key_id()), &CallOptions::new())
        .unwrap_err();

    assert_eq!(err.kind(), "api");
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.code().map(|c| c.as_str()), Some("verification_failed"));
    assert_not_revoked(&sb, &old);
}

#[test]
fn a_failed_revocation_is_reported_and_both_keys_keep_working() {
    let sb = Sandbox::start().unwrap();
    let old = client(&sb);

    let err = old
        .rotate_api_key(
            &RotateApiKey::new("key_does_not_exist"),
            &CallOptions::new(),
        )
        .unwrap_err();

    assert_eq!(err.status(), Some(404));
    old.create_post(&post()).expect("the old key still works");
    let keys = old.list_api_keys().unwrap();
    assert_eq!(
        keys.keys.len(),
        2,
        "the verified new key stays on the account"
    );
}
