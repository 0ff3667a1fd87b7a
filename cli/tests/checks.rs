//! Mistakes caught before anything is sent, and what the shell and the user are told: platform
//! names checked against the documented list (with a suggestion, exit 2, nothing sent),
//! completions listing the platforms and subcommands, duration units, and the stderr line of a
//! JSON-mode batch with failures.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use soku_sandbox::Sandbox;

#[test]
fn a_misspelled_platform_is_a_usage_error_with_a_suggestion_and_nothing_is_sent() {
    let sb = Sandbox::start().unwrap();
    for (args, wrong, suggested) in [
        (
            &["post", "hi", "-p", "twiter"][..],
            "twiter",
            Some("twitter"),
        ),
        (
            &["post", "hi", "-p", "x", "-p", "Linkdin:acct_1"][..],
            "Linkdin",
            Some("linkedin"),
        ),
        (&["post", "hi", "-p", "mastodon"][..], "mastodon", None),
        (
            &[
                "publish-media",
                "https://example.com/a.png",
                "--text",
                "t",
                "-p",
                "instagarm",
            ][..],
            "instagarm",
            Some("instagram"),
        ),
    ] {
        let out = soku(&sb, args).expect(2);
        let line = format!("soku: invalid argument: unknown platform `{wrong}`");
        assert!(out.stderr.starts_with(&line), "{}", out.stderr);
        match suggested {
            Some(s) => assert!(
                out.stderr.contains(&format!("(did you mean `{s}`?)")),
                "{}",
                out.stderr
            ),
            None => assert!(!out.stderr.contains("did you mean"), "{}", out.stderr),
        }
        assert!(
            out.stderr.contains("--allow-unknown-platform"),
            "{}",
            out.stderr
        );
        assert_eq!(out.json()["error"]["kind"], "invalid_argument");
    }
    // The same check covers a --json body and a batch file.
    let dir = std::env::temp_dir().join(format!("soku-checks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let body = dir.join("post.json");
    let post = json!({"post": {"content": {"text": "hi", "platform": ["x", "thread"]}}});
    std::fs::write(&body, post.to_string()).unwrap();
    let out = soku(&sb, &["post", "--json", body.to_str().unwrap()]).expect(2);
    assert!(
        out.stderr.contains("(did you mean `threads`?)"),
        "{}",
        out.stderr
    );
    let out = soku(&sb, &["batch", body.to_str().unwrap()]).expect(2);
    assert!(
        out.stderr.contains("unknown platform `thread`"),
        "{}",
        out.stderr
    );
    assert_eq!(sb.requests().len(), 0, "the sandbox saw no request");

    // Known names in any case and the alias pass; an explicit flag lets a new name through.
    soku(
        &sb,
        &["post", "hi", "-p", "X", "-p", "twitter", "-p", "threads"],
    )
    .expect(0);
    assert_eq!(sb.requests().len(), 1);
    let out = soku(
        &sb,
        &["--allow-unknown-platform", "post", "hi", "-p", "mastodon"],
    );
    assert_eq!(sb.requests().len(), 2, "{}", out.stderr);
    assert_eq!(
        sb.requests()[1].json().unwrap()["post"]["content"]["platform"],
        json!(["mastodon"])
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn completions_offer_platforms_and_subcommands() {
    let sb = Sandbox::start().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let out = soku(&sb, &["completions", shell]).expect(0);
        for word in [
            "x",
            "threads",
            "linkedin",
            "instagram",
            "facebook",
            "tiktok",
            "youtube",
            "post",
            "batch",
            "publish-media",
            "transcribe",
        ] {
            assert!(out.stdout.contains(word), "{shell}: {word}");
        }
    }
    let bash = soku(&sb, &["completions", "bash"]).expect(0).stdout;
    assert!(
        bash.contains("x threads linkedin instagram facebook tiktok youtube twitter"),
        "bash completes -p with the platform list"
    );
    assert_eq!(sb.requests().len(), 0);
}

/// `now + secs` as the CLI writes a `scheduledTime` (fixed width, so text order is time order).
fn at(secs: u64) -> String {
    soku::time::format_rfc3339(soku::time::from_now(Duration::from_secs(secs)))
}

#[test]
fn durations_take_units_and_a_bare_number_is_seconds() {
    let sb = Sandbox::builder()
        .check_scheduled_time(false)
        .start()
        .unwrap();
    for (i, (value, secs)) in [
        ("90s", 90),
        ("15m", 900),
        ("2h", 7200),
        ("1d", 86_400),
        ("120", 120),
    ]
    .into_iter()
    .enumerate()
    {
        let before = at(secs);
        soku(&sb, &["post", "hi", "-p", "x", "--in", value]).expect(0);
        let after = at(secs);
        let body = sb.requests()[i].json().unwrap();
        let got = body["scheduledTime"].as_str().unwrap().to_owned();
        assert!(
            before <= got && got <= after,
            "--in {value}: {got} not in {before}..{after}"
        );
    }
    let out = soku(&sb, &["post", "hi", "-p", "x", "--in", "2x"]).expect(2);
    assert!(
        out.stderr.contains("not a duration such as 30s, 90m or 2h"),
        "{}",
        out.stderr
    );
    let help = soku(&sb, &["post", "--help"]).expect(0).stdout;
    for flag in ["--in", "--timeout"] {
        let line = help
            .lines()
            .find(|l| l.trim_start().starts_with(flag))
            .unwrap();
        assert!(line.contains("a bare number is"), "{line}");
        let rest: String = help.split(flag).nth(1).unwrap().chars().take(200).collect();
        assert!(rest.contains("seconds"), "{rest}");
    }
}

#[test]
fn a_json_mode_batch_with_failures_says_so_on_stderr() {
    let sb = Sandbox::start().unwrap();
    let ok = json!({"post": {"content": {"text": "ok", "platform": ["x"]}}});
    let bad = json!({"post": {"content": {"text": "ig", "platform": ["instagram"]}}});
    let input = format!("{ok}\n{bad}\n{ok}");
    let out = run_with(&env_of(&sb), &["batch", "-"], Some(&input)).expect(1);
    assert_eq!(out.json()["data"]["summary"]["failed"], 1);
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("soku: batch: "))
        .collect();
    assert_eq!(
        lines,
        ["soku: batch: 2 ok, 1 failed of 3; failed: #1 missing_account"],
        "{}",
        out.stderr
    );
    // Without failures, stderr stays quiet.
    let input = format!("{ok}\n{ok}");
    let out = run_with(
        &env_of(&sb),
        &["batch", "-", "--new-batch-key"],
        Some(&input),
    )
    .expect(0);
    assert!(!out.stderr.contains("failed"), "{}", out.stderr);
}
