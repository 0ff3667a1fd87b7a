//! Field checks shared by the routes; each failure names its field (the error's `details.field`).

use crate::reply::ApiError;
use serde_json::{Map, Value};

/// An optional field of one JSON type: absent or `null` is `None`; a value `pick` rejects is
/// `invalid_type` ("`field` must be `what`").
fn opt_field<'a, T>(
    obj: &'a Map<String, Value>,
    key: &str,
    field: &str,
    what: &str,
    pick: impl Fn(&'a Value) -> Option<T>,
) -> Result<Option<T>, ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => pick(v).map(Some).ok_or_else(|| invalid_type(field, what)),
    }
}

/// An optional string field.
pub(crate) fn opt_str<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<Option<&'a str>, ApiError> {
    opt_field(obj, key, field, "a string", Value::as_str)
}

/// An optional boolean field.
pub(crate) fn opt_bool(
    obj: &Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<Option<bool>, ApiError> {
    opt_field(obj, key, field, "a boolean", Value::as_bool)
}

/// An optional object field.
pub(crate) fn opt_object<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<Option<&'a Map<String, Value>>, ApiError> {
    opt_field(obj, key, field, "an object", Value::as_object)
}

/// A required, non-blank string field.
pub(crate) fn req_str<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<&'a str, ApiError> {
    match opt_str(obj, key, field)? {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(required(field)),
    }
}

/// A required object field.
pub(crate) fn req_object<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<&'a Map<String, Value>, ApiError> {
    opt_object(obj, key, field)?.ok_or_else(|| required(field))
}

/// `field is required`.
pub(crate) fn required(field: &str) -> ApiError {
    ApiError::validation(field, "required", format!("{field} is required"))
}

/// `field must be <what>`.
pub(crate) fn invalid_type(field: &str, what: &str) -> ApiError {
    ApiError::validation(field, "invalid_type", format!("{field} must be {what}"))
}

/// The host of an absolute `http://` or `https://` URL, lowercased; `None` for anything else.
pub(crate) fn http_url_host(url: &str) -> Option<String> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let (scheme, rest) = url.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        host_port.split(':').next()?
    };
    if host.is_empty() {
        return None;
    }
    Some(host.to_ascii_lowercase())
}

/// A string field that must hold an http(s) URL.
pub(crate) fn check_url(value: &str, field: &str) -> Result<String, ApiError> {
    http_url_host(value).ok_or_else(|| {
        ApiError::validation(
            field,
            "invalid_url",
            format!("{field} must be an http or https url"),
        )
    })
}

/// An optional array of http(s) URL strings.
pub(crate) fn opt_url_list(
    obj: &Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<(), ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let f = format!("{field}[{i}]");
                match item {
                    Value::String(s) => {
                        check_url(s, &f)?;
                    }
                    _ => return Err(invalid_type(&f, "a string")),
                }
            }
            Ok(())
        }
        Some(_) => Err(invalid_type(field, "an array of urls")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_hosts() {
        assert_eq!(
            http_url_host("https://Example.com/a.mp4").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            http_url_host("http://u:p@h.invalid:8080/x?y").as_deref(),
            Some("h.invalid")
        );
        assert_eq!(http_url_host("https://[::1]:80/").as_deref(), Some("::1"));
        for bad in [
            "ftp://x/y",
            "https://",
            "example.com/a",
            "https:///a",
            "https://a b/",
        ] {
            assert_eq!(http_url_host(bad), None, "{bad}");
        }
    }
}
