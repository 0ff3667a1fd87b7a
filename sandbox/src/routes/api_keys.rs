//! `/v1/api-keys` (`docs/soku-api.md` §3.5): create, list, revoke, with a Firebase bearer token.

use super::short_id;
use crate::reply::{ApiError, ApiResult, Reply};
use crate::request::Incoming;
use crate::state::{ApiKey, State};
use crate::validate::opt_str;
use serde_json::{Value, json};

/// The key id of a `/v1/api-keys/{id}` path.
pub(super) fn key_id(path: &str) -> Option<&str> {
    path.strip_prefix("/v1/api-keys/")
        .filter(|id| !id.is_empty() && !id.contains('/'))
}

/// Creates a key: 201 `{"apiKey": "sk_live_…", "id", "name", "createdAt"}` (the only time the
/// full key is shown). It works at once.
pub(super) fn create(st: &mut State, req: &Incoming, account: &str) -> ApiResult {
    let body = req.json_object(true)?;
    let obj = body.as_object().cloned().unwrap_or_default();
    let name = opt_str(&obj, "name", "name")?;
    if name.is_some_and(|n| n.trim().is_empty() || n.chars().count() > 100) {
        return Err(ApiError::validation(
            "name",
            "invalid_length",
            "name must be 1 to 100 characters",
        ));
    }
    let hex = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let key = ApiKey {
        id: short_id("key_", 16),
        secret: format!("sk_live_{}", &hex[..40]),
        account: account.to_string(),
        name: name.map(str::to_string),
        created_at: crate::time::now_rfc3339(),
        revoked_at: None,
    };
    let reply = json!({
        "apiKey": key.secret,
        "id": key.id,
        "name": key.name,
        "createdAt": key.created_at,
    });
    st.keys.push(key);
    Ok(Reply::json(201, &reply))
}

/// A key's metadata: never the full key, only a preview of its last 4 characters.
fn info(k: &ApiKey) -> Value {
    let tail: String = k
        .secret
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    json!({
        "id": k.id,
        "name": k.name,
        "createdAt": k.created_at,
        "revokedAt": k.revoked_at,
        "status": if k.revoked_at.is_some() { "revoked" } else { "active" },
        "keyPreview": format!("sk_live_…{tail}"),
    })
}

/// Lists the account's keys: `{"apiKeys": [{id, name, createdAt, revokedAt, status, keyPreview}]}`.
pub(super) fn list(st: &State, account: &str) -> ApiResult {
    let keys: Vec<Value> = st
        .keys
        .iter()
        .filter(|k| k.account == account)
        .map(info)
        .collect();
    Ok(Reply::json(200, &json!({ "apiKeys": keys })))
}

/// Revokes a key of the account: 204 (also when it was already revoked); an unknown id is 404.
pub(super) fn revoke(st: &mut State, req: &Incoming, account: &str) -> ApiResult {
    let id = key_id(req.path()).unwrap_or("");
    let key = st
        .keys
        .iter_mut()
        .find(|k| k.id == id && k.account == account)
        .ok_or_else(|| ApiError::new(404, "not_found", format!("no api key with id {id:?}")))?;
    if key.revoked_at.is_none() {
        key.revoked_at = Some(crate::time::now_rfc3339());
    }
    Ok(Reply::empty(204))
}
