//! Schedule a post for later (vendor example "Schedule a Post for Later"). The time is computed
//! from now (one hour ahead): the API rejects times less than 60 s in the future.
//!
//! ```sh
//! cargo run --example schedule_post
//! ```

mod common;

use std::time::Duration;

use soku::{Client, CreatePost, Platform, PostSubmission, Response};

fn main() -> std::process::ExitCode {
    common::main(|env| {
        run(&env.client)?;
        Ok(())
    })
}

/// Schedules the documented Monday post to Threads, X and LinkedIn one hour from now.
pub fn run(client: &Client) -> soku::Result<Response<PostSubmission>> {
    let post = CreatePost::text(
        "Happy Monday! Here is your weekly dose of motivation.",
        [Platform::Threads, Platform::X, Platform::LinkedIn],
    )
    .scheduled_in(Duration::from_secs(3600));
    let result = client.create_post(&post)?;
    let when = post.scheduled_time.as_deref().unwrap_or("now");
    println!("Post scheduled for {when}: {}", result.post_submission_id);
    Ok(result)
}
