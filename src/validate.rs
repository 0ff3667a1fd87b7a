//! Client-side validation helpers shared by the resource modules. Every failure is an
//! [`Error::InvalidArgument`] naming the field; nothing is sent. A field name may be
//! `format_args!(…)`: it is formatted only when the check fails, so a valid request builds none.

use std::fmt::Display;

use crate::error::{Error, Result};

/// Fails with `<field> <what>`.
pub(crate) fn invalid(field: impl Display, what: &str) -> Error {
    let param = field.to_string();
    let message = format!("{param} {what}");
    Error::invalid_param(param, message)
}

/// `value` must contain something other than whitespace.
pub(crate) fn non_empty(field: impl Display, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    Ok(())
}

/// An id that becomes one URL path segment: not blank, and not `.` or `..`, which a server or
/// proxy would resolve to another path (`/v1/api-keys/..` is `/v1`). Other characters are
/// percent-encoded by the caller, so `/`, `?` and `#` stay inside the segment.
pub(crate) fn path_id(field: &str, value: &str) -> Result<()> {
    non_empty(field, value)?;
    let max = crate::config::MAX_HEADER_VALUE_LEN;
    if value.len() > max {
        return Err(invalid(field, &format!("must be at most {max} bytes")));
    }
    if matches!(value, "." | "..") {
        return Err(invalid(
            field,
            "must not be \".\" or \"..\" (it would address another path)",
        ));
    }
    Ok(())
}

/// `value` must be an absolute `http://` or `https://` URL with a host.
pub(crate) fn http_url(field: impl Display, value: &str) -> Result<()> {
    let rest = strip_prefix_ignore_case(value, "https://")
        .or_else(|| strip_prefix_ignore_case(value, "http://"));
    let ok = match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if !ok {
        return Err(invalid(field, "must be an http(s) URL"));
    }
    Ok(())
}

/// The candidate `key` was most likely meant to be: equal ignoring case, or at most two edits
/// away (insert, delete, substitute or swap two neighbours) for keys of four characters or
/// more. `None` when nothing is that close.
pub(crate) fn closest<'a>(key: &str, candidates: &[&'a str]) -> Option<&'a str> {
    if let Some(c) = candidates.iter().find(|c| c.eq_ignore_ascii_case(key)) {
        return Some(c);
    }
    if key.chars().count() < 4 {
        return None;
    }
    candidates
        .iter()
        .map(|c| (edit_distance(&key.to_lowercase(), &c.to_lowercase()), *c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Optimal string alignment distance (Levenshtein plus adjacent swaps), by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

pub(crate) fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_keys() {
        let keys = ["apiKey", "baseUrl", "platform", "text", "mediaType"];
        assert_eq!(closest("apikey", &keys), Some("apiKey"));
        assert_eq!(closest("platfrom", &keys), Some("platform"));
        assert_eq!(closest("plattform", &keys), Some("platform"));
        assert_eq!(closest("media_type", &keys), Some("mediaType"));
        assert_eq!(closest("futureField", &keys), None);
        assert_eq!(closest("txt", &keys), None); // short keys: exact case only
        assert_eq!(closest("TEXT", &keys), Some("text"));
    }

    #[test]
    fn urls() {
        assert!(http_url("u", "https://example.com/a.mp4").is_ok());
        assert!(http_url("u", "HTTP://example.com").is_ok());
        for bad in [
            "",
            "ftp://x/y",
            "https://",
            "https:///path",
            "example.com",
            "https://a b",
        ] {
            let e = http_url("post.content.videoUrl", bad).unwrap_err();
            assert_eq!(
                e.to_string(),
                "invalid argument: post.content.videoUrl must be an http(s) URL"
            );
        }
    }
}
