//! The `soku-sandbox` binary: printed lines, flags, serving until killed.

mod common;

use common::{Http, text_post};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Running {
    child: Child,
    lines: Vec<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(args: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_soku-sandbox"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let lines = (0..6)
        .map(|_| {
            let mut line = String::new();
            out.read_line(&mut line).unwrap();
            line.trim_end().to_string()
        })
        .collect();
    Running { child, lines }
}

#[test]
fn prints_url_and_credentials_then_serves() {
    let sb = run(&["--port", "0", "--window-ms", "60000", "--limit", "posts=2"]);
    let l = &sb.lines;
    assert!(
        l[0].starts_with("http://127.0.0.1:") && !l[0].ends_with('/'),
        "{l:?}"
    );
    assert_eq!(
        l[1],
        format!("SOKU_API_KEY={}", soku_sandbox::DEFAULT_API_KEY)
    );
    assert_eq!(
        l[2],
        format!("SOKU_FIREBASE_TOKEN={}", soku_sandbox::FIREBASE_TOKEN)
    );
    assert_eq!(
        l[3],
        format!("SOKU_INACTIVE_API_KEY={}", soku_sandbox::INACTIVE_API_KEY)
    );
    assert_eq!(
        l[4],
        format!("SOKU_DEFAULT_KEY_ID={}", soku_sandbox::DEFAULT_KEY_ID)
    );
    assert_eq!(l[5], format!("SOKU_BASE_URL={}", l[0]));
    let http = Http::for_url(&l[0]);
    let key = l[1].strip_prefix("SOKU_API_KEY=").unwrap();
    let r = http.post(
        "/v1/posts",
        key,
        &text_post("from the binary", json!(["x"])),
    );
    assert_eq!((r.status, r.num_header("x-ratelimit-limit")), (200, 2));
    assert_eq!(
        http.post("/v1/posts", key, &text_post("2", json!(["x"])))
            .status,
        200
    );
    assert_eq!(
        http.post("/v1/posts", key, &text_post("3", json!(["x"])))
            .status,
        429
    );
    let stats = http.send("GET", "/__sandbox/stats", &[], None).json();
    assert_eq!(stats["submissions"], 2);
}

#[test]
fn no_rate_limits_flag() {
    let sb = run(&[
        "--port",
        "0",
        "--host",
        "127.0.0.1",
        "--no-rate-limits",
        "--limit",
        "posts=1",
    ]);
    let http = Http::for_url(&sb.lines[0]);
    for _ in 0..3 {
        let r = http.post(
            "/v1/posts",
            soku_sandbox::DEFAULT_API_KEY,
            &text_post("t", json!(["x"])),
        );
        assert_eq!(r.status, 200);
    }
}

#[test]
fn accounts_and_credits_flags() {
    let sb = run(&[
        "--port",
        "0",
        "--accounts",
        "youtube=",
        "--accounts",
        "x=x_a,x_b",
        "--credits",
        "1",
    ]);
    let http = Http::for_url(&sb.lines[0]);
    let key = soku_sandbox::DEFAULT_API_KEY;
    let r = http.post("/v1/posts", key, &text_post("t", json!(["youtube"])));
    assert_eq!(
        (r.status, r.code()),
        (400, "missing_integrations".to_string())
    );
    let r = http.post("/v1/posts", key, &text_post("t", json!(["x"])));
    assert_eq!((r.status, r.code()), (400, "missing_account".to_string()));
    let r = http.post(
        "/v1/posts",
        key,
        &text_post("t", json!([{"platform": "x", "accountId": "x_b"}])),
    );
    assert_eq!(r.status, 200);
    let t = |id| {
        http.post("/v1/ai/transcribe", key, &json!({"mediaId": id}))
            .status
    };
    assert_eq!((t("a"), t("b")), (200, 402));
}

#[test]
fn firebase_token_flag_adds_an_accepted_token() {
    let sb = run(&["--port", "0", "--firebase-token", "ci-token"]);
    assert_eq!(
        sb.lines[2],
        format!("SOKU_FIREBASE_TOKEN={}", soku_sandbox::FIREBASE_TOKEN)
    );
    let http = Http::for_url(&sb.lines[0]);
    let status = |token: &str| http.bearer("GET", "/v1/api-keys", token, None).status;
    assert_eq!(
        (
            status("ci-token"),
            status(soku_sandbox::FIREBASE_TOKEN),
            status("other")
        ),
        (200, 200, 401)
    );
}

#[test]
fn bad_arguments_exit_2_with_usage() {
    for args in [
        &["--port"][..],
        &["--port", "x"],
        &["--limit", "posts"],
        &["--limit", "nope=1"],
        &["--firebase-token"],
        &["--firebase-token", " "],
        &["--accounts", "x"],
        &["--bogus"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_soku-sandbox"))
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(stderr.starts_with("soku-sandbox: "), "{args:?}: {stderr}");
        assert!(stderr.contains("usage: soku-sandbox"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    // An unknown endpoint is reported by the library's builder, with its wording.
    let out = Command::new(env!("CARGO_BIN_EXE_soku-sandbox"))
        .args(["--limit", "nope=1"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("soku-sandbox: unknown rate-limit endpoint \"nope\" (known: posts,"),
        "{stderr}"
    );
}
