//! A request as handed to the routes: read fully off the wire.

use crate::reply::ApiError;
use serde_json::{Map, Value};
use std::net::SocketAddr;

/// One HTTP request with its body read.
#[derive(Debug, Clone)]
pub(crate) struct Incoming {
    pub method: String,
    /// The target as sent (path and query).
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The client's address (the TCP peer of the sandbox's listener).
    pub peer: Option<SocketAddr>,
    /// The sandbox's id of the TCP connection.
    pub connection: Option<u64>,
}

impl Incoming {
    /// The path without the query string.
    pub fn path(&self) -> &str {
        self.target.split(['?', '#']).next().unwrap_or("")
    }

    /// The first value of a header, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        crate::record::find_header(&self.headers, name)
    }

    /// The body as a JSON object. An empty body is `{}` when `optional`, else a validation
    /// error; a body that is not `application/json`, not JSON or not an object is a 400
    /// `validation_error` with field `body`.
    pub fn json_object(&self, optional: bool) -> Result<Value, ApiError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return if optional {
                Ok(Value::Object(Map::new()))
            } else {
                Err(ApiError::validation(
                    "body",
                    "required",
                    "request body is required",
                ))
            };
        }
        let content_type = self.header("content-type").unwrap_or("");
        let mime = content_type.split(';').next().unwrap_or("").trim();
        if !mime.eq_ignore_ascii_case("application/json") {
            return Err(ApiError::validation(
                "Content-Type",
                "unsupported_media_type",
                "content-type must be application/json",
            ));
        }
        self.parse_object()
    }

    /// The body parsed as a JSON object, whatever its `Content-Type` (for the control API).
    pub fn parse_object(&self) -> Result<Value, ApiError> {
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(v @ Value::Object(_)) => Ok(v),
            Ok(_) => Err(ApiError::validation(
                "body",
                "invalid_type",
                "request body must be a json object",
            )),
            Err(e) => Err(ApiError::validation(
                "body",
                "invalid_json",
                format!("request body is not valid json: {e}"),
            )),
        }
    }
}
