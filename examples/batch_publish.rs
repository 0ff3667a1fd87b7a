//! Publish several posts one after another (vendor example "Batch Publishing Workflow") with
//! [`Client::publish_batch_with`]: a failure does not stop the batch, every post gets a
//! result, and instead of the vendor example's fixed 200 ms sleep the batch paces itself by the
//! `X-RateLimit-*` headers, waiting for the window to reset only when it is used up.
//!
//! ```sh
//! cargo run --example batch_publish
//! ```
//!
//! The embedded sandbox is started with a tight limit (2 posts per 2 s window), so the third
//! post visibly waits for the window to reset instead of being refused with a 429.

mod common;

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use soku::workflows::{BatchItem, BatchOptions, BatchReport};
use soku::{Client, CreatePost, Platform, Response};

fn main() -> std::process::ExitCode {
    common::main_with(
        |sandbox| sandbox.window(Duration::from_secs(2)).limit("posts", 2),
        |env| {
            run(&env.client)?;
            Ok(())
        },
    )
}

/// Schedules the documented three daily posts (tomorrow, the day after and the day after that).
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
                .scheduled_in(Duration::from_secs(day * 86_400))
        })
        .collect();

    let started = Instant::now();
    let on_item = |item: &BatchItem| {
        let at = started.elapsed().as_secs_f64();
        match (&item.result, &item.meta) {
            (Ok(sub), Some(meta)) => println!(
                "[{at:4.1} s] Published: {} ({} left in the window)",
                sub.post_submission_id,
                common::remaining(&meta.rate_limit)
            ),
            (Ok(sub), None) => println!("[{at:4.1} s] Published: {}", sub.post_submission_id),
            (Err(err), _) => println!("[{at:4.1} s] Failed: {err}"),
        }
        ControlFlow::Continue(()) // ControlFlow::Break(()) would stop before the next post
    };
    let report = client.publish_batch_with(&posts, BatchOptions::new().on_item(on_item))?;
    println!(
        "Batch complete: {} succeeded, {} failed",
        report.summary.succeeded, report.summary.failed
    );
    Ok(report)
}
