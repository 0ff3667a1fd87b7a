//! `soku batch`: input forms, pacing under the rate limit, failures, progress output.

mod common;

use std::time::Duration;

use common::{env_of, run_with, soku};
use serde_json::{Value, json};
use soku_sandbox::Sandbox;

fn post(i: usize) -> Value {
    json!({"post": {"content": {"text": format!("post {i}"), "mediaType": "text", "platform": ["x"]}}})
}

#[test]
fn forty_posts_over_a_limit_of_thirty_get_no_429() {
    let sb = Sandbox::builder()
        .limit("posts", 30)
        .window(Duration::from_secs(5)) // long enough that 30 posts fit in one window on a loaded machine
        .start()
        .unwrap();
    let lines: Vec<String> = (0..40).map(|i| post(i).to_string()).collect();
    let out = run_with(&env_of(&sb), &["batch", "-"], Some(&lines.join("\n"))).expect(0);
    let doc = out.json();
    assert_eq!(
        doc["data"]["summary"],
        json!({"total": 40, "succeeded": 40, "failed": 0})
    );
    // Exactly 40 requests: a 429 would have been retried, adding requests.
    let reqs = sb.requests();
    assert_eq!(reqs.len(), 40);
    let results = doc["data"]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .all(|r| r["meta"]["attempts"] == 1 && r["meta"]["status"] == 200)
    );
    assert!(
        results[30]["pacedMs"].as_u64().unwrap() > 0,
        "post 30 waited for the window"
    );
    // Sent in input order with the bodies as given.
    for (i, r) in reqs.iter().enumerate() {
        assert_eq!(r.json(), Some(post(i)));
    }
    // Piped stderr: no progress bar, only the batch key (derived from the posts), which every
    // post's key extends.
    let key = results[0]["meta"]["idempotencyKey"].as_str().unwrap();
    let base = key.strip_suffix("-0").unwrap();
    assert_eq!(
        out.stderr,
        format!(
            "soku: batch key {base} (from the posts): running this command again publishes nothing twice\n"
        )
    );
    assert!(base.starts_with("batch-") && base.len() == 38, "{base}");
    for (i, r) in reqs.iter().enumerate() {
        assert_eq!(
            r.header("idempotency-key").map(str::to_owned),
            Some(format!("{base}-{i}"))
        );
    }
}

#[test]
fn input_forms_keys_and_partial_failure() {
    let sb = Sandbox::start().unwrap();
    let dir = std::env::temp_dir().join(format!("soku-cli-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let array = dir.join("posts.json");
    std::fs::write(&array, json!([post(0), post(1)]).to_string()).unwrap();
    let wrapped = dir.join("batch.json");
    std::fs::write(&wrapped, json!({"posts": [post(2)]}).to_string()).unwrap();

    soku(
        &sb,
        &["batch", array.to_str().unwrap(), "--idempotency-key", "b"],
    )
    .expect(0);
    soku(&sb, &["batch", wrapped.to_str().unwrap()]).expect(0);
    let reqs = sb.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[0].header("idempotency-key"), Some("b-0"));
    assert_eq!(reqs[1].header("idempotency-key"), Some("b-1"));
    assert_eq!(reqs[2].json(), Some(post(2)));

    // One bad post (missing_account) does not stop the batch; exit 1, each failure reported.
    sb.reset();
    let bad = json!({"post": {"content": {"text": "ig", "platform": ["instagram"]}}});
    let input = format!("{}\n{}\n{}", post(0), bad, post(2));
    let env = env_of(&sb);
    let out = run_with(&env, &["batch", "-", "--human"], Some(&input)).expect(1);
    assert!(
        out.stdout.starts_with("batch: 2 ok, 1 failed of 3"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("1 failed: missing_account"),
        "{}",
        out.stdout
    );
    assert_eq!(sb.submissions().len(), 2);

    // Malformed input: nothing is sent.
    sb.reset();
    run_with(&env, &["batch", "-"], Some("[1, 2]")).expect(2);
    run_with(&env, &["batch", "-"], Some("{\"post\": ")).expect(2);
    run_with(
        &env,
        &["batch", dir.join("missing.json").to_str().unwrap()],
        None,
    )
    .expect(2);
    assert!(sb.requests().is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn on_a_terminal_a_progress_bar_and_the_summary() {
    // `script` (util-linux, in every Debian) gives the command a pseudo-terminal.
    let dir = std::env::temp_dir().join(format!("soku-cli-tty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("posts.jsonl");
    let lines: Vec<String> = (0..3).map(|i| post(i).to_string()).collect();
    std::fs::write(&file, lines.join("\n")).unwrap();
    let cmd = format!(
        "{} --sandbox batch {}",
        env!("CARGO_BIN_EXE_soku"),
        file.display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env_clear()
        .env("SHELL", "/bin/sh")
        .env("PATH", "/usr/bin:/bin")
        .env("TERM", "xterm")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run script");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("] 2/3 2 ok, 0 failed"),
        "no progress bar: {text}"
    );
    assert!(
        text.contains("batch: 3 ok, 0 failed of 3"),
        "no summary: {text}"
    );
    assert!(text.contains("rate limit 27/30 left"), "{text}");
    assert!(!text.contains("\"data\""), "JSON on a terminal: {text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
