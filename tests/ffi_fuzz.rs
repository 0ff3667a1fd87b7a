//! A bounded, seeded fuzz test over every operation's JSON inputs.
//!
//! Inputs are generated from a small grammar (random JSON built from the API's own field names,
//! valid requests with one subtree replaced, and byte-level damage: truncation, invalid UTF-8),
//! sent through the C ABI to a mockito server whose endpoints answer success, API errors, 429s,
//! garbage or 204. Every call must return a documented status and write JSON of the documented
//! shape (`assert_shape`). A small generator instead of proptest: no new dependency, the run is
//! deterministic (seed printed on failure), and the grammar is what finds the interesting cases.
//!
//! `SOKU_FUZZ_SEED=<n>` and `SOKU_FUZZ_CASES=<n>` (per operation, default 200) widen a local run.

mod ffi_common;

use ffi_common::*;
use serde_json::{Map, Value, json};

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

    let mut server = mockito::Server::new();
    let json_reply = |status: usize, body: &str| (status, body.to_owned());
    let replies = [
        (
            "POST",
            "/v1/posts",
            json_reply(201, r#"{"postSubmissionId": "sub_fuzz", "extra": [1]}"#),
        ),
        (
            "POST",
            "/v1/media",
            json_reply(
                500,
                r#"{"error": {"code": "internal_error", "message": "boom", "requestId": "req_m"}}"#,
            ),
        ),
        (
            "POST",
            "/v1/templates",
            json_reply(200, "<html>not json</html>"),
        ),
        (
            "POST",
            "/v1/ai/transcribe",
            json_reply(
                429,
                r#"{"error": {"code": "rate_limit_exceeded", "message": "slow down"}}"#,
            ),
        ),
        (
            "POST",
            "/v1/api-keys",
            json_reply(201, r#"{"apiKey": "sk_live_fuzzkey", "id": "key_1"}"#),
        ),
        (
            "GET",
            "/v1/api-keys",
            json_reply(200, r#"[{"id": "key_1"}]"#),
        ),
    ];
    let _mocks: Vec<_> = replies
        .iter()
        .map(|(method, path, (status, body))| {
            server
                .mock(method, *path)
                .with_status(*status)
                .with_header("retry-after", "0")
                .with_body(body)
                .expect_at_least(0)
                .create()
        })
        .collect();
    let _revoke = server
        .mock("DELETE", mockito::Matcher::Regex("^/v1/api-keys/".into()))
        .with_status(204)
        .create();
    let handle = client(&fast_config(&server.url(), "sk_live_fuzz", "tok"));

    let mut rng = Rng(seed | 1);
    let mut seen = std::collections::BTreeMap::<(&str, i32), usize>::new();
    for (name, op, valid) in operations() {
        for case in 0..cases {
            let req = request(&mut rng, valid);
            let opts = options(&mut rng);
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                call_raw(op, handle.ptr(), req.as_deref(), opts.as_deref())
            }));
            match outcome {
                Ok((status, _)) => *seen.entry((name, status)).or_default() += 1,
                Err(_) => panic!(
                    "seed {seed} {name} case {case}: request {:?} options {:?}",
                    req.as_deref().map(String::from_utf8_lossy),
                    opts.as_deref().map(String::from_utf8_lossy)
                ),
            }
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
