//! `soku batch` interrupted at every point (SIGINT before the first post, during the wait for
//! the rate-limit window, during the last post; SIGTERM; SIGKILL), then resumed with the command
//! it documents: the sandbox accepts each post exactly once, and what the interrupted run
//! printed matches what the sandbox saw.

mod common;

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Run, SECRETS, catches_int_and_term, env_of, run_with, send_signal, wait_for};
use serde_json::{Value, json};
use soku_sandbox::{Fault, RecordedRequest, Sandbox};

fn post(i: usize) -> Value {
    json!({"post": {"content": {"text": format!("interrupted {i}"), "mediaType": "text", "platform": ["x"]}}})
}

fn jsonl(n: usize) -> String {
    (0..n).map(|i| post(i).to_string() + "\n").collect()
}

/// A batch file of `n` posts in a fresh directory.
fn batch_file(name: &str, n: usize) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("soku-cli-int-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("posts.jsonl");
    std::fs::write(&file, jsonl(n)).unwrap();
    file
}

/// Starts `soku args…` against `sb` (JSON output), stdin piped.
fn spawn(sb: &Sandbox, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_soku"))
        .args(args)
        .env_clear()
        .envs(env_of(sb))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn soku")
}

fn signal_child(child: &Child, name: &str) {
    send_signal(child.id(), name);
}

fn finish(child: Child) -> Run {
    let out = child.wait_with_output().expect("wait for soku");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    for secret in SECRETS {
        assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret));
    }
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

fn post_requests(sb: &Sandbox) -> Vec<RecordedRequest> {
    sb.requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/v1/posts")
        .collect()
}

/// The batch key from the first stderr line (`soku: batch key K (…`).
fn batch_key(run: &Run) -> String {
    let first = run.stderr.lines().next().unwrap_or_default();
    first
        .strip_prefix("soku: batch key ")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("no batch key line: {}", run.stderr))
        .to_string()
}

/// The arguments of the printed resume command (`soku: resume: soku batch … (…)`).
fn resume_args(run: &Run) -> Vec<String> {
    let line = run
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("soku: resume: soku "))
        .unwrap_or_else(|| panic!("no resume line: {}", run.stderr));
    let cmd = line.split(" (").next().unwrap();
    cmd.split(' ').map(str::to_string).collect()
}

/// Checks an interrupted run's record against the sandbox: the posts it reports published are
/// exactly the posts the sandbox received, in order, each with the idempotency key printed
/// for it; the rest are reported not sent. Returns the printed ids.
fn check_record(run: &Run, sb: &Sandbox, total: usize, sent: usize, signal: &str) -> Vec<String> {
    let key = batch_key(run);
    let doc = run.json();
    let data = &doc["data"];
    assert_eq!(data["interrupted"], signal);
    assert_eq!(data["cancelled"], true);
    assert_eq!(
        data["summary"],
        json!({"total": total, "succeeded": sent, "failed": 0})
    );
    let not_sent: Vec<usize> = (sent..total).collect();
    assert_eq!(data["notSent"], json!(not_sent));
    let results = data["results"].as_array().unwrap();
    assert_eq!(results.len(), sent);

    let seen = post_requests(sb);
    assert_eq!(
        seen.len(),
        sent,
        "the sandbox saw exactly the posts reported sent"
    );
    let mut ids = Vec::new();
    for (i, (item, req)) in results.iter().zip(&seen).enumerate() {
        let item_key = format!("{key}-{i}");
        assert_eq!(item["meta"]["idempotencyKey"], item_key.as_str());
        assert_eq!(req.header("idempotency-key"), Some(item_key.as_str()));
        assert_eq!(req.json(), Some(post(i)));
        let id = item["postSubmissionId"].as_str().unwrap().to_string();
        let line = format!("soku: published #{i} {id} (idempotency key {item_key})");
        assert!(run.stderr.contains(&line), "{line} in {}", run.stderr);
        ids.push(id);
    }
    let head = format!(
        "soku: interrupted by {signal}: {sent} of {total} post(s) published, 0 failed, {} not sent",
        total - sent
    );
    assert!(run.stderr.contains(&head), "{head} in {}", run.stderr);
    if sent < total {
        assert!(run.stderr.contains("soku: not sent: #"), "{}", run.stderr);
    }
    assert_eq!(sb.submissions().len(), sent);
    ids
}

/// Runs `soku args…` (stdin `input`) to completion and checks that afterwards the sandbox has
/// accepted each of the `n` posts exactly once, the first `ids` being replays of the earlier
/// answers (same postSubmissionId).
fn resume_and_check(sb: &Sandbox, args: &[String], input: Option<&str>, n: usize, ids: &[String]) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = run_with(&env_of(sb), &args, input).expect(0);
    let data = &run.json()["data"];
    assert_eq!(
        data["summary"],
        json!({"total": n, "succeeded": n, "failed": 0})
    );
    assert_eq!(data["interrupted"], Value::Null);
    assert_eq!(data["notSent"], json!([]));
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(
            data["results"][i]["postSubmissionId"],
            id.as_str(),
            "post {i} replayed, not published again"
        );
    }
    let texts: Vec<Value> = sb
        .submissions()
        .iter()
        .map(|b| b["post"]["content"]["text"].clone())
        .collect();
    let expected: Vec<Value> = (0..n).map(|i| json!(format!("interrupted {i}"))).collect();
    assert_eq!(texts, expected, "each post accepted exactly once");
}

#[test]
fn sigint_before_the_batch_starts_ends_it_at_once_then_a_plain_rerun_publishes_each_once() {
    let sb = Sandbox::start().unwrap();
    let mut child = spawn(&sb, &["batch", "-"]);
    wait_for("the signal handlers", || catches_int_and_term(child.id()));
    // The input is still open (a terminal that never sends end-of-file): Ctrl-C must still end
    // the command, at once, having sent nothing.
    signal_child(&child, "INT");
    let stdin = child.stdin.take().unwrap();
    let run = finish(child);
    drop(stdin);
    assert_eq!(run.code, 130, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "soku: interrupted by SIGINT before the batch started: nothing was sent\n"
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(sb.requests().is_empty());
    resume_and_check(&sb, &["batch".into(), "-".into()], Some(&jsonl(3)), 3, &[]);
}

#[test]
fn sigint_during_the_rate_limit_wait_stops_at_once_then_a_plain_rerun_resumes() {
    let sb = Sandbox::builder()
        .limit("posts", 2)
        .window(Duration::from_secs(3))
        .start()
        .unwrap();
    let file = batch_file("wait", 5);
    let path = file.to_str().unwrap();
    let child = spawn(&sb, &["batch", path]);
    wait_for("two posts", || post_requests(&sb).len() == 2);
    std::thread::sleep(Duration::from_millis(300)); // now waiting ~3 s for the window
    let sent_at = Instant::now();
    signal_child(&child, "INT");
    let run = finish(child);
    assert_eq!(run.code, 130, "{}", run.stderr);
    // The wait is interrupted within the library's 100 ms poll (bound with margin).
    assert!(
        sent_at.elapsed() < Duration::from_secs(2),
        "{:?}",
        sent_at.elapsed()
    );
    let ids = check_record(&run, &sb, 5, 2, "SIGINT");
    assert!(
        run.stderr.contains("soku: not sent: #2, #3, #4"),
        "{}",
        run.stderr
    );
    assert_eq!(
        resume_args(&run),
        ["batch", path, "--idempotency-key", &batch_key(&run)]
    );
    // The documented plain re-run: the same command, the key derived from the same posts.
    resume_and_check(&sb, &["batch".into(), path.into()], None, 5, &ids);
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
}

#[test]
fn sigterm_during_the_wait_exits_143_and_the_printed_resume_command_resumes() {
    let sb = Sandbox::builder()
        .limit("posts", 1)
        .window(Duration::from_secs(3))
        .start()
        .unwrap();
    let file = batch_file("term", 3);
    let path = file.to_str().unwrap();
    // A random batch key: only the printed command can resume it.
    let child = spawn(&sb, &["batch", path, "--new-batch-key"]);
    wait_for("one post", || post_requests(&sb).len() == 1);
    std::thread::sleep(Duration::from_millis(300));
    signal_child(&child, "TERM");
    let run = finish(child);
    assert_eq!(run.code, 143, "{}", run.stderr);
    let ids = check_record(&run, &sb, 3, 1, "SIGTERM");
    let key = batch_key(&run);
    assert!(key.starts_with("batch-") && key.len() == 38, "{key}");
    let args = resume_args(&run);
    assert_eq!(args, ["batch", path, "--idempotency-key", key.as_str()]);
    resume_and_check(&sb, &args, None, 3, &ids);
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
}

#[test]
fn sigint_during_the_last_post_lets_it_finish_and_the_batch_is_complete() {
    let sb = Sandbox::start().unwrap();
    // Every post takes 500 ms on the server, so the signal lands while the last is in flight.
    sb.inject(
        "/v1/posts",
        Fault::delay(Duration::from_millis(500)).times(3),
    );
    let mut child = spawn(&sb, &["batch", "-", "--human"]);
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(jsonl(3).as_bytes()).unwrap();
    drop(stdin);
    wait_for("the last post", || post_requests(&sb).len() == 3);
    signal_child(&child, "INT");
    let run = finish(child);
    // Nothing was left to stop: the batch's own status, with a note.
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("soku: SIGINT received during the last post: the batch is complete"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.starts_with("batch: 3 ok, 0 failed of 3"),
        "{}",
        run.stdout
    );
    assert_eq!(sb.submissions().len(), 3);
    // Running it again replays all three: still three submissions.
    let run = run_with(&env_of(&sb), &["batch", "-"], Some(&jsonl(3))).expect(0);
    assert_eq!(run.json()["data"]["summary"]["succeeded"], 3);
    assert_eq!(sb.submissions().len(), 3);
    assert_eq!(
        post_requests(&sb).len(),
        6,
        "three posts, then three replays"
    );
}

#[test]
fn sigkill_mid_batch_prints_nothing_but_a_plain_rerun_publishes_each_once() {
    let sb = Sandbox::builder()
        .limit("posts", 2)
        .window(Duration::from_secs(3))
        .start()
        .unwrap();
    let file = batch_file("kill", 4);
    let path = file.to_str().unwrap();
    let child = spawn(&sb, &["batch", path]);
    wait_for("two posts", || post_requests(&sb).len() == 2);
    std::thread::sleep(Duration::from_millis(200));
    signal_child(&child, "KILL");
    let out = child.wait_with_output().unwrap();
    assert!(out.stdout.is_empty());
    assert_eq!(sb.submissions().len(), 2);
    // The ids the killed run never printed: the sandbox replays them to the re-run.
    resume_and_check(&sb, &["batch".into(), path.into()], None, 4, &[]);
    // Every request (2 before the kill; then replays, a 429 retried if the window was still
    // full, and the new posts) carried post i's body under the key `<batch key>-i`: 4 keys.
    let mut keys = std::collections::BTreeSet::new();
    for r in post_requests(&sb) {
        let key = r.header("idempotency-key").unwrap().to_string();
        let (base, i) = key.rsplit_once('-').unwrap();
        assert_eq!(r.json(), Some(post(i.parse().unwrap())), "{key}");
        assert!(base.starts_with("batch-"), "{key}");
        keys.insert(key);
    }
    assert_eq!(keys.len(), 4, "{keys:?}");
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
}
