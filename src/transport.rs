//! HTTP: the only module that touches `ureq`. Sends one request, reads the answer with a size
//! cap, classifies failures, and runs the retry loop of [`retry`](crate::retry).
//!
//! Agent settings: statuses are classified here (`http_status_as_error(false)`); redirects are
//! never followed (`max_redirects(0)`), so a credential never travels to another host and a 3xx
//! surfaces as an [`Error::Api`]; proxies come only from [`ClientBuilder::proxy`]
//! (`HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY` are ignored); every attempt has a global timeout
//! (connect, send, answer and body) and a connect timeout, which also bounds a name lookup.
//! Names are resolved by [`CachingResolver`]: no lookup (and no thread) per request. Connections
//! are [`connection::Connection`]s: one write per request, one liveness probe per reuse.
//!
//! [`ClientBuilder::proxy`]: crate::ClientBuilder::proxy

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, SystemTime};

use ureq::Agent;
use ureq::tls::{RootCerts, TlsConfig};

use crate::connection;
use crate::endpoint::{Class, Method};
use crate::error::{ApiError, Cause, Error, ErrorCode, Result};
use crate::events::{self, Event, Level};
use crate::fork::PerProcess;
use crate::rate_limit::RateLimit;
use crate::resolver::{CachingResolver, LookupFailed};
use crate::response::Meta;
use crate::retry::{RetryPolicy, parse_retry_after};
use crate::secret::{redact, redact_value, redact_with_cut};
use crate::wire_json;

/// How long a pooled connection may stay idle and still be reused (15 s, ureq's default),
/// unless the server announces a shorter `Keep-Alive: timeout`.
pub(crate) const MAX_IDLE: Duration = Duration::from_secs(15);
/// How long a pooled connection may stay idle and still carry a call that is never re-sent
/// after a broken connection ([`Class::Unsafe`]: template renders, api-key creation): 500 ms.
/// Servers close idle connections after their own timeout (1 to 5 s for many: gunicorn 2 s,
/// Node and Apache 5 s, some nginx setups 1 s); a close that crosses the request on the wire
/// fails such a call for good. The race lasts about one round trip, so a connection idle for
/// at most half the shortest common timeout is safe with a round trip of up to 500 ms to
/// spare. An older one is closed and the call gets a fresh connection (one connect, plus a TLS
/// handshake over HTTPS). Measured against a server that closes connections idle for 1 s and
/// sees requests 20 ms late (a network's delay, emulated on loopback): of 500 renders spaced
/// 0.9 to 1.1 s apart, 80 failed without this bound and none with it
/// (`tests/core_idle_close.rs`).
pub(crate) const UNSAFE_MAX_IDLE: Duration = Duration::from_millis(500);

/// Largest success body read (10 MiB); a larger one is an [`Error::Decode`].
pub(crate) const MAX_BODY_BYTES: u64 = 10 * 1024 * 1024;
/// Largest error body read (1 MiB): an error envelope up to this size keeps its code, message
/// and request id, however deep its `details`. The rest of a longer body is not read; the cut
/// text is no longer JSON, so it is reported as `http_<status>` with an excerpt.
const MAX_ERROR_BODY_BYTES: u64 = 1024 * 1024;
/// Longest excerpt of a non-JSON error body put into a message, in characters.
const EXCERPT_CHARS: usize = 200;

/// Agent-wide settings.
pub(crate) struct AgentConfig<'a> {
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) user_agent: &'a str,
    pub(crate) proxy: Option<&'a str>,
    /// Trust anchors for HTTPS.
    pub(crate) roots: RootCerts,
}

/// One logical request (sent once per attempt).
pub(crate) struct Request<'a> {
    pub(crate) method: Method,
    pub(crate) url: &'a str,
    pub(crate) headers: &'a [(&'static str, &'a str)],
    pub(crate) body: Option<&'a [u8]>,
    /// Bound on each attempt.
    pub(crate) timeout: Duration,
    /// Sent as a header already; reported in [`Meta`].
    pub(crate) idempotency_key: Option<&'a str>,
    /// Strings redacted from every message built from server data.
    pub(crate) secrets: &'a [&'a str],
}

/// A pooled keep-alive HTTP agent, one per process (see [`crate::fork`]).
pub(crate) struct Transport {
    http: PerProcess<Http>,
    /// What another process's agent is built from.
    config: ureq::config::Config,
    /// Another process's resolver is a [`CachingResolver::fresh`] copy of this one.
    resolver: CachingResolver,
    timeout: Duration,
    /// The idle bound the server announced with `Keep-Alive: timeout=N`, less a margin
    /// ([`keep_alive_limit`]), in milliseconds; `u64::MAX` while none was announced.
    keep_alive_ms: AtomicU64,
}

/// The agent and its resolver.
struct Http {
    agent: Agent,
    /// Shares its cache with the agent's resolver: forgotten after a failed connection.
    resolver: CachingResolver,
}

impl Http {
    fn new(config: ureq::config::Config, resolver: CachingResolver) -> Http {
        Http {
            agent: Agent::with_parts(config, connection::connector(), resolver.clone()),
            resolver,
        }
    }
}

/// Only the timeout: the agent's settings include the proxy URL, which may hold a password.
impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// What one attempt produced.
struct Answer {
    status: u16,
    request_id: Option<String>,
    rate_limit: RateLimit,
    retry_after: Option<Duration>,
    body: Vec<u8>,
}

/// Why an attempt produced no answer.
struct Failure {
    kind: FailureKind,
    message: String,
    /// The request may have reached the server.
    connected: bool,
    /// Status, if the answer's head arrived before the failure.
    status: u16,
    /// `X-Request-Id`, if the answer's head arrived before the failure.
    request_id: Option<String>,
    /// The `ureq` error, kept as the error's `source()` unless its text holds a credential.
    cause: Option<Cause>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FailureKind {
    /// Connection-level trouble; retried per the call's class.
    Transport,
    /// Never retried, reported as [`Error::Transport`].
    Permanent,
    Timeout,
    TooLarge,
}

impl Transport {
    pub(crate) fn new(cfg: &AgentConfig<'_>) -> Result<Transport> {
        Transport::with_resolver(cfg, CachingResolver::default())
    }

    /// As [`Transport::new`], with names resolved by `resolver`.
    fn with_resolver(cfg: &AgentConfig<'_>, resolver: CachingResolver) -> Result<Transport> {
        let proxy = match cfg.proxy {
            Some(p) => Some(
                ureq::Proxy::new(p)
                    .map_err(|_| Error::config_param("proxy", "invalid proxy url"))?,
            ),
            None => None,
        };
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(proxy)
            .user_agent(cfg.user_agent)
            .accept("application/json")
            .timeout_global(Some(cfg.timeout))
            .timeout_connect(Some(cfg.connect_timeout))
            .timeout_resolve(Some(cfg.connect_timeout))
            .tls_config(TlsConfig::builder().root_certs(cfg.roots.clone()).build())
            .max_idle_age(MAX_IDLE)
            .build();
        Ok(Transport {
            http: PerProcess::new(Http::new(config.clone(), resolver.clone())),
            config,
            resolver,
            timeout: cfg.timeout,
            keep_alive_ms: AtomicU64::new(u64::MAX),
        })
    }

    /// This process's agent: a process forked from the one that built it gets its own, and
    /// never touches the inherited one (its connections, its locks).
    fn http(&self) -> &Http {
        self.http
            .get(|| Http::new(self.config.clone(), self.resolver.fresh()))
    }

    /// How long a pooled connection may have been idle to carry a call of `class`: the
    /// server's announced `Keep-Alive` limit, [`UNSAFE_MAX_IDLE`] for calls never re-sent, at
    /// most [`MAX_IDLE`]. `None` when that is [`MAX_IDLE`] (the agent's own setting).
    fn max_idle(&self, class: Class) -> Option<Duration> {
        let announced = self.keep_alive_ms.load(Ordering::Relaxed);
        let unsafe_ms = if class == Class::Unsafe {
            UNSAFE_MAX_IDLE.as_millis() as u64
        } else {
            u64::MAX
        };
        let ms = announced.min(unsafe_ms);
        (ms < MAX_IDLE.as_millis() as u64).then(|| Duration::from_millis(ms))
    }

    /// Runs `req` with retries per `class` and `policy`; returns the 2xx body and the metadata.
    pub(crate) fn execute(
        &self,
        req: &Request<'_>,
        policy: &RetryPolicy,
        class: Class,
    ) -> Result<(Vec<u8>, Meta)> {
        let mut meta = Meta {
            idempotency_key: req.idempotency_key.map(str::to_owned),
            ..Meta::default()
        };
        let mut retry = 0u32;
        loop {
            meta.attempts += 1;
            let may_retry = retry < policy.max_retries;
            let wait = match self.send_once(req, class) {
                Ok(answer) => {
                    meta.status = answer.status;
                    meta.request_id = answer.request_id.clone();
                    meta.rate_limit = answer.rate_limit.clone();
                    log_attempt(req, &meta, None);
                    if answer.status == 429 {
                        log_rate_limited(req, &meta, answer.retry_after);
                    }
                    if (200..300).contains(&answer.status) {
                        return Ok((answer.body, meta));
                    }
                    if !(may_retry && class.retries_status(answer.status)) {
                        return Err(api_error(answer, meta, req.secrets));
                    }
                    let wait = policy.wait_for(
                        retry,
                        answer.status,
                        answer.retry_after,
                        answer.rate_limit.reset_in(),
                    );
                    log_retry_wait(req, &meta, wait);
                    wait
                }
                Err(f) => {
                    if !f.connected {
                        // Perhaps a stale address: the next attempt looks the host up again.
                        self.http().resolver.forget();
                    }
                    meta.status = f.status;
                    meta.request_id = f.request_id;
                    // A connect timeout is a connection failure like a refusal: nothing was sent.
                    let transient = f.kind == FailureKind::Transport
                        || (f.kind == FailureKind::Timeout && !f.connected);
                    let retryable = transient && may_retry && class.retries_failure(f.connected);
                    let what = match f.kind {
                        FailureKind::Timeout => "timed out",
                        FailureKind::TooLarge => "body too large",
                        _ => "connection failed",
                    };
                    log_attempt(req, &meta, Some(what));
                    if !retryable {
                        let mut message = redact(f.message, req.secrets);
                        if meta.attempts > 1 {
                            message.push_str(&format!(" (after {} attempts)", meta.attempts));
                        }
                        let meta = Box::new(meta);
                        return Err(match f.kind {
                            FailureKind::Transport | FailureKind::Permanent => Error::Transport {
                                message,
                                meta,
                                source: f.cause,
                            },
                            FailureKind::Timeout => Error::Timeout {
                                message,
                                meta,
                                source: f.cause,
                            },
                            FailureKind::TooLarge => Error::Decode {
                                message,
                                meta,
                                source: f.cause,
                            },
                        });
                    }
                    let wait = policy.backoff(retry);
                    log_retry_wait(req, &meta, wait);
                    wait
                }
            };
            thread::sleep(wait);
            retry += 1;
        }
    }

    fn send_once(&self, req: &Request<'_>, class: Class) -> std::result::Result<Answer, Failure> {
        let agent = &self.http().agent;
        let max_idle = self.max_idle(class);
        let result = match req.method {
            Method::Get => self.prepare(agent.get(req.url), req, max_idle).call(),
            Method::Delete => self.prepare(agent.delete(req.url), req, max_idle).call(),
            Method::Post => {
                let rb = self.prepare(agent.post(req.url), req, max_idle);
                match req.body {
                    Some(b) => rb.send(b),
                    None => rb.send_empty(),
                }
            }
        };
        let mut resp = result.map_err(|e| classify(e, 0, req))?;

        let status = resp.status().as_u16();
        let headers = resp.headers();
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let request_id = header("x-request-id")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| redact(s.to_owned(), req.secrets));
        let mut rate_limit = RateLimit::from_headers(header);
        rate_limit.tier = rate_limit.tier.map(|t| redact(t, req.secrets));
        let retry_after =
            header("retry-after").and_then(|v| parse_retry_after(v, SystemTime::now()));
        if let Some(limit) = header("keep-alive").and_then(keep_alive_limit) {
            let ms = u64::try_from(limit.as_millis()).unwrap_or(u64::MAX);
            self.keep_alive_ms.store(ms, Ordering::Relaxed);
        }

        let body = if (200..300).contains(&status) {
            resp.body_mut()
                .with_config()
                .limit(MAX_BODY_BYTES)
                .read_to_vec()
                .map_err(|e| Failure {
                    request_id: request_id.clone(),
                    ..classify(e, status, req)
                })?
        } else {
            // Best effort: an error answer keeps whatever part of its body arrived.
            let mut buf = Vec::new();
            let _ = resp
                .body_mut()
                .as_reader()
                .take(MAX_ERROR_BODY_BYTES)
                .read_to_end(&mut buf);
            buf
        };
        Ok(Answer {
            status,
            request_id,
            rate_limit,
            retry_after,
            body,
        })
    }

    /// Adds the headers, and the call's own settings when they differ from the agent's. A
    /// request-level configuration is a copy of the agent's (measured at 0.1 to 0.4 µs): the
    /// usual call (the client's timeout, a keyed or idempotent call, no short `Keep-Alive`
    /// announced) needs none.
    fn prepare<B>(
        &self,
        mut rb: ureq::RequestBuilder<B>,
        req: &Request<'_>,
        max_idle: Option<Duration>,
    ) -> ureq::RequestBuilder<B> {
        for (name, value) in req.headers {
            rb = rb.header(*name, *value);
        }
        if req.timeout != self.timeout || max_idle.is_some() {
            // ureq reuses a pooled connection only if it has been idle for less than
            // `max_idle_age`; an older one is closed and a new one opened.
            rb = rb
                .config()
                .timeout_global(Some(req.timeout))
                .max_idle_age(max_idle.unwrap_or(MAX_IDLE))
                .build();
        }
        rb
    }
}

/// How long a connection may stay idle under `Keep-Alive: timeout=N[, max=M]`: `N` seconds
/// less a margin of one second (half of `N` below two seconds), so that the connection is
/// retired before the server closes it, whatever the round trip. `None` without a `timeout`.
fn keep_alive_limit(value: &str) -> Option<Duration> {
    let secs = value.split(',').find_map(|param| {
        let (name, n) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("timeout")
            .then(|| n.trim().trim_matches('"').parse::<u64>().ok())?
    })?;
    let timeout = Duration::from_secs(secs.min(24 * 3600));
    Some(timeout - (timeout / 2).min(Duration::from_secs(1)))
}

/// `host:port` of a URL (what a connection error names).
fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest)
}

/// The host of a `host:port` authority (brackets of an IPv6 literal kept).
fn host_name(authority: &str) -> &str {
    match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => &authority[..i],
        _ => authority,
    }
}

/// The rustls error inside a ureq error, if the failure was TLS.
fn tls_error(e: &ureq::Error) -> Option<&rustls::Error> {
    match e {
        ureq::Error::Rustls(t) => Some(t),
        ureq::Error::Io(io) => io.get_ref()?.downcast_ref::<rustls::Error>(),
        _ => None,
    }
}

/// What to say about a TLS failure with `host` (`host:port`).
fn tls_message(t: &rustls::Error, host: &str) -> String {
    use rustls::CertificateError as C;
    let cert = |what: &str| format!("tls certificate of {host} {what}");
    match t {
        rustls::Error::InvalidCertificate(c) => match c {
            C::UnknownIssuer => cert(
                "not trusted: unknown issuer (self-signed, or signed by a private or proxy ca)",
            ),
            C::NotValidForName | C::NotValidForNameContext { .. } => {
                cert("not valid for this host name")
            }
            C::Expired | C::ExpiredContext { .. } => cert("expired"),
            C::NotValidYet | C::NotValidYetContext { .. } => cert("not valid yet"),
            C::Revoked => cert("revoked"),
            other => cert(&format!("rejected: {other:?}")),
        },
        other => format!("tls handshake with {host} failed: {other}"),
    }
}

/// The path of a request's URL. The base URL never holds credentials (the builder refuses
/// them) and no request puts a credential in its path or query, so this is safe to log.
fn url_path(url: &str) -> &str {
    url.split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or("/")
}

/// The `attempt` event (debug): method, path, attempt number, status (0 when no answer
/// arrived, then `error` says why), request id, idempotency key, rate limit left. Never a
/// header, body or credential.
fn log_attempt(req: &Request<'_>, meta: &Meta, error: Option<&str>) {
    if !events::enabled(Level::Debug) {
        return;
    }
    events::emit(&Event {
        level: Some(Level::Debug),
        name: "attempt",
        method: Some(req.method.as_str()),
        path: Some(url_path(req.url)),
        attempt: Some(meta.attempts),
        status: Some(meta.status),
        error,
        request_id: meta.request_id.as_deref(),
        idempotency_key: req.idempotency_key,
        rate_limit_remaining: meta.rate_limit.remaining,
        rate_limit_limit: meta.rate_limit.limit,
        ..Event::default()
    });
}

/// The `rate_limited` event (info): a 429, with the wait the server asked for, if any.
fn log_rate_limited(req: &Request<'_>, meta: &Meta, asked: Option<Duration>) {
    if !events::enabled(Level::Info) {
        return;
    }
    events::emit(&Event {
        level: Some(Level::Info),
        name: "rate_limited",
        method: Some(req.method.as_str()),
        path: Some(url_path(req.url)),
        attempt: Some(meta.attempts),
        status: Some(meta.status),
        request_id: meta.request_id.as_deref(),
        wait_ms: asked.or_else(|| meta.rate_limit.reset_in()),
        ..Event::default()
    });
}

/// The `retry_wait` event (info): the client sleeps `wait` before the next attempt.
fn log_retry_wait(req: &Request<'_>, meta: &Meta, wait: Duration) {
    if !events::enabled(Level::Info) {
        return;
    }
    events::emit(&Event {
        level: Some(Level::Info),
        name: "retry_wait",
        method: Some(req.method.as_str()),
        path: Some(url_path(req.url)),
        attempt: Some(meta.attempts),
        status: Some(meta.status),
        idempotency_key: req.idempotency_key,
        wait_ms: Some(wait),
        ..Event::default()
    });
}

/// Maps a ureq error. `status` is the answer's status if its head had arrived.
fn classify(e: ureq::Error, status: u16, req: &Request<'_>) -> Failure {
    let mut failure = classify_ref(&e, status, req);
    failure.cause = Cause::unless_secret(e, req.secrets);
    failure
}

fn classify_ref(e: &ureq::Error, status: u16, req: &Request<'_>) -> Failure {
    use std::io::ErrorKind as K;
    use ureq::Timeout as T;
    let timeout = req.timeout;
    let host = authority(req.url);
    if let Some(t) = tls_error(e) {
        // Certificate and handshake failures repeat identically: never retried.
        return Failure {
            kind: FailureKind::Permanent,
            message: tls_message(t, host),
            connected: false,
            status,
            request_id: None,
            cause: None,
        };
    }
    if let Some(lookup) = LookupFailed::find(e) {
        // Nothing was sent: retried like a refused connection, for every call.
        let kind = if lookup.timed_out {
            FailureKind::Timeout
        } else {
            FailureKind::Transport
        };
        return Failure {
            kind,
            message: lookup.to_string(),
            connected: false,
            status,
            request_id: None,
            cause: None,
        };
    }
    let (kind, connected, message) = match e {
        ureq::Error::Timeout(T::Connect | T::Resolve) => (
            FailureKind::Timeout,
            false,
            format!("could not connect to {host} in time"),
        ),
        ureq::Error::Timeout(_) => (
            FailureKind::Timeout,
            true,
            format!("no complete answer within {timeout:?}"),
        ),
        ureq::Error::HostNotFound => (
            FailureKind::Transport,
            false,
            format!("could not resolve host {:?}", host_name(host)),
        ),
        ureq::Error::ConnectionFailed => (
            FailureKind::Transport,
            false,
            format!("connect to {host} failed"),
        ),
        ureq::Error::Io(io)
            if status == 0
                && matches!(
                    io.kind(),
                    K::ConnectionRefused
                        | K::AddrNotAvailable
                        | K::NetworkUnreachable
                        | K::HostUnreachable
                ) =>
        {
            (
                FailureKind::Transport,
                false,
                format!("connect to {host} failed: {io}"),
            )
        }
        ureq::Error::Io(io) if io.kind() == K::TimedOut => (
            FailureKind::Timeout,
            true,
            format!("no complete answer within {timeout:?}"),
        ),
        ureq::Error::Io(io) => (
            FailureKind::Transport,
            true,
            format!("connection error: {io}"),
        ),
        ureq::Error::Protocol(p) => (
            FailureKind::Transport,
            true,
            format!("bad http answer: {p}"),
        ),
        ureq::Error::BodyExceedsLimit(_) => (
            FailureKind::TooLarge,
            true,
            format!(
                "response body exceeds {} MiB",
                MAX_BODY_BYTES / (1024 * 1024)
            ),
        ),
        // TLS, bad URI and the rest: repeating the request would fail the same way.
        other => (FailureKind::Permanent, true, other.to_string()),
    };
    Failure {
        kind,
        message,
        connected,
        status,
        request_id: None,
        cause: None,
    }
}

/// Builds the [`Error::Api`] of an error answer (`{"error": {"code", "message", "requestId",
/// …}}`, read by [`wire_json::error_envelope`]: lone surrogates as U+FFFD, any depth of
/// `details`).
/// A body that is not the error envelope gives code `http_<status>` and a bounded excerpt as the
/// message.
fn api_error(mut answer: Answer, mut meta: Meta, secrets: &[&str]) -> Error {
    // Every string taken from the body is redacted: a server may echo the credentials anywhere.
    let clean = |s: String| redact(s, secrets);
    let fallback_code = || ErrorCode::Other(format!("http_{}", answer.status));
    let (code, message, error_type, body_request_id, details) =
        match wire_json::error_envelope(&mut answer.body) {
            Some(e) => (
                e.code
                    .map(|c| ErrorCode::parse(&clean(c)))
                    .unwrap_or_else(fallback_code),
                e.message.unwrap_or_default(),
                e.error_type.map(clean),
                e.request_id.map(clean),
                e.details.map(|mut d| {
                    redact_value(&mut d, secrets);
                    d
                }),
            ),
            None => (
                fallback_code(),
                excerpt(&answer.body, secrets),
                None,
                None,
                None,
            ),
        };
    if meta.request_id.is_none() {
        meta.request_id = body_request_id;
    }
    let message = match message.trim() {
        "" if (300..400).contains(&answer.status) => "redirect not followed".to_owned(),
        // An envelope without a message (or an empty body): still say something.
        "" => "the server gave no error message".to_owned(),
        _ => message,
    };
    Error::Api(Box::new(ApiError {
        status: answer.status,
        code,
        message: redact(message, secrets),
        error_type,
        request_id: meta.request_id.clone(),
        details,
        retry_after: answer.retry_after,
        meta,
    }))
}

/// The first [`EXCERPT_CHARS`] characters of a body, whitespace collapsed. The whole body is
/// redacted before it is cut, so a secret crossing the cut cannot leak in part.
fn excerpt(body: &[u8], secrets: &[&str]) -> String {
    let text = redact_with_cut(String::from_utf8_lossy(body).into_owned(), secrets);
    let mut out = String::new();
    let words = text.split_whitespace();
    for (n, word) in words.enumerate() {
        if n > 0 {
            out.push(' ');
        }
        out.push_str(word);
        if out.chars().count() > EXCERPT_CHARS {
            break;
        }
    }
    if out.chars().count() > EXCERPT_CHARS {
        out = out.chars().take(EXCERPT_CHARS).collect::<String>() + "…";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::resolver::tests::no_such_host;

    /// A transport whose lookups are `resolver`'s, and a POST to an unresolvable host.
    fn unresolvable(resolver: &CachingResolver) -> Transport {
        let cfg = AgentConfig {
            timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(5),
            user_agent: "soku-test",
            proxy: None,
            roots: RootCerts::WebPki,
        };
        Transport::with_resolver(&cfg, resolver.clone()).unwrap()
    }

    #[test]
    fn the_idle_bound_depends_on_the_class_and_the_announced_keep_alive() {
        let t = unresolvable(&CachingResolver::default());
        // Nothing announced: calls that may be re-sent keep the agent's bound; the others get
        // the short one.
        assert_eq!(t.max_idle(Class::Unsafe), Some(UNSAFE_MAX_IDLE));
        assert_eq!(t.max_idle(Class::Keyed), None);
        assert_eq!(t.max_idle(Class::Idempotent), None);
        // An announced limit under the agent's bound applies to every call...
        t.keep_alive_ms.store(3_000, Ordering::Relaxed);
        assert_eq!(t.max_idle(Class::Keyed), Some(Duration::from_secs(3)));
        assert_eq!(t.max_idle(Class::Unsafe), Some(UNSAFE_MAX_IDLE));
        t.keep_alive_ms.store(200, Ordering::Relaxed);
        assert_eq!(t.max_idle(Class::Unsafe), Some(Duration::from_millis(200)));
        // ...and one at the agent's bound changes nothing.
        t.keep_alive_ms
            .store(MAX_IDLE.as_millis() as u64, Ordering::Relaxed);
        assert_eq!(t.max_idle(Class::Keyed), None);
        // Debug shows the timeout and nothing of the agent (whose proxy URL may hold a password).
        assert!(
            format!("{t:?}").starts_with("Transport { timeout: 5s"),
            "{t:?}"
        );
    }

    #[test]
    fn a_failed_lookup_is_retried_for_every_call_and_names_the_host() {
        // Template renders and key creation are unkeyed POSTs: a failed lookup sent nothing.
        let classes = [
            crate::templates::RENDER.retry,
            crate::api_keys::CREATE.retry,
            Class::Keyed,
            Class::Idempotent,
        ];
        let policy = RetryPolicy {
            max_retries: 2,
            max_wait: Duration::from_millis(10),
            backoff_base: Duration::from_millis(1),
        };
        let req = Request {
            method: Method::Post,
            url: "https://api.example.invalid/v1/templates",
            headers: &[],
            body: Some(b"{}"),
            timeout: Duration::from_secs(5),
            idempotency_key: None,
            secrets: &[],
        };
        for class in classes {
            let resolver = CachingResolver::with_lookup(no_such_host);
            let err = unresolvable(&resolver)
                .execute(&req, &policy, class)
                .unwrap_err();
            assert_eq!(resolver.lookups(), 3, "{class:?}");
            assert_eq!(err.kind(), ErrorKind::Transport, "{class:?}: {err:?}");
            assert_eq!(err.meta().unwrap().attempts, 3, "{class:?}");
            assert_eq!(
                err.message(),
                r#"could not resolve host "api.example.invalid" (after 3 attempts)"#
            );
            assert!(!err.to_string().contains("connection error"), "{err}");
        }
        // A lookup that runs out of time is a timeout, retried the same way.
        let resolver = CachingResolver::with_lookup(|_, _, t| Err(ureq::Error::Timeout(t.reason)));
        let err = unresolvable(&resolver)
            .execute(&req, &policy, crate::templates::RENDER.retry)
            .unwrap_err();
        assert_eq!(resolver.lookups(), 3);
        assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
        assert_eq!(
            err.message(),
            r#"could not resolve host "api.example.invalid" in time (after 3 attempts)"#
        );
    }

    #[test]
    fn host_names_of_authorities() {
        assert_eq!(host_name("api.example.invalid:443"), "api.example.invalid");
        assert_eq!(host_name("api.example.invalid"), "api.example.invalid");
        assert_eq!(host_name("[::1]:8080"), "[::1]");
        assert_eq!(host_name("[::1]"), "[::1]");
    }

    #[test]
    fn keep_alive_limits() {
        let ms = |v: &str| keep_alive_limit(v).map(|d| d.as_millis());
        assert_eq!(ms("timeout=5"), Some(4000));
        assert_eq!(ms("timeout=5, max=1000"), Some(4000));
        assert_eq!(ms("max=100, Timeout = 75"), Some(74_000));
        assert_eq!(ms("timeout=1"), Some(500));
        assert_eq!(ms("timeout=0"), Some(0));
        assert_eq!(ms("timeout=\"2\""), Some(1000));
        // An absurd announcement is capped at a day (less the margin).
        assert_eq!(ms("timeout=999999"), Some(86_399_000));
        assert_eq!(ms("max=5"), None);
        assert_eq!(ms("timeout=-1"), None);
        assert_eq!(ms("timeout=soon"), None);
        assert_eq!(ms(""), None);
    }

    #[test]
    fn excerpts_are_bounded() {
        assert_eq!(
            excerpt(b"<html>\n  <b>Bad   Gateway</b>\n</html>", &[]),
            "<html> <b>Bad Gateway</b> </html>"
        );
        let long = "é".repeat(1000);
        let e = excerpt(long.as_bytes(), &[]);
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
        assert_eq!(excerpt(&[0xff, 0xfe, b'a'], &[]), "\u{fffd}\u{fffd}a");
    }
}
