//! The client handle and the lifecycle exports: version, status names, client, strings.

use std::ffi::{CStr, CString, c_char};
use std::ptr;

use serde_json::json;

use super::args::{non_null, opt_str_arg};
use super::boundary::{boundary, with_out_json};
use super::config::{client_builder, localize};
use super::json::{failure, success_without_meta};
use super::status::status_name;
use crate::Client;

/// An opaque client handle: one configured client with its keep-alive connection pool.
///
/// Created by `soku_client_new`, released by `soku_client_free`. Operations take a
/// `const SokuClient *` and may be called from any number of threads at once.
pub struct SokuClient {
    pub(crate) client: Client,
    /// How its error messages name options (the config key `optionNames`).
    pub(crate) names: crate::options::Names,
}

const VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(v) => v,
        Err(_) => panic!("the crate version contains a nul byte"),
    };

/// Returns the library version, e.g. `"0.1.0"` (the same text as `SOKU_VERSION_STRING`).
///
/// Ownership: the string is static; never free it. Thread safety: safe from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn soku_version() -> *const c_char {
    boundary(|| VERSION.as_ptr(), |_| VERSION.as_ptr())
}

/// Returns the name of a status: `"ok"` for `SOKU_OK`, else the error kind it stands for
/// (`"invalid_argument"`, `"config"`, `"api"`, `"transport"`, `"timeout"`, `"decode"`,
/// `"panic"`), or `"unknown"` for any other number.
///
/// Ownership: the string is static; never free it. Thread safety: safe from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn soku_status_str(status: i32) -> *const c_char {
    boundary(|| status_name(status).as_ptr(), |_| c"unknown".as_ptr())
}

/// Creates a client from a JSON configuration object.
///
/// `config_json`: NULL (same as `{}`) or an object with any of these keys (a `null` value counts
/// as absent; unknown keys and wrong types are rejected with `SOKU_ERR_INVALID_ARGUMENT`):
///
/// - `apiKey` (string): default `SOKU_API_KEY`, else none (content calls then fail with
///   `SOKU_ERR_CONFIG` before any I/O);
/// - `baseUrl` (string): default `SOKU_BASE_URL`, else `"https://api.mysoku.io"`;
/// - `firebaseToken` (string): default `SOKU_FIREBASE_TOKEN`, else none;
/// - `timeoutMs` (default 30000), `connectTimeoutMs` (default 10000), `maxRetryWaitMs`
///   (default 60000), `backoffBaseMs` (default 1000): integers of milliseconds, at most 24 h
///   (a zero timeout or one above 24 h is `SOKU_ERR_CONFIG`: there is no infinite timeout);
/// - `maxRetries` (integer 0 to 10, default 3; 0 disables retrying);
/// - `userAgent` (string, sent verbatim; default `"soku-rust/<version> soku-c/<version>"`);
/// - `allowInsecureHttp` (boolean, default false: `http://` only for loopback hosts);
/// - `validateScheduledTime` (boolean, default true: `scheduledTime` checked client-side);
/// - `proxy` (string, default none): an `http://` or `https://` proxy URL for every request,
///   optionally with `user:password@` (never shown in messages); a `socks…://` URL is
///   `SOKU_ERR_CONFIG`; `proxyFromEnv` (boolean, default false): when no `proxy` is given, take
///   it from `HTTPS_PROXY`, else `https_proxy` (otherwise the proxy variables are ignored);
/// - `caFile` (string, default none): path of a PEM file of CA certificates trusted for HTTPS
///   *instead of* the default roots; `caPem` (string, default none): the same as PEM text; an
///   unreadable file, text without a certificate, or a certificate that does not parse as X.509
///   (corrupt or truncated) is `SOKU_ERR_CONFIG` here, with param `caFile` / `caPem`;
/// - `tlsTrust` (string, default `"webpki"`: Mozilla's root certificates compiled into the
///   library; `"os"`: the operating system's trust store; cannot be combined with `caFile` /
///   `caPem`);
/// - `fromEnv` (boolean, default true): `false` reads nothing from the environment, so absent
///   keys take the library defaults;
/// - `optionNames` (string, default `"c"`): how error messages name the option at fault,
///   for bindings whose users know other names: `"c"` (`"apiKey"`), `"python"` (`api_key=`),
///   `"rust"`, `"cli"`. The error's `param` is always the config key.
///
/// `userAgent`, `apiKey`, `firebaseToken` and `baseUrl` travel in each request's head: each is
/// at most 8192 bytes (a longer one is `SOKU_ERR_CONFIG` naming the key; the same bound holds for
/// the per-call `firebaseToken` and for an id put into a path).
///
/// On success returns `SOKU_OK`, stores a new handle in `*out_client` and writes
/// `{"data": {"baseUrl": "...", "version": "..."}, "meta": null}` to `*out_json`. On failure
/// returns the error status (`SOKU_ERR_INVALID_ARGUMENT` for bad JSON, `SOKU_ERR_CONFIG` for
/// an unusable configuration), stores NULL in `*out_client` and writes the error JSON.
///
/// Ownership: `config_json` is borrowed for the call. The handle belongs to the caller, who
/// releases it with `soku_client_free`; the string in `*out_json` belongs to the caller, who
/// releases it with `soku_string_free`.
///
/// NULL: `out_json` NULL returns `SOKU_ERR_INVALID_ARGUMENT`, stores NULL in `*out_client` (when
/// `out_client` is not NULL) and writes nothing else; `out_client` NULL returns
/// `SOKU_ERR_INVALID_ARGUMENT` with an error JSON.
///
/// Thread safety: safe from any thread, with one POSIX caveat: unless `"fromEnv": false` is
/// given, it reads `SOKU_API_KEY`, `SOKU_BASE_URL` and `SOKU_FIREBASE_TOKEN` with `getenv`,
/// which is not safe while another thread of the host calls `setenv`, `putenv` or `unsetenv`.
/// A host that changes its environment from other threads passes `"fromEnv": false` (and the
/// credentials as keys).
///
/// # Safety
/// `config_json` must be NULL or a NUL-terminated string; `out_client` and `out_json` must be
/// NULL or valid for one pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_client_new(
    config_json: *const c_char,
    out_client: *mut *mut SokuClient,
    out_json: *mut *mut c_char,
) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe {
        // *out_client is NULL on every failure path: a NULL out_json and a panic included.
        if !out_client.is_null() {
            out_client.write(ptr::null_mut());
        }
        with_out_json(out_json, || {
            let built = non_null(out_client, "out_client")
                .and_then(|_| opt_str_arg(config_json, "config_json"))
                .and_then(|config| {
                    let (names, builder) = client_builder(config);
                    let client = builder?.build().map_err(|e| localize(e, names))?;
                    Ok((client, names))
                });
            match built {
                Ok((client, names)) => {
                    let outcome = success_without_meta(
                        json!({ "baseUrl": client.base_url(), "version": crate::VERSION }),
                    );
                    out_client.write(Box::into_raw(Box::new(SokuClient { client, names })));
                    outcome
                }
                Err(err) => failure(&err),
            }
        })
    }
}

/// Frees a client created by `soku_client_new`.
///
/// Ownership: takes ownership of `client`; the pointer is invalid afterwards.
/// NULL: a no-op.
/// Thread safety: must not race with any other call using the same client (free it after every
/// thread is done with it); freeing different clients concurrently is fine.
///
/// # Safety
/// `client` must be NULL or a pointer returned by `soku_client_new` and not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_client_free(client: *mut SokuClient) {
    boundary(
        || {
            if !client.is_null() {
                // SAFETY: the caller hands back a pointer from Box::into_raw, exactly once.
                drop(unsafe { Box::from_raw(client) });
            }
        },
        |_| (),
    )
}

/// Frees a string returned by the library (every `*out_json`).
///
/// Ownership: takes ownership of `s`; the pointer is invalid afterwards.
/// NULL: a no-op.
/// Thread safety: safe from any thread (a string may be freed on another thread than the one
/// that received it).
///
/// # Safety
/// `s` must be NULL or a string returned by this library and not yet freed; never pass the
/// static strings of `soku_version` or `soku_status_str`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_string_free(s: *mut c_char) {
    boundary(
        || {
            if !s.is_null() {
                // SAFETY: the caller hands back a pointer from CString::into_raw, exactly once.
                drop(unsafe { CString::from_raw(s) });
            }
        },
        |_| (),
    )
}
