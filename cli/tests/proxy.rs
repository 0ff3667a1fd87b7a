//! `--proxy` and `--proxy-from-env` through a real forward proxy on loopback, and the messages
//! of configuration errors in the command line's own names.

mod common;
#[path = "../../tests/forward_proxy/mod.rs"]
mod forward_proxy;

use common::{env_of, run_with};
use forward_proxy::ForwardProxy;
use soku_sandbox::Sandbox;

const PASSWORD: &str = "cli-proxy-pass-8d2e";

fn with(mut env: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
    env.push((name.to_owned(), value.to_owned()));
    env
}

fn assert_no_password(run: &common::Run) {
    assert!(
        !run.stdout.contains(PASSWORD) && !run.stderr.contains(PASSWORD),
        "the proxy password was printed: {} {}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn proxy_flag_sends_through_the_proxy() {
    let sb = Sandbox::start().unwrap();
    let proxy = ForwardProxy::start(None);
    let out = run_with(
        &env_of(&sb),
        &["post", "Hi", "-p", "x", "--proxy", &proxy.url()],
        None,
    )
    .expect(0);
    assert!(out.json()["data"]["postSubmissionId"].is_string());
    assert_eq!(proxy.forwarded(), 1, "the proxy forwarded the post");
    assert_eq!(sb.submissions().len(), 1, "the post reached the server");
}

#[test]
fn proxy_from_env_only_when_asked() {
    let sb = Sandbox::start().unwrap();
    let proxy = ForwardProxy::start(Some(("user", PASSWORD)));
    let env = with(
        env_of(&sb),
        "HTTPS_PROXY",
        &proxy.url_with("user", PASSWORD),
    );

    // Without --proxy-from-env the variable is ignored: the call goes direct.
    run_with(&env, &["post", "Hi", "-p", "x"], None).expect(0);
    assert_eq!(proxy.forwarded() + proxy.refused(), 0);
    assert_eq!(sb.submissions().len(), 1);

    // With it, through the proxy, with the credentials of the URL, never printed.
    for args in [
        &["post", "Hi", "-p", "x", "--proxy-from-env"][..],
        &["--human", "post", "Hi", "-p", "x", "--proxy-from-env", "-v"][..],
    ] {
        let out = run_with(&env, args, None).expect(0);
        assert_no_password(&out);
    }
    assert_eq!(proxy.forwarded(), 2);
    assert_eq!(proxy.refused(), 0);
    assert_eq!(sb.submissions().len(), 3);

    // The lower-case variable works too; wrong credentials fail with no password shown.
    let env = with(
        env_of(&sb),
        "https_proxy",
        &proxy.url_with("user", &format!("{PASSWORD}-wrong")),
    );
    let out = run_with(
        &env,
        &[
            "post",
            "Hi",
            "-p",
            "x",
            "--proxy-from-env",
            "--max-retries",
            "0",
        ],
        None,
    );
    assert_ne!(out.code, 0);
    assert_no_password(&out);
    assert!(proxy.refused() >= 1);
    assert_eq!(sb.submissions().len(), 3);
}

#[test]
fn credentials_in_the_flag_are_refused() {
    let sb = Sandbox::start().unwrap();
    let proxy = ForwardProxy::start(None);
    let url = proxy.url_with("user", PASSWORD);
    let out = run_with(
        &env_of(&sb),
        &["post", "Hi", "-p", "x", "--proxy", &url],
        None,
    )
    .expect(2);
    assert_no_password(&out);
    assert!(out.stderr.contains("--proxy-from-env"), "{}", out.stderr);
    assert_eq!(out.json()["error"]["param"], "proxy");
    assert_eq!(proxy.forwarded(), 0);
    assert!(sb.requests().is_empty());
}

/// Missing key, insecure URL, bad proxy: each message names only the CLI's own options.
#[test]
fn config_errors_name_the_cli_options() {
    let sb = Sandbox::start().unwrap();
    let base = vec![("SOKU_BASE_URL".to_string(), sb.url().to_string())];
    let mut printed = Vec::new();

    let out = run_with(&base, &["post", "Hi", "-p", "x"], None).expect(3);
    printed.push(out.stderr.clone());
    assert_eq!(
        out.stderr.lines().next().unwrap(),
        "soku: config error: an api key is required (set SOKU_API_KEY or --api-key-file)"
    );
    assert_eq!(out.json()["error"]["param"], "apiKey");
    let out = run_with(&base, &["--dry-run", "post", "Hi", "-p", "x"], None).expect(3);
    printed.push(out.stderr.clone());
    assert!(
        out.stderr
            .contains("an api key is required (set SOKU_API_KEY or --api-key-file)"),
        "{}",
        out.stderr
    );

    let insecure = vec![
        (
            "SOKU_BASE_URL".to_string(),
            "http://api.example.com".to_string(),
        ),
        ("SOKU_API_KEY".to_string(), sb.api_key().to_string()),
    ];
    let out = run_with(&insecure, &["post", "Hi", "-p", "x"], None).expect(3);
    printed.push(out.stderr.clone());
    assert_eq!(
        out.stderr.lines().next().unwrap(),
        "soku: config error: invalid base url: plain http:// is only allowed for loopback hosts \
         (use https://)"
    );

    let socks = format!("socks5://u:{PASSWORD}@127.0.0.1:1080");
    let env = with(env_of(&sb), "HTTPS_PROXY", &socks);
    let out = run_with(&env, &["post", "Hi", "-p", "x", "--proxy-from-env"], None).expect(3);
    printed.push(out.stderr.clone());
    assert_no_password(&out);
    assert_eq!(
        out.stderr.lines().next().unwrap(),
        "soku: config error: HTTPS_PROXY: socks proxies are not supported: use an http:// or \
         https:// proxy url (--proxy-from-env)"
    );
    assert_eq!(out.json()["error"]["param"], "proxyFromEnv");
    let out = run_with(
        &env_of(&sb),
        &[
            "post",
            "Hi",
            "-p",
            "x",
            "--proxy",
            "socks5://127.0.0.1:1080",
        ],
        None,
    )
    .expect(3);
    printed.push(out.stderr.clone());
    assert_eq!(
        out.stderr.lines().next().unwrap(),
        "soku: config error: socks proxies are not supported: use an http:// or https:// proxy \
         url (--proxy)"
    );
    let out = run_with(
        &env_of(&sb),
        &["post", "Hi", "-p", "x", "--timeout", "25h"],
        None,
    )
    .expect(3);
    printed.push(out.stderr.clone());
    assert_eq!(
        out.stderr.lines().next().unwrap(),
        "soku: config error: timeout must be at most 24 h (--timeout)"
    );

    printed.push(out.stderr);

    // No message of the command line names another interface's option.
    for stderr in &printed {
        for foreign in [
            "ClientBuilder",
            "api_key",
            "allow_insecure_http",
            "allowInsecureHttp",
        ] {
            assert!(!stderr.contains(foreign), "{foreign}: {stderr}");
        }
    }
    assert!(sb.requests().is_empty());
}
