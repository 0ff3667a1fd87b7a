//! A minimal fixed-response Soku server, so that client cost is measured apart from server cost.
//!
//! `POST /v1/posts` with a `soku-api-key` header answers `201` with
//! [`FIXED_SUBMISSION_BODY`] and the rate-limit and request-id
//! headers every Soku response carries; without the key it answers `401`. `GET /__stats` answers
//! `{"connections": n, "requests": n}` like the sandbox's `GET /__sandbox/stats`: `connections` is
//! the number of accepted TCP connections that carried at least one `/v1/` request (a stats
//! query's own connection does not count); `requests` counts the `/v1/` requests.
//!
//! The server accepts connections itself (one thread each, HTTP/1.1 keep-alive, request heads
//! parsed by `httparse`) rather than through tiny_http: tiny_http does not expose accepts, and
//! counting distinct client addresses undercounts a curl loop, whose 1,000 short connections reuse
//! loopback ports. Answering on the connection's own thread also saves tiny_http's hand-off to a
//! serving thread, so less server time dilutes the client differences.
//!
//! [`FixedServer::start_tls`] serves the same over HTTPS (rustls) with a certificate from
//! [`TestPki`]: a self-signed CA, generated at start, that clients trust through their custom-CA
//! option, so that the cost of TLS is measured on loopback too.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::payload::{CREATE_POST_PATH, FIXED_SUBMISSION_BODY};

/// Request heads larger than this are refused (`431`) and the connection closed.
const MAX_HEAD: usize = 64 * 1024;
/// Request bodies larger than this are refused (`413`) and the connection closed.
const MAX_BODY: usize = 1024 * 1024;
/// Header lines parsed per request at most.
const MAX_HEADERS: usize = 64;

/// One request as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// Method, e.g. `POST`.
    pub method: String,
    /// Path with query.
    pub path: String,
    /// Header names (lowercased) and values, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy for invalid UTF-8).
    pub body: String,
}

/// The server's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Accepted TCP connections that carried a `/v1/` request.
    pub connections: usize,
    /// Requests to `/v1/` paths.
    pub requests: u64,
}

#[derive(Default)]
struct State {
    stats: Stats,
    last: Option<RecordedRequest>,
}

struct Shared {
    state: Mutex<State>,
    stopping: AtomicBool,
    /// The complete `201` answer to a create-post call, built once.
    created: Vec<u8>,
    /// The rate-limit and request-id header lines every answer carries.
    common_headers: String,
}

/// A running fixed server; dropping it stops accepting (open connections end with their clients).
pub struct FixedServer {
    shared: Arc<Shared>,
    url: String,
    thread: Option<JoinHandle<()>>,
}

/// A certificate authority made for one run and a server certificate it signed for
/// `127.0.0.1` and `localhost` (rcgen, ECDSA P-256).
pub struct TestPki {
    /// The CA certificate, PEM: what clients must trust.
    pub ca_pem: String,
    /// The server's TLS configuration (rustls, ring).
    pub server: Arc<rustls::ServerConfig>,
}

impl TestPki {
    /// Generates the CA and the server certificate.
    pub fn generate() -> Result<TestPki, String> {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
        let e = |e: rcgen::Error| e.to_string();
        let ca_key = KeyPair::generate().map_err(e)?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        // Distinct subjects: OpenSSL (curl) takes a leaf named like its issuer for self-signed.
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "soku test CA");
        let ca = ca_params.self_signed(&ca_key).map_err(e)?;
        let issuer = Issuer::new(ca_params, ca_key);
        let key = KeyPair::generate().map_err(e)?;
        let cert = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .map_err(e)?
            .signed_by(&key, &issuer)
            .map_err(e)?;
        let key = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der())?;
        let server = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key)
        .map_err(|e| e.to_string())?;
        Ok(TestPki {
            ca_pem: ca.pem(),
            server: Arc::new(server),
        })
    }
}

impl FixedServer {
    /// Listens on `addr` (e.g. `127.0.0.1:0` for an ephemeral port) and serves on threads.
    pub fn start(addr: &str) -> io::Result<FixedServer> {
        Self::start_with(addr, None)
    }

    /// As [`FixedServer::start`], over HTTPS with `tls` (e.g. [`TestPki::server`]).
    pub fn start_tls(addr: &str, tls: Arc<rustls::ServerConfig>) -> io::Result<FixedServer> {
        Self::start_with(addr, Some(tls))
    }

    fn start_with(addr: &str, tls: Option<Arc<rustls::ServerConfig>>) -> io::Result<FixedServer> {
        let listener = TcpListener::bind(addr)?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://{}", listener.local_addr()?);
        let reset = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
            + 3600;
        let common_headers = format!(
            "Content-Type: application/json\r\nX-Request-Id: req_fixed\r\n\
             X-RateLimit-Limit: 1000000\r\nX-RateLimit-Remaining: 999999\r\n\
             X-RateLimit-Reset: {reset}\r\nX-RateLimit-Tier: bench\r\n"
        );
        let created = answer_bytes(201, &common_headers, FIXED_SUBMISSION_BODY, false);
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            stopping: AtomicBool::new(false),
            created,
            common_headers,
        });
        let thread = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("fixed-accept".into())
                .spawn(move || accept_loop(&listener, &shared, tls))?
        };
        Ok(FixedServer {
            shared,
            url,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT` (`https://` when serving TLS), no trailing slash.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The counters so far.
    pub fn stats(&self) -> Stats {
        lock(&self.shared.state).stats
    }

    /// The last `/v1/` request received, if any.
    pub fn last_request(&self) -> Option<RecordedRequest> {
        lock(&self.shared.state).last.clone()
    }

    /// Serves on the calling thread until the process ends (what the `fixed-server` binary does).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for FixedServer {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wake the blocked accept; the loop sees `stopping` and ends.
        if let Some((_, addr)) = self.url.split_once("://") {
            let _ = TcpStream::connect(addr);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

fn accept_loop(
    listener: &TcpListener,
    shared: &Arc<Shared>,
    tls: Option<Arc<rustls::ServerConfig>>,
) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        // A failed accept (e.g. the client already gave up) concerns that client only.
        let Ok(stream) = stream else { continue };
        let shared = Arc::clone(shared);
        let tls = tls.clone();
        // Without a thread the connection is dropped, which its client sees as a reset.
        let _ = std::thread::Builder::new()
            .name("fixed-conn".into())
            .spawn(move || {
                let _ = stream.set_nodelay(true);
                match tls.map(rustls::ServerConnection::new) {
                    None => serve_connection(stream, &shared),
                    Some(Ok(conn)) => {
                        serve_connection(rustls::StreamOwned::new(conn, stream), &shared)
                    }
                    Some(Err(_)) => {}
                }
            });
    }
}

/// What to do with one parsed request head.
struct Head {
    recorded: RecordedRequest,
    /// Bytes of the head, so the body starts there.
    len: usize,
    content_length: usize,
    close: bool,
    expect_continue: bool,
}

/// Serves keep-alive requests on one connection until the client closes it or sends garbage.
fn serve_connection<S: Read + Write>(mut stream: S, shared: &Shared) {
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut counted = false;
    loop {
        let head = match read_head(&mut stream, &mut buf) {
            Ok(Some(Ok(head))) => head,
            Ok(Some(Err(status))) => {
                let _ = stream.write_all(&refusal(shared, status));
                let _ = stream.flush();
                return;
            }
            // The client closed the connection (or it broke): done.
            Ok(None) | Err(_) => return,
        };
        if head.content_length > MAX_BODY {
            let _ = stream.write_all(&refusal(shared, 413));
            let _ = stream.flush();
            return;
        }
        if head.expect_continue && stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").is_err() {
            return;
        }
        let end = head.len + head.content_length;
        while buf.len() < end {
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let mut recorded = head.recorded;
        recorded.body = String::from_utf8_lossy(&buf[head.len..end]).into_owned();
        buf.drain(..end);
        let answer = respond(shared, recorded, &mut counted, head.close);
        if stream
            .write_all(&answer)
            .and_then(|()| stream.flush())
            .is_err()
            || head.close
        {
            return;
        }
    }
}

/// Reads until `buf` holds a complete request head. `Ok(None)`: the connection closed first;
/// `Ok(Some(Err(status)))`: a head the server refuses with that status.
fn read_head(stream: &mut impl Read, buf: &mut Vec<u8>) -> io::Result<Option<Result<Head, u16>>> {
    loop {
        if !buf.is_empty() {
            match parse_head(buf) {
                Some(parsed) => return Ok(Some(parsed)),
                None if buf.len() > MAX_HEAD => return Ok(Some(Err(431))),
                None => {}
            }
        }
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk)? {
            0 => return Ok(None),
            n => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// `None` while the head is incomplete.
fn parse_head(buf: &[u8]) -> Option<Result<Head, u16>> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let len = match req.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return None,
        Err(httparse::Error::TooManyHeaders) => return Some(Err(431)),
        Err(_) => return Some(Err(400)),
    };
    let headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_ascii_lowercase(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    let value = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if value("transfer-encoding").is_some() {
        // None of the clients measured sends chunked bodies; refuse rather than misread one.
        return Some(Err(501));
    }
    let content_length = match value("content-length").map(|v| v.trim().parse::<usize>()) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return Some(Err(400)),
    };
    let connection = value("connection").unwrap_or("").to_ascii_lowercase();
    let close = connection.contains("close")
        || (req.version == Some(0) && !connection.contains("keep-alive"));
    let expect_continue = value("expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
    Some(Ok(Head {
        recorded: RecordedRequest {
            method: req.method.unwrap_or("").to_owned(),
            path: req.path.unwrap_or("").to_owned(),
            headers,
            body: String::new(),
        },
        len,
        content_length,
        close,
        expect_continue,
    }))
}

enum Route {
    Create,
    Unauthorized,
    Stats,
    NotFound,
}

/// Counts the request and builds the answer's bytes.
fn respond(shared: &Shared, recorded: RecordedRequest, counted: &mut bool, close: bool) -> Vec<u8> {
    let has_key = recorded
        .headers
        .iter()
        .any(|(k, v)| k == "soku-api-key" && !v.is_empty());
    let route = match (recorded.method.as_str(), recorded.path.as_str()) {
        ("POST", CREATE_POST_PATH) if has_key => Route::Create,
        ("POST", CREATE_POST_PATH) => Route::Unauthorized,
        ("GET", "/__stats") => Route::Stats,
        _ => Route::NotFound,
    };
    let stats = {
        let mut st = lock(&shared.state);
        if recorded.path.starts_with("/v1/") {
            if !*counted {
                *counted = true;
                st.stats.connections += 1;
            }
            st.stats.requests += 1;
            st.last = Some(recorded);
        }
        st.stats
    };
    let (status, body) = match route {
        Route::Create if !close => return shared.created.clone(),
        Route::Create => (201, FIXED_SUBMISSION_BODY.to_owned()),
        Route::Unauthorized => (401, error_body("unauthorized", "missing api key")),
        Route::Stats => (
            200,
            format!(
                r#"{{"connections":{},"requests":{}}}"#,
                stats.connections, stats.requests
            ),
        ),
        Route::NotFound => (404, error_body("not_found", "no such route")),
    };
    answer_bytes(status, &shared.common_headers, &body, close)
}

/// The answer to a request the server will not read on, closing the connection.
fn refusal(shared: &Shared, status: u16) -> Vec<u8> {
    let message = reason(status).to_ascii_lowercase();
    let body = error_body("bad_request", &message);
    answer_bytes(status, &shared.common_headers, &body, true)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        401 => "Unauthorized",
        404 => "Not Found",
        413 => "Payload Too Large",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        _ => "Bad Request",
    }
}

fn answer_bytes(status: u16, common_headers: &str, body: &str, close: bool) -> Vec<u8> {
    let connection = if close { "Connection: close\r\n" } else { "" };
    format!(
        "HTTP/1.1 {status} {}\r\n{common_headers}{connection}Content-Length: {}\r\n\r\n{body}",
        reason(status),
        body.len()
    )
    .into_bytes()
}

fn error_body(code: &str, message: &str) -> String {
    format!(r#"{{"error":{{"code":"{code}","message":"{message}","requestId":"req_fixed"}}}}"#)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::CREATE_POST_BODY;
    use std::io::{Read, Write};

    fn agent() -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .new_agent()
    }

    fn post(agent: &ureq::Agent, url: &str, key: Option<&str>) -> (u16, String, Vec<String>) {
        let mut req = agent
            .post(format!("{url}/v1/posts"))
            .header("Content-Type", "application/json");
        if let Some(k) = key {
            req = req.header("soku-api-key", k);
        }
        let mut resp = req.send(CREATE_POST_BODY).unwrap();
        let names = resp
            .headers()
            .keys()
            .map(|k| k.as_str().to_owned())
            .collect();
        let status = resp.status().as_u16();
        (status, resp.body_mut().read_to_string().unwrap(), names)
    }

    #[test]
    fn answers_posts_and_counts_connections() {
        let server = FixedServer::start("127.0.0.1:0").unwrap();
        let (a, b) = (agent(), agent());
        for _ in 0..3 {
            let (status, body, headers) = post(&a, server.url(), Some("sk_x"));
            assert_eq!(status, 201);
            assert_eq!(body, FIXED_SUBMISSION_BODY);
            for h in [
                "x-ratelimit-limit",
                "x-ratelimit-remaining",
                "x-ratelimit-reset",
            ] {
                assert!(headers.iter().any(|n| n == h), "{h} missing in {headers:?}");
            }
        }
        let (status, body, _) = post(&b, server.url(), None);
        assert_eq!(status, 401);
        assert!(body.contains("unauthorized"), "{body}");

        // Three calls on agent a's one keep-alive connection, one on b's.
        assert_eq!(
            server.stats(),
            Stats {
                connections: 2,
                requests: 4
            }
        );
        let last = server.last_request().unwrap();
        assert_eq!(
            (last.method.as_str(), last.path.as_str()),
            ("POST", "/v1/posts")
        );
        assert_eq!(last.body, CREATE_POST_BODY);

        // The stats query's own connection carries no API request: not counted, like the sandbox.
        let stats = agent()
            .get(format!("{}/__stats", server.url()))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        assert_eq!(stats, r#"{"connections":2,"requests":4}"#);
    }

    /// Sends raw bytes on a fresh connection and reads until the server closes it.
    fn raw_exchange(url: &str, bytes: &[u8]) -> String {
        let mut s = TcpStream::connect(url.strip_prefix("http://").unwrap()).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        s.write_all(bytes).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn every_short_connection_counts() {
        let server = FixedServer::start("127.0.0.1:0").unwrap();
        for _ in 0..40 {
            let (status, _, _) = post(&agent(), server.url(), Some("sk_x"));
            assert_eq!(status, 201);
        }
        assert_eq!(server.stats().connections, 40);
    }

    #[test]
    fn pipelined_requests_then_close() {
        let server = FixedServer::start("127.0.0.1:0").unwrap();
        let one = format!(
            "POST /v1/posts HTTP/1.1\r\nHost: x\r\nsoku-api-key: k\r\nContent-Length: {}\r\n\r\n{}",
            CREATE_POST_BODY.len(),
            CREATE_POST_BODY
        );
        let last = one.replacen("Host: x\r\n", "Host: x\r\nConnection: close\r\n", 1);
        let out = raw_exchange(server.url(), format!("{one}{last}").as_bytes());
        assert_eq!(out.matches("HTTP/1.1 201 Created\r\n").count(), 2, "{out}");
        assert_eq!(out.matches(FIXED_SUBMISSION_BODY).count(), 2, "{out}");
        assert!(out.contains("Connection: close\r\n"), "{out}");
        assert_eq!(
            server.stats(),
            Stats {
                connections: 1,
                requests: 2
            }
        );
        assert_eq!(server.last_request().unwrap().body, CREATE_POST_BODY);
    }

    #[test]
    fn refuses_garbage_and_chunked_bodies_and_closes() {
        let server = FixedServer::start("127.0.0.1:0").unwrap();
        let out = raw_exchange(server.url(), b"\x00\x01 nonsense\r\n\r\n");
        assert!(out.starts_with("HTTP/1.1 400 "), "{out}");
        let chunked = b"POST /v1/posts HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
        assert!(raw_exchange(server.url(), chunked).starts_with("HTTP/1.1 501 "));
        let big = b"POST /v1/posts HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n";
        assert!(raw_exchange(server.url(), big).starts_with("HTTP/1.1 413 "));
        assert_eq!(server.stats(), Stats::default());
    }
}
