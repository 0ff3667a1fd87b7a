//! Through the C ABI, a server that repeats the credential in every part of its answers (error
//! envelope fields, headers, plain text, HTML, a 429, 2xx bodies that fail to decode) never gets
//! it back into an output: not in an error object, not in meta, not in a batch item's error.

mod core_support;
mod echo;
mod ffi_common;

use ffi_common::*;
use serde_json::{Value, json};
use soku::ffi::SOKU_OK;

const KEY: &str = "sk_live_FFIECHO0123456789abcdefghijklmnop";
const TOKEN: &str = "eyJhbGciOi.FFI-ECHO-TOKEN.sig";
const CALL_TOKEN: &str = "eyJhbGciOi.FFI-PER-CALL-TOKEN.sig";

/// Every object the library writes itself: the error object, meta, and the errors and metas of
/// a workflow's items (a success's `data` is otherwise the server's own payload).
fn library_parts(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "error" || k == "meta" || k == "revokeError" {
                    out.push(v.to_string());
                }
                library_parts(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| library_parts(i, out)),
        _ => {}
    }
}

#[test]
fn an_echoing_server_gets_no_credential_into_any_c_output() {
    let mut errors = 0;
    for (shape_name, shape) in echo::ECHOES {
        let url = echo::server(shape);
        let config = json!({"baseUrl": url, "apiKey": KEY, "firebaseToken": TOKEN,
                            "maxRetries": 0, "timeoutMs": 5000});
        let c = client(&config.to_string());
        let per_call = json!({ "firebaseToken": CALL_TOKEN }).to_string();
        for (name, op, request) in operations() {
            for options in [None, Some(per_call.as_str())] {
                let (status, out) = call(op, &c, request, options);
                let texts = if status == SOKU_OK {
                    let mut parts = Vec::new();
                    library_parts(&out, &mut parts);
                    parts
                } else {
                    errors += 1;
                    vec![out.to_string()]
                };
                for text in texts {
                    for leak in ["FFIECHO", "FFI-ECHO", "FFI-PER-CALL"] {
                        assert!(
                            !text.contains(leak),
                            "{name} / {shape_name}: credential leaked ({leak})"
                        );
                    }
                }
            }
        }
    }
    // Every shape fails nearly every operation (196 of 220 outputs are errors today).
    assert!(errors >= 180, "{errors}");
}
