//! `POST /v1/posts` (`docs/soku-api.md` §3.1).

use super::idempotency_key;
use crate::config::Config;
use crate::reply::{ApiError, ApiResult, Reply};
use crate::request::Incoming;
use crate::state::State;
use crate::validate::{
    check_url, invalid_type, opt_bool, opt_str, opt_url_list, req_object, req_str, required,
};
use serde_json::{Map, Value, json};
use std::time::SystemTime;

const PLATFORMS: [&str; 7] = [
    "x",
    "threads",
    "linkedin",
    "instagram",
    "facebook",
    "tiktok",
    "youtube",
];

/// Accepts a post: validates it, records the submission once per idempotency key.
pub(super) fn create(st: &mut State, cfg: &Config, req: &Incoming, account: &str) -> ApiResult {
    let body = req.json_object(false)?;
    let key = idempotency_key(req)?;
    st.idempotent((account, "posts", key), &body, |st| {
        validate(cfg, &body)?;
        st.submit(body.clone());
        let id = uuid::Uuid::new_v4().to_string();
        Ok(Reply::json(200, &json!({ "postSubmissionId": id })))
    })
}

/// A platform name as the API knows it (`twitter` is `x`).
fn platform_name(name: &str, field: &str) -> Result<&'static str, ApiError> {
    let lower = name.trim().to_ascii_lowercase();
    let lower = if lower == "twitter" {
        "x".to_string()
    } else {
        lower
    };
    PLATFORMS
        .iter()
        .copied()
        .find(|p| *p == lower)
        .ok_or_else(|| {
            ApiError::validation(
                field,
                "unknown_platform",
                format!("{field}: unknown platform {name:?}"),
            )
        })
}

/// One entry of `post.content.platform`: (its field path, platform, accountId).
type Target<'a> = (String, &'static str, Option<&'a str>);

/// The targets of `post.content.platform`.
fn targets(content: &Map<String, Value>) -> Result<Vec<Target<'_>>, ApiError> {
    let field = "post.content.platform";
    let entries = match content.get("platform") {
        None | Some(Value::Null) => return Err(required(field)),
        Some(Value::Array(a)) => a,
        Some(_) => return Err(invalid_type(field, "an array")),
    };
    if entries.is_empty() {
        return Err(ApiError::validation(
            field,
            "empty",
            format!("{field} must not be empty"),
        ));
    }
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let f = format!("{field}[{i}]");
            match entry {
                Value::String(name) => Ok((f.clone(), platform_name(name, &f)?, None)),
                Value::Object(o) => {
                    let name = req_str(o, "platform", &format!("{f}.platform"))?;
                    let platform = platform_name(name, &format!("{f}.platform"))?;
                    let account = opt_str(o, "accountId", &format!("{f}.accountId"))?;
                    Ok((f, platform, account))
                }
                _ => Err(invalid_type(&f, "a platform name or {platform, accountId}")),
            }
        })
        .collect()
}

/// The validation of `docs/soku-api.md` §3.1, then account resolution (`missing_integrations`,
/// `missing_account`).
fn validate(cfg: &Config, body: &Value) -> Result<(), ApiError> {
    let empty = Map::new();
    let root = body.as_object().unwrap_or(&empty);
    let post = req_object(root, "post", "post")?;
    let content = req_object(post, "content", "post.content")?;
    let targets = targets(content)?;
    let media_type = opt_str(content, "mediaType", "post.content.mediaType")?;
    if media_type.is_some_and(|mt| !["text", "image", "video"].contains(&mt)) {
        return Err(ApiError::validation(
            "post.content.mediaType",
            "invalid_value",
            "post.content.mediaType must be text, image or video",
        ));
    }
    let text = opt_str(content, "text", "post.content.text")?;
    let needs_text = media_type == Some("text")
        || targets
            .iter()
            .any(|(_, p, _)| matches!(*p, "x" | "threads"));
    if needs_text && text.is_none_or(|t| t.trim().is_empty()) {
        return Err(required("post.content.text"));
    }
    opt_url_list(content, "mediaUrls", "post.content.mediaUrls")?;
    opt_url_list(content, "imageUrls", "post.content.imageUrls")?;
    if let Some(url) = opt_str(content, "videoUrl", "post.content.videoUrl")? {
        check_url(url, "post.content.videoUrl")?;
    }
    if let Some(when) = opt_str(root, "scheduledTime", "scheduledTime")? {
        check_scheduled_time(cfg, when)?;
    }
    opt_bool(root, "enableRepurposing", "enableRepurposing")?;
    opt_bool(root, "trial_reel", "trial_reel")?;
    for (field, platform, account) in targets {
        let connected = cfg
            .connections
            .get(platform)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if connected.is_empty() {
            return Err(ApiError::new(
                400,
                "missing_integrations",
                format!("no {platform} account is connected"),
            )
            .detail(&field, "not_connected"));
        }
        match account {
            None if connected.len() > 1 => {
                return Err(ApiError::new(
                    400,
                    "missing_account",
                    format!(
                        "{platform} has {} connected accounts: target one with accountId",
                        connected.len()
                    ),
                )
                .detail(&field, "account_required"));
            }
            Some(id) if !connected.iter().any(|c| c == id) => {
                return Err(ApiError::new(
                    400,
                    "missing_account",
                    format!("no connected {platform} account {id:?}"),
                )
                .detail(&format!("{field}.accountId"), "unknown_account"));
            }
            _ => {}
        }
    }
    Ok(())
}

/// `scheduledTime`: strict RFC 3339 and, unless disabled, at least 60 s in the future.
fn check_scheduled_time(cfg: &Config, when: &str) -> Result<(), ApiError> {
    let at = crate::time::parse_rfc3339(when).ok_or_else(|| {
        ApiError::validation(
            "scheduledTime",
            "invalid_format",
            "scheduledTime must be an rfc 3339 date-time",
        )
    })?;
    let now = crate::time::unix_millis(SystemTime::now());
    if cfg.check_scheduled_time && at < now + 60_000 {
        return Err(ApiError::validation(
            "scheduledTime",
            "too_soon",
            "scheduledTime must be at least 60 seconds in the future",
        ));
    }
    Ok(())
}
