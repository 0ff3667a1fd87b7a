//! The result and error JSON written to `*out_json`, and the outcome → status mapping.

use std::ffi::{CString, c_char};

use serde::Serialize;
use serde_json::{Value, json};

use super::status::{SOKU_ERR_PANIC, SOKU_OK, status_of_kind};
use crate::{Error, ErrorDocument, Response};

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
    Outcome {
        status: SOKU_OK,
        json: json!({ "data": data, "meta": null }).to_string(),
    }
}

/// The outcome of a call: `{"data", "meta"}` ([`Response`] serialises so), or the error JSON.
pub(crate) fn from_result<T: Serialize>(result: Result<Response<T>, Error>) -> Outcome {
    match result {
        Ok(response) => match serde_json::to_string(&response) {
            Ok(json) => Outcome {
                status: SOKU_OK,
                json,
            },
            Err(e) => failure(&Error::Decode {
                message: format!("could not serialise the response: {e}"),
                meta: Box::new(response.meta),
                source: Some(crate::error::Cause::new(e)),
            }),
        },
        Err(err) => failure(&err),
    }
}

/// `{"error": {...}, "meta": meta | null}` for a library error.
pub(crate) fn failure(err: &Error) -> Outcome {
    let json = serde_json::to_string(&ErrorDocument::new(err));
    match json {
        Ok(json) => Outcome {
            status: status_of(err),
            json,
        },
        // Error and Meta hold only strings, numbers and JSON values: this cannot happen. Should
        // it, the caller still gets the error's own status, kind and message (never `null`).
        Err(e) => Outcome {
            status: status_of(err),
            json: json!({
                "error": err.object_without_details(&e),
                "meta": null,
            })
            .to_string(),
        },
    }
}

/// The error JSON for a panic caught at the boundary.
pub(crate) fn panic_outcome(message: &str) -> Outcome {
    let json = json!({
        "error": {
            "kind": "panic",
            "status": null,
            "code": null,
            "message": format!("panic inside soku: {message}"),
            "requestId": null,
            "details": null,
            "retryAfter": null,
            "param": null,
        },
        "meta": null,
    });
    Outcome {
        status: SOKU_ERR_PANIC,
        json: json.to_string(),
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
