//! Batch publishing: sequential, paced by the rate-limit headers, one result per post.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use super::{MetaTrail, check_step_keys, error_object, step_opts};
use crate::client::{CallOptions, Client};
use crate::error::{Error, Result};
use crate::posts::{CreatePost, PostSubmission};
use crate::rate_limit::RateLimit;
use crate::response::{Meta, Response};

/// The longest the batch waits for a window to reset: one rate-limit window as the API
/// documents it (a reset announced further away than that is not believed).
const MAX_PACING_WAIT: Duration = Duration::from_secs(60);

/// Added to the wait for a window reset: `X-RateLimit-Reset` is in whole seconds and the
/// server's clock may be a little behind ours.
const RESET_MARGIN: Duration = Duration::from_millis(250);

/// The request of a batch as the C ABI and Python receive it: `{"posts": [<create-post body>, …]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishBatch {
    /// The posts, published in this order. Required (may be empty).
    pub posts: Vec<CreatePost>,
}

/// The outcome of one post of a batch.
///
/// Serialises as `{"index", "ok": true, "postSubmissionId", …, "pacedMs", "meta"}` on success
/// and `{"index", "ok": false, "error": {"kind", "status", "code", "message", "requestId",
/// "details", "retryAfter"}, "pacedMs", "meta"}` on failure (`meta` is null when nothing was
/// sent). `pacedMs` is [`BatchItem::paced`] in whole milliseconds (rounded down).
#[derive(Debug)]
pub struct BatchItem {
    /// Position of the post in the input.
    pub index: usize,
    /// The accepted submission, or why this post failed.
    pub result: std::result::Result<PostSubmission, Error>,
    /// Metadata of the call; `None` when nothing was sent (client-side validation failed).
    pub meta: Option<Meta>,
    /// How long the batch waited for the rate-limit window to reset before sending this post
    /// (the wait it computed from the previous answer's `X-RateLimit-*` headers); zero when it
    /// did not wait. Retry waits of the client are not included.
    pub paced: Duration,
}

impl BatchItem {
    /// Whether the post was accepted.
    pub fn is_ok(&self) -> bool {
        self.result.is_ok()
    }

    /// The server's `postSubmissionId`, if the post was accepted.
    pub fn post_submission_id(&self) -> Option<&str> {
        self.result
            .as_ref()
            .ok()
            .map(|s| s.post_submission_id.as_str())
    }

    /// The error, if the post failed.
    pub fn error(&self) -> Option<&Error> {
        self.result.as_ref().err()
    }
}

impl Serialize for BatchItem {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("index", &self.index)?;
        map.serialize_entry("ok", &self.is_ok())?;
        match &self.result {
            Ok(submission) => {
                // The submission's own fields (postSubmissionId and any the server added).
                match serde_json::to_value(submission).map_err(serde::ser::Error::custom)? {
                    serde_json::Value::Object(fields) => {
                        for (k, v) in &fields {
                            if !matches!(k.as_str(), "index" | "ok" | "meta" | "error" | "pacedMs")
                            {
                                map.serialize_entry(k, v)?;
                            }
                        }
                    }
                    other => map.serialize_entry("postSubmission", &other)?,
                }
            }
            Err(err) => map.serialize_entry("error", &error_object(err))?,
        }
        let paced_ms = u64::try_from(self.paced.as_millis()).unwrap_or(u64::MAX);
        map.serialize_entry("pacedMs", &paced_ms)?;
        map.serialize_entry("meta", &self.meta)?;
        map.end()
    }
}

/// Counts of a batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BatchSummary {
    /// Posts in the batch.
    pub total: usize,
    /// Posts accepted.
    pub succeeded: usize,
    /// Posts that failed.
    pub failed: usize,
}

/// The result of [`Client::publish_batch`]: one [`BatchItem`] per input post, in input order,
/// and a [`BatchSummary`]. Serialises as `{"results": […], "summary": {…}}`.
#[derive(Debug, Serialize)]
pub struct BatchReport {
    /// One entry per input post, in input order.
    pub results: Vec<BatchItem>,
    /// Totals over `results`.
    pub summary: BatchSummary,
}

impl Client {
    /// Publishes `posts` one after another; see [`Client::publish_batch_with_progress`].
    pub fn publish_batch(
        &self,
        posts: &[CreatePost],
        opts: &CallOptions,
    ) -> Result<Response<BatchReport>> {
        self.publish_batch_with_progress(posts, opts, |_| {})
    }

    /// Publishes `posts` sequentially, calling `on_item` after each one.
    ///
    /// - A failure does not stop the batch: every post gets its [`BatchItem`], in input order.
    /// - Pacing: before each post, if the last response said `X-RateLimit-Remaining: 0`, the
    ///   batch sleeps until that window's `X-RateLimit-Reset` (plus a 250 ms margin, at most
    ///   60 s, the API's window length) instead of collecting 429s; each item reports that wait
    ///   in [`BatchItem::paced`]. There is no fixed delay between posts. A 429 that happens
    ///   anyway is retried by the client as usual.
    /// - Idempotency: with [`CallOptions::idempotency_key`] set to `K`, post `i` is sent with
    ///   the key `K-i`, so re-running the same batch with the same key publishes nothing twice;
    ///   without one, each post gets a fresh key (reused across that post's retries).
    /// - The other options apply to every post.
    ///
    /// The returned [`Meta`] is the last post's, with `attempts` summed over the batch and
    /// `idempotency_key` the caller's base key. The batch as a whole does not fail: every
    /// failure is reported in its item, and an empty batch gives an empty report.
    pub fn publish_batch_with_progress(
        &self,
        posts: &[CreatePost],
        opts: &CallOptions,
        mut on_item: impl FnMut(&BatchItem),
    ) -> Result<Response<BatchReport>> {
        // Item keys are `<base>-<index>`; the last index gives the longest.
        check_step_keys(opts, posts.len().checked_sub(1).map(|i| format!("-{i}")))?;
        let mut trail = MetaTrail::default();
        let mut results = Vec::with_capacity(posts.len());

        for (index, post) in posts.iter().enumerate() {
            let paced = pacing_wait(&trail.last().rate_limit, SystemTime::now(), MAX_PACING_WAIT)
                .unwrap_or_default();
            if !paced.is_zero() {
                std::thread::sleep(paced);
            }
            let item_key = opts
                .idempotency_key
                .as_ref()
                .map(|k| format!("{k}-{index}"));
            let item_opts = step_opts(opts, item_key);

            let item = match self.create_post_with(post, &item_opts) {
                Ok(resp) => BatchItem {
                    index,
                    meta: Some(resp.meta),
                    result: Ok(resp.data),
                    paced,
                },
                Err(err) => BatchItem {
                    index,
                    meta: err.meta().cloned(),
                    result: Err(err),
                    paced,
                },
            };
            if let Some(meta) = &item.meta {
                trail.record(meta);
            }
            on_item(&item);
            results.push(item);
        }

        let succeeded = results.iter().filter(|r| r.is_ok()).count();
        let summary = BatchSummary {
            total: results.len(),
            succeeded,
            failed: results.len() - succeeded,
        };
        Ok(Response {
            data: BatchReport { results, summary },
            meta: trail.finish(opts.idempotency_key.clone()),
        })
    }
}

/// How long to wait before the next request given the last rate-limit snapshot: until the
/// window resets when nothing is left in it, else not at all. Capped at `cap`.
fn pacing_wait(rl: &RateLimit, now: SystemTime, cap: Duration) -> Option<Duration> {
    if rl.remaining != Some(0) {
        return None;
    }
    let reset = UNIX_EPOCH
        .checked_add(Duration::from_secs(rl.reset?))
        .and_then(|t| t.checked_add(RESET_MARGIN));
    match reset {
        Some(reset) => Some(reset.duration_since(now).ok()?.min(cap)),
        None => Some(cap), // a reset beyond what the clock can represent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(remaining: u64, reset: u64) -> RateLimit {
        RateLimit {
            limit: Some(30),
            remaining: Some(remaining),
            reset: Some(reset),
            tier: None,
        }
    }

    #[test]
    fn waits_only_when_the_window_is_used_up() {
        let now = UNIX_EPOCH + Duration::from_millis(1_000_400);
        let cap = Duration::from_secs(60);
        assert_eq!(pacing_wait(&snapshot(1, 1_002), now, cap), None);
        assert_eq!(pacing_wait(&RateLimit::default(), now, cap), None);
        assert_eq!(
            pacing_wait(&snapshot(0, 1_002), now, cap),
            Some(Duration::from_millis(1_600) + RESET_MARGIN)
        );
        // A reset already past: no wait. A hostile reset: capped.
        assert_eq!(pacing_wait(&snapshot(0, 900), now, cap), None);
        assert_eq!(pacing_wait(&snapshot(0, 9_999_999), now, cap), Some(cap));
        assert_eq!(pacing_wait(&snapshot(0, u64::MAX), now, cap), Some(cap));
        // Remaining 0 without a reset: nothing to pace by (the client's retry handles a 429).
        let no_reset = RateLimit {
            reset: None,
            ..snapshot(0, 0)
        };
        assert_eq!(pacing_wait(&no_reset, now, cap), None);
    }
}
