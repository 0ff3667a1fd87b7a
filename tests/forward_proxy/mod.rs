//! A small HTTP forward proxy on loopback for the proxy tests: CONNECT tunnelling (what ureq
//! uses for every target) and plain-HTTP absolute-form forwarding (`GET http://host/path`),
//! counting the requests it handled and, when started with credentials, refusing any request
//! without the matching `Proxy-Authorization` with a 407. It only forwards to loopback targets.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

/// What the proxy saw.
#[derive(Default)]
pub struct Seen {
    /// Requests forwarded (CONNECT tunnels opened plus absolute-form requests sent on).
    pub forwarded: AtomicUsize,
    /// Requests refused with 407.
    pub refused: AtomicUsize,
    /// The request lines, in order (`CONNECT 127.0.0.1:1234 HTTP/1.1`).
    pub lines: Mutex<Vec<String>>,
}

/// A running proxy; it stops accepting when the test process ends.
pub struct ForwardProxy {
    pub port: u16,
    pub seen: Arc<Seen>,
}

impl ForwardProxy {
    /// Starts a proxy; with `auth` (`user`, `password`) every request must carry
    /// `Proxy-Authorization: Basic base64(user:password)`.
    pub fn start(auth: Option<(&str, &str)>) -> ForwardProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Seen::default());
        let expected =
            auth.map(|(u, p)| format!("Basic {}", base64(format!("{u}:{p}").as_bytes())));
        let s = Arc::clone(&seen);
        thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let s = Arc::clone(&s);
                let expected = expected.clone();
                thread::spawn(move || {
                    let _ = handle(conn, &s, expected.as_deref());
                });
            }
        });
        ForwardProxy { port, seen }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `http://user:password@127.0.0.1:<port>`.
    pub fn url_with(&self, user: &str, password: &str) -> String {
        format!("http://{user}:{password}@127.0.0.1:{}", self.port)
    }

    pub fn forwarded(&self) -> usize {
        self.seen.forwarded.load(Ordering::SeqCst)
    }

    pub fn refused(&self) -> usize {
        self.seen.refused.load(Ordering::SeqCst)
    }
}

fn handle(conn: TcpStream, seen: &Seen, expected: Option<&str>) -> std::io::Result<()> {
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut client = conn;
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let end = line == "\r\n" || line == "\n";
        head.push(line);
        if end {
            break;
        }
    }
    let request_line = head[0].trim_end().to_owned();
    seen.lines.lock().unwrap().push(request_line.clone());
    let header = |name: &str| {
        head[1..].iter().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    };
    if let Some(want) = expected {
        if header("proxy-authorization").as_deref() != Some(want) {
            seen.refused.fetch_add(1, Ordering::SeqCst);
            client.write_all(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n\
                  Proxy-Authenticate: Basic realm=\"test\"\r\ncontent-length: 0\r\n\
                  connection: close\r\n\r\n",
            )?;
            return Ok(());
        }
    }
    let mut parts = request_line.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if method == "CONNECT" {
        let upstream = connect_loopback(target)?;
        seen.forwarded.fetch_add(1, Ordering::SeqCst);
        client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
        // Whatever the client sent after the head is already in `reader`'s buffer.
        let buffered = reader.buffer().to_vec();
        let mut up_write = upstream.try_clone()?;
        up_write.write_all(&buffered)?;
        let mut up_read = upstream;
        let mut client_write = client.try_clone()?;
        let down = thread::spawn(move || {
            let _ = std::io::copy(&mut up_read, &mut client_write);
            let _ = client_write.shutdown(Shutdown::Write);
        });
        let mut client_read = reader.into_inner();
        let _ = std::io::copy(&mut client_read, &mut up_write);
        let _ = up_write.shutdown(Shutdown::Write);
        let _ = down.join();
        return Ok(());
    }
    // Absolute form: `GET http://host:port/path HTTP/1.1`, sent on with `Connection: close`.
    let Some(rest) = target.strip_prefix("http://") else {
        client.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")?;
        return Ok(());
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut upstream = connect_loopback(authority)?;
    seen.forwarded.fetch_add(1, Ordering::SeqCst);
    let version = parts.next().unwrap_or("HTTP/1.1");
    let mut out = format!("{method} {path} {version}\r\n");
    let mut length = 0usize;
    for l in &head[1..head.len() - 1] {
        let name = l
            .split(':')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if name == "content-length" {
            length = l
                .split_once(':')
                .map_or("0", |(_, v)| v.trim())
                .parse()
                .unwrap_or(0);
        }
        if name.starts_with("proxy-") || name == "connection" {
            continue;
        }
        out.push_str(l);
    }
    out.push_str("connection: close\r\n\r\n");
    upstream.write_all(out.as_bytes())?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    upstream.write_all(&body)?;
    std::io::copy(&mut upstream, &mut client)?;
    Ok(())
}

/// Connects to `host:port`, refusing anything that is not loopback.
fn connect_loopback(authority: &str) -> std::io::Result<TcpStream> {
    let addr = authority.replace("localhost", "127.0.0.1");
    let stream = TcpStream::connect(&addr)?;
    if !stream.peer_addr()?.ip().is_loopback() {
        return Err(std::io::Error::other("only loopback targets"));
    }
    Ok(stream)
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
