//! A watchdog for tests that wait: the body runs on its own thread, and the test fails as soon
//! as `limit` has passed without it finishing, so a broken cap or a cancellation that is not
//! observed fails in seconds instead of hanging the run. (The abandoned thread is left behind;
//! the test binary's exit ends it.)
#![allow(dead_code)]

use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Runs `body` and returns its result, panicking if it has not finished within `limit`. A
/// panic in `body` (a failed assertion) is passed on as is.
pub fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    body: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    let started = Instant::now();
    let handle = std::thread::Builder::new()
        .name(format!("watched: {what}"))
        .spawn(move || {
            let _ = tx.send(body());
        })
        .expect("spawn the watched thread");
    match rx.recv_timeout(limit) {
        Ok(value) => {
            let _ = handle.join();
            value
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the watched thread ended without a result"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => panic!(
            "watchdog: {what} had not finished after {:?} (bound {limit:?})",
            started.elapsed()
        ),
    }
}

/// Asserts `elapsed <= bound`, naming the bound.
pub fn assert_within(elapsed: Duration, bound: Duration, what: &str) {
    assert!(
        elapsed <= bound,
        "{what}: took {elapsed:?}, the bound is {bound:?}"
    );
}
