//! Fault injection: queued misbehaviours for a path.

use crate::reply::ApiError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// A misbehaviour queued for the next `count` requests to a path (see [`crate::Sandbox::inject`]).
///
/// JSON form (control API `POST /__sandbox/faults`, all fields optional except `path`):
/// `{"path": "/v1/posts", "method": "POST", "count": 1, "status": 500, "code": "internal_error",
/// "retryAfter": 1, "delayMs": 0, "body": "<html>…</html>", "headers": {"Retry-After": "…"},
/// "drop": false, "afterProcessing": false}`.
///
/// - With none of `status`, `code`, `body`, `drop` set the fault only delays the request
///   (`delayMs`), which is then served normally; its answer still carries `retryAfter` and
///   `headers`.
/// - A `status` outside 200 to 599 or a path not starting with `/` is refused (control API:
///   400 `validation_error`; [`crate::Sandbox::try_inject`]: an error).
/// - `status` without `code` uses the usual code of that status (500 → `internal_error`,
///   429 → `rate_limit_exceeded`, 503 → `internal_error`, …).
/// - `body` replaces the JSON envelope with that raw body (`text/html` when it starts with `<`,
///   else `text/plain`); its status defaults to 502.
/// - `drop` closes the TCP connection without sending any response.
/// - `afterProcessing` serves the request first (the post is accepted, the idempotency key
///   stored, credits debited) and only then answers with the fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fault {
    /// How many requests the fault applies to. Default 1.
    #[serde(default = "one")]
    pub count: u32,
    /// Only requests with this HTTP method (e.g. `POST`). Default: any method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The HTTP status to answer with, 200 to 599. Default: none (500 when `code` is set, 502
    /// with `body`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The error code in the envelope. Default: the usual code of `status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// A `Retry-After` header value in seconds. Default: none. Without `status`, `code`, `body`
    /// or `drop` the request is served normally and its answer carries the header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// Delay before the request is handled, in milliseconds (at most one hour). Default 0.
    #[serde(default)]
    pub delay_ms: u64,
    /// A raw, non-JSON response body. Default: none (the JSON error envelope).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Extra response headers, set last (they override `Retry-After`, `X-RateLimit-*`, …),
    /// e.g. `{"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}`. They also apply to a fault that
    /// only delays, so a normal answer can carry them. Default none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// Close the connection without answering. Default false.
    #[serde(default)]
    pub drop: bool,
    /// Apply the request, then answer with the fault. Default false.
    #[serde(default)]
    pub after_processing: bool,
}

fn one() -> u32 {
    1
}

impl Default for Fault {
    fn default() -> Self {
        Fault {
            count: 1,
            method: None,
            status: None,
            code: None,
            retry_after: None,
            delay_ms: 0,
            body: None,
            headers: BTreeMap::new(),
            drop: false,
            after_processing: false,
        }
    }
}

impl Fault {
    /// Answer with `status` and error `code` (e.g. `Fault::status(503, "internal_error")`).
    pub fn status(status: u16, code: &str) -> Fault {
        Fault {
            status: Some(status),
            code: Some(code.to_string()),
            ..Fault::default()
        }
    }

    /// Answer 429 `rate_limit_exceeded` with `Retry-After: secs`.
    pub fn rate_limited(secs: u64) -> Fault {
        Fault::status(429, "rate_limit_exceeded").retry_after(secs)
    }

    /// Answer with a raw non-JSON body (e.g. a proxy's HTML error page) and `status`.
    pub fn raw_body(status: u16, body: &str) -> Fault {
        Fault {
            status: Some(status),
            body: Some(body.to_string()),
            ..Fault::default()
        }
    }

    /// Close the connection without answering.
    pub fn drop_connection() -> Fault {
        Fault {
            drop: true,
            ..Fault::default()
        }
    }

    /// Only delay the request, then serve it normally.
    pub fn delay(d: Duration) -> Fault {
        Fault::default().delayed(d)
    }

    /// Also delay the request by `d` before anything else.
    pub fn delayed(mut self, d: Duration) -> Fault {
        self.delay_ms = d.as_millis().min(u64::MAX as u128) as u64;
        self
    }

    /// Apply to the next `n` requests instead of one.
    pub fn times(mut self, n: u32) -> Fault {
        self.count = n;
        self
    }

    /// Add a `Retry-After: secs` header.
    pub fn retry_after(mut self, secs: u64) -> Fault {
        self.retry_after = Some(secs);
        self
    }

    /// Only apply to requests with this method (e.g. `"POST"` on `/v1/api-keys`).
    pub fn method(mut self, method: &str) -> Fault {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    /// Add (or override) a response header.
    pub fn header(mut self, name: &str, value: &str) -> Fault {
        self.headers.insert(name.to_string(), value.to_string());
        self
    }

    /// Serve the request first, then answer with this fault.
    pub fn after_processing(mut self) -> Fault {
        self.after_processing = true;
        self
    }

    /// Whether the fault changes the answer (rather than only delaying it).
    pub(crate) fn alters_answer(&self) -> bool {
        self.status.is_some() || self.code.is_some() || self.body.is_some() || self.drop
    }

    /// The headers the fault adds to whatever answer is sent: `Retry-After` from
    /// [`Fault::retry_after`], then [`Fault::headers`] (which may override it).
    pub(crate) fn response_headers(&self) -> Vec<(String, String)> {
        let retry_after = self
            .retry_after
            .map(|secs| ("Retry-After".to_string(), secs.to_string()));
        retry_after
            .into_iter()
            .chain(self.headers.iter().map(|(n, v)| (n.clone(), v.clone())))
            .collect()
    }

    /// The one check of a fault queued for `path`, whether through [`crate::Sandbox::inject`]
    /// or the control API: the path starts with `/` and a status is 200 to 599.
    pub(crate) fn check(&self, path: &str) -> Result<(), ApiError> {
        if !path.starts_with('/') {
            return Err(ApiError::validation(
                "path",
                "invalid_value",
                format!("fault path {path:?} must start with /"),
            ));
        }
        if let Some(status) = self.status.filter(|s| !(200..=599).contains(s)) {
            return Err(ApiError::validation(
                "status",
                "invalid_value",
                format!("fault status {status} must be 200 to 599"),
            ));
        }
        Ok(())
    }
}

/// The queue of pending faults, in injection order.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    pending: Vec<(String, Fault)>,
}

/// Whether a fault's path pattern matches a request path: exact, or a prefix ending in `*`.
fn path_matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => pattern == path,
    }
}

impl FaultQueue {
    /// Queues a fault after [`Fault::check`] (a count of 0 queues nothing).
    pub fn push(&mut self, path: String, fault: Fault) -> Result<(), ApiError> {
        fault.check(&path)?;
        if fault.count > 0 {
            self.pending.push((path, fault));
        }
        Ok(())
    }

    /// Drops every pending fault.
    pub fn clear(&mut self) {
        self.pending.clear();
    }

    /// Takes one use of the first fault matching `path`.
    pub fn take(&mut self, method: &str, path: &str) -> Option<Fault> {
        let idx = self.pending.iter().position(|(p, f)| {
            path_matches(p, path)
                && f.method
                    .as_ref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
        })?;
        let fault = &mut self.pending[idx].1;
        fault.count -= 1;
        let taken = Fault {
            count: 1,
            ..fault.clone()
        };
        if fault.count == 0 {
            self.pending.remove(idx);
        }
        Some(taken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_counts_down_and_matches_prefixes() {
        let mut q = FaultQueue::default();
        q.push(
            "/v1/api-keys/*".into(),
            Fault::status(500, "internal_error").times(2),
        )
        .unwrap();
        q.push("/v1/posts".into(), Fault::drop_connection())
            .unwrap();
        q.push(
            "/v1/api-keys".into(),
            Fault::status(503, "internal_error").method("post"),
        )
        .unwrap();
        assert!(q.take("POST", "/v1/media").is_none());
        assert!(q.take("DELETE", "/v1/api-keys/key_1").is_some());
        assert!(q.take("DELETE", "/v1/api-keys/key_2").is_some());
        assert!(q.take("DELETE", "/v1/api-keys/key_3").is_none());
        assert!(q.take("POST", "/v1/posts").unwrap().drop);
        assert!(q.take("POST", "/v1/posts").is_none());
        assert!(q.take("GET", "/v1/api-keys").is_none());
        assert_eq!(q.take("POST", "/v1/api-keys").unwrap().status, Some(503));
    }

    #[test]
    fn push_refuses_what_no_http_answer_can_carry() {
        let mut q = FaultQueue::default();
        for (path, status) in [("/v1/posts", 0), ("/v1/posts", 199), ("/v1/posts", 600)] {
            let err = q
                .push(path.into(), Fault::status(status, "internal_error"))
                .unwrap_err();
            assert_eq!((err.status, err.details.unwrap().0), (400, "status".into()));
        }
        let err = q.push("v1/posts".into(), Fault::default()).unwrap_err();
        assert_eq!(err.details.unwrap().0, "path");
        assert!(q.take("POST", "/v1/posts").is_none(), "nothing was queued");
        q.push("/v1/posts".into(), Fault::status(200, "ok"))
            .unwrap();
        q.push("/v1/posts".into(), Fault::status(599, "x")).unwrap();
    }

    #[test]
    fn retry_after_comes_before_explicit_headers() {
        let f = Fault::default().retry_after(3).header("X-A", "1");
        assert_eq!(
            f.response_headers(),
            [
                ("Retry-After".into(), "3".into()),
                ("X-A".into(), "1".into())
            ]
        );
        assert!(!f.alters_answer());
    }

    #[test]
    fn json_defaults() {
        let f: Fault = serde_json::from_str(r#"{"status": 503}"#).unwrap();
        assert_eq!(f.count, 1);
        assert_eq!(f.status, Some(503));
        assert!(!f.drop && !f.after_processing && f.delay_ms == 0);
        assert!(serde_json::from_str::<Fault>(r#"{"stauts": 503}"#).is_err());
    }
}
