//! Platform names checked before anything is sent: a name outside the documented list is a
//! usage error (exit 2) with a suggestion for a near miss, unless `--allow-unknown-platform`
//! lets a platform newer than this release through. Also the value parser that makes shell
//! completions offer the documented names for `-p`.

use std::ffi::OsStr;

use clap::builder::{PossibleValue, TypedValueParser};
use soku::{Error, Platform, PlatformTarget};

use crate::plan::Call;

/// Every name `-p` accepts without `--allow-unknown-platform` (the alias `twitter` included).
fn accepted() -> impl Iterator<Item = &'static str> {
    Platform::DOCUMENTED.into_iter().chain(["twitter"])
}

/// The closest accepted name to `name`, if it is close enough to be a typo.
pub fn suggestion(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    accepted()
        .map(|known| (strsim::jaro_winkler(&lower, known), known))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, known)| known)
}

/// The platform targets of a call's posts (flags, `--json` bodies and batch files alike).
fn targets(call: &Call) -> Vec<&PlatformTarget> {
    match call {
        Call::Post(p) => p.post.content.platform.iter().collect(),
        Call::Batch(posts) => posts
            .iter()
            .flat_map(|p| p.post.content.platform.iter())
            .collect(),
        Call::PublishMedia(r) => r.post.content.platform.iter().collect(),
        Call::PublishTemplate(r) => r.post.content.platform.iter().collect(),
        _ => Vec::new(),
    }
}

/// Refuses a platform outside the documented list unless `allow_unknown`.
pub fn check(call: &Call, allow_unknown: bool) -> Result<(), Error> {
    if allow_unknown {
        return Ok(());
    }
    for target in targets(call) {
        let platform = target.platform();
        if platform.is_documented() {
            continue;
        }
        let name = platform.as_str();
        let hint = match suggestion(name) {
            Some(s) => format!(" (did you mean `{s}`?)"),
            None => String::new(),
        };
        return Err(Error::InvalidArgument {
            message: format!(
                "unknown platform `{name}`{hint}; the documented platforms are {}; pass \
                 --allow-unknown-platform to send a newer one anyway",
                Platform::DOCUMENTED.join(", ")
            ),
            param: None,
        });
    }
    Ok(())
}

/// `-p`'s parser: any `PLATFORM` or `PLATFORM:ACCOUNT_ID` text (checked later by [`check`],
/// which knows `--allow-unknown-platform`), with the documented names as the possible values
/// that completions offer.
#[derive(Clone)]
pub struct PlatformArg;

impl TypedValueParser for PlatformArg {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(accepted().map(PossibleValue::new)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_get_a_suggestion() {
        assert_eq!(suggestion("twiter"), Some("twitter"));
        assert_eq!(suggestion("Linkdin"), Some("linkedin"));
        assert_eq!(suggestion("instagarm"), Some("instagram"));
        assert_eq!(suggestion("youtub"), Some("youtube"));
        assert_eq!(suggestion("mastodon"), None);
    }
}
