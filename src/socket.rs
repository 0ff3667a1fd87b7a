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
//! The connector and transport interfaces belong to ureq's unversioned API, which is why
//! `Cargo.toml` pins ureq to one exact version.

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

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::io;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use ureq::unversioned::transport::LazyBuffers;

    use super::*;

    /// What the fake socket does on each write and read, and what it saw.
    #[derive(Default)]
    struct Script {
        /// Results of the next writes (`Ok` once the list is empty).
        writes: VecDeque<Result<(), Error>>,
        /// Results of the next reads: bytes that arrive, or an error.
        reads: VecDeque<Result<Vec<u8>, Error>>,
        /// Every write: its bytes and the time it was given.
        seen: Vec<(Vec<u8>, Duration)>,
    }

    #[derive(Debug)]
    struct Fake {
        buffers: LazyBuffers,
        script: Arc<Mutex<Script>>,
    }

    impl std::fmt::Debug for Script {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Script")
        }
    }

    impl Transport for Fake {
        fn buffers(&mut self) -> &mut dyn Buffers {
            &mut self.buffers
        }
        fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
            let bytes = self.buffers.output()[..amount].to_vec();
            let mut script = self.script.lock().unwrap();
            script.seen.push((bytes, *timeout.after));
            script.writes.pop_front().unwrap_or(Ok(()))
        }
        fn await_input(&mut self, _: NextTimeout) -> Result<bool, Error> {
            let next = self.script.lock().unwrap().reads.pop_front();
            match next {
                Some(Ok(bytes)) => {
                    let input = self.buffers.input_append_buf();
                    input[..bytes.len()].copy_from_slice(&bytes);
                    self.buffers.input_appended(bytes.len());
                    Ok(true)
                }
                Some(Err(e)) => Err(e),
                None => Ok(false),
            }
        }
        fn is_open(&mut self) -> bool {
            true
        }
    }

    fn socket(output_size: usize) -> (Socket, Arc<Mutex<Script>>) {
        let script = Arc::new(Mutex::new(Script::default()));
        let fake = Fake {
            buffers: LazyBuffers::new(4096, output_size),
            script: script.clone(),
        };
        (Socket::new(Box::new(fake)), script)
    }

    fn timeout(after: Duration) -> NextTimeout {
        NextTimeout {
            after: UDuration::from(after),
            reason: ureq::Timeout::Global,
            per_read: None,
            per_write: None,
        }
    }

    /// Writes `bytes` the way the layer above does: into the output buffer, then transmit.
    fn write(s: &mut Socket, bytes: &[u8], after: Duration) -> Result<(), Error> {
        s.buffers().output()[..bytes.len()].copy_from_slice(bytes);
        s.transmit_output(bytes.len(), timeout(after))
    }

    fn broken_pipe() -> Error {
        Error::Io(io::Error::from(ErrorKind::BrokenPipe))
    }

    #[test]
    fn large_writes_go_out_in_chunks_in_order_with_the_time_left() {
        let (mut s, script) = socket(3 * CHUNK);
        let body: Vec<u8> = (0..3 * CHUNK - 7).map(|i| (i % 251) as u8).collect();
        write(&mut s, &body, Duration::from_secs(5)).unwrap();
        let seen = std::mem::take(&mut script.lock().unwrap().seen);
        assert_eq!(
            seen.iter().map(|(b, _)| b.len()).collect::<Vec<_>>(),
            [CHUNK, CHUNK, CHUNK - 7]
        );
        let sent: Vec<u8> = seen.iter().flat_map(|(b, _)| b.iter().copied()).collect();
        assert_eq!(sent, body);
        // Each chunk gets the time left until one deadline, never more.
        assert!(seen[0].1 <= Duration::from_secs(5));
        assert!(seen.windows(2).all(|w| w[1].1 <= w[0].1));
        // A small write is one write.
        write(&mut s, b"small", Duration::from_secs(5)).unwrap();
        assert_eq!(script.lock().unwrap().seen.len(), 1);
    }

    #[test]
    fn no_time_left_is_a_timeout_before_the_next_chunk() {
        let (mut s, script) = socket(2 * CHUNK);
        // A deadline so close that it has passed once the first chunk is out.
        let err = write(&mut s, &vec![b'x'; 2 * CHUNK], Duration::from_nanos(1)).unwrap_err();
        assert!(
            matches!(err, Error::Timeout(ureq::Timeout::Global)),
            "{err:?}"
        );
        assert!(script.lock().unwrap().seen.len() <= 1);
    }

    #[test]
    fn an_answer_after_a_failed_write_is_read_and_the_rest_dropped() {
        let (mut s, script) = socket(2 * CHUNK);
        {
            let mut sc = script.lock().unwrap();
            sc.writes.push_back(Ok(()));
            sc.writes.push_back(Err(broken_pipe()));
            sc.reads
                .push_back(Ok(b"HTTP/1.1 413 Payload Too Large\r\n".to_vec()));
        }
        write(&mut s, &vec![b'x'; 2 * CHUNK], Duration::from_secs(5)).unwrap();
        // The rest of the body is dropped, not sent.
        write(&mut s, &vec![b'y'; CHUNK], Duration::from_secs(5)).unwrap();
        assert_eq!(script.lock().unwrap().seen.len(), 2);
        assert!(s.await_input(timeout(Duration::from_secs(5))).unwrap());
        assert!(s.buffers().input().starts_with(b"HTTP/1.1 413"));
        // Never reused.
        assert!(!s.is_open());
    }

    #[test]
    fn no_answer_after_a_failed_write_reports_the_write_error() {
        for read in [
            None,
            Some(Error::Io(io::Error::from(ErrorKind::ConnectionReset))),
        ] {
            let (mut s, script) = socket(CHUNK);
            {
                let mut sc = script.lock().unwrap();
                sc.writes.push_back(Err(broken_pipe()));
                sc.reads.extend(read.map(Err));
            }
            write(&mut s, b"body", Duration::from_secs(5)).unwrap();
            let err = s.await_input(timeout(Duration::from_secs(5))).unwrap_err();
            assert!(
                matches!(&err, Error::Io(e) if e.kind() == ErrorKind::BrokenPipe),
                "{err:?}"
            );
            assert!(!s.is_open());
        }
    }

    #[test]
    fn other_write_errors_pass_through() {
        let (mut s, script) = socket(CHUNK);
        script
            .lock()
            .unwrap()
            .writes
            .push_back(Err(Error::Timeout(ureq::Timeout::Global)));
        let err = write(&mut s, b"body", Duration::from_secs(5)).unwrap_err();
        assert!(matches!(err, Error::Timeout(_)), "{err:?}");
        assert!(s.is_open());
    }
}
