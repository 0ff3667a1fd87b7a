//! The HTTP vocabulary that the endpoint declarations, the client and the transport share: the
//! [`Method`] of a request and the credential ([`Auth`]) it carries.

/// The HTTP methods the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    /// `"GET"`, `"POST"` or `"DELETE"`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

/// Which credential a request carries. The two schemes never mix on one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    /// `soku-api-key: <key>` (content endpoints).
    ApiKey,
    /// `Authorization: Bearer <Firebase ID token>` (`/v1/api-keys`).
    Firebase,
}
