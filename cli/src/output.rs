//! What `soku` prints: the JSON document (`{"data", "meta"}` / `{"error", "meta"}`) or a short
//! human summary on stdout, errors on stderr, and the exit status of each error kind.

use std::io::{ErrorKind as IoErrorKind, IsTerminal, Write};

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
    /// 0, 1 for a partial success, or the status of an interrupted batch (130, 143).
    pub exit: u8,
    /// Lines for stderr, printed before the result (e.g. an interrupted batch's record).
    pub notes: Vec<String>,
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
        for line in &done.notes {
            err_line(&format!("soku: {line}"));
        }
        if self.json {
            out_line(&done.doc.to_string());
        } else {
            let mut text = String::new();
            for line in &done.summary {
                text.push_str(line);
                text.push('\n');
            }
            if let Some(line) = meta_line(&done.doc["meta"]) {
                text.push_str(&line);
                text.push('\n');
            }
            out(&text);
        }
        done.exit
    }

    /// Prints an error (stderr; also the error document on stdout in JSON mode); returns the
    /// exit status of its kind.
    pub fn failure(&self, err: &Error) -> u8 {
        let local = in_cli_names(err);
        if self.json {
            match serde_json::to_string(&ErrorDocument::new(local.as_ref().unwrap_or(err))) {
                Ok(doc) => out_line(&doc),
                Err(e) => err_line(&format!("soku: could not serialise the error: {e}")),
            }
        }
        // Display carries kind, status, code, message and request id, never a credential.
        match &local {
            Some(e) => err_line(&format!("soku: config error: {}", e.message())),
            None => err_line(&format!("soku: {err}")),
        }
        if let Some(hint) = hint(err) {
            err_line(&format!("soku: {hint}"));
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

/// Writes `text` to stdout. When the reader is gone (`EPIPE`: `soku … | head -c1`), the
/// command ends quietly as Unix tools do: killed by `SIGPIPE`, which a shell reports as status
/// 141. `SIGPIPE` stays ignored for the rest of the process (the Rust default), so a socket
/// closed by a server is an error of that call, never a silent death.
pub fn out(text: &str) {
    write_or_quit(&mut std::io::stdout().lock(), text);
}

/// [`out`] with a newline.
pub fn out_line(line: &str) {
    out(&format!("{line}\n"));
}

/// Writes a line to stderr; a reader gone is handled as in [`out`].
pub fn err_line(line: &str) {
    write_or_quit(&mut std::io::stderr().lock(), &format!("{line}\n"));
}

fn write_or_quit(w: &mut dyn Write, text: &str) {
    match w.write_all(text.as_bytes()).and_then(|()| w.flush()) {
        Err(e) if e.kind() == IoErrorKind::BrokenPipe => reader_gone(),
        // Any other failure to print (a full disk) cannot be reported anywhere better.
        _ => {}
    }
}

/// Ends the process the way the default `SIGPIPE` action does.
pub fn reader_gone() -> ! {
    let _ = signal_hook::low_level::emulate_default_handler(signal_hook::consts::SIGPIPE);
    // Not reached when the signal was delivered; the status a shell shows for it otherwise.
    std::process::exit(128 + signal_hook::consts::SIGPIPE)
}
