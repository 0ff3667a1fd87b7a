//! [`Config`]: every option of a [`Client`](crate::Client), and the defaults of each.
//!
//! A [`ClientBuilder`](crate::ClientBuilder) holds a `Config` and its setters change it;
//! [`build`](crate::ClientBuilder::build) validates it and the client keeps that same `Config`,
//! readable with [`Client::config`](crate::Client::config).

use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::options::INSECURE_HTTP;
pub use crate::options::{DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};
use crate::retry::{MAX_RETRIES, RetryPolicy};
use crate::secret::Secret;
use crate::tls::{CaSource, TlsRoots};

/// `soku-rust/<version>`, as a literal for `concat!` (the C ABI appends its own product).
macro_rules! rust_user_agent {
    () => {
        concat!("soku-rust/", env!("CARGO_PKG_VERSION"))
    };
}
pub(crate) use rust_user_agent;

/// Default `User-Agent` header: `soku-rust/<version>`.
pub const DEFAULT_USER_AGENT: &str = rust_user_agent!();
/// Longest value, in bytes, of each option sent in a request's head: the user agent, the API key,
/// the Firebase token (also per call), the proxy URL and the base URL (8 KiB), and of an id put
/// into a request path. 8 KiB is the longest header line common servers accept (nginx's default
/// `large_client_header_buffers`), and with every such value at its bound a request head still
/// fits the HTTP layer's 128 KiB buffer. [`build`](crate::ClientBuilder::build) refuses a longer
/// option with [`Error::Config`]; a call refuses a longer per-call Firebase token
/// ([`Error::Config`], as any unusable token) or id ([`Error::InvalidArgument`]). Nothing is
/// sent. (An `Idempotency-Key` has its own bound: 255 bytes.)
pub const MAX_HEADER_VALUE_LEN: usize = 8 * 1024;
/// Ceiling of every duration option (24 h): a longer one is refused, since a deadline that far
/// off is a bug (and `Instant + Duration::MAX` would overflow).
pub(crate) const MAX_DURATION: Duration = Duration::from_secs(24 * 60 * 60);

/// Every option of a client, each at the default stated on its accessor.
///
/// Built through [`ClientBuilder`](crate::ClientBuilder) (whose setters document each option
/// and its rules) and read back from a client with [`Client::config`](crate::Client::config).
/// The fields are private so that a `Config` held by a client is always one that
/// [`build`](crate::ClientBuilder::build) validated (base URL normalised, durations within their
/// bounds); options added later are new accessors, never a breaking change. Credentials are
/// [`Secret`]s: `Debug` shows `[redacted]` and there is no accessor for them.
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) api_key: Option<Secret>,
    pub(crate) base_url: String,
    pub(crate) firebase_token: Option<Secret>,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) user_agent: String,
    pub(crate) allow_insecure_http: bool,
    pub(crate) validate_scheduled_time: bool,
    /// May carry `user:password@`.
    pub(crate) proxy: Option<Secret>,
    /// Take `proxy` from `HTTPS_PROXY` / `https_proxy` at build when none is given.
    pub(crate) proxy_from_env: bool,
    pub(crate) tls_roots: TlsRoots,
    pub(crate) ca: Vec<CaSource>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            api_key: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            firebase_token: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            retry: RetryPolicy::default(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            allow_insecure_http: false,
            validate_scheduled_time: true,
            proxy: None,
            proxy_from_env: false,
            tls_roots: TlsRoots::WebPki,
            ca: Vec::new(),
        }
    }
}

impl Config {
    /// The base URL; after [`build`](crate::ClientBuilder::build) normalised (no trailing
    /// slash). Default [`DEFAULT_BASE_URL`].
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Bound on each attempt of a call. Default [`DEFAULT_TIMEOUT`] (30 s).
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Bound on establishing a connection. Default [`DEFAULT_CONNECT_TIMEOUT`] (10 s).
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// Retries after the first attempt, the cap on each wait and the backoff base. Default
    /// [`DEFAULT_MAX_RETRIES`](crate::DEFAULT_MAX_RETRIES) (3), [`DEFAULT_MAX_RETRY_WAIT`](crate::DEFAULT_MAX_RETRY_WAIT) (60 s),
    /// [`DEFAULT_BACKOFF_BASE`](crate::DEFAULT_BACKOFF_BASE) (1 s).
    pub fn retry(&self) -> RetryPolicy {
        self.retry
    }

    /// The `User-Agent` header. Default [`DEFAULT_USER_AGENT`].
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// Whether plain `http://` is accepted for non-loopback hosts. Default false.
    pub fn allow_insecure_http(&self) -> bool {
        self.allow_insecure_http
    }

    /// Whether `scheduledTime` is checked client-side. Default true.
    pub fn validate_scheduled_time(&self) -> bool {
        self.validate_scheduled_time
    }

    /// Whether a proxy is configured (its URL may hold a password, so it is not readable back).
    /// Default false.
    pub fn has_proxy(&self) -> bool {
        self.proxy.is_some()
    }

    /// Whether the proxy is taken from `HTTPS_PROXY` / `https_proxy` when none is given.
    /// Default false.
    pub fn proxy_from_env(&self) -> bool {
        self.proxy_from_env
    }

    /// Whether a Firebase ID token is configured. Default false.
    pub fn has_firebase_token(&self) -> bool {
        self.firebase_token.is_some()
    }

    /// The trust store for HTTPS when no custom CA is given. Default [`TlsRoots::WebPki`].
    pub fn tls_roots(&self) -> TlsRoots {
        self.tls_roots
    }

    /// How many custom CA sources (`ca_file` / `ca_pem`) replace the default roots. Default 0.
    pub fn ca_count(&self) -> usize {
        self.ca.len()
    }

    /// Checks every option and normalises the base URL: [`Error::Config`] on a bad base URL, a
    /// zero timeout, a duration option above 24 h, more than [`MAX_RETRIES`] retries, a SOCKS
    /// or malformed proxy URL, a proxy off loopback for a plain `http://` base URL (without
    /// `allow_insecure_http`), a credential that cannot be sent in a header, a non-printable
    /// user agent, or a header-borne value over [`MAX_HEADER_VALUE_LEN`]. (Custom CAs are read
    /// when the transport is built.)
    pub(crate) fn validate(&mut self) -> Result<()> {
        self.base_url = normalize_base_url(&self.base_url, self.allow_insecure_http)?;
        for (name, param, d) in [
            ("timeout", "timeoutMs", self.timeout),
            ("connect timeout", "connectTimeoutMs", self.connect_timeout),
        ] {
            check_timeout(name, d).map_err(|m| Error::config_param(param, m))?;
        }
        for (name, param, d) in [
            ("max retry wait", "maxRetryWaitMs", self.retry.max_wait),
            ("backoff base", "backoffBaseMs", self.retry.backoff_base),
        ] {
            check_ceiling(name, d).map_err(|m| Error::config_param(param, m))?;
        }
        check_max_retries(self.retry.max_retries)
            .map_err(|m| Error::config_param("maxRetries", m))?;
        if let Some(p) = &self.proxy {
            check_proxy(p.expose())?;
            // The loopback rule holds for the whole path: through a proxy elsewhere, a plain
            // http:// request (and its credential) leaves the machine.
            if self.base_url.starts_with("http://")
                && !self.allow_insecure_http
                && !proxy_is_loopback(p.expose())
            {
                return Err(Error::config_param(
                    "proxy",
                    "plain http:// is only allowed for loopback hosts, and the proxy is not one \
                     (use https://, a proxy on loopback, or allow_insecure_http)",
                ));
            }
        }
        if let Some(k) = &self.api_key {
            check_credential("api key", "apiKey", k.expose())?;
        }
        if let Some(t) = &self.firebase_token {
            check_credential("firebase token", "firebaseToken", t.expose())?;
        }
        if !header_safe(&self.user_agent) {
            return Err(Error::config_param(
                "userAgent",
                "user agent must be printable ascii",
            ));
        }
        check_header_len("user agent", &self.user_agent)
            .map_err(|m| Error::config_param("userAgent", m))?;
        Ok(())
    }
}

/// `<what> must be at most 8192 bytes (got N)` above [`MAX_HEADER_VALUE_LEN`].
pub(crate) fn check_header_len(what: &str, value: &str) -> std::result::Result<(), String> {
    if value.len() > MAX_HEADER_VALUE_LEN {
        return Err(format!(
            "{what} must be at most {MAX_HEADER_VALUE_LEN} bytes (got {})",
            value.len()
        ));
    }
    Ok(())
}

/// Printable ASCII without control characters (what a header value may carry).
pub(crate) fn header_safe(s: &str) -> bool {
    s.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// `max retries must be at most 10` above [`MAX_RETRIES`].
pub(crate) fn check_max_retries(n: u32) -> std::result::Result<(), String> {
    if n > MAX_RETRIES {
        return Err(format!(
            "max retries must be at most {MAX_RETRIES} (got {n})"
        ));
    }
    Ok(())
}

/// The `user:password` of a proxy URL, if it has one (a secret: redacted from every message).
pub(crate) fn proxy_userinfo(url: &Secret) -> Option<&str> {
    let rest = url
        .expose()
        .split_once("://")
        .map_or(url.expose(), |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.rsplit_once('@').map(|(userinfo, _)| userinfo)
}

/// Only HTTP(S) proxies: ureq is built without SOCKS support, so a SOCKS URL would build and
/// then fail every call. Other malformed URLs are refused when the agent parses them.
pub(crate) fn check_proxy(url: &str) -> Result<()> {
    // The proxy's credentials travel in a header; the message never quotes the URL.
    check_header_len("proxy url", url).map_err(|m| Error::config_param("proxy", m))?;
    let scheme = url.trim().split_once("://").map(|(s, _)| s);
    if scheme.is_some_and(|s| strip_prefix_ignore_case(s, "socks").is_some()) {
        return Err(Error::config_param(
            "proxy",
            "socks proxies are not supported: use an http:// or https:// proxy url",
        ));
    }
    Ok(())
}

/// A timeout (`what`): greater than zero (there is no infinite timeout) and at most 24 h. The
/// client's options and a call's override go through this one check.
pub(crate) fn check_timeout(what: &str, d: Duration) -> std::result::Result<(), String> {
    if d.is_zero() {
        return Err(format!("{what} must be greater than zero"));
    }
    check_ceiling(what, d)
}

/// Whether the host of a proxy URL (`[scheme://][user[:password]@]host[:port][/]`) is a
/// loopback host by the rule of [`normalize_base_url`]. A plain `http://` request through a
/// proxy elsewhere leaves the machine (the proxy sees the API key), so the loopback rule
/// applies to the proxy too.
pub(crate) fn proxy_is_loopback(url: &str) -> bool {
    let url = url.trim();
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    parse_host(host_port).is_some_and(is_loopback)
}

/// `<what> must be at most 24 h` when `d` exceeds [`MAX_DURATION`].
pub(crate) fn check_ceiling(what: &str, d: Duration) -> std::result::Result<(), String> {
    if d > MAX_DURATION {
        return Err(format!("{what} must be at most 24 h"));
    }
    Ok(())
}

/// A credential (`what`, configured as `param`) must be non-blank printable ASCII without
/// surrounding spaces: it is sent as a header value.
pub(crate) fn check_credential(what: &str, param: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::config_param(param, format!("{what} is empty")));
    }
    if !header_safe(value) || value.trim() != value {
        return Err(Error::config_param(
            param,
            format!("{what} contains characters that cannot be sent in a header"),
        ));
    }
    check_header_len(what, value).map_err(|m| Error::config_param(param, m))
}

/// Validates and normalises a base URL: `http(s)://host[:port][/prefix]`, no trailing slash,
/// no credentials, query or fragment; `http://` only for loopback unless `allow_insecure`.
pub(crate) fn normalize_base_url(raw: &str, allow_insecure: bool) -> Result<String> {
    let bad = |why: &str| Error::config_param("baseUrl", format!("invalid base url: {why}"));
    let url = raw.trim();
    check_header_len("base url", url).map_err(|m| Error::config_param("baseUrl", m))?;
    let (scheme, rest) = if let Some(r) = strip_prefix_ignore_case(url, "https://") {
        ("https", r)
    } else if let Some(r) = strip_prefix_ignore_case(url, "http://") {
        ("http", r)
    } else {
        return Err(bad("must start with https:// or http://"));
    };
    if rest.bytes().any(|b| !(0x21..0x7f).contains(&b)) {
        return Err(bad("must be printable ascii without spaces"));
    }
    if rest.contains(['?', '#']) {
        return Err(bad("must not have a query or fragment"));
    }
    let rest = rest.trim_end_matches('/');
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return Err(bad("must not contain credentials"));
    }
    let host = parse_host(authority).ok_or_else(|| bad("missing or malformed host"))?;
    if scheme == "http" && !allow_insecure && !is_loopback(host) {
        return Err(Error::config_param("baseUrl", INSECURE_HTTP));
    }
    if path.contains("//") {
        return Err(bad("path must not contain empty segments"));
    }
    Ok(format!("{scheme}://{authority}{path}"))
}

/// The host of `host[:port]` / `[v6][:port]`, if well formed.
fn parse_host(authority: &str) -> Option<&str> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        host.parse::<Ipv6Addr>().ok()?;
        let port = match after {
            "" => None,
            a => Some(a.strip_prefix(':')?),
        };
        (host, port)
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return None;
    }
    if let Some(p) = port {
        p.parse::<u16>().ok()?;
    }
    Some(host)
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
        || host.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// `s` without `prefix`, compared ignoring ASCII case (URL schemes).
pub(crate) fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}
