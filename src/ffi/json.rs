//! The result and error JSON written to `*out_json`, and the outcome → status mapping.

use std::ffi::{CString, c_char};

use serde::Serialize;
use serde_json::{Value, json};

use super::document::{SuccessDocument, error_json, panic_json, success_json};

use super::status::{SOKU_ERR_PANIC, SOKU_OK, status_of_kind};
use crate::{Error, Response};

/// What an export hands back: its status and the JSON text for `*out_json`.
pub(crate) struct Outcome {
    pub(crate) status: i32,
    pub(crate) json: String,
}

/// The status number of an error (one per kind).
pub(crate) fn status_of(err: &Error) -> i32 {
    status_of_kind(err.kind())
}

/// `{"data": data, "meta": null}`: a success that sent no request (`soku_client_new`).
pub(crate) fn success_without_meta(data: Value) -> Outcome {
    let doc = SuccessDocument {
        data: &data,
        meta: None,
    };
    Outcome {
        status: SOKU_OK,
        // A `Value` always serialises.
        json: serde_json::to_string(&doc)
            .unwrap_or_else(|_| json!({"data": null, "meta": null}).to_string()),
    }
}

/// The outcome of a call: the success document, or the error document.
pub(crate) fn from_result<T: Serialize>(result: Result<Response<T>, Error>) -> Outcome {
    match result.and_then(|response| success_json(&response)) {
        Ok(json) => Outcome {
            status: SOKU_OK,
            json,
        },
        Err(err) => failure(&err),
    }
}

/// `{"error": {...}, "meta": meta | null}` for a library error.
pub(crate) fn failure(err: &Error) -> Outcome {
    Outcome {
        status: status_of(err),
        json: error_json(err),
    }
}

/// The error JSON for a panic caught at the boundary.
pub(crate) fn panic_outcome(message: &str) -> Outcome {
    Outcome {
        status: SOKU_ERR_PANIC,
        json: panic_json(message),
    }
}

/// Hands `json` to C as an owned string (freed by `soku_string_free`).
pub(crate) fn into_c_string(json: String) -> *mut c_char {
    // serde_json escapes U+0000 as \u0000, so JSON text never holds a NUL byte; the fallback
    // exists only so that this function cannot fail.
    CString::new(json)
        .unwrap_or_else(|_| c"{\"error\":{\"kind\":\"panic\",\"status\":null,\"code\":null,\"message\":\"output contained a nul byte\",\"requestId\":null,\"details\":null,\"retryAfter\":null,\"param\":null},\"meta\":null}".to_owned())
        .into_raw()
}
