//! `soku_error_parse` and its getters: the error JSON the library writes read back into fields
//! (what soku.hpp's `soku::Error` is built from), for large, deep and non-ASCII errors from a
//! hostile server on loopback and for hand-made documents; NULL, invalid UTF-8, malformed JSON,
//! wrong member types and a caught panic.

mod ffi_common;

use std::ffi::{CStr, CString, c_char};
use std::ptr;

use ffi_common::*;
use mockito::Server;
use soku::ffi::*;

/// The fields of a parsed handle: (kind, status, code, message, request id, param).
type Read = (
    Option<String>,
    i32,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// One string getter's answer, checking that the length matches the bytes.
fn get(
    getter: unsafe extern "C" fn(*const SokuError, *mut usize) -> *const c_char,
    e: *const SokuError,
) -> Option<String> {
    let mut len = usize::MAX;
    let p = unsafe { getter(e, &mut len) };
    // The length may also be skipped.
    assert_eq!(unsafe { getter(e, ptr::null_mut()) }, p);
    if p.is_null() {
        assert_eq!(len, 0);
        return None;
    }
    let bytes = unsafe { std::slice::from_raw_parts(p.cast::<u8>(), len + 1) };
    assert_eq!(bytes[len], 0, "NUL-terminated");
    Some(String::from_utf8(bytes[..len].to_vec()).expect("utf-8"))
}

fn read(e: *const SokuError) -> Read {
    (
        get(soku_error_kind, e),
        unsafe { soku_error_status(e) },
        get(soku_error_code, e),
        get(soku_error_message, e),
        get(soku_error_request_id, e),
        get(soku_error_param, e),
    )
}

/// `soku_error_parse` of raw bytes (NULL for `None`): the status and the handle's fields.
fn parse_raw(json: Option<&[u8]>) -> (i32, Read) {
    let json = json.map(|j| CString::new(j).unwrap());
    let mut handle = ptr::NonNull::<SokuError>::dangling().as_ptr();
    let status = unsafe {
        soku_error_parse(
            json.as_ref().map_or(ptr::null(), |j| j.as_ptr()),
            &mut handle,
        )
    };
    assert!(!handle.is_null(), "a handle on every path but a panic");
    let fields = read(handle);
    unsafe { soku_error_free(handle) };
    (status, fields)
}

fn parse(json: &str) -> Read {
    let (status, fields) = parse_raw(Some(json.as_bytes()));
    assert_eq!(status, SOKU_OK, "{json}: {fields:?}");
    fields
}

fn s(text: &str) -> Option<String> {
    Some(text.to_owned())
}

/// A failed parse: status, kind invalid_argument, param error_json and the reason.
fn assert_refused(json: Option<&[u8]>, reason: &str) {
    let (status, (kind, http, code, message, request_id, param)) = parse_raw(json);
    assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT, "{json:?}");
    assert_eq!(kind.as_deref(), Some("invalid_argument"));
    assert_eq!((http, code, request_id), (0, None, None));
    assert_eq!(param.as_deref(), Some("error_json"));
    let message = message.unwrap();
    assert!(message.contains(reason), "{message:?} lacks {reason:?}");
}

/// The library's own error JSON for a hostile 4xx answer: large, deep, non-ASCII.
#[test]
fn the_library_error_json_reads_back_whole() {
    let nest = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
    let cases = [
        (
            "large".to_owned(),
            format!(
                r#"{{"pad": "{}", "list": {}}}"#,
                "é".repeat(300_000),
                nest(60)
            ),
            "large message ".repeat(5000),
        ),
        ("deep".to_owned(), nest(100_000), "deep".to_owned()),
        (
            "non-ascii".to_owned(),
            r#"{"field": "post.content.text"}"#.to_owned(),
            "texte refusé: 😀 \\u0000 nul \\ud83d cut, \\\" quote".to_owned(),
        ),
    ];
    let mut server = Server::new();
    let client = client(&fast_config(&server.url(), "sk_live_test", "tok"));
    for (what, details, message) in cases {
        let body = format!(
            r#"{{"error": {{"code": "validation_error", "message": "{message}", "requestId": "req_é_1", "details": {details}}}}}"#
        );
        let m = server
            .mock("POST", "/v1/posts")
            .with_status(422)
            .with_body(body)
            .expect(1)
            .create();
        let request =
            CString::new(r#"{"post": {"content": {"text": "hi", "platform": ["x"]}}}"#).unwrap();
        let mut out = ptr::null_mut();
        let status =
            unsafe { soku_posts_create(client.ptr(), request.as_ptr(), ptr::null(), &mut out) };
        m.assert();
        assert_eq!(status, SOKU_ERR_API, "{what}");
        let json = unsafe { CStr::from_ptr(out) }.to_owned();
        unsafe { soku_string_free(out) };
        let (status, fields) = parse_raw(Some(json.as_bytes()));
        assert_eq!(status, SOKU_OK, "{what}");
        let expected_message = match what.as_str() {
            "non-ascii" => "texte refusé: 😀 \u{0} nul \u{fffd} cut, \" quote".to_owned(),
            _ => message,
        };
        assert_eq!(
            fields,
            (
                s("api"),
                422,
                s("validation_error"),
                Some(expected_message),
                s("req_é_1"),
                None
            ),
            "{what}"
        );
        m.remove();
    }
}

/// Documents that are not the library's own but valid error JSON: any depth and size of the
/// members the getters do not read, any order, nulls.
#[test]
fn any_valid_error_json_is_read() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let json = format!(
        r#"{{"meta": {deep}, "error": {{"details": {deep}, "retryAfter": 1.5, "param": "post.content.text", "message": "m", "status": 400, "code": null, "requestId": null, "kind": "invalid_argument", "x": {{"y": "\ud83d"}}}}}}"#
    );
    assert_eq!(
        parse(&json),
        (
            s("invalid_argument"),
            400,
            None,
            s("m"),
            None,
            s("post.content.text")
        )
    );
    assert_eq!(
        parse(r#"{"error": {"kind": "panic", "message": "lone \ud83d"}}"#),
        (s("panic"), 0, None, s("lone \u{fffd}"), None, None)
    );
}

#[test]
fn null_invalid_utf8_malformed_and_wrong_types_are_refused_with_the_reason() {
    assert_refused(None, "error_json is null");
    assert_refused(
        Some(b"{\"error\": {\"kind\": \"api\xff\"}}"),
        "not valid utf-8",
    );
    for (json, reason) in [
        ("", "EOF while parsing"),
        ("{", "EOF while parsing"),
        ("not json", "expected ident"),
        (
            r#"{"error": {"kind": "api"}} trailing"#,
            "trailing characters",
        ),
        ("[]", "invalid length 0"),
        ("{}", "missing field `error`"),
        (r#"{"error": []}"#, "at error"),
        (r#"{"error": {}}"#, "missing field `kind`"),
        (r#"{"error": {"kind": null}}"#, "at error.kind"),
        (r#"{"error": {"kind": "api", "code": 5}}"#, "at error.code"),
        (
            r#"{"error": {"kind": "api", "status": "400"}}"#,
            "at error.status",
        ),
        (
            r#"{"error": {"kind": "api", "status": 70000}}"#,
            "at error.status",
        ),
        (
            r#"{"error": {"kind": "api", "status": -1}}"#,
            "at error.status",
        ),
        (
            r#"{"error": {"kind": "api", "message": ["m"]}}"#,
            "at error.message",
        ),
        (
            r#"{"error": {"kind": "api", "requestId": {}}}"#,
            "at error.requestId",
        ),
        (
            r#"{"error": {"kind": "api", "param": true}}"#,
            "at error.param",
        ),
    ] {
        assert_refused(Some(json.as_bytes()), reason);
    }
}

#[test]
fn null_handles_and_out_pointers() {
    // NULL out_error: refused, nothing written.
    let status = unsafe { soku_error_parse(c"{}".as_ptr(), ptr::null_mut()) };
    assert_eq!(status, SOKU_ERR_INVALID_ARGUMENT);
    // NULL handle: every getter answers NULL / 0; freeing NULL is a no-op.
    assert_eq!(read(ptr::null()), (None, 0, None, None, None, None));
    unsafe { soku_error_free(ptr::null_mut()) };
}

#[test]
fn a_panic_stores_null() {
    __force_panic_in_next_call();
    let mut handle = ptr::NonNull::<SokuError>::dangling().as_ptr();
    let status = unsafe { soku_error_parse(c"{}".as_ptr(), &mut handle) };
    assert_eq!(status, SOKU_ERR_PANIC);
    assert!(handle.is_null());
    // The getters and free fall back to safe answers too.
    __force_panic_in_next_call();
    assert!(unsafe { soku_error_kind(ptr::null(), ptr::null_mut()) }.is_null());
    __force_panic_in_next_call();
    assert_eq!(unsafe { soku_error_status(ptr::null()) }, 0);
    __force_panic_in_next_call();
    unsafe { soku_error_free(ptr::null_mut()) };
    assert_eq!(parse(r#"{"error": {"kind": "api"}}"#).0, s("api"));
}
