//! A bounded, seeded fuzz test over every operation's JSON inputs.
//!
//! Inputs are generated from a small grammar (random JSON built from the API's own field names,
//! valid requests with one subtree replaced, and byte-level damage: truncation, invalid UTF-8),
//! sent through the C ABI to the sandbox, with a random fault (error status, 429, HTML, garbage,
//! dropped connection) queued before one call in four. Every call must return a documented
//! status and write JSON of the documented shape (`assert_shape`), and an `invalid_argument`
//! must mean that nothing was sent. A small generator instead of proptest: no new dependency, the run is
//! deterministic (seed printed on failure), and the grammar is what finds the interesting cases.
//!
//! `SOKU_FUZZ_SEED=<n>` and `SOKU_FUZZ_CASES=<n>` (per operation, default 200) widen a local run.

mod ffi_common;

use ffi_common::*;
use serde_json::{Map, Value, json};
use soku::ffi::SOKU_ERR_INVALID_ARGUMENT;
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
            if status == SOKU_ERR_INVALID_ARGUMENT {
                let sent: Vec<String> = sb.requests().into_iter().map(|r| r.path).collect();
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
