//! The two authentication schemes (`docs/soku-api.md` §2): `soku-api-key` and Firebase `Bearer`
//! tokens.

use crate::reply::ApiError;
use crate::request::Incoming;
use crate::state::State;

/// Which credential an endpoint takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// `soku-api-key: sk_live_…` (content endpoints).
    ApiKey,
    /// `Authorization: Bearer <firebase id token>` (api-keys endpoints).
    Firebase,
}

/// Checks the request's credential and returns the account id. Order of `docs/soku-api.md` §2: a
/// bad or revoked key is 401 `unauthorized`; an account without an active subscription is 403
/// `forbidden`. A credential of the other scheme is rejected with 401 even next to a valid one.
pub(crate) fn authenticate(
    state: &State,
    req: &Incoming,
    scheme: Scheme,
) -> Result<String, ApiError> {
    let api_key = req.header("soku-api-key");
    let authorization = req.header("authorization");
    match scheme {
        Scheme::ApiKey => {
            if authorization.is_some() {
                return Err(ApiError::unauthorized(
                    "authorization header not accepted here: send the api key in soku-api-key",
                ));
            }
            let secret =
                api_key.ok_or_else(|| ApiError::unauthorized("missing soku-api-key header"))?;
            let key = state
                .key_by_secret(secret.trim())
                .ok_or_else(|| ApiError::unauthorized("invalid api key"))?;
            if key.revoked_at.is_some() {
                return Err(ApiError::unauthorized("api key has been revoked"));
            }
            let active = state.accounts.get(&key.account).is_some_and(|a| a.active);
            if !active {
                return Err(ApiError::new(
                    403,
                    "forbidden",
                    "account has no active subscription",
                ));
            }
            Ok(key.account.clone())
        }
        Scheme::Firebase => {
            if api_key.is_some() {
                return Err(ApiError::unauthorized(
                    "api keys are not accepted here: send a firebase id token as bearer",
                ));
            }
            let value = authorization
                .ok_or_else(|| ApiError::unauthorized("missing authorization header"))?;
            let token = match value.trim().split_once(' ') {
                Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
                _ => {
                    return Err(ApiError::unauthorized(
                        "authorization scheme must be bearer",
                    ));
                }
            };
            state
                .tokens
                .get(token)
                .cloned()
                .ok_or_else(|| ApiError::unauthorized("invalid or expired firebase id token"))
        }
    }
}

/// The account a request's credential names, ignoring every error (for headers of faulted
/// requests).
pub(crate) fn account_hint(state: &State, req: &Incoming, scheme: Scheme) -> Option<String> {
    authenticate(state, req, scheme).ok()
}
