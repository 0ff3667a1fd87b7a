//! `POST /v1/media` (`docs/soku-api.md` §3.2): import media from a public URL.

use super::{idempotency_key, short_id};
use crate::reply::{ApiError, ApiResult, Reply};
use crate::request::Incoming;
use crate::state::State;
use crate::validate::{check_url, req_str};
use serde_json::json;

/// Imports `url` (nothing is downloaded): 201 `{"url", "id"}` on the sandbox storage host.
/// Without an `Idempotency-Key` the key is derived from the body, as the API does, so the
/// same source imported twice gives the same hosted URL.
pub(super) fn upload(st: &mut State, req: &Incoming, account: &str) -> ApiResult {
    let body = req.json_object(false)?;
    let derived;
    let key = match idempotency_key(req)? {
        Some(k) => k,
        None => {
            derived = format!("derived:{body}");
            &derived
        }
    };
    st.idempotent((account, "media", Some(key)), &body, |_| {
        let obj = body.as_object().cloned().unwrap_or_default();
        let url = req_str(&obj, "url", "url")?;
        let host = check_url(url, "url")?;
        if host == "invalid" || host.ends_with(".invalid") {
            return Err(ApiError::new(
                400,
                "upload_failed",
                format!("could not download media from {host}"),
            ));
        }
        let id = short_id("media_", 12);
        let hosted = format!("https://storage.mysoku.io/media/{id}/{}", file_name(url));
        Ok(Reply::json(201, &json!({ "url": hosted, "id": id })))
    })
}

/// The last path segment of a URL, reduced to safe characters (`upload` when empty).
fn file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let after_host = path.splitn(4, '/').nth(3).unwrap_or("");
    let last = after_host.rsplit('/').next().unwrap_or("");
    let safe: String = last
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    if safe.is_empty() {
        "upload".into()
    } else {
        safe
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names() {
        assert_eq!(
            super::file_name("https://example.com/videos/demo.mp4?x=1"),
            "demo.mp4"
        );
        assert_eq!(super::file_name("https://example.com"), "upload");
        assert_eq!(super::file_name("https://example.com/a/"), "upload");
    }
}
