//! Sliding-window rate limits per account and endpoint.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The rate-limit headers of one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RateSnapshot {
    pub limit: u64,
    pub remaining: u64,
    /// Unix seconds at which the next slot frees up (the oldest request leaves the window).
    pub reset: u64,
}

impl RateSnapshot {
    /// The `X-RateLimit-*` headers.
    pub fn headers(&self) -> [(&'static str, String); 4] {
        [
            ("X-RateLimit-Limit", self.limit.to_string()),
            ("X-RateLimit-Remaining", self.remaining.to_string()),
            ("X-RateLimit-Reset", self.reset.to_string()),
            ("X-RateLimit-Tier", "sandbox".to_string()),
        ]
    }
}

/// Request times inside the window, per (account id, endpoint name).
#[derive(Debug)]
pub(crate) struct RateLimiter {
    enabled: bool,
    window: Duration,
    hits: HashMap<(String, &'static str), VecDeque<Instant>>,
}

/// Whole seconds in `d`, rounded up.
fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

impl RateLimiter {
    pub fn new(enabled: bool, window: Duration) -> RateLimiter {
        RateLimiter {
            enabled,
            window,
            hits: HashMap::new(),
        }
    }

    fn reset_at(&self, oldest: Option<Instant>, now: Instant) -> u64 {
        let until = match oldest {
            Some(t) => (t + self.window).saturating_duration_since(now),
            None => self.window,
        };
        let unix_now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        ceil_secs(unix_now + until)
    }

    fn window_of(
        &mut self,
        account: &str,
        endpoint: &'static str,
        now: Instant,
    ) -> &mut VecDeque<Instant> {
        let window = self.window;
        let q = self
            .hits
            .entry((account.to_string(), endpoint))
            .or_default();
        while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
            q.pop_front();
        }
        q
    }

    /// The headers for a request that is not counted (unauthenticated, or faulted).
    pub fn peek(
        &mut self,
        account: Option<&str>,
        endpoint: &'static str,
        limit: u64,
        now: Instant,
    ) -> RateSnapshot {
        let (used, oldest) = match account {
            Some(a) if self.enabled => {
                let q = self.window_of(a, endpoint, now);
                (q.len() as u64, q.front().copied())
            }
            _ => (0, None),
        };
        RateSnapshot {
            limit,
            remaining: limit.saturating_sub(used),
            reset: self.reset_at(oldest, now),
        }
    }

    /// Counts one request. `Err` carries the headers and the `Retry-After` seconds of a 429;
    /// rejected requests are not counted.
    pub fn hit(
        &mut self,
        account: &str,
        endpoint: &'static str,
        limit: u64,
        now: Instant,
    ) -> Result<RateSnapshot, (RateSnapshot, u64)> {
        if !self.enabled {
            return Ok(self.peek(None, endpoint, limit, now));
        }
        let window = self.window;
        let q = self.window_of(account, endpoint, now);
        if q.len() as u64 >= limit {
            let oldest = q.front().copied();
            let wait = oldest.map_or(window, |t| (t + window).saturating_duration_since(now));
            let snap = RateSnapshot {
                limit,
                remaining: 0,
                reset: self.reset_at(oldest, now),
            };
            return Err((snap, ceil_secs(wait).max(1)));
        }
        q.push_back(now);
        let (used, oldest) = (q.len() as u64, q.front().copied());
        Ok(RateSnapshot {
            limit,
            remaining: limit - used,
            reset: self.reset_at(oldest, now),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_down_then_rejects_until_the_oldest_leaves() {
        let mut rl = RateLimiter::new(true, Duration::from_millis(1500));
        let t0 = Instant::now();
        assert_eq!(rl.hit("a", "posts", 2, t0).unwrap().remaining, 1);
        assert_eq!(rl.hit("a", "posts", 2, t0).unwrap().remaining, 0);
        assert_eq!(rl.hit("b", "posts", 2, t0).unwrap().remaining, 1);
        assert_eq!(rl.hit("a", "media", 2, t0).unwrap().remaining, 1);
        let (snap, retry) = rl
            .hit("a", "posts", 2, t0 + Duration::from_millis(100))
            .unwrap_err();
        assert_eq!((snap.remaining, retry), (0, 2));
        let later = t0 + Duration::from_millis(1500);
        assert_eq!(rl.hit("a", "posts", 2, later).unwrap().remaining, 1);
    }

    #[test]
    fn disabled_never_rejects() {
        let mut rl = RateLimiter::new(false, Duration::from_secs(60));
        let now = Instant::now();
        for _ in 0..5 {
            assert_eq!(rl.hit("a", "posts", 1, now).unwrap().remaining, 1);
        }
    }
}
