//! Publish a text post to several platforms at once (vendor example "Publish a Text Post").
//!
//! ```sh
//! cargo run --example text_post                 # against the embedded sandbox
//! SOKU_BASE_URL=https://api.mysoku.io SOKU_API_KEY=sk_live_… cargo run --example text_post
//! ```

mod common;

use soku::{Client, CreatePost, Platform, PostSubmission, Response};

fn main() -> std::process::ExitCode {
    common::main(|env| {
        run(&env.client)?;
        Ok(())
    })
}

/// Publishes the documented text post to Threads, X and LinkedIn.
pub fn run(client: &Client) -> soku::Result<Response<PostSubmission>> {
    let post = CreatePost::text(
        "Just shipped our biggest update yet. More details coming soon.",
        [Platform::Threads, Platform::X, Platform::LinkedIn],
    );
    let result = client.create_post(&post)?;
    println!("Post submitted: {}", result.post_submission_id);
    Ok(result)
}
