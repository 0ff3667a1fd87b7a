//! `POST /v1/templates` and its alias `POST /v1/media/render-og` (`docs/soku-api.md` §3.3).

use super::short_id;
use crate::config::TEMPLATE_SLUGS;
use crate::reply::{ApiError, ApiResult, Reply};
use crate::request::Incoming;
use crate::validate::{opt_object, opt_str, req_str};
use serde_json::json;

/// Renders a template (nothing is drawn): `{"url": "https://…png", "id": "og_…"}`.
pub(super) fn render(req: &Incoming) -> ApiResult {
    let body = req.json_object(false)?;
    let obj = body.as_object().cloned().unwrap_or_default();
    let slug = req_str(&obj, "templateSlug", "templateSlug")?;
    opt_object(&obj, "config", "config")?;
    let aspect = opt_str(&obj, "aspectRatio", "aspectRatio")?;
    if aspect.is_some_and(|a| !["1:1", "4:5", "9:16"].contains(&a)) {
        return Err(ApiError::validation(
            "aspectRatio",
            "invalid_value",
            "aspectRatio must be 1:1, 4:5 or 9:16",
        ));
    }
    if !TEMPLATE_SLUGS.contains(&slug) {
        return Err(ApiError::new(
            404,
            "template_not_found",
            format!("no template named {slug:?}"),
        )
        .detail("templateSlug", "not_found"));
    }
    let id = short_id("og_", 16);
    let url = format!("https://storage.mysoku.io/og/{id}.png");
    Ok(Reply::json(200, &json!({ "url": url, "id": id })))
}
