//! What `soku` prints: the JSON document (`{"data", "meta"}` / `{"error", "meta"}`) or a short
//! human summary on stdout, errors on stderr, and the exit status of each error kind.

use std::io::IsTerminal;

use serde_json::Value;
use soku::options::Names;
use soku::{Error, ErrorDocument, ErrorKind};

use crate::args::Global;

/// A finished command.
pub struct Done {
    /// The JSON document printed in JSON mode.
    pub doc: Value,
    /// The human summary's lines (without the meta line).
    pub summary: Vec<String>,
    /// 0, or 1 for a partial success.
    pub exit: u8,
}

/// How results are printed.
pub struct Output {
    json: bool,
}

impl Output {
    /// JSON with `--json-output`, or when stdout is not a terminal unless `--human`.
    pub fn new(g: &Global) -> Output {
        let json = g.json_output || (!g.human && !std::io::stdout().is_terminal());
        Output { json }
    }

    /// Prints a result; returns the exit status.
    pub fn success(&self, done: &Done) -> u8 {
        if self.json {
            println!("{}", done.doc);
        } else {
            for line in &done.summary {
                println!("{line}");
            }
            if let Some(line) = meta_line(&done.doc["meta"]) {
                println!("{line}");
            }
        }
        done.exit
    }

    /// Prints an error (stderr; also the error document on stdout in JSON mode); returns the
    /// exit status of its kind.
    pub fn failure(&self, err: &Error) -> u8 {
        let local = in_cli_names(err);
        if self.json {
            match serde_json::to_string(&ErrorDocument::new(local.as_ref().unwrap_or(err))) {
                Ok(doc) => println!("{doc}"),
                Err(e) => eprintln!("soku: could not serialise the error: {e}"),
            }
        }
        // Display carries kind, status, code, message and request id, never a credential.
        match &local {
            Some(e) => eprintln!("soku: config error: {}", e.message()),
            None => eprintln!("soku: {err}"),
        }
        if let Some(hint) = hint(err) {
            eprintln!("soku: {hint}");
        }
        exit_status(err)
    }
}

/// A configuration error with the option at fault named as the command line knows it
/// (`set SOKU_API_KEY or --api-key-file`, `--proxy`), not as the library's `Display` does
/// (`ClientBuilder::api_key`), or without a hint when the command line has no such option;
/// `None` for other errors.
fn in_cli_names(err: &Error) -> Option<Error> {
    let Error::Config { message, param } = err else {
        return None;
    };
    let message = match soku::options::hint(err, Names::Cli) {
        Some(hint) => format!("{message} ({hint})"),
        None => message.clone(),
    };
    Some(Error::Config {
        message,
        param: param.clone(),
    })
}

/// The exit status of an error kind (the table in `soku --help`).
pub fn exit_status(err: &Error) -> u8 {
    match err.kind() {
        ErrorKind::InvalidArgument => 2,
        ErrorKind::Config => 3,
        ErrorKind::Api => match err.status() {
            Some(429) => 5,
            Some(s) if s >= 500 => 6,
            _ => 4,
        },
        ErrorKind::Transport => 7,
        ErrorKind::Timeout => 8,
        _ => 9,
    }
}

fn hint(err: &Error) -> Option<String> {
    let key = err.meta()?.idempotency_key.as_deref()?;
    let retryable = match err {
        Error::Transport { .. } | Error::Timeout { .. } => true,
        Error::Api(a) => a.status == 429 || a.status >= 500,
        _ => false,
    };
    retryable
        .then(|| format!("safe to retry with --idempotency-key {key}: nothing is published twice"))
}

/// `request req_… · rate limit 29/30 left · 1 attempt`.
fn meta_line(meta: &Value) -> Option<String> {
    if meta.is_null() {
        return None;
    }
    let rl = &meta["rateLimit"];
    let left = match (rl["remaining"].as_u64(), rl["limit"].as_u64()) {
        (Some(r), Some(l)) => format!("{r}/{l}"),
        _ => "-".into(),
    };
    let attempts = meta["attempts"].as_u64().unwrap_or(0);
    Some(format!(
        "request {} · rate limit {left} left · {attempts} attempt{}",
        meta["requestId"].as_str().unwrap_or("-"),
        if attempts == 1 { "" } else { "s" }
    ))
}
