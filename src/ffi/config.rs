//! Config JSON → [`ClientBuilder`], options JSON → [`CallOptions`], request JSON → typed requests.
//!
//! Config and options are read key by key (not through serde's derive) so that unknown keys are
//! rejected by name and that no error message ever echoes a value: these objects carry secrets.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::options::{self, Names};
use crate::validate::closest;
use crate::{CallOptions, ClientBuilder, Error, TlsRoots};

/// Parses `text` as a JSON object; `what` names the argument in error messages.
pub(crate) fn parse_object(text: &str, what: &str) -> Result<Map<String, Value>, Error> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Error::invalid_param(
            what,
            format!("{what} must be a json object"),
        )),
        Err(e) => Err(Error::invalid_param(
            what,
            format!("{what} is not valid json: {e}"),
        )),
    }
}

/// Parses a request body into its typed request (unknown fields pass through in `extra`).
///
/// A failure names the JSON path and what the field must be (`invalid request at
/// post.content.platform: must be an array, not a number`); it never repeats the value sent,
/// which may be a secret.
///
/// The hot path parses the text straight into `T`; only when that fails (or the text is not an
/// object, which a struct would otherwise accept as an array) does it go through a
/// [`serde_json::Value`], whose two steps give the precise error, and accept what the direct
/// parse refuses but a JSON object allows (a repeated key: the last one wins).
pub(crate) fn parse_request<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    if let Some(req) = parse_direct(text) {
        return Ok(req);
    }
    let map = parse_object(text, "request_json")?;
    parse_value(Value::Object(map))
}

/// The hot path of the parsers here: an object's text straight into `T`, or `None` (then the
/// slower path through a [`serde_json::Value`] gives the precise error).
pub(crate) fn parse_direct<T: DeserializeOwned>(text: &str) -> Option<T> {
    if text.trim_start().starts_with('{') {
        serde_json::from_str(text).ok()
    } else {
        None
    }
}

/// [`parse_request`] after `check` looked at the parsed object (see [`check_create_post`]).
pub(crate) fn parse_checked<T: DeserializeOwned>(
    text: &str,
    check: impl FnOnce(&Value) -> Result<(), Error>,
) -> Result<T, Error> {
    let value = Value::Object(parse_object(text, "request_json")?);
    check(&value)?;
    parse_value(value)
}

/// The documented keys of a create-post body, of its `post` and of `post.content`.
///
/// These bodies stay open (an unknown key is sent unchanged, so fields the API adds later can be
/// used at once), except for a key that is most likely a misspelling of a documented one (same
/// letters in another case, or at most two edits away): `"platfrom"` is refused with `did you
/// mean "platform"?` instead of being sent while `platform` is missing.
const CREATE_POST_KEYS: &[&str] = &["post", "scheduledTime", "enableRepurposing", "trial_reel"];
const POST_KEYS: &[&str] = &["content"];
const CONTENT_KEYS: &[&str] = &[
    "text",
    "mediaType",
    "mediaUrls",
    "videoUrl",
    "imageUrls",
    "platform",
];

/// `path.key`, or `key` at the top.
fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Refuses a key of the object `value` that is a likely misspelling of one of `known`.
pub(crate) fn check_keys(value: &Value, known: &[&str], path: &str) -> Result<(), Error> {
    let Value::Object(map) = value else {
        return Ok(());
    };
    for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
        if let Some(meant) = closest(key, known) {
            let at = if path.is_empty() {
                String::new()
            } else {
                format!(" at {path}")
            };
            return Err(Error::invalid_param(
                join(path, key),
                format!("invalid request{at}: unknown field \"{key}\" (did you mean \"{meant}\"?)"),
            ));
        }
    }
    Ok(())
}

/// [`check_keys`] over a create-post body at `path`: its top level, `post` and `post.content`.
pub(crate) fn check_create_post(value: &Value, path: &str) -> Result<(), Error> {
    check_keys(value, CREATE_POST_KEYS, path)?;
    if let Some(post) = value.get("post") {
        check_keys(post, POST_KEYS, &join(path, "post"))?;
        if let Some(content) = post.get("content") {
            check_content(content, &join(path, "post.content"))?;
        }
    }
    Ok(())
}

/// [`check_keys`] over a post content object at `path`.
pub(crate) fn check_content(value: &Value, path: &str) -> Result<(), Error> {
    check_keys(value, CONTENT_KEYS, path)
}

/// [`parse_request`] for an already parsed object. The error's `param` is the JSON path of
/// the field at fault: the wrongly typed field, the unknown field, or the missing field.
pub(crate) fn parse_value<T: DeserializeOwned>(value: Value) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.inner().to_string();
        let full = e.path().to_string();
        let mut path = match full.as_str() {
            "." => String::new(),
            _ => full.clone(),
        };
        let mut param = path.clone();
        if inner.starts_with("unknown field") {
            // The path ends with the unknown key itself: name the object that holds it.
            path = path
                .rsplit_once('.')
                .map_or(String::new(), |(p, _)| p.to_owned());
        } else if let Some(field) = inner
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split_once('`'))
            .map(|(field, _)| field)
        {
            param = join(&path, field);
        }
        let what = describe(&inner);
        let message = match path.as_str() {
            "" => format!("invalid request: {what}"),
            _ => format!("invalid request at {path}: {what}"),
        };
        match param.as_str() {
            "" => Error::invalid(message),
            _ => Error::invalid_param(param, message),
        }
    })
}

/// Rewrites a serde message in the user's terms: JSON type names, field names in double quotes,
/// no Rust type names and never the value that was sent.
fn describe(message: &str) -> String {
    let quoted_list = |rest: &str| -> String {
        rest.split('`')
            .skip(1)
            .step_by(2)
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(rest) = message.strip_prefix("missing field `") {
        return format!("missing field \"{}\"", rest.trim_end_matches('`'));
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, rest) = rest.split_once('`').unwrap_or((rest, ""));
        let names: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
        return match closest(field, &names) {
            Some(meant) => format!("unknown field \"{field}\" (did you mean \"{meant}\"?)"),
            None if names.is_empty() => format!("unknown field \"{field}\""),
            None => format!(
                "unknown field \"{field}\" (expected one of {})",
                quoted_list(rest)
            ),
        };
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let rest = rest.split_once('`').map_or("", |(_, r)| r);
        return format!("must be one of {}", quoted_list(rest));
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let (found, expected) = rest.rsplit_once(", expected ").unwrap_or((rest, ""));
            return format!("must be {}, not {}", json_type(expected), found_type(found));
        }
    }
    if message.starts_with("data did not match any variant of untagged enum") {
        return "has the wrong type (see the documented request format)".to_owned();
    }
    if let Some(rest) = message.strip_prefix("invalid length ") {
        let expected = rest.split_once(", expected ").map_or("", |(_, e)| e);
        return format!("has the wrong number of elements (expected {expected})");
    }
    // Our own messages (they never hold input values); serde's backticks become quotes.
    message.replace('`', "\"")
}

/// serde's name of an expected type, in JSON terms.
fn json_type(expected: &str) -> &str {
    match expected {
        "a sequence" => "an array",
        "a map" => "an object",
        "a boolean" | "a string" => expected,
        e if e.starts_with("struct ") || e.starts_with("a map") => "an object",
        e if e.starts_with("a sequence") || e.starts_with("a vec") => "an array",
        "u8" | "u16" | "u32" | "u64" | "usize" | "i32" | "i64" | "f32" | "f64" => "a number",
        "" => "another type",
        e if e.contains('`') || e.contains("enum ") => "another value",
        e => e,
    }
}

/// The JSON type of a value serde describes (`string "…"`, `integer `5``, …), without the value.
fn found_type(found: &str) -> &'static str {
    let word = found.split([' ', '`', '"']).next().unwrap_or("");
    match word {
        "string" | "char" => "a string",
        "integer" | "floating" => "a number",
        "boolean" => "a boolean",
        "null" | "unit" | "Option" => "null",
        "sequence" => "an array",
        "map" => "an object",
        _ => "that",
    }
}

/// Takes the known keys out of a JSON object, then rejects whatever is left.
struct Fields<'a> {
    map: Map<String, Value>,
    what: &'a str,
    /// How the error messages name a key.
    names: Names,
    /// The keys asked for so far (the suggestions for a misspelled one).
    known: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    fn new(map: Map<String, Value>, what: &'a str, names: Names) -> Self {
        Fields {
            map,
            what,
            names,
            known: Vec::new(),
        }
    }

    /// A key that is absent or `null` is `None`.
    fn take(&mut self, key: &'static str) -> Option<Value> {
        self.known.push(key);
        self.map.remove(key).filter(|v| !v.is_null())
    }

    /// `config key timeoutMs must be …`, or in Python's names `timeout= must be …`.
    fn wrong_type(&self, key: &'static str, expected: &str) -> Error {
        let (name, expected) = match (self.names, options::find(key)) {
            // Python takes durations in seconds, which it converts to these milliseconds.
            (Names::Python, Some(spec)) if key.ends_with("Ms") => (
                format!("{}=", spec.python),
                "a number of seconds from 0 to 86400",
            ),
            (Names::Python, Some(spec)) => (format!("{}=", spec.python), expected),
            _ => (format!("{} key {key}", self.what), expected),
        };
        Error::invalid_param(key, format!("{name} must be {expected}"))
    }

    fn string(&mut self, key: &'static str) -> Result<Option<String>, Error> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.wrong_type(key, "a string")),
        }
    }

    fn boolean(&mut self, key: &'static str) -> Result<Option<bool>, Error> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(_) => Err(self.wrong_type(key, "a boolean")),
        }
    }

    fn uint(&mut self, key: &'static str, max: u64) -> Result<Option<u64>, Error> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => match v.as_u64() {
                Some(n) if n <= max => Ok(Some(n)),
                _ => Err(self.wrong_type(key, &format!("an integer from 0 to {max}"))),
            },
        }
    }

    fn millis(&mut self, key: &'static str) -> Result<Option<Duration>, Error> {
        Ok(self.uint(key, u64::MAX)?.map(Duration::from_millis))
    }

    /// A retry count (the library checks its bound, the same check for the client's and a
    /// call's).
    fn retries(&mut self, key: &'static str) -> Result<Option<u32>, Error> {
        // The bound makes the conversion lossless.
        Ok(self.uint(key, u32::MAX.into())?.map(|n| n as u32))
    }

    /// Fails on the first key nobody took, suggesting the closest known key.
    fn finish(self) -> Result<(), Error> {
        match self.map.keys().next() {
            None => Ok(()),
            Some(key) => {
                let hint = closest(key, &self.known)
                    .map(|k| format!(" (did you mean \"{k}\"?)"))
                    .unwrap_or_default();
                Err(Error::invalid_param(
                    key.clone(),
                    format!("unknown {} key: {key}{hint}", self.what),
                ))
            }
        }
    }
}

/// Reads one key of a JSON object (config or options) into `B` through its setter.
type Setter<B> = fn(&mut Fields<'_>, &'static str, B) -> Result<B, Error>;

/// The `User-Agent` of a C caller that sets none: the Rust library's, then the C ABI's product.
pub(crate) const C_USER_AGENT: &str = concat!(
    crate::config::rust_user_agent!(),
    " soku-c/",
    env!("CARGO_PKG_VERSION")
);

/// The config key that decides where the builder starts (read before [`CONFIG_KEYS`]): boolean,
/// default true (absent keys fall back to the environment); `false` reads nothing from it.
const FROM_ENV: &str = "fromEnv";

/// The config key that picks the option names of error messages (read first): `"c"` (default:
/// `"apiKey"`), `"python"` (`api_key=`), `"rust"`, `"cli"`. For bindings built on the C ABI,
/// whose users know the options by other names.
const OPTION_NAMES: &str = "optionNames";

/// Every key of the config JSON and the [`ClientBuilder`] setter it feeds, in the order they are
/// applied; an unknown key is refused with the closest of these names as a suggestion. Values
/// are checked by the builder, except for their JSON type (and the 0 to [`MAX_RETRIES`] range
/// of `maxRetries`, which the builder's `u32` cannot hold otherwise). Durations are integers of
/// milliseconds.
const CONFIG_KEYS: &[(&str, Setter<ClientBuilder>)] = &[
    ("apiKey", |f, k, b| {
        Ok(set(f.string(k)?, b, ClientBuilder::api_key))
    }),
    ("baseUrl", |f, k, b| {
        Ok(set(f.string(k)?, b, ClientBuilder::base_url))
    }),
    ("firebaseToken", |f, k, b| {
        Ok(set(f.string(k)?, b, ClientBuilder::firebase_token))
    }),
    ("timeoutMs", |f, k, b| {
        Ok(set(f.millis(k)?, b, ClientBuilder::timeout))
    }),
    ("connectTimeoutMs", |f, k, b| {
        Ok(set(f.millis(k)?, b, ClientBuilder::connect_timeout))
    }),
    ("maxRetries", |f, k, b| {
        Ok(set(f.retries(k)?, b, ClientBuilder::max_retries))
    }),
    ("maxRetryWaitMs", |f, k, b| {
        Ok(set(f.millis(k)?, b, ClientBuilder::max_retry_wait))
    }),
    ("backoffBaseMs", |f, k, b| {
        Ok(set(f.millis(k)?, b, ClientBuilder::backoff_base))
    }),
    ("userAgent", |f, k, b| {
        Ok(set(f.string(k)?, b, ClientBuilder::user_agent))
    }),
    ("allowInsecureHttp", |f, k, b| {
        Ok(set(f.boolean(k)?, b, ClientBuilder::allow_insecure_http))
    }),
    ("validateScheduledTime", |f, k, b| {
        Ok(set(
            f.boolean(k)?,
            b,
            ClientBuilder::validate_scheduled_time,
        ))
    }),
    ("proxy", |f, k, b| {
        Ok(set(f.string(k)?, b, ClientBuilder::proxy))
    }),
    ("proxyFromEnv", |f, k, b| {
        Ok(set(f.boolean(k)?, b, ClientBuilder::proxy_from_env))
    }),
    ("caFile", |f, k, b| {
        Ok(set(f.string(k)?, b, ClientBuilder::ca_file))
    }),
    ("caPem", |f, k, b| {
        Ok(set(f.string(k)?, b, ClientBuilder::ca_pem))
    }),
    ("tlsTrust", |f, k, b| {
        let roots = match f.string(k)?.as_deref() {
            None => return Ok(b),
            Some("webpki") => TlsRoots::WebPki,
            Some("os") => TlsRoots::Os,
            Some(_) => return Err(f.wrong_type(k, "\"webpki\" or \"os\"")),
        };
        Ok(b.tls_roots(roots))
    }),
];

/// Feeds each key of `keys` through its setter, in table order, then refuses any key left in
/// `f` (suggesting the closest table name: [`Fields::take`] records each name asked for).
fn apply<B>(mut f: Fields<'_>, keys: &[(&'static str, Setter<B>)], mut b: B) -> Result<B, Error> {
    for (key, setter) in keys {
        b = setter(&mut f, key, b)?;
    }
    f.finish()?;
    Ok(b)
}

/// `setter(b, value)` when the key was given, else `b` unchanged.
fn set<B, T>(value: Option<T>, b: B, setter: fn(B, T) -> B) -> B {
    match value {
        Some(v) => setter(b, v),
        None => b,
    }
}

/// Builds a [`ClientBuilder`] from the config JSON (NULL counts as `{}`): each key of
/// [`CONFIG_KEYS`] through its setter. `apiKey`, `baseUrl` and `firebaseToken` fall back to
/// `SOKU_API_KEY`, `SOKU_BASE_URL` and `SOKU_FIREBASE_TOKEN` ([`ClientBuilder::from_env`]),
/// `userAgent` to [`C_USER_AGENT`] (a caller's own, such as Python's
/// `soku-rust/<v> soku-python/<v>`, is sent verbatim), everything else to the [`ClientBuilder`]
/// defaults. `"fromEnv": false` skips the environment (read first: it decides where the
/// builder starts).
///
/// Returns the builder and the option names the client's error messages use (`optionNames`);
/// an error comes already in those names when they could be read ([`localize`]).
pub(crate) fn client_builder(text: Option<&str>) -> (Names, Result<ClientBuilder, Error>) {
    let map = match text {
        Some(text) => match parse_object(text, "config_json") {
            Ok(map) => map,
            Err(e) => return (Names::C, Err(e)),
        },
        None => Map::new(),
    };
    let mut f = Fields::new(map, "config", Names::C);
    let names = match f.string(OPTION_NAMES) {
        Ok(None) => Names::C,
        Ok(Some(n)) => match Names::parse(&n) {
            Some(names) => names,
            None => {
                let e = f.wrong_type(OPTION_NAMES, "\"c\", \"python\", \"rust\" or \"cli\"");
                return (Names::C, Err(e));
            }
        },
        Err(e) => return (Names::C, Err(e)),
    };
    f.names = names;
    let built = (|| {
        let b = match f.boolean(FROM_ENV)? {
            Some(false) => ClientBuilder::new(),
            Some(true) | None => ClientBuilder::from_env(),
        };
        apply(f, CONFIG_KEYS, b.user_agent(C_USER_AGENT))
    })();
    (names, built.map_err(|e| localize(e, names)))
}

/// `err` with the option at fault named in `names`: a configuration error's message gets the
/// [`Error::hint`] (`an api key is required (set "apiKey" or SOKU_API_KEY)`).
pub(crate) fn localize(err: Error, names: Names) -> Error {
    match err.hint(names) {
        Some(hint) => match err {
            Error::Config { message, param } => Error::Config {
                message: format!("{message} ({hint})"),
                param,
            },
            other => other,
        },
        None => err,
    }
}

/// Every key of the options JSON and the [`CallOptions`] setter it feeds (as [`CONFIG_KEYS`]).
const OPTION_KEYS: &[(&str, Setter<CallOptions>)] = &[
    ("idempotencyKey", |f, k, o| {
        Ok(set(f.string(k)?, o, CallOptions::idempotency_key))
    }),
    ("firebaseToken", |f, k, o| {
        Ok(set(f.string(k)?, o, CallOptions::firebase_token))
    }),
    ("timeoutMs", |f, k, o| {
        Ok(set(f.millis(k)?, o, CallOptions::timeout))
    }),
    ("maxRetries", |f, k, o| {
        Ok(set(f.retries(k)?, o, CallOptions::max_retries))
    }),
];

/// Builds [`CallOptions`] from the options JSON (NULL counts as `{}`): each key of
/// [`OPTION_KEYS`] through its setter.
pub(crate) fn call_options(text: Option<&str>, names: Names) -> Result<CallOptions, Error> {
    let Some(text) = text else {
        return Ok(CallOptions::new());
    };
    let f = Fields::new(parse_object(text, "options_json")?, "options", names);
    let opts = apply(f, OPTION_KEYS, CallOptions::new())?;
    opts.check()?;
    Ok(opts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::{OPTIONS, OptionDefault};

    #[test]
    fn serde_type_names_read_as_json_types() {
        for (serde, json) in [
            ("a sequence", "an array"),
            ("a sequence of strings", "an array"),
            ("a vector", "an array"),
            ("a map", "an object"),
            ("a map with string keys", "an object"),
            ("struct CreatePost", "an object"),
            ("a string", "a string"),
            ("a boolean", "a boolean"),
            ("u32", "a number"),
            ("f64", "a number"),
            ("", "another type"),
            ("one of `x`, `threads`", "another value"),
            ("enum Platform", "another value"),
            ("an RFC 3339 time", "an RFC 3339 time"),
        ] {
            assert_eq!(json_type(serde), json, "{serde:?}");
        }
    }

    #[test]
    fn unknown_fields_are_named_with_a_suggestion_or_the_list() {
        assert_eq!(describe("unknown field `x`"), "unknown field \"x\"");
        assert_eq!(
            describe("unknown field `tmeoutMs`, expected one of `timeoutMs`, `maxRetries`"),
            "unknown field \"tmeoutMs\" (did you mean \"timeoutMs\"?)"
        );
        assert_eq!(
            describe("unknown field `zzz`, expected one of `timeoutMs`, `maxRetries`"),
            "unknown field \"zzz\" (expected one of \"timeoutMs\", \"maxRetries\")"
        );
    }

    #[test]
    fn a_wrong_type_at_the_top_names_no_path() {
        let err = parse_value::<crate::CreatePost>(serde_json::json!([1])).unwrap_err();
        assert!(
            err.message().starts_with("invalid request: "),
            "{}",
            err.message()
        );
    }

    /// The backticked names of the README sentence that starts with `lead` and ends at `end`.
    fn readme_keys(lead: &str, end: &str) -> Vec<String> {
        let readme = include_str!("../../bindings/c/README.md");
        let start = readme.find(lead).expect("the README lists the keys") + lead.len();
        let text = &readme[start..];
        let text = &text[..text.find(end).expect("end of the key list")];
        text.split('`')
            .skip(1)
            .step_by(2)
            .filter(|k| k.chars().all(|c| c.is_ascii_alphanumeric()))
            .map(str::to_owned)
            .collect()
    }

    fn sorted(mut v: Vec<String>) -> Vec<String> {
        v.sort();
        v
    }

    /// The C key tables are exactly the option table's client and per-call keys (plus the C
    /// ABI's own `optionNames`), and the C README lists the same.
    #[test]
    fn the_c_tables_and_readme_match_the_option_table() {
        let mut table: Vec<String> = CONFIG_KEYS.iter().map(|(k, _)| k.to_string()).collect();
        table.push(FROM_ENV.into());
        let declared: Vec<String> = OPTIONS
            .iter()
            .filter(|o| o.client)
            .map(|o| o.key.to_string())
            .collect();
        assert_eq!(sorted(table.clone()), sorted(declared));
        table.push(OPTION_NAMES.into());
        let mut listed = readme_keys("config keys", "; absent keys");
        listed.retain(|k| !["webpki", "os", "c", "python", "rust", "cli"].contains(&k.as_str()));
        assert_eq!(sorted(listed), sorted(table));
        let calls: Vec<String> = OPTION_KEYS.iter().map(|(k, _)| k.to_string()).collect();
        let declared: Vec<String> = OPTIONS
            .iter()
            .filter(|o| o.per_call)
            .map(|o| o.key.to_string())
            .collect();
        assert_eq!(sorted(calls.clone()), sorted(declared));
        assert_eq!(
            sorted(readme_keys("Per-call options keys:", ".")),
            sorted(calls)
        );
    }

    /// `soku_client_new`'s documentation (it becomes the C header) lists every key of the table
    /// and, for every number, the default of the option table.
    #[test]
    fn the_c_docs_list_every_config_key_and_its_default() {
        let doc = include_str!("client.rs").replace("\n///   ", " ");
        for (key, _) in CONFIG_KEYS {
            assert!(doc.contains(&format!("`{key}`")), "{key} is not documented");
        }
        for o in OPTIONS.iter().filter(|o| o.client) {
            if let OptionDefault::Millis(_) | OptionDefault::Count(_) = o.default {
                let default = format!("default {}", o.default_in(Names::C));
                let at = doc.find(&format!("`{}` (", o.key)).expect(o.key);
                let near = &doc[at..doc.len().min(at + 120)];
                assert!(near.contains(&default), "{}: {near}", o.key);
            }
        }
        assert!(doc.contains(&format!("`\"{}\"`", crate::DEFAULT_BASE_URL)));
    }

    /// Every key of the table is read (a typo in a name would make it unknown), and an unknown
    /// key is refused with the closest table name.
    #[test]
    fn every_table_key_is_accepted_and_typos_get_a_suggestion() {
        for (key, _) in CONFIG_KEYS {
            let text = format!("{{\"{key}\": null}}");
            assert!(client_builder(Some(&text)).1.is_ok(), "{key}");
        }
        let e = client_builder(Some(r#"{"conectTimeoutMs": 5}"#))
            .1
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid argument: unknown config key: conectTimeoutMs (did you mean \"connectTimeoutMs\"?)"
        );
        let b = client_builder(Some(r#"{"timeoutMs": 1500, "maxRetries": 0}"#))
            .1
            .unwrap();
        assert_eq!(b.config().timeout(), Duration::from_millis(1500));
        assert_eq!(b.config().retry().max_retries, 0);
        assert_eq!(b.config().user_agent(), C_USER_AGENT);
        assert_eq!(
            C_USER_AGENT,
            format!("soku-rust/{v} soku-c/{v}", v = crate::VERSION)
        );
    }

    /// `optionNames` picks the names of the messages; the `param` stays the config key.
    #[test]
    fn option_names_render_the_callers_names() {
        let (names, b) = client_builder(Some(
            r#"{"optionNames": "python", "fromEnv": false, "baseUrl": "http://example.com"}"#,
        ));
        assert_eq!(names, Names::Python);
        let e = localize(b.unwrap().build().unwrap_err(), names);
        assert_eq!(e.param(), Some("baseUrl"));
        assert_eq!(
            e.message(),
            "invalid base url: plain http:// is only allowed for loopback hosts \
             (use https:// or allow_insecure_http=True)"
        );
        let e = client_builder(Some(r#"{"optionNames": "python", "timeoutMs": "x"}"#))
            .1
            .unwrap_err();
        assert_eq!(
            e.message(),
            "timeout= must be a number of seconds from 0 to 86400"
        );
        let e = client_builder(Some(r#"{"optionNames": "klingon"}"#))
            .1
            .unwrap_err();
        assert_eq!(e.param(), Some("optionNames"));
    }
}
