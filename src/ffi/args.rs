//! The one NULL-check helper and the C string reader built on it.

use std::ffi::{CStr, c_char};

use crate::Error;

/// Returns `Ok(ptr)` if `ptr` is not NULL, else an invalid-argument error naming the parameter.
pub(crate) fn non_null<T>(ptr: *const T, name: &str) -> Result<*const T, Error> {
    if ptr.is_null() {
        Err(Error::invalid_param(name, format!("{name} is null")))
    } else {
        Ok(ptr)
    }
}

/// Reads a required NUL-terminated UTF-8 string argument.
///
/// # Safety
/// `ptr` must be NULL or point to a NUL-terminated string that stays valid for `'a`.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Error> {
    let ptr = non_null(ptr, name)?;
    // SAFETY: non-NULL, and the caller promises a NUL-terminated string valid for 'a.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes
        .to_str()
        .map_err(|_| Error::invalid_param(name, format!("{name} is not valid utf-8")))
}

/// Reads an optional string argument: NULL is `None`.
///
/// # Safety
/// As for [`str_arg`].
pub(crate) unsafe fn opt_str_arg<'a>(
    ptr: *const c_char,
    name: &str,
) -> Result<Option<&'a str>, Error> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded from the caller.
        unsafe { str_arg(ptr, name) }.map(Some)
    }
}
