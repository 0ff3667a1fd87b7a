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

/// The old key was not revoked: no DELETE of it reached the server, and `old`'s key still
/// publishes.
fn assert_not_revoked(sb: &Sandbox, old: &Client) {
    let old_path = format!("/v1/api-keys/{}", sb.default_key_id());
    assert!(requests_to(sb, "DELETE", &old_path).is_empty());
    old.create_post(&post()).expect("the old key still works");
}

/// The verification failed: the old key was not revoked, and the new (unverified) key, the
/// one the first post request carried, was revoked and now gets 401.
fn assert_only_the_new_key_revoked(sb: &Sandbox, old: &Client) {
    assert_not_revoked(sb, old);
    let verification = &requests_to(sb, "POST", "/v1/posts")[0];
    let new_key = verification.header("soku-api-key").unwrap().to_string();
    assert_ne!(new_key, sb.api_key());
    let deletes: Vec<_> = sb
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .collect();
    assert_eq!(deletes.len(), 1, "one revocation: the new key's");
    let err = old.with_api_key(new_key).create_post(&post()).unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.code(), Some(&ErrorCode::Unauthorized));
    let keys = old.list_api_keys().unwrap();
    let status = |id: &str| {
        keys.keys
            .iter()
            .find(|k| k.id == id)
            .and_then(|k| k.status.clone())
    };
    assert_eq!(status(sb.default_key_id()).as_deref(), Some("active"));
    let new_id = deletes[0].path.trim_start_matches("/v1/api-keys/");
    assert_eq!(status(new_id).as_deref(), Some("revoked"));
}

/// Rotates the sandbox's default key with `verify` while `fault` answers `/v1/posts` (the
/// verification), checks that only the new key was revoked, and returns the error.
fn rotate_with_failing_verification(
    fault: Fault,
    verify: VerifyMode,
    opts: &CallOptions,
) -> (Sandbox, soku::Error) {
    let sb = Sandbox::start().unwrap();
    let old = client(&sb);
    sb.inject("/v1/posts", fault);

    let err = old
        .rotate_api_key(&RotateApiKey::new(sb.default_key_id()).verify(verify), opts)
        .unwrap_err();

    assert_only_the_new_key_revoked(&sb, &old);
    (sb, err)
}

#[test]
fn probe_rotation_revokes_the_old_key_and_the_new_key_works() {
    let sb = Sandbox::start().unwrap();
    let old = client(&sb);
    let req = RotateApiKey::new(sb.default_key_id()).name("Production Server (rotated)");

    let rotated = old.rotate_api_key(&req, &CallOptions::new()).unwrap();

    assert_eq!(rotated.verified, VerifyMode::Probe);
    assert!(rotated.revoked);
    assert_eq!(rotated.revoked_key_id.as_deref(), Some(sb.default_key_id()));
    assert!(rotated.revoke_error.is_none());
    assert!(rotated.api_key.expose().starts_with("sk_live_"));
    assert_ne!(rotated.api_key.expose(), sb.api_key());
    // The probe published nothing.
    assert!(sb.submissions().is_empty());
    let probes = requests_to(&sb, "POST", "/v1/posts");
    assert_eq!(probes.len(), 1);
    assert_eq!(
        probes[0].header("soku-api-key"),
        Some(rotated.api_key.expose())
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
    // list + create + probe + revoke
    assert_eq!(rotated.meta.attempts, 4);
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
fn new_key_failing_the_probe_is_revoked_and_the_old_key_kept() {
    let (_, err) = rotate_with_failing_verification(
        Fault::status(401, "unauthorized"),
        VerifyMode::Probe,
        &CallOptions::new(),
    );
    assert_eq!(err.kind(), soku::ErrorKind::Api);
    assert_eq!(err.code(), Some(&ErrorCode::Unauthorized));
}

#[test]
fn probe_answered_with_anything_but_400_or_401_is_a_failure() {
    // A server error on the probe and on its one retry.
    let (_, err) = rotate_with_failing_verification(
        Fault::status(503, "internal_error").times(2),
        VerifyMode::Probe,
        &CallOptions::new().max_retries(1),
    );
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.meta().unwrap().attempts, 2);
}

#[test]
fn a_probe_answered_400_with_another_code_is_a_failure() {
    // A 400 from something in front of the API, not its validation of the probe body.
    let (_, err) = rotate_with_failing_verification(
        Fault::status(400, "proxy_error"),
        VerifyMode::Probe,
        &CallOptions::new(),
    );
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.code().map(|c| c.as_str()), Some("proxy_error"));
}

#[test]
fn post_verification_publishes_the_documented_post_then_revokes() {
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
fn failed_verification_post_revokes_the_new_key_and_keeps_the_old() {
    let (sb, err) = rotate_with_failing_verification(
        Fault::status(403, "forbidden"),
        VerifyMode::Post,
        &CallOptions::new(),
    );
    assert_eq!(err.code(), Some(&ErrorCode::Forbidden));
    // Only the old key's check post was published, not the verification post.
    let texts: Vec<_> = sb
        .submissions()
        .iter()
        .map(|s| s["post"]["content"]["text"].clone())
        .collect();
    assert_eq!(texts, ["after rotation"]);
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
    assert!(!debug.contains(rotated.api_key.expose()), "{debug}");
    let json = serde_json::to_value(&rotated.data).unwrap();
    assert_eq!(json["apiKey"], rotated.api_key.expose());
    assert_eq!(json["verified"], "probe");
    assert_eq!(json["revoked"], true);
    assert_eq!(json["revokedKeyId"], sb.default_key_id());
    assert_eq!(json["revokeError"], serde_json::Value::Null);
}

#[test]
fn an_empty_old_key_id_is_rejected_before_anything_is_created() {
    let sb = Sandbox::start().unwrap();
    let err = client(&sb)
        .rotate_api_key(&RotateApiKey::new(" "), &CallOptions::new())
        .unwrap_err();
    assert_eq!(err.kind(), soku::ErrorKind::InvalidArgument);
    assert!(sb.requests().is_empty());
}

#[test]
fn a_probe_that_is_accepted_is_not_taken_as_verification() {
    let (_, err) = rotate_with_failing_verification(
        Fault::raw_body(200, r#"{"postSubmissionId": "surprise"}"#),
        VerifyMode::Probe,
        &CallOptions::new(),
    );
    assert_eq!(err.kind(), soku::ErrorKind::Api);
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.code().map(|c| c.as_str()), Some("verification_failed"));
}

#[test]
fn a_failed_revocation_still_returns_the_new_key_and_both_keys_keep_working() {
    let sb = Sandbox::start().unwrap();
    let old = client(&sb);

    // The old key exists and is active (checked first), but its revocation answers 404.
    sb.inject(
        &format!("/v1/api-keys/{}", sb.default_key_id()),
        Fault::status(404, "not_found").method("DELETE"),
    );
    let rotated = old
        .rotate_api_key(
            &RotateApiKey::new(sb.default_key_id()).verify(VerifyMode::Probe),
            &CallOptions::new(),
        )
        .unwrap();

    assert!(!rotated.revoked);
    assert_eq!(rotated.revoked_key_id, None);
    let error = rotated
        .revoke_error
        .as_ref()
        .expect("the revocation's error");
    assert_eq!(error["kind"], "api");
    assert_eq!(error["status"], 404);
    assert!(error["requestId"].is_string());
    // list + create + probe + the failed revoke
    assert_eq!(rotated.meta.attempts, 4);
    assert_eq!(rotated.meta.status, 404);
    let json = serde_json::to_value(&rotated.data).unwrap();
    assert_eq!(json["revoked"], false);
    assert_eq!(json["revokedKeyId"], serde_json::Value::Null);
    assert_eq!(&json["revokeError"], error);
    assert!(!format!("{rotated:?}").contains(rotated.api_key.expose()));

    old.create_post(&post()).expect("the old key still works");
    old.with_api_key(rotated.api_key.clone())
        .create_post(&post())
        .expect("the new key works");
    let keys = old.list_api_keys().unwrap();
    assert_eq!(keys.keys.len(), 2, "both keys stay on the account");
    assert!(
        keys.keys
            .iter()
            .all(|k| k.status.as_deref() == Some("active"))
    );
}

/// The account's keys as (id, status), sorted.
fn key_list(sb: &Sandbox) -> Vec<(String, Option<String>)> {
    let mut keys: Vec<_> = client(sb)
        .list_api_keys()
        .unwrap()
        .data
        .keys
        .into_iter()
        .map(|k| (k.id, k.status))
        .collect();
    keys.sort();
    keys
}

/// A missing or revoked old key id is refused after one list request: no key is created (the
/// account's key list is the same before and after), nothing is revoked, nothing is posted.
#[test]
fn a_missing_or_revoked_old_key_id_creates_no_key() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    // A second key, revoked: the "already revoked" case.
    let spare = c
        .create_api_key(&soku::CreateApiKey::new().name("spare"))
        .unwrap();
    let spare_id = spare.data.id.clone().expect("the sandbox returns the id");
    c.revoke_api_key(&spare_id).unwrap();
    let before = key_list(&sb);
    assert_eq!(before.len(), 2);

    for (old_id, says) in [
        ("key_typo", "is not one of the account's 2 api key(s)"),
        (spare_id.as_str(), "is revoked, not active"),
    ] {
        for verify in [VerifyMode::Probe, VerifyMode::Post, VerifyMode::None] {
            let seen = sb.requests().len();
            let err = c
                .rotate_api_key(
                    &RotateApiKey::new(old_id).verify(verify),
                    &CallOptions::new(),
                )
                .unwrap_err();
            assert_eq!(err.kind(), soku::ErrorKind::InvalidArgument, "{err}");
            assert_eq!(err.param(), Some("oldKeyId"));
            let message = err.to_string();
            assert!(message.contains(says), "{message}");
            assert!(message.contains("nothing was created"), "{message}");
            let calls: Vec<_> = sb.requests()[seen..]
                .iter()
                .map(|r| (r.method.clone(), r.path.clone()))
                .collect();
            assert_eq!(
                calls,
                vec![("GET".to_string(), "/v1/api-keys".to_string())],
                "only the list was read"
            );
            assert_eq!(key_list(&sb), before, "no key created or revoked");
        }
    }
}
