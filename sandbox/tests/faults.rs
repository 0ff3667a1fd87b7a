//! Fault injection, inspection, connection counting and the control API.

mod common;

use common::{Http, raw_exchange, raw_post, text_post};
use serde_json::{Value, json};
use soku_sandbox::{Fault, Sandbox};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn post_x(http: &Http, sb: &Sandbox, extra: &[(&str, &str)]) -> common::Resp {
    http.post_with(
        "/v1/posts",
        sb.api_key(),
        &text_post("t", json!(["x"])),
        extra,
    )
}

#[test]
fn status_fault_with_retry_after_applies_count_times() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    sb.inject(
        "/v1/posts",
        Fault::status(503, "internal_error").retry_after(2).times(2),
    );
    for _ in 0..2 {
        let r = post_x(&http, &sb, &[]);
        assert_eq!((r.status, r.code()), (503, "internal_error".to_string()));
        assert_eq!(r.header("retry-after"), Some("2"));
        assert_eq!(r.json()["error"]["type"], "api_error");
        assert_eq!(
            r.json()["error"]["requestId"].as_str(),
            r.header("x-request-id")
        );
        assert!(r.header("x-ratelimit-remaining").is_some());
    }
    assert_eq!(post_x(&http, &sb, &[]).status, 200);
    assert_eq!(sb.submissions().len(), 1);
    assert_eq!(sb.requests().len(), 3);
}

#[test]
fn faults_only_hit_their_path() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    sb.inject("/v1/media", Fault::rate_limited(1));
    assert_eq!(post_x(&http, &sb, &[]).status, 200);
    let r = http.post(
        "/v1/media",
        sb.api_key(),
        &json!({"url": "https://e.com/a.png"}),
    );
    assert_eq!(
        (r.status, r.code(), r.header("retry-after")),
        (429, "rate_limit_exceeded".into(), Some("1"))
    );
    // A prefix pattern covers every key id.
    sb.inject("/v1/api-keys/*", Fault::status(500, "internal_error"));
    let r = http.bearer(
        "DELETE",
        "/v1/api-keys/key_whatever",
        sb.firebase_token(),
        None,
    );
    assert_eq!(r.status, 500);
}

#[test]
fn control_api_queues_faults_from_json() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    let fault = json!({"path": "/v1/posts", "count": 1, "status": 500, "code": "internal_error",
                       "retryAfter": 1, "delayMs": 0, "drop": false, "afterProcessing": false});
    let r = http.send(
        "POST",
        "/__sandbox/faults",
        &[("Content-Type", "application/json")],
        Some(&fault.to_string()),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["path"], "/v1/posts");
    let hit = post_x(&http, &sb, &[]);
    assert_eq!((hit.status, hit.header("retry-after")), (500, Some("1")));
    assert_eq!(post_x(&http, &sb, &[]).status, 200);
    // Bad faults are refused and queue nothing.
    for bad in [
        json!({"status": 500}),
        json!({"path": "/v1/posts", "stauts": 500}),
        json!({"path": "/v1/posts", "count": "x"}),
        json!({"path": "/v1/posts", "status": 99}),
    ] {
        let r = http.send("POST", "/__sandbox/faults", &[], Some(&bad.to_string()));
        assert_eq!(
            (r.status, r.code()),
            (400, "validation_error".to_string()),
            "{bad}"
        );
    }
    assert_eq!(post_x(&http, &sb, &[]).status, 200);
    // DELETE clears pending faults.
    sb.inject("/v1/posts", Fault::status(500, "internal_error"));
    assert_eq!(
        http.send("DELETE", "/__sandbox/faults", &[], None).status,
        204
    );
    assert_eq!(post_x(&http, &sb, &[]).status, 200);
}

#[test]
fn raw_non_json_body() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    let page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    sb.inject("/v1/posts", Fault::raw_body(502, page));
    let r = post_x(&http, &sb, &[]);
    assert_eq!((r.status, r.body.as_str()), (502, page));
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(serde_json::from_str::<Value>(&r.body).is_err());
    assert!(r.header("x-request-id").is_some());
    assert!(sb.submissions().is_empty());
}

#[test]
fn delay_holds_one_request_without_blocking_others() {
    let sb = Arc::new(Sandbox::start().unwrap());
    sb.inject("/v1/media", Fault::delay(Duration::from_millis(1500)));
    let done = Arc::new(AtomicBool::new(false));
    let slow = {
        let (sb, done) = (Arc::clone(&sb), Arc::clone(&done));
        std::thread::spawn(move || {
            let start = Instant::now();
            let r = Http::new(&sb).post(
                "/v1/media",
                sb.api_key(),
                &json!({"url": "https://e.com/a.png"}),
            );
            done.store(true, Ordering::SeqCst);
            (r.status, start.elapsed())
        })
    };
    // Wait until the slow request has arrived, then serve another one meanwhile.
    while sb.requests().is_empty() {
        std::thread::sleep(Duration::from_millis(5));
    }
    let http = Http::new(&sb);
    assert_eq!(post_x(&http, &sb, &[]).status, 200);
    assert!(
        !done.load(Ordering::SeqCst),
        "the delayed request blocked the other one"
    );
    let (status, elapsed) = slow.join().unwrap();
    assert_eq!(
        status, 201,
        "a delay-only fault serves the request normally"
    );
    assert!(elapsed >= Duration::from_millis(1500), "{elapsed:?}");
}

#[test]
fn drop_closes_the_connection_without_an_answer() {
    let sb = Sandbox::start().unwrap();
    sb.inject("/v1/posts", Fault::drop_connection());
    let body = text_post("t", json!(["x"])).to_string();
    let answer = raw_exchange(&sb, &raw_post(&sb, &body, ""));
    assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
    assert!(sb.submissions().is_empty(), "a plain drop has no effect");
    assert_eq!(sb.requests().len(), 1);
    // A keep-alive client sees a transport error on its reused connection (nothing retried
    // behind its back), and the next request works on a new connection.
    let http = Http::new(&sb);
    let h = [
        ("soku-api-key", sb.api_key()),
        ("Content-Type", "application/json"),
    ];
    assert_eq!(http.send("POST", "/v1/posts", &h, Some(&body)).status, 200);
    sb.inject("/v1/posts", Fault::drop_connection());
    assert!(http.try_send("POST", "/v1/posts", &h, Some(&body)).is_err());
    assert_eq!(http.send("POST", "/v1/posts", &h, Some(&body)).status, 200);
    assert_eq!(sb.requests().len(), 4);
    assert_eq!(sb.submissions().len(), 2);
    assert_eq!(sb.connections(), 3);
}

#[test]
fn after_processing_500_then_a_keyed_retry_is_replayed() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    sb.inject(
        "/v1/posts",
        Fault::status(500, "internal_error").after_processing(),
    );
    let key = [("Idempotency-Key", "retry-me")];
    let first = post_x(&http, &sb, &key);
    assert_eq!(
        (first.status, first.code()),
        (500, "internal_error".to_string())
    );
    assert_eq!(
        sb.submissions().len(),
        1,
        "the post took effect before the 500"
    );
    let retry = post_x(&http, &sb, &key);
    assert_eq!(retry.status, 200);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert!(retry.json()["postSubmissionId"].is_string());
    assert_eq!(sb.submissions().len(), 1, "a keyed retry publishes once");
    // Without a key the careless retry publishes twice: exactly what the fault exposes.
    sb.inject(
        "/v1/posts",
        Fault::status(500, "internal_error").after_processing(),
    );
    assert_eq!(post_x(&http, &sb, &[]).status, 500);
    assert_eq!(post_x(&http, &sb, &[]).status, 200);
    assert_eq!(sb.submissions().len(), 3);
}

#[test]
fn after_processing_drop_then_a_keyed_retry_is_replayed() {
    let sb = Sandbox::start().unwrap();
    sb.inject(
        "/v1/ai/transcribe",
        Fault::drop_connection().after_processing(),
    );
    let http = Http::new(&sb);
    let body = json!({"mediaId": "m", "durationSeconds": 120}).to_string();
    let h = [
        ("soku-api-key", sb.api_key()),
        ("Content-Type", "application/json"),
        ("Idempotency-Key", "tx"),
    ];
    assert!(
        http.try_send("POST", "/v1/ai/transcribe", &h, Some(&body))
            .is_err()
    );
    let retry = http.send("POST", "/v1/ai/transcribe", &h, Some(&body));
    assert_eq!(
        (retry.status, retry.header("idempotent-replayed")),
        (200, Some("true"))
    );
    assert_eq!(retry.json()["creditsDebited"], 2);
    // Charged once: 1000 - 2 credits left, so a 998-minute job still fits and a 999-minute one not.
    let big = |minutes: u64, k: &str| {
        let b = json!({"mediaId": "m", "durationSeconds": minutes * 60}).to_string();
        http.send(
            "POST",
            "/v1/ai/transcribe",
            &[h[0], h[1], ("Idempotency-Key", k)],
            Some(&b),
        )
        .status
    };
    assert_eq!(big(999, "a"), 402);
    assert_eq!(big(998, "b"), 200);
}

#[test]
fn inspection_records_requests_and_submissions() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    let body = text_post("recorded", json!(["x"]));
    post_x(&http, &sb, &[("Idempotency-Key", "abc")]);
    http.post("/v1/posts", sb.api_key(), &body);
    // Asked on a second connection: it is accepted but, carrying no API request, not counted.
    let stats = Http::new(&sb)
        .send("GET", "/__sandbox/stats", &[], None)
        .json();
    let reqs = sb.requests();
    assert_eq!(reqs.len(), 2, "control requests are not recorded");
    assert_eq!(
        (reqs[1].method.as_str(), reqs[1].path.as_str()),
        ("POST", "/v1/posts")
    );
    assert_eq!(reqs[0].header("idempotency-key"), Some("abc"));
    assert_eq!(reqs[1].header("SOKU-API-KEY"), Some(sb.api_key()));
    assert_eq!(reqs[1].header("idempotency-key"), None);
    assert_eq!(reqs[1].json(), Some(body.clone()));
    assert_eq!(
        stats,
        json!({"connections": 1, "acceptedConnections": 2, "requests": 2, "submissions": 2,
               "idempotencyKeys": 1})
    );
    // The same over the control API.
    let listed = http.send("GET", "/__sandbox/requests", &[], None).json();
    assert_eq!(listed, serde_json::to_value(&reqs).unwrap());
    assert_eq!(listed[1]["method"], "POST");
    assert!(
        listed[1]["headers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h[0].as_str().unwrap().eq_ignore_ascii_case("content-type"))
    );
    let subs = http.send("GET", "/__sandbox/submissions", &[], None).json();
    assert_eq!(subs, Value::Array(sb.submissions()));
    assert_eq!(subs[1], body);
    // Reset over HTTP clears everything.
    assert_eq!(http.send("POST", "/__sandbox/reset", &[], None).status, 204);
    assert!(sb.requests().is_empty() && sb.submissions().is_empty());
    assert_eq!((sb.connections(), sb.accepted_connections()), (0, 0));
    assert_eq!(
        http.send("GET", "/__sandbox/nothing", &[], None).status,
        404
    );
}

#[test]
fn fixtures_over_the_control_api() {
    let sb = Sandbox::start().unwrap();
    let f = Http::new(&sb)
        .send("GET", "/__sandbox/fixtures", &[], None)
        .json();
    assert_eq!(f["apiKey"], sb.api_key());
    assert_eq!(f["firebaseToken"], sb.firebase_token());
    assert_eq!(f["inactiveApiKey"], sb.inactive_api_key());
    assert_eq!(f["defaultKeyId"], sb.default_key_id());
    assert_eq!(
        f["connectedAccounts"]["instagram"],
        json!(["ig_main", "ig_backup"])
    );
}

#[test]
fn keep_alive_connections_are_counted_once() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    for _ in 0..5 {
        assert_eq!(post_x(&http, &sb, &[]).status, 200);
    }
    assert_eq!(sb.connections(), 1);
    for _ in 0..3 {
        post_x(&Http::new(&sb), &sb, &[]);
    }
    assert_eq!(sb.connections(), 4);
    // Raw connections that close after one request count one each; one that carries nothing
    // is accepted but not counted as used.
    raw_exchange(&sb, &raw_post(&sb, "{}", ""));
    drop(std::net::TcpStream::connect(sb.addr()).unwrap());
    assert_eq!(sb.connections(), 5);
    let deadline = Instant::now() + Duration::from_secs(5);
    while sb.accepted_connections() < 6 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(sb.accepted_connections(), 6);
    assert_eq!(sb.requests().len(), 9);
}

#[test]
fn many_concurrent_keep_alive_clients() {
    let sb = Arc::new(Sandbox::start().unwrap());
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let sb = Arc::clone(&sb);
            std::thread::spawn(move || {
                let http = Http::new(&sb);
                for j in 0..3 {
                    let r = http.post_with(
                        "/v1/posts",
                        sb.api_key(),
                        &text_post(&format!("{i}-{j}"), json!(["x"])),
                        &[],
                    );
                    assert_eq!(r.status, 200);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(sb.submissions().len(), 24);
    assert_eq!(sb.connections(), 8);
}

#[test]
fn dropping_the_sandbox_stops_it() {
    let sb = Sandbox::start().unwrap();
    let addr = sb.addr();
    let http = Http::new(&sb);
    assert_eq!(post_x(&http, &sb, &[]).status, 200); // leaves a keep-alive connection open
    drop(sb);
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "still listening after drop"
    );
}

#[test]
fn absurd_fault_and_window_values_do_not_break_the_server() {
    let sb = Sandbox::builder()
        .window(Duration::MAX)
        .limit("posts", 1)
        .start()
        .unwrap();
    let http = Http::new(&sb);
    let fault =
        json!({"path": "/v1/media", "delayMs": u64::MAX, "status": 599, "retryAfter": u64::MAX});
    assert_eq!(
        http.send("POST", "/__sandbox/faults", &[], Some(&fault.to_string()))
            .status,
        201
    );
    assert_eq!(post_x(&http, &sb, &[]).status, 200);
    let r = post_x(&http, &sb, &[]);
    assert_eq!(r.status, 429);
    assert!(r.num_header("retry-after") > 3600);
    // The hour-long delay ends when the sandbox is dropped; the client sees the connection close.
    let addr = sb.addr();
    let slow = std::thread::spawn(move || {
        Http::for_url(&format!("http://{addr}"))
            .try_send("POST", "/v1/media", &[], Some("{}"))
            .map(|r| r.status)
    });
    while sb.requests().len() < 3 {
        std::thread::sleep(Duration::from_millis(5));
    }
    drop(sb);
    let outcome = slow.join().unwrap();
    assert!(
        outcome.is_err() || outcome.as_ref().is_ok_and(|s| *s == 599),
        "{outcome:?}"
    );
}

#[test]
fn extra_headers_override_and_ride_on_normal_answers() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    let date = "Wed, 21 Oct 2026 07:28:00 GMT";
    sb.inject(
        "/v1/posts",
        Fault::rate_limited(5).header("Retry-After", date),
    );
    let r = post_x(&http, &sb, &[]);
    assert_eq!((r.status, r.header("retry-after")), (429, Some(date)));
    let fault =
        json!({"path": "/v1/posts", "headers": {"X-RateLimit-Reset": "2026-12-01T10:00:00Z"}});
    assert_eq!(
        http.send("POST", "/__sandbox/faults", &[], Some(&fault.to_string()))
            .status,
        201
    );
    let r = post_x(&http, &sb, &[]);
    assert_eq!(r.status, 200, "a headers-only fault serves the request");
    assert_eq!(r.header("x-ratelimit-reset"), Some("2026-12-01T10:00:00Z"));
    assert_eq!(sb.submissions().len(), 1);
    // No response splitting through a fault's header.
    sb.inject(
        "/v1/posts",
        Fault::default().header("X-Evil", "a\r\nSet-Cookie: x=1"),
    );
    let r = post_x(&http, &sb, &[]);
    assert_eq!(
        (r.status, r.header("x-evil"), r.header("set-cookie")),
        (200, None, None)
    );
}

#[test]
fn inject_refuses_a_status_no_http_answer_can_carry() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    for status in [0, 99, 600] {
        let err = sb
            .try_inject("/v1/posts", Fault::status(status, "internal_error"))
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("200 to 599"), "{err}");
    }
    let err = sb.try_inject("v1/posts", Fault::default()).unwrap_err();
    assert!(err.to_string().contains("must start with /"), "{err}");
    let sb = Arc::new(sb);
    let panicked = {
        let sb = Arc::clone(&sb);
        std::thread::spawn(move || sb.inject("/v1/posts", Fault::status(0, "internal_error")))
            .join()
    };
    assert!(panicked.is_err(), "inject panics on an invalid fault");
    // Nothing was queued: the next post is served normally.
    let r = post_x(&http, &sb, &[]);
    assert_eq!(r.status, 200, "{}", r.body);
    sb.try_inject("/v1/posts", Fault::status(599, "internal_error"))
        .unwrap();
    assert_eq!(post_x(&http, &sb, &[]).status, 599);
}

#[test]
fn a_retry_after_only_fault_rides_on_the_normal_answer() {
    let sb = Sandbox::start().unwrap();
    let http = Http::new(&sb);
    sb.inject("/v1/posts", Fault::default().retry_after(7));
    let r = post_x(&http, &sb, &[]);
    assert_eq!((r.status, r.header("retry-after")), (200, Some("7")));
    assert!(r.json()["postSubmissionId"].is_string());
    let fault = json!({"path": "/v1/posts", "retryAfter": 3});
    let queued = http.send("POST", "/__sandbox/faults", &[], Some(&fault.to_string()));
    assert_eq!(queued.status, 201);
    let r = post_x(&http, &sb, &[]);
    assert_eq!((r.status, r.header("retry-after")), (200, Some("3")));
    assert_eq!(sb.submissions().len(), 2);
    let r = post_x(&http, &sb, &[]);
    assert_eq!((r.status, r.header("retry-after")), (200, None), "used up");
}

#[test]
fn history_is_capped_to_the_most_recent_with_totals_in_stats() {
    let sb = Sandbox::builder().retained(3).start().unwrap();
    let http = Http::new(&sb);
    let post = |text: &str, key: &str| {
        http.post_with(
            "/v1/posts",
            sb.api_key(),
            &text_post(text, json!(["x"])),
            &[("Idempotency-Key", key)],
        )
    };
    let first = post("p0", "k0");
    assert_eq!(first.status, 200);
    for i in 1..5 {
        assert_eq!(post(&format!("p{i}"), &format!("k{i}")).status, 200);
    }
    let texts: Vec<Value> = sb
        .submissions()
        .iter()
        .map(|s| s["post"]["content"]["text"].clone())
        .collect();
    assert_eq!(texts, [json!("p2"), json!("p3"), json!("p4")]);
    assert_eq!(sb.requests().len(), 3);
    assert_eq!(sb.requests()[0].header("idempotency-key"), Some("k2"));
    // A recent key still replays; the oldest has been forgotten, so it is processed again.
    let replay = post("p4", "k4");
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    let again = post("p0", "k0");
    assert_eq!(again.header("idempotent-replayed"), None);
    assert_ne!(
        again.json()["postSubmissionId"],
        first.json()["postSubmissionId"]
    );
    let stats = http.send("GET", "/__sandbox/stats", &[], None).json();
    assert_eq!(
        (
            &stats["requests"],
            &stats["submissions"],
            &stats["idempotencyKeys"]
        ),
        (&json!(7), &json!(6), &json!(6))
    );
    assert_eq!(
        http.send("GET", "/__sandbox/submissions", &[], None)
            .json()
            .as_array()
            .map(Vec::len),
        Some(3)
    );
}
