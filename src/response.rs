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
/// "attempts", "idempotencyKey"}` with nulls kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    /// HTTP status of the final attempt (0 if none was received).
    pub status: u16,
    /// `X-Request-Id` header, else the error body's `requestId`.
    pub request_id: Option<String>,
    /// Rate-limit snapshot from the last response received.
    pub rate_limit: RateLimit,
    /// Attempts made for this call (1 = no retry), counting an attempt whose connection
    /// failed.
    pub attempts: u32,
    /// The `Idempotency-Key` sent, if any (the same on every attempt).
    pub idempotency_key: Option<String>,
}
