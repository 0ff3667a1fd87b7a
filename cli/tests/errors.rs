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
