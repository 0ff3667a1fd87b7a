//! SIGINT and SIGTERM during `soku batch`: the batch stops before its next post (a wait for
//! the rate-limit window ends within the library's `CANCEL_POLL`, 100 ms; a post in flight
//! finishes), then the command prints what was published and what was not, and exits with
//! 128 + the signal's number (130 for SIGINT, 143 for SIGTERM).
//!
//! A signal that arrives before the batch starts (while the input is read, e.g. from a terminal
//! that never sends end-of-file) ends the command at once with that status: nothing was sent.
//!
//! Only `batch` installs this: every other command sends at most a few requests and keeps the
//! default action (the process ends at once, as a shell expects).

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, AtomicU8, Ordering};

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use soku::Error;
use soku::workflows::CancelToken;

/// A signal watcher: cancels its [`CancelToken`] on the first SIGINT or SIGTERM and remembers
/// which signal it was. Later signals are taken too (the batch is already stopping).
pub struct Interrupt {
    token: CancelToken,
    signal: Arc<AtomicI32>,
    stage: Arc<AtomicU8>,
}

/// Reading the input: a signal ends the process.
const READING: u8 = 0;
/// The batch may send: a signal cancels it.
const SENDING: u8 = 1;
/// A signal came while reading: the process is ending.
const ENDING: u8 = 2;

/// The exit status of a signal: 128 + its number.
fn status_of(sig: i32) -> u8 {
    u8::try_from(128 + sig).unwrap_or(u8::MAX)
}

impl Interrupt {
    /// Installs the handlers (they stay for the life of the process) and the thread that
    /// watches them.
    pub fn install() -> Result<Interrupt, Error> {
        let mut signals = Signals::new([SIGINT, SIGTERM]).map_err(|e| Error::Config {
            message: format!("cannot install the signal handlers: {e}"),
            param: None,
        })?;
        let token = CancelToken::new();
        let signal = Arc::new(AtomicI32::new(0));
        let stage = Arc::new(AtomicU8::new(READING));
        let (t, s, st) = (token.clone(), Arc::clone(&signal), Arc::clone(&stage));
        std::thread::Builder::new()
            .name("soku-signals".into())
            .spawn(move || {
                for sig in signals.forever() {
                    let _ = s.compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst);
                    t.cancel();
                    if st
                        .compare_exchange(READING, ENDING, Ordering::SeqCst, Ordering::SeqCst)
                        .is_ok()
                    {
                        let name = if sig == SIGINT { "SIGINT" } else { "SIGTERM" };
                        crate::output::err_line(&format!(
                            "soku: interrupted by {name} before the batch started: nothing was sent"
                        ));
                        std::process::exit(i32::from(status_of(sig)));
                    }
                }
            })
            .map_err(|e| Error::Config {
                message: format!("cannot start the signal watcher: {e}"),
                param: None,
            })?;
        Ok(Interrupt {
            token,
            signal,
            stage,
        })
    }

    /// Called once the input is read, right before the batch: from now on a signal cancels the
    /// batch instead of ending the process. Returns `false` when a signal already ended it
    /// (the caller must send nothing).
    pub fn start_sending(&self) -> bool {
        self.stage
            .compare_exchange(READING, SENDING, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }

    /// The token the batch checks.
    pub fn token(&self) -> CancelToken {
        self.token.clone()
    }

    /// The first signal received, if any: its name and the exit status it maps to.
    pub fn received(&self) -> Option<(&'static str, u8)> {
        match self.signal.load(Ordering::SeqCst) {
            SIGINT => Some(("SIGINT", status_of(SIGINT))),
            SIGTERM => Some(("SIGTERM", status_of(SIGTERM))),
            _ => None,
        }
    }
}
