//! Helpers shared by the tests/ffi_*.rs suites: calling the exports, owning their outputs and
//! checking the documented JSON shapes.
#![allow(dead_code)] // each test binary uses a different subset

use std::ffi::{CStr, CString, c_char};
use std::ptr;

use serde_json::Value;
use soku::ffi::*;

/// The signature every operation export shares.
pub type Op =
    unsafe extern "C" fn(*const SokuClient, *const c_char, *const c_char, *mut *mut c_char) -> i32;

/// Every operation export with a request that is valid for it (against the sandbox fixtures).
pub fn operations() -> Vec<(&'static str, Op, Option<&'static str>)> {
    vec![
        (
            "soku_posts_create",
            soku_posts_create as Op,
            Some(TEXT_POST),
        ),
        (
            "soku_media_upload",
            soku_media_upload,
            Some(r#"{"url": "https://example.com/cat.png"}"#),
        ),
        (
            "soku_templates_render",
            soku_templates_render,
            Some(r#"{"templateSlug": "tweetImage"}"#),
        ),
        (
            "soku_templates_render_og",
            soku_templates_render_og,
            Some(r#"{"templateSlug": "blogPost"}"#),
        ),
        (
            "soku_ai_transcribe",
            soku_ai_transcribe,
            Some(r#"{"mediaId": "media_1"}"#),
        ),
        (
            "soku_api_keys_create",
            soku_api_keys_create,
            Some(r#"{"name": "ffi"}"#),
        ),
        ("soku_api_keys_list", soku_api_keys_list, None),
        (
            "soku_api_keys_revoke",
            soku_api_keys_revoke,
            Some(r#"{"id": "key_does_not_exist"}"#),
        ),
        (
            "soku_api_keys_rotate",
            soku_api_keys_rotate,
            Some(r#"{"oldKeyId": "key_sandbox_default", "verify": "probe"}"#),
        ),
        (
            "soku_posts_publish_batch",
            soku_posts_publish_batch,
            Some(BATCH),
        ),
        (
            "soku_posts_publish_with_media",
            soku_posts_publish_with_media,
            Some(WITH_MEDIA),
        ),
        (
            "soku_posts_publish_with_template",
            soku_posts_publish_with_template,
            Some(WITH_TEMPLATE),
        ),
    ]
}

/// A text post the sandbox accepts.
pub const TEXT_POST: &str =
    r#"{"post": {"content": {"text": "hello from ffi", "platform": ["x", "threads"]}}}"#;

/// A batch of two text posts.
pub const BATCH: &str = r#"{"posts": [
    {"post": {"content": {"text": "first", "platform": ["x"]}}},
    {"post": {"content": {"text": "second", "platform": ["threads"]}}}]}"#;

/// Upload-then-publish of one image.
pub const WITH_MEDIA: &str = r#"{"sourceUrls": ["https://example.com/a.png"],
    "post": {"content": {"text": "with media", "platform": ["x", "linkedin"]}}}"#;

/// Render-then-publish.
pub const WITH_TEMPLATE: &str = r#"{"template": {"templateSlug": "tweetImage", "config": {"title": "t"}},
    "post": {"content": {"text": "with template", "platform": ["x"]}}}"#;

/// An owned client handle, freed on drop.
pub struct Handle(pub *mut SokuClient);

// SAFETY: the C ABI documents that one client may be used from many threads at once; this
// wrapper only hands out `*const` for calls and frees once, on drop.
unsafe impl Send for Handle {}
unsafe impl Sync for Handle {}

impl Handle {
    /// The `const SokuClient *` operations take.
    pub fn ptr(&self) -> *const SokuClient {
        self.0
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        unsafe { soku_client_free(self.0) };
    }
}

/// Reads and frees a JSON string returned by the library.
pub fn take(out: *mut c_char) -> Value {
    assert!(!out.is_null(), "out_json was not written");
    let text = unsafe { CStr::from_ptr(out) }
        .to_str()
        .expect("out_json is utf-8")
        .to_owned();
    unsafe { soku_string_free(out) };
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("out_json is not json ({e}): {text}"))
}

/// `soku_client_new`; returns the status, the handle (if any) and the JSON.
pub fn try_client(config: Option<&[u8]>) -> (i32, Option<Handle>, Value) {
    let config = config.map(|c| CString::new(c).unwrap());
    let mut client = ptr::null_mut();
    let mut out = ptr::null_mut();
    let status = unsafe {
        soku_client_new(
            config.as_ref().map_or(ptr::null(), |c| c.as_ptr()),
            &mut client,
            &mut out,
        )
    };
    let json = take(out);
    assert_shape(status, &json);
    if status == SOKU_OK {
        assert!(!client.is_null());
        (status, Some(Handle(client)), json)
    } else {
        assert!(client.is_null(), "a failed soku_client_new left a handle");
        (status, None, json)
    }
}

/// A client from a config that must be accepted.
pub fn client(config: &str) -> Handle {
    let (status, handle, json) = try_client(Some(config.as_bytes()));
    assert_eq!(status, SOKU_OK, "{json}");
    handle.unwrap()
}

/// Config JSON for a server at `url` with millisecond backoff (sandbox tests).
pub fn fast_config(url: &str, api_key: &str, firebase_token: &str) -> String {
    serde_json::json!({
        "baseUrl": url,
        "apiKey": api_key,
        "firebaseToken": firebase_token,
        "maxRetries": 2,
        "backoffBaseMs": 1,
        "maxRetryWaitMs": 50,
        "timeoutMs": 10000,
    })
    .to_string()
}

/// Calls an operation with raw request/options bytes (NULL for `None`), checks the documented
/// shape of its output, and returns the status and the parsed JSON.
pub fn call_raw(
    op: Op,
    client: *const SokuClient,
    request: Option<&[u8]>,
    options: Option<&[u8]>,
) -> (i32, Value) {
    let request = request.map(|r| CString::new(r).unwrap());
    let options = options.map(|o| CString::new(o).unwrap());
    let mut out = ptr::null_mut();
    let status = unsafe {
        op(
            client,
            request.as_ref().map_or(ptr::null(), |r| r.as_ptr()),
            options.as_ref().map_or(ptr::null(), |o| o.as_ptr()),
            &mut out,
        )
    };
    let json = take(out);
    assert_shape(status, &json);
    (status, json)
}

/// [`call_raw`] with string inputs.
pub fn call(op: Op, client: &Handle, request: Option<&str>, options: Option<&str>) -> (i32, Value) {
    call_raw(
        op,
        client.ptr(),
        request.map(str::as_bytes),
        options.map(str::as_bytes),
    )
}

/// The kind string each status stands for.
pub fn kind_of(status: i32) -> &'static str {
    match status {
        SOKU_ERR_INVALID_ARGUMENT => "invalid_argument",
        SOKU_ERR_CONFIG => "config",
        SOKU_ERR_API => "api",
        SOKU_ERR_TRANSPORT => "transport",
        SOKU_ERR_TIMEOUT => "timeout",
        SOKU_ERR_DECODE => "decode",
        SOKU_ERR_PANIC => "panic",
        other => panic!("undocumented status {other}"),
    }
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    k.sort_unstable();
    k
}

/// Asserts the documented shape: `{"data", "meta"}` with status 0, or `{"error", "meta"}` whose
/// kind matches the (negative) status; meta is null or the full meta object.
pub fn assert_shape(status: i32, json: &Value) {
    let meta = &json["meta"];
    if !meta.is_null() {
        assert_eq!(
            keys(meta),
            [
                "attempts",
                "idempotencyKey",
                "rateLimit",
                "requestId",
                "status"
            ],
            "{json}"
        );
        assert!(
            meta["status"].is_u64() && meta["attempts"].is_u64(),
            "{json}"
        );
        assert!(
            meta["requestId"].is_null() || meta["requestId"].is_string(),
            "{json}"
        );
        assert!(
            meta["idempotencyKey"].is_null() || meta["idempotencyKey"].is_string(),
            "{json}"
        );
        assert_eq!(
            keys(&meta["rateLimit"]),
            ["limit", "remaining", "reset", "tier"],
            "{json}"
        );
    }
    if status == SOKU_OK {
        assert_eq!(keys(json), ["data", "meta"], "{json}");
        return;
    }
    assert_eq!(keys(json), ["error", "meta"], "{json}");
    let err = &json["error"];
    assert_eq!(
        keys(err),
        [
            "code",
            "details",
            "kind",
            "message",
            "param",
            "requestId",
            "retryAfter",
            "status"
        ],
        "{json}"
    );
    assert_eq!(err["kind"], kind_of(status), "{json}");
    assert!(
        err["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{json}"
    );
    assert!(err["status"].is_null() || err["status"].is_u64(), "{json}");
    assert!(err["code"].is_null() || err["code"].is_string(), "{json}");
    assert!(
        err["requestId"].is_null() || err["requestId"].is_string(),
        "{json}"
    );
    assert!(
        err["retryAfter"].is_null() || err["retryAfter"].is_number(),
        "{json}"
    );
    // `param` names the field or key at fault, only for errors about the caller's input.
    if status == SOKU_ERR_INVALID_ARGUMENT || status == SOKU_ERR_CONFIG {
        assert!(err["param"].is_null() || err["param"].is_string(), "{json}");
    } else {
        assert!(err["param"].is_null(), "{json}");
    }
    if status == SOKU_ERR_API {
        assert!(
            err["status"].is_u64() && err["code"].is_string() && meta.is_object(),
            "{json}"
        );
    }
    if status == SOKU_ERR_INVALID_ARGUMENT || status == SOKU_ERR_PANIC {
        assert!(meta.is_null(), "nothing was sent, so no meta: {json}");
    }
}
