//! Quickstart: runs all nine workflows of the Soku code-examples page and prints what was sent,
//! the ids returned, the rate-limit state and the retry it survived.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! Without `SOKU_BASE_URL` it starts the embedded sandbox (nothing leaves this machine). With
//! `SOKU_BASE_URL` and `SOKU_API_KEY` set it publishes real posts to that server, and rotates a
//! key only if `SOKU_OLD_KEY_ID` (and `SOKU_FIREBASE_TOKEN`) are set too; the new key is
//! printed whole only with `--print-key` or `SOKU_PRINT_KEY=1` (else a short preview).

// The quickstart runs the nine examples' own `run` functions. Each example declares
// `mod common;` so that it also runs alone, so each included one brings its own copy.
#![allow(clippy::duplicate_mod)]

mod common;

#[allow(dead_code)]
#[path = "batch_publish.rs"]
mod batch_publish;
#[allow(dead_code)]
#[path = "error_handling.rs"]
mod error_handling;
#[allow(dead_code)]
#[path = "image_post.rs"]
mod image_post;
#[allow(dead_code)]
#[path = "rotate_key.rs"]
mod rotate_key;
#[allow(dead_code)]
#[path = "schedule_post.rs"]
mod schedule_post;
#[allow(dead_code)]
#[path = "template_post.rs"]
mod template_post;
#[allow(dead_code)]
#[path = "text_post.rs"]
mod text_post;
#[allow(dead_code)]
#[path = "transcribe.rs"]
mod transcribe;
#[allow(dead_code)]
#[path = "video_post.rs"]
mod video_post;

use std::error::Error;
use std::process::ExitCode;

use soku::{Client, ClientBuilder, Meta};
use soku_sandbox::Sandbox;

fn main() -> ExitCode {
    common::main(|env| {
        run(
            &env.client,
            env.builder(),
            env.sandbox.as_ref(),
            env.old_key_id.as_deref(),
        )
    })
}

/// One line of the final summary.
struct Row {
    workflow: &'static str,
    ids: String,
    meta: Meta,
}

/// Runs the nine workflows in the order of the vendor's code-examples page (rotation last: it revokes the key in use).
/// `builder` configures the same server as `client`; `sb` is the embedded sandbox, if any;
/// the rotation is skipped without `old_key_id`.
pub fn run(
    client: &Client,
    builder: ClientBuilder,
    sb: Option<&Sandbox>,
    old_key_id: Option<&str>,
) -> Result<(), Box<dyn Error>> {
    let mut log = Log::new(sb);
    let mut rows = Vec::new();

    log.step("1. text post to Threads, X and LinkedIn");
    let r = text_post::run(client)?;
    rows.push(log.done("text post", r.post_submission_id.clone(), &r.meta));

    log.step("2. video: import from a URL, then publish to accounts and names");
    let r = video_post::run(client)?;
    rows.push(log.done("video post", r.post.post_submission_id.clone(), &r.meta));

    log.step("3. image post with three images");
    let r = image_post::run(client)?;
    rows.push(log.done("image post", r.post_submission_id.clone(), &r.meta));

    log.step("4. render the tweetImage template, then publish it");
    let r = template_post::run(client)?;
    let ids = format!(
        "{} / {}",
        r.template.id.as_deref().unwrap_or("-"),
        r.post.post_submission_id
    );
    rows.push(log.done("template post", ids, &r.meta));

    log.step("5. transcription with a caller-chosen Idempotency-Key");
    let r = transcribe::run(client)?;
    rows.push(log.done("transcribe", r.job_id.clone(), &r.meta));

    log.step("6. scheduled post (one hour from now)");
    let r = schedule_post::run(client)?;
    rows.push(log.done("schedule post", r.post_submission_id.clone(), &r.meta));

    log.step("7. error handling: configured retry, rate limits, request ids, special cases");
    let r = error_handling::run(builder, sb)?;
    rows.push(log.done("error handling", r.post_submission_id.clone(), &r.meta));
    let retried = r;

    log.step("8. batch of three, paced by the rate-limit headers");
    let r = batch_publish::run(client)?;
    let ids = r
        .results
        .iter()
        .map(|i| i.post_submission_id().map_or("failed".to_string(), short))
        .collect::<Vec<_>>()
        .join(", ");
    rows.push(log.done("batch publish", ids, &r.meta));

    log.step("9. API-key rotation: create, verify (probe), revoke the old key");
    match old_key_id {
        Some(old_key_id) => {
            let r = rotate_key::run(client, old_key_id, rotate_key::print_key_requested())?;
            let ids = format!(
                "{} (revoked {})",
                r.id.as_deref().unwrap_or("new key"),
                r.revoked_key_id.as_deref().unwrap_or("nothing: see above")
            );
            rows.push(log.done("rotate key", ids, &r.meta));
        }
        None => println!("skipped: set SOKU_OLD_KEY_ID (and SOKU_FIREBASE_TOKEN) to rotate a key"),
    }

    println!("\n== summary ({})", client.base_url());
    println!(
        "{:<15} {:>6} {:>8} {:>10}  ids",
        "workflow", "status", "attempts", "rate limit"
    );
    for row in &rows {
        println!(
            "{:<15} {:>6} {:>8} {:>10}  {}",
            row.workflow,
            row.meta.status,
            row.meta.attempts,
            common::remaining(&row.meta.rate_limit),
            row.ids
        );
    }
    if let Some(sb) = sb {
        let key = retried.meta.idempotency_key.as_deref().unwrap_or_default();
        let sent = sb
            .requests()
            .iter()
            .filter(|r| r.path == "/v1/posts" && r.header("idempotency-key") == Some(key))
            .count();
        println!(
            "retry survived: the error-handling post was accepted, then answered with a 500; the \
             client sent it {sent} times ({} attempts) with the same Idempotency-Key {key}, and \
             the sandbox holds {} submission(s) of it",
            retried.meta.attempts,
            error_handling::count_text(sb, error_handling::POST_TEXT),
        );
    }
    Ok(())
}

/// Prints what each step sent (from the sandbox's request log) and its outcome.
struct Log<'a> {
    sandbox: Option<&'a Sandbox>,
    seen: usize,
}

impl<'a> Log<'a> {
    fn new(sandbox: Option<&'a Sandbox>) -> Self {
        Log { sandbox, seen: 0 }
    }

    fn step(&mut self, title: &str) {
        println!("\n== {title}");
    }

    fn done(&mut self, workflow: &'static str, ids: String, meta: &Meta) -> Row {
        if let Some(sb) = self.sandbox {
            let requests = sb.requests();
            for r in requests.iter().skip(self.seen) {
                println!("   sent {} {} {}", r.method, r.path, excerpt(&r.body, 90));
            }
            self.seen = requests.len();
        }
        println!(
            "   -> {ids}  (status {}, {} attempt(s), rate limit {}, request {})",
            meta.status,
            meta.attempts,
            common::remaining(&meta.rate_limit),
            meta.request_id.as_deref().unwrap_or("-")
        );
        Row {
            workflow,
            ids,
            meta: meta.clone(),
        }
    }
}

/// The first `n` characters of a body, on one line.
fn excerpt(body: &str, n: usize) -> String {
    let one_line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= n {
        one_line
    } else {
        format!("{}…", one_line.chars().take(n).collect::<String>())
    }
}

/// The first 8 characters of an id.
fn short(id: &str) -> String {
    id.chars().take(8).collect()
}
