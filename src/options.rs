//! One declaration per client option: [`OPTIONS`].
//!
//! Each [`OptionSpec`] names the option in every interface (the Rust builder method, the C/JSON
//! config key, the Python keyword, the CLI flag and environment variable), states its default
//! and bound, and says whether a single call may override it. The C key table, the Python
//! keyword table and the READMEs' defaults are checked against this table by tests, and error
//! messages name the option at fault through it: the library reports the option as data
//! ([`Error::param`](crate::Error::param), always the C/JSON key) and each interface renders it in its own names with
//! [`Error::hint`](crate::Error::hint) (`apiKey` in C, `api_key` in Python, `SOKU_API_KEY` / `--api-key-file` in the CLI,
//! `ClientBuilder::api_key` in Rust).

use std::time::Duration;

/// The production API: the default base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.mysoku.io";
/// Default bound on each attempt of a call: 30 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default bound on establishing a connection: 10 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The message of the error for a credential option that is not set (`apiKey`,
/// `firebaseToken`): no option name, [`Error::hint`](crate::Error::hint) adds the caller's.
pub(crate) const REQUIRED: &str = "is required";
/// The message of a plain `http://` base URL for a host that is not loopback (no option name,
/// [`Error::hint`](crate::Error::hint) adds the caller's).
pub(crate) const INSECURE_HTTP: &str =
    "invalid base url: plain http:// is only allowed for loopback hosts";

/// One client option, as every interface names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionSpec {
    /// The C/JSON key (config JSON of `soku_client_new`, options JSON of each call), which is
    /// also what [`Error::param`](crate::Error::param) reports: `"apiKey"`.
    pub key: &'static str,
    /// The [`ClientBuilder`](crate::ClientBuilder) method (and [`CallOptions`](crate::CallOptions)
    /// field for a per-call option), or `None` when Rust has no such option: `"api_key"`.
    pub rust: Option<&'static str>,
    /// The Python `Client(...)` keyword (and per-call keyword): `"api_key"`.
    pub python: &'static str,
    /// The CLI flag, or `None` when the CLI has none: `"--api-key-file"`.
    pub cli: Option<&'static str>,
    /// The environment variable that supplies it, or `None`: `"SOKU_API_KEY"`.
    pub env: Option<&'static str>,
    /// The default ([`OptionSpec::default_in`] spells it in each interface's units).
    pub default: OptionDefault,
    /// What values are accepted.
    pub bound: &'static str,
    /// Whether one call may override it (the options JSON of every C operation, the per-call
    /// keywords of every Python method, [`CallOptions`](crate::CallOptions)).
    pub per_call: bool,
    /// Whether the value is a credential (never shown, never echoed).
    pub secret: bool,
    /// Whether it is an option of the client (false: of a call only, such as
    /// `idempotencyKey`).
    pub client: bool,
}

/// The default of an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionDefault {
    /// Not set.
    Unset,
    /// A duration in milliseconds (C keys end in `Ms`; Python and the CLI take seconds).
    Millis(u64),
    /// A count.
    Count(u32),
    /// A boolean.
    Bool(bool),
    /// A text, as documented.
    Text(&'static str),
}

/// How an interface names options, for [`OptionSpec::name`] and [`Error::hint`](crate::Error::hint).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Names {
    /// `ClientBuilder::api_key`.
    Rust,
    /// `"apiKey"` (a config or options JSON key).
    C,
    /// `api_key=`.
    Python,
    /// `--api-key-file` or `SOKU_API_KEY`.
    Cli,
}

impl Names {
    /// The value of the C config key `optionNames` that selects these names (`"rust"`, `"c"`,
    /// `"python"`, `"cli"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Names::Rust => "rust",
            Names::C => "c",
            Names::Python => "python",
            Names::Cli => "cli",
        }
    }

    /// The names [`as_str`](Self::as_str) spells `s`, if any.
    pub fn parse(s: &str) -> Option<Names> {
        [Names::Rust, Names::C, Names::Python, Names::Cli]
            .into_iter()
            .find(|n| n.as_str() == s)
    }
}

impl OptionSpec {
    /// The default as `names` writes a value of this option: `30 s` (Rust), `30000` (C, in
    /// milliseconds), `30` (Python, in seconds), `30s` (CLI); `false` / `False`; `none`.
    pub fn default_in(&self, names: Names) -> String {
        match (self.default, names) {
            (OptionDefault::Unset, _) => "none".to_owned(),
            (OptionDefault::Millis(ms), Names::C) => ms.to_string(),
            (OptionDefault::Millis(ms), n) => {
                let secs = if ms % 1000 == 0 {
                    (ms / 1000).to_string()
                } else {
                    format!("{}", ms as f64 / 1000.0)
                };
                match n {
                    Names::Rust => format!("{secs} s"),
                    Names::Cli => format!("{secs}s"),
                    _ => secs,
                }
            }
            (OptionDefault::Count(n), _) => n.to_string(),
            (OptionDefault::Bool(b), Names::Python) => if b { "True" } else { "False" }.to_owned(),
            (OptionDefault::Bool(b), _) => b.to_string(),
            (OptionDefault::Text(t), _) => t.to_owned(),
        }
    }

    /// How `names` refers to this option in a message: `ClientBuilder::api_key`, `"apiKey"`,
    /// `api_key=`, `--api-key-file` (or the environment variable when the CLI has no flag).
    /// `None` when that interface does not offer the option.
    pub fn name(&self, names: Names) -> Option<String> {
        match names {
            Names::Rust => self.rust.map(|m| format!("ClientBuilder::{m}")),
            Names::C => Some(format!("\"{}\"", self.key)),
            Names::Python => Some(format!("{}=", self.python)),
            Names::Cli => self.cli.or(self.env).map(str::to_owned),
        }
    }
}

/// Every option of a client and of a call. The order is the documentation's.
pub const OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: "apiKey",
        rust: Some("api_key"),
        python: "api_key",
        cli: Some("--api-key-file"),
        env: Some("SOKU_API_KEY"),
        default: OptionDefault::Unset,
        bound: "non-blank printable ascii",
        per_call: false,
        secret: true,
        client: true,
    },
    OptionSpec {
        key: "baseUrl",
        rust: Some("base_url"),
        python: "base_url",
        cli: None,
        env: Some("SOKU_BASE_URL"),
        default: OptionDefault::Text(DEFAULT_BASE_URL),
        bound: "https:// url (http:// for loopback hosts)",
        per_call: false,
        secret: false,
        client: true,
    },
    OptionSpec {
        key: "firebaseToken",
        rust: Some("firebase_token"),
        python: "firebase_token",
        cli: Some("--firebase-token-file"),
        env: Some("SOKU_FIREBASE_TOKEN"),
        default: OptionDefault::Unset,
        bound: "non-blank printable ascii",
        per_call: true,
        secret: true,
        client: true,
    },
    OptionSpec {
        key: "timeoutMs",
        rust: Some("timeout"),
        python: "timeout",
        cli: Some("--timeout"),
        env: None,
        default: OptionDefault::Millis(DEFAULT_TIMEOUT.as_millis() as u64),
        bound: "greater than zero, at most 24 h",
        per_call: true,
        secret: false,
        client: true,
    },
    OptionSpec {
        key: "connectTimeoutMs",
        rust: Some("connect_timeout"),
        python: "connect_timeout",
        cli: None,
        env: None,
        default: OptionDefault::Millis(DEFAULT_CONNECT_TIMEOUT.as_millis() as u64),
        bound: "greater than zero, at most 24 h",
        per_call: false,
        secret: false,
        client: true,
    },
    OptionSpec {
        key: "maxRetries",
        rust: Some("max_retries"),
        python: "max_retries",
        cli: Some("--max-retries"),
        env: None,
        default: OptionDefault::Count(crate::retry::DEFAULT_MAX_RETRIES),
        bound: "0 to 10",
        per_call: true,
        secret: false,
        client: true,
    },
    OptionSpec {
        key: "maxRetryWaitMs",
        rust: Some("max_retry_wait"),
        python: "max_retry_wait",
        cli: None,
        env: None,
        default: OptionDefault::Millis(crate::retry::DEFAULT_MAX_RETRY_WAIT.as_millis() as u64),
        bound: "at most 24 h",
        per_call: false,
        secret: false,
        client: true,
    },
    OptionSpec {
        key: "backoffBaseMs",
        rust: Some("backoff_base"),
        python: "backoff_base",
        cli: None,
        env: None,
        default: OptionDefault::Millis(crate::retry::DEFAULT_BACKOFF_BASE.as_millis() as u64),
        bound: "at most 24 h",
        per_call: false,
        secret: false,
        client: true,
    },
    OptionSpec {
        key: "userAgent",
        rust: Some("user_agent"),
        python: "user_agent",
        cli: None,
        env: None,
        default: OptionDefault::Text("soku-rust/<version>"),
        bound: "printable ascii",
        per_call: false,
        secret: false,
        client: true,
    },
    OptionSpec {
        key: "allowInsecureHttp",
        rust: Some("allow_insecure_http"),
        python: "allow_insecure_http",
        cli: None,
        env: None,
        default: OptionDefault::Bool(false),
        bound: "boolean",
        per_call: false,
        secret: false,
        client: true,
    },
    OptionSpec {
        key: "validateScheduledTime",
        rust: Some("validate_scheduled_time"),
        python: "validate_scheduled_time",
        cli: None,
        env: None,
        default: OptionDefault::Bool(true),
        bound: "boolean",
        per_call: false,
        secret: false,
        client: true,
    },
    OptionSpec {
        key: "proxy",
        rust: Some("proxy"),
        python: "proxy",
        cli: Some("--proxy"),
        env: None,
        default: OptionDefault::Unset,
        bound: "http:// or https:// url, may carry user:password@ (no socks)",
        per_call: false,
        secret: true,
        client: true,
    },
    OptionSpec {
        key: "proxyFromEnv",
        rust: Some("proxy_from_env"),
        python: "proxy_from_env",
        cli: Some("--proxy-from-env"),
        env: Some("HTTPS_PROXY"),
        default: OptionDefault::Bool(false),
        bound: "boolean",
        per_call: false,
        secret: false,
        client: true,
    },
    OptionSpec {
        key: "tlsTrust",
        rust: Some("tls_roots"),
        python: "tls_trust",
        cli: None,
        env: None,
        default: OptionDefault::Text("webpki"),
        bound: "webpki or os",
        per_call: false,
        secret: false,
        client: true,
    },
    OptionSpec {
        key: "caFile",
        rust: Some("ca_file"),
        python: "ca_file",
        cli: None,
        env: None,
        default: OptionDefault::Unset,
        bound: "a readable pem file",
        per_call: false,
        secret: false,
        client: true,
    },
    OptionSpec {
        key: "caPem",
        rust: Some("ca_pem"),
        python: "ca_pem",
        cli: None,
        env: None,
        default: OptionDefault::Unset,
        bound: "pem text",
        per_call: false,
        secret: false,
        client: true,
    },
    OptionSpec {
        key: "fromEnv",
        rust: Some("from_env"),
        python: "from_env",
        cli: None,
        env: None,
        default: OptionDefault::Bool(true),
        bound: "boolean",
        per_call: false,
        secret: false,
        client: true,
    },
    OptionSpec {
        key: "idempotencyKey",
        rust: Some("idempotency_key"),
        python: "idempotency_key",
        cli: Some("--idempotency-key"),
        env: None,
        default: OptionDefault::Unset,
        bound: "1 to 255 printable ascii characters",
        per_call: true,
        secret: false,
        client: false,
    },
];

/// The option whose C/JSON key is `key`.
pub fn find(key: &str) -> Option<&'static OptionSpec> {
    OPTIONS.iter().find(|o| o.key == key)
}

/// [`Error::hint`](crate::Error::hint) from an error's message and `param`.
pub(crate) fn hint_for(message: &str, param: &str, names: Names) -> Option<String> {
    let spec = find(param)?;
    let name = spec.name(names);
    if message.contains(REQUIRED) {
        let mut ways: Vec<String> = Vec::new();
        match names {
            // The CLI reads credentials from the environment first.
            Names::Cli => ways.extend(
                spec.env
                    .map(str::to_owned)
                    .into_iter()
                    .chain(spec.cli.map(str::to_owned)),
            ),
            // Rust reads the environment only through from_env.
            Names::Rust => {
                return Some(match (name, spec.env) {
                    (Some(n), Some(env)) => {
                        format!("set {n}, or {env} with ClientBuilder::from_env")
                    }
                    (Some(n), None) => format!("set {n}"),
                    (None, _) => return None,
                });
            }
            // C and Python read it by default.
            _ => {
                ways.extend(name);
                ways.extend(spec.env.map(str::to_owned));
            }
        }
        return Some(format!("set {}", ways.join(" or ")));
    }
    if param == "baseUrl" && message.starts_with(INSECURE_HTTP) {
        let allow = find("allowInsecureHttp").and_then(|s| match names {
            Names::Rust => s.name(names).map(|n| format!("{n}(true)")),
            Names::C => s.name(names).map(|n| format!("{n}: true")),
            Names::Python => s.name(names).map(|n| format!("{n}True")),
            Names::Cli => None,
        });
        return Some(match allow {
            Some(a) => format!("use https:// or {a}"),
            None => "use https://".to_owned(),
        });
    }
    match names {
        Names::C => name.map(|n| format!("config key {n}")),
        _ => name,
    }
}

/// `message` with the [`Error::hint`](crate::Error::hint) for `param` in `names` appended in parentheses.
pub(crate) fn with_hint(message: &str, param: Option<&str>, names: Names) -> String {
    match param.and_then(|p| hint_for(message, p, names)) {
        Some(h) => format!("{message} ({h})"),
        None => message.to_owned(),
    }
}

/// The table as JSON (what the Python and documentation tests read from the committed
/// fixture `tests/documented/options.json`).
#[doc(hidden)]
pub fn to_json() -> serde_json::Value {
    serde_json::Value::Array(
        OPTIONS
            .iter()
            .map(|o| {
                serde_json::json!({
                    "key": o.key,
                    "rust": o.rust,
                    "python": o.python,
                    "cli": o.cli,
                    "env": o.env,
                    "default": {
                        "rust": o.default_in(Names::Rust),
                        "c": o.default_in(Names::C),
                        "python": o.default_in(Names::Python),
                        "cli": o.default_in(Names::Cli),
                    },
                    "client": o.client,
                    "bound": o.bound,
                    "perCall": o.per_call,
                    "secret": o.secret,
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    /// Every literal `param` of a configuration error in the library's sources is a key of the
    /// table (so every interface can name it).
    #[test]
    fn every_config_error_param_is_a_declared_option() {
        let sources = [
            include_str!("client.rs"),
            include_str!("config.rs"),
            include_str!("tls.rs"),
            include_str!("transport.rs"),
        ];
        let mut seen = 0;
        for src in sources {
            let flat: String = src.split_whitespace().collect::<Vec<_>>().join(" ");
            for (at, _) in flat.match_indices("config_param(") {
                let rest = flat[at + "config_param(".len()..].trim_start();
                let Some(rest) = rest.strip_prefix('"') else {
                    continue; // a variable: checked where it is set
                };
                let key = &rest[..rest.find('"').unwrap()];
                assert!(
                    find(key).is_some(),
                    "config_param({key:?}) is not in OPTIONS"
                );
                seen += 1;
            }
        }
        assert!(seen >= 8, "{seen}");
        // The variables: the per-duration table of config.rs and tls.rs's caFile / caPem.
        for key in [
            "timeoutMs",
            "connectTimeoutMs",
            "maxRetryWaitMs",
            "backoffBaseMs",
            "caPem",
        ] {
            assert!(find(key).is_some(), "{key}");
        }
    }

    /// Each interface's hint names only its own options.
    #[test]
    fn hints_per_interface() {
        let missing = Error::config_param("apiKey", format!("an api key {REQUIRED}"));
        let insecure = Error::config_param("baseUrl", INSECURE_HTTP);
        let proxy = Error::config_param("proxy", "invalid proxy url");
        let want = [
            (
                Names::Rust,
                [
                    "set ClientBuilder::api_key, or SOKU_API_KEY with ClientBuilder::from_env",
                    "use https:// or ClientBuilder::allow_insecure_http(true)",
                    "ClientBuilder::proxy",
                ],
            ),
            (
                Names::C,
                [
                    "set \"apiKey\" or SOKU_API_KEY",
                    "use https:// or \"allowInsecureHttp\": true",
                    "config key \"proxy\"",
                ],
            ),
            (
                Names::Python,
                [
                    "set api_key= or SOKU_API_KEY",
                    "use https:// or allow_insecure_http=True",
                    "proxy=",
                ],
            ),
            (
                Names::Cli,
                [
                    "set SOKU_API_KEY or --api-key-file",
                    "use https://",
                    "--proxy",
                ],
            ),
        ];
        for (names, [m, i, p]) in want {
            assert_eq!(missing.hint(names).as_deref(), Some(m));
            assert_eq!(insecure.hint(names).as_deref(), Some(i));
            assert_eq!(proxy.hint(names).as_deref(), Some(p));
        }
        assert_eq!(Error::config("no param").hint(Names::C), None);
        assert_eq!(Error::invalid_param("apiKey", "x").hint(Names::C), None);
    }
}
