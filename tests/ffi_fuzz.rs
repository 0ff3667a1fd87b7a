//! Bounded, seeded fuzz tests of the C ABI: over every operation's JSON inputs, and over the
//! server's answers.
//!
//! The second test points every operation at a hostile HTTP server on loopback whose answers are
//! generated: odd or malformed status lines, rate-limit and retry headers far in the future or
//! garbage, wrong or missing lengths, broken chunking, truncated or binary bodies, and the
//! client's credential echoed in headers, keys and values. Every call must return a documented
//! status with JSON of the documented shape, never panic, and never return the credential
//! outside a success's own data.
//!
//! Inputs are generated from a small grammar (random JSON built from the API's own field names,
//! valid requests with one subtree replaced, and byte-level damage: truncation, invalid UTF-8),
//! sent through the C ABI to the sandbox, with a random fault (error status, 429, HTML, garbage,
//! dropped connection) queued before one call in four. Every call must return a documented
//! status and write JSON of the documented shape (`assert_shape`), and an `invalid_argument`
//! must mean that nothing was sent. A small generator instead of proptest: no new dependency, the run is
//! deterministic (seed printed on failure), and the grammar is what finds the interesting cases.
//!
//! `SOKU_FUZZ_SEED=<n>` and `SOKU_FUZZ_CASES=<n>` (per operation, default 200; the hostile-server
//! test runs a fifth of that, default 40) widen a local run.

mod ffi_common;

use ffi_common::*;
use serde_json::{Map, Value, json};
use soku::ffi::{SOKU_ERR_INVALID_ARGUMENT, SOKU_ERR_PANIC};
use soku_sandbox::{Fault, Sandbox};

/// xorshift64*: tiny, deterministic, good enough to pick grammar branches.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const KEYS: &[&str] = &[
    "post",
    "content",
    "text",
    "platform",
    "mediaType",
    "mediaUrls",
    "videoUrl",
    "imageUrls",
    "scheduledTime",
    "enableRepurposing",
    "trial_reel",
    "accountId",
    "url",
    "templateSlug",
    "config",
    "aspectRatio",
    "mediaId",
    "language",
    "model",
    "durationSeconds",
    "name",
    "id",
    "idempotencyKey",
    "firebaseToken",
    "timeoutMs",
    "maxRetries",
    "posts",
    "extra",
    "",
];

const STRINGS: &[&str] = &[
    "",
    "x",
    "threads",
    "instagram",
    "twitter",
    "video",
    "image",
    "text",
    "gif",
    "1:1",
    "9:16",
    "2:1",
    "https://example.com/a.png",
    "ftp://example.com/a",
    "not a url",
    "tweetImage",
    "2026-03-09T14:00:00.000Z",
    "2000-01-01T00:00:00Z",
    "yesterday",
    "whisper-1",
    "ig_main",
    "héllo wörld",
    "🦀",
    "\u{0}",
    "\"quoted\"",
    "back\\slash",
    "\n\t",
    "sk_live_fuzz",
];

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    let leaf = depth == 0 || rng.chance(45);
    match rng.below(if leaf { 5 } else { 7 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => match rng.below(5) {
            0 => json!(rng.below(100)),
            1 => json!(-(rng.below(1000) as i64)),
            2 => json!(1.5),
            3 => json!(u64::MAX),
            _ => json!(4_294_967_296u64),
        },
        3 | 4 => {
            if rng.chance(20) {
                Value::String("y".repeat(rng.below(5000)))
            } else {
                Value::String((*rng.pick(STRINGS)).to_owned())
            }
        }
        5 => Value::Array(
            (0..rng.below(4))
                .map(|_| random_value(rng, depth - 1))
                .collect(),
        ),
        _ => Value::Object(random_object(rng, depth - 1)),
    }
}

fn random_object(rng: &mut Rng, depth: usize) -> Map<String, Value> {
    (0..rng.below(5))
        .map(|_| ((*rng.pick(KEYS)).to_owned(), random_value(rng, depth)))
        .collect()
}

/// Replaces one random subtree of `v` with a random value.
fn mutate(rng: &mut Rng, v: &mut Value) {
    match v {
        Value::Object(map) if !map.is_empty() && rng.chance(70) => {
            let key = map.keys().nth(rng.below(map.len())).unwrap().clone();
            mutate(rng, map.get_mut(&key).unwrap());
        }
        Value::Array(items) if !items.is_empty() && rng.chance(70) => {
            let i = rng.below(items.len());
            mutate(rng, &mut items[i]);
        }
        Value::Object(map) if rng.chance(30) => {
            map.insert((*rng.pick(KEYS)).to_owned(), random_value(rng, 2));
        }
        _ => *v = random_value(rng, 2),
    }
}

/// Damages the bytes: truncation or invalid UTF-8 (C strings cannot hold NUL, so none is added).
fn damage(rng: &mut Rng, mut bytes: Vec<u8>) -> Vec<u8> {
    match rng.below(3) {
        0 => bytes.truncate(rng.below(bytes.len() + 1)),
        1 => {
            let at = rng.below(bytes.len() + 1);
            let bad: &[u8] =
                rng.pick::<&[u8]>(&[b"\xff", b"\xc3\x28", b"\xe2\x82", b"\xed\xa0\x80"]);
            bytes.splice(at..at, bad.iter().copied());
        }
        _ => {
            let at = rng.below(bytes.len() + 1);
            bytes.insert(at, *rng.pick(b"{}[],:\"\\"));
        }
    }
    bytes
}

/// One in four calls meets a fault on one of the endpoints: an error status, a 429, a proxy's
/// HTML page, garbage with 200, a dropped connection, or a 5xx after the request was applied.
fn random_fault(rng: &mut Rng) -> Option<(&'static str, Fault)> {
    if !rng.chance(25) {
        return None;
    }
    let path = *rng.pick(&[
        "/v1/posts",
        "/v1/media",
        "/v1/templates",
        "/v1/ai/transcribe",
        "/v1/api-keys",
    ]);
    let fault = match rng.below(8) {
        0 => Fault::status(500, "internal_error"),
        1 => Fault::status(503, "internal_error").after_processing(),
        2 => Fault::rate_limited(rng.below(2) as u64),
        3 => Fault::status(401, "unauthorized"),
        4 => Fault::status(400, "validation_error"),
        5 => Fault::raw_body(200, "<html>not json</html>"),
        6 => Fault::raw_body(502, "<html>bad gateway</html>"),
        _ => Fault::drop_connection(),
    };
    Some((path, fault.times(1 + rng.below(3) as u32)))
}

/// A request for an operation whose valid form is `valid`.
fn request(rng: &mut Rng, valid: Option<&str>) -> Option<Vec<u8>> {
    let valid: Value = serde_json::from_str(valid.unwrap_or("{}")).unwrap();
    match rng.below(10) {
        0 => None,
        1 | 2 => Some(random_value(rng, 4).to_string().into_bytes()),
        3 => Some(damage(rng, valid.to_string().into_bytes())),
        4 => Some(valid.to_string().into_bytes()),
        _ => {
            let mut v = valid;
            for _ in 0..=rng.below(2) {
                mutate(rng, &mut v);
            }
            Some(v.to_string().into_bytes())
        }
    }
    .map(|bytes| bytes.into_iter().filter(|&b| b != 0).collect())
}

fn options(rng: &mut Rng) -> Option<Vec<u8>> {
    match rng.below(6) {
        0..=2 => None,
        3 => Some(
            json!({"idempotencyKey": format!("fuzz-{}", rng.next())})
                .to_string()
                .into_bytes(),
        ),
        4 => Some(random_object(rng, 1).into_iter().collect::<Map<_, _>>())
            .map(|m| Value::Object(m).to_string().into_bytes()),
        _ => Some(damage(
            rng,
            br#"{"maxRetries": 1, "timeoutMs": 2000}"#.to_vec(),
        )),
    }
}

#[test]
fn every_operation_survives_generated_input() {
    let seed: u64 = std::env::var("SOKU_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x50_4B_55);
    let cases: usize = std::env::var("SOKU_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);

    let sb = Sandbox::builder()
        .rate_limits(false)
        .start()
        .expect("sandbox starts");
    let handle = client(&fast_config(sb.url(), sb.api_key(), sb.firebase_token()));

    let mut rng = Rng(seed | 1);
    let mut seen = std::collections::BTreeMap::<(&str, i32), usize>::new();
    for (name, op, valid) in operations() {
        for case in 0..cases {
            sb.reset();
            let fault = random_fault(&mut rng);
            if let Some((path, fault)) = &fault {
                sb.inject(path, fault.clone());
            }
            let req = request(&mut rng, valid);
            let opts = options(&mut rng);
            let context = || {
                format!(
                    "seed {seed} {name} case {case}: request {:?} options {:?} fault {fault:?}",
                    req.as_deref().map(String::from_utf8_lossy),
                    opts.as_deref().map(String::from_utf8_lossy),
                )
            };
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                call_raw(op, handle.ptr(), req.as_deref(), opts.as_deref())
            }));
            let Ok((status, json)) = outcome else {
                panic!("{}", context());
            };
            // A panic caught at the boundary is still a bug: generated input must never reach one.
            // The context holds only generated values (no client key or token).
            assert_ne!(
                status,
                SOKU_ERR_PANIC,
                "panic at the boundary: {json}\n{}",
                context()
            );
            if status == SOKU_ERR_INVALID_ARGUMENT {
                // Nothing with an effect: at most the rotation's read of the key list (a GET).
                let sent: Vec<String> = sb
                    .requests()
                    .into_iter()
                    .filter(|r| r.method != "GET")
                    .map(|r| r.path)
                    .collect();
                assert!(
                    sent.is_empty(),
                    "invalid_argument after sending {sent:?}: {json}\n{}",
                    context()
                );
            }
            *seen.entry((name, status)).or_default() += 1;
        }
    }
    // the grammar must reach past argument checking into every endpoint's answer
    for (name, _, _) in operations() {
        let outcomes: Vec<i32> = seen
            .keys()
            .filter(|(n, _)| *n == name)
            .map(|(_, s)| *s)
            .collect();
        assert!(outcomes.len() >= 2, "{name}: only {outcomes:?} in {seen:?}");
    }
    eprintln!("outcomes: {seen:?}");
}

/// The API key of the hostile-server run: the server echoes it in headers and bodies, and it
/// must never come back in any output.
const ECHOED_KEY: &str = "sk_live_FUZZ\"ECHO\\SECRET";

/// A raw HTTP/1.1 server on loopback that answers every request with the bytes of
/// `answer` (set per case), then closes the connection. Returns its URL.
fn hostile_server(answer: std::sync::Arc<std::sync::Mutex<Vec<u8>>>) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let answer = answer.lock().unwrap().clone();
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(2)));
                // Read the request head and a Content-Length body, then answer.
                let mut got = Vec::new();
                let mut buf = [0u8; 4096];
                while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                }
                let head_end = got.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                let head = String::from_utf8_lossy(&got[..head_end]).to_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                while got.len() < head_end + length {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = stream.write_all(&answer);
            });
        }
    });
    url
}

/// A random response body: JSON shaped like the API's answers (with the key echoed in places),
/// truncated JSON, HTML, binary garbage, or nothing.
fn hostile_body(rng: &mut Rng) -> Vec<u8> {
    let answer_keys = [
        "postSubmissionId",
        "url",
        "id",
        "apiKey",
        "apiKeys",
        "keys",
        "data",
        "jobId",
        "transcript",
        "creditsDebited",
        "likelyLyrics",
        "error",
        "code",
        "message",
        "details",
        "requestId",
        "type",
    ];
    let mut leaf = |rng: &mut Rng| -> Value {
        match rng.below(6) {
            0 => json!(ECHOED_KEY),
            1 => json!(format!("prefix {ECHOED_KEY} suffix")),
            2 => json!(rng.below(1000)),
            3 => Value::Null,
            4 => json!([ECHOED_KEY, 1, {"apiKey": ECHOED_KEY}]),
            _ => json!((*rng.pick(STRINGS)).to_owned()),
        }
    };
    let mut object = |rng: &mut Rng, depth: usize| -> Value {
        fn build(
            rng: &mut Rng,
            depth: usize,
            keys: &[&str],
            leaf: &mut dyn FnMut(&mut Rng) -> Value,
        ) -> Value {
            let mut map = Map::new();
            for _ in 0..rng.below(5) {
                let key = if rng.chance(10) {
                    ECHOED_KEY
                } else {
                    *rng.pick(keys)
                };
                let value = if depth > 0 && rng.chance(30) {
                    build(rng, depth - 1, keys, leaf)
                } else {
                    leaf(rng)
                };
                map.insert(key.to_owned(), value);
            }
            Value::Object(map)
        }
        build(rng, depth, &answer_keys, &mut leaf)
    };
    match rng.below(8) {
        0 => Vec::new(),
        1 => b"<html><body>502 Bad Gateway</body></html>".to_vec(),
        2 => (0..rng.below(300)).map(|_| rng.next() as u8).collect(),
        3 => {
            let mut text = object(rng, 2).to_string().into_bytes();
            text.truncate(rng.below(text.len() + 1));
            text
        }
        4 => json!({"error": object(rng, 1)}).to_string().into_bytes(),
        _ => object(rng, 2).to_string().into_bytes(),
    }
}

/// A random HTTP answer: odd statuses, hostile headers (rate-limit and retry hints from far in
/// the future or malformed, the key echoed in the request id), wrong or missing lengths,
/// broken chunking, a malformed status line, or nothing at all.
fn hostile_answer(rng: &mut Rng) -> Vec<u8> {
    let status = *rng.pick(&[
        200u16, 200, 201, 201, 204, 301, 400, 401, 404, 409, 429, 500, 503, 599, 999,
    ]);
    let body = hostile_body(rng);
    let mut head = match rng.below(20) {
        0 => return Vec::new(),
        1 => "HTTP/1.1 abc Broken\r\n".to_owned(),
        2 => "garbage\r\n".to_owned(),
        _ => format!("HTTP/1.1 {status} Whatever\r\n"),
    };
    let header_values = [
        (
            "content-type",
            vec!["application/json", "text/html", "\u{7f}"],
        ),
        ("x-request-id", vec!["req_1", ECHOED_KEY, "", "   "]),
        (
            "x-ratelimit-limit",
            vec!["30", "-1", "18446744073709551616", "x"],
        ),
        ("x-ratelimit-remaining", vec!["0", "0", "5", "-3", "lots"]),
        (
            "x-ratelimit-reset",
            vec![
                "4102444800",
                "18446744073709551615",
                "1",
                "30",
                "2999-01-01T00:00:00Z",
                "soon",
            ],
        ),
        ("x-ratelimit-tier", vec!["pro", ECHOED_KEY]),
        (
            "retry-after",
            vec![
                "0",
                "1",
                "86400",
                "99999999999999999999",
                "Wed, 21 Oct 2099 07:28:00 GMT",
                "never",
            ],
        ),
        ("location", vec!["http://evil.example/steal", "/v1/posts"]),
    ];
    for (name, values) in &header_values {
        if rng.chance(35) {
            head.push_str(&format!("{name}: {}\r\n", rng.pick(values)));
        }
    }
    match rng.below(10) {
        // Chunked, sometimes with a broken chunk size.
        0 => {
            head.push_str("transfer-encoding: chunked\r\n\r\n");
            let size = if rng.chance(50) {
                format!("{:x}", body.len())
            } else {
                "zz".to_owned()
            };
            let mut out = head.into_bytes();
            out.extend_from_slice(format!("{size}\r\n").as_bytes());
            out.extend_from_slice(&body);
            out.extend_from_slice(b"\r\n0\r\n\r\n");
            return out;
        }
        // A length that promises more than is sent (the client waits until its timeout).
        1 if rng.chance(30) => head.push_str(&format!("content-length: {}\r\n", body.len() + 10)),
        // A length shorter than the body.
        2 => head.push_str(&format!("content-length: {}\r\n", body.len() / 2)),
        // No length: the body ends when the connection closes.
        3 => {}
        _ => head.push_str(&format!("content-length: {}\r\n", body.len())),
    }
    head.push_str("connection: close\r\n\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(&body);
    out
}

#[test]
fn every_operation_survives_hostile_server_answers() {
    let seed: u64 = std::env::var("SOKU_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x48_4F_53);
    let cases: usize = std::env::var("SOKU_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(40, |n: usize| n.div_ceil(5).max(1));

    let answer = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let url = hostile_server(answer.clone());
    // Short bounds keep every case quick: one retry, 20 ms waits, 300 ms per attempt.
    let config = json!({
        "baseUrl": url, "apiKey": ECHOED_KEY, "firebaseToken": ECHOED_KEY, "maxRetries": 1,
        "backoffBaseMs": 1, "maxRetryWaitMs": 20, "timeoutMs": 300, "connectTimeoutMs": 300,
    });
    let handle = client(&config.to_string());
    let mut rng = Rng(seed | 1);
    let mut seen = std::collections::BTreeMap::<(&str, i32), usize>::new();
    for (name, op, valid) in operations() {
        for case in 0..cases {
            let bytes = hostile_answer(&mut rng);
            *answer.lock().unwrap() = bytes.clone();
            let context = || {
                format!(
                    "seed {seed} {name} case {case}: answer {:?}",
                    String::from_utf8_lossy(&bytes)
                )
            };
            let request = valid.map(str::as_bytes);
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                call_raw(op, handle.ptr(), request, None)
            }));
            let Ok((status, json)) = outcome else {
                panic!("{}", context());
            };
            assert_ne!(status, SOKU_ERR_PANIC, "{json}\n{}", context());
            // A success's data is the server's own payload, returned as sent (a created key is
            // data); everything the library writes itself, errors and meta, must be clean.
            let text = if status == soku::ffi::SOKU_OK {
                json["meta"].to_string()
            } else {
                json.to_string()
            };
            for leak in ["FUZZ", "ECHO", "SECRET"] {
                assert!(!text.contains(leak), "{leak} leaked: {text}\n{}", context());
            }
            *seen.entry((name, status)).or_default() += 1;
        }
    }
    // The answers reach every outcome class somewhere: success, api, decode, transport/timeout.
    let statuses: std::collections::BTreeSet<i32> = seen.keys().map(|(_, s)| *s).collect();
    for s in [
        soku::ffi::SOKU_OK,
        soku::ffi::SOKU_ERR_API,
        soku::ffi::SOKU_ERR_DECODE,
    ] {
        assert!(statuses.contains(&s), "status {s} never seen: {seen:?}");
    }
    eprintln!("outcomes: {seen:?}");
}
