//! Config JSON → [`ClientBuilder`], options JSON → [`CallOptions`], request JSON → typed requests.
//!
//! Config and options are read key by key (not through serde's derive) so that unknown keys are
//! rejected by name and that no error message ever echoes a value: these objects carry secrets.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::{CallOptions, ClientBuilder, Error, TlsRoots};

/// Parses `text` as a JSON object; `what` names the argument in error messages.
pub(crate) fn parse_object(text: &str, what: &str) -> Result<Map<String, Value>, Error> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Error::InvalidArgument(format!(
            "{what} must be a json object"
        ))),
        Err(e) => Err(Error::InvalidArgument(format!(
            "{what} is not valid json: {e}"
        ))),
    }
}

/// Parses a request body into its typed request (unknown fields pass through in `extra`).
///
/// The hot path parses the text straight into `T`; only when that fails (or the text is not an
/// object, which a struct would otherwise accept as an array) does it go through a
/// [`serde_json::Value`], whose two steps give the precise error, and accept what the direct
/// parse refuses but a JSON object allows (a repeated key: the last one wins).
pub(crate) fn parse_request<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    if text.trim_start().starts_with('{')
        && let Ok(req) = serde_json::from_str::<T>(text)
    {
        return Ok(req);
    }
    let map = parse_object(text, "request_json")?;
    serde_json::from_value(Value::Object(map))
        .map_err(|e| Error::InvalidArgument(format!("invalid request_json: {e}")))
}

/// Takes the known keys out of a JSON object, then rejects whatever is left.
struct Fields<'a> {
    map: Map<String, Value>,
    what: &'a str,
}

impl<'a> Fields<'a> {
    fn new(map: Map<String, Value>, what: &'a str) -> Self {
        Fields { map, what }
    }

    /// A key that is absent or `null` is `None`.
    fn take(&mut self, key: &str) -> Option<Value> {
        self.map.remove(key).filter(|v| !v.is_null())
    }

    fn wrong_type(&self, key: &str, expected: &str) -> Error {
        Error::InvalidArgument(format!("{} key {key} must be {expected}", self.what))
    }

    fn string(&mut self, key: &str) -> Result<Option<String>, Error> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.wrong_type(key, "a string")),
        }
    }

    fn boolean(&mut self, key: &str) -> Result<Option<bool>, Error> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(_) => Err(self.wrong_type(key, "a boolean")),
        }
    }

    fn uint(&mut self, key: &str, max: u64) -> Result<Option<u64>, Error> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => match v.as_u64() {
                Some(n) if n <= max => Ok(Some(n)),
                _ => Err(self.wrong_type(key, &format!("an integer from 0 to {max}"))),
            },
        }
    }

    fn millis(&mut self, key: &str) -> Result<Option<Duration>, Error> {
        Ok(self.uint(key, u64::MAX)?.map(Duration::from_millis))
    }

    fn count(&mut self, key: &str) -> Result<Option<u32>, Error> {
        // The bound makes the conversion lossless.
        Ok(self.uint(key, u32::MAX.into())?.map(|n| n as u32))
    }

    /// Fails on the first key nobody took.
    fn finish(self) -> Result<(), Error> {
        match self.map.keys().next() {
            None => Ok(()),
            Some(key) => Err(Error::InvalidArgument(format!(
                "unknown {} key: {key}",
                self.what
            ))),
        }
    }
}

/// Builds a [`ClientBuilder`] from the config JSON (NULL counts as `{}`).
///
/// Keys: `apiKey`, `baseUrl`, `firebaseToken`, `timeoutMs`, `connectTimeoutMs`, `maxRetries`,
/// `maxRetryWaitMs`, `backoffBaseMs`, `userAgent`, `allowInsecureHttp`, `validateScheduledTime`,
/// `caFile` (path of a PEM file of CA certificates to trust instead of the default roots),
/// `caPem` (the same as PEM text), `tlsTrust` (`"webpki"`, the default: Mozilla's roots
/// compiled in; `"os"`: the operating system's trust store).
/// `apiKey`, `baseUrl` and `firebaseToken` fall back to `SOKU_API_KEY`, `SOKU_BASE_URL` and
/// `SOKU_FIREBASE_TOKEN` ([`ClientBuilder::from_env`]); everything else to the
/// [`ClientBuilder`] defaults.
pub(crate) fn client_builder(text: Option<&str>) -> Result<ClientBuilder, Error> {
    let map = match text {
        Some(text) => parse_object(text, "config_json")?,
        None => Map::new(),
    };
    let mut f = Fields::new(map, "config");
    let mut b = ClientBuilder::from_env();
    if let Some(key) = f.string("apiKey")? {
        b = b.api_key(key);
    }
    if let Some(url) = f.string("baseUrl")? {
        b = b.base_url(url);
    }
    if let Some(token) = f.string("firebaseToken")? {
        b = b.firebase_token(token);
    }
    if let Some(d) = f.millis("timeoutMs")? {
        b = b.timeout(d);
    }
    if let Some(d) = f.millis("connectTimeoutMs")? {
        b = b.connect_timeout(d);
    }
    if let Some(n) = f.count("maxRetries")? {
        b = b.max_retries(n);
    }
    if let Some(d) = f.millis("maxRetryWaitMs")? {
        b = b.max_retry_wait(d);
    }
    if let Some(d) = f.millis("backoffBaseMs")? {
        b = b.backoff_base(d);
    }
    // The C ABI identifies itself after the Rust library, as the spec allows; a caller's own
    // userAgent (Python sends "soku-rust/<v> soku-python/<v>") is used verbatim.
    let ua = f.string("userAgent")?;
    b = b.user_agent(ua.unwrap_or_else(|| format!("soku-rust/{v} soku-c/{v}", v = crate::VERSION)));
    if let Some(yes) = f.boolean("allowInsecureHttp")? {
        b = b.allow_insecure_http(yes);
    }
    if let Some(yes) = f.boolean("validateScheduledTime")? {
        b = b.validate_scheduled_time(yes);
    }
    if let Some(path) = f.string("caFile")? {
        b = b.ca_file(path);
    }
    if let Some(pem) = f.string("caPem")? {
        b = b.ca_pem(pem);
    }
    if let Some(trust) = f.string("tlsTrust")? {
        b = b.tls_roots(match trust.as_str() {
            "webpki" => TlsRoots::WebPki,
            "os" => TlsRoots::Os,
            _ => return Err(f.wrong_type("tlsTrust", "\"webpki\" or \"os\"")),
        });
    }
    f.finish()?;
    Ok(b)
}

/// Builds [`CallOptions`] from the options JSON (NULL counts as `{}`).
///
/// Keys: `idempotencyKey`, `firebaseToken`, `timeoutMs`, `maxRetries`.
pub(crate) fn call_options(text: Option<&str>) -> Result<CallOptions, Error> {
    let Some(text) = text else {
        return Ok(CallOptions::new());
    };
    let mut f = Fields::new(parse_object(text, "options_json")?, "options");
    let mut o = CallOptions::new();
    if let Some(key) = f.string("idempotencyKey")? {
        o = o.idempotency_key(key);
    }
    if let Some(token) = f.string("firebaseToken")? {
        o = o.firebase_token(token);
    }
    if let Some(d) = f.millis("timeoutMs")? {
        o = o.timeout(d);
    }
    if let Some(n) = f.count("maxRetries")? {
        o = o.max_retries(n);
    }
    f.finish()?;
    Ok(o)
}
