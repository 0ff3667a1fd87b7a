//! `soku sandbox`: the sandbox in the foreground with the flags of `soku-sandbox`, its start-up
//! output (lines or `--json`), and a clean stop on SIGINT, SIGTERM and the end of stdin.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::process::{Child, ChildStdin, Command, Stdio};

use common::{SECRETS, pairs, run_with, send_signal, wait_for};
use serde_json::Value;

/// A running `soku sandbox`, killed when dropped (a failing test leaves no process).
struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `soku sandbox ARGS…` and returns it with its first stdout line.
fn start(args: &[&str]) -> (Running, String, BufReader<std::process::ChildStdout>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_soku"))
        .arg("sandbox")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn soku sandbox");
    let stdin = child.stdin.take();
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    out.read_line(&mut first).expect("read the first line");
    (Running { child, stdin }, first, out)
}

/// The exit status, once the process ended (within 20 s).
fn exit_code(r: &mut Running) -> Option<i32> {
    let mut status = None;
    wait_for("soku sandbox to exit", || {
        status = r.child.try_wait().expect("try_wait");
        status.is_some()
    });
    status.and_then(|s| s.code())
}

/// One request to the sandbox over a fresh connection (`Connection: close`); the status and
/// the body.
fn call(url: &str, method: &str, path: &str, key: Option<&str>, body: &str) -> (u16, String) {
    use std::io::Write;
    let mut tcp = TcpStream::connect(url.trim_start_matches("http://")).expect("connect");
    let auth = key.map_or(String::new(), |k| format!("soku-api-key: {k}\r\n"));
    write!(
        tcp,
        "{method} {path} HTTP/1.1\r\nHost: sandbox\r\n{auth}Content-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).expect("read");
    let status = answer
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {answer}"));
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, body.to_owned())
}

const POST: &str = r#"{"post":{"content":{"text":"hi","platform":["x"]}}}"#;

#[test]
fn json_prints_one_object_serves_and_sigterm_stops_cleanly() {
    let (mut r, first, _) = start(&["--json", "--port", "0", "--limit", "posts=1"]);
    let doc: Value = serde_json::from_str(first.trim()).expect("one JSON object on one line");
    let url = doc["url"].as_str().expect("url").to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{doc}");
    assert_eq!(doc["baseUrl"], doc["url"]);
    assert_eq!(doc["apiKey"], SECRETS[0]);
    assert_eq!(doc["firebaseToken"], SECRETS[1]);
    assert_eq!(doc["controlUrl"], format!("{url}/__sandbox"));
    assert_eq!(doc["pid"], r.child.id());
    let key = doc["apiKey"].as_str().unwrap();

    // The flags of soku-sandbox apply: --limit posts=1 makes the second post a 429.
    assert_eq!(call(&url, "POST", "/v1/posts", Some(key), POST).0, 200);
    let (status, body) = call(&url, "POST", "/v1/posts", Some(key), POST);
    assert_eq!(status, 429, "{body}");
    let (status, subs) = call(&url, "GET", "/__sandbox/submissions", None, "");
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Vec<Value>>(&subs).unwrap().len(), 1);

    wait_for("the signal handlers", || {
        common::catches_int_and_term(r.child.id())
    });
    send_signal(r.child.id(), "TERM");
    assert_eq!(exit_code(&mut r), Some(0), "SIGTERM ends it with status 0");
    let addr = url.trim_start_matches("http://");
    assert!(
        TcpStream::connect(addr).is_err(),
        "the port is closed after the stop"
    );
}

#[test]
fn lines_like_soku_sandbox_and_sigint_stops_cleanly() {
    let (mut r, first, mut out) = start(&["--port", "0", "--no-rate-limits"]);
    let url = first.trim().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{first}");
    let mut rest = String::new();
    for _ in 0..5 {
        out.read_line(&mut rest).expect("a line");
    }
    assert_eq!(
        rest,
        format!(
            "SOKU_API_KEY={}\nSOKU_FIREBASE_TOKEN={}\n\
             SOKU_INACTIVE_API_KEY=sk_live_sandbox_inactive_000000000000000000000\n\
             SOKU_DEFAULT_KEY_ID=key_sandbox_default\nSOKU_BASE_URL={url}\n",
            SECRETS[0], SECRETS[1]
        )
    );
    wait_for("the signal handlers", || {
        common::catches_int_and_term(r.child.id())
    });
    send_signal(r.child.id(), "INT");
    assert_eq!(exit_code(&mut r), Some(0), "SIGINT ends it with status 0");
    let mut tail = String::new();
    out.read_to_string(&mut tail).expect("stdout ends");
    assert_eq!(tail, "", "nothing printed after the start-up lines");
}

#[test]
fn a_signal_sent_as_soon_as_the_line_is_read_stops_it_cleanly() {
    // The handlers are installed before the line is printed: no window in which the default
    // action (death by the signal) applies.
    for (i, sig) in ["TERM", "INT"].iter().cycle().take(20).enumerate() {
        let (mut r, first, _) = start(&["--json"]);
        assert!(first.starts_with('{'), "{first}");
        send_signal(r.child.id(), sig);
        assert_eq!(exit_code(&mut r), Some(0), "run {i}: SIG{sig}");
    }
}

#[test]
fn exit_on_stdin_close_stops_when_the_parent_closes_the_pipe() {
    let (mut r, first, _) = start(&["--json", "--exit-on-stdin-close"]);
    let doc: Value = serde_json::from_str(first.trim()).expect("JSON");
    let url = doc["url"].as_str().unwrap().to_owned();
    assert_eq!(call(&url, "GET", "/__sandbox/stats", None, "").0, 200);
    drop(r.stdin.take());
    assert_eq!(exit_code(&mut r), Some(0));
    assert!(TcpStream::connect(url.trim_start_matches("http://")).is_err());
}

#[test]
fn without_the_flag_the_end_of_stdin_does_not_stop_it() {
    let (mut r, first, _) = start(&["--json"]);
    let doc: Value = serde_json::from_str(first.trim()).expect("JSON");
    drop(r.stdin.take());
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(r.child.try_wait().unwrap().is_none(), "it still serves");
    let url = doc["url"].as_str().unwrap();
    assert_eq!(call(url, "GET", "/__sandbox/stats", None, "").0, 200);
}

#[test]
fn bad_flags_exit_2_with_the_usage_of_soku_sandbox() {
    for args in [
        &["sandbox", "--bogus"][..],
        &["sandbox", "--port"],
        &["sandbox", "--limit", "nope=3"],
        &["sandbox", "--firebase-token", " "],
    ] {
        let out = run_with(&pairs(&[]), args, None).expect(2);
        assert!(
            out.stderr.starts_with("soku sandbox: "),
            "{args:?}: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains("usage: soku sandbox [--port N]"),
            "{}",
            out.stderr
        );
        assert_eq!(out.stdout, "");
    }
    let help = run_with(&pairs(&[]), &["sandbox", "--help"], None).expect(0);
    assert!(help.stdout.contains("--json") && help.stdout.contains("--exit-on-stdin-close"));
}
