//! The wire field names (and JSON types) of every result the C ABI returns, as Rust emits them,
//! kept in bindings/python/tests/wire_fields.json: the Python package's field table is tested
//! against that file, so a name the library emits and Python does not read (or reads under
//! another name) fails there.
//!
//! Each result type is serialised from a fully populated instance (every optional field set),
//! the way the exports serialise results (`{"data": <type>, "meta": <Meta>}`). After changing a
//! result type, regenerate the committed file with:
//!
//!     SOKU_UPDATE_WIRE_FIELDS=1 cargo test -p soku-client --test ffi_wire_fields
//!
//! and update the Python table (bindings/python/src/soku/_wire.py) to match.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value, json};
use soku::ffi::document::{SuccessDocument, error_object};
use soku::workflows::{
    BatchItem, BatchReport, BatchSummary, PublishedWithMedia, PublishedWithTemplate, RotatedApiKey,
    VerifyMode,
};
use soku::{
    ApiError, ApiKeyInfo, ApiKeyList, CreatedApiKey, Error, ErrorCode, Meta, PostSubmission,
    RateLimit, RenderedTemplate, Response, Secret, Transcription, UploadedMedia,
};

const FIXTURE: &str = "bindings/python/tests/wire_fields.json";
const REGENERATE: &str =
    "SOKU_UPDATE_WIRE_FIELDS=1 cargo test -p soku-client --test ffi_wire_fields";

fn meta() -> Meta {
    Meta {
        status: 200,
        request_id: Some("req_1".into()),
        rate_limit: RateLimit {
            limit: Some(60),
            remaining: Some(59),
            reset: Some(1_700_000_000),
            tier: Some("pro".into()),
        },
        attempts: 2,
        idempotency_key: Some("key-1".into()),
        calls: Some(3),
    }
}

fn submission() -> PostSubmission {
    PostSubmission {
        post_submission_id: "sub_1".into(),
        extra: Map::new(),
    }
}

fn uploaded() -> UploadedMedia {
    UploadedMedia {
        url: "https://cdn.example/m.png".into(),
        extra: Map::new(),
    }
}

fn rendered() -> RenderedTemplate {
    serde_json::from_value(json!({"url": "https://cdn.example/t.png", "id": "tpl_1"}))
        .expect("a rendered template")
}

fn key_info() -> ApiKeyInfo {
    ApiKeyInfo {
        id: "key_1".into(),
        name: Some("ci".into()),
        created_at: Some("2025-01-01T00:00:00Z".into()),
        revoked_at: Some("2025-02-01T00:00:00Z".into()),
        status: Some("revoked".into()),
        preview: Some("sk_live_…abcd".into()),
        extra: Map::new(),
    }
}

/// An API error with every field of its kind set.
fn api_error() -> Error {
    Error::Api(Box::new(ApiError {
        status: 429,
        code: ErrorCode::RateLimitExceeded,
        message: "slow down".into(),
        error_type: Some("rate_limit".into()),
        request_id: Some("req_2".into()),
        details: Some(json!({"window": "1m"})),
        retry_after: Some(Duration::from_millis(1500)),
        meta: meta(),
    }))
}

/// The fields only an argument error carries (`param`).
fn argument_error() -> Error {
    Error::InvalidArgument {
        message: "must be non-empty".into(),
        param: Some("post.content.text".into()),
    }
}

fn value(v: impl Serialize) -> Value {
    serde_json::to_value(v).expect("serialises")
}

/// One export's success document, as the C ABI builds it.
fn document<T: Serialize>(response: &Response<T>) -> Value {
    value(SuccessDocument::new(response))
}

/// The `data` of one export's success document.
fn data<T: Serialize>(response: Response<T>) -> Value {
    let mut doc = document(&response);
    doc.get_mut("data").expect("a data member").take()
}

fn response<T>(data: T) -> Response<T> {
    Response { data, meta: meta() }
}

/// One result type: its name, fully populated samples (several when variants emit different
/// fields) and which of its fields hold another listed type.
struct Sample {
    name: &'static str,
    values: Vec<Value>,
    nested: &'static [(&'static str, &'static str)],
}

fn samples() -> Vec<Sample> {
    let ok_item = BatchItem {
        index: 0,
        result: Ok(submission()),
        meta: Some(meta()),
        paced: Duration::from_millis(250),
    };
    let failed_item = BatchItem {
        index: 1,
        result: Err(api_error()),
        meta: Some(meta()),
        paced: Duration::ZERO,
    };
    let report = BatchReport {
        results: vec![ok_item, failed_item],
        summary: BatchSummary {
            total: 3,
            succeeded: 1,
            failed: 1,
        },
        cancelled: true,
    };
    let rotated = RotatedApiKey {
        api_key: Secret::new("sk_live_new"),
        id: Some("key_2".into()),
        verified: VerifyMode::Probe,
        revoked: false,
        revoked_key_id: Some("key_1".into()),
        revoke_error: Some(api_error()),
    };
    let report = data(response(report));
    let item_values = report["results"].as_array().expect("results").clone();
    vec![
        Sample {
            name: "PostSubmission",
            values: vec![data(response(submission()))],
            nested: &[],
        },
        Sample {
            name: "UploadedMedia",
            values: vec![data(response(uploaded()))],
            nested: &[],
        },
        Sample {
            name: "RenderedTemplate",
            values: vec![data(response(rendered()))],
            nested: &[],
        },
        Sample {
            name: "Transcription",
            values: vec![data(response(Transcription {
                job_id: "job_1".into(),
                transcript: Some("la la".into()),
                credits_debited: Some(2.5),
                likely_lyrics: Some(true),
                extra: Map::new(),
            }))],
            nested: &[],
        },
        Sample {
            name: "CreatedApiKey",
            values: vec![data(response(CreatedApiKey {
                api_key: Secret::new("sk_live_created"),
                id: Some("key_3".into()),
                extra: Map::new(),
            }))],
            nested: &[],
        },
        Sample {
            name: "ApiKeyInfo",
            values: vec![value(key_info())],
            nested: &[],
        },
        Sample {
            name: "ApiKeyList",
            values: vec![data(response(ApiKeyList {
                keys: vec![key_info()],
                extra: Map::new(),
            }))],
            nested: &[("apiKeys", "ApiKeyInfo")],
        },
        Sample {
            name: "RotatedApiKey",
            values: vec![data(response(rotated))],
            nested: &[("revokeError", "Error")],
        },
        Sample {
            name: "BatchItem",
            values: item_values,
            nested: &[("error", "Error"), ("meta", "Meta")],
        },
        Sample {
            name: "BatchSummary",
            values: vec![report["summary"].clone()],
            nested: &[],
        },
        Sample {
            name: "BatchReport",
            values: vec![report],
            nested: &[("results", "BatchItem"), ("summary", "BatchSummary")],
        },
        Sample {
            name: "PublishedWithMedia",
            values: vec![data(response(PublishedWithMedia {
                media: vec![uploaded()],
                post: submission(),
            }))],
            nested: &[("media", "UploadedMedia"), ("post", "PostSubmission")],
        },
        Sample {
            name: "PublishedWithTemplate",
            values: vec![data(response(PublishedWithTemplate {
                template: rendered(),
                post: submission(),
            }))],
            nested: &[("template", "RenderedTemplate"), ("post", "PostSubmission")],
        },
        Sample {
            name: "Meta",
            values: vec![document(&response(()))["meta"].clone()],
            nested: &[("rateLimit", "RateLimit")],
        },
        Sample {
            name: "RateLimit",
            values: vec![value(meta().rate_limit)],
            nested: &[],
        },
        Sample {
            name: "Error",
            values: vec![error_object(&api_error()), error_object(&argument_error())],
            nested: &[],
        },
    ]
}

/// The JSON type name of a value (a number with a fraction is `number`, a whole one `integer`).
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

type Fields = BTreeMap<String, String>;

/// `{type name: {wire field: JSON type}}`; a field holding a listed type is that type's name
/// (`array<Name>` for an array of it). A field null in every sample is an error: the samples
/// must be fully populated.
fn shapes() -> BTreeMap<&'static str, Fields> {
    let samples = samples();
    let mut out: BTreeMap<&'static str, Fields> = BTreeMap::new();
    for sample in &samples {
        let mut types: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
        for v in &sample.values {
            let obj = v
                .as_object()
                .unwrap_or_else(|| panic!("{} serialises to an object", sample.name));
            for (field, fv) in obj {
                let seen = types.entry(field.clone()).or_default();
                let t = match sample.nested.iter().find(|(f, _)| f == field) {
                    Some(_) if fv.is_null() => continue,
                    Some(_) if fv.is_array() => "array",
                    Some((_, inner)) => {
                        assert!(fv.is_object(), "{}.{field} holds a {inner}", sample.name);
                        "nested"
                    }
                    None => json_type(fv),
                };
                if t != "null" && !seen.contains(&t) {
                    seen.push(t);
                }
            }
        }
        let mut fields = Fields::new();
        for (field, mut seen) in types {
            assert!(
                !seen.is_empty(),
                "{}.{field} is null in every sample: populate it",
                sample.name
            );
            seen.sort_unstable();
            let t = match sample.nested.iter().find(|(f, _)| *f == field) {
                Some((_, inner)) if seen == ["array"] => format!("array<{inner}>"),
                Some((_, inner)) => inner.to_string(),
                None => seen.join("|"),
            };
            fields.insert(field, t);
        }
        out.insert(sample.name, fields);
    }
    // A nested value holds only fields of the type it is declared as.
    for sample in &samples {
        for (field, inner) in sample.nested {
            let known = out
                .get(inner)
                .unwrap_or_else(|| panic!("{inner} is not a listed type"));
            for v in &sample.values {
                let held = match &v[*field] {
                    Value::Array(items) => items.clone(),
                    Value::Null => vec![],
                    other => vec![other.clone()],
                };
                for item in held {
                    for key in item.as_object().expect("an object").keys() {
                        assert!(
                            known.contains_key(key),
                            "{}.{field}: {key} is not a field of {inner}",
                            sample.name
                        );
                    }
                }
            }
        }
    }
    out
}

/// What each export's success document holds in `data` (`meta` is always a `Meta`).
fn exports() -> BTreeMap<&'static str, &'static str> {
    BTreeMap::from([
        ("soku_posts_create", "PostSubmission"),
        ("soku_media_upload", "UploadedMedia"),
        ("soku_templates_render", "RenderedTemplate"),
        ("soku_templates_render_og", "RenderedTemplate"),
        ("soku_ai_transcribe", "Transcription"),
        ("soku_api_keys_create", "CreatedApiKey"),
        ("soku_api_keys_list", "ApiKeyList"),
        ("soku_api_keys_revoke", "null"),
        ("soku_api_keys_rotate", "RotatedApiKey"),
        ("soku_posts_publish_batch", "BatchReport"),
        ("soku_posts_publish_batch_with_cancel", "BatchReport"),
        ("soku_posts_publish_batch_with_progress", "BatchReport"),
        ("soku_posts_publish_with_media", "PublishedWithMedia"),
        ("soku_posts_publish_with_template", "PublishedWithTemplate"),
    ])
}

fn generate() -> String {
    let doc = json!({
        "about": format!(
            "Wire fields (name: JSON type) of each result type of the C ABI, generated from Rust \
             by tests/ffi_wire_fields.rs; regenerate with: {REGENERATE}"
        ),
        "exports": exports(),
        "types": shapes(),
    });
    serde_json::to_string_pretty(&doc).expect("serialises") + "\n"
}

#[test]
fn committed_fixture_matches_what_rust_emits() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
    let generated = generate();
    if std::env::var_os("SOKU_UPDATE_WIRE_FIELDS").is_some() {
        std::fs::write(&path, &generated).expect("write the fixture");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{FIXTURE} is out of date; generated:\n{generated}\nregenerate with: {REGENERATE}"
    );
}

#[test]
fn every_result_export_is_listed() {
    // Every operation export of the header returns one of the listed documents.
    let header = Path::new(env!("CARGO_MANIFEST_DIR")).join("include/soku.h");
    let header = std::fs::read_to_string(header).expect("include/soku.h");
    let listed = exports();
    let mut missing = vec![];
    for line in header.lines() {
        let Some(rest) = line.strip_prefix("int32_t ") else {
            continue;
        };
        let name = rest.split('(').next().unwrap_or_default();
        // An operation takes the client first and writes a result JSON (the constructor and the
        // error-JSON readers do not).
        let is_operation = rest.contains("(const struct SokuClient *client");
        if is_operation && !listed.contains_key(name) {
            missing.push(name.to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "exports not in the fixture: {missing:?}"
    );
}
