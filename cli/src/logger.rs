//! `-v`: prints the library's per-attempt events (target `soku`) to stderr.
//!
//! A dozen lines of our own rather than env_logger: the CLI needs one target at one level, on
//! stderr, and no filter syntax, colours or timestamps (env_logger would add a regex engine).
//! The library's events never carry a header, body or credential.

use log::{Level, LevelFilter, Log, Metadata, Record};

struct Stderr;

impl Log for Stderr {
    fn enabled(&self, m: &Metadata<'_>) -> bool {
        m.level() <= Level::Debug && m.target().starts_with("soku")
    }

    fn log(&self, record: &Record<'_>) {
        if self.enabled(record.metadata()) {
            crate::output::err_line(&format!("soku: {}", record.args()));
        }
    }

    fn flush(&self) {}
}

/// Installs the logger (once; a second call does nothing).
pub fn init() {
    if log::set_logger(&Stderr).is_ok() {
        log::set_max_level(LevelFilter::Debug);
    }
}
