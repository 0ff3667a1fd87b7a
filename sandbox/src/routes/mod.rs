//! The API endpoints of `docs/soku-api.md` §3: routing, then auth → rate limit → the endpoint's
//! handler.

mod api_keys;
mod media;
mod posts;
mod templates;
mod transcribe;

use crate::auth::{self, Scheme};
use crate::config::Config;
use crate::rate_limit::RateSnapshot;
use crate::reply::{ApiError, ApiResult};
use crate::request::Incoming;
use crate::state::State;
use std::time::Instant;

/// One endpoint of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Posts,
    Media,
    Templates,
    RenderOg,
    Transcribe,
    CreateKey,
    ListKeys,
    RevokeKey,
}

/// `path` without one trailing `/` (but `/` stays `/`).
fn without_trailing_slash(path: &str) -> &str {
    path.strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path)
}

impl Endpoint {
    /// The endpoints served on a path, by method; `None` for an unknown path.
    fn on_path(path: &str) -> Option<&'static [(&'static str, Endpoint)]> {
        Some(match without_trailing_slash(path) {
            "/v1/posts" => &[("POST", Endpoint::Posts)],
            "/v1/media" => &[("POST", Endpoint::Media)],
            "/v1/templates" => &[("POST", Endpoint::Templates)],
            "/v1/media/render-og" => &[("POST", Endpoint::RenderOg)],
            "/v1/ai/transcribe" => &[("POST", Endpoint::Transcribe)],
            "/v1/api-keys" => &[("POST", Endpoint::CreateKey), ("GET", Endpoint::ListKeys)],
            p if api_keys::key_id(p).is_some() => &[("DELETE", Endpoint::RevokeKey)],
            _ => return None,
        })
    }

    /// The endpoint behind a method and path; 404 / 405 otherwise.
    fn resolve(method: &str, path: &str) -> Result<Endpoint, ApiError> {
        let shown = without_trailing_slash(path);
        let candidates = Endpoint::on_path(path)
            .ok_or_else(|| ApiError::new(404, "not_found", format!("no such endpoint: {shown}")))?;
        candidates
            .iter()
            .find(|(m, _)| *m == method)
            .map(|(_, e)| *e)
            .ok_or_else(|| {
                ApiError::new(
                    405,
                    "method_not_allowed",
                    format!("{method} is not allowed on {shown}"),
                )
            })
    }

    fn scheme(self) -> Scheme {
        match self {
            Endpoint::CreateKey | Endpoint::ListKeys | Endpoint::RevokeKey => Scheme::Firebase,
            _ => Scheme::ApiKey,
        }
    }

    /// The rate-limit bucket (see [`crate::config::DEFAULT_LIMITS`]).
    fn limit_name(self) -> &'static str {
        match self {
            Endpoint::Posts => "posts",
            Endpoint::Media => "media",
            Endpoint::Templates => "templates",
            Endpoint::RenderOg => "render-og",
            Endpoint::Transcribe => "transcribe",
            Endpoint::CreateKey | Endpoint::ListKeys | Endpoint::RevokeKey => "api-keys",
        }
    }
}

/// Serves one API request: route, authenticate, count against the rate limit, handle.
/// Also returns the rate-limit headers (of [`peek_rate`] when the request is not counted).
pub(crate) fn serve(st: &mut State, cfg: &Config, req: &Incoming) -> (ApiResult, RateSnapshot) {
    let endpoint = match Endpoint::resolve(&req.method, req.path()) {
        Ok(e) => e,
        Err(e) => return (Err(e), peek_rate(st, cfg, req)),
    };
    let (name, limit, now) = (
        endpoint.limit_name(),
        cfg.limit(endpoint.limit_name()),
        Instant::now(),
    );
    let account = match auth::authenticate(st, req, endpoint.scheme()) {
        Ok(a) => a,
        Err(e) => return (Err(e), st.limiter.peek(None, name, limit, now)),
    };
    let rate = match st.limiter.hit(&account, name, limit, now) {
        Ok(rate) => rate,
        Err((rate, retry_after)) => {
            let mut e = ApiError::new(
                429,
                "rate_limit_exceeded",
                format!("rate limit of {limit} {name} requests per window exceeded"),
            );
            e.retry_after = Some(retry_after);
            return (Err(e), rate);
        }
    };
    let result = match endpoint {
        Endpoint::Posts => posts::create(st, cfg, req, &account),
        Endpoint::Media => media::upload(st, req, &account),
        Endpoint::Templates | Endpoint::RenderOg => templates::render(req),
        Endpoint::Transcribe => transcribe::create(st, req, &account),
        Endpoint::CreateKey => api_keys::create(st, req, &account),
        Endpoint::ListKeys => api_keys::list(st, &account),
        Endpoint::RevokeKey => api_keys::revoke(st, req, &account),
    };
    (result, rate)
}

/// The rate-limit headers of a request that is answered without being counted (a fault, a
/// 404 or a 405), for the account its credential names if valid. A known path shows its
/// endpoint's bucket, whatever the method. An unknown path counts against no bucket, so it
/// shows one that never fills: the largest configured limit, all of it remaining, resetting a
/// window from now.
pub(crate) fn peek_rate(st: &mut State, cfg: &Config, req: &Incoming) -> RateSnapshot {
    let now = Instant::now();
    let Some(&[(_, endpoint), ..]) = Endpoint::on_path(req.path()) else {
        let tier = cfg.limits.values().copied().max().unwrap_or(0);
        return st.limiter.peek(None, "tier", tier, now);
    };
    let account = auth::account_hint(st, req, endpoint.scheme());
    let name = endpoint.limit_name();
    st.limiter
        .peek(account.as_deref(), name, cfg.limit(name), now)
}

/// The `Idempotency-Key` header, if any; blank or longer than 255 characters is a 400.
fn idempotency_key(req: &Incoming) -> Result<Option<&str>, ApiError> {
    match req.header("idempotency-key").map(str::trim) {
        None => Ok(None),
        Some(k) if !k.is_empty() && k.len() <= 255 => Ok(Some(k)),
        Some(_) => Err(ApiError::validation(
            "Idempotency-Key",
            "invalid_length",
            "idempotency-key must be 1 to 255 characters",
        )),
    }
}

/// A short random id with a prefix, e.g. `og_3f9c…`.
fn short_id(prefix: &str, hex_len: usize) -> String {
    let hex = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}{}", &hex[..hex_len.min(hex.len())])
}
