//! SIGINT and SIGTERM during `soku batch`: the batch stops before its next post (a wait for
//! the rate-limit window ends within the library's `CANCEL_POLL`, 100 ms; a post in flight
//! finishes), then the command prints what was published and what was not, and exits with
//! 128 + the signal's number (130 for SIGINT, 143 for SIGTERM).
//!
//! Only `batch` installs this: every other command sends at most a few requests and keeps the
//! default action (the process ends at once, as a shell expects).

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use soku::Error;
use soku::workflows::CancelToken;

/// A signal watcher: cancels its [`CancelToken`] on the first SIGINT or SIGTERM and remembers
/// which signal it was. Later signals are taken too (the batch is already stopping).
pub struct Interrupt {
    token: CancelToken,
    signal: Arc<AtomicI32>,
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
        let (t, s) = (token.clone(), Arc::clone(&signal));
        std::thread::Builder::new()
            .name("soku-signals".into())
            .spawn(move || {
                for sig in signals.forever() {
                    let _ = s.compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst);
                    t.cancel();
                }
            })
            .map_err(|e| Error::Config {
                message: format!("cannot start the signal watcher: {e}"),
                param: None,
            })?;
        Ok(Interrupt { token, signal })
    }

    /// The token the batch checks.
    pub fn token(&self) -> CancelToken {
        self.token.clone()
    }

    /// The first signal received, if any: its name and the exit status it maps to.
    pub fn received(&self) -> Option<(&'static str, u8)> {
        match self.signal.load(Ordering::SeqCst) {
            SIGINT => Some(("SIGINT", 130)),
            SIGTERM => Some(("SIGTERM", 143)),
            _ => None,
        }
    }
}
