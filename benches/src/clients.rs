//! The Rust clients under test: `soku::Client` and raw `ureq` configured the same way, and the
//! raw-socket floor ([`RawSocket`]).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use crate::payload::{CREATE_POST_BODY, CREATE_POST_PATH};

/// The per-call timeout both clients use (`soku`'s default).
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The connect timeout both clients use (`soku`'s default).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A `soku::Client` for `base_url` (plain http or https, loopback) with the library's defaults
/// otherwise; `ca_pem`, if given, is the only CA it trusts (the HTTPS run's own CA).
pub fn soku_client(
    base_url: &str,
    api_key: &str,
    ca_pem: Option<&str>,
) -> soku::Result<soku::Client> {
    let mut b = soku::Client::builder()
        .api_key(api_key)
        .base_url(base_url)
        .allow_insecure_http(true);
    if let Some(pem) = ca_pem {
        b = b.ca_pem(pem);
    }
    b.build()
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
    /// `ca_pem`, if given, is the only CA it trusts.
    pub fn new(base_url: &str, api_key: &str, ca_pem: Option<&str>) -> Result<RawClient, String> {
        Self::configured(
            base_url,
            api_key,
            ca_pem,
            Some(TIMEOUT),
            Some(CONNECT_TIMEOUT),
        )
    }

    /// Like [`RawClient::new`] but without any timeout: an informative second floor. With a
    /// timeout set, ureq 3 resolves the host on every call (pooled connection or not) on a
    /// freshly spawned thread, so that the lookup can be abandoned; without one it resolves
    /// inline. The difference is the price of that thread. Not a configuration `soku` may use
    /// (every request must have a timeout).
    pub fn without_timeouts(
        base_url: &str,
        api_key: &str,
        ca_pem: Option<&str>,
    ) -> Result<RawClient, String> {
        Self::configured(base_url, api_key, ca_pem, None, None)
    }

    fn configured(
        base_url: &str,
        api_key: &str,
        ca_pem: Option<&str>,
        timeout: Option<Duration>,
        connect_timeout: Option<Duration>,
    ) -> Result<RawClient, String> {
        let roots = match ca_pem {
            None => ureq::tls::RootCerts::WebPki,
            Some(pem) => {
                let certs = ureq::tls::parse_pem(pem.as_bytes())
                    .filter_map(|item| match item {
                        Ok(ureq::tls::PemItem::Certificate(c)) => Some(Ok(c)),
                        Ok(_) => None,
                        Err(e) => Some(Err(e.to_string())),
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                ureq::tls::RootCerts::Specific(Arc::new(certs))
            }
        };
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .user_agent(soku::DEFAULT_USER_AGENT)
            .accept("application/json")
            .timeout_global(timeout)
            .timeout_connect(connect_timeout)
            .tls_config(ureq::tls::TlsConfig::builder().root_certs(roots).build())
            .build()
            .new_agent();
        Ok(RawClient {
            agent,
            url: format!("{base_url}{CREATE_POST_PATH}"),
            api_key: api_key.to_owned(),
        })
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

/// The physical floor: one keep-alive TCP socket writing one fixed, pre-built create-post request
/// (the bytes raw ureq sends, with one constant idempotency key) and reading the answer's head
/// and `Content-Length` body. No HTTP library, no allocation per call; plain `http://` only.
pub struct RawSocket {
    stream: TcpStream,
    request: Vec<u8>,
    buf: Vec<u8>,
}

impl RawSocket {
    /// Connects to the `http://HOST:PORT` of `base_url` and builds the request once.
    pub fn connect(base_url: &str, api_key: &str) -> Result<RawSocket, String> {
        let authority = base_url
            .strip_prefix("http://")
            .ok_or("the raw-socket floor speaks plain http only")?
            .trim_end_matches('/');
        let stream = TcpStream::connect(authority).map_err(|e| format!("{authority}: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let request = format!(
            "POST {CREATE_POST_PATH} HTTP/1.1\r\nhost: {authority}\r\n\
             user-agent: {ua}\r\naccept: application/json\r\n\
             content-type: application/json\r\nsoku-api-key: {api_key}\r\n\
             idempotency-key: 00000000-0000-4000-8000-000000000000\r\n\
             content-length: {len}\r\n\r\n{CREATE_POST_BODY}",
            ua = soku::DEFAULT_USER_AGENT,
            len = CREATE_POST_BODY.len(),
        )
        .into_bytes();
        Ok(RawSocket {
            stream,
            request,
            buf: Vec::with_capacity(4096),
        })
    }

    /// Sends the request and reads the whole answer; an error unless it is a 2xx.
    pub fn create_post(&mut self) -> Result<(), String> {
        let io = |e: std::io::Error| e.to_string();
        self.stream.write_all(&self.request).map_err(io)?;
        self.buf.clear();
        let mut chunk = [0u8; 4096];
        loop {
            let n = self.stream.read(&mut chunk).map_err(io)?;
            if n == 0 {
                return Err("connection closed".into());
            }
            self.buf.extend_from_slice(&chunk[..n]);
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut resp = httparse::Response::new(&mut headers);
            let head = match resp.parse(&self.buf).map_err(|e| e.to_string())? {
                httparse::Status::Partial => continue,
                httparse::Status::Complete(len) => len,
            };
            let length: usize = resp
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .and_then(|h| std::str::from_utf8(h.value).ok()?.trim().parse().ok())
                .ok_or("answer without content-length")?;
            let status = resp.code.unwrap_or(0);
            while self.buf.len() < head + length {
                let n = self.stream.read(&mut chunk).map_err(io)?;
                if n == 0 {
                    return Err("connection closed".into());
                }
                self.buf.extend_from_slice(&chunk[..n]);
            }
            return if (200..300).contains(&status) {
                Ok(())
            } else {
                Err(format!("status {status}"))
            };
        }
    }
}
