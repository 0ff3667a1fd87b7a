//! RFC 3339 timestamps (`scheduledTime`, ISO-8601 `X-RateLimit-Reset`), without a date crate.

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

#[cfg(test)]
mod tests {
    use super::parse_rfc3339 as p;

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
