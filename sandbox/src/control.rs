//! The control API under `/__sandbox/` (loopback clients only).

use crate::config;
use crate::faults::Fault;
use crate::net::lock;
use crate::reply::new_request_id;
use crate::reply::{ApiError, ApiResult, Reply};
use crate::request::Incoming;
use crate::state::Shared;
use serde_json::{Value, json};

/// Serves one control request. Every answer carries an `X-Request-Id`.
pub(crate) fn handle(shared: &Shared, req: &Incoming) -> Reply {
    let request_id = new_request_id();
    let loopback = req.peer.is_some_and(|p| p.ip().is_loopback());
    let result = if loopback {
        route(shared, req)
    } else {
        Err(ApiError::new(
            403,
            "forbidden",
            "the control api only answers loopback clients",
        ))
    };
    result
        .unwrap_or_else(|e| e.into_reply(&request_id))
        .with_header("X-Request-Id", request_id.as_str())
}

fn route(shared: &Shared, req: &Incoming) -> ApiResult {
    let path = req.path().trim_end_matches('/');
    match (req.method.as_str(), path) {
        ("POST", "/__sandbox/faults") => inject(shared, req),
        ("DELETE", "/__sandbox/faults") => {
            lock(&shared.state).faults.clear();
            Ok(Reply::empty(204))
        }
        ("GET", "/__sandbox/requests") => {
            let st = lock(&shared.state);
            Ok(Reply::json(200, &json!(st.requests)))
        }
        ("GET", "/__sandbox/submissions") => {
            let st = lock(&shared.state);
            Ok(Reply::json(200, &json!(st.submissions)))
        }
        ("GET", "/__sandbox/stats") => {
            let st = lock(&shared.state);
            Ok(Reply::json(
                200,
                &json!({
                    "connections": st.api_connections.len(),
                    "acceptedConnections": shared.conns.accepted(),
                    "requests": st.request_count,
                    "submissions": st.submission_count,
                    "idempotencyKeys": st.idempotency.stored_total,
                }),
            ))
        }
        ("GET", "/__sandbox/fixtures") => Ok(Reply::json(
            200,
            &json!({
                "apiKey": config::DEFAULT_API_KEY,
                "firebaseToken": config::FIREBASE_TOKEN,
                "inactiveApiKey": config::INACTIVE_API_KEY,
                "defaultKeyId": config::DEFAULT_KEY_ID,
                "connectedAccounts": shared.config.connections,
            }),
        )),
        ("POST", "/__sandbox/reset") => {
            shared.reset();
            Ok(Reply::empty(204))
        }
        _ => Err(ApiError::new(
            404,
            "not_found",
            format!("no control endpoint {} {path}", req.method),
        )),
    }
}

/// `POST /__sandbox/faults`: `{"path": "/v1/posts", …fault fields}` → 201 with the fault queued.
fn inject(shared: &Shared, req: &Incoming) -> ApiResult {
    let mut body = req.parse_object()?;
    let obj = body
        .as_object_mut()
        .ok_or_else(|| ApiError::validation("body", "invalid_type", "body must be an object"))?;
    let path = match obj.remove("path") {
        Some(Value::String(p)) => p,
        _ => {
            return Err(ApiError::validation(
                "path",
                "required",
                "path must be a string",
            ));
        }
    };
    let fault: Fault = serde_json::from_value(body)
        .map_err(|e| ApiError::validation("body", "invalid_value", format!("bad fault: {e}")))?;
    // A derived Serialize of strings and numbers cannot fail; should it, the caller hears why
    // instead of getting an echo without the fault.
    let mut echo = serde_json::to_value(&fault).map_err(|e| {
        ApiError::new(
            500,
            "internal_error",
            format!("could not echo the fault: {e}"),
        )
    })?;
    echo["path"] = json!(path);
    lock(&shared.state).faults.push(path, fault)?;
    Ok(Reply::json(201, &echo))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::net::ConnTable;
    use crate::state::State;
    use std::sync::atomic::AtomicBool;
    use std::sync::{Arc, Mutex};

    fn stats_from(peer: &str) -> Reply {
        let config = Config::default();
        let shared = Shared {
            state: Mutex::new(State::new(&config)),
            config,
            conns: Arc::new(ConnTable::default()),
            stop: Arc::new(AtomicBool::new(false)),
        };
        let req = Incoming {
            method: "GET".into(),
            target: "/__sandbox/stats".into(),
            headers: Vec::new(),
            body: Vec::new(),
            peer: Some(peer.parse().unwrap()),
            connection: Some(0),
        };
        handle(&shared, &req)
    }

    #[test]
    fn only_loopback_clients_reach_the_control_api() {
        assert_eq!(stats_from("127.0.0.1:5000").status, 200);
        assert_eq!(stats_from("[::1]:5000").status, 200);
        let refused = stats_from("192.0.2.7:5000");
        assert_eq!(refused.status, 403);
        assert!(String::from_utf8_lossy(&refused.body).contains("\"forbidden\""));
    }
}
