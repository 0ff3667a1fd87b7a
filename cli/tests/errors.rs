//! One exit status per error kind, driven by the sandbox's fault injection.

mod common;

use std::time::Duration;

use common::{run_with, soku};
use soku_sandbox::{Fault, Sandbox};

/// Posts `Hi` to X with no retries; returns the run after checking its exit status.
fn post(sb: &Sandbox, extra: &[&str], code: i32) -> common::Run {
    let mut args = vec!["post", "Hi", "-p", "x", "--max-retries", "0"];
    args.extend(extra);
    soku(sb, &args).expect(code)
}

#[test]
fn exit_status_per_error_kind() {
    let sb = Sandbox::start().unwrap();

    // 2: invalid argument (clap usage error, bad input, client-side validation); nothing sent.
    soku(&sb, &["post"]).expect(2);
    soku(&sb, &["post", "Hi", "-p", "x", "--timeout", "soon"]).expect(2);
    soku(
        &sb,
        &["template", "render", "tweetImage", "--set", "novalue"],
    )
    .expect(2);
    soku(&sb, &["post", "Hi", "-p", "x", "--image", "ftp://a/b.png"]).expect(2);
    soku(&sb, &["batch", "-"]).expect(2);
    assert!(sb.requests().is_empty());

    // 3: configuration.
    let env = vec![
        (
            "SOKU_BASE_URL".to_string(),
            "http://example.com".to_string(),
        ),
        ("SOKU_API_KEY".to_string(), sb.api_key().to_string()),
    ];
    let out = run_with(&env, &["post", "Hi", "-p", "x"], None).expect(3);
    assert!(out.stderr.contains("invalid base url"), "{}", out.stderr);

    // 4: API 4xx; also a revoked or unknown key (401).
    let out = soku(&sb, &["post", "Hi", "-p", "instagram"]).expect(4);
    assert_eq!(out.json()["error"]["status"], 400);
    let env = vec![
        ("SOKU_BASE_URL".to_string(), sb.url().to_string()),
        ("SOKU_API_KEY".to_string(), "sk_live_unknown".to_string()),
    ];
    let out = run_with(&env, &["post", "Hi", "-p", "x"], None).expect(4);
    assert_eq!(out.json()["error"]["code"], "unauthorized");
    assert!(!out.stderr.contains("sk_live_unknown"), "{}", out.stderr);

    // 5: rate limited after every retry (one retry here: two 429s).
    sb.inject("/v1/posts", Fault::rate_limited(0).times(2));
    let out = soku(&sb, &["post", "Hi", "-p", "x", "--max-retries", "1"]).expect(5);
    assert_eq!(out.json()["meta"]["attempts"], 2);
    assert!(
        out.stderr.contains("--idempotency-key"),
        "retry hint: {}",
        out.stderr
    );

    // 6: server error 5xx.
    sb.inject("/v1/posts", Fault::status(502, "internal_error"));
    let out = post(&sb, &[], 6);
    assert_eq!(out.json()["error"]["status"], 502);

    // 7: transport (connection dropped without an answer).
    sb.inject("/v1/posts", Fault::drop_connection());
    post(&sb, &[], 7);

    // 8: timeout.
    sb.inject("/v1/posts", Fault::delay(Duration::from_secs(2)));
    let out = post(&sb, &["--timeout", "300ms"], 8);
    assert_eq!(out.json()["error"]["kind"], "timeout");

    // 9: a 2xx answer that is not the documented JSON.
    sb.inject("/v1/posts", Fault::raw_body(200, "<html>ok</html>"));
    post(&sb, &[], 9);

    // 0 again once the faults are used up; a 5xx is retried with the same key.
    sb.inject(
        "/v1/posts",
        Fault::status(500, "internal_error").after_processing(),
    );
    let out = soku(&sb, &["post", "Once", "-p", "x"]).expect(0);
    assert_eq!(out.json()["meta"]["attempts"], 2);
    // (The delayed post above may still land meanwhile: count this text only.)
    let once = sb
        .submissions()
        .iter()
        .filter(|b| b["post"]["content"]["text"] == "Once")
        .count();
    assert_eq!(once, 1, "published once despite the retry");
}

/// Every row of the exit table that `soku --help` prints, exercised: the statuses are read
/// from the help text itself, so a row added without a case here fails this test.
#[test]
fn every_row_of_the_help_exit_table_is_what_happens() {
    use std::io::Write;
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};

    let help = soku(&Sandbox::start().unwrap(), &["--help"])
        .expect(0)
        .stdout;
    let table = help
        .split("Exit status:\n")
        .nth(1)
        .expect("an exit table in --help");
    let mut rows: Vec<u8> = table
        .lines()
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect();
    // The 130 row documents 143 (SIGTERM) too.
    assert!(table.contains("143 by SIGTERM"), "{table}");
    rows.push(143);
    assert_eq!(rows, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 130, 141, 143]);

    let posts = |texts: &[&str], platform: &str| -> String {
        texts
            .iter()
            .map(|t| {
                format!("{{\"post\":{{\"content\":{{\"text\":\"{t}\",\"platform\":[\"{platform}\"]}}}}}}\n")
            })
            .collect()
    };
    for row in rows {
        let sb = Sandbox::start().unwrap();
        let env = common::env_of(&sb);
        let code = match row {
            0 => soku(&sb, &["post", "Hi", "-p", "x"]).code,
            1 => {
                // Some posts failed, in every output form (JSON, human, verbose): 1.
                let input = posts(&["ok"], "x") + &posts(&["ig"], "instagram");
                for extra in [&[][..], &["--human"], &["-v", "--json-output"]] {
                    let mut args = vec!["batch", "-"];
                    args.extend(extra);
                    run_with(&env, &args, Some(&input)).expect(1);
                }
                // Every post failed: 1 too.
                run_with(
                    &env,
                    &["batch", "-"],
                    Some(&posts(&["a", "b"], "instagram")),
                )
                .expect(1);
                // A rotation whose revocation of the old key failed.
                sb.inject(
                    "/v1/api-keys/key_sandbox_default",
                    Fault::status(500, "internal_error")
                        .method("DELETE")
                        .times(5),
                );
                soku(
                    &sb,
                    &[
                        "keys",
                        "rotate",
                        "key_sandbox_default",
                        "--max-retries",
                        "0",
                    ],
                )
                .code
            }
            2 => soku(&sb, &["post", "Hi"]).code,
            3 => {
                let mut env = env.clone();
                env[0].1 = "http://example.com".into();
                run_with(&env, &["post", "Hi", "-p", "x"], None).code
            }
            4 => soku(&sb, &["post", "Hi", "-p", "instagram"]).code,
            5 => {
                sb.inject("/v1/posts", Fault::rate_limited(0));
                post(&sb, &[], 5).code
            }
            6 => {
                sb.inject("/v1/posts", Fault::status(503, "internal_error"));
                post(&sb, &[], 6).code
            }
            7 => {
                sb.inject("/v1/posts", Fault::drop_connection());
                post(&sb, &[], 7).code
            }
            8 => {
                sb.inject("/v1/posts", Fault::delay(Duration::from_secs(2)));
                post(&sb, &["--timeout", "200ms"], 8).code
            }
            9 => {
                sb.inject("/v1/posts", Fault::raw_body(201, "{\"unexpected\": true"));
                post(&sb, &[], 9).code
            }
            130 | 143 => {
                // Two posts, one allowed per 30 s: the signal lands in the wait for the window.
                let sb = Sandbox::builder()
                    .limit("posts", 1)
                    .window(Duration::from_secs(30))
                    .start()
                    .unwrap();
                let mut child = Command::new(env!("CARGO_BIN_EXE_soku"))
                    .args(["batch", "-"])
                    .env_clear()
                    .envs(common::env_of(&sb))
                    .stdin(Stdio::piped())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap();
                let mut stdin = child.stdin.take().unwrap();
                stdin.write_all(posts(&["a", "b"], "x").as_bytes()).unwrap();
                drop(stdin);
                common::wait_for("the first post", || sb.requests().len() == 1);
                common::send_signal(child.id(), if row == 130 { "INT" } else { "TERM" });
                let status = child.wait().unwrap();
                assert_eq!(sb.requests().len(), 1);
                status.code().unwrap_or(-1)
            }
            141 => {
                let status = Command::new(env!("CARGO_BIN_EXE_soku"))
                    .args(["keys", "list"])
                    .env_clear()
                    .envs(env.iter().map(|(k, v)| (k, v)))
                    .stdout(Stdio::from(common::pipe_without_reader()))
                    .stderr(Stdio::null())
                    .status()
                    .unwrap();
                // Killed by SIGPIPE (13): a shell reports 128 + 13.
                status.signal().map_or(-1, |s| 128 + s)
            }
            other => panic!("no case for exit status {other} of the table"),
        };
        assert_eq!(code, i32::from(row), "row {row}");
    }
}
