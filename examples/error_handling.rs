//! Error handling with retry (vendor example "Error Handling with Retry Logic").
//!
//! The vendor's example hand-writes a retry loop. The client has it built in: 429 waits for `Retry-After`,
//! 5xx and dropped connections back off exponentially with jitter, every wait is capped, and a
//! retried post reuses its `Idempotency-Key`, so it is never published twice. This example
//! configures that retry, reads the rate-limit state and the request id, and handles the two
//! documented special cases, `missing_integrations` and `insufficient_credits`.
//!
//! ```sh
//! cargo run --example error_handling
//! ```
//!
//! Against the embedded sandbox it also makes the failures happen: the post is answered with a
//! 500 *after* being accepted (the retry must not publish it twice), a platform has no
//! connected account, and a transcription costs more credits than the account has.

mod common;

use std::error::Error;
use std::time::Duration;

use soku::{ClientBuilder, CreatePost, ErrorCode, Platform, PostSubmission, Response, Transcribe};
use soku_sandbox::{Fault, Sandbox};

/// The text of the documented post.
pub const POST_TEXT: &str = "Published with production-grade error handling.";

fn main() -> std::process::ExitCode {
    common::main(|env| {
        run(env.builder(), env.sandbox.as_ref())?;
        Ok(())
    })
}

/// Publishes the documented post with a configured retry; with a sandbox, also provokes a 500 after
/// processing and the two special cases. Returns the post's response (its meta shows the
/// attempts made).
pub fn run(
    builder: ClientBuilder,
    sandbox: Option<&Sandbox>,
) -> Result<Response<PostSubmission>, Box<dyn Error>> {
    let client = builder
        .max_retries(3) // default 3; 0 turns retrying off
        .backoff_base(Duration::from_millis(200)) // 5xx: 200 ms, 400 ms, 800 ms + jitter; default 1 s
        .max_retry_wait(Duration::from_secs(30)) // cap on any single wait; default 60 s
        .build()?;

    if let Some(sb) = sandbox {
        sb.inject(
            "/v1/posts",
            Fault::status(500, "internal_error").after_processing(),
        );
        println!("(sandbox: the next post is accepted, then answered with a 500)");
    }
    let post = CreatePost::text(POST_TEXT, [Platform::Threads]);
    let result = client.create_post(&post).inspect_err(explain)?;
    let meta = result.meta();
    println!(
        "Post submitted: {} after {} attempt(s) with Idempotency-Key {}; rate limit: {} remaining",
        result.post_submission_id,
        meta.attempts,
        meta.idempotency_key.as_deref().unwrap_or("-"),
        common::remaining(&meta.rate_limit),
    );

    if let Some(sb) = sandbox {
        println!(
            "The sandbox recorded {} submission(s) of it.",
            count_text(sb, POST_TEXT)
        );

        // missing_integrations: a platform with no connected account. This sandbox has every
        // platform connected, so ask a second one where LinkedIn is not.
        println!("(sandbox: a second sandbox without a LinkedIn account gets a LinkedIn post)");
        let unconnected = Sandbox::builder()
            .connected_accounts("linkedin", Vec::<String>::new())
            .start()?;
        let other = soku::Client::builder()
            .base_url(unconnected.url())
            .api_key(unconnected.api_key())
            .build()?;
        let post = CreatePost::text("Cross-post everywhere", [Platform::LinkedIn]);
        if let Err(err) = other.create_post(&post) {
            explain(&err);
        }

        // insufficient_credits: a transcription longer than the credit balance.
        println!("(sandbox: a transcription of 10,000,000 s, more than the credit balance)");
        let mut long = Transcribe::new("media_f7e8d9c0b3c4");
        long.duration_seconds = Some(10_000_000.0);
        if let Err(err) = client.transcribe(&long) {
            explain(&err);
        }
    }
    Ok(result)
}

/// What to tell the user about a failed call: the documented special cases by code, else the error
/// with its request id; and the rate-limit state the server reported.
fn explain(err: &soku::Error) {
    match err.code() {
        Some(ErrorCode::MissingIntegrations) => {
            println!("Connect the required platforms in Settings > Integrations. ({err})")
        }
        Some(ErrorCode::InsufficientCredits) => {
            println!("Purchase more credits at Account > Credits. ({err})")
        }
        _ => println!(
            "Unexpected error: {err} (requestId: {})",
            err.request_id().unwrap_or("none")
        ),
    }
    if let Some(meta) = err.meta() {
        println!(
            "  status {}, request id {}, attempts {}, rate limit {} remaining",
            meta.status,
            meta.request_id.as_deref().unwrap_or("-"),
            meta.attempts,
            common::remaining(&meta.rate_limit),
        );
    }
}

/// How many accepted submissions carry `text`.
pub fn count_text(sb: &Sandbox, text: &str) -> usize {
    sb.submissions()
        .iter()
        .filter(|s| s["post"]["content"]["text"].as_str() == Some(text))
        .count()
}
