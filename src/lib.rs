//! `soku`: a blocking client for the Soku social-publishing API.
#![deny(missing_docs)]

pub mod ffi;
pub mod workflows;
