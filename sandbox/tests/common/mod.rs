//! A tiny HTTP client for driving the sandbox in tests (ureq without JSON helpers, so every
//! header and byte is explicit).

#![allow(dead_code)]

use serde_json::Value;
use soku_sandbox::Sandbox;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// One HTTP answer.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not json ({e}): {}", self.body))
    }

    /// `error.code` of an error envelope.
    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("<none>")
            .to_string()
    }

    /// `error.details.field` of an error envelope.
    pub fn field(&self) -> String {
        self.json()["error"]["details"]["field"]
            .as_str()
            .unwrap_or("<none>")
            .to_string()
    }

    pub fn num_header(&self, name: &str) -> u64 {
        self.header(name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .parse()
            .unwrap()
    }
}

/// A keep-alive client bound to one sandbox.
pub struct Http {
    agent: ureq::Agent,
    pub base: String,
}

impl Http {
    pub fn new(sb: &Sandbox) -> Http {
        Http::for_url(sb.url())
    }

    pub fn for_url(url: &str) -> Http {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build();
        Http {
            agent: ureq::Agent::new_with_config(config),
            base: url.to_string(),
        }
    }

    /// Sends one request; `Err` is a transport failure (e.g. a dropped connection).
    pub fn try_send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Result<Resp, ureq::Error> {
        let mut builder = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{}", self.base, path));
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let mut resp = match body {
            Some(b) => self
                .agent
                .run(builder.body(b.to_string()).expect("request"))?,
            None => self.agent.run(builder.body(()).expect("request"))?,
        };
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let status = resp.status().as_u16();
        let body = resp.body_mut().read_to_string()?;
        Ok(Resp {
            status,
            headers,
            body,
        })
    }

    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Resp {
        self.try_send(method, path, headers, body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// POST a JSON body with an API key.
    pub fn post(&self, path: &str, key: &str, body: &Value) -> Resp {
        self.post_with(path, key, body, &[])
    }

    pub fn post_with(&self, path: &str, key: &str, body: &Value, extra: &[(&str, &str)]) -> Resp {
        let mut headers = vec![("soku-api-key", key), ("Content-Type", "application/json")];
        headers.extend_from_slice(extra);
        self.send("POST", path, &headers, Some(&body.to_string()))
    }

    /// A request with a Firebase bearer token.
    pub fn bearer(&self, method: &str, path: &str, token: &str, body: Option<&Value>) -> Resp {
        let auth = format!("Bearer {token}");
        let mut headers = vec![("Authorization", auth.as_str())];
        let body = body.map(|b| b.to_string());
        if body.is_some() {
            headers.push(("Content-Type", "application/json"));
        }
        self.send(method, path, &headers, body.as_deref())
    }
}

/// A text post to the given platforms.
pub fn text_post(text: &str, platforms: Value) -> Value {
    serde_json::json!({"post": {"content": {"text": text, "mediaType": "text", "platform": platforms}}})
}

/// Sends a raw HTTP/1.1 request on a fresh connection and returns everything read until the
/// server closes it (empty when it closed without answering).
pub fn raw_exchange(sb: &Sandbox, request: &str) -> Vec<u8> {
    let mut tcp = TcpStream::connect(sb.addr()).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    tcp.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = tcp.read_to_end(&mut out);
    out
}

/// A raw `POST /v1/posts` with the default key, closing after the answer.
pub fn raw_post(sb: &Sandbox, body: &str, extra_headers: &str) -> String {
    format!(
        "POST /v1/posts HTTP/1.1\r\nHost: sandbox\r\nsoku-api-key: {}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n{extra_headers}\r\n{body}",
        sb.api_key(),
        body.len()
    )
}
