//! The connections the HTTP agent pools: ureq's own TCP (and TLS) transport, wrapped so that a
//! request costs as few system calls, segments and server wakeups as it can.
//!
//! - **One write per request.** ureq hands a request's head and its body to the transport in two
//!   separate writes. On a `TCP_NODELAY` socket those are two segments (over HTTPS, two TLS
//!   records), two `send`s and two wakeups of the server. [`Connection`] holds the head back (a
//!   copy of a few hundred bytes) and sends it together with the body in one write. Nothing is
//!   delayed past the point where the answer is awaited: waiting for input always sends what is
//!   held first, so a request without a body (a GET) goes out then.
//! - **One liveness probe per reuse.** ureq probes a pooled connection (a non-blocking read: three
//!   system calls) both when it puts the connection back into the pool and when it takes it out.
//!   The first probe right after an answer was read is skipped: the probe at take-out sees the same
//!   things (bytes the server sent past the answer, a connection the server closed) plus whatever
//!   happened while the connection was idle, and no pooled connection is used without it.
//!
//! The transport and connector interfaces belong to ureq's unversioned API, which is why
//! `Cargo.toml` pins ureq to one exact version.

use std::fmt;

use ureq::Error;
use ureq::unversioned::transport::{
    Buffers, ConnectProxyConnector, ConnectionDetails, Connector, NextTimeout, RustlsConnector,
    TcpConnector, Transport,
};

use crate::socket;

/// Largest first write held back to be sent with the next one (16 KiB). A request head is a few
/// hundred bytes; anything larger is sent as it comes.
const HOLD_MAX: usize = 16 * 1024;

/// ureq's connector chain (HTTP `CONNECT` proxy, TCP, TLS) with [`socket::Guard`] between the
/// socket and TLS (bounded writes, early answers), followed by [`OneWrite`]. SOCKS proxies are
/// refused when the client is built, so the chain has no SOCKS step.
pub(crate) fn connector() -> impl Connector<Out = Connection> {
    ().chain(ConnectProxyConnector::default())
        .chain(TcpConnector::default())
        .chain(socket::Guard)
        .chain(RustlsConnector::default())
        .chain(OneWrite)
}

/// Wraps every transport the chain before it opened in a [`Connection`].
#[derive(Debug)]
pub(crate) struct OneWrite;

impl<In: Transport> Connector<In> for OneWrite {
    type Out = Connection;

    fn connect(
        &self,
        _: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Connection>, Error> {
        Ok(chained.map(|t| Connection::new(t.boxed())))
    }
}

/// A transport that sends a request's head with its body, and skips the redundant liveness
/// probe (see the module documentation).
pub(crate) struct Connection {
    inner: Box<dyn Transport>,
    /// The held-back first write of a request (its head); empty when nothing is held.
    held: Vec<u8>,
    /// The next write is the first of a request: it may be held back.
    may_hold: bool,
    /// Input arrived since the last liveness probe: the next probe is the one ureq makes when it
    /// puts the connection back into the pool, and is skipped.
    read_since_probe: bool,
}

impl Connection {
    pub(crate) fn new(inner: Box<dyn Transport>) -> Connection {
        Connection {
            inner,
            held: Vec::new(),
            may_hold: true,
            read_since_probe: false,
        }
    }

    /// Sends what is held back, if anything.
    fn flush(&mut self, timeout: NextTimeout) -> Result<(), Error> {
        if self.held.is_empty() {
            return Ok(());
        }
        let n = self.held.len();
        // ureq's output buffer is never smaller than the held bytes: they came out of it.
        self.inner.buffers().output()[..n].copy_from_slice(&self.held);
        self.held.clear();
        self.inner.transmit_output(n, timeout)
    }

    /// Sends what is held back, then reads through `read`: the next write starts a request, and
    /// the next liveness probe is the one right after an answer.
    fn awaiting_input(
        &mut self,
        timeout: NextTimeout,
        read: impl FnOnce(&mut dyn Transport, NextTimeout) -> Result<bool, Error>,
    ) -> Result<bool, Error> {
        self.flush(timeout)?;
        self.may_hold = true;
        let progress = read(&mut *self.inner, timeout)?;
        self.read_since_probe = true;
        Ok(progress)
    }
}

/// The inner transport only: the held bytes are a request head, which carries the API key.
impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("inner", &self.inner)
            .field("held_bytes", &self.held.len())
            .finish()
    }
}

impl Transport for Connection {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        if std::mem::take(&mut self.may_hold) && amount <= HOLD_MAX {
            // A request's head: sent with the next write, or when the answer is awaited.
            self.held
                .extend_from_slice(&self.inner.buffers().output()[..amount]);
            return Ok(());
        }
        let n = self.held.len();
        if n == 0 {
            return self.inner.transmit_output(amount, timeout);
        }
        let output = self.inner.buffers().output();
        if n + amount <= output.len() {
            // The usual case: head and body in one write.
            output.copy_within(..amount, n);
            output[..n].copy_from_slice(&self.held);
            self.held.clear();
            return self.inner.transmit_output(n + amount, timeout);
        }
        // Head and body do not fit the buffer together: two writes, in order.
        let body = output[..amount].to_vec();
        self.flush(timeout)?;
        self.inner.buffers().output()[..amount].copy_from_slice(&body);
        self.inner.transmit_output(amount, timeout)
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.awaiting_input(timeout, |t, n| t.maybe_await_input(n))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.awaiting_input(timeout, |t, n| t.await_input(n))
    }

    fn is_open(&mut self) -> bool {
        if std::mem::take(&mut self.read_since_probe) {
            // Putting the connection back right after its answer: the probe at take-out decides.
            return true;
        }
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use ureq::unversioned::transport::LazyBuffers;

    use super::*;

    /// What the fake transport saw.
    #[derive(Default)]
    struct Seen {
        writes: Vec<Vec<u8>>,
        probes: usize,
    }

    /// A transport that records every write and probe, and answers reads with nothing.
    #[derive(Debug)]
    struct Fake {
        buffers: LazyBuffers,
        seen: Arc<Mutex<Seen>>,
    }

    impl std::fmt::Debug for Seen {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Seen")
        }
    }

    impl Transport for Fake {
        fn buffers(&mut self) -> &mut dyn Buffers {
            &mut self.buffers
        }
        fn transmit_output(&mut self, amount: usize, _: NextTimeout) -> Result<(), Error> {
            let bytes = self.buffers.output()[..amount].to_vec();
            self.seen.lock().unwrap().writes.push(bytes);
            Ok(())
        }
        fn await_input(&mut self, _: NextTimeout) -> Result<bool, Error> {
            Ok(false)
        }
        fn is_open(&mut self) -> bool {
            self.seen.lock().unwrap().probes += 1;
            true
        }
    }

    /// A [`Connection`] over a [`Fake`] whose output buffer holds `output_size` bytes.
    fn connection(output_size: usize) -> (Connection, Arc<Mutex<Seen>>) {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let fake = Fake {
            buffers: LazyBuffers::new(1024, output_size),
            seen: seen.clone(),
        };
        (Connection::new(Box::new(fake)), seen)
    }

    fn timeout() -> NextTimeout {
        NextTimeout {
            after: ureq::unversioned::transport::time::Duration::Exact(Duration::from_secs(5)),
            reason: ureq::Timeout::Global,
            per_read: None,
            per_write: None,
        }
    }

    /// Writes `bytes` the way ureq does: into the output buffer, then `transmit_output`.
    fn write(c: &mut Connection, bytes: &[u8]) {
        c.buffers().output()[..bytes.len()].copy_from_slice(bytes);
        c.transmit_output(bytes.len(), timeout()).unwrap();
    }

    fn writes(seen: &Mutex<Seen>) -> Vec<Vec<u8>> {
        std::mem::take(&mut seen.lock().unwrap().writes)
    }

    #[test]
    fn head_and_body_go_out_in_one_write() {
        let (mut c, seen) = connection(1024);
        for _ in 0..2 {
            write(
                &mut c,
                b"POST /v1/posts HTTP/1.1\r\ncontent-length: 7\r\n\r\n",
            );
            assert!(writes(&seen).is_empty(), "the head alone is held back");
            write(&mut c, b"{\"a\":1}");
            assert_eq!(
                writes(&seen),
                [b"POST /v1/posts HTTP/1.1\r\ncontent-length: 7\r\n\r\n{\"a\":1}".to_vec()]
            );
            c.await_input(timeout()).unwrap();
            assert!(writes(&seen).is_empty());
        }
    }

    #[test]
    fn a_head_without_body_goes_out_when_the_answer_is_awaited() {
        let (mut c, seen) = connection(1024);
        write(&mut c, b"GET /v1/keys HTTP/1.1\r\n\r\n");
        assert!(writes(&seen).is_empty());
        c.maybe_await_input(timeout()).unwrap();
        assert_eq!(writes(&seen), [b"GET /v1/keys HTTP/1.1\r\n\r\n".to_vec()]);
        // The next request's head is held again.
        write(&mut c, b"GET /v1/keys HTTP/1.1\r\n\r\n");
        assert!(writes(&seen).is_empty());
        c.await_input(timeout()).unwrap();
        assert_eq!(writes(&seen).len(), 1);
    }

    #[test]
    fn only_the_head_is_held_and_order_is_kept() {
        // A body in several writes: the first goes out with the head, the rest as they come.
        let (mut c, seen) = connection(64);
        write(&mut c, b"HEAD-");
        write(&mut c, b"body1-");
        write(&mut c, b"body2");
        assert_eq!(writes(&seen), [b"HEAD-body1-".to_vec(), b"body2".to_vec()]);
        // Head and body that do not fit the buffer together: two writes, in order.
        c.await_input(timeout()).unwrap();
        let body = [b'b'; 60];
        write(&mut c, b"HEAD-");
        write(&mut c, &body);
        assert_eq!(writes(&seen), [b"HEAD-".to_vec(), body.to_vec()]);
    }

    #[test]
    fn a_head_of_16_kib_still_goes_out_with_its_body() {
        // The documented bound (16 KiB, written out rather than `HOLD_MAX`): such a head is held,
        // and goes out with its body in one write when both just fit the buffer together.
        let head = vec![b'h'; 16 * 1024];
        let (mut c, seen) = connection(head.len() + 64);
        write(&mut c, &head);
        assert!(writes(&seen).is_empty(), "a 16 KiB head is held back");
        write(&mut c, &[b'b'; 64]);
        let sent = writes(&seen);
        assert_eq!(sent.len(), 1, "one write, not {}", sent.len());
        assert_eq!(sent[0].len(), head.len() + 64);
        assert!(sent[0].starts_with(&head) && sent[0].ends_with(&[b'b'; 64]));
    }

    #[test]
    fn a_large_first_write_is_not_held() {
        let (mut c, seen) = connection(HOLD_MAX + 10);
        let big = vec![b'h'; HOLD_MAX + 1];
        write(&mut c, &big);
        assert_eq!(writes(&seen), [big]);
    }

    #[test]
    fn the_probe_right_after_an_answer_is_skipped_the_next_one_is_not() {
        let (mut c, seen) = connection(1024);
        // A fresh connection (no answer read yet) is probed.
        assert!(c.is_open());
        assert_eq!(seen.lock().unwrap().probes, 1);
        c.await_input(timeout()).unwrap();
        // Back to the pool right after the answer: skipped.
        assert!(c.is_open());
        assert_eq!(seen.lock().unwrap().probes, 1);
        // Out of the pool: probed.
        assert!(c.is_open());
        assert_eq!(seen.lock().unwrap().probes, 2);
    }

    #[test]
    fn debug_never_shows_the_held_head() {
        let (mut c, _) = connection(1024);
        write(
            &mut c,
            b"POST / HTTP/1.1\r\nsoku-api-key: sk_live_secret\r\n\r\n",
        );
        let debug = format!("{c:?}");
        assert!(!debug.contains("sk_live_secret"), "{debug}");
        assert!(debug.contains("held_bytes"), "{debug}");
    }
}
