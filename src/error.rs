//! The error type of every call: [`Error`], [`ApiError`] and [`ErrorCode`].

use std::ffi::CStr;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::response::Meta;

/// `Result` with the crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong in a call.
///
/// Branch on [`Error::kind`] and, for [`Error::Api`], on [`Error::code`]; never on the message.
/// No variant ever contains the API key or the Firebase token.
///
/// `Debug` prints the same readable line as `Display` (so a `main` returning
/// `Result<(), soku::Error>` reports `Error: api error 400 validation_error: … (request …)`);
/// the alternate form `{:#?}` shows every field.
#[non_exhaustive]
#[derive(Clone, thiserror::Error)]
pub enum Error {
    /// The server answered with an error status (3xx, 4xx or 5xx).
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The request could not be completed: connection refused or reset, DNS, TLS, protocol.
    #[error("transport error: {message}{}", RequestSuffix(meta.request_id.as_deref()))]
    Transport {
        /// What failed.
        message: String,
        /// Metadata of the call (attempts made, idempotency key sent).
        meta: Box<Meta>,
        /// The underlying `ureq` / I/O error, when there is one (what `source()` returns).
        source: Option<Cause>,
    },
    /// The call did not finish within the configured timeout.
    #[error("timeout: {message}{}", RequestSuffix(meta.request_id.as_deref()))]
    Timeout {
        /// Which phase timed out.
        message: String,
        /// Metadata of the call (attempts made, idempotency key sent).
        meta: Box<Meta>,
        /// The underlying `ureq` / I/O error, when there is one.
        source: Option<Cause>,
    },
    /// A success status whose body is not the expected JSON.
    #[error("decode error: {message}{}", RequestSuffix(meta.request_id.as_deref()))]
    Decode {
        /// Why decoding failed.
        message: String,
        /// Metadata of the response that could not be decoded.
        meta: Box<Meta>,
        /// The underlying `serde_json` / `ureq` error, when there is one and its text holds no
        /// credential.
        source: Option<Cause>,
    },
    /// The client is misconfigured (bad base URL, missing API key or token). Nothing was sent.
    #[error("config error: {}", crate::options::with_hint(message, param.as_deref(), crate::options::Names::Rust))]
    Config {
        /// What is wrong. The library's messages name no option: `Display` appends how to fix it
        /// in Rust's names (`(set ClientBuilder::api_key, or SOKU_API_KEY with ClientBuilder::from_env)`), and the C ABI, Python
        /// and the CLI append their own ([`crate::options::hint`]).
        message: String,
        /// The configuration key at fault, by its C/JSON name (`"apiKey"`, `"baseUrl"`,
        /// `"timeoutMs"`, …; [`crate::options::OPTIONS`] gives its name in every interface),
        /// when one is.
        param: Option<String>,
    },
    /// The caller's input failed client-side validation. Nothing was sent, except by the one
    /// check that needs the server: [`Client::rotate_api_key`](crate::Client::rotate_api_key)
    /// reads the key list (a `GET`) to refuse an old key id that is missing or not active.
    /// Either way nothing was changed.
    #[error("invalid argument: {message}")]
    InvalidArgument {
        /// What is wrong and how to fix it.
        message: String,
        /// The request field at fault as its JSON path (`"post.content.text"`,
        /// `"idempotencyKey"`), or the C function parameter (`"request_json"`), when one is.
        param: Option<String>,
    },
}

/// The underlying error of a [`Error::Transport`], [`Error::Timeout`] or [`Error::Decode`]:
/// shared (so that [`Error`] stays `Clone`), and dereferencing to the error itself, which is
/// what [`Error`]'s `source()` returns (downcast it to `ureq::Error`, `std::io::Error` or
/// `serde_json::Error`).
#[derive(Clone)]
pub struct Cause(Arc<dyn std::error::Error + Send + Sync>);

impl Cause {
    /// Wraps an underlying error.
    pub fn new(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Cause(Arc::new(e))
    }

    /// `e` as a cause, unless one of `secrets` is in its text: an error's message is redacted,
    /// and its `source()` must not hand the credential back. The text checked is the `Display`
    /// and `Debug` of `e` and of every error in its own `source()` chain (all of which a caller
    /// walking the chain, or printing `{:#?}`, would see).
    pub(crate) fn unless_secret(
        e: impl std::error::Error + Send + Sync + 'static,
        secrets: &[&str],
    ) -> Option<Self> {
        let clean = |text: String| redact(text.clone(), secrets) == text;
        let mut next: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(err) = next {
            if !clean(err.to_string()) || !clean(format!("{err:?}")) {
                return None;
            }
            next = err.source();
        }
        Some(Cause::new(e))
    }
}

/// Deliberately not `std::error::Error` itself: `source()` then resolves through this deref to
/// the underlying error, so a downcast reaches the concrete type.
impl std::ops::Deref for Cause {
    type Target = dyn std::error::Error + Send + Sync;

    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

/// What kind of failure an [`Error`] is; [`ErrorKind::as_str`] is the name the C ABI and the
/// Python binding use (the error JSON's `kind`).
///
/// New kinds may be added in a minor release (match with a wildcard arm).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// `"invalid_argument"`: the caller's input failed client-side validation.
    InvalidArgument,
    /// `"config"`: the client is misconfigured.
    Config,
    /// `"api"`: the server answered with an error status.
    Api,
    /// `"transport"`: the request could not be completed.
    Transport,
    /// `"timeout"`: the call did not finish in time.
    Timeout,
    /// `"decode"`: a success answer whose body is not the expected JSON.
    Decode,
}

impl ErrorKind {
    /// The stable lowercase name: `"invalid_argument"`, `"config"`, `"api"`, `"transport"`,
    /// `"timeout"` or `"decode"`.
    pub fn as_str(self) -> &'static str {
        // The names are ASCII literals: conversion cannot fail.
        self.as_c_str().to_str().unwrap_or("unknown")
    }

    /// [`ErrorKind::as_str`] as a C string (what `soku_status_str` returns).
    pub(crate) fn as_c_str(self) -> &'static CStr {
        match self {
            ErrorKind::InvalidArgument => c"invalid_argument",
            ErrorKind::Config => c"config",
            ErrorKind::Api => c"api",
            ErrorKind::Transport => c"transport",
            ErrorKind::Timeout => c"timeout",
            ErrorKind::Decode => c"decode",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !f.alternate() {
            return write!(f, "{self}");
        }
        match self {
            Error::Api(e) => f.debug_tuple("Api").field(e).finish(),
            Error::Transport {
                message,
                meta,
                source,
            } => f
                .debug_struct("Transport")
                .field("message", message)
                .field("meta", meta)
                .field("source", &source.as_ref().map(|s| s.to_string()))
                .finish(),
            Error::Timeout {
                message,
                meta,
                source,
            } => f
                .debug_struct("Timeout")
                .field("message", message)
                .field("meta", meta)
                .field("source", &source.as_ref().map(|s| s.to_string()))
                .finish(),
            Error::Decode {
                message,
                meta,
                source,
            } => f
                .debug_struct("Decode")
                .field("message", message)
                .field("meta", meta)
                .field("source", &source.as_ref().map(|s| s.to_string()))
                .finish(),
            Error::Config { message, param } => f
                .debug_struct("Config")
                .field("message", message)
                .field("param", param)
                .finish(),
            Error::InvalidArgument { message, param } => f
                .debug_struct("InvalidArgument")
                .field("message", message)
                .field("param", param)
                .finish(),
        }
    }
}

/// An error answer from the Soku API.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status of the answer.
    pub status: u16,
    /// The server's error code (`error.code`), or `http_<status>` when the body had none.
    pub code: ErrorCode,
    /// The server's message, or a bounded excerpt of a body that was not the error envelope.
    pub message: String,
    /// The server's `error.type`, if any.
    pub error_type: Option<String>,
    /// `X-Request-Id` header, else the body's `error.requestId`.
    pub request_id: Option<String>,
    /// The server's `error.details`, if any.
    pub details: Option<serde_json::Value>,
    /// The parsed `Retry-After` header, if any.
    pub retry_after: Option<Duration>,
    /// Metadata of the call.
    pub meta: Meta,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "api error {} {}", self.status, self.code)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        write!(f, "{}", RequestSuffix(self.request_id.as_deref()))
    }
}

impl std::error::Error for ApiError {}

struct RequestSuffix<'a>(Option<&'a str>);

impl fmt::Display for RequestSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(id) => write!(f, " (request {id})"),
            None => Ok(()),
        }
    }
}

impl Error {
    /// The kind of failure; [`ErrorKind::as_str`] is the C ABI's and Python's `kind`.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api(_) => ErrorKind::Api,
            Error::Transport { .. } => ErrorKind::Transport,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::Config { .. } => ErrorKind::Config,
            Error::InvalidArgument { .. } => ErrorKind::InvalidArgument,
        }
    }

    /// The HTTP status received: the error status of an [`Error::Api`], the success status of an
    /// [`Error::Decode`]; `None` otherwise.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode { meta, .. } if meta.status != 0 => Some(meta.status),
            _ => None,
        }
    }

    /// The server's error code (only for [`Error::Api`]).
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Error::Api(e) => Some(&e.code),
            _ => None,
        }
    }

    /// The request id of the answer, if one was received.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            _ => self.meta().and_then(|m| m.request_id.as_deref()),
        }
    }

    /// The server's `Retry-After` (only for [`Error::Api`], when the header was present).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api(e) => e.retry_after,
            _ => None,
        }
    }

    /// The server's `error.details` (only for [`Error::Api`]).
    pub fn details(&self) -> Option<&serde_json::Value> {
        match self {
            Error::Api(e) => e.details.as_ref(),
            _ => None,
        }
    }

    /// Metadata of the call; `None` for [`Error::Config`] and [`Error::InvalidArgument`]
    /// (nothing was sent).
    pub fn meta(&self) -> Option<&Meta> {
        match self {
            Error::Api(e) => Some(&e.meta),
            Error::Transport { meta, .. }
            | Error::Timeout { meta, .. }
            | Error::Decode { meta, .. } => Some(meta),
            Error::Config { .. } | Error::InvalidArgument { .. } => None,
        }
    }

    /// [`Error::meta`], mutable (for workflows that report their own base idempotency key).
    pub(crate) fn meta_mut(&mut self) -> Option<&mut Meta> {
        match self {
            Error::Api(e) => Some(&mut e.meta),
            Error::Transport { meta, .. }
            | Error::Timeout { meta, .. }
            | Error::Decode { meta, .. } => Some(meta),
            Error::Config { .. } | Error::InvalidArgument { .. } => None,
        }
    }

    /// The human message, without the kind prefix, code or request id.
    pub fn message(&self) -> String {
        match self {
            Error::Api(e) => e.message.clone(),
            Error::Transport { message, .. }
            | Error::Timeout { message, .. }
            | Error::Decode { message, .. }
            | Error::Config { message, .. }
            | Error::InvalidArgument { message, .. } => message.clone(),
        }
    }

    /// The request field or configuration key at fault, for [`Error::InvalidArgument`] and
    /// [`Error::Config`] when one is (the C ABI's and Python's `param`): a request field as its
    /// JSON path (`"post.content.text"`), a configuration key by its C/JSON name (`"apiKey"`),
    /// a C function parameter by its name (`"request_json"`).
    pub fn param(&self) -> Option<&str> {
        match self {
            Error::Config { param, .. } | Error::InvalidArgument { param, .. } => param.as_deref(),
            _ => None,
        }
    }

    /// The error object of the C ABI's error JSON as a value (what `Serialize` writes:
    /// `{"kind", "status", "code", "message", "requestId", "details", "retryAfter", "param"}`).
    /// Serialising an error cannot fail (it holds only strings, numbers and JSON values); should
    /// it ever, this is [`Error::object_without_details`], never `null`.
    pub(crate) fn to_object(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_else(|e| self.object_without_details(&e))
    }

    /// The error object without `details`, with `why` appended to the message: for when the
    /// full object cannot be serialised.
    pub(crate) fn object_without_details(&self, why: &dyn fmt::Display) -> serde_json::Value {
        serde_json::json!({
            "kind": self.kind().as_str(),
            "status": self.status(),
            "code": self.code().map(|c| c.as_str()),
            "message": format!("{} (error details could not be serialised: {why})", self.message()),
            "requestId": self.request_id(),
            "details": null,
            "retryAfter": null,
            "param": self.param(),
        })
    }

    /// An [`Error::InvalidArgument`] with no single field at fault.
    pub(crate) fn invalid(message: impl Into<String>) -> Error {
        Error::InvalidArgument {
            message: message.into(),
            param: None,
        }
    }

    /// An [`Error::InvalidArgument`] about `param`.
    pub(crate) fn invalid_param(param: impl Into<String>, message: impl Into<String>) -> Error {
        Error::InvalidArgument {
            message: message.into(),
            param: Some(param.into()),
        }
    }

    /// An [`Error::Config`] with no single key at fault.
    pub(crate) fn config(message: impl Into<String>) -> Error {
        Error::Config {
            message: message.into(),
            param: None,
        }
    }

    /// An [`Error::Config`] about the configuration key `param`.
    pub(crate) fn config_param(param: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Config {
            message: message.into(),
            param: Some(param.into()),
        }
    }
}

/// Serialises as the C ABI's error object: `{"kind", "status", "code", "message", "requestId",
/// "details", "retryAfter", "param"}` with nulls kept; `retryAfter` is in seconds (an integer when whole).
/// The metadata is not included ([`Error::meta`] serialises on its own).
impl Serialize for Error {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(8))?;
        map.serialize_entry("kind", self.kind().as_str())?;
        map.serialize_entry("status", &self.status())?;
        map.serialize_entry("code", &self.code())?;
        map.serialize_entry("message", &self.message())?;
        map.serialize_entry("requestId", &self.request_id())?;
        map.serialize_entry("details", &self.details())?;
        match self.retry_after() {
            Some(d) if d.subsec_nanos() == 0 => map.serialize_entry("retryAfter", &d.as_secs())?,
            Some(d) => map.serialize_entry("retryAfter", &d.as_secs_f64())?,
            None => map.serialize_entry("retryAfter", &None::<u64>)?,
        }
        map.serialize_entry("param", &self.param())?;
        map.end()
    }
}

/// An API error code. Unknown codes are kept verbatim in [`ErrorCode::Other`].
///
/// (De)serialises as its wire string. New codes may become variants in a minor release (match
/// with a wildcard arm).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `validation_error` (400).
    ValidationError,
    /// `upload_failed` (400).
    UploadFailed,
    /// `missing_account` (400): a platform with several accounts needs an `accountId`.
    MissingAccount,
    /// `bad_request` (400, older pages).
    BadRequest,
    /// `unauthorized` (401): missing, wrong or revoked credential.
    Unauthorized,
    /// `forbidden` (403): no active subscription.
    Forbidden,
    /// `rate_limit_exceeded` (429).
    RateLimitExceeded,
    /// `internal_error` (500).
    InternalError,
    /// `missing_integrations`: a target platform is not connected.
    MissingIntegrations,
    /// `insufficient_credits`.
    InsufficientCredits,
    /// Any other code, verbatim (also `http_<status>` when the body carried none).
    Other(String),
}

impl ErrorCode {
    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::ValidationError => "validation_error",
            ErrorCode::UploadFailed => "upload_failed",
            ErrorCode::MissingAccount => "missing_account",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::RateLimitExceeded => "rate_limit_exceeded",
            ErrorCode::InternalError => "internal_error",
            ErrorCode::MissingIntegrations => "missing_integrations",
            ErrorCode::InsufficientCredits => "insufficient_credits",
            ErrorCode::Other(s) => s,
        }
    }

    /// Parses a wire string; unknown strings become [`ErrorCode::Other`].
    pub fn parse(s: &str) -> ErrorCode {
        match s {
            "validation_error" => ErrorCode::ValidationError,
            "upload_failed" => ErrorCode::UploadFailed,
            "missing_account" => ErrorCode::MissingAccount,
            "bad_request" => ErrorCode::BadRequest,
            "unauthorized" => ErrorCode::Unauthorized,
            "forbidden" => ErrorCode::Forbidden,
            "rate_limit_exceeded" => ErrorCode::RateLimitExceeded,
            "internal_error" => ErrorCode::InternalError,
            "missing_integrations" => ErrorCode::MissingIntegrations,
            "insufficient_credits" => ErrorCode::InsufficientCredits,
            other => ErrorCode::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(ErrorCode::parse(&s))
    }
}

/// Replaces every occurrence of a secret in `text` (a message built from server data).
///
/// Besides each secret as it is, its escaped forms are replaced too: a secret holding `"` or `\`
/// appears as `\"` / `\\` in JSON text and in a decoder's quoted excerpt. Longer forms go
/// first, so that a secret which is a prefix of another cannot leave the other's tail behind.
pub(crate) fn redact(mut text: String, secrets: &[&str]) -> String {
    // The common case, without allocating: a secret of printable ASCII other than `"` and `\`
    // has no other form, and most texts hold no secret at all.
    let plain = |s: &str| {
        s.bytes()
            .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    };
    if secrets
        .iter()
        .all(|s| s.is_empty() || (plain(s) && !text.contains(s)))
    {
        return text;
    }
    for form in secret_forms(secrets) {
        if text.contains(form.as_str()) {
            text = text.replace(form.as_str(), "[redacted]");
        }
    }
    text
}

/// [`redact`], and also a secret cut off by the end of `text` (a truncated answer that ends
/// inside an echoed credential): a tail of at least 8 characters that begins a secret is
/// replaced too.
pub(crate) fn redact_with_cut(text: String, secrets: &[&str]) -> String {
    let mut text = redact(text, secrets);
    let cut = secret_forms(secrets).iter().find_map(|form| {
        (8..form.len())
            .rev()
            .filter(|&n| form.is_char_boundary(n))
            .find(|&n| text.ends_with(&form[..n]))
    });
    if let Some(n) = cut {
        text.truncate(text.len() - n);
        text.push_str("[redacted]");
    }
    text
}

/// Every form a secret may take in a message, longest first, without duplicates.
fn secret_forms(secrets: &[&str]) -> Vec<String> {
    let mut forms = Vec::with_capacity(secrets.len() * 2);
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        forms.push((*secret).to_owned());
        // JSON escaping (and Rust's `{:?}`, which a decoder's excerpt uses, for the printable
        // ASCII a credential is made of) turns `"` into `\"` and `\` into `\\`.
        if secret.contains(['"', '\\']) {
            forms.push(secret.replace('\\', "\\\\").replace('"', "\\\""));
        }
        let debug = format!("{secret:?}");
        forms.push(debug[1..debug.len() - 1].to_owned());
    }
    forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    forms.dedup();
    forms
}

/// [`redact`]s every string of a JSON value, object keys included, at any depth.
pub(crate) fn redact_value(value: &mut serde_json::Value, secrets: &[&str]) {
    use serde_json::Value;
    let dirty = |s: &str| secrets.iter().any(|x| !x.is_empty() && s.contains(x));
    // (Strings of a parsed JSON value hold secrets unescaped: the raw form is the one to find.)
    match value {
        Value::String(s) if dirty(s) => *s = redact(std::mem::take(s), secrets),
        Value::Array(items) => items.iter_mut().for_each(|v| redact_value(v, secrets)),
        Value::Object(map) => {
            if map.keys().any(|k| dirty(k)) {
                *map = std::mem::take(map)
                    .into_iter()
                    .map(|(k, v)| (redact(k, secrets), v))
                    .collect();
            }
            map.values_mut().for_each(|v| redact_value(v, secrets));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_covers_escaped_forms_and_prefixes() {
        let quoted = r#"sk_live_a"b\c"#;
        for text in [
            quoted.to_string(),
            serde_json::to_string(quoted).unwrap(),
            format!("{quoted:?}"),
        ] {
            let out = redact(text.clone(), &[quoted]);
            assert!(
                !out.contains("sk_live") && !out.contains("b\\"),
                "{text} -> {out}"
            );
        }
        // A body cut inside a secret.
        assert_eq!(
            redact_with_cut("echo sk_live_a\\\"b".to_owned(), &[quoted]),
            "echo [redacted]"
        );
        assert_eq!(redact_with_cut("sk_live".to_owned(), &[quoted]), "sk_live");
        // The shorter secret is a prefix of the longer: the longer is redacted whole, whatever
        // the order the secrets are given in.
        let (short, long) = ("eyJ.token", "eyJ.tokenTAILsecret");
        for secrets in [[short, long], [long, short]] {
            assert_eq!(
                redact(format!("Bearer {long} and {short}"), &secrets),
                "Bearer [redacted] and [redacted]"
            );
        }
    }

    #[test]
    fn a_secret_of_quotes_only_is_found_in_its_escaped_form() {
        // Its JSON and `{:?}` forms (`\"` each) do not contain the secret as it is.
        let secret = r#""""""#;
        let text = format!("echo {}", serde_json::to_string(secret).unwrap());
        assert_eq!(redact(text, &[secret]), "echo \"[redacted]\"");
    }

    #[test]
    fn a_cause_debugs_as_the_underlying_error() {
        // What a caller holding a `Cause` (or a struct deriving `Debug` around one) sees.
        let cause = Cause::new(std::io::Error::other("reset by peer (os error 104)"));
        assert_eq!(format!("{cause:?}"), "reset by peer (os error 104)");
    }

    #[test]
    fn codes_round_trip_and_unknown_kept() {
        for s in [
            "validation_error",
            "upload_failed",
            "missing_account",
            "bad_request",
            "unauthorized",
            "forbidden",
            "rate_limit_exceeded",
            "internal_error",
            "missing_integrations",
            "insufficient_credits",
            "idempotency_conflict",
        ] {
            assert_eq!(ErrorCode::parse(s).as_str(), s);
        }
        assert_eq!(
            ErrorCode::parse("brand_new"),
            ErrorCode::Other("brand_new".into())
        );
    }

    /// A 400 validation error with request id `req_123`.
    fn validation_error() -> Error {
        Error::Api(Box::new(ApiError {
            status: 400,
            code: ErrorCode::ValidationError,
            message: "text is required".into(),
            error_type: None,
            request_id: Some("req_123".into()),
            details: None,
            retry_after: None,
            meta: Meta::default(),
        }))
    }

    #[test]
    fn the_fallback_error_object_keeps_the_shape_and_what_failed() {
        let err = Error::invalid_param("id", "id must not be empty");
        let full = err.to_object();
        let fallback = err.object_without_details(&"boom");
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
    fn api_display_is_terse() {
        let e = validation_error();
        assert_eq!(
            e.to_string(),
            "api error 400 validation_error: text is required (request req_123)"
        );
        assert_eq!(e.kind(), ErrorKind::Api);
        assert_eq!(e.kind().to_string(), "api");
        assert_eq!(e.request_id(), Some("req_123"));
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"kind": "api", "status": 400, "code": "validation_error",
                "message": "text is required", "requestId": "req_123", "details": null,
                "retryAfter": null, "param": null})
        );
    }

    #[test]
    fn debug_is_the_readable_line_and_alternate_debug_has_every_field() {
        let e = validation_error();
        // What `fn main() -> Result<(), soku::Error>` prints after "Error: ".
        assert_eq!(
            format!("{e:?}"),
            "api error 400 validation_error: text is required (request req_123)"
        );
        let full = format!("{e:#?}");
        assert!(full.starts_with("Api(\n    ApiError {"), "{full}");
        assert!(full.contains("attempts: 0"), "{full}");
        let e = Error::invalid_param("id", "id must not be empty");
        assert_eq!(format!("{e:?}"), "invalid argument: id must not be empty");
        assert_eq!(
            format!("{e:#?}"),
            "InvalidArgument {\n    message: \"id must not be empty\",\n    param: Some(\n        \"id\",\n    ),\n}"
        );
    }

    #[test]
    fn every_kind_with_meta_shows_the_request_id() {
        let meta = |id: Option<&str>| {
            Box::new(Meta {
                request_id: id.map(str::to_owned),
                ..Meta::default()
            })
        };
        let message = || "connection error: reset".to_owned();
        for (id, suffix) in [(Some("req_9"), " (request req_9)"), (None, "")] {
            let shown = [
                Error::Transport {
                    message: message(),
                    meta: meta(id),
                    source: None,
                },
                Error::Timeout {
                    message: message(),
                    meta: meta(id),
                    source: None,
                },
                Error::Decode {
                    message: message(),
                    meta: meta(id),
                    source: None,
                },
            ]
            .map(|e| e.to_string());
            assert_eq!(
                shown,
                [
                    format!("transport error: connection error: reset{suffix}"),
                    format!("timeout: connection error: reset{suffix}"),
                    format!("decode error: connection error: reset{suffix}"),
                ]
            );
        }
    }

    #[test]
    fn other_kinds_serialise_with_nulls() {
        let e = Error::invalid_param("id", "id must not be empty");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
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
        let v = serde_json::to_value(Error::Api(Box::new(api.clone()))).unwrap();
        assert_eq!(v["retryAfter"], 2);
        assert_eq!(v["details"]["window"], 60);
        api.retry_after = Some(Duration::from_millis(1500));
        let v = serde_json::to_value(Error::Api(Box::new(api))).unwrap();
        assert_eq!(v["retryAfter"], 1.5);
    }
}
