//! Client-side validation helpers shared by the resource modules. Every failure is an
//! [`Error::InvalidArgument`] naming the field; nothing is sent. A field name may be
//! `format_args!(…)`: it is formatted only when the check fails, so a valid request builds none.

use std::fmt::Display;

use crate::error::{Error, Result};

/// Fails with `<field> <what>`.
pub(crate) fn invalid(field: impl Display, what: &str) -> Error {
    Error::InvalidArgument(format!("{field} {what}"))
}

/// `value` must contain something other than whitespace.
pub(crate) fn non_empty(field: impl Display, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(invalid(field, "must not be empty"));
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

pub(crate) fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

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
