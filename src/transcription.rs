//! `POST /v1/ai/transcribe`: [`Transcribe`] → [`Transcription`].

use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::client::{CallOptions, Client};
use crate::error::Result;
use crate::response::Response;
use crate::validate::{self, invalid};

/// The body of `POST /v1/ai/transcribe`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transcribe {
    /// The media-library item to transcribe.
    pub media_id: String,
    /// ISO 639-1 language, e.g. `en`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The model (only `whisper-1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Duration hint for the cost estimate; whole numbers are sent without a fraction (`600`).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "whole_numbers_as_integers"
    )]
    pub duration_seconds: Option<f64>,
    /// Unknown fields, passed through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Transcribe {
    /// Transcribes `media_id` with the server's defaults.
    pub fn new(media_id: impl Into<String>) -> Self {
        Transcribe {
            media_id: media_id.into(),
            language: None,
            model: None,
            duration_seconds: None,
            extra: Map::new(),
        }
    }

    /// Sets `language`.
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }

    /// Sets `model`.
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// Sets `durationSeconds`.
    pub fn duration_seconds(mut self, secs: f64) -> Self {
        self.duration_seconds = Some(secs);
        self
    }

    /// The client-side checks [`Client::transcribe`] runs before sending (a non-empty media id,
    /// a finite non-negative duration if given). Sends nothing.
    pub fn validate(&self) -> Result<()> {
        validate::non_empty("mediaId", &self.media_id)?;
        if let Some(d) = self.duration_seconds {
            if !d.is_finite() || d < 0.0 {
                return Err(invalid("durationSeconds", "must be a non-negative number"));
            }
        }
        Ok(())
    }
}

/// The answer to `POST /v1/ai/transcribe`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transcription {
    /// Job id (`tj_…`).
    pub job_id: String,
    /// The transcript.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transcript: Option<String>,
    /// Credits charged.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "whole_numbers_as_integers"
    )]
    pub credits_debited: Option<f64>,
    /// Whether the audio is likely song lyrics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub likely_lyrics: Option<bool>,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Serialises `600.0` as `600` so bodies match the documented JSON number for number.
fn whole_numbers_as_integers<S: Serializer>(
    v: &Option<f64>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every integer below is exact
    match *v {
        Some(x) if x.fract() == 0.0 && x.abs() < EXACT => s.serialize_i64(x as i64),
        Some(x) => s.serialize_f64(x),
        None => s.serialize_none(),
    }
}

pub(crate) use crate::endpoint::TRANSCRIBE;

impl Client {
    /// `POST /v1/ai/transcribe`. Always sends an `Idempotency-Key` (a repeat with the same key
    /// returns the original result without a second charge).
    pub fn transcribe(&self, req: &Transcribe) -> Result<Response<Transcription>> {
        self.transcribe_with(req, &CallOptions::default())
    }

    /// [`Client::transcribe`] with per-call options.
    pub fn transcribe_with(
        &self,
        req: &Transcribe,
        opts: &CallOptions,
    ) -> Result<Response<Transcription>> {
        req.validate()?;
        self.call(&TRANSCRIBE, Some(req), opts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_durations_are_integers() {
        let t = Transcribe::new("m").duration_seconds(600.0);
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"mediaId":"m","durationSeconds":600}"#
        );
        let t = Transcribe::new("m").duration_seconds(12.5);
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"mediaId":"m","durationSeconds":12.5}"#
        );
    }
}
