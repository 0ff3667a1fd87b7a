//! Batch publishing: sequential, paced by the rate-limit headers, one result per post.

use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::{MetaTrail, check_step_keys, step_opts};
use crate::client::{CallOptions, Client};
use crate::error::{Error, Result};
use crate::events::{self, Event, Level};
use crate::posts::{CreatePost, PostSubmission};
use crate::rate_limit::RateLimit;
use crate::response::{Meta, Response};

/// The longest the batch waits for a window to reset: one rate-limit window as the API
/// documents it.
const MAX_PACING_WAIT: Duration = Duration::from_secs(60);

/// A reset announced more than one window plus this far ahead is implausible (a hostile or
/// broken server, or a clock far off) and treated as unknown.
const RESET_SLACK: Duration = Duration::from_secs(5);

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

impl PublishBatch {
    /// The client-side checks each post of the batch gets before it is sent
    /// ([`CreatePost::validate`], `check_schedule` being the client's
    /// [`validate_scheduled_time`](crate::ClientBuilder::validate_scheduled_time)); the first
    /// failure is returned, prefixed with `posts[<index>]: `. Sends nothing. A batch does not
    /// stop at an invalid post: [`Client::publish_batch`] reports this same error in that
    /// post's [`BatchItem`] and goes on.
    pub fn validate(&self, check_schedule: bool) -> Result<()> {
        for (i, post) in self.posts.iter().enumerate() {
            post.validate(check_schedule)
                .map_err(|e| Error::InvalidArgument {
                    message: format!("posts[{i}]: {}", e.message()),
                    param: e.param().map(str::to_owned),
                })?;
        }
        Ok(())
    }
}

/// The outcome of one post of a batch.
///
/// Serialises as `{"index", "ok": true, "postSubmissionId", …, "pacedMs", "meta"}` on success
/// and `{"index", "ok": false, "error": {"kind", "status", "code", "message", "requestId",
/// "details", "retryAfter", "param"}, "pacedMs", "meta"}` on failure (`meta` is null when nothing was
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

/// Counts of a batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BatchSummary {
    /// Posts in the batch.
    pub total: usize,
    /// Posts accepted.
    pub succeeded: usize,
    /// Posts that failed. `total - succeeded - failed` posts were not sent (the batch was
    /// cancelled).
    pub failed: usize,
}

/// The result of [`Client::publish_batch`]: one [`BatchItem`] per post sent, in input order,
/// and a [`BatchSummary`]. Serialises as `{"results": […], "summary": {…}, "cancelled": bool}`.
#[derive(Debug, Serialize)]
pub struct BatchReport {
    /// One entry per post sent (every input post unless the batch was cancelled), in input
    /// order.
    pub results: Vec<BatchItem>,
    /// Totals over `results`.
    pub summary: BatchSummary,
    /// Whether the batch stopped early because it was cancelled ([`BatchOptions`]); the posts
    /// after the last entry of `results` were not sent.
    pub cancelled: bool,
}

/// A cancellation flag shared between threads: [`cancel`](Self::cancel) it from anywhere (a
/// signal handler's thread, a UI) and a batch holding a clone stops before its next post,
/// interrupting a pacing wait within [`CANCEL_POLL`]. Clones share the flag. Default: not
/// cancelled.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token that is not cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requests cancellation (idempotent).
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether cancellation was requested.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// How often an interruptible wait of a batch checks its [`CancelToken`] (100 ms).
pub const CANCEL_POLL: Duration = Duration::from_millis(100);

/// The per-item callback of a batch (the item and the pacing wait before the next post):
/// `Break` stops the batch before its next post.
type OnItem<'a> = Box<dyn FnMut(&BatchItem, Duration) -> ControlFlow<()> + 'a>;

/// Options of [`Client::publish_batch_with`]: the call options applied to every post, a
/// progress callback that may stop the batch, and a [`CancelToken`].
#[derive(Default)]
pub struct BatchOptions<'a> {
    call: CallOptions,
    on_item: Option<OnItem<'a>>,
    cancel: Option<CancelToken>,
}

impl<'a> BatchOptions<'a> {
    /// Default call options, no callback, no token.
    pub fn new() -> Self {
        Self::default()
    }

    /// Options applied to every post ([`CallOptions::idempotency_key`] `K` becomes `K-<i>`
    /// for post `i`). Default [`CallOptions::new`].
    pub fn call_options(mut self, opts: CallOptions) -> Self {
        self.call = opts;
        self
    }

    /// Called after each post with its [`BatchItem`]; returning [`ControlFlow::Break`] stops
    /// the batch there (the report then has `cancelled` set). Default none.
    pub fn on_item(mut self, mut f: impl FnMut(&BatchItem) -> ControlFlow<()> + 'a) -> Self {
        self.on_item = Some(Box::new(move |item, _| f(item)));
        self
    }

    /// As [`on_item`](Self::on_item), with the second argument the pacing wait the batch will
    /// make before its next post (zero when it will not wait, or after the last post): what a
    /// progress display shows while the batch is quiet. Replaces any `on_item` callback.
    /// Default none.
    pub fn on_progress(
        mut self,
        f: impl FnMut(&BatchItem, Duration) -> ControlFlow<()> + 'a,
    ) -> Self {
        self.on_item = Some(Box::new(f));
        self
    }

    /// A token another thread may cancel: the batch checks it before each post and every
    /// [`CANCEL_POLL`] while it waits for a rate-limit window. A post already in flight
    /// finishes (its own retries included, each wait bounded by `max_retry_wait`). Default
    /// none.
    pub fn cancel_token(mut self, token: CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }

    fn cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(CancelToken::is_cancelled)
    }
}

impl fmt::Debug for BatchOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchOptions")
            .field("call", &self.call)
            .field("on_item", &self.on_item.as_ref().map(|_| "<callback>"))
            .field("cancel", &self.cancel)
            .finish()
    }
}

impl Client {
    /// Publishes `posts` one after another with default options; see
    /// [`Client::publish_batch_with`].
    pub fn publish_batch(&self, posts: &[CreatePost]) -> Result<Response<BatchReport>> {
        self.publish_batch_with(posts, BatchOptions::new())
    }

    /// Publishes `posts` sequentially, calling `on_item` after each one.
    #[deprecated(
        note = "use publish_batch_with(posts, BatchOptions::new().call_options(opts).on_item(..))"
    )]
    pub fn publish_batch_with_progress(
        &self,
        posts: &[CreatePost],
        opts: &CallOptions,
        mut on_item: impl FnMut(&BatchItem),
    ) -> Result<Response<BatchReport>> {
        let opts = BatchOptions::new()
            .call_options(opts.clone())
            .on_item(|item| {
                on_item(item);
                ControlFlow::Continue(())
            });
        self.publish_batch_with(posts, opts)
    }

    /// Publishes `posts` sequentially with `opts` (call options, progress callback,
    /// cancellation).
    ///
    /// - A failure does not stop the batch: every post sent gets its [`BatchItem`], in input
    ///   order.
    /// - Pacing: before each post, if the last response said `X-RateLimit-Remaining: 0`, the
    ///   batch waits until that window's `X-RateLimit-Reset` (plus a 250 ms margin) instead of
    ///   collecting 429s, at most the client's `max_retry_wait` and at most one 60 s window. A
    ///   reset announced further ahead than one window (plus 5 s of clock slack) is not
    ///   believed: the batch does not wait, and a 429 that follows is retried by the client as
    ///   usual. Each item reports its wait in [`BatchItem::paced`]; there is no fixed delay
    ///   between posts.
    /// - Cancellation: [`BatchOptions::on_item`] returning `Break`, or the
    ///   [`BatchOptions::cancel_token`] cancelled, stops the batch before its next post; a
    ///   pacing wait is interrupted within [`CANCEL_POLL`]. The report then has `cancelled`
    ///   set, and `summary.total - summary.succeeded - summary.failed` posts were not sent.
    /// - Idempotency: with [`CallOptions::idempotency_key`] set to `K`, post `i` is sent with
    ///   the key `K-i`, so re-running the same batch with the same key publishes nothing twice;
    ///   without one, each post gets a fresh key (reused across that post's retries).
    ///
    /// The returned [`Meta`] is the last post's, with `calls` the posts sent, `attempts` summed
    /// over them and
    /// `idempotency_key` the caller's base key. The batch fails as a whole only with
    /// [`Error::InvalidArgument`] before anything is sent, when the caller's key (or a key
    /// derived from it) cannot be sent; every other failure is reported in its item, and an
    /// empty batch gives an empty report.
    pub fn publish_batch_with(
        &self,
        posts: &[CreatePost],
        mut opts: BatchOptions<'_>,
    ) -> Result<Response<BatchReport>> {
        // Item keys are `<base>-<index>`; the last index gives the longest.
        check_step_keys(
            &opts.call,
            posts.len().checked_sub(1).map(|i| format!("-{i}")),
        )?;
        let cap = self.retry_policy().max_wait.min(MAX_PACING_WAIT);
        let mut trail = MetaTrail::default();
        let mut results = Vec::with_capacity(posts.len());
        let mut cancelled = false;
        // The pacing wait before the next post, computed right after the previous answer, and
        // when it ends (a slow progress callback counts towards it).
        let mut paced = Duration::ZERO;
        let mut next_at = Instant::now();

        for (index, post) in posts.iter().enumerate() {
            let left = next_at.saturating_duration_since(Instant::now());
            if opts.cancelled() || !wait_unless_cancelled(left, opts.cancel.as_ref()) {
                cancelled = true;
                break;
            }
            let item_key = opts
                .call
                .idempotency_key
                .as_ref()
                .map(|k| format!("{k}-{index}"));
            let item_opts = step_opts(&opts.call, item_key);

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
            let next_wait = if index + 1 < posts.len() {
                pacing_wait(&trail.last().rate_limit, SystemTime::now(), cap).unwrap_or_default()
            } else {
                Duration::ZERO
            };
            next_at = Instant::now() + next_wait;
            log_item(&item, posts.len(), next_wait, &opts.call);
            let flow = match opts.on_item.as_mut() {
                Some(f) => f(&item, next_wait),
                None => ControlFlow::Continue(()),
            };
            paced = next_wait;
            results.push(item);
            if flow.is_break() && index + 1 < posts.len() {
                cancelled = true;
                break;
            }
        }

        let succeeded = results.iter().filter(|r| r.is_ok()).count();
        let summary = BatchSummary {
            total: posts.len(),
            succeeded,
            failed: results.len() - succeeded,
        };
        Ok(Response {
            data: BatchReport {
                results,
                summary,
                cancelled,
            },
            meta: trail.finish(opts.call.idempotency_key.clone()),
        })
    }
}

/// The `batch_item` event (info): index, total, ok, the submission id or the error (its
/// message, code and status), the pacing wait before the next post and the item's key.
fn log_item(item: &BatchItem, total: usize, next_wait: Duration, call: &CallOptions) {
    if !events::enabled(Level::Info) {
        return;
    }
    let err = item.error();
    let key = item
        .meta
        .as_ref()
        .and_then(|m| m.idempotency_key.as_deref())
        .or(call.idempotency_key.as_deref());
    let message = err.map(|e| e.to_string());
    let code = err.and_then(|e| e.code()).map(|c| c.as_str().to_owned());
    events::emit(&Event {
        level: Some(Level::Info),
        name: "batch_item",
        index: Some(item.index),
        total: Some(total),
        ok: Some(item.is_ok()),
        id: item.post_submission_id(),
        error: message.as_deref(),
        code: code.as_deref(),
        status: item.meta.as_ref().map(|m| m.status),
        idempotency_key: key,
        wait_ms: Some(next_wait),
        ..Event::default()
    });
}

/// Sleeps `wait` in slices of at most [`CANCEL_POLL`], returning `false` as soon as `cancel` is
/// cancelled (`true` when the whole wait passed).
fn wait_unless_cancelled(wait: Duration, cancel: Option<&CancelToken>) -> bool {
    let deadline = Instant::now() + wait;
    loop {
        if cancel.is_some_and(CancelToken::is_cancelled) {
            return false;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return true;
        }
        std::thread::sleep(left.min(CANCEL_POLL));
    }
}

/// How long to wait before the next request given the last rate-limit snapshot: until the
/// window resets when nothing is left in it, else not at all. Capped at `cap`; a reset further
/// away than one window plus [`RESET_SLACK`] is not believed (no wait).
fn pacing_wait(rl: &RateLimit, now: SystemTime, cap: Duration) -> Option<Duration> {
    if rl.remaining != Some(0) {
        return None;
    }
    let reset = UNIX_EPOCH.checked_add(Duration::from_secs(rl.reset?))?;
    let until = reset.duration_since(now).ok()?;
    if until > MAX_PACING_WAIT + RESET_SLACK {
        return None;
    }
    Some((until + RESET_MARGIN).min(cap))
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
        // A reset already past: no wait. An implausible reset (beyond one window plus the
        // slack): not believed, no wait. A plausible one: capped (e.g. by max_retry_wait).
        assert_eq!(pacing_wait(&snapshot(0, 900), now, cap), None);
        assert_eq!(pacing_wait(&snapshot(0, 1_000 + 66), now, cap), None);
        assert_eq!(pacing_wait(&snapshot(0, 9_999_999), now, cap), None);
        assert_eq!(pacing_wait(&snapshot(0, u64::MAX), now, cap), None);
        assert_eq!(pacing_wait(&snapshot(0, 1_000 + 64), now, cap), Some(cap));
        let short = Duration::from_millis(100);
        assert_eq!(pacing_wait(&snapshot(0, 1_030), now, short), Some(short));
        // Remaining 0 without a reset: nothing to pace by (the client's retry handles a 429).
        let no_reset = RateLimit {
            reset: None,
            ..snapshot(0, 0)
        };
        assert_eq!(pacing_wait(&no_reset, now, cap), None);
    }

    #[test]
    fn a_cancelled_wait_returns_early() {
        assert!(wait_unless_cancelled(Duration::from_millis(5), None));
        let token = CancelToken::new();
        let waiter = token.clone();
        let t = std::thread::spawn(move || {
            wait_unless_cancelled(Duration::from_secs(60), Some(&waiter))
        });
        std::thread::sleep(Duration::from_millis(50));
        let cancelled = Instant::now();
        token.cancel();
        assert!(!t.join().unwrap());
        // The wait polls its token often: a cancel is seen well within a second.
        let seen = cancelled.elapsed();
        assert!(seen < Duration::from_secs(1), "cancel seen after {seen:?}");
    }
}
