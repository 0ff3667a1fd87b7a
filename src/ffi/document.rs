//! The JSON documents that C, Python and the CLI receive: `{"data": …, "meta": …}` for a
//! result and `{"error": {…}, "meta": … | null}` for a failure. They are built here and only
//! here; the library's own types are plain Rust (an [`Error`] and a [`Secret`](crate::Secret)
//! have no `Serialize`).
//!
//! The error object is `{"kind", "status", "code", "message", "requestId", "details",
//! "retryAfter", "param"}` with nulls kept; `retryAfter` is in seconds (an integer when whole).
//! `meta` is [`Meta`]'s `{"status", "requestId", "rateLimit", "attempts", "idempotencyKey"}`
//! (a workflow's adds `"calls"`).
//!
//! The results that carry a credential or an error are written here too: a created or rotated
//! key's `apiKey` as its plaintext (the only way a new key reaches a C, Python or CLI caller),
//! a rotation's `revokeError` and a failed batch item's `error` as the error object.
//!
//! ```
//! use soku::ffi::document;
//!
//! let err = soku::Client::builder().base_url("ftp://x").build().unwrap_err();
//! let doc: serde_json::Value = serde_json::from_str(&document::error_json(&err)).unwrap();
//! assert_eq!(doc["error"]["kind"], "config");
//! assert_eq!(doc["error"]["param"], "baseUrl");
//! assert!(doc["meta"].is_null());
//! ```

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Value, json};

use crate::api_keys::CreatedApiKey;
use crate::error::Error;
use crate::response::{Meta, Response};
use crate::workflows::{BatchItem, RotatedApiKey};

/// The error object of a document, serialised from an [`Error`] (its metadata is not included:
/// see [`ErrorDocument`]).
#[derive(Debug, Clone, Copy)]
pub struct ErrorObject<'a>(pub &'a Error);

impl Serialize for ErrorObject<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let e = self.0;
        let mut map = s.serialize_map(Some(8))?;
        map.serialize_entry("kind", e.kind().as_str())?;
        map.serialize_entry("status", &e.status())?;
        map.serialize_entry("code", &e.code())?;
        map.serialize_entry("message", &e.message())?;
        map.serialize_entry("requestId", &e.request_id())?;
        map.serialize_entry("details", &e.details())?;
        match e.retry_after() {
            Some(d) if d.subsec_nanos() == 0 => map.serialize_entry("retryAfter", &d.as_secs())?,
            Some(d) => map.serialize_entry("retryAfter", &d.as_secs_f64())?,
            None => map.serialize_entry("retryAfter", &None::<u64>)?,
        }
        map.serialize_entry("param", &e.param())?;
        map.end()
    }
}

/// The error object of `err` as a value. Serialising an error cannot fail (it holds only
/// strings, numbers and JSON values); should it ever, this is the object without `details`
/// and with the reason appended to the message, never `null`.
pub fn error_object(err: &Error) -> Value {
    serde_json::to_value(ErrorObject(err)).unwrap_or_else(|e| object_without_details(err, &e))
}

/// The error object without `details`, with `why` appended to the message: for when the full
/// object cannot be serialised.
pub(crate) fn object_without_details(err: &Error, why: &dyn std::fmt::Display) -> Value {
    json!({
        "kind": err.kind().as_str(),
        "status": err.status(),
        "code": err.code().map(|c| c.as_str()),
        "message": format!("{} (error details could not be serialised: {why})", err.message()),
        "requestId": err.request_id(),
        "details": null,
        "retryAfter": null,
        "param": err.param(),
    })
}

/// The document of a failed call: `{"error": {…}, "meta": … | null}`.
#[derive(Debug)]
pub struct ErrorDocument<'a> {
    /// The error.
    pub error: &'a Error,
    /// Its metadata, when a request was sent.
    pub meta: Option<&'a Meta>,
}

impl<'a> ErrorDocument<'a> {
    /// The document of `error`, with the error's own metadata.
    pub fn new(error: &'a Error) -> Self {
        ErrorDocument {
            error,
            meta: error.meta(),
        }
    }
}

impl Serialize for ErrorDocument<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("error", &ErrorObject(self.error))?;
        map.serialize_entry("meta", &self.meta)?;
        map.end()
    }
}

/// The document of a successful call: `{"data": …, "meta": … | null}`.
#[derive(Debug)]
pub struct SuccessDocument<'a, T: ?Sized> {
    /// The result.
    pub data: &'a T,
    /// The call's metadata; `None` when no request was sent (`soku_client_new`).
    pub meta: Option<&'a Meta>,
}

impl<'a, T> SuccessDocument<'a, T> {
    /// The document of a response.
    pub fn new(response: &'a Response<T>) -> Self {
        SuccessDocument {
            data: &response.data,
            meta: Some(&response.meta),
        }
    }
}

impl<T: Serialize + ?Sized> Serialize for SuccessDocument<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("data", self.data)?;
        map.serialize_entry("meta", &self.meta)?;
        map.end()
    }
}

/// The error document of `err` as JSON text; never fails (see [`error_object`]).
pub fn error_json(err: &Error) -> String {
    serde_json::to_string(&ErrorDocument::new(err)).unwrap_or_else(|e| {
        json!({ "error": object_without_details(err, &e), "meta": null }).to_string()
    })
}

/// The success document of `response` as JSON text; a result that cannot be serialised is an
/// [`Error::Decode`] carrying the call's metadata.
pub fn success_json<T: Serialize>(response: &Response<T>) -> Result<String, Error> {
    serde_json::to_string(&SuccessDocument::new(response)).map_err(|e| Error::Decode {
        message: format!("could not serialise the response: {e}"),
        meta: Box::new(response.meta.clone()),
        source: Some(crate::error::Cause::new(e)),
    })
}

/// The error document of a panic caught at the C boundary: kind `"panic"`, no metadata.
pub(crate) fn panic_json(message: &str) -> String {
    json!({
        "error": {
            "kind": "panic",
            "status": null,
            "code": null,
            "message": format!("panic inside soku: {message}"),
            "requestId": null,
            "details": null,
            "retryAfter": null,
            "param": null,
        },
        "meta": null,
    })
    .to_string()
}

/// `{"apiKey": "<the key itself>", "id"?, …}`: the only time a new key is shown.
impl Serialize for CreatedApiKey {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("apiKey", self.api_key.expose())?;
        if let Some(id) = &self.id {
            map.serialize_entry("id", id)?;
        }
        for (k, v) in &self.extra {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// `{"apiKey", "id"?, "verified", "revoked", "revokedKeyId", "revokeError"}`: `"revoked": true,
/// "revokedKeyId": "<old key id>", "revokeError": null` normally, `"revoked": false,
/// "revokedKeyId": null, "revokeError": {<error object>}` when the revocation failed.
impl Serialize for RotatedApiKey {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("apiKey", self.api_key.expose())?;
        if let Some(id) = &self.id {
            map.serialize_entry("id", id)?;
        }
        map.serialize_entry("verified", &self.verified)?;
        map.serialize_entry("revoked", &self.revoked)?;
        map.serialize_entry("revokedKeyId", &self.revoked_key_id)?;
        map.serialize_entry("revokeError", &self.revoke_error.as_ref().map(ErrorObject))?;
        map.end()
    }
}

/// `{"index", "ok": true, "postSubmissionId", …, "pacedMs", "meta"}` on success and `{"index",
/// "ok": false, "error": {<error object>}, "pacedMs", "meta"}` on failure (`meta` is null when
/// nothing was sent). `pacedMs` is [`BatchItem::paced`] in whole milliseconds (rounded down).
impl Serialize for BatchItem {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("index", &self.index)?;
        map.serialize_entry("ok", &self.is_ok())?;
        match &self.result {
            Ok(submission) => {
                // The submission's own fields (postSubmissionId and any the server added).
                match serde_json::to_value(submission).map_err(serde::ser::Error::custom)? {
                    serde_json::Value::Object(fields) => {
                        for (k, v) in &fields {
                            if !matches!(k.as_str(), "index" | "ok" | "meta" | "error" | "pacedMs")
                            {
                                map.serialize_entry(k, v)?;
                            }
                        }
                    }
                    other => map.serialize_entry("postSubmission", &other)?,
                }
            }
            // The error itself: a serialisation failure propagates, never becomes `null`.
            Err(err) => map.serialize_entry("error", &ErrorObject(err))?,
        }
        let paced_ms = u64::try_from(self.paced.as_millis()).unwrap_or(u64::MAX);
        map.serialize_entry("pacedMs", &paced_ms)?;
        map.serialize_entry("meta", &self.meta)?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::error::{ApiError, ErrorCode};

    #[test]
    fn the_fallback_error_object_keeps_the_shape_and_what_failed() {
        let err = Error::invalid_param("id", "id must not be empty");
        let full = error_object(&err);
        let fallback = object_without_details(&err, &"boom");
        let keys = |v: &serde_json::Value| {
            let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        };
        assert_eq!(keys(&full), keys(&fallback));
        assert_eq!(fallback["kind"], "invalid_argument");
        assert_eq!(fallback["param"], "id");
        assert_eq!(
            fallback["message"],
            "id must not be empty (error details could not be serialised: boom)"
        );
    }

    #[test]
    fn other_kinds_serialise_with_nulls() {
        let e = Error::invalid_param("id", "id must not be empty");
        assert_eq!(
            error_object(&e),
            serde_json::json!({"kind": "invalid_argument", "status": null, "code": null,
                "message": "id must not be empty", "requestId": null, "details": null,
                "retryAfter": null, "param": "id"})
        );
        let mut api = ApiError {
            status: 429,
            code: ErrorCode::RateLimitExceeded,
            message: String::new(),
            error_type: None,
            request_id: None,
            details: Some(serde_json::json!({"window": 60})),
            retry_after: Some(Duration::from_secs(2)),
            meta: Meta::default(),
        };
        let v = error_object(&Error::Api(Box::new(api.clone())));
        assert_eq!(v["retryAfter"], 2);
        assert_eq!(v["details"]["window"], 60);
        api.retry_after = Some(Duration::from_millis(1500));
        let v = error_object(&Error::Api(Box::new(api)));
        assert_eq!(v["retryAfter"], 1.5);
    }
}
