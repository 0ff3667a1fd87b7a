//! `POST /v1/templates` and its alias `POST /v1/media/render-og`: [`RenderTemplate`] →
//! [`RenderedTemplate`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::{CallOptions, Client};
use crate::endpoint::Endpoint;
use crate::error::Result;
use crate::response::Response;
use crate::validate::{self, invalid};

pub(crate) use crate::endpoint::RENDER_TEMPLATE as RENDER;

pub(crate) use crate::endpoint::RENDER_OG;

/// The body of `POST /v1/templates`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderTemplate {
    /// The template, e.g. `tweetImage`.
    pub template_slug: String,
    /// Free-form template settings (a JSON object), e.g. `title`, `author`, `theme`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<Value>,
    /// Output aspect ratio.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
    /// Unknown fields, passed through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl RenderTemplate {
    /// Renders `slug` with its defaults.
    pub fn new(slug: impl Into<String>) -> Self {
        RenderTemplate {
            template_slug: slug.into(),
            config: None,
            aspect_ratio: None,
            extra: Map::new(),
        }
    }

    /// Sets `config` (must be a JSON object).
    pub fn config(mut self, config: Value) -> Self {
        self.config = Some(config);
        self
    }

    /// Sets `aspectRatio`.
    pub fn aspect_ratio(mut self, ratio: AspectRatio) -> Self {
        self.aspect_ratio = Some(ratio);
        self
    }

    /// The client-side checks [`Client::render_template`] runs before sending (a non-empty slug,
    /// `config` a JSON object if given). Sends nothing.
    pub fn validate(&self) -> Result<()> {
        validate::non_empty("templateSlug", &self.template_slug)?;
        if self.config.as_ref().is_some_and(|c| !c.is_object()) {
            return Err(invalid("config", "must be a JSON object"));
        }
        Ok(())
    }
}

/// `aspectRatio` of a render.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AspectRatio {
    /// `1:1`.
    #[serde(rename = "1:1")]
    Square,
    /// `4:5`.
    #[serde(rename = "4:5")]
    Portrait,
    /// `9:16`.
    #[serde(rename = "9:16")]
    Story,
}

/// The answer to a render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenderedTemplate {
    /// URL of the rendered image.
    pub url: String,
    /// Id of the render (`og_…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Client {
    /// `POST /v1/templates`: renders an image template. Sends no `Idempotency-Key` unless the
    /// caller gives one; retried only on connect failures and 429.
    pub fn render_template(&self, req: &RenderTemplate) -> Result<Response<RenderedTemplate>> {
        self.render_template_with(req, &CallOptions::default())
    }

    /// [`Client::render_template`] with per-call options.
    pub fn render_template_with(
        &self,
        req: &RenderTemplate,
        opts: &CallOptions,
    ) -> Result<Response<RenderedTemplate>> {
        self.render_at(&RENDER, req, opts)
    }

    /// `POST /v1/media/render-og`: the alias of [`Client::render_template`].
    pub fn render_og(&self, req: &RenderTemplate) -> Result<Response<RenderedTemplate>> {
        self.render_og_with(req, &CallOptions::default())
    }

    /// [`Client::render_og`] with per-call options.
    pub fn render_og_with(
        &self,
        req: &RenderTemplate,
        opts: &CallOptions,
    ) -> Result<Response<RenderedTemplate>> {
        self.render_at(&RENDER_OG, req, opts)
    }

    fn render_at(
        &self,
        endpoint: &Endpoint,
        req: &RenderTemplate,
        opts: &CallOptions,
    ) -> Result<Response<RenderedTemplate>> {
        req.validate()?;
        self.call(endpoint, Some(req), opts)
    }
}
