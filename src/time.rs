//! RFC 3339 timestamps (`scheduledTime`, ISO-8601 `X-RateLimit-Reset`), without a date crate.
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//!
//! let t = UNIX_EPOCH + Duration::from_millis(1_773_064_800_250);
//! assert_eq!(soku::time::format_rfc3339(t), "2026-03-09T14:00:00.250Z");
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The last instant RFC 3339 can write, `9999-12-31T23:59:59.999Z`.
const LAST_RFC3339_MILLIS: u64 = 253_402_300_799_999;

/// The instant `delay` from now (the local clock), at most `9999-12-31T23:59:59.999Z` (the last
/// instant RFC 3339 can write) however long `delay` is.
pub fn from_now(delay: Duration) -> SystemTime {
    let last = UNIX_EPOCH + Duration::from_millis(LAST_RFC3339_MILLIS);
    SystemTime::now()
        .checked_add(delay)
        .map_or(last, |t| t.min(last))
}

/// Formats `t` as an RFC 3339 UTC date-time with milliseconds, `2026-03-09T14:00:00.000Z`: the
/// form the API documents for `scheduledTime`. Sub-millisecond digits are dropped; an instant
/// before 1970 is formatted as such (`1969-12-31T23:59:59.000Z`); one after 9999 gets a
/// five-digit year, which is not RFC 3339 ([`from_now`] never goes that far).
pub fn format_rfc3339(t: SystemTime) -> String {
    let (secs, millis) = unix_millis_floor(t);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The UTC calendar date of `t` as `(year, month, day)`, e.g. `(2026, 3, 9)`.
pub fn utc_date(t: SystemTime) -> (i64, u32, u32) {
    civil_from_days(unix_millis_floor(t).0.div_euclid(86_400))
}

/// `t` as Unix seconds and milliseconds, rounded down to the millisecond (also before 1970).
fn unix_millis_floor(t: SystemTime) -> (i64, u32) {
    let millis = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i128::try_from(d.as_millis()).unwrap_or(i128::MAX),
        // Before 1970: -(999 µs) is -1 ms, not 0.
        Err(e) => {
            let d = e.duration();
            let whole = i128::try_from(d.as_millis()).unwrap_or(i128::MAX);
            -whole - i128::from(d.as_nanos() % 1_000_000 != 0)
        }
    };
    let secs = i64::try_from(millis.div_euclid(1000)).unwrap_or(if millis < 0 {
        i64::MIN
    } else {
        i64::MAX
    });
    (secs, millis.rem_euclid(1000) as u32)
}

/// Parses an RFC 3339 date-time (`2026-03-09T14:00:00.000Z`, `2026-03-09t14:00:00+01:00`) into
/// Unix seconds and nanoseconds. Returns `None` for anything else: missing offset, out-of-range
/// fields, February 30th. A leap second (`:60`) is accepted and counts as the next second.
pub(crate) fn parse_rfc3339(s: &str) -> Option<(i64, u32)> {
    let b = s.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let year = digits(b, 0, 4)? as i64;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let second = digits(b, 17, 2)?;
    if b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }

    let mut i = 19;
    let mut nanos: u32 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 9 {
                nanos = nanos * 10 + u32::from(b[i] - b'0');
            }
            i += 1;
        }
        let n = i - start;
        if n == 0 {
            return None;
        }
        for _ in n..9 {
            nanos *= 10;
        }
    }

    let offset_secs: i64 = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let oh = digits(b, i + 1, 2)?;
            let om = digits(b, i + 4, 2)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let off = i64::from(oh * 3600 + om * 60);
            if *sign == b'-' { -off } else { off }
        }
        _ => return None,
    };

    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)
        - offset_secs;
    Some((secs, nanos))
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let slice = b.get(at..at + n)?;
    slice.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date `days` days after 1970-01-01 (H. Hinnant's `civil_from_days`,
/// the inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::parse_rfc3339 as p;
    use super::*;
    use std::time::Duration;

    fn at(millis: i64) -> SystemTime {
        if millis >= 0 {
            UNIX_EPOCH + Duration::from_millis(millis as u64)
        } else {
            UNIX_EPOCH - Duration::from_millis(millis.unsigned_abs())
        }
    }

    #[test]
    fn formats_with_millis_in_utc() {
        for (millis, want) in [
            (0, "1970-01-01T00:00:00.000Z"),
            (1_773_064_800_000, "2026-03-09T14:00:00.000Z"),
            (1_709_164_800_999, "2024-02-29T00:00:00.999Z"),
            (1_798_102_800_000, "2026-12-24T09:00:00.000Z"),
            (951_868_799_000, "2000-02-29T23:59:59.000Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (-86_400_000, "1969-12-31T00:00:00.000Z"),
        ] {
            assert_eq!(format_rfc3339(at(millis)), want);
        }
        let sub_milli = UNIX_EPOCH + Duration::new(1_773_064_800, 123_999_999);
        assert_eq!(format_rfc3339(sub_milli), "2026-03-09T14:00:00.123Z");
        assert_eq!(utc_date(at(1_709_164_800_000)), (2024, 2, 29));
        assert_eq!(utc_date(at(-1)), (1969, 12, 31));
    }

    #[test]
    fn from_now_saturates_at_the_last_rfc3339_instant() {
        let hour = from_now(Duration::from_secs(3600));
        let ahead = hour.duration_since(SystemTime::now()).unwrap();
        assert!(ahead > Duration::from_secs(3590) && ahead <= Duration::from_secs(3600));
        let far = format_rfc3339(from_now(Duration::MAX));
        assert_eq!(far, "9999-12-31T23:59:59.999Z");
        assert!(p(&far).is_some());
    }

    #[test]
    fn format_and_parse_agree() {
        // Every day of four centuries (leap years and the 100/400 rules) round-trips.
        for days in -200 * 366..200 * 366 {
            let secs = days * 86_400 + 45_296; // 12:34:56
            let s = format_rfc3339(at(secs * 1000 + 7));
            assert_eq!(p(&s), Some((secs, 7_000_000)), "{s}");
        }
    }

    #[test]
    fn valid_instants() {
        assert_eq!(p("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(p("2026-03-09T14:00:00.000Z"), Some((1_773_064_800, 0)));
        assert_eq!(
            p("2026-03-09t14:00:00.5z"),
            Some((1_773_064_800, 500_000_000))
        );
        assert_eq!(p("2026-03-09T15:00:00+01:00"), Some((1_773_064_800, 0)));
        assert_eq!(p("2026-03-09T13:30:00-00:30"), Some((1_773_064_800, 0)));
        assert_eq!(p("2000-02-29T00:00:00Z"), Some((951_782_400, 0)));
        assert_eq!(p("1969-12-31T23:59:59Z"), Some((-1, 0)));
        assert_eq!(
            p("2026-03-09T14:00:00.123456789123Z"),
            Some((1_773_064_800, 123_456_789))
        );
        assert_eq!(p("2016-12-31T23:59:60Z"), Some((1_483_228_800, 0)));
    }

    #[test]
    fn invalid_instants() {
        for s in [
            "",
            "2026-03-09",
            "2026-03-09T14:00:00",
            "2026-03-09 14:00:00Z",
            "2026-03-09T14:00Z",
            "2026-13-09T14:00:00Z",
            "2026-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-03-00T00:00:00Z",
            "2026-03-09T24:00:00Z",
            "2026-03-09T14:60:00Z",
            "2026-03-09T14:00:61Z",
            "2026-03-09T14:00:00.Z",
            "2026-03-09T14:00:00+0100",
            "2026-03-09T14:00:00+24:00",
            "2026-03-09T14:00:00Zjunk",
            "2026-03-09T14:00:00.000",
            "+2026-03-09T14:00:00Z",
            "２026-03-09T14:00:00Z",
            "tomorrow at noon please",
        ] {
            assert_eq!(p(s), None, "{s:?}");
        }
    }
}
