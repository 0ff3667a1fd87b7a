//! Planning a call without sending it: [`Client::plan`](crate::Client::plan) runs an operation or a workflow with
//! the very code that sends it, but every request is recorded instead of sent, and answered
//! with a stand-in success (see [`Plan`]). What is recorded is what would be sent: the method,
//! the full URL (path segments percent-encoded), the headers with every credential shown as
//! `[redacted]`, the exact body bytes and the idempotency key, for each step of a workflow.
//! A call that the real client refuses before sending (a failed `validate()`, a missing
//! credential, an id such as `..` that cannot be one path segment) is refused by the plan with
//! the same error.
//!
//! ```
//! use soku::{CallOptions, Client, CreatePost, Platform};
//! use soku::endpoint::Method;
//!
//! let client = Client::builder().api_key("sk_live_example").firebase_token("tok").build()?;
//! let plan = client.plan(|c| c.revoke_api_key("a/b"))?;
//! assert_eq!(plan.requests[0].method, Method::Delete);
//! assert_eq!(plan.requests[0].url, "https://api.mysoku.io/v1/api-keys/a%2Fb");
//! assert!(client.plan(|c| c.revoke_api_key("..")).is_err());
//!
//! let posts = [CreatePost::text("a", [Platform::X]), CreatePost::text("b", [Platform::X])];
//! let opts = soku::workflows::BatchOptions::new()
//!     .call_options(CallOptions::new().idempotency_key("K"));
//! let plan = client.plan(|c| c.publish_batch_with(&posts, opts))?;
//! let keys: Vec<_> = plan.requests.iter().map(|r| r.idempotency_key.as_deref()).collect();
//! assert_eq!(keys, [Some("K-0"), Some("K-1")]);
//! assert_eq!(plan.requests[0].header("soku-api-key"), Some("[redacted]"));
//! # Ok::<(), soku::Error>(())
//! ```

use std::sync::{Mutex, PoisonError};

use serde_json::{Value, json};

use crate::endpoint::{self, Endpoint, Method};
use crate::error::{ApiError, Error, ErrorCode, Result};
use crate::response::Meta;

/// What a credential header shows in a plan.
pub const REDACTED: &str = "[redacted]";

/// The requests an operation or a workflow would send, in order ([`Client::plan`]).
///
/// A workflow's later steps depend on earlier answers; a plan answers every request with a
/// stand-in success, so the values a step takes from an answer are stand-ins:
/// an imported medium is hosted at `https://planned.invalid/media/<i>`, a rendered template at
/// `https://planned.invalid/rendered.png`, a new API key is `sk_live_planned` with the id
/// `planned`. The account's key list is not known to a plan: a rotation's check that the old
/// key is listed and active is skipped (its `GET /v1/api-keys` is in the plan). The key-rotation probe (a post
/// with an empty platform list) is answered `400 validation_error`, as the API answers it.
///
/// [`Client::plan`]: crate::Client::plan
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Every request, in the order it would be sent.
    pub requests: Vec<PlannedRequest>,
}

/// One request of a [`Plan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRequest {
    /// The endpoint called.
    pub endpoint: Endpoint,
    /// The HTTP method.
    pub method: Method,
    /// The full URL: the client's base URL and the path, its segments percent-encoded.
    pub url: String,
    /// The path part of [`url`](Self::url) below the base URL (`/v1/api-keys/a%2Fb`).
    pub path: String,
    /// The headers the client sets (lowercase names), credentials replaced by
    /// [`REDACTED`] (`soku-api-key: [redacted]`, `authorization: Bearer [redacted]`). The
    /// HTTP library adds its own (`host`, `content-length`, `accept-encoding`).
    pub headers: Vec<(String, String)>,
    /// The exact body bytes (JSON), if any.
    pub body: Option<Vec<u8>>,
    /// The `Idempotency-Key` sent, if any (also in `headers`).
    pub idempotency_key: Option<String>,
    /// Whether that key is a fresh random UUIDv4, or derived from one (a workflow's
    /// `<uuid>:post` when the caller gave no key): the UUID is then its first 36 characters, and
    /// a real call generates another one (and reuses it on every retry of the call).
    pub key_generated: bool,
}

impl PlannedRequest {
    /// The value of header `name` (case-insensitive), if set.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON (`None` without a body).
    pub fn body_json(&self) -> Option<Value> {
        self.body
            .as_deref()
            .and_then(|b| serde_json::from_slice(b).ok())
    }
}

/// A request as the client builds it, before it is either sent or recorded.
pub(crate) struct Outgoing<'a> {
    pub(crate) endpoint: &'a Endpoint,
    pub(crate) path: &'a str,
    pub(crate) url: &'a str,
    pub(crate) headers: &'a [(&'static str, &'a str)],
    pub(crate) body: Option<&'a [u8]>,
    pub(crate) idempotency_key: Option<&'a str>,
    pub(crate) key_generated: bool,
    pub(crate) user_agent: &'a str,
}

/// Records the requests of a planning client and answers them with stand-ins.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    requests: Mutex<Vec<PlannedRequest>>,
    /// Base keys a workflow generated: keys derived from them are generated too.
    bases: Mutex<Vec<String>>,
}

impl Recorder {
    /// Notes a workflow's generated base key.
    pub(crate) fn generated_base(&self, base: &str) {
        self.bases
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(base.to_owned());
    }

    /// Records `out` (credentials redacted) and returns its stand-in answer.
    pub(crate) fn answer(&self, out: &Outgoing<'_>) -> Result<(Vec<u8>, Meta)> {
        let mut headers: Vec<(String, String)> = out
            .headers
            .iter()
            .map(|&(name, value)| {
                let shown = match name {
                    "soku-api-key" => REDACTED.to_owned(),
                    "authorization" => format!("Bearer {REDACTED}"),
                    _ => value.to_owned(),
                };
                (name.to_owned(), shown)
            })
            .collect();
        headers.push(("user-agent".to_owned(), out.user_agent.to_owned()));
        let derived = out.idempotency_key.is_some_and(|k| {
            self.bases
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
                .any(|b| k.starts_with(b.as_str()))
        });
        let mut requests = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
        let uploads = requests
            .iter()
            .filter(|r| r.endpoint == endpoint::UPLOAD_MEDIA)
            .count();
        requests.push(PlannedRequest {
            endpoint: *out.endpoint,
            method: out.endpoint.method,
            url: out.url.to_owned(),
            path: out.path.to_owned(),
            headers,
            body: out.body.map(<[u8]>::to_vec),
            idempotency_key: out.idempotency_key.map(str::to_owned),
            key_generated: out.key_generated || derived,
        });
        drop(requests);
        let meta = Meta {
            status: 200,
            idempotency_key: out.idempotency_key.map(str::to_owned),
            ..Meta::default()
        };
        let body = match *out.endpoint {
            e if e == endpoint::CREATE_POST && is_probe(out.body) => {
                return Err(Error::Api(Box::new(ApiError {
                    status: 400,
                    code: ErrorCode::ValidationError,
                    message: "planned: a post with no platform is refused".into(),
                    error_type: None,
                    request_id: None,
                    details: None,
                    retry_after: None,
                    meta: Meta {
                        status: 400,
                        ..meta
                    },
                })));
            }
            e if e == endpoint::CREATE_POST => json!({"postSubmissionId": "planned"}),
            e if e == endpoint::UPLOAD_MEDIA => {
                json!({"url": format!("https://planned.invalid/media/{uploads}")})
            }
            e if e == endpoint::RENDER_TEMPLATE || e == endpoint::RENDER_OG => {
                json!({"url": "https://planned.invalid/rendered.png"})
            }
            e if e == endpoint::TRANSCRIBE => json!({"jobId": "planned"}),
            e if e == endpoint::CREATE_API_KEY => {
                json!({"apiKey": "sk_live_planned", "id": "planned"})
            }
            e if e == endpoint::LIST_API_KEYS => json!({"apiKeys": []}),
            _ => Value::Null,
        };
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        Ok((bytes, meta))
    }

    /// The requests recorded so far.
    pub(crate) fn take(&self) -> Vec<PlannedRequest> {
        std::mem::take(&mut *self.requests.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Whether a post body lists no platform (what the key-rotation probe sends).
fn is_probe(body: Option<&[u8]>) -> bool {
    body.and_then(|b| serde_json::from_slice::<Value>(b).ok())
        .and_then(|v| v.pointer("/post/content/platform").cloned())
        .is_some_and(|p| p.as_array().is_some_and(Vec::is_empty))
}
