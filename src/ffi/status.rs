//! Status numbers: one per error kind, explicit, never reused.

use std::ffi::CStr;

use crate::error::ErrorKind;

/// Success.
pub const SOKU_OK: i32 = 0;
/// The caller's input was rejected before anything was changed: a NULL pointer, invalid UTF-8,
/// malformed JSON, a wrong field type, an unknown key or failed client-side validation (nothing
/// sent), or a rotation's `oldKeyId` missing from the key list or not active (only the list read).
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

/// Every error kind with its status number: the one mapping both directions read (the name is
/// [`ErrorKind::as_str`]). A panic is C-only: `SOKU_ERR_PANIC`, kind `"panic"`.
const KINDS: [(ErrorKind, i32); 6] = [
    (ErrorKind::InvalidArgument, SOKU_ERR_INVALID_ARGUMENT),
    (ErrorKind::Config, SOKU_ERR_CONFIG),
    (ErrorKind::Api, SOKU_ERR_API),
    (ErrorKind::Transport, SOKU_ERR_TRANSPORT),
    (ErrorKind::Timeout, SOKU_ERR_TIMEOUT),
    (ErrorKind::Decode, SOKU_ERR_DECODE),
];

/// The status number of an error kind.
pub(crate) fn status_of_kind(kind: ErrorKind) -> i32 {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(SOKU_ERR_PANIC, |(_, status)| *status)
}

/// The `kind` string of a status (the same word as the error JSON's `kind`).
pub(crate) fn status_name(status: i32) -> &'static CStr {
    match status {
        SOKU_OK => c"ok",
        SOKU_ERR_PANIC => c"panic",
        _ => KINDS
            .iter()
            .find(|(_, s)| *s == status)
            .map_or(c"unknown", |(kind, _)| kind.as_c_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_statuses_round_trip() {
        for (kind, status) in KINDS {
            assert_eq!(status_of_kind(kind), status);
            assert_eq!(status_name(status).to_str().unwrap(), kind.as_str());
        }
        assert_eq!(status_name(SOKU_ERR_PANIC), c"panic");
        assert_eq!(status_name(-99), c"unknown");
    }
}
