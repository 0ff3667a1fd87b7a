//! `soku`: a blocking client for the [Soku](https://mysoku.io) social-publishing API.
//!
//! One call publishes a post to X, Threads, LinkedIn, Instagram, Facebook, TikTok and YouTube.
//! The crate is synchronous (no async runtime), keeps one keep-alive connection pool per
//! [`Client`], retries what is safe to retry, and never publishes twice: posts, media uploads
//! and transcriptions always carry an `Idempotency-Key` that is reused on every retry.
//! The same library backs a C ABI ([`ffi`]) and the Python package.
//!
//! ```no_run
//! use soku::{Client, CreatePost, ErrorCode, Platform, PlatformTarget};
//!
//! let client = Client::from_env()?; // SOKU_API_KEY, SOKU_BASE_URL
//! let post = CreatePost::text(
//!     "Just shipped our biggest update yet.",
//!     [Platform::Threads, Platform::X, Platform::LinkedIn],
//! );
//! let sub = client.create_post(&post)?;
//! println!(
//!     "{} (request {:?}, {:?} left)",
//!     sub.post_submission_id,
//!     sub.meta().request_id,
//!     sub.meta().rate_limit.remaining
//! );
//!
//! // Account targets and errors:
//! let video = CreatePost::video(
//!     "Watch our full product walkthrough",
//!     "https://storage.mysoku.io/media/demo.mp4",
//!     [PlatformTarget::account(Platform::Instagram, "ig_main"), Platform::YouTube.into()],
//! );
//! match client.create_post(&video) {
//!     Ok(sub) => println!("accepted {}", sub.post_submission_id),
//!     Err(e) if e.code() == Some(&ErrorCode::MissingIntegrations) => {
//!         eprintln!("connect the platforms first")
//!     }
//!     Err(e) => eprintln!("{e}"), // e.g. "api error 400 validation_error: … (request req_…)"
//! }
//! # Ok::<(), soku::Error>(())
//! ```
//!
//! Building a client does no I/O:
//!
//! ```
//! use std::time::Duration;
//!
//! let client = soku::Client::builder()
//!     .api_key("sk_live_example")
//!     .base_url("https://api.mysoku.io/")
//!     .timeout(Duration::from_secs(10))
//!     .max_retries(5)
//!     .build()?;
//! assert_eq!(client.base_url(), "https://api.mysoku.io");
//! assert!(!format!("{client:?}").contains("sk_live_example"));
//! # Ok::<(), soku::Error>(())
//! ```
//!
//! Durations: [`ClientBuilder::timeout`] bounds each attempt, not the whole call. A call makes
//! at most `max_retries + 1` attempts and waits at most `max_retry_wait` between two, so with the
//! defaults (30 s timeout, 3 retries, 60 s cap on a wait) it lasts at most
//! 4 × 30 s + 3 × 60 s = 5 minutes; the long waits happen only when the server asks for them
//! (`Retry-After`, `X-RateLimit-Reset`). Every duration option is at most 24 h.
//!
//! Every call is declared once in [`endpoint`] (method, path, credential, retry class); every
//! request type has a `validate()` (the checks its call runs before sending), and
//! [`Client::plan`] returns the exact requests a call or a workflow would send without
//! sending them ([`plan`]).
//!
//! Limits: success bodies are read up to 10 MiB (larger is an [`Error::Decode`]), error bodies up
//! to 1 MiB (an error envelope within it keeps its code, message and request id however deep its
//! `details`); a lone UTF-16 surrogate escape in an answer's JSON reads as U+FFFD; redirects are never followed; proxies are used only when configured with
//! [`ClientBuilder::proxy`].
#![deny(missing_docs)]

mod api_keys;
mod client;
mod config;
mod connection;
mod error;
mod fork;
mod media;
mod platform;
mod posts;
mod rate_limit;
mod resolver;
mod response;
mod retry;
mod secret;
mod socket;
mod templates;
mod tls;
mod transcription;
mod transport;
mod validate;
mod wire_json;

pub mod endpoint;
pub mod ffi;
pub mod options;
pub mod plan;
pub mod time;
pub mod workflows;

pub use api_keys::{ApiKeyInfo, ApiKeyList, CreateApiKey, CreatedApiKey};
pub use client::{CallOptions, Client, ClientBuilder};
pub use config::{
    Config, DEFAULT_BACKOFF_BASE, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_WAIT, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT, MAX_HEADER_VALUE_LEN, MAX_RETRIES,
};
pub use error::{ApiError, Cause, Error, ErrorCode, ErrorKind, Result};
pub use media::{UploadMedia, UploadedMedia};
pub use platform::{Platform, PlatformTarget};
pub use posts::{CreatePost, MediaType, PostBody, PostContent, PostSubmission};
pub use rate_limit::RateLimit;
pub use response::{ErrorDocument, Meta, Response};
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use templates::{AspectRatio, RenderTemplate, RenderedTemplate};
pub use tls::TlsRoots;
pub use transcription::{Transcribe, Transcription};

/// This crate's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Compiles the README's examples as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
