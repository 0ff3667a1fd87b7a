//! The binaries' `--flag value` argument parsing (no extra crate needed for a handful of flags).

use std::collections::HashMap;

/// Parses `--name value` pairs, accepting only the names in `allowed` (given without `--`).
///
/// Returns the values by name, or a message naming the offending argument.
pub fn flags(
    args: impl IntoIterator<Item = String>,
    allowed: &[&str],
) -> Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let name = arg
            .strip_prefix("--")
            .filter(|n| allowed.contains(n))
            .ok_or_else(|| format!("unknown argument {arg:?}"))?;
        let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
        out.insert(name.to_owned(), value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_known_flags_and_rejects_others() {
        let f = flags(
            strings(&["--port", "0", "--host", "::1"]),
            &["port", "host"],
        )
        .unwrap();
        assert_eq!(f["port"], "0");
        assert_eq!(f["host"], "::1");
        assert!(flags(strings(&["--nope", "1"]), &["port"]).is_err());
        assert!(flags(strings(&["port", "1"]), &["port"]).is_err());
        assert!(flags(strings(&["--port"]), &["port"]).is_err());
    }
}
