//! [`Client`], [`ClientBuilder`] and [`CallOptions`].

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::config::{Config, MAX_DURATION, MAX_HEADER_VALUE_LEN, MAX_RETRIES};
use crate::endpoint::{Auth, Class, Endpoint};
use crate::error::{Error, Result, redact};
use crate::options;
use crate::plan::{Outgoing, Plan, Recorder};
use crate::response::{Meta, Response};
use crate::retry::RetryPolicy;
use crate::secret::Secret;
use crate::tls::{CaSource, TlsRoots, root_certs};
use crate::transport::{AgentConfig, Request, Transport};
use crate::validate::strip_prefix_ignore_case;
use crate::wire_json;

/// Longest `Idempotency-Key` accepted, in bytes.
pub(crate) const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// A blocking Soku API client.
///
/// Cheap to clone (clones share one keep-alive connection pool), `Send + Sync`, no global state.
/// `Debug` never shows the API key or the Firebase token.
///
/// ```
/// let client = soku::Client::builder()
///     .api_key("sk_live_example")
///     .max_retries(2)
///     .build()?;
/// assert_eq!(client.base_url(), "https://api.mysoku.io");
/// assert_eq!(client.config().retry().max_retries, 2);
/// # Ok::<(), soku::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    shared: Arc<Shared>,
    /// Kept outside the shared [`Config`] so that [`Client::with_api_key`] shares the rest.
    api_key: Option<Arc<Secret>>,
    /// Set on the client [`Client::plan`] hands to its closure: requests are recorded, not sent.
    recorder: Option<Arc<Recorder>>,
}

/// What every clone of a client shares: the validated [`Config`] (its `api_key` taken out into
/// [`Client`]) and the connection pool built from it.
#[derive(Debug)]
struct Shared {
    config: Config,
    transport: Transport,
}

/// Configures a [`Client`]: a [`Config`] whose options the setters change. Every option states
/// its default.
#[derive(Clone, Debug, Default)]
pub struct ClientBuilder {
    config: Config,
    /// A `from_env` variable that was not UTF-8, reported by [`build`](Self::build).
    env_error: Option<String>,
}

/// Per-call overrides. `Debug` shows the Firebase token as `[redacted]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CallOptions {
    /// The `Idempotency-Key` to send. Posts, media and transcription otherwise get a fresh
    /// random UUIDv4; either way the same key is reused on every retry of the call. Other calls
    /// send it only when given here. Default none.
    pub idempotency_key: Option<String>,
    /// Firebase ID token for the api-key calls, overriding the client's; at most
    /// [`MAX_HEADER_VALUE_LEN`] (8 KiB). Default none.
    pub firebase_token: Option<Secret>,
    /// Bound on each attempt of this call, overriding the client's timeout (greater than zero,
    /// at most 24 h, else the call fails with [`Error::InvalidArgument`]). Default none.
    pub timeout: Option<Duration>,
    /// Retries for this call, overriding the client's `max_retries` (at most [`MAX_RETRIES`],
    /// else the call fails with [`Error::InvalidArgument`]). Default none.
    pub max_retries: Option<u32>,
}

impl CallOptions {
    /// Checks the overrides with the same checks as the client's options (an
    /// [`Error::InvalidArgument`] naming the option, since a call's options are its arguments).
    /// Every call runs it before sending; the C ABI also runs it when it reads the options.
    pub(crate) fn check(&self) -> Result<()> {
        if let Some(t) = self.timeout {
            check_timeout("timeout", t).map_err(|m| Error::invalid_param("timeoutMs", m))?;
        }
        if let Some(n) = self.max_retries {
            check_max_retries(n).map_err(|m| Error::invalid_param("maxRetries", m))?;
        }
        if let Some(t) = &self.firebase_token {
            check_credential("firebase token", "firebaseToken", t.expose())?;
        }
        if let Some(k) = &self.idempotency_key {
            check_idempotency_key(k)?;
        }
        Ok(())
    }

    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`CallOptions::idempotency_key`].
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Sets [`CallOptions::firebase_token`].
    pub fn firebase_token(mut self, token: impl Into<String>) -> Self {
        self.firebase_token = Some(Secret::new(token));
        self
    }

    /// Sets [`CallOptions::timeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets [`CallOptions::max_retries`].
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = Some(n);
        self
    }
}

impl ClientBuilder {
    /// A builder with every option at its default.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder pre-filled from `SOKU_API_KEY`, `SOKU_BASE_URL` and `SOKU_FIREBASE_TOKEN`
    /// (unset or empty variables are skipped; one that is not UTF-8 makes
    /// [`build`](Self::build) fail with [`Error::Config`]). Later calls override these.
    pub fn from_env() -> Self {
        let mut b = Self::default();
        let mut read = |name: &str| match std::env::var(name) {
            Ok(v) if !v.trim().is_empty() => Some(v),
            Ok(_) | Err(std::env::VarError::NotPresent) => None,
            Err(std::env::VarError::NotUnicode(_)) => {
                b.env_error = Some(format!("{name} is not valid utf-8"));
                None
            }
        };
        let (key, url, token) = (
            read("SOKU_API_KEY"),
            read("SOKU_BASE_URL"),
            read("SOKU_FIREBASE_TOKEN"),
        );
        if let Some(k) = key {
            b.config.api_key = Some(Secret::new(k.trim()));
        }
        if let Some(u) = url {
            b.config.base_url = u;
        }
        if let Some(t) = token {
            b.config.firebase_token = Some(Secret::new(t.trim()));
        }
        b
    }

    /// The options set so far (not yet validated: [`build`](Self::build) does that).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The API key (`sk_live_…`) for content calls, at most [`MAX_HEADER_VALUE_LEN`] (8 KiB).
    /// Default: none (content calls then fail with [`Error::Config`] before any I/O).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.config.api_key = Some(Secret::new(key));
        self
    }

    /// The API's base URL, optionally with a path prefix (`https://host/api`); trailing slashes
    /// are dropped. Default [`DEFAULT_BASE_URL`](crate::DEFAULT_BASE_URL)
    /// (`https://api.mysoku.io`). Plain `http://` is accepted only for loopback hosts unless
    /// [`allow_insecure_http`](Self::allow_insecure_http). At most [`MAX_HEADER_VALUE_LEN`]
    /// (8 KiB).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.config.base_url = url.into();
        self
    }

    /// Firebase ID token for the api-key calls, at most
    /// [`MAX_HEADER_VALUE_LEN`](crate::MAX_HEADER_VALUE_LEN) (8 KiB). Default: none (those calls
    /// then need [`CallOptions::firebase_token`], else fail with [`Error::Config`] before any
    /// I/O).
    pub fn firebase_token(mut self, token: impl Into<String>) -> Self {
        self.config.firebase_token = Some(Secret::new(token));
        self
    }

    /// Bound on each attempt of a call: connect, send, answer and body. Default
    /// [`DEFAULT_TIMEOUT`](crate::DEFAULT_TIMEOUT) (30 s); must be greater than zero (there is
    /// no infinite timeout) and at most 24 h.
    ///
    /// It bounds one attempt, not the whole call. A call makes at most `max_retries + 1`
    /// attempts with a wait of at most `max_retry_wait` between two of them, so it lasts at most
    /// `(max_retries + 1) × timeout + max_retries × max_retry_wait`: with the defaults
    /// 4 × 30 s + 3 × 60 s = 5 minutes (the 60 s waits only when the server asks for them with
    /// `Retry-After` or `X-RateLimit-Reset`; the default backoff alone waits under 10 s in all).
    /// Lower `max_retries`, `timeout` or `max_retry_wait` to bound a call more tightly.
    ///
    /// Sending the request counts too: a server that reads a large body slowly (even one byte
    /// at a time) cannot stretch an attempt, which ends within `timeout` plus the scheduling
    /// delay of one wakeup (at most 250 ms on a machine that is not overloaded).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = timeout;
        self
    }

    /// Bound on establishing a connection (DNS, TCP, TLS). Default
    /// [`DEFAULT_CONNECT_TIMEOUT`](crate::DEFAULT_CONNECT_TIMEOUT) (10 s); must be greater than
    /// zero and at most 24 h.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }

    /// Retries after the first attempt of a call. Default
    /// [`DEFAULT_MAX_RETRIES`](crate::DEFAULT_MAX_RETRIES) (3); 0 disables retrying; at most
    /// [`MAX_RETRIES`] (10), else [`build`](Self::build) fails with [`Error::Config`].
    pub fn max_retries(mut self, n: u32) -> Self {
        self.config.retry.max_retries = n;
        self
    }

    /// Cap on any single wait between attempts, including a server's `Retry-After`. Default
    /// [`DEFAULT_MAX_RETRY_WAIT`](crate::DEFAULT_MAX_RETRY_WAIT) (60 s); at most 24 h.
    pub fn max_retry_wait(mut self, wait: Duration) -> Self {
        self.config.retry.max_wait = wait;
        self
    }

    /// Base of the exponential backoff (`2^n × base + jitter(0..base)`). Default
    /// [`DEFAULT_BACKOFF_BASE`](crate::DEFAULT_BACKOFF_BASE) (1 s); at most 24 h.
    pub fn backoff_base(mut self, base: Duration) -> Self {
        self.config.retry.backoff_base = base;
        self
    }

    /// Sets [`max_retries`](Self::max_retries), [`max_retry_wait`](Self::max_retry_wait) and
    /// [`backoff_base`](Self::backoff_base) at once (same defaults and bounds). Default
    /// [`RetryPolicy::default`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.config.retry = policy;
        self
    }

    /// The `User-Agent` header, sent verbatim (printable ASCII, at most
    /// [`MAX_HEADER_VALUE_LEN`](crate::MAX_HEADER_VALUE_LEN) = 8 KiB; [`build`](Self::build)
    /// refuses a longer one with [`Error::Config`]). Default
    /// [`DEFAULT_USER_AGENT`](crate::DEFAULT_USER_AGENT) (`soku-rust/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.config.user_agent = user_agent.into();
        self
    }

    /// Accept plain `http://` base URLs for non-loopback hosts. Default false.
    pub fn allow_insecure_http(mut self, yes: bool) -> Self {
        self.config.allow_insecure_http = yes;
        self
    }

    /// Check `scheduledTime` client-side (RFC 3339, at least 60 s ahead). Default true.
    pub fn validate_scheduled_time(mut self, yes: bool) -> Self {
        self.config.validate_scheduled_time = yes;
        self
    }

    /// An HTTP(S) proxy URL (`http://host:port` or `https://host:port`) for every request.
    /// Default none: requests go direct and the `HTTP_PROXY` / `HTTPS_PROXY` / `ALL_PROXY`
    /// environment variables are ignored. SOCKS proxies are not supported: a `socks…://` URL
    /// makes [`build`](Self::build) fail with [`Error::Config`]. With a plain `http://` base
    /// URL the proxy must be on loopback too (the proxy would see the API key), unless
    /// [`allow_insecure_http`](Self::allow_insecure_http). The URL may carry
    /// `user:password@`; `Debug` never shows it. At most [`MAX_HEADER_VALUE_LEN`] (8 KiB).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.config.proxy = Some(Secret::new(url));
        self
    }

    /// Take the proxy from the environment: `HTTPS_PROXY`, else `https_proxy` (read by
    /// [`build`](Self::build); unset or empty means direct). Default false: the environment's
    /// proxy variables are ignored unless this is set. A [`proxy`](Self::proxy) given
    /// explicitly wins. `NO_PROXY` is not read. The variable's URL follows the rules of
    /// [`proxy`](Self::proxy) (a `socks…://` URL is an [`Error::Config`]).
    pub fn proxy_from_env(mut self, yes: bool) -> Self {
        self.config.proxy_from_env = yes;
        self
    }

    /// The trust store HTTPS connections are verified against. Default [`TlsRoots::WebPki`]
    /// (Mozilla's roots compiled in); [`TlsRoots::Os`] uses the operating system's. Cannot be
    /// combined with [`ca_file`](Self::ca_file) / [`ca_pem`](Self::ca_pem).
    pub fn tls_roots(mut self, roots: TlsRoots) -> Self {
        self.config.tls_roots = roots;
        self
    }

    /// Trusts the CA certificates of this PEM file (one or more `CERTIFICATE` blocks), read
    /// when the client is built, *instead of* the default roots: for a private API gateway or a
    /// TLS-inspecting proxy. May be given several times (with [`ca_pem`](Self::ca_pem) too);
    /// all are trusted. Default none. [`build`](Self::build) fails with [`Error::Config`]
    /// (param `caFile`) naming the file if it cannot be read, holds no certificate, or holds one
    /// whose DER does not parse as X.509 (corrupt or truncated).
    pub fn ca_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.config.ca.push(CaSource::File(path.into()));
        self
    }

    /// As [`ca_file`](Self::ca_file), with the PEM text given directly (param `caPem` in the
    /// errors). Default none.
    pub fn ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.config.ca.push(CaSource::Pem(pem.into()));
        self
    }

    /// Builds the client: [`Error::Config`] on a bad base URL, a zero timeout, a duration
    /// option above 24 h, more than [`MAX_RETRIES`] retries, a SOCKS or malformed proxy URL,
    /// a credential that cannot be sent in a header, or an unusable custom CA.
    pub fn build(self) -> Result<Client> {
        if let Some(e) = self.env_error {
            return Err(Error::config(e));
        }
        let mut config = self.config;
        let mut env_name = None;
        if config.proxy.is_none() && config.proxy_from_env {
            (env_name, config.proxy) = env_proxy()?.unzip();
        }
        // A bad proxy URL taken from the environment is reported as that option's fault.
        let from_env = |e: Error| match (e, env_name) {
            (Error::Config { message, param }, Some(name)) if param.as_deref() == Some("proxy") => {
                Error::Config {
                    message: format!("{name}: {message}"),
                    param: Some("proxyFromEnv".to_owned()),
                }
            }
            (e, _) => e,
        };
        config.validate().map_err(from_env)?;
        let transport = Transport::new(&AgentConfig {
            timeout: config.timeout,
            connect_timeout: config.connect_timeout,
            user_agent: &config.user_agent,
            proxy: config.proxy.as_ref().map(Secret::expose),
            roots: root_certs(config.tls_roots, &config.ca)?,
        })
        .map_err(from_env)?;
        let api_key = config.api_key.take().map(Arc::new);
        Ok(Client {
            shared: Arc::new(Shared { config, transport }),
            api_key,
            recorder: None,
        })
    }
}

impl Client {
    /// A [`ClientBuilder`] with every option at its default.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `SOKU_API_KEY`, `SOKU_BASE_URL` and `SOKU_FIREBASE_TOKEN`
    /// (all optional), everything else at its default.
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env().build()
    }

    /// The same configuration and the same connection pool, with another API key.
    /// Takes a `&str`, a `String` or a [`Secret`] (such as a rotated key's `api_key`).
    pub fn with_api_key(&self, api_key: impl Into<Secret>) -> Client {
        Client {
            shared: Arc::clone(&self.shared),
            api_key: Some(Arc::new(api_key.into())),
            recorder: self.recorder.clone(),
        }
    }

    /// The validated configuration this client was built with (read-only). The API key is not
    /// part of it: it belongs to this client value ([`with_api_key`](Self::with_api_key)).
    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    /// The normalised base URL (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.shared.config.base_url
    }

    /// Runs `f` (any operation or workflow of this crate) with a client that records every
    /// request instead of sending it, and returns those requests: see [`Plan`]. The requests
    /// are built by the same code as a real call's, after the same checks, so a call the
    /// client would refuse before sending is refused here with the same error (as is any error
    /// `f` returns). Nothing is sent; no connection is opened.
    pub fn plan<T>(&self, f: impl FnOnce(&Client) -> Result<T>) -> Result<Plan> {
        let recorder = Arc::new(Recorder::default());
        let planner = Client {
            recorder: Some(Arc::clone(&recorder)),
            ..self.clone()
        };
        f(&planner)?;
        Ok(Plan {
            requests: recorder.take(),
        })
    }

    /// A workflow's base idempotency key: the caller's, else a fresh UUIDv4 (which a plan
    /// marks as generated, with every step key derived from it).
    pub(crate) fn base_key(&self, opts: &CallOptions) -> String {
        opts.idempotency_key.clone().unwrap_or_else(|| {
            let base = uuid::Uuid::new_v4().to_string();
            if let Some(recorder) = &self.recorder {
                recorder.generated_base(&base);
            }
            base
        })
    }

    /// Whether this client records requests instead of sending them ([`Client::plan`]).
    pub(crate) fn is_planning(&self) -> bool {
        self.recorder.is_some()
    }

    /// The client's retry settings.
    pub(crate) fn retry_policy(&self) -> RetryPolicy {
        self.shared.config.retry
    }

    pub(crate) fn validates_scheduled_time(&self) -> bool {
        self.shared.config.validate_scheduled_time
    }

    /// Sends one logical call to `endpoint` at `path` (its path, or [`Endpoint::path_with`])
    /// with retries per the endpoint's class, and returns the raw JSON body (`null` for an empty
    /// body such as a 204). No client-side validation of the body: the key-rotation probe
    /// relies on that.
    pub(crate) fn send_json(
        &self,
        endpoint: &Endpoint,
        path: &str,
        body: Option<&serde_json::Value>,
        opts: &CallOptions,
    ) -> Result<Response<serde_json::Value>> {
        let body = body.map(encode_body).transpose()?;
        let (bytes, meta) = self.send_raw(endpoint, path, body.as_deref(), opts)?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Response {
                data: serde_json::Value::Null,
                meta,
            });
        }
        self.decode(&bytes, meta, opts)
    }

    /// Sends one logical call to `endpoint` (at its path) and decodes the 2xx body as `T`.
    pub(crate) fn call<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        endpoint: &Endpoint,
        body: Option<&B>,
        opts: &CallOptions,
    ) -> Result<Response<T>> {
        let body = body.map(encode_body).transpose()?;
        let (bytes, meta) = self.send_raw(endpoint, endpoint.path, body.as_deref(), opts)?;
        self.decode(&bytes, meta, opts)
    }

    /// Decodes a 2xx body (lone surrogate escapes as U+FFFD, see [`wire_json::from_slice`]);
    /// the error message is redacted of every credential of the call.
    fn decode<T: DeserializeOwned>(
        &self,
        bytes: &[u8],
        meta: Meta,
        opts: &CallOptions,
    ) -> Result<Response<T>> {
        match wire_json::from_slice::<T>(bytes) {
            Ok(data) => Ok(Response { data, meta }),
            Err(e) => {
                let what = if e.is_data() {
                    "unexpected response body"
                } else {
                    "response body is not json"
                };
                let secrets = self.secrets(opts);
                let message = redact(format!("{what}: {e}"), &secrets);
                // serde's text may quote the body.
                let source = crate::error::Cause::unless_secret(e, &secrets);
                Err(Error::Decode {
                    message,
                    meta: Box::new(meta),
                    source,
                })
            }
        }
    }

    /// Every credential a call may carry (the client's and the call's own token).
    fn secrets<'a>(&'a self, opts: &'a CallOptions) -> Vec<&'a str> {
        let mut v: Vec<&str> = Vec::with_capacity(3);
        v.extend(self.api_key.as_deref().map(Secret::expose));
        v.extend(
            self.shared
                .config
                .firebase_token
                .as_ref()
                .map(Secret::expose),
        );
        v.extend(opts.firebase_token.as_ref().map(Secret::expose));
        v.extend(self.shared.config.proxy.as_ref().and_then(proxy_userinfo));
        v
    }

    fn send_raw(
        &self,
        endpoint: &Endpoint,
        path: &str,
        body: Option<&[u8]>,
        opts: &CallOptions,
    ) -> Result<(Vec<u8>, Meta)> {
        if !path.starts_with('/') || !header_safe(path) {
            return Err(Error::invalid_param(
                "path",
                "path must start with / and be printable ascii",
            ));
        }
        let bearer;
        let credential = match endpoint.auth {
            Auth::ApiKey => {
                let key = self.api_key.as_deref().map(Secret::expose).ok_or_else(|| {
                    Error::config_param("apiKey", format!("an api key {}", options::REQUIRED))
                })?;
                check_credential("api key", "apiKey", key)?;
                ("soku-api-key", key)
            }
            Auth::Firebase => {
                let token = opts
                    .firebase_token
                    .as_ref()
                    .or(self.shared.config.firebase_token.as_ref())
                    .map(Secret::expose)
                    .ok_or_else(|| {
                        Error::config_param(
                            "firebaseToken",
                            format!("a firebase token {} for api-key calls", options::REQUIRED),
                        )
                    })?;
                check_credential("firebase token", "firebaseToken", token)?;
                bearer = format!("Bearer {token}");
                ("authorization", bearer.as_str())
            }
        };
        let class = endpoint.retry;
        let generated;
        let key_generated = opts.idempotency_key.is_none() && class == Class::Keyed;
        let idempotency_key = match (&opts.idempotency_key, class) {
            (Some(k), _) => {
                check_idempotency_key(k)?;
                Some(k.as_str())
            }
            (None, Class::Keyed) => {
                generated = uuid::Uuid::new_v4().to_string();
                Some(generated.as_str())
            }
            (None, _) => None,
        };
        // A per-call override passes the same checks as the client's option (config.rs), but
        // is the caller's argument: an invalid-argument error, not a config error.
        opts.check()?;
        let timeout = opts.timeout.unwrap_or(self.shared.config.timeout);
        let mut policy = self.shared.config.retry;
        if let Some(n) = opts.max_retries {
            policy.max_retries = n;
        }

        let mut headers: Vec<(&'static str, &str)> = Vec::with_capacity(4);
        headers.push(credential);
        if body.is_some() {
            headers.push(("content-type", "application/json"));
        }
        if let Some(k) = idempotency_key {
            headers.push(("idempotency-key", k));
        }
        let url = format!("{}{}", self.shared.config.base_url, path);
        if let Some(recorder) = &self.recorder {
            return recorder.answer(&Outgoing {
                endpoint,
                path,
                url: &url,
                headers: &headers,
                body,
                idempotency_key,
                key_generated,
                user_agent: &self.shared.config.user_agent,
            });
        }
        let secrets = self.secrets(opts);
        let req = Request {
            method: endpoint.method,
            url: &url,
            headers: &headers,
            body,
            timeout,
            idempotency_key,
            secrets: &secrets,
        };
        self.shared.transport.execute(&req, &policy, class)
    }
}

/// `HTTPS_PROXY`, else `https_proxy`, when set and not blank (with the variable's name).
fn env_proxy() -> Result<Option<(&'static str, Secret)>> {
    for name in ["HTTPS_PROXY", "https_proxy"] {
        match std::env::var(name) {
            Ok(v) if !v.trim().is_empty() => return Ok(Some((name, Secret::new(v.trim())))),
            Ok(_) | Err(std::env::VarError::NotPresent) => {}
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(Error::config_param(
                    "proxyFromEnv",
                    format!("{name} is not valid utf-8"),
                ));
            }
        }
    }
    Ok(None)
}

fn encode_body<B: Serialize + ?Sized>(body: &B) -> Result<Vec<u8>> {
    serde_json::to_vec(body)
        .map_err(|e| Error::invalid(format!("request body cannot be encoded: {e}")))
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

/// An `Idempotency-Key` must be 1 to 255 printable ASCII characters without leading or trailing
/// whitespace (a blank key would be sent as an empty header). Workflows check the keys they
/// derive with it before their first request.
pub(crate) fn check_idempotency_key(key: &str) -> Result<()> {
    if key.is_empty()
        || key.len() > MAX_IDEMPOTENCY_KEY_LEN
        || !header_safe(key)
        || key.trim() != key
    {
        return Err(Error::invalid_param(
            "idempotencyKey",
            format!(
                "idempotency key must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} printable ascii characters \
             without leading or trailing spaces"
            ),
        ));
    }
    Ok(())
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
        return Err(Error::config_param("baseUrl", options::INSECURE_HTTP));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let ok = |u: &str| normalize_base_url(u, false).unwrap();
        assert_eq!(ok("https://api.mysoku.io"), "https://api.mysoku.io");
        assert_eq!(ok("https://host/api/"), "https://host/api");
        assert_eq!(ok("HTTPS://host:8443/api//"), "https://host:8443/api");
        assert_eq!(ok("http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
        assert_eq!(ok("http://127.9.9.9"), "http://127.9.9.9");
        assert_eq!(ok("http://[::1]:9/x"), "http://[::1]:9/x");
        assert_eq!(ok("http://LocalHost:1"), "http://LocalHost:1");
        assert_eq!(
            normalize_base_url("http://example.com", true).unwrap(),
            "http://example.com"
        );
        for bad in [
            "",
            "api.mysoku.io",
            "ftp://host",
            "https://",
            "https://:443",
            "https://user:pw@host",
            "https://host?x=1",
            "https://host/a b",
            "https://host:99999",
            "https://[::1",
            "https://[::1]x",
            "http://example.com",
            "http://10.0.0.1",
            "http://128.0.0.1",
            "https://host//api",
        ] {
            let e = normalize_base_url(bad, false).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Config, "{bad}");
            assert!(!e.to_string().contains("pw"), "{e}");
        }
    }
}
