//! Workflows: multi-step compositions of the resource calls (publish many, upload then publish,
//! render then publish, rotate a key), each done the careful way.
//!
//! | method | what it does |
//! |---|---|
//! | [`Client::publish_batch`](crate::Client::publish_batch) / [`Client::publish_batch_with`](crate::Client::publish_batch_with) | publishes posts one after another, paced by the `X-RateLimit-*` headers, continuing past failures; one [`BatchItem`] per post and a [`BatchSummary`] |
//! | [`Client::rotate_api_key`](crate::Client::rotate_api_key) | checks that the old key exists and is active (else an invalid-argument error, nothing created), creates a new key, verifies it ([`VerifyMode`]), and revokes the old key only if verification succeeded (else revokes the new one); a failed revocation of the old key still returns the new key: check [`RotatedApiKey::revoked`] |
//! | [`Client::publish_with_media`](crate::Client::publish_with_media) | imports each source URL through `/v1/media`, then publishes the post with the hosted URLs |
//! | [`Client::publish_with_template`](crate::Client::publish_with_template) | renders a template image, then publishes it as an image post |
//!
//! Every workflow returns a [`Response`](crate::Response) whose [`Meta`] is that of
//! the last request sent, except `attempts` (the total over all steps) and `idempotency_key`
//! (the key the workflow derived its per-step keys from, if any).
//!
//! # Safe to retry
//!
//! `publish_with_media` and `publish_with_template` derive every step's `Idempotency-Key` from
//! one base key: the caller's [`CallOptions::idempotency_key`] or a fresh
//! UUIDv4. Media imports use `<base>:media:<i>` and the post uses `<base>:post`, so running the
//! whole workflow again with the same base key imports nothing twice and publishes nothing twice.
//! When a step fails, the error's [`Meta::idempotency_key`] is that base key (not the step's
//! own): retry the whole call with [`CallOptions::idempotency_key`] set to it (C ABI / Python:
//! options `idempotencyKey` = the error JSON's `meta.idempotencyKey`).
//! Batch items use `<base>-<index>` when the caller gave a key, else a fresh key each.
//!
//! # Examples
//!
//! (The hidden lines start the embedded `soku-sandbox`; against the real API use
//! [`Client::from_env`](crate::Client::from_env).)
//!
//! ```
//! use std::ops::ControlFlow;
//! use soku::workflows::{BatchItem, BatchOptions, PublishWithMedia, RotateApiKey};
//! use soku::{CallOptions, CreatePost, MediaType, Platform, PostContent};
//!
//! # let sandbox = soku_sandbox::Sandbox::start().unwrap();
//! # let client = soku::Client::builder().base_url(sandbox.url()).api_key(sandbox.api_key())
//! #     .firebase_token(sandbox.firebase_token()).build()?;
//! # let old_key_id = sandbox.default_key_id();
//! // A batch: sequential, paced by the rate-limit headers, one result per post.
//! let posts = vec![
//!     CreatePost::text("Monday motivation: consistency beats perfection.", [Platform::Threads, Platform::X]),
//!     CreatePost::text("Tuesday tip: automate what you repeat.", [Platform::Threads, Platform::X]),
//! ];
//! let on_item = |item: &BatchItem| {
//!     match (item.post_submission_id(), item.error()) {
//!         (Some(id), _) => println!("#{} published: {id}", item.index),
//!         (_, Some(err)) => println!("#{} failed: {err}", item.index),
//!         _ => {}
//!     }
//!     ControlFlow::Continue(()) // Break stops the batch before its next post
//! };
//! let report = client.publish_batch_with(&posts, BatchOptions::new().on_item(on_item))?;
//! assert_eq!(report.summary.succeeded, 2);
//!
//! // Import a video, then publish it; safe to re-run with the same key.
//! let post = PostContent::new([Platform::YouTube]).text("Walkthrough").media_type(MediaType::Video);
//! let req = PublishWithMedia::new(["https://example.com/videos/product-demo.mp4"], post);
//! let opts = CallOptions::new().idempotency_key("launch-video");
//! let first = client.publish_with_media(&req, &opts)?;
//! let again = client.publish_with_media(&req, &opts)?;
//! assert_eq!(first.post.post_submission_id, again.post.post_submission_id);
//!
//! // Rotate the key: the old one is revoked only once the new one is verified.
//! let rotated = client.rotate_api_key(&RotateApiKey::new(old_key_id), &CallOptions::new())?;
//! if !rotated.revoked {
//!     eprintln!("old key still active: {:?}", rotated.revoke_error);
//! }
//! let client = client.with_api_key(rotated.api_key.clone());
//! # assert!(client.create_post(&posts[0]).is_ok());
//! # Ok::<(), soku::Error>(())
//! ```

mod batch;
mod publish;
mod rotate;

pub use batch::{
    BatchItem, BatchOptions, BatchReport, BatchSummary, CANCEL_POLL, CancelToken, PublishBatch,
};
pub use publish::{
    PublishWithMedia, PublishWithTemplate, PublishedWithMedia, PublishedWithTemplate,
};
pub use rotate::{RotateApiKey, RotatedApiKey, VerifyMode};

use crate::client::{CallOptions, MAX_IDEMPOTENCY_KEY_LEN, check_idempotency_key};
use crate::error::{Error, Result};
use crate::response::Meta;

/// Collects the metadata of a workflow's steps into the workflow's own [`Meta`].
#[derive(Debug, Default)]
pub(crate) struct MetaTrail {
    last: Meta,
    attempts: u32,
}

impl MetaTrail {
    /// Records one step's metadata (a response's, or an error's when it has one).
    pub(crate) fn record(&mut self, meta: &Meta) {
        self.attempts = self.attempts.saturating_add(meta.attempts);
        self.last = meta.clone();
    }

    /// The metadata of the last step recorded (default before any).
    pub(crate) fn last(&self) -> &Meta {
        &self.last
    }

    /// The workflow's meta: the last step's, with the total attempts and the base key.
    pub(crate) fn finish(self, idempotency_key: Option<String>) -> Meta {
        Meta {
            attempts: self.attempts,
            idempotency_key,
            ..self.last
        }
    }
}

/// `opts` with a step's own idempotency key (none for calls that take no key).
pub(crate) fn step_opts(opts: &CallOptions, key: Option<String>) -> CallOptions {
    let mut step = opts.clone();
    step.idempotency_key = key;
    step
}

/// Checks the caller's base idempotency key and every step key a workflow derives from it
/// (`<base><suffix>`) before the first request: a step key that could not be sent would
/// otherwise fail only after earlier steps had their effect on the server. Without a caller's
/// key there is nothing to check (generated keys are UUIDs).
pub(crate) fn check_step_keys<S: AsRef<str>>(
    opts: &CallOptions,
    suffixes: impl IntoIterator<Item = S>,
) -> Result<()> {
    let Some(base) = opts.idempotency_key.as_deref() else {
        return Ok(());
    };
    check_idempotency_key(base)?;
    for suffix in suffixes {
        let suffix = suffix.as_ref();
        let len = base.len() + suffix.len();
        if len > MAX_IDEMPOTENCY_KEY_LEN {
            return Err(Error::invalid_param(
                "idempotencyKey",
                format!(
                    "idempotency key is too long for this workflow: with the step suffix \"{suffix}\" \
                 it would be {len} characters (at most {MAX_IDEMPOTENCY_KEY_LEN})"
                ),
            ));
        }
    }
    Ok(())
}
