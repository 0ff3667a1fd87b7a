//! soku-sandbox: an offline, stateful, fault-injecting Soku API server for tests.
//!
//! It implements the Soku API (posts, media, templates and the render-og alias,
//! transcription, api keys) from its own reading of the wire contract (`docs/soku-api.md`),
//! keeps state (API keys, credits, idempotency keys, rate-limit windows), records what it
//! received, and misbehaves on demand:
//! error statuses, `Retry-After`, delays, non-JSON bodies, dropped connections, and failures
//! *after* the request took effect.
//!
//! ```
//! use std::io::{Read, Write};
//!
//! let sb = soku_sandbox::Sandbox::start()?;
//! assert!(sb.url().starts_with("http://127.0.0.1:"));
//!
//! // Any HTTP client works; here a raw request.
//! let body = r#"{"post":{"content":{"text":"hi","platform":["x"]}}}"#;
//! let mut tcp = std::net::TcpStream::connect(sb.addr())?;
//! write!(
//!     tcp,
//!     "POST /v1/posts HTTP/1.1\r\nHost: sandbox\r\nsoku-api-key: {}\r\n\
//!      Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
//!     sb.api_key(),
//!     body.len()
//! )?;
//! let mut answer = String::new();
//! tcp.read_to_string(&mut answer)?;
//! assert!(answer.starts_with("HTTP/1.1 200"));
//! assert!(answer.contains("postSubmissionId"));
//! assert_eq!(sb.submissions().len(), 1);
//!
//! // Queue a fault: the next post gets a 503 with Retry-After.
//! sb.inject("/v1/posts", soku_sandbox::Fault::status(503, "internal_error").retry_after(1));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! With the `soku` client: `Client::builder().base_url(sb.url()).api_key(sb.api_key())`.
//! The sandbox stops when dropped. See the crate README for the control API (`/__sandbox/…`),
//! used from other languages, and the `soku-sandbox` binary.

#![deny(missing_docs)]

mod auth;
pub mod cli;
mod config;
mod control;
mod faults;
mod idempotency;
mod net;
mod rate_limit;
mod record;
mod reply;
mod request;
mod routes;
mod server;
mod state;
mod time;
mod validate;

pub use config::{
    DEFAULT_API_KEY, DEFAULT_KEY_ID, DEFAULT_LIMITS, FIREBASE_TOKEN, INACTIVE_API_KEY,
    TEMPLATE_SLUGS, default_connections,
};
pub use faults::Fault;
pub use record::RecordedRequest;

use config::Config;
use net::{ConnTable, lock};
use state::Shared;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Worker threads serving requests; a delayed request holds one of them.
const WORKERS: usize = 16;

/// A running sandbox. Dropping it stops the server and closes its connections.
pub struct Sandbox {
    url: String,
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: Arc<tiny_http::Server>,
    workers: Vec<JoinHandle<()>>,
    front: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Sandbox`] before starting it.
#[derive(Debug, Clone, Default)]
pub struct SandboxBuilder {
    config: Config,
    /// The first invalid setting, reported by [`SandboxBuilder::start`].
    invalid: Option<String>,
}

impl SandboxBuilder {
    /// The address to listen on. Default `127.0.0.1`.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.config.host = host.into();
        self
    }

    /// The port to listen on. Default 0 (an ephemeral port; read it from [`Sandbox::url`]).
    pub fn port(mut self, port: u16) -> Self {
        self.config.port = port;
        self
    }

    /// Enforce rate limits (429 `rate_limit_exceeded`). Default true. When off, every response
    /// still carries the `X-RateLimit-*` headers, with the full limit remaining.
    pub fn rate_limits(mut self, on: bool) -> Self {
        self.config.rate_limits = on;
        self
    }

    /// The length of the sliding rate-limit window. Default 60 s; at most one year.
    pub fn window(mut self, window: Duration) -> Self {
        self.config.window = window.min(Duration::from_secs(365 * 24 * 3600));
        self
    }

    /// The limit per window of one endpoint: `posts` (default 30), `media` (30), `templates`
    /// (20), `render-og` (20), `transcribe` (10), `api-keys` (100, shared by create, list and
    /// revoke). An unknown name makes [`SandboxBuilder::start`] fail.
    pub fn limit(mut self, endpoint: &str, per_window: u64) -> Self {
        if self.config.limits.contains_key(endpoint) {
            self.config.limits.insert(endpoint.to_string(), per_window);
        } else {
            self.refuse(format!(
                "unknown rate-limit endpoint {endpoint:?} (known: posts, media, templates, render-og, transcribe, api-keys)"
            ));
        }
        self
    }

    /// Also accept `token` as a Firebase ID token of the default account on `/v1/api-keys`
    /// (repeat to accept several). [`FIREBASE_TOKEN`] stays accepted; any other token gets 401.
    /// A blank token makes [`SandboxBuilder::start`] fail. Default: only [`FIREBASE_TOKEN`].
    pub fn extra_firebase_token(mut self, token: impl Into<String>) -> Self {
        let token = token.into().trim().to_string();
        if token.is_empty() {
            self.refuse("a firebase token must not be blank".to_string());
        } else {
            self.config.extra_firebase_tokens.0.push(token);
        }
        self
    }

    /// Remembers the first invalid setting.
    fn refuse(&mut self, problem: String) {
        self.invalid.get_or_insert(problem);
    }

    /// The connected accounts of a platform (`x`, `threads`, `linkedin`, `instagram`,
    /// `facebook`, `tiktok`, `youtube`); an empty list makes posts to it fail with 400
    /// `missing_integrations`. Default: see [`default_connections`] (instagram has two
    /// accounts, `ig_main` and `ig_backup`, every other platform one).
    pub fn connected_accounts<I, S>(mut self, platform: &str, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let ids = ids.into_iter().map(Into::into).collect();
        self.config
            .connections
            .insert(platform.to_ascii_lowercase(), ids);
        self
    }

    /// Transcription credits of each account. Default 1000 (1 credit per started minute).
    pub fn credits(mut self, credits: u64) -> Self {
        self.config.credits = credits;
        self
    }

    /// Reject a `scheduledTime` less than 60 s in the future. Default true. Turn it off to
    /// replay requests whose scheduled time has passed (the format is still checked).
    pub fn check_scheduled_time(mut self, on: bool) -> Self {
        self.config.check_scheduled_time = on;
        self
    }

    /// How many of each kind of history are kept: recorded requests ([`Sandbox::requests`]),
    /// accepted submissions ([`Sandbox::submissions`]) and stored idempotency results. Beyond
    /// it the oldest are forgotten (a replay of a forgotten key is processed again), so a long
    /// benchmark sending a fresh key per call does not grow memory without bound;
    /// `GET /__sandbox/stats` keeps the totals. Default 10,000; at least 1.
    pub fn retained(mut self, n: usize) -> Self {
        self.config.retained = n.max(1);
        self
    }

    /// Binds the listener and starts serving. An invalid setting (an unknown
    /// [`SandboxBuilder::limit`] name, a blank [`SandboxBuilder::extra_firebase_token`]) is an
    /// [`io::ErrorKind::InvalidInput`] error naming it.
    pub fn start(self) -> io::Result<Sandbox> {
        if let Some(problem) = self.invalid {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, problem));
        }
        Sandbox::start_with(self.config)
    }
}

impl Sandbox {
    /// Starts a sandbox with the default configuration on `127.0.0.1` and an ephemeral port.
    pub fn start() -> io::Result<Sandbox> {
        Sandbox::builder().start()
    }

    /// A builder for a sandbox with non-default settings.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    fn start_with(config: Config) -> io::Result<Sandbox> {
        let listener = TcpListener::bind((config.host.as_str(), config.port))?;
        let addr = listener.local_addr()?;
        let server = tiny_http::Server::http("127.0.0.1:0").map_err(io::Error::other)?;
        let inner_addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| io::Error::other("inner server has no ip address"))?;
        let server = Arc::new(server);
        let stop = Arc::new(AtomicBool::new(false));
        let conns = Arc::new(ConnTable::default());
        let shared = Arc::new(Shared {
            state: Mutex::new(state::State::new(&config)),
            config,
            conns: Arc::clone(&conns),
            stop: Arc::clone(&stop),
        });
        let workers = server::start_workers(WORKERS, Arc::clone(&server), Arc::clone(&shared));
        let front = net::start_front(listener, inner_addr, conns, stop);
        let url = match addr {
            SocketAddr::V6(a) => format!("http://[{}]:{}", a.ip(), a.port()),
            SocketAddr::V4(a) => format!("http://{a}"),
        };
        Ok(Sandbox {
            url,
            addr,
            shared,
            server,
            workers,
            front: Some(front),
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:40123` (no trailing slash).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The socket address the sandbox listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API key of the default, active account ([`DEFAULT_API_KEY`]).
    pub fn api_key(&self) -> &str {
        DEFAULT_API_KEY
    }

    /// The Firebase ID token accepted on `/v1/api-keys` for that account ([`FIREBASE_TOKEN`]).
    pub fn firebase_token(&self) -> &str {
        FIREBASE_TOKEN
    }

    /// The key of an account without an active subscription (content calls get 403).
    pub fn inactive_api_key(&self) -> &str {
        INACTIVE_API_KEY
    }

    /// The id of [`Sandbox::api_key`] as listed by `GET /v1/api-keys` ([`DEFAULT_KEY_ID`]).
    pub fn default_key_id(&self) -> &str {
        DEFAULT_KEY_ID
    }

    /// The API requests received so far, oldest first (control-API requests excluded). Only
    /// the most recent 10,000 ([`SandboxBuilder::retained`]) are kept; `GET /__sandbox/stats`
    /// has the total count.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.state).requests.iter().cloned().collect()
    }

    /// The accepted `POST /v1/posts` bodies, oldest first, each once however often it was
    /// replayed. Only the most recent 10,000 ([`SandboxBuilder::retained`]) are kept;
    /// `GET /__sandbox/stats` has the total count.
    pub fn submissions(&self) -> Vec<serde_json::Value> {
        lock(&self.shared.state)
            .submissions
            .iter()
            .cloned()
            .collect()
    }

    /// TCP connections that carried at least one API request (connections used only for the
    /// control API are not counted), since start or the last [`Sandbox::reset`].
    pub fn connections(&self) -> usize {
        lock(&self.shared.state).api_connections.len()
    }

    /// Every TCP connection accepted since start or the last [`Sandbox::reset`], including
    /// those that only reached the control API or carried nothing.
    pub fn accepted_connections(&self) -> usize {
        self.shared.conns.accepted()
    }

    /// Queues `fault` for the next `fault.count` requests whose path is `path` (or starts
    /// with it, when `path` ends in `*`) and, if [`Fault::method`] is set, whose method matches.
    /// The query string is not part of the path. Faults are taken in the order queued.
    ///
    /// # Panics
    ///
    /// On a fault no HTTP answer can carry (a status outside 200 to 599) or a path that does
    /// not start with `/`: a mistake in the test that injects it. [`Sandbox::try_inject`]
    /// returns the error instead.
    pub fn inject(&self, path: &str, fault: Fault) {
        if let Err(e) = self.try_inject(path, fault) {
            panic!("soku-sandbox: {e}");
        }
    }

    /// [`Sandbox::inject`], returning an [`io::ErrorKind::InvalidInput`] error for a fault the
    /// control API would refuse (a status outside 200 to 599, a path not starting with `/`);
    /// nothing is queued then.
    pub fn try_inject(&self, path: &str, fault: Fault) -> io::Result<()> {
        lock(&self.shared.state)
            .faults
            .push(path.to_string(), fault)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.message))
    }

    /// Back to the start state: fixtures restored (created keys gone, revoked keys active,
    /// credits refilled), recordings, faults, idempotency keys, rate-limit windows and
    /// connection counts cleared.
    pub fn reset(&self) {
        self.shared.reset();
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        net::wake(self.addr);
        if let Some(front) = self.front.take() {
            let _ = front.join();
        }
        self.shared.conns.sever_all();
        for _ in &self.workers {
            self.server.unblock();
        }
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}
