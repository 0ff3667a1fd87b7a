//! Two-step publishing that is safe to retry: import media then publish, render a template then
//! publish.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::{MetaTrail, check_step_keys, step_opts};
use crate::client::{CallOptions, Client};
use crate::error::{Error, Result};
use crate::media::{UploadMedia, UploadedMedia};
use crate::posts::{CreatePost, MediaType, PostBody, PostSubmission};
use crate::response::Response;
use crate::templates::{RenderTemplate, RenderedTemplate};
use crate::validate;

/// Stands in for the rendered image while a template post is checked before rendering.
const PLACEHOLDER_IMAGE: &str = "https://storage.mysoku.io/og/placeholder.png";

/// The input of [`Client::publish_with_media`]:
/// `{"sourceUrls": ["https://…"], "post": {"content": <PostContent>}, "scheduledTime"?: "…"}`,
/// with `post` shaped exactly as in the body of [`Client::create_post`].
///
/// Any other field (e.g. `enableRepurposing`, `trial_reel`) is passed through unchanged to the
/// post request's top level.
///
/// **Deprecated input form:** `"post": <PostContent>` (the content object itself, recognised by
/// a `platform` field and no `content` field) is still read as `"post": {"content": …}`; it will
/// stop being accepted in a later version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishWithMedia {
    /// Public http(s) URLs to import through `/v1/media`, in order. At least one; exactly one for
    /// a video post.
    pub source_urls: Vec<String>,
    /// The post, without the hosted URLs: `mediaType` `"video"` gets `post.content.videoUrl` =
    /// the hosted URL, `"image"` (the default when absent) gets `post.content.imageUrls` = all
    /// hosted URLs.
    #[serde(deserialize_with = "post_body")]
    pub post: PostBody,
    /// When to publish (RFC 3339, at least 60 s ahead). Default: none (publish now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_time: Option<String>,
    /// Further top-level fields of the post request, passed through unchanged. Default empty.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl PublishWithMedia {
    /// Imports `source_urls`, then publishes `post` (a [`PostContent`](crate::PostContent) or a
    /// [`PostBody`]) with the hosted URLs.
    pub fn new(
        source_urls: impl IntoIterator<Item = impl Into<String>>,
        post: impl Into<PostBody>,
    ) -> PublishWithMedia {
        PublishWithMedia {
            source_urls: source_urls.into_iter().map(Into::into).collect(),
            post: post.into(),
            scheduled_time: None,
            extra: Map::new(),
        }
    }

    /// Schedules the post (RFC 3339, at least 60 s ahead).
    pub fn scheduled_time(mut self, time: impl Into<String>) -> PublishWithMedia {
        self.scheduled_time = Some(time.into());
        self
    }

    /// The checks [`Client::publish_with_media`] runs before its first request, the post it
    /// will send included (with the source URLs standing in for the hosted ones):
    /// `check_schedule` is the client's
    /// [`validate_scheduled_time`](crate::ClientBuilder::validate_scheduled_time). Sends
    /// nothing.
    pub fn validate(&self, check_schedule: bool) -> Result<()> {
        let media_type = self.post.content.media_type.unwrap_or(MediaType::Image);
        check_media_request(self, &media_type)?;
        // What would be rejected after the imports is rejected now.
        self.post_request(self.source_urls.clone())
            .validate(check_schedule)
    }

    /// The `POST /v1/posts` body this workflow sends once the media are hosted at `hosted`:
    /// `post` with `mediaType` (default `"image"`), `videoUrl` = the first URL for a video or
    /// `imageUrls` = all of them, plus `scheduledTime` and the passed-through fields. Sends
    /// nothing (e.g. for a dry run).
    pub fn post_request(&self, hosted: Vec<String>) -> CreatePost {
        let media_type = self.post.content.media_type.unwrap_or(MediaType::Image);
        let post = with_media(&self.post, &media_type, hosted);
        post_request(post, &self.scheduled_time, &self.extra)
    }
}

/// The result of [`Client::publish_with_media`]: `{"media": [<UploadedMedia>…], "post": <PostSubmission>}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedWithMedia {
    /// The imported media, in the order of `sourceUrls`.
    pub media: Vec<UploadedMedia>,
    /// The accepted post.
    pub post: PostSubmission,
}

/// The input of [`Client::publish_with_template`]:
/// `{"template": <RenderTemplate>, "post": {"content": <PostContent>}, "scheduledTime"?: "…"}`,
/// with `post` shaped exactly as in the body of [`Client::create_post`].
///
/// Any other field is passed through unchanged to the post request's top level.
///
/// **Deprecated input form:** `"post": <PostContent>`, as for [`PublishWithMedia`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishWithTemplate {
    /// The template to render (`POST /v1/templates`).
    pub template: RenderTemplate,
    /// The post, without the image: it is published as an image post with
    /// `post.content.imageUrls` = the rendered image's URL (`mediaType` must be absent or
    /// `"image"`).
    #[serde(deserialize_with = "post_body")]
    pub post: PostBody,
    /// When to publish (RFC 3339, at least 60 s ahead). Default: none (publish now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_time: Option<String>,
    /// Further top-level fields of the post request, passed through unchanged. Default empty.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl PublishWithTemplate {
    /// Renders `template`, then publishes `post` (a [`PostContent`](crate::PostContent) or a
    /// [`PostBody`]) with the rendered image.
    pub fn new(template: RenderTemplate, post: impl Into<PostBody>) -> PublishWithTemplate {
        PublishWithTemplate {
            template,
            post: post.into(),
            scheduled_time: None,
            extra: Map::new(),
        }
    }

    /// Schedules the post (RFC 3339, at least 60 s ahead).
    pub fn scheduled_time(mut self, time: impl Into<String>) -> PublishWithTemplate {
        self.scheduled_time = Some(time.into());
        self
    }

    /// The checks [`Client::publish_with_template`] runs before its first request, the post it
    /// will send included (with a placeholder image URL): `check_schedule` is the client's
    /// [`validate_scheduled_time`](crate::ClientBuilder::validate_scheduled_time). Sends
    /// nothing.
    pub fn validate(&self, check_schedule: bool) -> Result<()> {
        validate::non_empty("template.templateSlug", &self.template.template_slug)?;
        self.template.validate()?;
        if matches!(
            self.post.content.media_type,
            Some(MediaType::Text | MediaType::Video)
        ) {
            return Err(validate::invalid(
                "post.content.mediaType",
                "must be \"image\" (or absent) for a template post",
            ));
        }
        if self.post.content.image_urls.is_some() {
            return Err(validate::invalid(
                "post.content.imageUrls",
                "is filled with the rendered image; leave it out",
            ));
        }
        self.post_request(PLACEHOLDER_IMAGE)
            .validate(check_schedule)
    }

    /// The `POST /v1/posts` body this workflow sends once the template is rendered at
    /// `image_url`: `post` as an image post with `imageUrls` = `[image_url]`, plus
    /// `scheduledTime` and the passed-through fields. Sends nothing (e.g. for a dry run).
    pub fn post_request(&self, image_url: impl Into<String>) -> CreatePost {
        let post = with_media(&self.post, &MediaType::Image, vec![image_url.into()]);
        post_request(post, &self.scheduled_time, &self.extra)
    }
}

/// The result of [`Client::publish_with_template`]: `{"template": <RenderedTemplate>, "post": <PostSubmission>}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedWithTemplate {
    /// The rendered image.
    pub template: RenderedTemplate,
    /// The accepted post.
    pub post: PostSubmission,
}

impl Client {
    /// Imports every `req.source_urls` entry through `/v1/media`, then publishes `req.post`
    /// with the hosted URLs (`videoUrl` for a video, `imageUrls` for images).
    ///
    /// One call that is safe to retry: the imports are sent with the idempotency keys
    /// `<base>:media:<i>` and the post with `<base>:post`, where `<base>` is
    /// `opts.idempotency_key` or a fresh UUIDv4 (returned in the meta's `idempotency_key`).
    /// Running it again with the same base key imports nothing twice and publishes nothing
    /// twice. The input, including the post it will send, is checked before anything is sent.
    ///
    /// **On failure, retry the whole call with `opts.idempotency_key` = the error's
    /// `meta().idempotency_key`** (C ABI / Python: options `idempotencyKey` = the error JSON's
    /// `meta.idempotencyKey`): a failed step's error carries the base key, not the step's own
    /// key, so a retry reuses every step key and repeats nothing already done.
    pub fn publish_with_media(
        &self,
        req: &PublishWithMedia,
        opts: &CallOptions,
    ) -> Result<Response<PublishedWithMedia>> {
        req.validate(self.validates_scheduled_time())?;
        // The longest media suffix is the last one's.
        let last_media = format!(":media:{}", req.source_urls.len().saturating_sub(1));
        check_step_keys(opts, [last_media.as_str(), ":post"])?;
        let base = self.base_key(opts);
        let mut trail = MetaTrail::default();

        let mut media = Vec::with_capacity(req.source_urls.len());
        for (i, url) in req.source_urls.iter().enumerate() {
            let upload = UploadMedia::new(url.clone());
            let resp = self
                .upload_media_with(&upload, &step_opts(opts, Some(format!("{base}:media:{i}"))))
                .map_err(|e| with_base_key(e, &base))?;
            trail.record(&resp.meta);
            media.push(resp.data);
        }

        let hosted = media.iter().map(|m| m.url.clone()).collect();
        let post = req.post_request(hosted);
        let resp = self
            .create_post_with(&post, &step_opts(opts, Some(format!("{base}:post"))))
            .map_err(|e| with_base_key(e, &base))?;
        trail.record(&resp.meta);

        Ok(Response {
            data: PublishedWithMedia {
                media,
                post: resp.data,
            },
            meta: trail.finish(Some(base)),
        })
    }

    /// Renders `req.template` (`POST /v1/templates`), then publishes `req.post` as an image
    /// post with the rendered image.
    ///
    /// Safe to retry: the post is sent with the idempotency key `<base>:post`, where `<base>`
    /// is `opts.idempotency_key` or a fresh UUIDv4 (returned in the meta's
    /// `idempotency_key`), so running it again with the same base key never publishes twice.
    /// The input, including the post it will send, is checked before anything is sent.
    /// (Rendering has no idempotency key; should a server render a different URL on the second
    /// run, it answers the post with `409 idempotency_conflict` rather than publishing again.)
    ///
    /// **On failure, retry the whole call with `opts.idempotency_key` = the error's
    /// `meta().idempotency_key`** (C ABI / Python: options `idempotencyKey` = the error JSON's
    /// `meta.idempotencyKey`): a failed step's error carries the base key, not the step's own.
    pub fn publish_with_template(
        &self,
        req: &PublishWithTemplate,
        opts: &CallOptions,
    ) -> Result<Response<PublishedWithTemplate>> {
        req.validate(self.validates_scheduled_time())?;
        check_step_keys(opts, [":post"])?;
        let base = self.base_key(opts);
        let mut trail = MetaTrail::default();

        let rendered = self
            .render_template_with(&req.template, &step_opts(opts, None))
            .map_err(|e| with_base_key(e, &base))?;
        trail.record(&rendered.meta);
        let rendered = rendered.data;

        let post = req.post_request(rendered.url.clone());
        let resp = self
            .create_post_with(&post, &step_opts(opts, Some(format!("{base}:post"))))
            .map_err(|e| with_base_key(e, &base))?;
        trail.record(&resp.meta);

        Ok(Response {
            data: PublishedWithTemplate {
                template: rendered,
                post: resp.data,
            },
            meta: trail.finish(Some(base)),
        })
    }
}

/// Rejects what would fail only after media were imported.
fn check_media_request(req: &PublishWithMedia, media_type: &MediaType) -> Result<()> {
    if req.source_urls.is_empty() {
        return Err(validate::invalid("sourceUrls", "must not be empty"));
    }
    for (i, url) in req.source_urls.iter().enumerate() {
        validate::http_url(format_args!("sourceUrls[{i}]"), url)?;
    }
    match media_type {
        MediaType::Text => Err(validate::invalid(
            "post.content.mediaType",
            "must be \"image\" or \"video\" for a post with media",
        )),
        MediaType::Video if req.source_urls.len() != 1 => Err(validate::invalid(
            "sourceUrls",
            "must hold exactly one url for a video post",
        )),
        MediaType::Video if req.post.content.video_url.is_some() => Err(validate::invalid(
            "post.content.videoUrl",
            "is filled with the imported video; leave it out",
        )),
        MediaType::Image if req.post.content.image_urls.is_some() => Err(validate::invalid(
            "post.content.imageUrls",
            "is filled with the imported images; leave it out",
        )),
        _ => Ok(()),
    }
}

/// `post` with `media_type` and the media URLs: `videoUrl` = the first for a video, else
/// `imageUrls` = all.
fn with_media(post: &PostBody, media_type: &MediaType, urls: Vec<String>) -> PostBody {
    let mut post = post.clone();
    let content = &mut post.content;
    if *media_type == MediaType::Video {
        content.video_url = urls.into_iter().next();
    } else {
        content.image_urls = Some(urls);
    }
    content.media_type = Some(*media_type);
    post
}

/// Reads `post` as `{"content": {...}, ...}` (the create-post shape) or, deprecated, as the
/// content object itself: an object with a `platform` field and no `content` field.
fn post_body<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<PostBody, D::Error> {
    let value = Value::deserialize(d)?;
    let value = match value {
        Value::Object(map) if map.contains_key("platform") && !map.contains_key("content") => {
            serde_json::json!({ "content": map })
        }
        other => other,
    };
    PostBody::deserialize(value).map_err(serde::de::Error::custom)
}

/// `err` with the workflow's base key as its meta's idempotency key (instead of the failed
/// step's own key), so that a caller can retry the whole call with it.
fn with_base_key(mut err: Error, base: &str) -> Error {
    if let Some(meta) = err.meta_mut() {
        meta.idempotency_key = Some(base.to_owned());
    }
    err
}

/// The post request of a workflow: its content, schedule and passed-through fields.
fn post_request(
    post: PostBody,
    scheduled_time: &Option<String>,
    extra: &Map<String, Value>,
) -> CreatePost {
    CreatePost {
        post,
        scheduled_time: scheduled_time.clone(),
        extra: extra.clone(),
        ..CreatePost::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::posts::PostContent;

    #[test]
    fn request_json_round_trips_with_extra_fields() {
        let json = r#"{"sourceUrls": ["https://example.com/a.mp4"],
                       "post": {"content": {"text": "t", "mediaType": "video", "platform": ["youtube"]},
                                "postField": 1},
                       "scheduledTime": "2030-01-01T00:00:00Z", "trial_reel": true}"#;
        let req: PublishWithMedia = serde_json::from_str(json).unwrap();
        assert_eq!(req.source_urls, ["https://example.com/a.mp4"]);
        assert_eq!(req.post.content.media_type, Some(MediaType::Video));
        assert_eq!(req.extra.get("trial_reel"), Some(&Value::Bool(true)));
        let post = post_request(req.post.clone(), &req.scheduled_time, &req.extra);
        let wire = serde_json::to_value(&post).unwrap();
        assert_eq!(wire["trial_reel"], Value::Bool(true));
        assert_eq!(wire["scheduledTime"], "2030-01-01T00:00:00Z");
        assert_eq!(wire["post"]["postField"], 1);
        assert_eq!(wire["post"]["content"]["platform"][0], "youtube");
        // Serialised back, the input has the create-post shape.
        let again = serde_json::to_value(&req).unwrap();
        assert_eq!(again["post"]["content"]["mediaType"], "video");
    }

    #[test]
    fn deprecated_content_as_post_reads_like_the_create_post_shape() {
        let current = r#"{"template": {"templateSlug": "tweetImage"},
                          "post": {"content": {"text": "t", "platform": ["x"]}}}"#;
        let deprecated = r#"{"template": {"templateSlug": "tweetImage"},
                             "post": {"text": "t", "platform": ["x"]}}"#;
        let current: PublishWithTemplate = serde_json::from_str(current).unwrap();
        let deprecated: PublishWithTemplate = serde_json::from_str(deprecated).unwrap();
        assert_eq!(current, deprecated);
        assert_eq!(current.post.content.text.as_deref(), Some("t"));
        assert!(current.post.extra.is_empty());

        let media = r#"{"sourceUrls": ["https://a/1"], "post": {"platform": ["x"], "text": "t"}}"#;
        let media: PublishWithMedia = serde_json::from_str(media).unwrap();
        assert_eq!(
            media.post,
            PostBody::from(PostContent::new(["x"]).text("t"))
        );

        // Neither shape: the error names what is missing.
        for bad in [
            r#"{"sourceUrls": ["https://a/1"], "post": {"text": "t"}}"#,
            r#"{"sourceUrls": ["https://a/1"], "post": {"platform": ["x"], "content": 5}}"#,
            r#"{"sourceUrls": ["https://a/1"], "post": 5}"#,
        ] {
            let err = serde_json::from_str::<PublishWithMedia>(bad).unwrap_err();
            assert!(
                err.to_string().contains("content") || err.to_string().contains("invalid type"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn unusable_input_is_rejected_before_any_import() {
        let image = PostContent::new(["x"]).text("t");
        let video = image.clone().media_type(MediaType::Video);
        let cases = [
            (
                PublishWithMedia::new(Vec::<String>::new(), image.clone()),
                "sourceUrls must not be empty",
            ),
            (
                PublishWithMedia::new(["ftp://a/b"], image.clone()),
                "sourceUrls[0] must be an http(s) URL",
            ),
            (
                PublishWithMedia::new(["https://a/1", "https://a/2"], video.clone()),
                "sourceUrls must hold exactly one url for a video post",
            ),
            (
                PublishWithMedia::new(["https://a/1"], image.clone().media_type(MediaType::Text)),
                "post.content.mediaType must be \"image\" or \"video\" for a post with media",
            ),
            (
                PublishWithMedia::new(["https://a/1"], image.clone().image_urls(["https://b/1"])),
                "post.content.imageUrls is filled with the imported images; leave it out",
            ),
        ];
        for (req, want) in cases {
            let media_type = req.post.content.media_type.unwrap_or(MediaType::Image);
            let err = check_media_request(&req, &media_type).unwrap_err();
            assert!(matches!(err, Error::InvalidArgument { .. }));
            assert_eq!(err.message(), want);
        }
    }
}
