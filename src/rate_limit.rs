//! [`RateLimit`]: the rate-limit snapshot read from response headers.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::time;

/// Values below this are taken as "seconds from now" rather than a Unix time (a Unix time this
/// small would lie in 2001 or earlier).
const RELATIVE_RESET_BELOW: u64 = 1_000_000_000;

/// The rate-limit headers of a response (`X-RateLimit-Limit`, `-Remaining`, `-Reset`, `-Tier`).
/// Absent or unparsable headers are `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RateLimit {
    /// Requests allowed in the window.
    pub limit: Option<u64>,
    /// Requests left in the window.
    pub remaining: Option<u64>,
    /// When the window resets, in Unix seconds. The header may carry Unix seconds or an
    /// ISO-8601 instant; both are converted (a number below 10^9 is read as seconds from now).
    pub reset: Option<u64>,
    /// The account's tier (`X-RateLimit-Tier`).
    pub tier: Option<String>,
}

impl RateLimit {
    /// Builds the snapshot from a header lookup (case-insensitive names are the caller's job).
    pub(crate) fn from_headers<'a>(header: impl Fn(&str) -> Option<&'a str>) -> RateLimit {
        let num = |name: &str| header(name).and_then(|v| v.trim().parse::<u64>().ok());
        RateLimit {
            limit: num("x-ratelimit-limit"),
            remaining: num("x-ratelimit-remaining"),
            reset: header("x-ratelimit-reset").and_then(|v| parse_reset(v, unix_now())),
            tier: header("x-ratelimit-tier")
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
        }
    }

    /// Time until the window resets (zero if already past); `None` without a reset value.
    pub fn reset_in(&self) -> Option<Duration> {
        let reset = self.reset?;
        Some(Duration::from_secs(reset.saturating_sub(unix_now())))
    }
}

/// Parses an `X-RateLimit-Reset` value (Unix seconds, seconds from now, or ISO-8601) into Unix
/// seconds.
pub(crate) fn parse_reset(value: &str, now: u64) -> Option<u64> {
    let value = value.trim();
    if let Ok(n) = value.parse::<u64>() {
        return Some(if n < RELATIVE_RESET_BELOW {
            now.saturating_add(n)
        } else {
            n
        });
    }
    let (secs, nanos) = time::parse_rfc3339(value)?;
    let secs = u64::try_from(secs).ok()?;
    // A fractional second rounds up: waiting until then is never too early.
    Some(if nanos > 0 { secs + 1 } else { secs })
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reset_accepts_unix_relative_and_iso() {
        assert_eq!(parse_reset("1767225600", 5), Some(1_767_225_600));
        assert_eq!(parse_reset("30", 1_767_225_600), Some(1_767_225_630));
        assert_eq!(parse_reset("2026-01-01T00:00:00Z", 0), Some(1_767_225_600));
        assert_eq!(
            parse_reset("2026-01-01T00:00:00.250Z", 0),
            Some(1_767_225_601)
        );
        assert_eq!(parse_reset("soon", 0), None);
        assert_eq!(parse_reset("-5", 0), None);
    }

    #[test]
    fn headers_are_read() {
        let rl = RateLimit::from_headers(|name| match name {
            "x-ratelimit-limit" => Some("30"),
            "x-ratelimit-remaining" => Some(" 29 "),
            "x-ratelimit-reset" => Some("1767225600"),
            "x-ratelimit-tier" => Some("sandbox"),
            _ => None,
        });
        assert_eq!(rl.limit, Some(30));
        assert_eq!(rl.remaining, Some(29));
        assert_eq!(rl.reset, Some(1_767_225_600));
        assert_eq!(rl.tier.as_deref(), Some("sandbox"));
        let json = serde_json::to_value(RateLimit::default()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"limit": null, "remaining": null, "reset": null, "tier": null})
        );
    }
}
