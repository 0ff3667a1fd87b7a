//! API-key rotation: create → verify → revoke the old key only if verification succeeded.

use crate::secret::Secret;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{MetaTrail, check_step_keys, step_opts};
use crate::api_keys::{ApiKeyList, CreateApiKey};
use crate::client::{CallOptions, Client};
use crate::error::{ApiError, Error, ErrorCode, Result};
use crate::platform::Platform;
use crate::posts::CreatePost;
use crate::response::{Meta, Response};
use crate::validate;

/// The text of the verification post of [`VerifyMode::Post`]: a real post that says what it
/// is, published to Threads with the new key.
const VERIFICATION_TEXT: &str = "Key rotation verification";

/// How [`Client::rotate_api_key`] checks the new key before revoking the old one.
///
/// (De)serialises as `"probe"`, `"post"` or `"none"`. Default: [`VerifyMode::Probe`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VerifyMode {
    /// Sends the new key with a post body that is deliberately invalid (an empty platform list),
    /// so nothing can be published: `400` with code `validation_error` or `bad_request` means
    /// the key authenticated (the server checks the key and the subscription before the body),
    /// `401` that it did not; anything else (a 400 with another code included) is a failure.
    #[default]
    Probe,
    /// Publishes a verification post ("Key rotation verification" to Threads) with the
    /// new key; it must be accepted. This publishes a real post, and fails (keeping the old
    /// key) when the account has no Threads account connected.
    Post,
    /// No verification: the old key is revoked right after the new one is created.
    None,
}

impl VerifyMode {
    /// The wire string: `"probe"`, `"post"` or `"none"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            VerifyMode::Probe => "probe",
            VerifyMode::Post => "post",
            VerifyMode::None => "none",
        }
    }
}

/// The input of [`Client::rotate_api_key`]:
/// `{"oldKeyId": "…", "name"?: "…", "verify"?: "probe"|"post"|"none"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RotateApiKey {
    /// The id of the key to revoke once the new key is verified (as listed by
    /// [`Client::list_api_keys`]). Required.
    pub old_key_id: String,
    /// Name of the new key (1–100 characters). Default: none (the server names it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How the new key is verified. Default: [`VerifyMode::Probe`].
    #[serde(default)]
    pub verify: VerifyMode,
}

impl RotateApiKey {
    /// Rotation of the key `old_key_id`, with no name and [`VerifyMode::Probe`].
    pub fn new(old_key_id: impl Into<String>) -> RotateApiKey {
        RotateApiKey {
            old_key_id: old_key_id.into(),
            name: None,
            verify: VerifyMode::default(),
        }
    }

    /// Sets the new key's name.
    pub fn name(mut self, name: impl Into<String>) -> RotateApiKey {
        self.name = Some(name.into());
        self
    }

    /// Sets the verification mode.
    pub fn verify(mut self, verify: VerifyMode) -> RotateApiKey {
        self.verify = verify;
        self
    }

    /// The client-side checks [`Client::rotate_api_key`] runs before its first request:
    /// `old_key_id` can be one URL path segment (not blank, `.` or `..`) and the new key's
    /// name passes [`CreateApiKey::validate`]. Sends nothing.
    pub fn validate(&self) -> Result<()> {
        validate::path_id("oldKeyId", &self.old_key_id)?;
        self.create_request().validate()
    }

    /// The `POST /v1/api-keys` body of the new key.
    fn create_request(&self) -> CreateApiKey {
        CreateApiKey {
            name: self.name.clone(),
            ..CreateApiKey::new()
        }
    }
}

/// The result of a rotation: the new key (a secret: `Debug` redacts it), its id if the server
/// returned one, how it was verified, and whether the old key was revoked.
///
/// **Check [`revoked`](RotatedApiKey::revoked).** A rotation whose new key was verified but
/// whose revocation of the old key failed still succeeds, so that the new (working) key is not
/// lost: `revoked` is then `false`, `revoked_key_id` is `None` and `revoke_error` holds the
/// revocation's error; both keys work until the old one is revoked (retry with
/// [`Client::revoke_api_key`]).
///
/// Serialises as `{"apiKey", "id"?, "verified", "revoked", "revokedKeyId", "revokeError"}`:
/// `"revoked": true, "revokedKeyId": "<old key id>", "revokeError": null` normally,
/// `"revoked": false, "revokedKeyId": null, "revokeError": {"kind", "status", "code",
/// "message", "requestId", "details", "retryAfter", "param"}` when the revocation failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RotatedApiKey {
    /// The new API key (read it with [`Secret::expose`]; `Debug` redacts it). Store it: the
    /// server never shows it again.
    pub api_key: Secret,
    /// The new key's id, if the server returned one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The verification that succeeded before the old key was revoked.
    pub verified: VerifyMode,
    /// Whether the old key was revoked. `false` when the revocation failed (see
    /// `revoke_error`): the old key may then still work.
    pub revoked: bool,
    /// The id of the key that was revoked; `None` when the revocation failed.
    pub revoked_key_id: Option<String>,
    /// Why the revocation of the old key failed, as the C ABI's error object (`{"kind",
    /// "status", "code", "message", "requestId", "details", "retryAfter", "param"}`); `None` when it
    /// succeeded.
    #[serde(default)]
    pub revoke_error: Option<Value>,
}

impl Client {
    /// Rotates an API key: lists the account's keys to check that `req.old_key_id` exists and
    /// is active, creates a new key (Firebase token from `opts` or the client), verifies it as
    /// `req.verify` says, then revokes `req.old_key_id`.
    ///
    /// **Check [`RotatedApiKey::revoked`] on success.**
    ///
    /// - An old key id that is not in the list, or whose key is not active (already revoked),
    ///   is [`Error::InvalidArgument`] with param `oldKeyId`: nothing is created or revoked
    ///   (only the list was read). A failed list is returned as it is, also before anything
    ///   is created.
    /// - The old key is revoked only if verification succeeded. If verification fails, the
    ///   error of the failing verification is returned (e.g. `api` / `unauthorized`), the old
    ///   key is never touched and keeps working, and the unverified new key is revoked (best
    ///   effort, when the server returned its id; the outcome of that revocation does not
    ///   change the error returned).
    /// - If revoking the old key fails (e.g. a 5xx after every retry), the rotation still
    ///   succeeds, so the verified new key is not lost: `revoked` is `false`,
    ///   `revoked_key_id` is `None`, `revoke_error` holds the error, and both keys keep
    ///   working until the old one is revoked.
    ///
    /// `opts.idempotency_key`, when set to `K`, is sent as `K:verify` with the verification
    /// request; the other options apply to every step.
    pub fn rotate_api_key(
        &self,
        req: &RotateApiKey,
        opts: &CallOptions,
    ) -> Result<Response<RotatedApiKey>> {
        req.validate()?;
        let verify_suffix = (req.verify != VerifyMode::None).then_some(":verify");
        check_step_keys(opts, verify_suffix)?;
        let mut trail = MetaTrail::default();
        let keyless = step_opts(opts, None);

        // The old key must exist and be active before anything is created: a typo or an
        // already-revoked id would otherwise leave an extra active key behind.
        let listed = self.list_api_keys_with(&keyless)?;
        trail.record(&listed.meta);
        // A plan (`Client::plan`) does not know the account's keys: it skips this check.
        if !self.is_planning() {
            check_old_key(&listed.data, &req.old_key_id)?;
        }

        let created = self.create_api_key_with(&req.create_request(), &keyless)?;
        trail.record(&created.meta);
        let created = created.data;

        let new_client = self.with_api_key(created.api_key.clone());
        let verify_key = opts.idempotency_key.as_ref().map(|k| format!("{k}:verify"));
        let verify_opts = step_opts(opts, verify_key);
        let verified = match req.verify {
            VerifyMode::Probe => probe(&new_client, &verify_opts).map(Some),
            VerifyMode::Post => {
                let post = CreatePost::text(VERIFICATION_TEXT, [Platform::Threads]);
                new_client
                    .create_post_with(&post, &verify_opts)
                    .map(|resp| Some(resp.meta))
            }
            VerifyMode::None => Ok(None),
        };
        match verified {
            Ok(meta) => meta.iter().for_each(|m| trail.record(m)),
            Err(err) => {
                // Leave no unverified key behind; the old key is not touched.
                if let Some(id) = &created.id {
                    let _ = self.revoke_api_key_with(id, &keyless);
                }
                return Err(err);
            }
        }

        let (revoked_key_id, revoke_error) =
            match self.revoke_api_key_with(&req.old_key_id, &keyless) {
                Ok(resp) => {
                    trail.record(&resp.meta);
                    (Some(req.old_key_id.clone()), None)
                }
                Err(err) => {
                    if let Some(meta) = err.meta() {
                        trail.record(meta);
                    }
                    (None, Some(err.to_object()))
                }
            };

        Ok(Response {
            data: RotatedApiKey {
                api_key: created.api_key,
                id: created.id,
                verified: req.verify,
                revoked: revoked_key_id.is_some(),
                revoked_key_id,
                revoke_error,
            },
            meta: trail.finish(opts.idempotency_key.clone()),
        })
    }
}

/// Checks that `old_key_id` is among the listed keys and active: its `status` is `active`, or
/// (a list without statuses) it has no `revokedAt`. Else [`Error::InvalidArgument`] with param
/// `oldKeyId`, saying that nothing was created.
fn check_old_key(keys: &ApiKeyList, old_key_id: &str) -> Result<()> {
    let refuse = |why: String| {
        Err(Error::invalid_param(
            "oldKeyId",
            format!("{why}; nothing was created or revoked"),
        ))
    };
    let Some(key) = keys.keys.iter().find(|k| k.id == old_key_id) else {
        return refuse(format!(
            "oldKeyId \"{old_key_id}\" is not one of the account's {} api key(s) (see the key list)",
            keys.keys.len()
        ));
    };
    match (key.status.as_deref(), key.revoked_at.as_deref()) {
        (Some(status), _) if status.eq_ignore_ascii_case("active") => Ok(()),
        (None, None) => Ok(()),
        (Some(status), _) => refuse(format!("oldKeyId \"{old_key_id}\" is {status}, not active")),
        (None, Some(at)) => refuse(format!("oldKeyId \"{old_key_id}\" was revoked at {at}")),
    }
}

/// Sends `client`'s key with a post body that cannot publish anything. Returns the meta of the
/// `400 validation_error` (or `400 bad_request`) that proves the key authenticated; any other
/// answer, a 400 with another code included, is an error.
fn probe(client: &Client, opts: &CallOptions) -> Result<Meta> {
    let body = json!({"post": {"content": {"platform": []}}});
    match client.send_json(
        &crate::posts::CREATE,
        crate::posts::CREATE.path,
        Some(&body),
        opts,
    ) {
        Err(Error::Api(e))
            if e.status == 400
                && matches!(e.code, ErrorCode::ValidationError | ErrorCode::BadRequest) =>
        {
            Ok(e.meta)
        }
        Err(e) => Err(e),
        Ok(resp) => Err(Error::Api(Box::new(ApiError {
            status: resp.meta.status,
            code: ErrorCode::Other("verification_failed".into()),
            message: format!(
                "key verification probe got status {}, expected 400",
                resp.meta.status
            ),
            error_type: None,
            request_id: resp.meta.request_id.clone(),
            details: None,
            retry_after: None,
            meta: resp.meta,
        }))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_json_and_defaults() {
        let req: RotateApiKey = serde_json::from_str(r#"{"oldKeyId": "key_1"}"#).unwrap();
        assert_eq!(req, RotateApiKey::new("key_1"));
        let req: RotateApiKey =
            serde_json::from_str(r#"{"oldKeyId": "k", "name": "n", "verify": "post"}"#).unwrap();
        assert_eq!(
            req,
            RotateApiKey::new("k").name("n").verify(VerifyMode::Post)
        );
        assert!(
            serde_json::from_str::<RotateApiKey>(r#"{"oldKeyId": "k", "verify": "x"}"#).is_err()
        );
        assert!(serde_json::from_str::<RotateApiKey>(r#"{"oldKeyid": "k"}"#).is_err());
    }

    #[test]
    fn debug_redacts_the_new_key() {
        let rotated = RotatedApiKey {
            api_key: "sk_live_secret123".into(),
            id: Some("key_2".into()),
            verified: VerifyMode::Probe,
            revoked: true,
            revoked_key_id: Some("key_1".into()),
            revoke_error: None,
        };
        let debug = format!("{rotated:?}");
        assert!(!debug.contains("secret123"), "{debug}");
        assert!(debug.contains("key_1"));
        assert_eq!(
            serde_json::to_value(&rotated).unwrap(),
            json!({"apiKey": "sk_live_secret123", "id": "key_2", "verified": "probe",
                   "revoked": true, "revokedKeyId": "key_1", "revokeError": null})
        );
    }
}
