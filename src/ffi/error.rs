//! The error JSON read back into fields: `soku_error_parse` and its getters, so that a C or
//! C++ caller branches on the kind, status, code and request id without a JSON parser of its
//! own (`soku.hpp` builds `soku::Error` from them).

use std::ffi::c_char;
use std::ptr;

use serde::Deserialize;

use super::args::{non_null, str_arg};
use super::boundary::boundary;
use super::status::{SOKU_ERR_INVALID_ARGUMENT, SOKU_ERR_PANIC, SOKU_OK};
use crate::Error;
use crate::wire_json;

/// An error JSON read into fields: created by `soku_error_parse`, read with `soku_error_kind`,
/// `soku_error_status`, `soku_error_code`, `soku_error_message`, `soku_error_request_id` and
/// `soku_error_param`, released by `soku_error_free`. Immutable: the getters may be called from
/// any number of threads at once.
pub struct SokuError {
    status: i32,
    /// Each string with a NUL byte appended (a JSON string may itself hold U+0000, so the
    /// getters also hand out the length).
    kind: Option<Vec<u8>>,
    code: Option<Vec<u8>>,
    message: Option<Vec<u8>>,
    request_id: Option<Vec<u8>>,
    param: Option<Vec<u8>>,
}

/// `{"error": {...}}` as the C ABI writes it; every other member, at any depth, is skipped
/// without recursion (`details`, `retryAfter`, `meta`).
#[derive(Deserialize)]
struct Document {
    error: Fields,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Fields {
    kind: String,
    status: Option<u16>,
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    param: Option<String>,
}

fn c_bytes(s: String) -> Vec<u8> {
    let mut bytes = s.into_bytes();
    bytes.push(0);
    bytes
}

impl SokuError {
    fn from_fields(f: Fields) -> SokuError {
        SokuError {
            status: f.status.map_or(0, i32::from),
            kind: Some(c_bytes(f.kind)),
            code: f.code.map(c_bytes),
            message: f.message.map(c_bytes),
            request_id: f.request_id.map(c_bytes),
            param: f.param.map(c_bytes),
        }
    }

    /// The error that describes why `error_json` could not be read.
    fn from_error(e: &Error) -> SokuError {
        SokuError {
            status: 0,
            kind: Some(c_bytes(e.kind().as_str().to_owned())),
            code: None,
            message: Some(c_bytes(e.message())),
            request_id: None,
            param: e.param().map(|p| c_bytes(p.to_owned())),
        }
    }
}

/// Reads `text` as an error JSON; the error says which member is wrong and why.
fn parse(text: &str) -> Result<Fields, Error> {
    let read = |bytes: &[u8]| {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let doc: Document = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let at = match e.path().to_string() {
                p if p == "." => String::new(),
                p => format!(" at {p}"),
            };
            format!("{at}: {}", e.into_inner())
        })?;
        de.end().map_err(|e| format!(": {e}"))?;
        Ok::<_, String>(doc.error)
    };
    wire_json::retry_with_lone_surrogates_replaced(text.as_bytes(), read).map_err(|why| {
        Error::invalid_param(
            "error_json",
            format!("error_json is not an error json{why}"),
        )
    })
}

/// Reads the error JSON the library wrote to `*out_json` (`{"error": {"kind", "status", "code",
/// "message", "requestId", "param", …}, "meta": …}`) into a `SokuError` whose fields the `soku_error_*` getters return. Any valid error JSON is read,
/// however large or deeply nested its `details` (members other than those six are skipped, never
/// parsed into memory); a lone UTF-16 surrogate escape reads as U+FFFD.
///
/// Returns `SOKU_OK` and stores a new handle in `*out_error`. When `error_json` is NULL, not
/// UTF-8, not JSON, has no `error` object, no string `kind`, or a member of the wrong type
/// (`status` not null or an integer 0 to 65535; `code`, `message`, `requestId`, `param` not null
/// or a string), returns `SOKU_ERR_INVALID_ARGUMENT` and still stores a handle, which describes
/// that failure: kind `"invalid_argument"`, param `"error_json"`, the reason in its message.
/// A caught panic returns `SOKU_ERR_PANIC` and stores NULL.
///
/// Ownership: `error_json` is borrowed for the call; the handle belongs to the caller, who
/// releases it with `soku_error_free`.
///
/// NULL: `out_error` NULL returns `SOKU_ERR_INVALID_ARGUMENT` and writes nothing; `error_json`
/// NULL is an invalid argument as above.
///
/// Thread safety: safe from any thread.
///
/// # Safety
/// `error_json` must be NULL or a NUL-terminated string; `out_error` must be NULL or valid for
/// one pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_error_parse(
    error_json: *const c_char,
    out_error: *mut *mut SokuError,
) -> i32 {
    if out_error.is_null() {
        return SOKU_ERR_INVALID_ARGUMENT;
    }
    let (status, error) = boundary(
        || {
            // SAFETY: forwarded from the caller.
            let text = unsafe { str_arg(error_json, "error_json") };
            match text.and_then(parse) {
                Ok(fields) => (
                    SOKU_OK,
                    Box::into_raw(Box::new(SokuError::from_fields(fields))),
                ),
                Err(e) => (
                    SOKU_ERR_INVALID_ARGUMENT,
                    Box::into_raw(Box::new(SokuError::from_error(&e))),
                ),
            }
        },
        |_| (SOKU_ERR_PANIC, ptr::null_mut()),
    );
    // SAFETY: non-NULL, and the caller promises it is valid for a write.
    unsafe { out_error.write(error) };
    status
}

/// One string getter: the field's bytes (NUL-terminated) and length, or NULL.
///
/// # Safety
/// `error` must be NULL or a live handle; `out_len` NULL or valid for one write.
unsafe fn field(
    error: *const SokuError,
    out_len: *mut usize,
    pick: fn(&SokuError) -> &Option<Vec<u8>>,
) -> *const c_char {
    boundary(
        || {
            // SAFETY: NULL or a live handle, as the caller promises.
            let bytes = non_null(error, "error")
                .ok()
                .and_then(|e| pick(unsafe { &*e }).as_deref());
            if !out_len.is_null() {
                // SAFETY: non-NULL, and the caller promises it is valid for a write.
                unsafe { out_len.write(bytes.map_or(0, |b| b.len() - 1)) };
            }
            bytes.map_or(ptr::null(), |b| b.as_ptr().cast())
        },
        |_| ptr::null(),
    )
}

/// The error's `kind`: `"api"`, `"transport"`, `"timeout"`, `"decode"`, `"config"`,
/// `"invalid_argument"` or `"panic"` (or any other string the JSON held).
///
/// Returns a NUL-terminated UTF-8 string and stores its length in bytes (without the NUL) in
/// `*out_len`; the length tells a string holding U+0000 apart from a shorter one. This and every
/// other string getter returns NULL (length 0) when the field was absent or null, or `error` is
/// NULL.
///
/// Ownership: the string belongs to `error` and stays valid until `soku_error_free(error)`;
/// never free it. NULL: `out_len` may be NULL (no length is stored). Thread safety: safe from
/// any thread, also concurrently on the same handle; must not race with `soku_error_free`.
///
/// # Safety
/// `error` must be NULL or a live handle from `soku_error_parse`; `out_len` must be NULL or
/// valid for one `size_t` write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_error_kind(
    error: *const SokuError,
    out_len: *mut usize,
) -> *const c_char {
    // SAFETY: forwarded from the caller.
    unsafe { field(error, out_len, |e| &e.kind) }
}

/// The HTTP status of the server's answer (the error JSON's `status`); 0 when it was null (no
/// answer) or `error` is NULL.
///
/// Ownership: `error` is borrowed. Thread safety: as for `soku_error_kind`.
///
/// # Safety
/// `error` must be NULL or a live handle from `soku_error_parse`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_error_status(error: *const SokuError) -> i32 {
    // SAFETY: NULL or a live handle, as the caller promises.
    boundary(|| unsafe { error.as_ref() }.map_or(0, |e| e.status), |_| 0)
}

/// The API error code (`"validation_error"`, codes unknown to this version included, or
/// `"http_<status>"`); NULL when there is none. Ownership, NULL, length and thread safety as for
/// `soku_error_kind`.
///
/// # Safety
/// As for `soku_error_kind`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_error_code(
    error: *const SokuError,
    out_len: *mut usize,
) -> *const c_char {
    // SAFETY: forwarded from the caller.
    unsafe { field(error, out_len, |e| &e.code) }
}

/// The error message (secrets already redacted by the library). Ownership, NULL, length and
/// thread safety as for `soku_error_kind`.
///
/// # Safety
/// As for `soku_error_kind`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_error_message(
    error: *const SokuError,
    out_len: *mut usize,
) -> *const c_char {
    // SAFETY: forwarded from the caller.
    unsafe { field(error, out_len, |e| &e.message) }
}

/// The request id the server gave (the error JSON's `requestId`); NULL when there is none.
/// Ownership, NULL, length and thread safety as for `soku_error_kind`.
///
/// # Safety
/// As for `soku_error_kind`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_error_request_id(
    error: *const SokuError,
    out_len: *mut usize,
) -> *const c_char {
    // SAFETY: forwarded from the caller.
    unsafe { field(error, out_len, |e| &e.request_id) }
}

/// The request field (JSON path, e.g. `"post.content.text"`) or config key (e.g. `"baseUrl"`)
/// at fault of an `"invalid_argument"` or `"config"` error; NULL when there is none. Ownership,
/// NULL, length and thread safety as for `soku_error_kind`.
///
/// # Safety
/// As for `soku_error_kind`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_error_param(
    error: *const SokuError,
    out_len: *mut usize,
) -> *const c_char {
    // SAFETY: forwarded from the caller.
    unsafe { field(error, out_len, |e| &e.param) }
}

/// Frees a handle from `soku_error_parse`, and with it every string its getters returned.
///
/// Ownership: takes ownership of `error`; the pointer is invalid afterwards. NULL: a no-op.
/// Thread safety: must not race with any other call using the same handle.
///
/// # Safety
/// `error` must be NULL or a pointer stored by `soku_error_parse` and not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_error_free(error: *mut SokuError) {
    boundary(
        || {
            if !error.is_null() {
                // SAFETY: the caller hands back a pointer from Box::into_raw, exactly once.
                drop(unsafe { Box::from_raw(error) });
            }
        },
        |_| (),
    )
}
