//! [`Response`]: a typed body with the call's [`Meta`].

use std::ops::Deref;

use serde::Serialize;

use crate::rate_limit::RateLimit;

/// The typed body of a successful call together with its metadata. Derefs to the body.
/// ([`ffi::document`](crate::ffi::document) writes it as the `{"data": …, "meta": …}` JSON
/// document of C, Python and the CLI.)
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T> {
    /// The decoded body.
    pub data: T,
    /// Status, request id, rate limit, attempts and idempotency key of the call.
    pub meta: Meta,
}

impl<T> Response<T> {
    /// The call's metadata.
    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    /// The body, dropping the metadata.
    pub fn into_data(self) -> T {
        self.data
    }

    /// Transforms the body, keeping the metadata.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            data: f(self.data),
            meta: self.meta,
        }
    }
}

impl<T> Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.data
    }
}

/// Metadata of one call (across its retries).
///
/// Serialises to `{"status", "requestId", "rateLimit": {"limit", "remaining", "reset", "tier"},
/// "attempts", "idempotencyKey"}` with nulls kept, plus `"calls"` in a workflow's metadata.
///
/// `attempts` always counts HTTP attempts (requests sent, retries included); `calls` counts the
/// API calls of a workflow, each of which made one attempt or more: a media import and the post
/// without a retry is `calls: 2, attempts: 2`, and `attempts - calls` is the number of retries.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    /// HTTP status of the final attempt (0 if none was received).
    pub status: u16,
    /// `X-Request-Id` header, else the error body's `requestId`.
    pub request_id: Option<String>,
    /// Rate-limit snapshot from the last response received.
    pub rate_limit: RateLimit,
    /// HTTP attempts made (1 = a single call without a retry), counting an attempt whose
    /// connection failed; for a workflow, over all its calls.
    pub attempts: u32,
    /// For a workflow (batch, rotation, publish with media or template): the API calls it made,
    /// failed ones included; `None` for a single call (one call). Default `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calls: Option<u32>,
    /// The `Idempotency-Key` sent, if any (the same on every attempt).
    pub idempotency_key: Option<String>,
}
