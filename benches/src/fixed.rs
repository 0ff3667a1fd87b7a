//! A minimal fixed-response Soku server, so that client cost is measured apart from server cost.
//!
//! `POST /v1/posts` with a `soku-api-key` header answers `201` with
//! [`FIXED_SUBMISSION_BODY`](crate::payload::FIXED_SUBMISSION_BODY) and the rate-limit and request-id
//! headers every Soku response carries; without the key it answers `401`. `GET /__stats` answers
//! `{"connections": n, "requests": n}` like the sandbox's `GET /__sandbox/stats`: `connections` is
//! the number of distinct client addresses (ip:port, so TCP connections) that carried at least one
//! `/v1/` request (a stats query's own connection does not count); `requests` counts the `/v1/`
//! requests.

use std::collections::HashSet;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use tiny_http::{Header, Request, Response, Server};

use crate::payload::{CREATE_POST_PATH, FIXED_SUBMISSION_BODY};

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
    /// Distinct client addresses (TCP connections) that carried a `/v1/` request.
    pub connections: usize,
    /// Requests to `/v1/` paths.
    pub requests: u64,
}

#[derive(Default)]
struct State {
    peers: HashSet<SocketAddr>,
    requests: u64,
    last: Option<RecordedRequest>,
}

/// A running fixed server; dropping it stops it.
pub struct FixedServer {
    server: Arc<Server>,
    url: String,
    state: Arc<Mutex<State>>,
    thread: Option<JoinHandle<()>>,
}

impl FixedServer {
    /// Listens on `addr` (e.g. `127.0.0.1:0` for an ephemeral port) and serves on a thread.
    pub fn start(addr: &str) -> io::Result<FixedServer> {
        let server = Server::http(addr).map_err(io::Error::other)?;
        let url = match server.server_addr().to_ip() {
            Some(a) => format!("http://{a}"),
            None => return Err(io::Error::other("fixed server: not a tcp listener")),
        };
        let server = Arc::new(server);
        let state = Arc::new(Mutex::new(State::default()));
        let thread = {
            let (server, state) = (Arc::clone(&server), Arc::clone(&state));
            std::thread::Builder::new()
                .name("fixed-server".into())
                .spawn(move || serve(&server, &state))?
        };
        Ok(FixedServer {
            server,
            url,
            state,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The counters so far.
    pub fn stats(&self) -> Stats {
        lock(&self.state).stats()
    }

    /// The last `/v1/` request received, if any.
    pub fn last_request(&self) -> Option<RecordedRequest> {
        lock(&self.state).last.clone()
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
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl State {
    fn stats(&self) -> Stats {
        Stats {
            connections: self.peers.len(),
            requests: self.requests,
        }
    }
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

fn serve(server: &Server, state: &Mutex<State>) {
    let reset = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        + 3600;
    let headers = [
        ("Content-Type", "application/json".to_owned()),
        ("X-Request-Id", "req_fixed".to_owned()),
        ("X-RateLimit-Limit", "1000000".to_owned()),
        ("X-RateLimit-Remaining", "999999".to_owned()),
        ("X-RateLimit-Reset", reset.to_string()),
        ("X-RateLimit-Tier", "bench".to_owned()),
    ]
    .map(|(name, value)| {
        Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header is valid")
    });
    for mut request in server.incoming_requests() {
        let recorded = record(&mut request);
        let stats = note(state, &request, &recorded);
        let (status, body) = answer(&recorded, stats);
        let mut response = Response::from_string(body).with_status_code(status);
        for h in &headers {
            response.add_header(h.clone());
        }
        // A client that hung up is the client's business; keep serving the others.
        let _ = request.respond(response);
    }
}

fn record(request: &mut Request) -> RecordedRequest {
    let mut body = Vec::new();
    // An unreadable body is recorded as what arrived; the fixed answer does not depend on it.
    let _ = request.as_reader().read_to_end(&mut body);
    RecordedRequest {
        method: request.method().as_str().to_owned(),
        path: request.url().to_owned(),
        headers: request
            .headers()
            .iter()
            .map(|h| {
                (
                    h.field.as_str().as_str().to_ascii_lowercase(),
                    h.value.as_str().to_owned(),
                )
            })
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn note(state: &Mutex<State>, request: &Request, recorded: &RecordedRequest) -> Stats {
    let mut st = lock(state);
    if recorded.path.starts_with("/v1/") {
        if let Some(peer) = request.remote_addr() {
            st.peers.insert(*peer);
        }
        st.requests += 1;
        st.last = Some(recorded.clone());
    }
    st.stats()
}

fn answer(rec: &RecordedRequest, stats: Stats) -> (u16, String) {
    let has_key = rec
        .headers
        .iter()
        .any(|(k, v)| k == "soku-api-key" && !v.is_empty());
    match (rec.method.as_str(), rec.path.as_str()) {
        ("GET", "/__stats") => (
            200,
            format!(
                r#"{{"connections":{},"requests":{}}}"#,
                stats.connections, stats.requests
            ),
        ),
        ("POST", CREATE_POST_PATH) if has_key => (201, FIXED_SUBMISSION_BODY.to_owned()),
        ("POST", CREATE_POST_PATH) => (401, error_body("unauthorized", "missing api key")),
        _ => (404, error_body("not_found", "no such route")),
    }
}

fn error_body(code: &str, message: &str) -> String {
    format!(r#"{{"error":{{"code":"{code}","message":"{message}","requestId":"req_fixed"}}}}"#)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::CREATE_POST_BODY;

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
}
