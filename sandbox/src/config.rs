//! Configuration and the fixtures every sandbox starts with.

use std::collections::BTreeMap;
use std::time::Duration;

/// API key of the default, active account.
pub const DEFAULT_API_KEY: &str = "sk_live_sandbox_default_0000000000000000000000";
/// Id of [`DEFAULT_API_KEY`] as listed by `GET /v1/api-keys`.
pub const DEFAULT_KEY_ID: &str = "key_sandbox_default";
/// Firebase ID token accepted for the default account on `/v1/api-keys`.
pub const FIREBASE_TOKEN: &str = "sandbox-firebase-id-token";
/// API key of an account without an active subscription (content calls get 403 `forbidden`).
pub const INACTIVE_API_KEY: &str = "sk_live_sandbox_inactive_000000000000000000000";
/// Id of [`INACTIVE_API_KEY`] (listed for the inactive account only).
pub const INACTIVE_KEY_ID: &str = "key_sandbox_inactive";

/// Endpoint names for rate limits, with their default limits per window.
pub const DEFAULT_LIMITS: [(&str, u64); 6] = [
    ("posts", 30),
    ("media", 30),
    ("templates", 20),
    ("render-og", 20),
    ("transcribe", 10),
    ("api-keys", 100),
];

/// Template slugs the sandbox renders; any other slug gets 404 `template_not_found`.
pub const TEMPLATE_SLUGS: [&str; 4] = ["tweetImage", "quoteCard", "blogPost", "announcement"];

/// The default connected accounts per platform.
pub fn default_connections() -> BTreeMap<String, Vec<String>> {
    [
        ("x", &["x_main"][..]),
        ("threads", &["threads_main"]),
        ("linkedin", &["li_main"]),
        ("instagram", &["ig_main", "ig_backup"]),
        ("facebook", &["fb_page"]),
        ("tiktok", &["tt_brand"]),
        ("youtube", &["yt_main"]),
    ]
    .into_iter()
    .map(|(p, ids)| (p.to_string(), ids.iter().map(|s| s.to_string()).collect()))
    .collect()
}

/// Everything a sandbox is started with. Built by [`crate::SandboxBuilder`].
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub host: String,
    pub port: u16,
    pub rate_limits: bool,
    pub window: Duration,
    pub limits: BTreeMap<String, u64>,
    pub connections: BTreeMap<String, Vec<String>>,
    pub credits: u64,
    pub check_scheduled_time: bool,
    /// Firebase ID tokens accepted for the default account besides [`FIREBASE_TOKEN`].
    pub extra_firebase_tokens: Secrets,
    /// How many recorded requests, submissions and idempotency results are kept, each.
    pub retained: usize,
}

/// The default of [`Config::retained`].
pub(crate) const DEFAULT_RETAINED: usize = 10_000;

/// Secret strings whose `Debug` shows only how many there are.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Secrets(pub Vec<String>);

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{} redacted>", self.0.len())
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: "127.0.0.1".into(),
            port: 0,
            rate_limits: true,
            window: Duration::from_secs(60),
            limits: DEFAULT_LIMITS
                .iter()
                .map(|(n, l)| (n.to_string(), *l))
                .collect(),
            connections: default_connections(),
            credits: 1000,
            check_scheduled_time: true,
            extra_firebase_tokens: Secrets::default(),
            retained: DEFAULT_RETAINED,
        }
    }
}

impl Config {
    /// The limit of an endpoint (`posts`, `media`, …).
    pub fn limit(&self, endpoint: &str) -> u64 {
        self.limits.get(endpoint).copied().unwrap_or(u64::MAX)
    }
}
