//! Render a template image and publish it as an image post (vendor example "Generate an OG Image
//! and Publish"), with [`Client::publish_with_template`].
//!
//! ```sh
//! cargo run --example template_post
//! ```

mod common;

use serde_json::json;
use soku::workflows::{PublishWithTemplate, PublishedWithTemplate};
use soku::{CallOptions, Client, Platform, PostContent, RenderTemplate, Response};

fn main() -> std::process::ExitCode {
    common::main(|env| {
        run(&env.client)?;
        Ok(())
    })
}

/// Renders the documented `tweetImage` and publishes it to X and LinkedIn.
pub fn run(client: &Client) -> soku::Result<Response<PublishedWithTemplate>> {
    let template = RenderTemplate::new("tweetImage").config(json!({
        "title": "5 Lessons From Building in Public",
        "author": "Soku Team",
        "theme": "dark",
    }));
    let post = PostContent::new([Platform::X, Platform::LinkedIn])
        .text("5 Lessons From Building in Public — a thread.");
    let req = PublishWithTemplate::new(template, post);

    let result = client.publish_with_template(&req, &CallOptions::new())?;
    println!("Rendered image: {}", result.template.url);
    println!("Post submitted: {}", result.post.post_submission_id);
    Ok(result)
}
