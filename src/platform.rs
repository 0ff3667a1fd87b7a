//! [`Platform`] names and [`PlatformTarget`]s (a name, or a platform with an account id).

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A social network. Unknown names are kept verbatim in [`Platform::Other`], so a new platform
/// needs no library release. (De)serialises as its wire name; `"twitter"` parses as [`Platform::X`].
/// A platform may become a named variant in a minor release (match with a wildcard arm).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Platform {
    /// `x` (alias `twitter`).
    X,
    /// `threads`.
    Threads,
    /// `linkedin`.
    LinkedIn,
    /// `instagram`.
    Instagram,
    /// `facebook`.
    Facebook,
    /// `tiktok`.
    TikTok,
    /// `youtube`.
    YouTube,
    /// Any other name, verbatim.
    Other(String),
}

impl Platform {
    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            Platform::X => "x",
            Platform::Threads => "threads",
            Platform::LinkedIn => "linkedin",
            Platform::Instagram => "instagram",
            Platform::Facebook => "facebook",
            Platform::TikTok => "tiktok",
            Platform::YouTube => "youtube",
            Platform::Other(s) => s,
        }
    }

    /// The documented platforms' wire names, in the API documentation's order
    /// (`twitter` is also accepted, as an alias of `x`).
    pub const DOCUMENTED: [&'static str; 7] = [
        "x",
        "threads",
        "linkedin",
        "instagram",
        "facebook",
        "tiktok",
        "youtube",
    ];

    /// Whether this is one of the [documented](Self::DOCUMENTED) platforms (not
    /// [`Platform::Other`]).
    pub fn is_documented(&self) -> bool {
        !matches!(self, Platform::Other(_))
    }

    /// Whether the platform requires post text (X and Threads do).
    pub(crate) fn needs_text(&self) -> bool {
        matches!(self, Platform::X | Platform::Threads)
    }
}

impl FromStr for Platform {
    type Err = Infallible;

    /// Known names match ASCII case-insensitively; anything else becomes [`Platform::Other`].
    fn from_str(s: &str) -> Result<Self, Infallible> {
        const KNOWN: [(&str, Platform); 8] = [
            ("x", Platform::X),
            ("twitter", Platform::X),
            ("threads", Platform::Threads),
            ("linkedin", Platform::LinkedIn),
            ("instagram", Platform::Instagram),
            ("facebook", Platform::Facebook),
            ("tiktok", Platform::TikTok),
            ("youtube", Platform::YouTube),
        ];
        Ok(KNOWN
            .into_iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(s))
            .map(|(_, p)| p)
            .unwrap_or_else(|| Platform::Other(s.to_owned())))
    }
}

impl From<&str> for Platform {
    fn from(s: &str) -> Self {
        let Ok(p) = s.parse();
        p
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Platform {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Platform {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Platform::from(s.as_str()))
    }
}

/// One entry of `post.content.platform`: a plain name (the platform's only connected account)
/// or `{"platform": …, "accountId": …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PlatformTarget {
    /// `"threads"`.
    Name(Platform),
    /// `{"platform": "instagram", "accountId": "ig_main"}`.
    Account {
        /// The platform.
        platform: Platform,
        /// The connected account to publish to.
        #[serde(rename = "accountId")]
        account_id: String,
        /// Unknown fields, passed through unchanged.
        #[serde(flatten)]
        extra: serde_json::Map<String, serde_json::Value>,
    },
}

impl PlatformTarget {
    /// A target naming one connected account.
    pub fn account(platform: Platform, account_id: impl Into<String>) -> PlatformTarget {
        PlatformTarget::Account {
            platform,
            account_id: account_id.into(),
            extra: serde_json::Map::new(),
        }
    }

    /// The platform of this target.
    pub fn platform(&self) -> &Platform {
        match self {
            PlatformTarget::Name(p) | PlatformTarget::Account { platform: p, .. } => p,
        }
    }
}

impl From<Platform> for PlatformTarget {
    fn from(p: Platform) -> Self {
        PlatformTarget::Name(p)
    }
}

impl From<&str> for PlatformTarget {
    fn from(s: &str) -> Self {
        PlatformTarget::Name(Platform::from(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_and_aliases() {
        assert_eq!(Platform::from("twitter"), Platform::X);
        assert_eq!(Platform::from("LinkedIn"), Platform::LinkedIn);
        assert_eq!(
            Platform::from("mastodon"),
            Platform::Other("mastodon".into())
        );
        assert_eq!(Platform::TikTok.to_string(), "tiktok");
    }

    #[test]
    fn targets_round_trip() {
        let v = json!(["threads", {"platform": "instagram", "accountId": "ig_main", "x-new": 1}, "bluesky"]);
        let t: Vec<PlatformTarget> = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(t[0], PlatformTarget::Name(Platform::Threads));
        assert_eq!(t[1].platform(), &Platform::Instagram);
        assert_eq!(
            t[2],
            PlatformTarget::Name(Platform::Other("bluesky".into()))
        );
        assert_eq!(serde_json::to_value(&t).unwrap(), v);
    }
}
