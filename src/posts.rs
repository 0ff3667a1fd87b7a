//! `POST /v1/posts`: [`CreatePost`] → [`PostSubmission`].

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::{CallOptions, Client};
use crate::error::Result;
use crate::platform::PlatformTarget;
use crate::rate_limit::unix_now;
use crate::response::Response;
use crate::time;
use crate::validate::{self, invalid};

/// How far ahead a `scheduledTime` must lie, in seconds.
const MIN_SCHEDULE_AHEAD_SECS: i64 = 60;

/// The body of `POST /v1/posts`.
///
/// ```
/// use soku::{CreatePost, Platform, PlatformTarget};
/// let req = CreatePost::video(
///     "Watch our full product walkthrough",
///     "https://storage.mysoku.io/media/demo.mp4",
///     [PlatformTarget::account(Platform::Instagram, "ig_main"), Platform::YouTube.into()],
/// )
/// .scheduled_time("2030-03-09T14:00:00.000Z");
/// assert_eq!(serde_json::to_value(&req).unwrap()["post"]["content"]["mediaType"], "video");
/// ```
///
/// Or as a struct literal (every field but the content is optional):
///
/// ```
/// use soku::{CreatePost, MediaType, Platform, PostContent};
/// let req = CreatePost {
///     post: PostContent {
///         text: Some("Hello".into()),
///         media_type: Some(MediaType::Text),
///         platform: vec![Platform::X.into()],
///         ..Default::default()
///     }
///     .into(),
///     enable_repurposing: Some(true),
///     ..Default::default()
/// };
/// assert_eq!(req, CreatePost::text("Hello", [Platform::X]).enable_repurposing(true));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePost {
    /// The post.
    pub post: PostBody,
    /// When to publish (RFC 3339, at least 60 s ahead); absent = now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduled_time: Option<String>,
    /// Let Soku adapt the content per platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_repurposing: Option<bool>,
    /// Instagram trial reel (video only). Wire name `trial_reel`.
    #[serde(rename = "trial_reel", skip_serializing_if = "Option::is_none")]
    pub trial_reel: Option<bool>,
    /// Unknown fields, passed through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `post` of a [`CreatePost`]: `{"content": {...}}`. `PostContent::into()` makes one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PostBody {
    /// `post.content`.
    pub content: PostContent,
    /// Unknown fields, passed through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `post.content`: text, media and target platforms. `Default` is empty (no platform yet).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostContent {
    /// The text; required for text posts and for X / Threads targets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// `text`, `image` or `video`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<MediaType>,
    /// Media URLs (any media type).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_urls: Option<Vec<String>>,
    /// The video (with `mediaType: video`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    /// The images (with `mediaType: image`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_urls: Option<Vec<String>>,
    /// Target platforms, non-empty.
    pub platform: Vec<PlatformTarget>,
    /// Unknown fields, passed through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `post.content.mediaType`. Any other value fails to deserialise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaType {
    /// `text`.
    Text,
    /// `image`.
    Image,
    /// `video`.
    Video,
}

/// The answer to `POST /v1/posts`: the submission was accepted (publishing happens later).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostSubmission {
    /// Id of the accepted submission.
    pub post_submission_id: String,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl From<PostContent> for PostBody {
    /// `{"content": content}`, no further fields.
    fn from(content: PostContent) -> PostBody {
        PostBody {
            content,
            extra: Map::new(),
        }
    }
}

fn targets<P: Into<PlatformTarget>>(platforms: impl IntoIterator<Item = P>) -> Vec<PlatformTarget> {
    platforms.into_iter().map(Into::into).collect()
}

impl PostContent {
    /// Content targeting `platforms`, everything else absent.
    pub fn new<P: Into<PlatformTarget>>(platforms: impl IntoIterator<Item = P>) -> Self {
        PostContent {
            platform: targets(platforms),
            ..PostContent::default()
        }
    }

    /// Sets `text`.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// Sets `mediaType`.
    pub fn media_type(mut self, media_type: MediaType) -> Self {
        self.media_type = Some(media_type);
        self
    }

    /// Sets `videoUrl`.
    pub fn video_url(mut self, url: impl Into<String>) -> Self {
        self.video_url = Some(url.into());
        self
    }

    /// Sets `imageUrls`.
    pub fn image_urls<S: Into<String>>(mut self, urls: impl IntoIterator<Item = S>) -> Self {
        self.image_urls = Some(urls.into_iter().map(Into::into).collect());
        self
    }

    /// Sets `mediaUrls`.
    pub fn media_urls<S: Into<String>>(mut self, urls: impl IntoIterator<Item = S>) -> Self {
        self.media_urls = Some(urls.into_iter().map(Into::into).collect());
        self
    }
}

impl CreatePost {
    /// A post with the given content and no options.
    pub fn new(content: PostContent) -> Self {
        CreatePost {
            post: content.into(),
            ..CreatePost::default()
        }
    }

    /// A text post (`mediaType: text`).
    pub fn text<P: Into<PlatformTarget>>(
        text: impl Into<String>,
        platforms: impl IntoIterator<Item = P>,
    ) -> Self {
        Self::new(
            PostContent::new(platforms)
                .text(text)
                .media_type(MediaType::Text),
        )
    }

    /// A video post (`mediaType: video`, `videoUrl`).
    pub fn video<P: Into<PlatformTarget>>(
        text: impl Into<String>,
        video_url: impl Into<String>,
        platforms: impl IntoIterator<Item = P>,
    ) -> Self {
        Self::new(
            PostContent::new(platforms)
                .text(text)
                .media_type(MediaType::Video)
                .video_url(video_url),
        )
    }

    /// An image post (`mediaType: image`, `imageUrls`).
    pub fn images<P: Into<PlatformTarget>, S: Into<String>>(
        text: impl Into<String>,
        image_urls: impl IntoIterator<Item = S>,
        platforms: impl IntoIterator<Item = P>,
    ) -> Self {
        Self::new(
            PostContent::new(platforms)
                .text(text)
                .media_type(MediaType::Image)
                .image_urls(image_urls),
        )
    }

    /// Sets `scheduledTime` (RFC 3339, at least 60 s ahead when sent), e.g.
    /// `"2026-03-09T14:00:00.000Z"`. See also [`CreatePost::scheduled_in`] and
    /// [`CreatePost::scheduled_at`].
    pub fn scheduled_time(mut self, time: impl Into<String>) -> Self {
        self.scheduled_time = Some(time.into());
        self
    }

    /// Schedules the post `delay` from now (the local clock), formatted like
    /// [`CreatePost::scheduled_at`]: `CreatePost::text(..).scheduled_in(Duration::from_secs(3600))`
    /// publishes in one hour. Less than 60 s is rejected before sending, as the server would.
    pub fn scheduled_in(self, delay: Duration) -> Self {
        self.scheduled_at(time::from_now(delay))
    }

    /// Schedules the post at `when`, sent as an RFC 3339 UTC time with milliseconds
    /// ([`crate::time::format_rfc3339`]), e.g. `2026-03-09T14:00:00.000Z`.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use soku::{CreatePost, Platform};
    /// let when = UNIX_EPOCH + Duration::from_secs(1_773_064_800);
    /// let post = CreatePost::text("Launch day", [Platform::X]).scheduled_at(when);
    /// assert_eq!(post.scheduled_time.as_deref(), Some("2026-03-09T14:00:00.000Z"));
    /// ```
    pub fn scheduled_at(self, when: SystemTime) -> Self {
        self.scheduled_time(time::format_rfc3339(when))
    }

    /// Sets `enableRepurposing`.
    pub fn enable_repurposing(mut self, yes: bool) -> Self {
        self.enable_repurposing = Some(yes);
        self
    }

    /// Sets `trial_reel`.
    pub fn trial_reel(mut self, yes: bool) -> Self {
        self.trial_reel = Some(yes);
        self
    }

    /// Sets `post.content.mediaUrls`.
    pub fn media_urls<S: Into<String>>(mut self, urls: impl IntoIterator<Item = S>) -> Self {
        self.post.content = self.post.content.media_urls(urls);
        self
    }

    /// The client-side checks [`Client::create_post`] runs before sending (a non-empty platform
    /// list, text where a platform needs it, `http(s)` media URLs); `check_schedule` adds the
    /// `scheduledTime` rule (RFC 3339, at least 60 s ahead). Sends nothing.
    pub fn validate(&self, check_schedule: bool) -> Result<()> {
        let c = &self.post.content;
        if c.platform.is_empty() {
            return Err(invalid("post.content.platform", "must not be empty"));
        }
        for (i, target) in c.platform.iter().enumerate() {
            validate::non_empty(
                format_args!("post.content.platform[{i}]"),
                target.platform().as_str(),
            )?;
            if let PlatformTarget::Account { account_id, .. } = target {
                validate::non_empty(
                    format_args!("post.content.platform[{i}].accountId"),
                    account_id,
                )?;
            }
        }
        let has_text = c.text.as_deref().is_some_and(|t| !t.trim().is_empty());
        if !has_text {
            if c.media_type == Some(MediaType::Text) {
                return Err(invalid("post.content.text", "is required for a text post"));
            }
            if let Some(t) = c.platform.iter().find(|t| t.platform().needs_text()) {
                return Err(invalid(
                    "post.content.text",
                    &format!("is required for {} targets", t.platform()),
                ));
            }
        }
        if let Some(url) = &c.video_url {
            validate::http_url("post.content.videoUrl", url)?;
        }
        for (name, urls) in [("imageUrls", &c.image_urls), ("mediaUrls", &c.media_urls)] {
            for (i, url) in urls.iter().flatten().enumerate() {
                validate::http_url(format_args!("post.content.{name}[{i}]"), url)?;
            }
        }
        if let Some(when) = &self.scheduled_time {
            if check_schedule {
                validate_schedule(when, unix_now())?;
            }
        }
        Ok(())
    }
}

fn validate_schedule(when: &str, now: u64) -> Result<()> {
    let Some((secs, _)) = time::parse_rfc3339(when) else {
        return Err(invalid(
            "scheduledTime",
            "must be an RFC 3339 date-time such as 2026-03-09T14:00:00.000Z",
        ));
    };
    let now = i64::try_from(now).unwrap_or(i64::MAX);
    if secs < now.saturating_add(MIN_SCHEDULE_AHEAD_SECS) {
        return Err(invalid(
            "scheduledTime",
            "must be at least 60 seconds in the future",
        ));
    }
    Ok(())
}

pub(crate) use crate::endpoint::CREATE_POST as CREATE;

impl Client {
    /// `POST /v1/posts`: publishes or schedules a post. Always sends an `Idempotency-Key`.
    pub fn create_post(&self, req: &CreatePost) -> Result<Response<PostSubmission>> {
        self.create_post_with(req, &CallOptions::default())
    }

    /// [`Client::create_post`] with per-call options.
    pub fn create_post_with(
        &self,
        req: &CreatePost,
        opts: &CallOptions,
    ) -> Result<Response<PostSubmission>> {
        req.validate(self.validates_scheduled_time())?;
        self.call(&CREATE, Some(req), opts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::Platform;

    #[test]
    fn schedule_rule() {
        let now = 1_773_064_800 - 61;
        assert!(validate_schedule("2026-03-09T14:00:00.000Z", now).is_ok());
        let e = validate_schedule("2026-03-09T14:00:00.000Z", now + 2).unwrap_err();
        assert!(e.to_string().contains("at least 60 seconds"), "{e}");
        let e = validate_schedule("next monday", now).unwrap_err();
        assert!(
            e.to_string().contains("scheduledTime must be an RFC 3339"),
            "{e}"
        );
    }

    #[test]
    fn scheduled_in_is_checked_like_a_typed_time() {
        let hour = CreatePost::text("t", [Platform::X]).scheduled_in(Duration::from_secs(3600));
        let when = hour.scheduled_time.as_deref().unwrap();
        let (secs, nanos) = time::parse_rfc3339(when).unwrap();
        assert!(when.ends_with('Z') && when.len() == 24, "{when}");
        assert_eq!(nanos % 1_000_000, 0, "{when}");
        let ahead = secs - unix_now() as i64;
        assert!((3590..=3600).contains(&ahead), "{when} is {ahead} s ahead");
        assert!(hour.validate(true).is_ok());
        let soon = CreatePost::text("t", [Platform::X]).scheduled_in(Duration::from_secs(10));
        let e = soon.validate(true).unwrap_err();
        assert!(e.to_string().contains("at least 60 seconds"), "{e}");
    }

    #[test]
    fn text_rules() {
        let ok = CreatePost::images("", ["https://a/b.jpg"], [Platform::Instagram]);
        assert!(ok.validate(true).is_ok());
        let e = CreatePost::images("", ["https://a/b.jpg"], [Platform::Threads])
            .validate(true)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid argument: post.content.text is required for threads targets"
        );
        let e = CreatePost::text("  ", [Platform::LinkedIn])
            .validate(true)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid argument: post.content.text is required for a text post"
        );
    }
}
