//! [`Config`]: every option of a [`Client`](crate::Client), and the defaults of each.
//!
//! A [`ClientBuilder`](crate::ClientBuilder) holds a `Config` and its setters change it;
//! [`build`](crate::ClientBuilder::build) validates it and the client keeps that same `Config`,
//! readable with [`Client::config`](crate::Client::config).

use std::time::Duration;

use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
use crate::secret::Secret;
use crate::tls::{CaSource, TlsRoots};

/// `soku-rust/<version>`, as a literal for `concat!` (the C ABI appends its own product).
macro_rules! rust_user_agent {
    () => {
        concat!("soku-rust/", env!("CARGO_PKG_VERSION"))
    };
}
pub(crate) use rust_user_agent;

/// The production API: the default base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.mysoku.io";
/// Default bound on each attempt of a call: 30 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default bound on establishing a connection: 10 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default number of retries after the first attempt: 3.
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// Default cap on any single wait between attempts: 60 s.
pub const DEFAULT_MAX_RETRY_WAIT: Duration = Duration::from_secs(60);
/// Default base of the exponential backoff: 1 s.
pub const DEFAULT_BACKOFF_BASE: Duration = Duration::from_secs(1);
/// Default `User-Agent` header: `soku-rust/<version>`.
pub const DEFAULT_USER_AGENT: &str = rust_user_agent!();
/// Most retries a call may make after its first attempt; more is refused. Ten retries with the
/// default backoff already span about 17 minutes of waiting (each wait capped at
/// `max_retry_wait`).
pub const MAX_RETRIES: u32 = 10;
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
    /// [`DEFAULT_MAX_RETRIES`] (3), [`DEFAULT_MAX_RETRY_WAIT`] (60 s),
    /// [`DEFAULT_BACKOFF_BASE`] (1 s).
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
        use crate::client::{
            check_ceiling, check_credential, check_header_len, check_max_retries, check_proxy,
            check_timeout, header_safe, normalize_base_url, proxy_is_loopback,
        };
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
