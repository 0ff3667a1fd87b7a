//! [`RetryPolicy`]: which failures are retried, and how long to wait before the next attempt.
//!
//! Rules (the wire contract: `docs/soku-api.md` §6):
//! - 429 is retried for every endpoint, after `Retry-After` (seconds or an HTTP date), else
//!   `X-RateLimit-Reset`, else the backoff.
//! - 5xx and connections broken after the request was written are retried only for calls that are
//!   safe to repeat ([`Class::Keyed`] and [`Class::Idempotent`]); each
//!   [`Endpoint`](crate::endpoint::Endpoint) declares its class in [`crate::endpoint`]. A `Retry-After` on such an answer is honoured too.
//! - A failure to connect (refused, DNS, connect timeout) is retried for every endpoint: the
//!   request surely did not reach the server.
//! - Other statuses (1xx, 2xx, 3xx, other 4xx) and timeouts after the request was sent are never
//!   retried.
//!
//! The backoff before retry `n` (0-based) is `2^n × base` plus a random jitter in `0..base`; every
//! wait, whatever its source, is capped at `max_wait`.

use std::time::{Duration, SystemTime};

#[cfg(doc)]
use crate::endpoint::Class;

use crate::config::{DEFAULT_BACKOFF_BASE, DEFAULT_MAX_RETRIES, DEFAULT_MAX_RETRY_WAIT};

/// Retry settings of a client: set them together with
/// [`ClientBuilder::retry_policy`](crate::ClientBuilder::retry_policy) (or one at a time with
/// `max_retries`, `max_retry_wait`, `backoff_base`), read them back with
/// [`Config::retry`](crate::Config::retry). [`CallOptions::max_retries`](crate::CallOptions)
/// overrides `max_retries` for one call.
///
/// ```
/// use std::time::Duration;
/// let policy = soku::RetryPolicy { max_retries: 5, ..soku::RetryPolicy::default() };
/// let client = soku::Client::builder().api_key("sk_live_example").retry_policy(policy).build()?;
/// assert_eq!(client.config().retry().max_retries, 5);
/// assert_eq!(client.config().retry().max_wait, Duration::from_secs(60));
/// # Ok::<(), soku::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt. Default [`DEFAULT_MAX_RETRIES`] (3); 0 disables
    /// retrying; at most [`MAX_RETRIES`](crate::MAX_RETRIES) (10).
    pub max_retries: u32,
    /// Cap on any single wait, including a server's `Retry-After`. Default
    /// [`DEFAULT_MAX_RETRY_WAIT`] (60 s); at most 24 h.
    pub max_wait: Duration,
    /// Base of the exponential backoff and upper bound of its jitter. Default
    /// [`DEFAULT_BACKOFF_BASE`] (1 s); at most 24 h.
    pub backoff_base: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: DEFAULT_MAX_RETRIES,
            max_wait: DEFAULT_MAX_RETRY_WAIT,
            backoff_base: DEFAULT_BACKOFF_BASE,
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0 = the first retry) when the server gave no hint:
    /// `2^retry × backoff_base + jitter(0..backoff_base)`, capped at `max_wait`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX);
        let exp = self.backoff_base.saturating_mul(factor);
        self.cap(exp.saturating_add(self.jitter()))
    }

    /// The wait before retrying an answer that carried `Retry-After` (`retry_after`) and/or
    /// `X-RateLimit-Reset` (`reset_in`, only consulted for a 429).
    pub(crate) fn wait_for(
        &self,
        retry: u32,
        status: u16,
        retry_after: Option<Duration>,
        reset_in: Option<Duration>,
    ) -> Duration {
        let hinted = retry_after.or(if status == 429 { reset_in } else { None });
        match hinted {
            Some(d) => self.cap(d.saturating_add(self.jitter())),
            None => self.backoff(retry),
        }
    }

    fn cap(&self, d: Duration) -> Duration {
        d.min(self.max_wait)
    }

    fn jitter(&self) -> Duration {
        let base = u64::try_from(self.backoff_base.as_nanos()).unwrap_or(u64::MAX);
        if base == 0 {
            return Duration::ZERO;
        }
        // Jitter only spreads clients apart; without OS randomness it is simply zero.
        Duration::from_nanos(getrandom::u64().unwrap_or(0) % base)
    }
}

/// Parses `Retry-After`: whole seconds or an HTTP date (relative to `now`, zero if past).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(base_ms: u64, max_ms: u64) -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            max_wait: Duration::from_millis(max_ms),
            backoff_base: Duration::from_millis(base_ms),
        }
    }

    #[test]
    fn backoff_doubles_with_bounded_jitter_and_cap() {
        let p = policy(10, 60_000);
        for retry in 0..4 {
            let lo = Duration::from_millis(10 << retry);
            for _ in 0..50 {
                let d = p.backoff(retry);
                assert!(
                    d >= lo && d < lo + Duration::from_millis(10),
                    "{retry}: {d:?}"
                );
            }
        }
        let capped = policy(1000, 1500);
        assert_eq!(capped.backoff(5), Duration::from_millis(1500));
        assert_eq!(capped.backoff(u32::MAX), Duration::from_millis(1500));
        assert_eq!(policy(0, 10).backoff(3), Duration::ZERO);
    }

    #[test]
    fn jitter_spreads_waits_apart() {
        // The jitter is what keeps clients that failed together from retrying in lockstep: 64
        // draws in 0..10 ms (nanosecond resolution) are never all equal unless it is gone.
        let p = policy(10, 60_000);
        let waits: std::collections::HashSet<Duration> = (0..64).map(|_| p.backoff(0)).collect();
        assert!(waits.len() > 1, "64 backoffs all {waits:?}");
        let hinted: std::collections::HashSet<Duration> = (0..64)
            .map(|_| p.wait_for(0, 429, Some(Duration::from_secs(1)), None))
            .collect();
        assert!(hinted.len() > 1, "64 hinted waits all {hinted:?}");
    }

    #[test]
    fn hints_win_and_are_capped() {
        let p = policy(1, 5000);
        let w = p.wait_for(
            0,
            429,
            Some(Duration::from_secs(2)),
            Some(Duration::from_secs(9)),
        );
        assert!(w >= Duration::from_secs(2) && w < Duration::from_millis(2001));
        let w = p.wait_for(0, 429, None, Some(Duration::from_secs(3)));
        assert!(w >= Duration::from_secs(3) && w < Duration::from_millis(3001));
        assert_eq!(
            p.wait_for(0, 429, Some(Duration::from_secs(3600)), None),
            Duration::from_secs(5)
        );
        // Retry-After is honoured on a retried 5xx too; X-RateLimit-Reset only for 429.
        let w = p.wait_for(1, 503, Some(Duration::from_secs(2)), None);
        assert!(w >= Duration::from_secs(2) && w < Duration::from_millis(2001));
        assert!(p.wait_for(0, 503, None, Some(Duration::from_secs(3))) < Duration::from_millis(2));
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_770);
        assert_eq!(parse_retry_after("1", now), Some(Duration::from_secs(1)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn classes() {
        use crate::endpoint::Method::{Delete, Get, Post};
        use crate::endpoint::{Auth, Class, Endpoint};
        use crate::{api_keys, media, posts, templates, transcription};
        // Every endpoint of the client: the wire method and path, the credential and the class.
        // A POST that the server dedupes by `Idempotency-Key` is keyed; GET and DELETE are
        // idempotent; a POST without a key is unsafe to repeat.
        let table = [
            (posts::CREATE, Post, "/v1/posts", Auth::ApiKey, Class::Keyed),
            (media::UPLOAD, Post, "/v1/media", Auth::ApiKey, Class::Keyed),
            (
                transcription::TRANSCRIBE,
                Post,
                "/v1/ai/transcribe",
                Auth::ApiKey,
                Class::Keyed,
            ),
            (
                templates::RENDER,
                Post,
                "/v1/templates",
                Auth::ApiKey,
                Class::Unsafe,
            ),
            (
                templates::RENDER_OG,
                Post,
                "/v1/media/render-og",
                Auth::ApiKey,
                Class::Unsafe,
            ),
            (
                api_keys::CREATE,
                Post,
                "/v1/api-keys",
                Auth::Firebase,
                Class::Unsafe,
            ),
            (
                api_keys::LIST,
                Get,
                "/v1/api-keys",
                Auth::Firebase,
                Class::Idempotent,
            ),
            (
                api_keys::REVOKE,
                Delete,
                "/v1/api-keys/{id}",
                Auth::Firebase,
                Class::Idempotent,
            ),
        ];
        for (endpoint, method, path, auth, class) in table {
            let expected = Endpoint {
                method,
                path,
                auth,
                retry: class,
            };
            assert_eq!(endpoint, expected, "{path}");
        }
        assert_eq!(api_keys::REVOKE.path_with("k"), "/v1/api-keys/k");
        // What each class retries: 429 always; 5xx and drops after sending only when safe.
        for class in [Class::Keyed, Class::Idempotent, Class::Unsafe] {
            let safe = class != Class::Unsafe;
            assert!(class.retries_status(429), "{class:?}");
            assert!(class.retries_failure(false), "{class:?}");
            assert_eq!(class.retries_failure(true), safe, "{class:?}");
            for status in [500, 502, 503, 504, 599] {
                assert_eq!(class.retries_status(status), safe, "{class:?} {status}");
            }
            for status in [
                200, 201, 204, 301, 400, 401, 403, 404, 409, 422, 428, 430, 600,
            ] {
                assert!(!class.retries_status(status), "{class:?} {status}");
            }
        }
    }
}
