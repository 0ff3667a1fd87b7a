//! Import a video from a public URL, then publish it (vendor example "Upload Media and Publish a
//! Video Post"), with [`Client::publish_with_media`]: one call that is safe to retry, because the
//! import and the post carry idempotency keys derived from one base key.
//!
//! ```sh
//! cargo run --example video_post
//! ```

mod common;

use soku::workflows::{PublishWithMedia, PublishedWithMedia};
use soku::{CallOptions, Client, MediaType, Platform, PlatformTarget, PostContent, Response};

fn main() -> std::process::ExitCode {
    common::main(|env| {
        run(&env.client)?;
        Ok(())
    })
}

/// Imports the documented product demo and publishes it to Instagram (`ig_main`), TikTok
/// (`tt_brand`) and YouTube.
pub fn run(client: &Client) -> soku::Result<Response<PublishedWithMedia>> {
    let post = PostContent::new([
        PlatformTarget::account(Platform::Instagram, "ig_main"),
        PlatformTarget::account(Platform::TikTok, "tt_brand"),
        Platform::YouTube.into(),
    ])
    .text("Watch our full product walkthrough")
    .media_type(MediaType::Video);
    let req = PublishWithMedia::new(["https://example.com/videos/product-demo.mp4"], post);

    let result = client.publish_with_media(&req, &CallOptions::new())?;
    for media in &result.media {
        println!("Uploaded media: {}", media.url);
    }
    println!("Post submitted: {}", result.post.post_submission_id);
    Ok(result)
}
