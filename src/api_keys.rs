//! `/v1/api-keys` (Firebase bearer token): [`CreateApiKey`] → [`CreatedApiKey`], the
//! [`ApiKeyList`], and revocation.

use crate::secret::Secret;

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::client::{CallOptions, Client};
use crate::error::Result;
use crate::response::Response;
use crate::validate::{self, invalid};

/// Longest accepted key name, in characters.
const MAX_NAME_CHARS: usize = 100;

/// The body of `POST /v1/api-keys`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateApiKey {
    /// A label for the key: 1–100 characters, not only whitespace, like the server's rule
    /// (checked before sending, [`Error::InvalidArgument`](crate::Error::InvalidArgument)
    /// otherwise; sent verbatim).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Unknown fields, passed through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl CreateApiKey {
    /// A key without a name.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The client-side checks [`Client::create_api_key`] runs before sending (a name, if any, of
    /// 1 to 100 characters). Sends nothing.
    pub fn validate(&self) -> Result<()> {
        if let Some(name) = &self.name {
            // As the server: blank (whitespace-only) is empty; every character counts.
            if name.trim().is_empty() || name.chars().count() > MAX_NAME_CHARS {
                return Err(invalid("name", "must be 1 to 100 characters"));
            }
        }
        Ok(())
    }
}

/// The answer to `POST /v1/api-keys`: the only time the full key is returned.
/// `Debug` redacts the key (a [`Secret`]); serialising writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedApiKey {
    /// The new key (`sk_live_…`; read it with [`Secret::expose`]). Store it now; it cannot be
    /// listed later.
    pub api_key: Secret,
    /// The key's id, if the server sent one (a number is kept as its decimal string; any
    /// other type is dropped rather than failing the decode of the key).
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A string as is, a number as its decimal string; anything else is `None`.
fn string_or_number(v: Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Optional metadata: a string or a number; any other type (or `null`) becomes `None` instead of
/// failing the whole answer.
fn lenient_string<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    Value::deserialize(d).map(string_or_number)
}

/// A required id: a string or a number (kept as its decimal string).
fn id_string<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    use serde::de::Error as _;
    string_or_number(Value::deserialize(d)?)
        .ok_or_else(|| D::Error::custom("key id must be a string or a number"))
}

/// Metadata of one key (never the full key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyInfo {
    /// The key's id (what [`Client::revoke_api_key`] takes); a number is kept as its decimal
    /// string.
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    /// Its label.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// Creation instant.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<String>,
    /// Revocation instant, if revoked.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub revoked_at: Option<String>,
    /// `active` or `revoked`.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<String>,
    /// A harmless preview of the key. Wire name `keyPreview`.
    #[serde(
        rename = "keyPreview",
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub preview: Option<String>,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The answer to `GET /v1/api-keys`.
///
/// Deserialises from a bare array or from an object holding the array under `apiKeys`, `keys`
/// or `data` (other fields go to `extra`); serialises as `{"apiKeys": [...], ...extra}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApiKeyList {
    /// The keys.
    pub keys: Vec<ApiKeyInfo>,
    /// Unknown fields of the object form, kept.
    pub extra: Map<String, Value>,
}

impl Serialize for ApiKeyList {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1 + self.extra.len()))?;
        map.serialize_entry("apiKeys", &self.keys)?;
        for (k, v) in &self.extra {
            if k != "apiKeys" {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for ApiKeyList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        let keys_from = |v: Value| Vec::<ApiKeyInfo>::deserialize(v).map_err(D::Error::custom);
        match Value::deserialize(d)? {
            Value::Array(items) => Ok(ApiKeyList {
                keys: keys_from(Value::Array(items))?,
                extra: Map::new(),
            }),
            Value::Object(mut obj) => {
                let field = ["apiKeys", "keys", "data"]
                    .into_iter()
                    .find(|f| obj.get(*f).is_some_and(Value::is_array))
                    .ok_or_else(|| D::Error::custom("expected an array under `apiKeys`"))?;
                let keys = keys_from(obj.remove(field).unwrap_or_default())?;
                Ok(ApiKeyList { keys, extra: obj })
            }
            _ => Err(D::Error::custom(
                "expected an array or an object of api keys",
            )),
        }
    }
}

/// Percent-encodes one path segment (everything but RFC 3986 unreserved characters).
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(crate) use crate::endpoint::CREATE_API_KEY as CREATE;

pub(crate) use crate::endpoint::LIST_API_KEYS as LIST;

pub(crate) use crate::endpoint::REVOKE_API_KEY as REVOKE;

impl Client {
    /// `POST /v1/api-keys` (Bearer token). Retried only on connect failures and 429.
    pub fn create_api_key(&self, req: &CreateApiKey) -> Result<Response<CreatedApiKey>> {
        self.create_api_key_with(req, &CallOptions::default())
    }

    /// [`Client::create_api_key`] with per-call options (e.g. the Firebase token).
    pub fn create_api_key_with(
        &self,
        req: &CreateApiKey,
        opts: &CallOptions,
    ) -> Result<Response<CreatedApiKey>> {
        req.validate()?;
        self.call(&CREATE, Some(req), opts)
    }

    /// `GET /v1/api-keys` (Bearer token).
    pub fn list_api_keys(&self) -> Result<Response<ApiKeyList>> {
        self.list_api_keys_with(&CallOptions::default())
    }

    /// [`Client::list_api_keys`] with per-call options.
    pub fn list_api_keys_with(&self, opts: &CallOptions) -> Result<Response<ApiKeyList>> {
        self.call(&LIST, None::<&()>, opts)
    }

    /// `DELETE /v1/api-keys/{id}` (Bearer token). Permanent; the key then gets 401.
    pub fn revoke_api_key(&self, id: &str) -> Result<Response<()>> {
        self.revoke_api_key_with(id, &CallOptions::default())
    }

    /// [`Client::revoke_api_key`] with per-call options.
    pub fn revoke_api_key_with(&self, id: &str, opts: &CallOptions) -> Result<Response<()>> {
        validate::path_id("id", id)?;
        let path = REVOKE.path_with(&encode_segment(id));
        let resp = self.send_json(&REVOKE, &path, None, opts)?;
        Ok(resp.map(|_| ()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn list_shapes() {
        let item = json!({"id": "k1", "keyPreview": "sk_live_ab…", "new": true});
        for v in [
            json!([item]),
            json!({"apiKeys": [item]}),
            json!({"keys": [item]}),
            json!({"data": [item]}),
        ] {
            let l: ApiKeyList = serde_json::from_value(v).unwrap();
            assert_eq!(l.keys[0].id, "k1");
            assert_eq!(l.keys[0].preview.as_deref(), Some("sk_live_ab…"));
        }
        let l: ApiKeyList = serde_json::from_value(json!({"apiKeys": [item], "total": 1})).unwrap();
        assert_eq!(
            serde_json::to_value(&l).unwrap(),
            json!({"apiKeys": [item], "total": 1})
        );
        assert!(serde_json::from_value::<ApiKeyList>(json!({"nope": 1})).is_err());
        assert!(serde_json::from_value::<ApiKeyList>(json!("x")).is_err());
    }

    #[test]
    fn ids_are_strings_or_numbers() {
        let k: CreatedApiKey =
            serde_json::from_value(json!({"apiKey": "sk_live_a", "id": 42})).unwrap();
        assert_eq!(k.id.as_deref(), Some("42"));
        let k: CreatedApiKey = serde_json::from_value(json!({"apiKey": "sk_live_a"})).unwrap();
        assert_eq!(k.id, None);
        for odd in [json!(null), json!(true), json!([1]), json!({"v": 1})] {
            let k: CreatedApiKey =
                serde_json::from_value(json!({"apiKey": "sk_live_a", "id": odd})).unwrap();
            assert_eq!((k.api_key.expose(), k.id), ("sk_live_a", None));
        }
        let i: ApiKeyInfo = serde_json::from_value(json!({"id": 7, "status": 1})).unwrap();
        assert_eq!((i.id.as_str(), i.status.as_deref()), ("7", Some("1")));
        for bad in [json!({"id": null}), json!({"id": [1]}), json!({})] {
            assert!(serde_json::from_value::<ApiKeyInfo>(bad).is_err());
        }
    }

    #[test]
    fn created_key_debug_redacts() {
        let k = CreatedApiKey {
            api_key: "sk_live_secret".into(),
            id: None,
            extra: Map::new(),
        };
        assert!(!format!("{k:?}").contains("sk_live_secret"));
    }

    #[test]
    fn segments_are_encoded() {
        assert_eq!(encode_segment("key_1.a~b-c"), "key_1.a~b-c");
        assert_eq!(encode_segment("a/b c?é"), "a%2Fb%20c%3F%C3%A9");
    }
}
