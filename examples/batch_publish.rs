//! Publish several posts one after another (seed: "Batch Publishing Workflow") with
//! [`Client::publish_batch_with_progress`]: a failure does not stop the batch, every post gets a
//! result, and instead of the seed's fixed 200 ms sleep the batch paces itself by the
//! `X-RateLimit-*` headers, waiting for the window to reset only when it is used up.
//!
//! ```sh
//! cargo run --example batch_publish
//! ```

mod common;

use soku::workflows::BatchReport;
use soku::{CallOptions, Client, CreatePost, Platform, Response};

fn main() -> std::process::ExitCode {
    common::main(|env| {
        run(&env.client)?;
        Ok(())
    })
}

/// Schedules the seed's three daily posts (tomorrow, the day after and the day after that).
pub fn run(client: &Client) -> soku::Result<Response<BatchReport>> {
    let texts = [
        "Monday motivation: consistency beats perfection.",
        "Tuesday tip: automate what you repeat.",
        "Wednesday wisdom: ship it, then improve.",
    ];
    let posts: Vec<CreatePost> = texts
        .iter()
        .zip(1..)
        .map(|(text, day)| {
            CreatePost::text(*text, [Platform::Threads, Platform::X])
                .scheduled_time(common::rfc3339_in(day * 86_400))
        })
        .collect();

    let report =
        client.publish_batch_with_progress(&posts, &CallOptions::new(), |item| {
            match (&item.result, &item.meta) {
                (Ok(sub), Some(meta)) => println!(
                    "Published: {} ({} left in the window)",
                    sub.post_submission_id,
                    common::remaining(&meta.rate_limit)
                ),
                (Ok(sub), None) => println!("Published: {}", sub.post_submission_id),
                (Err(err), _) => println!("Failed: {err}"),
            }
        })?;
    println!(
        "Batch complete: {} succeeded, {} failed",
        report.summary.succeeded, report.summary.failed
    );
    Ok(report)
}
