//! Responses and the API error envelope (`docs/soku-api.md` §4).

use serde_json::{Value, json};

/// One HTTP answer before the per-response headers (request id, rate limits) are added.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// A JSON body with `Content-Type: application/json`.
    pub fn json(status: u16, body: &Value) -> Reply {
        Reply::raw(status, "application/json", body.to_string().into_bytes())
    }

    /// An arbitrary body with the given content type.
    pub fn raw(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body,
        }
    }

    /// A response without a body (204).
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header, replacing one of the same name.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

/// An API error, rendered as the documented envelope by [`ApiError::into_reply`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
    /// `(field, reason)` for `details`.
    pub details: Option<(String, String)>,
    /// Seconds for a `Retry-After` header.
    pub retry_after: Option<u64>,
}

/// The result of a route handler.
pub(crate) type ApiResult = Result<Reply, ApiError>;

impl ApiError {
    /// An error with a status, a code and a message.
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.to_string(),
            message: message.into(),
            details: None,
            retry_after: None,
        }
    }

    /// 400 `validation_error` naming the offending field.
    pub fn validation(field: &str, reason: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(400, "validation_error", message).detail(field, reason)
    }

    /// 401 `unauthorized`.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(401, "unauthorized", message)
    }

    /// Attaches `details: {field, reason}`.
    pub fn detail(mut self, field: &str, reason: &str) -> ApiError {
        self.details = Some((field.to_string(), reason.to_string()));
        self
    }

    /// The default error code of a status (used by faults that name no code).
    pub fn default_code(status: u16) -> &'static str {
        match status {
            400 => "bad_request",
            401 => "unauthorized",
            402 => "insufficient_credits",
            403 => "forbidden",
            404 => "not_found",
            405 => "method_not_allowed",
            409 => "conflict",
            429 => "rate_limit_exceeded",
            _ => "internal_error",
        }
    }

    /// The envelope's `type` for a status.
    fn error_type(status: u16) -> &'static str {
        match status {
            401 | 403 => "authentication_error",
            500..=599 => "api_error",
            _ => "invalid_request_error",
        }
    }

    /// Renders the envelope `{"error": {type, code, message, timestamp, requestId, details?}}`.
    pub fn into_reply(self, request_id: &str) -> Reply {
        let mut error = json!({
            "type": ApiError::error_type(self.status),
            "code": self.code,
            "message": self.message,
            "timestamp": crate::time::now_rfc3339(),
            "requestId": request_id,
        });
        if let Some((field, reason)) = self.details {
            error["details"] = json!({"field": field, "reason": reason});
        }
        let reply = Reply::json(self.status, &json!({ "error": error }));
        match self.retry_after {
            Some(secs) => reply.with_header("Retry-After", secs.to_string()),
            None => reply,
        }
    }
}

/// A fresh request id, `req_` and 24 hex digits.
pub(crate) fn new_request_id() -> String {
    format!("req_{}", &uuid::Uuid::new_v4().simple().to_string()[..24])
}
