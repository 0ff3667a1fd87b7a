//! The two Rust clients under test, configured the same way: `soku::Client` and raw `ureq`.

use std::time::Duration;

use crate::payload::{CREATE_POST_BODY, CREATE_POST_PATH};

/// The per-call timeout both clients use (`soku`'s default).
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The connect timeout both clients use (`soku`'s default).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A `soku::Client` for `base_url` (plain http, loopback) with the library's defaults otherwise.
pub fn soku_client(base_url: &str, api_key: &str) -> soku::Result<soku::Client> {
    soku::Client::builder()
        .api_key(api_key)
        .base_url(base_url)
        .allow_insecure_http(true)
        .build()
}

/// The create-post request every harness sends, as the typed `soku` request.
pub fn create_post_request() -> serde_json::Result<soku::CreatePost> {
    serde_json::from_str(CREATE_POST_BODY)
}

/// The floor: raw `ureq` 3 sending the bytes `soku` sends, with the same headers, over one agent.
pub struct RawClient {
    agent: ureq::Agent,
    url: String,
    api_key: String,
}

impl RawClient {
    /// One agent (one keep-alive pool) posting to `base_url` + `/v1/posts`, configured like
    /// `soku`'s: no status errors, no redirects, no proxy, `Accept: application/json`, its user
    /// agent and timeouts.
    pub fn new(base_url: &str, api_key: &str) -> RawClient {
        Self::configured(base_url, api_key, Some(TIMEOUT), Some(CONNECT_TIMEOUT))
    }

    /// Like [`RawClient::new`] but without any timeout: an informative second floor. With a
    /// timeout set, ureq 3 resolves the host on every call (pooled connection or not) on a
    /// freshly spawned thread, so that the lookup can be abandoned; without one it resolves
    /// inline. The difference is the price of that thread. Not a configuration `soku` may use
    /// (every request must have a timeout).
    pub fn without_timeouts(base_url: &str, api_key: &str) -> RawClient {
        Self::configured(base_url, api_key, None, None)
    }

    fn configured(
        base_url: &str,
        api_key: &str,
        timeout: Option<Duration>,
        connect_timeout: Option<Duration>,
    ) -> RawClient {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .user_agent(format!("soku-rust/{}", soku::VERSION))
            .accept("application/json")
            .timeout_global(timeout)
            .timeout_connect(connect_timeout)
            .build()
            .new_agent();
        RawClient {
            agent,
            url: format!("{base_url}{CREATE_POST_PATH}"),
            api_key: api_key.to_owned(),
        }
    }

    /// Sends the create-post body with a fresh idempotency key, reads the whole answer and
    /// returns its body; an error for a transport failure or a status other than 2xx.
    pub fn create_post(&self) -> Result<String, String> {
        let key = uuid::Uuid::new_v4().to_string();
        let mut response = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json")
            .header("soku-api-key", &self.api_key)
            .header("Idempotency-Key", &key)
            .send(CREATE_POST_BODY)
            .map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .read_to_string()
            .map_err(|e| e.to_string())?;
        if (200..300).contains(&status) {
            Ok(body)
        } else {
            Err(format!("status {status}: {body}"))
        }
    }
}
