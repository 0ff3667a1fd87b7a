//! The operation exports. All share one signature and one code path, [`operation`]:
//! check pointers → parse request and options → call the Rust API → write the result JSON.
//!
//! Common contract of every operation (repeated in each function's docs):
//!
//! - Returns `SOKU_OK` or a negative `SOKU_ERR_*` status.
//! - `*out_json` receives an owned JSON string on every path (free it with `soku_string_free`):
//!   `{"data", "meta"}` on success, `{"error", "meta"}` on failure.
//! - `client`, `request_json` and `options_json` are borrowed for the call only.
//! - `options_json`: NULL or `{"idempotencyKey", "firebaseToken", "timeoutMs", "maxRetries"}`.
//! - Thread safety: one client may be used by many threads at once.

use std::ffi::{CString, c_char, c_void};
use std::ops::ControlFlow;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::args::{non_null, opt_str_arg, str_arg};
use super::boundary::with_out_json;
use super::cancel::SokuCancelToken;
use super::client::SokuClient;
use super::config::{
    call_options, check_content, check_create_post, check_keys, localize, parse_checked,
    parse_direct, parse_object, parse_request,
};
use super::json::{failure, from_result};
use super::log::{SokuBatchProgress, SokuProgressCallback};
use crate::options::Names;
use crate::workflows::{BatchItem, BatchReport};
use crate::workflows::{
    BatchOptions, PublishBatch, PublishWithMedia, PublishWithTemplate, RotateApiKey,
};
use crate::{
    CallOptions, Client, CreateApiKey, CreatePost, Error, RenderTemplate, Response, Transcribe,
    UploadMedia,
};

/// How an operation reads its `request_json`.
enum Request {
    /// A required JSON object.
    Required,
    /// NULL or a JSON object.
    Optional,
}

/// The shared body of every operation export.
///
/// # Safety
/// Pointers as documented on the exports: `client` NULL or from `soku_client_new`, strings NULL
/// or NUL-terminated, `out_json` NULL or writable.
unsafe fn operation<Req, T>(
    client: *const SokuClient,
    request_json: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
    request: Request,
    parse: impl FnOnce(Option<&str>) -> Result<Req, Error>,
    call: impl FnOnce(&Client, &Req, &CallOptions) -> Result<Response<T>, Error>,
) -> i32
where
    T: Serialize,
{
    // SAFETY: forwarded from the caller.
    unsafe {
        operation_named(
            client,
            request_json,
            options_json,
            out_json,
            request,
            parse,
            |c, req, o, _| call(c, req, o),
        )
    }
}

/// A batch's result with each failed item's configuration error in the client's option names
/// (as [`localize`] does for the error of a whole call).
fn localize_batch(
    result: Result<Response<BatchReport>, Error>,
    names: Names,
) -> Result<Response<BatchReport>, Error> {
    result.map(|mut resp| {
        for item in &mut resp.data.results {
            if let Err(e) = &mut item.result {
                *e = localize(e.clone(), names);
            }
        }
        resp
    })
}

/// [`operation`] whose call also gets the client's option names (`optionNames`).
///
/// # Safety
/// As [`operation`].
unsafe fn operation_named<Req, T>(
    client: *const SokuClient,
    request_json: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
    request: Request,
    parse: impl FnOnce(Option<&str>) -> Result<Req, Error>,
    call: impl FnOnce(&Client, &Req, &CallOptions, Names) -> Result<Response<T>, Error>,
) -> i32
where
    T: Serialize,
{
    // SAFETY: forwarded from the caller.
    unsafe {
        with_out_json(out_json, || {
            let mut names = crate::options::Names::C;
            let prepared = (|| {
                let handle = &*non_null(client, "client")?;
                names = handle.names;
                let client = &handle.client;
                let text = match request {
                    Request::Required => Some(str_arg(request_json, "request_json")?),
                    Request::Optional => opt_str_arg(request_json, "request_json")?,
                };
                let req = parse(text)?;
                let opts = call_options(opt_str_arg(options_json, "options_json")?, names)?;
                Ok::<_, Error>((client, req, opts))
            })();
            match prepared.map(|(client, req, opts)| call(client, &req, &opts, names)) {
                Ok(Err(err)) | Err(err) => failure(&localize(err, names)),
                Ok(result) => from_result(result),
            }
        })
    }
}

/// Parses a required request body into `T`.
fn body<T: DeserializeOwned>(text: Option<&str>) -> Result<T, Error> {
    // `Request::Required` guarantees `Some`; an empty string fails as invalid json.
    parse_request(text.unwrap_or_default())
}

/// A create-post body, refusing likely misspelled keys ([`check_create_post`]).
///
/// The hot path parses the text straight into the typed request: when no level holds a key
/// beyond the documented ones (every `extra` is empty), there is no misspelling to look for.
/// Anything else (an undocumented key, a parse error) takes the checked path, which gives the
/// same result as it always did.
fn create_post_body(text: Option<&str>) -> Result<CreatePost, Error> {
    let text = text.unwrap_or_default();
    if let Some(req) = parse_direct::<CreatePost>(text)
        && req.extra.is_empty()
        && req.post.extra.is_empty()
        && req.post.content.extra.is_empty()
    {
        return Ok(req);
    }
    parse_checked(text, |v| check_create_post(v, ""))
}

/// A batch body: every post checked as [`create_post_body`] does.
fn batch_body(text: Option<&str>) -> Result<PublishBatch, Error> {
    parse_checked(text.unwrap_or_default(), |v| {
        let posts = v.get("posts").and_then(Value::as_array);
        for (i, post) in posts.into_iter().flatten().enumerate() {
            check_create_post(post, &format!("posts[{i}]"))?;
        }
        Ok(())
    })
}

/// A workflow body whose `post` is a post content, and whose own keys are `keys`.
fn workflow_body<T: DeserializeOwned>(
    keys: &'static [&'static str],
) -> impl Fn(Option<&str>) -> Result<T, Error> {
    move |text| {
        parse_checked(text.unwrap_or_default(), |v| {
            check_keys(v, keys, "")?;
            v.get("post")
                .map_or(Ok(()), |post| check_content(post, "post"))
        })
    }
}

/// Publishes or schedules a post: `POST /v1/posts`.
///
/// `request_json`: the documented HTTP body, e.g.
/// `{"post": {"content": {"text": "Hello", "platform": ["x", "threads"]}}, "scheduledTime"?,
/// "enableRepurposing"?, "trial_reel"?}`; unknown fields are sent unchanged, except a key of
/// the body, of `post` or of `post.content` that is most likely a misspelling of a documented
/// one (other case, or at most two edits away, e.g. `"platfrom"`): that is refused with
/// `SOKU_ERR_INVALID_ARGUMENT` and `did you mean "platform"?`. Parse errors name the JSON path
/// (`invalid request at post.content.platform: must be an array, not a number`) and never
/// repeat the value sent.
/// `data`: `{"postSubmissionId": "..."}` plus any further fields the server sent.
/// An `Idempotency-Key` is always sent (the caller's from options, else a fresh one) and reused on
/// every retry, so a retried call never publishes twice.
///
/// Returns, ownership, NULL and threads: the operation contract at the top of `soku.h`.
///
/// # Safety
/// The pointer contract at the top of `soku.h`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_posts_create(
    client: *const SokuClient,
    request_json: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> i32 {
    // SAFETY: the caller upholds the documented contract.
    unsafe {
        operation(
            client,
            request_json,
            options_json,
            out_json,
            Request::Required,
            create_post_body,
            |c, req, o| c.create_post_with(req, o),
        )
    }
}

/// Imports media from a public URL: `POST /v1/media`.
///
/// `request_json`: `{"url": "https://..."}`; unknown fields are sent unchanged.
/// `data`: `{"url": "<soku-hosted url>"}` plus any further fields. An `Idempotency-Key` is
/// always sent and reused on retries.
///
/// Returns, ownership, NULL and threads: the operation contract at the top of `soku.h`.
///
/// # Safety
/// The pointer contract at the top of `soku.h`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_media_upload(
    client: *const SokuClient,
    request_json: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> i32 {
    // SAFETY: the caller upholds the documented contract.
    unsafe {
        operation(
            client,
            request_json,
            options_json,
            out_json,
            Request::Required,
            body::<UploadMedia>,
            |c, req, o| c.upload_media_with(req, o),
        )
    }
}

/// Renders an image template: `POST /v1/templates`.
///
/// `request_json`: `{"templateSlug": "tweetImage", "config"?: {...}, "aspectRatio"?: "1:1" |
/// "4:5" | "9:16"}`; unknown fields are sent unchanged. `data`: `{"url": "...", "id"?: "..."}`
/// plus any further fields. No idempotency key; retried only when the request surely did not
/// reach the server.
///
/// Returns, ownership, NULL and threads: the operation contract at the top of `soku.h`.
///
/// # Safety
/// The pointer contract at the top of `soku.h`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_templates_render(
    client: *const SokuClient,
    request_json: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> i32 {
    // SAFETY: the caller upholds the documented contract.
    unsafe {
        operation(
            client,
            request_json,
            options_json,
            out_json,
            Request::Required,
            body::<RenderTemplate>,
            |c, req, o| c.render_template_with(req, o),
        )
    }
}

/// Renders an Open Graph image: `POST /v1/media/render-og`, the alias of
/// `soku_templates_render` (same request, same answer, same retries).
///
/// `request_json`: `{"templateSlug": "tweetImage", "config"?: {...}, "aspectRatio"?: "1:1" |
/// "4:5" | "9:16"}`; unknown fields are sent unchanged. `data`: `{"url": "...", "id"?: "..."}`
/// plus any further fields. No idempotency key; retried only when the request surely did not
/// reach the server.
///
/// Returns, ownership, NULL and threads: the operation contract at the top of `soku.h`.
///
/// # Safety
/// The pointer contract at the top of `soku.h`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_templates_render_og(
    client: *const SokuClient,
    request_json: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> i32 {
    // SAFETY: the caller upholds the documented contract.
    unsafe {
        operation(
            client,
            request_json,
            options_json,
            out_json,
            Request::Required,
            body::<RenderTemplate>,
            |c, req, o| c.render_og_with(req, o),
        )
    }
}

/// Transcribes a media-library item: `POST /v1/ai/transcribe`.
///
/// `request_json`: `{"mediaId": "...", "language"?: "en", "model"?: "whisper-1",
/// "durationSeconds"?: 42}`; unknown fields are sent unchanged. `data`: `{"jobId", "transcript",
/// "creditsDebited", "likelyLyrics"}` plus any further fields. An `Idempotency-Key` is always
/// sent and reused on retries.
///
/// Returns, ownership, NULL and threads: the operation contract at the top of `soku.h`.
///
/// # Safety
/// The pointer contract at the top of `soku.h`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_ai_transcribe(
    client: *const SokuClient,
    request_json: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> i32 {
    // SAFETY: the caller upholds the documented contract.
    unsafe {
        operation(
            client,
            request_json,
            options_json,
            out_json,
            Request::Required,
            body::<Transcribe>,
            |c, req, o| c.transcribe_with(req, o),
        )
    }
}

/// Creates an API key: `POST /v1/api-keys` (Firebase bearer token from `options_json`'s
/// `firebaseToken`, else the client's).
///
/// `request_json`: `{"name"?: "..."}`. `data`: `{"apiKey": "sk_live_...", "id"?: "..."}` plus any
/// further fields; this is the only time the full key is returned. Without a token the call fails
/// with `SOKU_ERR_CONFIG` before any I/O.
///
/// Returns, ownership, NULL and threads: the operation contract at the top of `soku.h`.
///
/// # Safety
/// The pointer contract at the top of `soku.h`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_api_keys_create(
    client: *const SokuClient,
    request_json: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> i32 {
    // SAFETY: the caller upholds the documented contract.
    unsafe {
        operation(
            client,
            request_json,
            options_json,
            out_json,
            Request::Required,
            body::<CreateApiKey>,
            |c, req, o| c.create_api_key_with(req, o),
        )
    }
}

/// Lists the account's API keys: `GET /v1/api-keys` (Firebase bearer token).
///
/// `request_json`: NULL or `{}` (the call takes no input; any key is rejected).
/// `data`: `{"apiKeys": [{"id", "name", "createdAt", "revokedAt", "status", "keyPreview"}, ...]}`
/// (metadata only, never a full key).
///
/// The operation contract at the top of `soku.h`, except for NULL: `request_json` may be NULL
/// (the same as `{}`).
///
/// # Safety
/// The pointer contract at the top of `soku.h`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_api_keys_list(
    client: *const SokuClient,
    request_json: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> i32 {
    // SAFETY: the caller upholds the documented contract.
    unsafe {
        operation(
            client,
            request_json,
            options_json,
            out_json,
            Request::Optional,
            no_input,
            |c, _: &(), o| c.list_api_keys_with(o),
        )
    }
}

/// Revokes an API key: `DELETE /v1/api-keys/{id}` (Firebase bearer token). Permanent.
///
/// `request_json`: `{"id": "..."}` (a non-empty string; no other key). `data`: `null`
/// (the server answers 204).
///
/// Returns, ownership, NULL and threads: the operation contract at the top of `soku.h`.
///
/// # Safety
/// The pointer contract at the top of `soku.h`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_api_keys_revoke(
    client: *const SokuClient,
    request_json: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> i32 {
    // SAFETY: the caller upholds the documented contract.
    unsafe {
        operation(
            client,
            request_json,
            options_json,
            out_json,
            Request::Required,
            key_id,
            |c, id: &String, o| c.revoke_api_key_with(id, o),
        )
    }
}

/// The input of calls without one: NULL or an empty object.
fn no_input(text: Option<&str>) -> Result<(), Error> {
    match text {
        None => Ok(()),
        Some(text) => match parse_object(text, "request_json")?.keys().next() {
            None => Ok(()),
            Some(key) => Err(Error::invalid_param(
                key.clone(),
                format!("unknown request_json key: {key}"),
            )),
        },
    }
}

/// `{"id": "<non-empty string>"}`.
fn key_id(text: Option<&str>) -> Result<String, Error> {
    let mut map = parse_object(text.unwrap_or_default(), "request_json")?;
    let id = match map.remove("id") {
        Some(serde_json::Value::String(id)) if !id.is_empty() => id,
        Some(_) => {
            return Err(Error::invalid_param(
                "id",
                "request_json key id must be a non-empty string",
            ));
        }
        None => return Err(Error::invalid_param("id", "request_json needs an id")),
    };
    match map.keys().next() {
        None => Ok(id),
        Some(key) => Err(Error::invalid_param(
            key.clone(),
            format!("unknown request_json key: {key}"),
        )),
    }
}

/// Rotates an API key: creates a new key, verifies it, then revokes the old one (Firebase bearer
/// token from `options_json`'s `firebaseToken`, else the client's).
///
/// `request_json`: `{"oldKeyId": "...", "name"?: "...", "verify"?: "probe" | "post" | "none"}`
/// (default `"probe"`: an authenticated request that publishes nothing; `"post"` publishes a
/// real text post, "Key rotation verification", to Threads). `data`: `{"apiKey": "sk_live_...",
/// "id"?: "...", "verified": "probe" | "post" | "none", "revoked": true | false,
/// "revokedKeyId": "..." | null, "revokeError": {<error object>} | null}`.
///
/// The old key is checked first (a list of the account's keys): an `oldKeyId` that is not listed
/// or not active returns `SOKU_ERR_INVALID_ARGUMENT` with `"param": "oldKeyId"` and creates
/// nothing.
///
/// **Check `revoked`.** If revoking the old key fails after the new key was verified, the call
/// still returns `SOKU_OK` with the new (working) key, `"revoked": false`, `"revokedKeyId":
/// null` and `revokeError` = the revocation's error object; both keys then work until the old
/// one is revoked (`soku_api_keys_revoke`). Normally `"revoked": true`, `"revokedKeyId"` = the
/// old key's id and `"revokeError": null`. If verification fails the error is that of the
/// failing check (kind `"api"`, e.g. code `"unauthorized"`), the old key is NOT revoked, and the
/// unverified new key is revoked (best effort).
///
/// Returns, ownership, NULL and threads: the operation contract at the top of `soku.h`.
///
/// # Safety
/// The pointer contract at the top of `soku.h`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_api_keys_rotate(
    client: *const SokuClient,
    request_json: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> i32 {
    // SAFETY: the caller upholds the documented contract.
    unsafe {
        operation(
            client,
            request_json,
            options_json,
            out_json,
            Request::Required,
            body::<RotateApiKey>,
            |c, req, o| c.rotate_api_key(req, o),
        )
    }
}

/// Publishes posts one after another, paced by the rate-limit headers; a failed post does not
/// stop the batch.
///
/// `request_json`: `{"posts": [<soku_posts_create request>, ...]}`. `data`: `{"results":
/// [{"index": 0, "ok": true, "postSubmissionId": "...", "pacedMs": 0, "meta": {...}} |
/// {"index": 1, "ok": false, "error": {<error object>}, "pacedMs": 0, "meta": {...} | null},
/// ...], "summary": {"total", "succeeded", "failed"}, "cancelled": false}`; `pacedMs` is how
/// long the batch waited for the rate-limit window to reset before sending that post (whole
/// milliseconds, 0 when it did not wait; never more than `maxRetryWaitMs` or 60 s). Returns
/// `SOKU_OK` whenever the input itself is valid, whatever the posts' outcomes; an
/// `idempotencyKey` too long for the derived item keys is `SOKU_ERR_INVALID_ARGUMENT` before
/// anything is sent. With `idempotencyKey` `K` in the options, post `i` is sent with key `K-i`.
/// To stop a batch from another thread use `soku_posts_publish_batch_with_cancel`.
///
/// Returns, ownership, NULL and threads: the operation contract at the top of `soku.h`.
///
/// # Safety
/// The pointer contract at the top of `soku.h`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_posts_publish_batch(
    client: *const SokuClient,
    request_json: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> i32 {
    // SAFETY: the caller upholds the documented contract.
    unsafe {
        operation_named(
            client,
            request_json,
            options_json,
            out_json,
            Request::Required,
            batch_body,
            |c, req, o, names| {
                let opts = BatchOptions::new().call_options(o.clone());
                localize_batch(c.publish_batch_with(&req.posts, opts), names)
            },
        )
    }
}

/// `soku_posts_publish_batch` that can be stopped from another thread through `cancel`.
///
/// Same request, options and result as `soku_posts_publish_batch`. When `cancel` is cancelled
/// (`soku_cancel_token_cancel`), the batch stops before its next post (a post in flight
/// finishes; a wait for a rate-limit window is interrupted within 100 ms) and returns `SOKU_OK`
/// with the posts sent so far in `results` and `"cancelled": true`; `summary.total -
/// summary.succeeded - summary.failed` posts were not sent. A token already cancelled sends
/// nothing.
///
/// The operation contract at the top of `soku.h`, and for `cancel` (borrowed like the other
/// arguments): NULL means the batch cannot be cancelled; any thread may cancel it during the
/// call, and it must not be freed before the call returns.
///
/// # Safety
/// The pointer contract at the top of `soku.h` (`cancel`: NULL or a live token).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_posts_publish_batch_with_cancel(
    client: *const SokuClient,
    request_json: *const c_char,
    options_json: *const c_char,
    cancel: *const SokuCancelToken,
    out_json: *mut *mut c_char,
) -> i32 {
    // SAFETY: the caller upholds the documented contract, which is the progress variant's
    // without a callback.
    unsafe {
        soku_posts_publish_batch_with_progress(
            client,
            request_json,
            options_json,
            cancel,
            None,
            std::ptr::null_mut(),
            out_json,
        )
    }
}

/// `soku_posts_publish_batch_with_cancel` that reports each post as it finishes and may be
/// stopped from its progress callback.
///
/// Same request, options, cancellation and result as `soku_posts_publish_batch_with_cancel`.
/// After each post, `progress(user_data, item)` is called on the calling thread with the
/// post's index, the batch size, whether it was accepted, its `postSubmissionId` or error
/// message, the pacing wait before the next post and the item's JSON (as in `results`); see
/// `SokuBatchProgress`. Returning false stops the batch before its next post: the call then
/// returns `SOKU_OK` with the posts sent so far and `"cancelled": true` (unless that was the
/// last post). The callback may call soku functions (events it causes are not delivered to
/// the log callback on this thread while it runs).
///
/// Returns, ownership, NULL and threads: the operation contract at the top of `soku.h`, and
/// besides: `cancel`, `progress` and `user_data` are borrowed for the call (`user_data` is
/// passed through as is); the pointers inside `*item` are valid only during the callback;
/// `cancel` and `progress` may be NULL (no cancellation, no progress); `progress` is called only
/// from the thread that made this call.
///
/// # Safety
/// The pointer contract at the top of `soku.h`; `cancel` NULL or a live handle from
/// `soku_cancel_token_new`; `progress` NULL or a function safe to call with `user_data`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_posts_publish_batch_with_progress(
    client: *const SokuClient,
    request_json: *const c_char,
    options_json: *const c_char,
    cancel: *const SokuCancelToken,
    progress: SokuProgressCallback,
    user_data: *mut c_void,
    out_json: *mut *mut c_char,
) -> i32 {
    // SAFETY: the caller upholds the documented contract; `cancel` is NULL or live.
    unsafe {
        let token = cancel.as_ref().map(|t| t.token.clone());
        operation_named(
            client,
            request_json,
            options_json,
            out_json,
            Request::Required,
            batch_body,
            |c, req, o, names| {
                let total = req.posts.len();
                let mut opts = BatchOptions::new().call_options(o.clone());
                if let Some(token) = token {
                    opts = opts.cancel_token(token);
                }
                if let Some(cb) = progress {
                    opts = opts.on_progress(move |item, next_wait| {
                        report_progress(cb, user_data, item, total, next_wait, names)
                    });
                }
                localize_batch(c.publish_batch_with(&req.posts, opts), names)
            },
        )
    }
}

/// Builds the [`SokuBatchProgress`] of `item` and calls `cb`; false from `cb` stops the batch.
fn report_progress(
    cb: unsafe extern "C" fn(*mut c_void, *const SokuBatchProgress) -> bool,
    user_data: *mut c_void,
    item: &BatchItem,
    total: usize,
    next_wait: Duration,
    names: Names,
) -> ControlFlow<()> {
    // A text with a NUL byte cannot cross as a C string: its NULs are dropped.
    let c = |s: &str| CString::new(s.replace('\0', "")).unwrap_or_default();
    let id = item.post_submission_id().map(c);
    let message = item
        .error()
        .map(|e| c(&localize(e.clone(), names).to_string()));
    let json = c(&serde_json::to_string(item).unwrap_or_else(|_| "null".to_owned()));
    let progress = SokuBatchProgress {
        index: item.index,
        total,
        ok: item.is_ok(),
        post_submission_id: id.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
        error_message: message.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
        next_wait_ms: u64::try_from(next_wait.as_millis()).unwrap_or(u64::MAX),
        item_json: json.as_ptr(),
    };
    // SAFETY: the caller of the export promised `cb` is callable with `user_data`; every
    // pointer in `progress` outlives the call.
    if unsafe { cb(user_data, &progress) } {
        ControlFlow::Continue(())
    } else {
        ControlFlow::Break(())
    }
}

/// Imports media from public URLs, then publishes a post with the hosted URLs.
///
/// `request_json`: `{"sourceUrls": ["https://...", ...], "post": {"content": {"text",
/// "mediaType"?, "platform", ...}}, "scheduledTime"?: "..."}` (`post` as in `soku_posts_create`;
/// deprecated: `post` = the content object itself); `mediaType` `"video"` gets `videoUrl` = the
/// first hosted URL, otherwise (default `"image"`) `imageUrls` = all hosted URLs. `data`:
/// `{"media": [{"url": "..."}, ...], "post": {"postSubmissionId": "..."}}`. Every step carries
/// an idempotency key derived from one base key, so a repeated call publishes nothing twice:
/// after a failure, retry with options `{"idempotencyKey": <meta.idempotencyKey of the error
/// JSON>}` (the base key, yours or the generated one).
///
/// Returns, ownership, NULL and threads: the operation contract at the top of `soku.h`.
///
/// # Safety
/// The pointer contract at the top of `soku.h`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_posts_publish_with_media(
    client: *const SokuClient,
    request_json: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> i32 {
    // SAFETY: the caller upholds the documented contract.
    unsafe {
        operation(
            client,
            request_json,
            options_json,
            out_json,
            Request::Required,
            workflow_body::<PublishWithMedia>(&["sourceUrls", "post", "scheduledTime"]),
            |c, req, o| c.publish_with_media(req, o),
        )
    }
}

/// Renders a template image, then publishes it as an image post.
///
/// `request_json`: `{"template": {"templateSlug": "tweetImage", "config"?, "aspectRatio"?},
/// "post": {"content": {"text", "platform", ...}}, "scheduledTime"?: "..."}` (`post` as in
/// `soku_posts_create`; deprecated: `post` = the content object itself). `data`: `{"template": {"url",
/// "id"?}, "post": {"postSubmissionId": "..."}}`. The post carries an idempotency key derived from
/// one base key, reported as `meta.idempotencyKey` on success and failure; retry with options
/// `{"idempotencyKey": <that key>}` so that the post is never published twice (a new render
/// whose URL differs makes the server answer 409 instead of publishing again).
///
/// Returns, ownership, NULL and threads: the operation contract at the top of `soku.h`.
///
/// # Safety
/// The pointer contract at the top of `soku.h`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_posts_publish_with_template(
    client: *const SokuClient,
    request_json: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> i32 {
    // SAFETY: the caller upholds the documented contract.
    unsafe {
        operation(
            client,
            request_json,
            options_json,
            out_json,
            Request::Required,
            workflow_body::<PublishWithTemplate>(&["template", "post", "scheduledTime"]),
            |c, req, o| c.publish_with_template(req, o),
        )
    }
}
