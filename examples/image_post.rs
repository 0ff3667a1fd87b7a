//! Publish an image post with several images (vendor example "Publish an Image Post with Multiple
//! Images"), targeting connected accounts by id and a platform by name.
//!
//! ```sh
//! cargo run --example image_post
//! ```

mod common;

use soku::{Client, CreatePost, Platform, PlatformTarget, PostSubmission, Response};

fn main() -> std::process::ExitCode {
    common::main(|env| {
        run(&env.client)?;
        Ok(())
    })
}

/// Publishes three hosted images to Instagram (`ig_main`), Facebook (`fb_page`) and LinkedIn.
pub fn run(client: &Client) -> soku::Result<Response<PostSubmission>> {
    let post = CreatePost::images(
        "Behind the scenes from today's shoot",
        [
            "https://storage.mysoku.io/media/img1.jpg",
            "https://storage.mysoku.io/media/img2.jpg",
            "https://storage.mysoku.io/media/img3.jpg",
        ],
        [
            PlatformTarget::account(Platform::Instagram, "ig_main"),
            PlatformTarget::account(Platform::Facebook, "fb_page"),
            Platform::LinkedIn.into(),
        ],
    );
    let result = client.create_post(&post)?;
    println!("Post submitted: {}", result.post_submission_id);
    Ok(result)
}
