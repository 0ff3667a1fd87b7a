//! Runs the built `soku` binary against a `soku-sandbox` and checks that no credential is ever
//! printed.

#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;
use soku_sandbox::Sandbox;

/// The sandbox's fixture credentials: no output may contain them.
pub const SECRETS: [&str; 2] = [
    "sk_live_sandbox_default_0000000000000000000000",
    "sandbox-firebase-id-token",
];

/// What one run printed.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Stdout as the one JSON document it must be.
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {}", self.stdout))
    }

    /// Asserts the exit status, showing the output otherwise.
    pub fn expect(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "exit status; stdout: {}; stderr: {}",
            self.stdout, self.stderr
        );
        self
    }
}

/// The environment that points the binary at `sb` with its fixture credentials.
pub fn env_of(sb: &Sandbox) -> Vec<(String, String)> {
    vec![
        ("SOKU_BASE_URL".into(), sb.url().into()),
        ("SOKU_API_KEY".into(), sb.api_key().into()),
        ("SOKU_FIREBASE_TOKEN".into(), sb.firebase_token().into()),
    ]
}

/// Runs `soku args…` against `sb`.
pub fn soku(sb: &Sandbox, args: &[&str]) -> Run {
    run_with(&env_of(sb), args, None)
}

/// Runs `soku args…` with exactly `env` (nothing inherited) and `stdin`.
pub fn run_with(env: &[(String, String)], args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_soku"));
    cmd.args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn soku");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(input.as_bytes()).expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait for soku");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is utf-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is utf-8"),
    };
    for secret in SECRETS {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "a credential was printed by soku {args:?}"
        );
    }
    run
}

/// The API requests `sb` saw, as (method, path).
pub fn calls(sb: &Sandbox) -> Vec<(String, String)> {
    sb.requests()
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect()
}

/// `(method, path)` pairs from string slices.
pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect()
}

/// Every command of `soku --help` and of its groups (`keys rotate`, …), but `completions` and
/// `help`.
pub fn commands() -> std::collections::BTreeSet<String> {
    fn listed(args: &[&str]) -> Vec<String> {
        let out = run_with(&[], args, None).expect(0);
        out.stdout
            .split("Commands:\n")
            .nth(1)
            .expect("a command list")
            .lines()
            .take_while(|l| l.starts_with("  "))
            .filter_map(|l| l.split_whitespace().next())
            .filter(|c| *c != "help")
            .map(str::to_owned)
            .collect()
    }
    let mut all = std::collections::BTreeSet::new();
    for cmd in listed(&["--help"]) {
        let sub = run_with(&[], &[cmd.as_str(), "--help"], None).expect(0);
        if sub.stdout.contains("Commands:\n") {
            for inner in listed(&[cmd.as_str(), "--help"]) {
                all.insert(format!("{cmd} {inner}"));
            }
        } else if cmd != "completions" {
            all.insert(cmd);
        }
    }
    all
}
