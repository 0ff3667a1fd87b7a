//! Setup shared by the examples: a [`Client`] for the server named by `SOKU_BASE_URL`, or the
//! embedded sandbox when it is unset, so every example runs offline by default and never talks
//! to the real API unless told to.
//!
//! - `SOKU_BASE_URL` set (e.g. `https://api.mysoku.io`): `SOKU_API_KEY`, `SOKU_FIREBASE_TOKEN`
//!   and `SOKU_OLD_KEY_ID` are read from the environment.
//! - `SOKU_BASE_URL` unset: an in-process `soku-sandbox` is started on 127.0.0.1 and the client
//!   uses its key and token.

// Each example uses part of this module.
#![allow(dead_code)]

use std::error::Error;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use soku::{Client, ClientBuilder};
use soku_sandbox::{Sandbox, SandboxBuilder};

/// What an example runs against.
pub struct Env {
    /// The client, configured for the server below.
    pub client: Client,
    /// The embedded sandbox, when `SOKU_BASE_URL` was unset (stops when dropped).
    pub sandbox: Option<Sandbox>,
    /// The id of the key to rotate: `SOKU_OLD_KEY_ID`, or the sandbox's default key.
    pub old_key_id: Option<String>,
}

/// Connects to `SOKU_BASE_URL`, or starts the embedded sandbox (default settings) when it is
/// unset.
pub fn setup() -> Result<Env, Box<dyn Error>> {
    setup_with(|sandbox| sandbox)
}

/// [`setup`], with `configure` applied to the embedded sandbox's settings.
pub fn setup_with(
    configure: impl FnOnce(SandboxBuilder) -> SandboxBuilder,
) -> Result<Env, Box<dyn Error>> {
    if std::env::var("SOKU_BASE_URL").is_ok_and(|u| !u.trim().is_empty()) {
        let client = Client::from_env()?;
        println!("using the Soku API at {}", client.base_url());
        return Ok(Env {
            client,
            sandbox: None,
            old_key_id: std::env::var("SOKU_OLD_KEY_ID").ok(),
        });
    }
    let sandbox = configure(Sandbox::builder()).start()?;
    println!(
        "SOKU_BASE_URL is not set: started the embedded sandbox at {} \
         (set SOKU_BASE_URL=https://api.mysoku.io to use the real API)",
        sandbox.url()
    );
    if std::env::var_os("SOKU_API_KEY").is_some() {
        println!("(SOKU_API_KEY is not used with the sandbox)");
    }
    let client = sandbox_builder(&sandbox).build()?;
    Ok(Env {
        client,
        old_key_id: Some(sandbox.default_key_id().to_string()),
        sandbox: Some(sandbox),
    })
}

impl Env {
    /// A builder for the same server and credentials as `client`, to configure another client.
    pub fn builder(&self) -> ClientBuilder {
        match &self.sandbox {
            Some(sb) => sandbox_builder(sb),
            None => {
                let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
                let mut b = Client::builder().base_url(self.client.base_url());
                if let Some(key) = var("SOKU_API_KEY") {
                    b = b.api_key(key);
                }
                if let Some(token) = var("SOKU_FIREBASE_TOKEN") {
                    b = b.firebase_token(token);
                }
                b
            }
        }
    }
}

/// A builder for the embedded sandbox: its key, its token, a short backoff.
fn sandbox_builder(sb: &Sandbox) -> ClientBuilder {
    Client::builder()
        .base_url(sb.url())
        .api_key(sb.api_key())
        .firebase_token(sb.firebase_token())
        .backoff_base(Duration::from_millis(100))
}

/// Runs an example: sets up, calls `body`, prints any error and turns it into the exit code.
pub fn main(body: impl FnOnce(&Env) -> Result<(), Box<dyn Error>>) -> ExitCode {
    main_with(|sandbox| sandbox, body)
}

/// [`main`], with `configure` applied to the embedded sandbox's settings.
pub fn main_with(
    configure: impl FnOnce(SandboxBuilder) -> SandboxBuilder,
    body: impl FnOnce(&Env) -> Result<(), Box<dyn Error>>,
) -> ExitCode {
    match setup_with(configure).and_then(|env| body(&env)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// An RFC 3339 UTC instant `secs` seconds from now, e.g. `2026-03-09T14:00:00.000Z`.
pub fn rfc3339_in(secs: u64) -> String {
    soku::time::format_rfc3339(soku::time::from_now(Duration::from_secs(secs)))
}

/// Today's UTC date as `YYYYMMDD` (the date suffix of the documented transcription
/// idempotency key, `ep42-transcribe-20260309`).
pub fn today_yyyymmdd() -> String {
    let (y, m, d) = soku::time::utc_date(SystemTime::now());
    format!("{y:04}{m:02}{d:02}")
}

/// A secret shortened for display: its first 12 characters and an ellipsis.
pub fn mask(secret: &str) -> String {
    let head: String = secret.chars().take(12).collect();
    format!("{head}…")
}

/// `remaining/limit` of a rate-limit snapshot, `?` where a header was absent.
pub fn remaining(rl: &soku::RateLimit) -> String {
    let show = |v: Option<u64>| v.map_or_else(|| "?".to_string(), |v| v.to_string());
    format!("{}/{}", show(rl.remaining), show(rl.limit))
}
