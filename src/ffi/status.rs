//! Status numbers: one per error kind, explicit, never reused.

use std::ffi::CStr;

/// Success.
pub const SOKU_OK: i32 = 0;
/// The caller's input was rejected before anything was sent: a NULL pointer, invalid UTF-8,
/// malformed JSON, a wrong field type, an unknown key or failed client-side validation.
/// Error kind `"invalid_argument"`.
pub const SOKU_ERR_INVALID_ARGUMENT: i32 = -1;
/// The client configuration is unusable (bad base URL, missing API key or Firebase token).
/// Error kind `"config"`.
pub const SOKU_ERR_CONFIG: i32 = -2;
/// The server answered with an error status; `status`, `code` and `requestId` are the server's.
/// Error kind `"api"`.
pub const SOKU_ERR_API: i32 = -3;
/// The request could not be sent or the connection failed (refused, reset, DNS, TLS).
/// Error kind `"transport"`.
pub const SOKU_ERR_TRANSPORT: i32 = -4;
/// The call did not complete within its timeout. Error kind `"timeout"`.
pub const SOKU_ERR_TIMEOUT: i32 = -5;
/// The server answered 2xx with a body that is not the expected JSON. Error kind `"decode"`.
pub const SOKU_ERR_DECODE: i32 = -6;
/// A bug: a panic inside the library was caught at the C boundary. Error kind `"panic"`.
pub const SOKU_ERR_PANIC: i32 = -7;

/// The `kind` string of a status (the same word as the error JSON's `kind`).
pub(crate) fn status_name(status: i32) -> &'static CStr {
    match status {
        SOKU_OK => c"ok",
        SOKU_ERR_INVALID_ARGUMENT => c"invalid_argument",
        SOKU_ERR_CONFIG => c"config",
        SOKU_ERR_API => c"api",
        SOKU_ERR_TRANSPORT => c"transport",
        SOKU_ERR_TIMEOUT => c"timeout",
        SOKU_ERR_DECODE => c"decode",
        SOKU_ERR_PANIC => c"panic",
        _ => c"unknown",
    }
}
