//! Cancellation tokens for long operations (`soku_posts_publish_batch_with_cancel`).

use super::boundary::boundary;
use crate::workflows::CancelToken;

/// A cancellation flag: created by `soku_cancel_token_new`, cancelled from any thread by
/// `soku_cancel_token_cancel`, released by `soku_cancel_token_free`.
pub struct SokuCancelToken {
    pub(crate) token: CancelToken,
}

/// Creates a cancellation token that is not cancelled.
///
/// Returns a new handle, or NULL only if a panic was caught. Ownership: the handle belongs to
/// the caller, who releases it with `soku_cancel_token_free`. Thread safety: safe from any
/// thread.
#[unsafe(no_mangle)]
pub extern "C" fn soku_cancel_token_new() -> *mut SokuCancelToken {
    boundary(
        || {
            Box::into_raw(Box::new(SokuCancelToken {
                token: CancelToken::new(),
            }))
        },
        |_| std::ptr::null_mut(),
    )
}

/// Requests cancellation: an operation running with this token stops at its next check (a
/// batch before its next post, or within 100 ms while it waits for a rate-limit window). Calling
/// it again is a no-op; a token cannot be reset.
///
/// Ownership: `token` is borrowed. NULL: a no-op. Thread safety: safe from any thread, also
/// while another thread runs an operation with the same token (this is its purpose); it must
/// not race with `soku_cancel_token_free` of the same token.
///
/// # Safety
/// `token` must be NULL or a live handle from `soku_cancel_token_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_cancel_token_cancel(token: *const SokuCancelToken) {
    boundary(
        || {
            // SAFETY: NULL or a live handle, as the caller promises.
            if let Some(t) = unsafe { token.as_ref() } {
                t.token.cancel();
            }
        },
        |_| (),
    )
}

/// Frees a token created by `soku_cancel_token_new`.
///
/// The `*_free` contract at the top of `soku.h` (free it after the
/// operation that uses it has returned).
///
/// # Safety
/// `token` must be NULL or a pointer returned by `soku_cancel_token_new` and not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn soku_cancel_token_free(token: *mut SokuCancelToken) {
    boundary(
        || {
            if !token.is_null() {
                // SAFETY: the caller hands back a pointer from Box::into_raw, exactly once.
                drop(unsafe { Box::from_raw(token) });
            }
        },
        |_| (),
    )
}
