//! The sandbox's TCP front: accepts connections itself and relays each one to the inner
//! tiny_http server over its own loopback connection.
//!
//! tiny_http parses HTTP but gives no handle on the socket. Owning the accepted socket lets the
//! sandbox count TCP connections exactly, know each client's real address (for the loopback-only
//! control API) and close a connection without answering (the `drop` fault). Each relayed
//! connection is identified by the local address of its inner socket, which is what tiny_http
//! reports as the request's remote address.

use std::collections::HashMap;
use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};

/// One relayed client connection.
struct Relay {
    id: u64,
    peer: SocketAddr,
    outer: TcpStream,
    inner: TcpStream,
}

/// The live relays, keyed by the local address of the inner socket.
#[derive(Default)]
pub(crate) struct ConnTable {
    relays: Mutex<HashMap<SocketAddr, Relay>>,
    next_id: AtomicU64,
    accepted: AtomicUsize,
}

/// Locks a mutex, ignoring poisoning (a panicked handler must not stop the sandbox).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl ConnTable {
    /// TCP connections accepted since start (or the last [`ConnTable::reset_count`]).
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Sets the accepted count back to zero.
    pub fn reset_count(&self) {
        self.accepted.store(0, Ordering::SeqCst);
    }

    /// The connection id and client address behind an inner socket address.
    pub fn lookup(&self, inner_addr: &SocketAddr) -> Option<(u64, SocketAddr)> {
        lock(&self.relays).get(inner_addr).map(|r| (r.id, r.peer))
    }

    /// Closes the client connection behind `inner_addr` without a response.
    pub fn sever(&self, inner_addr: &SocketAddr) {
        if let Some(r) = lock(&self.relays).remove(inner_addr) {
            let _ = r.outer.shutdown(Shutdown::Both);
            let _ = r.inner.shutdown(Shutdown::Both);
        }
    }

    /// Closes every relayed connection.
    pub fn sever_all(&self) {
        for (_, r) in lock(&self.relays).drain() {
            let _ = r.outer.shutdown(Shutdown::Both);
            let _ = r.inner.shutdown(Shutdown::Both);
        }
    }

    fn open(
        &self,
        outer: TcpStream,
        peer: SocketAddr,
        inner_addr: SocketAddr,
    ) -> io::Result<(TcpStream, TcpStream, SocketAddr)> {
        let inner = TcpStream::connect(inner_addr)?;
        outer.set_nodelay(true)?;
        inner.set_nodelay(true)?;
        let local = inner.local_addr()?;
        let relay = Relay {
            id: self.next_id.fetch_add(1, Ordering::SeqCst),
            peer,
            outer: outer.try_clone()?,
            inner: inner.try_clone()?,
        };
        lock(&self.relays).insert(local, relay);
        self.accepted.fetch_add(1, Ordering::SeqCst);
        Ok((outer, inner, local))
    }
}

/// Copies `from` into `to` until EOF or an error, then half-closes `to`.
fn pump(mut from: TcpStream, mut to: TcpStream) {
    let _ = io::copy(&mut from, &mut to);
    let _ = to.shutdown(Shutdown::Write);
}

/// Starts the accept loop on `listener`, relaying to `inner_addr`. It stops when `stop` is set
/// and one more connection arrives (see [`wake`]).
pub(crate) fn start_front(
    listener: TcpListener,
    inner_addr: SocketAddr,
    table: Arc<ConnTable>,
    stop: Arc<AtomicBool>,
) -> JoinHandle<()> {
    thread::spawn(move || {
        for stream in listener.incoming() {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            let Ok(outer) = stream else { continue };
            let Ok(peer) = outer.peer_addr() else {
                continue;
            };
            let Ok((outer, inner, local)) = table.open(outer, peer, inner_addr) else {
                continue;
            };
            let (Ok(outer2), Ok(inner2)) = (outer.try_clone(), inner.try_clone()) else {
                table.sever(&local);
                continue;
            };
            thread::spawn(move || pump(outer, inner));
            let table = Arc::clone(&table);
            thread::spawn(move || {
                pump(inner2, outer2);
                // tiny_http closed its side: the client connection is over.
                table.sever(&local);
            });
        }
    })
}

/// Connects once to `addr` so a blocked `accept` returns.
pub(crate) fn wake(addr: SocketAddr) {
    let mut target = addr;
    if target.ip().is_unspecified() {
        target.set_ip(match addr {
            SocketAddr::V4(_) => [127, 0, 0, 1].into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    let _ = TcpStream::connect_timeout(&target, std::time::Duration::from_secs(1));
}
