//! `POST /v1/ai/transcribe` (`docs/soku-api.md` §3.4).

use super::{idempotency_key, short_id};
use crate::reply::{ApiError, ApiResult, Reply};
use crate::request::Incoming;
use crate::state::State;
use crate::validate::{invalid_type, opt_str, req_str};
use serde_json::{Value, json};

/// Transcribes a media item: 1 credit per started minute of `durationSeconds` (at least 1);
/// too few credits is 402 `insufficient_credits`. A repeat with the same key is not charged.
pub(super) fn create(st: &mut State, req: &Incoming, account: &str) -> ApiResult {
    let body = req.json_object(false)?;
    let key = idempotency_key(req)?;
    st.idempotent((account, "transcribe", key), &body, |st| {
        let obj = body.as_object().cloned().unwrap_or_default();
        let media_id = req_str(&obj, "mediaId", "mediaId")?;
        let iso = |l: &str| l.len() == 2 && l.bytes().all(|b| b.is_ascii_lowercase());
        if opt_str(&obj, "language", "language")?.is_some_and(|l| !iso(l)) {
            return Err(ApiError::validation(
                "language",
                "invalid_value",
                "language must be an iso 639-1 code",
            ));
        }
        if opt_str(&obj, "model", "model")?.is_some_and(|m| m != "whisper-1") {
            return Err(ApiError::validation(
                "model",
                "invalid_value",
                "model must be whisper-1",
            ));
        }
        let seconds = match obj.get("durationSeconds") {
            None | Some(Value::Null) => 0.0,
            Some(Value::Number(n)) => n
                .as_f64()
                .filter(|s| *s >= 0.0 && s.is_finite())
                .ok_or_else(|| {
                    ApiError::validation(
                        "durationSeconds",
                        "invalid_value",
                        "durationSeconds must not be negative",
                    )
                })?,
            Some(_) => return Err(invalid_type("durationSeconds", "a number")),
        };
        let cost = ((seconds / 60.0).ceil() as u64).max(1);
        let acct = st
            .accounts
            .get_mut(account)
            .ok_or_else(|| ApiError::new(500, "internal_error", "account vanished"))?;
        if acct.credits < cost {
            return Err(ApiError::new(
                402,
                "insufficient_credits",
                format!("transcription needs {cost} credits, {} left", acct.credits),
            ));
        }
        acct.credits -= cost;
        Ok(Reply::json(
            200,
            &json!({
                "jobId": short_id("tj_", 16),
                "transcript": format!("Sandbox transcript of {media_id}."),
                "creditsDebited": cost,
                "likelyLyrics": false,
            }),
        ))
    })
}
