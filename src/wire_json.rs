//! JSON as servers really send it: the one place answers are decoded leniently.
//!
//! - **Lone surrogates.** A JavaScript server that cuts a string between the two halves of an
//!   emoji emits a lone UTF-16 surrogate escape (`"\ud83d"`). That is not a Unicode scalar value,
//!   so `serde_json` refuses the whole document. [`from_slice`] and [`error_envelope`] decode each
//!   lone surrogate escape as U+FFFD (the replacement character), as browsers and Python's
//!   `json` module (`surrogatepass` aside) end up showing it; valid pairs are kept. The rewrite
//!   is in place (`\udXXX` and `\ufffd` are both six bytes) and runs only after a first decode
//!   failed on a body holding `\ud`/`\uD`, so a well-formed answer costs nothing more.
//! - **Depth.** `serde_json` refuses values nested deeper than 128 levels. An error envelope
//!   keeps its `code`, `message`, `type` and `requestId` however deep its `details`: the
//!   envelope is read with `details` (and every member it does not know) skipped by
//!   `serde_json`'s non-recursive skipper, so no recursion follows the input's depth, and
//!   `details` is kept only when nested at most [`MAX_DETAILS_DEPTH`] levels; deeper, it is
//!   replaced by `{"omitted": "details nested deeper than 64 levels"}`.

use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// Deepest `details` of an error envelope kept (1 = a flat object). The error JSON of the C ABI
/// nests `details` two levels down (`{"error": {"details": …}}`), so every document the library
/// hands out stays within the 128 levels common JSON parsers accept.
pub(crate) const MAX_DETAILS_DEPTH: usize = 64;

/// `serde_json::from_slice`, with lone surrogate escapes decoded as U+FFFD.
pub(crate) fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    retry_with_lone_surrogates_replaced(bytes, |b| serde_json::from_slice(b))
}

/// `read(bytes)`; if that fails on a body holding a lone surrogate escape, `read` of the body
/// with each one rewritten to `\ufffd` (see [`replace_lone_surrogates`]).
pub(crate) fn retry_with_lone_surrogates_replaced<T, E>(
    bytes: &[u8],
    read: impl Fn(&[u8]) -> Result<T, E>,
) -> Result<T, E> {
    let first = read(bytes);
    match first {
        Err(_) if has_surrogate_escape(bytes) => {
            let mut fixed = bytes.to_vec();
            if replace_lone_surrogates(&mut fixed) {
                read(&fixed)
            } else {
                first
            }
        }
        _ => first,
    }
}

/// Whether `bytes` holds `\ud` or `\uD` (a surrogate escape may be there). A false positive,
/// such as the text `\\ud`, only costs a scan.
fn has_surrogate_escape(bytes: &[u8]) -> bool {
    bytes
        .windows(3)
        .any(|w| w[0] == b'\\' && w[1] == b'u' && (w[2] | 0x20) == b'd')
}

/// The four hex digits at `at`, if there are four.
fn hex4(bytes: &[u8], at: usize) -> Option<u16> {
    let digits = bytes.get(at..at + 4)?;
    let text = std::str::from_utf8(digits).ok()?;
    if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u16::from_str_radix(text, 16).ok()
}

/// Rewrites every lone surrogate escape (`\uD800`–`\uDFFF` not part of a high-low pair) of JSON
/// text to `\ufffd`, in place; returns whether anything changed. Escapes are read in order from
/// the start, so `\\ud83d` (an escaped backslash, then text) is left alone. Text outside strings
/// holds no backslash in valid JSON; invalid JSON stays invalid.
pub(crate) fn replace_lone_surrogates(bytes: &mut [u8]) -> bool {
    let is_high = |u: u16| (0xD800..0xDC00).contains(&u);
    let is_low = |u: u16| (0xDC00..0xE000).contains(&u);
    let mut changed = false;
    let mut i = 0;
    while let Some(found) = bytes
        .get(i..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\\'))
    {
        i += found;
        if bytes.get(i + 1) != Some(&b'u') {
            i += 2; // `\\`, `\"`, `\n`, …: the escaped byte is not the start of another escape
            continue;
        }
        let Some(unit) = hex4(bytes, i + 2) else {
            i += 2;
            continue;
        };
        if is_high(unit)
            && bytes.get(i + 6) == Some(&b'\\')
            && bytes.get(i + 7) == Some(&b'u')
            && hex4(bytes, i + 8).is_some_and(is_low)
        {
            i += 12; // a valid pair
            continue;
        }
        if is_high(unit) || is_low(unit) {
            bytes[i + 2..i + 6].copy_from_slice(b"fffd");
            changed = true;
        }
        i += 6;
    }
    changed
}

/// The fields of an error envelope `{"error": {"code", "message", "type", "requestId",
/// "details"}}`, each `None` when absent, null or not of its type.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Envelope {
    pub(crate) code: Option<String>,
    pub(crate) message: Option<String>,
    pub(crate) error_type: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) details: Option<serde_json::Value>,
}

/// Reads an error body as the API's error envelope; `None` when it is not one (not JSON, or no
/// `error` object). Lone surrogates are decoded as U+FFFD (the body is rewritten in place);
/// see the module documentation for depth.
pub(crate) fn error_envelope(body: &mut [u8]) -> Option<Envelope> {
    if has_surrogate_escape(body) {
        replace_lone_surrogates(body);
    }
    let wire: WireEnvelope<'_> = serde_json::from_slice(body).ok()?;
    let e = wire.error;
    let details = e.details.map(|raw| {
        if depth_exceeds(raw.get().as_bytes(), MAX_DETAILS_DEPTH) {
            serde_json::json!({
                "omitted": format!("details nested deeper than {MAX_DETAILS_DEPTH} levels"),
            })
        } else {
            // Valid JSON (serde_json checked it while skipping) within serde_json's depth.
            serde_json::from_str(raw.get()).unwrap_or(serde_json::Value::Null)
        }
    });
    Some(Envelope {
        code: e.code.0,
        message: e.message.0,
        error_type: e.error_type.0,
        request_id: e.request_id.0,
        details: details.filter(|d| !d.is_null()),
    })
}

/// Whether JSON text nests arrays and objects deeper than `max` levels, without recursion.
fn depth_exceeds(json: &[u8], max: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in json {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

#[derive(serde::Deserialize)]
struct WireEnvelope<'a> {
    #[serde(borrow)]
    error: WireError<'a>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireError<'a> {
    #[serde(rename = "type", default)]
    error_type: Text,
    #[serde(default)]
    code: Text,
    #[serde(default)]
    message: Text,
    #[serde(default)]
    request_id: Text,
    #[serde(borrow, default)]
    details: Option<&'a RawValue>,
}

/// A string member, or `None` for null or a value of another type (skipped without recursion),
/// so that one odd member does not cost the envelope's other fields.
#[derive(Default)]
pub(crate) struct Text(pub(crate) Option<String>);

impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any json value")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Text, E> {
                Ok(Text(Some(s.to_owned())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Text, E> {
                Ok(Text(Some(s)))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Text, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(text: &str) -> String {
        let mut b = text.as_bytes().to_vec();
        replace_lone_surrogates(&mut b);
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        assert_eq!(fixed(r#""a\ud83d""#), r#""a\ufffd""#);
        assert_eq!(fixed(r#""\uDE00x""#), r#""\ufffdx""#);
        // A valid pair stays; a high half followed by another high half is lone.
        assert_eq!(fixed(r#""\ud83d\ude00""#), r#""\ud83d\ude00""#);
        assert_eq!(fixed(r#""\ud83d\ud83d\ude00""#), r#""\ufffd\ud83d\ude00""#);
        assert_eq!(fixed(r#""\ud83d\u0041""#), r#""\ufffd\u0041""#);
        // An escaped backslash then the text "ud83d".
        assert_eq!(fixed(r#""\\ud83d""#), r#""\\ud83d""#);
        assert_eq!(fixed(r#""\\\ud83d""#), r#""\\\ufffd""#);
        // Cut short or not hex: left for the parser to refuse.
        assert_eq!(fixed(r#""\ud8"#), r#""\ud8"#);
        assert_eq!(fixed(r#""\uzzzz""#), r#""\uzzzz""#);
        assert_eq!(fixed("\\"), "\\");

        let s: String = from_slice(br#""cut \ud83d""#).unwrap();
        assert_eq!(s, "cut \u{fffd}");
        let s: String = from_slice(br#""ok \ud83d\ude00""#).unwrap();
        assert_eq!(s, "ok 😀");
        assert!(from_slice::<String>(br#""\\ud83d"#).is_err());
    }

    #[test]
    fn envelopes_keep_their_fields_at_any_depth() {
        let deep = |n: usize| {
            format!(
                r#"{{"error": {{"details": {}1{}, "code": "validation_error", "requestId": "req_1", "message": "m\ud83d"}}}}"#,
                "[".repeat(n),
                "]".repeat(n)
            )
        };
        for n in [1, MAX_DETAILS_DEPTH, MAX_DETAILS_DEPTH + 1, 130, 100_000] {
            let mut body = deep(n).into_bytes();
            let e = error_envelope(&mut body).unwrap();
            assert_eq!(e.code.as_deref(), Some("validation_error"), "{n}");
            assert_eq!(e.request_id.as_deref(), Some("req_1"));
            assert_eq!(e.message.as_deref(), Some("m\u{fffd}"));
            let details = e.details.unwrap();
            assert_eq!(
                details.get("omitted").is_some(),
                n > MAX_DETAILS_DEPTH,
                "{n}"
            );
        }
        // Members of another type cost only themselves.
        let mut body =
            br#"{"error": {"code": "x", "message": {"en": [1]}, "requestId": 7}}"#.to_vec();
        let e = error_envelope(&mut body).unwrap();
        assert_eq!(
            e,
            Envelope {
                code: Some("x".into()),
                ..Envelope::default()
            }
        );
        assert!(error_envelope(&mut b"<html>".to_vec()).is_none());
        assert!(error_envelope(&mut br#"{"error": "nope"}"#.to_vec()).is_none());
        assert!(depth_exceeds(br#"[["]]]]"]]"#, 1));
        assert!(!depth_exceeds(br#"["[[[\"[["]"#, 1));
    }
}
