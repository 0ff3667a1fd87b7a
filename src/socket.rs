//! The layer right above the socket, below TLS: every write bounded by the attempt's deadline,
//! and a server's early answer kept readable when it stops reading the request.
//!
//! - **Bounded writes.** ureq gives each write a timeout (the time left in the attempt) and sets
//!   it once as the socket's send timeout; the write then loops over `send` calls, and a `send`
//!   that has moved some bytes when that timeout expires returns, and the next one gets the
//!   full timeout again. Against a server that reads slowly (one byte at a time, behind a small
//!   window) a 128 KiB write could so run past the attempt's deadline by as long as it had
//!   already taken. [`Socket`] writes at most [`CHUNK`] bytes per call to the socket below, each
//!   with the time left until the deadline computed afresh, and fails with a timeout once none
//!   is left. An attempt so ends within its `timeout` plus at most the time the server takes to
//!   accept one chunk (17 KiB; the bound documented for a server reading one byte at a time is
//!   250 ms).
//! - **Early answers.** A server may answer (a `413 Payload Too Large`, a `401`) before it has
//!   read the whole body, and close: the next write fails with a broken pipe or a reset, while
//!   the answer sits unread in the socket. [`Socket`] then stops writing (the rest of the
//!   request is dropped, never sent again), reports the write as done, and lets the answer be
//!   read. If no answer can be read, the read fails with the original write error, so the
//!   failure is the connection failure it always was. The connection is never reused.
//!
//! Placed below TLS on purpose: an HTTPS answer can only be decrypted if the TLS layer believes
//! its records were sent, and a bound applied above TLS would not reach the socket's `send`s.

use std::io::ErrorKind;
use std::time::Instant;

use ureq::Error;
use ureq::unversioned::transport::time::Duration as UDuration;
use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

/// Largest write handed to the socket at once: one full TLS record (16 KiB of data plus its
/// framing), so that HTTPS sends each record in one piece.
pub(crate) const CHUNK: usize = 17 * 1024;

/// Wraps the socket transport (TCP, or a proxy tunnel) in a [`Socket`].
#[derive(Debug)]
pub(crate) struct Guard;

impl<In: Transport> Connector<In> for Guard {
    type Out = Socket;

    fn connect(&self, _: &ConnectionDetails, chained: Option<In>) -> Result<Option<Socket>, Error> {
        Ok(chained.map(|t| Socket::new(t.boxed())))
    }
}

/// A socket transport with deadline-bounded writes that keeps an early answer readable (see the
/// module documentation).
#[derive(Debug)]
pub(crate) struct Socket {
    inner: Box<dyn Transport>,
    /// A write failed because the server stopped reading: later writes are dropped and the
    /// connection is never reused.
    write_failed: bool,
    /// That write's error, reported if no answer can be read; `None` once input arrived.
    write_error: Option<Error>,
}

impl Socket {
    pub(crate) fn new(inner: Box<dyn Transport>) -> Socket {
        Socket {
            inner,
            write_failed: false,
            write_error: None,
        }
    }
}

/// A write error that means the server closed (or reset) its side: it may have answered first.
fn server_stopped_reading(e: &Error) -> bool {
    matches!(e, Error::Io(io) if matches!(
        io.kind(),
        ErrorKind::BrokenPipe | ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted
    ))
}

impl Transport for Socket {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        if self.write_failed {
            // The server is gone for writing; its answer, if any, is read next.
            return Ok(());
        }
        let deadline = if timeout.after.is_not_happening() {
            None
        } else {
            Some(Instant::now() + *timeout.after)
        };
        let mut sent = 0;
        while sent < amount {
            let len = (amount - sent).min(CHUNK);
            let mut next = timeout;
            if let Some(deadline) = deadline {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(Error::Timeout(timeout.reason));
                }
                next.after = UDuration::from(left);
            }
            if sent > 0 {
                // The bytes before `sent` are out: move the next chunk to the buffer's start.
                self.inner
                    .buffers()
                    .output()
                    .copy_within(sent..sent + len, 0);
            }
            match self.inner.transmit_output(len, next) {
                Ok(()) => sent += len,
                Err(e) if server_stopped_reading(&e) => {
                    self.write_failed = true;
                    self.write_error = Some(e);
                    return Ok(());
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        let result = self.inner.await_input(timeout);
        match (self.write_error.take(), result) {
            (None, result) => result,
            // An answer is arriving: read it; later failures are the read's own.
            (Some(_), Ok(true)) => Ok(true),
            // Nothing to read after all: the write's failure is the one to report.
            (Some(e), Ok(false) | Err(_)) => Err(e),
        }
    }

    fn is_open(&mut self) -> bool {
        !self.write_failed && self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}
