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

/// Whether process `pid` has handlers for SIGINT and SIGTERM installed (its `SigCgt` mask in
/// /proc): a batch has started watching signals.
pub fn catches_int_and_term(pid: u32) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("SigCgt:"))
        .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << (2 - 1)) != 0 && mask & (1 << (15 - 1)) != 0)
}

/// Waits until `pred` holds (polling every 10 ms), failing after 20 s.
pub fn wait_for(what: &str, mut pred: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !pred() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "waited for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Sends signal `name` (`INT`, `TERM` or `KILL`) to `pid`.
pub fn send_signal(pid: u32, name: &str) {
    let sig = match name {
        "INT" => libc::SIGINT,
        "TERM" => libc::SIGTERM,
        "KILL" => libc::SIGKILL,
        other => panic!("no signal {other}"),
    };
    let pid = libc::pid_t::try_from(pid).expect("a pid");
    // SAFETY: kill(2) with a child's pid and a valid signal number touches no memory.
    assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
}

/// The write end of a pipe whose read end is already closed: the first write fails with EPIPE
/// (and raises SIGPIPE), deterministically.
pub fn pipe_without_reader() -> std::os::fd::OwnedFd {
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut fds = [0; 2];
    // SAFETY: `fds` is valid for two file descriptors; each is owned exactly once below.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(read);
    write
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
        // completions and sandbox send no request (sandbox serves them): no dry run, no parity row.
        } else if cmd != "completions" && cmd != "sandbox" {
            all.insert(cmd);
        }
    }
    all
}
