//! The event callback (`soku_set_log_callback`) and the batch progress callback type.
//!
//! Why one process-wide callback rather than one per client: the events form one stream for the
//! whole library, as Rust's `log` facade and Python's `logging.getLogger("soku")` are
//! process-wide; a program registers its logger once, and events of every client (including
//! ones a language binding created) reach it, and a callback can be set before any client
//! exists. (libcurl's `CURLOPT_DEBUGFUNCTION` is per handle because curl's handles carry their
//! own connection state; soku's events name their request, so nothing is lost.)

use std::ffi::{CString, c_char, c_void};

use super::boundary::boundary;
use super::status::{SOKU_ERR_INVALID_ARGUMENT, SOKU_OK};
use crate::events::{self, Level};

/// No events (the callback is removed).
pub const SOKU_LOG_OFF: i32 = 0;
/// Errors (reserved: no event uses it yet).
pub const SOKU_LOG_ERROR: i32 = 1;
/// Warnings (reserved: no event uses it yet).
pub const SOKU_LOG_WARN: i32 = 2;
/// Waits, 429s and batch items: `retry_wait`, `rate_limited`, `batch_item`.
pub const SOKU_LOG_INFO: i32 = 3;
/// Every HTTP attempt (`attempt`), and everything at `SOKU_LOG_INFO`.
pub const SOKU_LOG_DEBUG: i32 = 4;

/// The event callback: `level` is one of `SOKU_LOG_ERROR` … `SOKU_LOG_DEBUG`, `json_line` one
/// event as a single-line JSON object, valid only during the call (copy it to keep it). See
/// `soku_set_log_callback`.
pub type SokuLogCallback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, level: i32, json_line: *const c_char)>;

/// The caller's `user_data`, handed back to the callback as is.
struct UserData(*mut c_void);
// SAFETY: the pointer is only passed back to the caller's callback, from whichever thread emits
// an event; `soku_set_log_callback` documents that the callback and its data must be usable
// from any thread.
unsafe impl Send for UserData {}
// SAFETY: as above; the library never dereferences it.
unsafe impl Sync for UserData {}

/// Registers the process-wide event callback (or removes it).
///
/// Every event of level at most `min_level` (`SOKU_LOG_INFO`: waits, 429s, batch items;
/// `SOKU_LOG_DEBUG`: also every HTTP attempt) is passed to `callback(user_data, level,
/// json_line)`, from every client in the process. `json_line` is one JSON object on one line:
/// `{"level": "debug"|"info", "event": "attempt"|"retry_wait"|"rate_limited"|"batch_item",
/// "message": "<the line the Rust log crate prints>", "method", "path", "attempt", "status",
/// "error", "requestId", "idempotencyKey", "rateLimitRemaining", "rateLimitLimit", "waitMs",
/// "index", "total", "ok", "id", "code"}` (fields that do not apply are left out). It never
/// holds a credential, header or body. With no callback registered (the default) no event is
/// built: the cost is one atomic load per event.
///
/// `callback` NULL or `min_level` `SOKU_LOG_OFF` removes the callback. A new registration
/// replaces the previous one. Returns `SOKU_OK`, or `SOKU_ERR_INVALID_ARGUMENT` for a
/// `min_level` outside `SOKU_LOG_OFF` … `SOKU_LOG_DEBUG` (nothing changed).
///
/// Ownership: the library keeps `callback` and `user_data` (see Lifetime) and owns every
/// `json_line` it passes. NULL: see above (`callback` NULL removes the callback; `user_data` may
/// be NULL, it is passed through as is).
///
/// Threads: the callback runs synchronously on the thread that makes the request, so it is
/// called from several threads at once when several threads use the library; it must be
/// thread-safe, and a slow callback slows only the call that emits the event (no lock is held
/// while it runs). It may call any soku function, including operations on other clients and
/// `soku_set_log_callback` itself; events caused by such calls while it runs on that thread are
/// not delivered to it (no recursion).
///
/// Lifetime: `user_data` is borrowed until the callback is replaced or removed. Once
/// `soku_set_log_callback` returns, the previous callback is no longer running on any other
/// thread and will not be called again (the call waits for running invocations), so its
/// `user_data` may then be freed; when called from inside the callback it cannot wait for
/// itself, and other threads may still be finishing their invocation.
///
/// # Safety
/// `callback` must be NULL or a function safe to call from any thread with `user_data` until it
/// is replaced or removed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_set_log_callback(
    callback: SokuLogCallback,
    user_data: *mut c_void,
    min_level: i32,
) -> i32 {
    boundary(
        || {
            let Ok(level) = u8::try_from(min_level) else {
                return SOKU_ERR_INVALID_ARGUMENT;
            };
            if min_level > SOKU_LOG_DEBUG {
                return SOKU_ERR_INVALID_ARGUMENT;
            }
            let (Some(cb), true) = (callback, level > 0) else {
                events::set_listener(None, 0);
                return SOKU_OK;
            };
            let data = UserData(user_data);
            events::set_listener(
                Some(Box::new(move |level: Level, line: &str| {
                    let data = &data;
                    // JSON text never holds a NUL byte (serde_json escapes U+0000).
                    if let Ok(line) = CString::new(line) {
                        // SAFETY: the caller promised the callback is callable from any thread
                        // with `user_data`; the line lives for the call.
                        unsafe { cb(data.0, level as i32, line.as_ptr()) };
                    }
                })),
                level,
            );
            SOKU_OK
        },
        |_| super::status::SOKU_ERR_PANIC,
    )
}

/// One finished post of a batch, as `soku_posts_publish_batch_with_progress` hands it to its
/// progress callback. Every pointer is owned by the library and valid only during the
/// callback (copy what you keep).
#[repr(C)]
pub struct SokuBatchProgress {
    /// Position of the post in the request's `posts`.
    pub index: usize,
    /// Number of posts in the batch.
    pub total: usize,
    /// Whether the post was accepted.
    pub ok: bool,
    /// The accepted post's `postSubmissionId`; NULL when `ok` is false.
    pub post_submission_id: *const c_char,
    /// Why the post failed (the error's message); NULL when `ok` is true.
    pub error_message: *const c_char,
    /// How long the batch will wait for the rate-limit window before sending the next post, in
    /// milliseconds (0: no wait, or this was the last post).
    pub next_wait_ms: u64,
    /// The item as JSON, with the fields of an entry of the final result's `results`.
    pub item_json: *const c_char,
}

/// The progress callback of `soku_posts_publish_batch_with_progress`: called once per post as
/// it finishes, on the thread running the batch; return true to go on, false to stop the batch
/// before its next post.
pub type SokuProgressCallback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, item: *const SokuBatchProgress) -> bool>;
