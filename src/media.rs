//! `POST /v1/media`: [`UploadMedia`] → [`UploadedMedia`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::{CallOptions, Client};
use crate::error::Result;
use crate::response::Response;
use crate::validate;

pub(crate) use crate::endpoint::UPLOAD_MEDIA as UPLOAD;

/// The body of `POST /v1/media`: import media from a public URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadMedia {
    /// The public http(s) URL to import.
    pub url: String,
    /// Unknown fields, passed through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl UploadMedia {
    /// Import from `url`.
    pub fn new(url: impl Into<String>) -> Self {
        UploadMedia {
            url: url.into(),
            extra: Map::new(),
        }
    }

    /// The client-side checks [`Client::upload_media`] runs before sending (`url` is an
    /// absolute http(s) URL with a host). Sends nothing.
    pub fn validate(&self) -> Result<()> {
        validate::http_url("url", &self.url)
    }
}

/// The answer to `POST /v1/media`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadedMedia {
    /// The Soku-hosted URL, usable as `videoUrl` / `imageUrls` of a post.
    pub url: String,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Client {
    /// `POST /v1/media`: imports media from a public URL. Always sends an `Idempotency-Key`.
    pub fn upload_media(&self, req: &UploadMedia) -> Result<Response<UploadedMedia>> {
        self.upload_media_with(req, &CallOptions::default())
    }

    /// [`Client::upload_media`] with per-call options.
    pub fn upload_media_with(
        &self,
        req: &UploadMedia,
        opts: &CallOptions,
    ) -> Result<Response<UploadedMedia>> {
        req.validate()?;
        self.call(&UPLOAD, Some(req), opts)
    }
}
