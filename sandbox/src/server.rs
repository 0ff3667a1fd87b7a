//! The worker pool: takes requests from tiny_http, dispatches them, writes the answers.

use crate::faults::Fault;
use crate::net::lock;
use crate::rate_limit::RateSnapshot;
use crate::record::RecordedRequest;
use crate::reply::new_request_id;
use crate::reply::{ApiError, Reply};
use crate::request::Incoming;
use crate::state::Shared;
use crate::{control, routes};
use std::io::{Cursor, Read};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Requests bodies larger than this are cut (the API takes small JSON documents).
const MAX_BODY: u64 = 8 * 1024 * 1024;

/// What to do with a request.
pub(crate) enum Outcome {
    Answer(Reply),
    /// Close the connection without a response.
    Drop,
}

/// Starts `n` workers taking requests from `server`.
pub(crate) fn start_workers(
    n: usize,
    server: Arc<tiny_http::Server>,
    shared: Arc<Shared>,
) -> Vec<JoinHandle<()>> {
    (0..n)
        .map(|_| {
            let (server, shared) = (Arc::clone(&server), Arc::clone(&shared));
            thread::spawn(move || {
                while let Ok(rq) = server.recv() {
                    // A bug must cost one request (tiny_http answers a dropped request with
                    // 500), never a worker.
                    let _ = panic::catch_unwind(AssertUnwindSafe(|| serve_one(&shared, rq)));
                    if shared.stop.load(Ordering::SeqCst) {
                        break;
                    }
                }
            })
        })
        .collect()
}

fn serve_one(shared: &Shared, mut rq: tiny_http::Request) {
    let inner_addr = rq.remote_addr().copied();
    let relay = inner_addr.and_then(|a| shared.conns.lookup(&a));
    let mut body = Vec::new();
    let read_ok = rq.as_reader().take(MAX_BODY).read_to_end(&mut body).is_ok();
    let incoming = Incoming {
        method: rq.method().as_str().to_string(),
        target: rq.url().to_string(),
        headers: rq
            .headers()
            .iter()
            .map(|h| {
                (
                    h.field.as_str().as_str().to_string(),
                    h.value.as_str().to_string(),
                )
            })
            .collect(),
        body,
        peer: relay.map(|(_, peer)| peer),
        connection: relay.map(|(id, _)| id),
    };
    let outcome = if !read_ok {
        Outcome::Drop
    } else if incoming.path() == "/__sandbox" || incoming.path().starts_with("/__sandbox/") {
        Outcome::Answer(control::handle(shared, &incoming))
    } else {
        handle_api(shared, &incoming)
    };
    match outcome {
        Outcome::Answer(reply) => {
            let _ = rq.respond(to_response(reply));
        }
        Outcome::Drop => {
            let writer = rq.into_writer();
            if let Some(addr) = inner_addr {
                shared.conns.sever(&addr);
            }
            drop(writer);
        }
    }
}

fn to_response(reply: Reply) -> tiny_http::Response<Cursor<Vec<u8>>> {
    let headers = reply
        .headers
        .iter()
        // A header with CR, LF or another control character (say, from a fault) is left out.
        .filter(|(n, v)| !n.chars().chain(v.chars()).any(|c| c.is_control()))
        .filter_map(|(n, v)| tiny_http::Header::from_bytes(n.as_bytes(), v.as_bytes()).ok())
        .collect();
    let len = reply.body.len();
    tiny_http::Response::new(
        tiny_http::StatusCode(reply.status),
        headers,
        Cursor::new(reply.body),
        Some(len),
        None,
    )
}

/// The longest delay a fault may ask for.
const MAX_DELAY: Duration = Duration::from_secs(3600);

/// Sleeps `d` (at most [`MAX_DELAY`]), waking early when the sandbox stops.
fn sleep_unless_stopped(shared: &Shared, d: Duration) {
    let end = Instant::now() + d.min(MAX_DELAY);
    while !shared.stop.load(Ordering::SeqCst) {
        let now = Instant::now();
        if now >= end {
            break;
        }
        thread::sleep((end - now).min(Duration::from_millis(20)));
    }
}

/// The answer a fault gives instead of the real one.
fn fault_outcome(fault: &Fault, request_id: &str) -> Outcome {
    if fault.drop {
        return Outcome::Drop;
    }
    let reply = match &fault.body {
        Some(body) => {
            let ctype = if body.trim_start().starts_with('<') {
                "text/html; charset=utf-8"
            } else {
                "text/plain; charset=utf-8"
            };
            Reply::raw(
                fault.status.unwrap_or(502),
                ctype,
                body.clone().into_bytes(),
            )
        }
        None => {
            let status = fault.status.unwrap_or(500);
            let code = fault
                .code
                .as_deref()
                .unwrap_or(ApiError::default_code(status));
            ApiError::new(status, code, format!("injected fault: {code}")).into_reply(request_id)
        }
    };
    Outcome::Answer(reply)
}

/// Records the request, applies any queued fault, and serves it.
fn handle_api(shared: &Shared, req: &Incoming) -> Outcome {
    let request_id = new_request_id();
    let fault = {
        let mut st = lock(&shared.state);
        st.record(RecordedRequest {
            method: req.method.clone(),
            path: req.target.clone(),
            headers: req.headers.clone(),
            body: String::from_utf8_lossy(&req.body).into_owned(),
        });
        if let Some(id) = req.connection {
            st.api_connections.insert(id);
        }
        st.faults.take(&req.method, req.path())
    };
    if let Some(f) = &fault {
        sleep_unless_stopped(shared, Duration::from_millis(f.delay_ms));
    }
    let extra_headers = fault
        .as_ref()
        .map(Fault::response_headers)
        .unwrap_or_default();
    let fault = fault.filter(Fault::alters_answer);
    let (outcome, rate): (Outcome, RateSnapshot) = {
        let mut st = lock(&shared.state);
        match &fault {
            Some(f) if !f.after_processing => {
                let rate = routes::peek_rate(&mut st, &shared.config, req);
                (fault_outcome(f, &request_id), rate)
            }
            _ => {
                let (result, rate) = routes::serve(&mut st, &shared.config, req);
                let outcome = match &fault {
                    Some(f) => fault_outcome(f, &request_id),
                    None => Outcome::Answer(result.unwrap_or_else(|e| e.into_reply(&request_id))),
                };
                (outcome, rate)
            }
        }
    };
    match outcome {
        Outcome::Answer(mut reply) => {
            reply = reply.with_header("X-Request-Id", request_id.as_str());
            for (name, value) in rate.headers() {
                reply = reply.with_header(name, value);
            }
            for (name, value) in extra_headers {
                reply = reply.with_header(&name, value);
            }
            Outcome::Answer(reply)
        }
        Outcome::Drop => Outcome::Drop,
    }
}
