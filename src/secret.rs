//! [`Secret`]: a credential whose `Debug` and `Display` never show it, and the redaction of
//! credentials from text built from server data.

use std::fmt;

/// A credential (API key, Firebase ID token, proxy URL that may carry a password).
///
/// `Debug` and `Display` print `[redacted]`, so a struct holding one can derive `Debug` and be
/// logged safely. Read the value with [`expose`](Self::expose) only where it is sent.
///
/// ```
/// let token = soku::Secret::from("eyJhbGciOi");
/// assert_eq!(format!("{token:?} {token}"), "[redacted] [redacted]");
/// assert_eq!(token.expose(), "eyJhbGciOi");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Box<str>);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into().into_boxed_str())
    }

    /// The credential itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Reads a JSON string.
impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <String as serde::Deserialize>::deserialize(d).map(Secret::new)
    }
}

/// Replaces every occurrence of a secret in `text` (a message built from server data).
///
/// Besides each secret as it is, its escaped forms are replaced too: a secret holding `"` or `\`
/// appears as `\"` / `\\` in JSON text and in a decoder's quoted excerpt. Longer forms go
/// first, so that a secret which is a prefix of another cannot leave the other's tail behind.
pub(crate) fn redact(mut text: String, secrets: &[&str]) -> String {
    // The common case, without allocating: a secret of printable ASCII other than `"` and `\`
    // has no other form, and most texts hold no secret at all.
    let plain = |s: &str| {
        s.bytes()
            .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    };
    if secrets
        .iter()
        .all(|s| s.is_empty() || (plain(s) && !text.contains(s)))
    {
        return text;
    }
    for form in secret_forms(secrets) {
        if text.contains(form.as_str()) {
            text = text.replace(form.as_str(), "[redacted]");
        }
    }
    text
}

/// [`redact`], and also a secret cut off by the end of `text` (a truncated answer that ends
/// inside an echoed credential): a tail of at least 8 characters that begins a secret is
/// replaced too.
pub(crate) fn redact_with_cut(text: String, secrets: &[&str]) -> String {
    let mut text = redact(text, secrets);
    let cut = secret_forms(secrets).iter().find_map(|form| {
        (8..form.len())
            .rev()
            .filter(|&n| form.is_char_boundary(n))
            .find(|&n| text.ends_with(&form[..n]))
    });
    if let Some(n) = cut {
        text.truncate(text.len() - n);
        text.push_str("[redacted]");
    }
    text
}

/// Every form a secret may take in a message, longest first, without duplicates.
fn secret_forms(secrets: &[&str]) -> Vec<String> {
    let mut forms = Vec::with_capacity(secrets.len() * 2);
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        forms.push((*secret).to_owned());
        // JSON escaping (and Rust's `{:?}`, which a decoder's excerpt uses, for the printable
        // ASCII a credential is made of) turns `"` into `\"` and `\` into `\\`.
        if secret.contains(['"', '\\']) {
            forms.push(secret.replace('\\', "\\\\").replace('"', "\\\""));
        }
        let debug = format!("{secret:?}");
        forms.push(debug[1..debug.len() - 1].to_owned());
    }
    forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    forms.dedup();
    forms
}

/// [`redact`]s every string of a JSON value, object keys included, at any depth.
pub(crate) fn redact_value(value: &mut serde_json::Value, secrets: &[&str]) {
    use serde_json::Value;
    let dirty = |s: &str| secrets.iter().any(|x| !x.is_empty() && s.contains(x));
    // (Strings of a parsed JSON value hold secrets unescaped: the raw form is the one to find.)
    match value {
        Value::String(s) if dirty(s) => *s = redact(std::mem::take(s), secrets),
        Value::Array(items) => items.iter_mut().for_each(|v| redact_value(v, secrets)),
        Value::Object(map) => {
            if map.keys().any(|k| dirty(k)) {
                *map = std::mem::take(map)
                    .into_iter()
                    .map(|(k, v)| (redact(k, secrets), v))
                    .collect();
            }
            map.values_mut().for_each(|v| redact_value(v, secrets));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_of_quotes_only_is_found_in_its_escaped_form() {
        // Its JSON and `{:?}` forms (`\"` each) do not contain the secret as it is.
        let secret = r#""""""#;
        let text = format!("echo {}", serde_json::to_string(secret).unwrap());
        assert_eq!(redact(text, &[secret]), "echo \"[redacted]\"");
    }

    #[test]
    fn redaction_covers_escaped_forms_and_prefixes() {
        let quoted = r#"sk_live_a"b\c"#;
        for text in [
            quoted.to_string(),
            serde_json::to_string(quoted).unwrap(),
            format!("{quoted:?}"),
        ] {
            let out = redact(text.clone(), &[quoted]);
            assert!(
                !out.contains("sk_live") && !out.contains("b\\"),
                "{text} -> {out}"
            );
        }
        // A body cut inside a secret.
        assert_eq!(
            redact_with_cut("echo sk_live_a\\\"b".to_owned(), &[quoted]),
            "echo [redacted]"
        );
        assert_eq!(redact_with_cut("sk_live".to_owned(), &[quoted]), "sk_live");
        // The shorter secret is a prefix of the longer: the longer is redacted whole, whatever
        // the order the secrets are given in.
        let (short, long) = ("eyJ.token", "eyJ.tokenTAILsecret");
        for secrets in [[short, long], [long, short]] {
            assert_eq!(
                redact(format!("Bearer {long} and {short}"), &secrets),
                "Bearer [redacted] and [redacted]"
            );
        }
    }
}
