//! What the sandbox saw: recorded requests.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// One API request as the sandbox received it (control-API requests are not recorded).
///
/// Serialised by `GET /__sandbox/requests` as
/// `{"method", "path", "headers": [["name", "value"], …], "body"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Request target as sent, including any query string, e.g. `/v1/posts`.
    pub path: String,
    /// Headers in the order received, names as sent by the client.
    pub headers: Vec<(String, String)>,
    /// The body, decoded as UTF-8 (invalid sequences replaced).
    pub body: String,
}

impl RecordedRequest {
    /// The first value of a header, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// The first value of header `name` (case-insensitive) in a header list.
pub(crate) fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Appends `item`, first forgetting the oldest items so that at most `cap` (at least one) are
/// kept; returns the forgotten ones, oldest first.
pub(crate) fn push_bounded<T>(q: &mut VecDeque<T>, cap: usize, item: T) -> Vec<T> {
    let excess = (q.len() + 1).saturating_sub(cap.max(1));
    let forgotten = q.drain(..excess.min(q.len())).collect();
    q.push_back(item);
    forgotten
}
