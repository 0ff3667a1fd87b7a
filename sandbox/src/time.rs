//! Wall-clock helpers: RFC 3339 formatting and a strict RFC 3339 parser.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch (negative before 1970).
pub(crate) fn unix_millis(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_millis() as i64,
        Err(e) => -(e.duration().as_millis() as i64),
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// Formats an instant as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub(crate) fn format_rfc3339(t: SystemTime) -> String {
    let ms = unix_millis(t);
    let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(days);
    let secs = rem / 1000;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        rem % 1000
    )
}

/// The current time in RFC 3339.
pub(crate) fn now_rfc3339() -> String {
    format_rfc3339(SystemTime::now())
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses a strict RFC 3339 date-time (`2026-03-09T14:00:00.000Z`, `…+02:00`) into Unix
/// milliseconds. Anything else (a bare date, a space separator, out-of-range fields) is `None`.
pub(crate) fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || !b.is_ascii() {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = &b[range];
        if part.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(part).ok()?.parse().ok()
        } else {
            None
        }
    };
    let sep_ok = b[4] == b'-'
        && b[7] == b'-'
        && matches!(b[10], b'T' | b't')
        && b[13] == b':'
        && b[16] == b':';
    if !sep_ok {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut millis = 0;
    if b[i] == b'.' {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        let frac = &s[start..i.min(start + 3)];
        millis = format!("{frac:0<3}").parse().ok()?;
    }
    let offset_minutes = match &b[i..] {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let total = oh * 60 + om;
            if *sign == b'+' { total } else { -total }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(secs * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn parses_and_formats_round_trip() {
        let ms = parse_rfc3339("2026-03-09T14:00:00.000Z").unwrap();
        assert_eq!(ms, 1_773_064_800_000);
        let t = UNIX_EPOCH + Duration::from_millis(ms as u64);
        assert_eq!(format_rfc3339(t), "2026-03-09T14:00:00.000Z");
        assert_eq!(parse_rfc3339("2026-03-09T16:00:00+02:00"), Some(ms));
        assert_eq!(parse_rfc3339("2026-03-09t14:00:00.5z"), Some(ms + 500));
        assert_eq!(
            parse_rfc3339("2024-02-29T00:00:00Z").map(|v| v % 1000),
            Some(0)
        );
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "2026-03-09",
            "2026-03-09 14:00:00Z",
            "2026-03-09T14:00:00",
            "2026-13-09T14:00:00Z",
            "2026-02-29T14:00:00Z",
            "2026-03-09T24:00:00Z",
            "2026-03-09T14:00:00.Z",
            "2026-03-09T14:00:00+0200",
            "2026-03-09T14:00:00Zjunk",
            "tomorrow at noon please",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }
}
