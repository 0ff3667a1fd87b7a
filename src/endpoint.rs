//! [`Endpoint`]: every API call the client makes, declared once: its method, path template,
//! credential and how safe it is to repeat ([`Class`]). The retry rules, the request builder and
//! [`Client::plan`](crate::Client::plan) read these declarations; nothing else restates them.
//!
//! | constant | method | path | credential | class |
//! |---|---|---|---|---|
//! | [`CREATE_POST`] | POST | `/v1/posts` | API key | keyed |
//! | [`UPLOAD_MEDIA`] | POST | `/v1/media` | API key | keyed |
//! | [`TRANSCRIBE`] | POST | `/v1/ai/transcribe` | API key | keyed |
//! | [`RENDER_TEMPLATE`] | POST | `/v1/templates` | API key | unsafe |
//! | [`RENDER_OG`] | POST | `/v1/media/render-og` | API key | unsafe |
//! | [`CREATE_API_KEY`] | POST | `/v1/api-keys` | Firebase token | unsafe |
//! | [`LIST_API_KEYS`] | GET | `/v1/api-keys` | Firebase token | idempotent |
//! | [`REVOKE_API_KEY`] | DELETE | `/v1/api-keys/{id}` | Firebase token | idempotent |
//!
//! ```
//! use soku::endpoint::{self, Class, Method};
//! assert_eq!(endpoint::REVOKE_API_KEY.method, Method::Delete);
//! assert_eq!(endpoint::REVOKE_API_KEY.path_with("a%2Fb"), "/v1/api-keys/a%2Fb");
//! assert_eq!(endpoint::CREATE_POST.retry, Class::Keyed);
//! assert_eq!(endpoint::ALL.len(), 8);
//! ```

/// An HTTP method the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `DELETE`.
    Delete,
}

impl Method {
    /// `"GET"`, `"POST"` or `"DELETE"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

/// Which credential a request carries. The two schemes never mix on one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Auth {
    /// `soku-api-key: <key>` (content endpoints).
    ApiKey,
    /// `Authorization: Bearer <Firebase ID token>` (`/v1/api-keys`).
    Firebase,
}

impl Auth {
    /// The header this credential travels in: `soku-api-key` or `authorization`.
    pub fn header_name(self) -> &'static str {
        match self {
            Auth::ApiKey => "soku-api-key",
            Auth::Firebase => "authorization",
        }
    }
}

/// How safe a call is to repeat, which decides what is retried: 429 always; a 5xx or a
/// connection broken after the request was written only for [`Class::Keyed`] and
/// [`Class::Idempotent`]; a failure to connect always (the request surely did not arrive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// Sent with an `Idempotency-Key` (generated when the caller gives none): safe to repeat.
    Keyed,
    /// GET and DELETE: idempotent by HTTP semantics.
    Idempotent,
    /// No idempotency key and not idempotent: retried only on 429 or when the request surely
    /// did not arrive (a failure to connect).
    Unsafe,
}

impl Class {
    /// Whether an answer with `status` may be retried.
    pub fn retries_status(self, status: u16) -> bool {
        status == 429 || (self != Class::Unsafe && (500..=599).contains(&status))
    }

    /// Whether a transport failure may be retried: `connected` says whether the request may
    /// have reached the server.
    pub fn retries_failure(self, connected: bool) -> bool {
        !connected || self != Class::Unsafe
    }
}

/// One API call: method, path template, credential, and how safe it is to repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// The HTTP method.
    pub method: Method,
    /// The path below the base URL; a `{id}` segment is filled by [`Endpoint::path_with`].
    pub path: &'static str,
    /// The credential the request carries.
    pub auth: Auth,
    /// How safe the call is to repeat (what the client retries).
    pub retry: Class,
}

impl Endpoint {
    /// The path with its `{id}` segment replaced by `segment`, which must already be
    /// percent-encoded (the client encodes ids as one path segment: `a/b` becomes `a%2Fb`).
    pub fn path_with(&self, segment: &str) -> String {
        self.path.replace("{id}", segment)
    }
}

/// `POST /v1/posts`: publish or schedule a post. Always keyed.
pub const CREATE_POST: Endpoint = Endpoint {
    method: Method::Post,
    path: "/v1/posts",
    auth: Auth::ApiKey,
    retry: Class::Keyed,
};

/// `POST /v1/media`: import media from a public URL. Always keyed.
pub const UPLOAD_MEDIA: Endpoint = Endpoint {
    method: Method::Post,
    path: "/v1/media",
    auth: Auth::ApiKey,
    retry: Class::Keyed,
};

/// `POST /v1/ai/transcribe`: transcribe imported media. Always keyed (a repeat is not charged
/// twice).
pub const TRANSCRIBE: Endpoint = Endpoint {
    method: Method::Post,
    path: "/v1/ai/transcribe",
    auth: Auth::ApiKey,
    retry: Class::Keyed,
};

/// `POST /v1/templates`: render an image template. Keyed only when the caller gives a key.
pub const RENDER_TEMPLATE: Endpoint = Endpoint {
    method: Method::Post,
    path: "/v1/templates",
    auth: Auth::ApiKey,
    retry: Class::Unsafe,
};

/// `POST /v1/media/render-og`: the alias of [`RENDER_TEMPLATE`].
pub const RENDER_OG: Endpoint = Endpoint {
    method: Method::Post,
    path: "/v1/media/render-og",
    auth: Auth::ApiKey,
    retry: Class::Unsafe,
};

/// `POST /v1/api-keys`: no idempotency key is generated (a repeat would mint a second key), so
/// it is retried only on 429 or when the request surely did not arrive.
pub const CREATE_API_KEY: Endpoint = Endpoint {
    method: Method::Post,
    path: "/v1/api-keys",
    auth: Auth::Firebase,
    retry: Class::Unsafe,
};

/// `GET /v1/api-keys`: list the account's keys.
pub const LIST_API_KEYS: Endpoint = Endpoint {
    method: Method::Get,
    path: "/v1/api-keys",
    auth: Auth::Firebase,
    retry: Class::Idempotent,
};

/// `DELETE /v1/api-keys/{id}`: revoke a key (permanent).
pub const REVOKE_API_KEY: Endpoint = Endpoint {
    method: Method::Delete,
    path: "/v1/api-keys/{id}",
    auth: Auth::Firebase,
    retry: Class::Idempotent,
};

/// Every endpoint of the client.
pub const ALL: &[Endpoint] = &[
    CREATE_POST,
    UPLOAD_MEDIA,
    TRANSCRIBE,
    RENDER_TEMPLATE,
    RENDER_OG,
    CREATE_API_KEY,
    LIST_API_KEYS,
    REVOKE_API_KEY,
];
