//! The write path against hostile servers on loopback, over HTTP and HTTPS:
//!
//! - a server that reads the request one byte at a time never stretches an attempt past its
//!   `timeout` by more than [`SLACK`] (writes included);
//! - a server that answers (413 with an error envelope) before reading a large body and closes:
//!   the caller gets that answer, and the body is sent once;
//! - a server that closes without answering: still a transport error, retried per the call's
//!   class (a keyed POST with its key, an unkeyed one never).

mod core_support;
mod pki;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use core_support::{KEY, checked};
use soku::{Client, CreatePost, ErrorKind, Platform, RenderTemplate};

/// How far past its `timeout` an attempt may end: the scheduling delay of one wakeup, as the
/// library documents.
const SLACK: Duration = Duration::from_millis(250);

/// The server side of a connection: plain TCP or TLS.
trait Stream: Read + Write {
    /// The socket underneath.
    fn tcp(&self) -> &TcpStream;
}

impl Stream for Wire {
    fn tcp(&self) -> &TcpStream {
        &self.tcp
    }
}

impl Stream for rustls::StreamOwned<rustls::ServerConnection, Wire> {
    fn tcp(&self) -> &TcpStream {
        &self.sock.tcp
    }
}

/// A server socket that reads at most one byte per `read` call when `one_byte` is set.
struct Wire {
    tcp: TcpStream,
    one_byte: bool,
}

impl Read for Wire {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = if self.one_byte {
            buf.len().min(1)
        } else {
            buf.len()
        };
        self.tcp.read(&mut buf[..n])
    }
}

impl Write for Wire {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.tcp.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.tcp.flush()
    }
}

type Handler = dyn Fn(&mut dyn Stream) + Send + Sync;

/// A loopback listener; a slow reader's has a small receive buffer (4 KiB), as a server that
/// reads slowly advertises a small window: the client's sends then block and resume in small
/// steps, the case where a write could run past its timeout.
fn listener(slow: bool) -> TcpListener {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    if slow {
        socket.set_recv_buffer_size(4096).unwrap();
    }
    let addr: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
    socket.bind(&addr.into()).unwrap();
    socket.listen(16).unwrap();
    socket.into()
}

/// When the server accepted each connection.
type Accepted = Arc<Mutex<Vec<Instant>>>;

/// A loopback server (TLS when `tls` is given) handing each connection to `handler` on its own
/// thread; returns its base URL and when it accepted each connection.
fn serve(
    tls: Option<Arc<rustls::ServerConfig>>,
    one_byte: bool,
    handler: Arc<Handler>,
) -> (String, Accepted) {
    let listener = listener(one_byte);
    let scheme = if tls.is_some() { "https" } else { "http" };
    let url = format!("{scheme}://{}", listener.local_addr().unwrap());
    let accepted = Accepted::default();
    let times = accepted.clone();
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(tcp) = tcp else { return };
            times.lock().unwrap().push(Instant::now());
            let _ = tcp.set_read_timeout(Some(Duration::from_secs(20)));
            let wire = Wire { tcp, one_byte };
            let handler = handler.clone();
            let tls = tls.clone();
            std::thread::spawn(move || match tls {
                None => handler(&mut { wire }),
                Some(config) => {
                    let Ok(conn) = rustls::ServerConnection::new(config) else {
                        return;
                    };
                    handler(&mut rustls::StreamOwned::new(conn, wire));
                }
            });
        }
    });
    (url, accepted)
}

/// Reads one byte at a time up to the end of the request head (nothing of the body); returns
/// the head, or `None` at EOF.
fn read_head(stream: &mut dyn Stream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

/// A header's value in a request head.
fn header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_owned())
    })
}

/// Runs `test` over HTTP, then over HTTPS with a client that trusts the test CA.
fn over_http_and_https(
    one_byte: bool,
    handler: Arc<Handler>,
    test: impl Fn(&str, soku::ClientBuilder, &Accepted),
) {
    let (url, accepted) = serve(None, one_byte, handler.clone());
    test("http", builder(&url), &accepted);
    let pki::Pki {
        ca_pem: ca,
        server: config,
    } = pki::pki();
    let (url, accepted) = serve(Some(config), one_byte, handler);
    test("https", builder(&url).ca_pem(ca), &accepted);
}

fn builder(url: &str) -> soku::ClientBuilder {
    Client::builder()
        .base_url(url)
        .api_key(KEY)
        .backoff_base(Duration::from_millis(2))
        .timeout(Duration::from_secs(5))
}

/// A post whose body is about `mib` MiB.
fn big_post(mib: usize) -> CreatePost {
    CreatePost::text("x".repeat(mib * 1024 * 1024), [Platform::X])
}

#[test]
fn a_byte_at_a_time_reader_never_stretches_an_attempt_past_the_timeout() {
    let timeout = Duration::from_secs(2);
    let handler: Arc<Handler> = Arc::new(|s: &mut dyn Stream| {
        // Reads the whole request, one byte per read, and never answers.
        let mut byte = [0u8; 1];
        while matches!(s.read(&mut byte), Ok(1)) {}
    });
    over_http_and_https(true, handler, |scheme, builder, accepted| {
        let client = builder.timeout(timeout).max_retries(0).build().unwrap();
        let post = big_post(4);
        let mut worst = Duration::ZERO;
        for _ in 0..2 {
            let started = Instant::now();
            let err = client.create_post(&post).unwrap_err();
            let ended = Instant::now();
            // The attempt starts with the connection (the 4 MiB body is serialized before it):
            // measured from the server's accept, which the timeout also covers.
            let connected = accepted.lock().unwrap().pop().expect("one connection");
            assert!(
                connected >= started,
                "{scheme}: a fresh connection per attempt"
            );
            let took = ended - connected;
            worst = worst.max(took);
            checked(&err);
            assert_eq!(err.kind(), ErrorKind::Timeout, "{scheme}: {err:?}");
            assert_eq!(err.meta().unwrap().attempts, 1, "{scheme}");
            assert!(
                took <= timeout + SLACK,
                "{scheme}: the attempt took {took:?} with a timeout of {timeout:?}"
            );
            // The bound is not met by giving up early either (the call's clock started first).
            assert!(ended - started >= timeout, "{scheme}: ended after {took:?}");
        }
        eprintln!("{scheme}: worst attempt {worst:?} with a timeout of {timeout:?}");
    });
}

/// What an early-answering or hanging-up server saw.
#[derive(Default)]
struct Seen {
    requests: AtomicUsize,
    keys: Mutex<Vec<Option<String>>>,
}

/// A handler that reads the request head only, records it, then runs `then` (which answers or
/// not) and closes with the body unread.
fn head_then(seen: &Arc<Seen>, then: fn(&mut dyn Stream)) -> Arc<Handler> {
    let seen = seen.clone();
    Arc::new(move |s: &mut dyn Stream| {
        let Some(head) = read_head(s) else { return };
        seen.requests.fetch_add(1, Ordering::SeqCst);
        seen.keys
            .lock()
            .unwrap()
            .push(header(&head, "idempotency-key"));
        then(s);
    })
}

fn answer_413(s: &mut dyn Stream) {
    let body = r#"{"error":{"type":"invalid_request_error","code":"payload_too_large","message":"the body exceeds 1 MiB","requestId":"req_early_413"}}"#;
    let answer = format!(
        "HTTP/1.1 413 Payload Too Large\r\ncontent-type: application/json\r\n\
         connection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let _ = s.write_all(answer.as_bytes());
    let _ = s.flush();
    // Then it closes with the body unread (the client's writes then fail with a reset), after a
    // moment for the answer to leave: a close with unread input discards what is still queued
    // for sending, so a server that did not wait would lose its own answer on the way.
    let _ = s.tcp().shutdown(std::net::Shutdown::Write);
    std::thread::sleep(Duration::from_millis(200));
}

#[test]
fn an_answer_before_the_body_was_read_is_reported_and_the_body_sent_once() {
    let seen = Arc::new(Seen::default());
    over_http_and_https(false, head_then(&seen, answer_413), |scheme, builder, _| {
        let client = builder.max_retries(3).build().unwrap();
        let before = seen.requests.load(Ordering::SeqCst);
        let err = client.create_post(&big_post(5)).unwrap_err();
        checked(&err);
        assert_eq!(err.kind(), ErrorKind::Api, "{scheme}: {err:?}");
        assert_eq!(err.status(), Some(413), "{scheme}: {err:?}");
        assert_eq!(
            err.code().map(|c| c.as_str()),
            Some("payload_too_large"),
            "{scheme}"
        );
        assert_eq!(err.request_id(), Some("req_early_413"), "{scheme}");
        assert_eq!(err.meta().unwrap().attempts, 1, "{scheme}");
        assert_eq!(
            seen.requests.load(Ordering::SeqCst) - before,
            1,
            "{scheme}: requests the server saw"
        );
    });
}

#[test]
fn a_server_closing_without_an_answer_is_a_transport_error_retried_per_class() {
    let seen = Arc::new(Seen::default());
    // Closes right after the head, the body unread: the client's writes fail (reset).
    over_http_and_https(false, head_then(&seen, |_| {}), |scheme, builder, _| {
        let client = builder.max_retries(2).build().unwrap();

        // A keyed POST: retried, with the same idempotency key each time.
        seen.keys.lock().unwrap().clear();
        let err = client.create_post(&big_post(5)).unwrap_err();
        checked(&err);
        assert_eq!(err.kind(), ErrorKind::Transport, "{scheme}: {err:?}");
        assert_eq!(err.meta().unwrap().attempts, 3, "{scheme}: {err:?}");
        let keys = std::mem::take(&mut *seen.keys.lock().unwrap());
        assert_eq!(keys.len(), 3, "{scheme}: requests the server saw");
        assert!(keys[0].is_some(), "{scheme}: {keys:?}");
        assert!(keys.iter().all(|k| *k == keys[0]), "{scheme}: {keys:?}");

        // An unkeyed POST: never sent again.
        let config = serde_json::json!({ "title": "y".repeat(5 * 1024 * 1024) });
        let err = client
            .render_template(&RenderTemplate::new("tweetImage").config(config))
            .unwrap_err();
        checked(&err);
        assert_eq!(err.kind(), ErrorKind::Transport, "{scheme}: {err:?}");
        assert_eq!(err.meta().unwrap().attempts, 1, "{scheme}: {err:?}");
        let keys = std::mem::take(&mut *seen.keys.lock().unwrap());
        assert_eq!(keys, [None], "{scheme}: requests the server saw");
    });
}

/// Reads a request's head and its `content-length` body, one request per connection; answers a
/// post submission.
fn answer_posts(s: &mut dyn Stream) {
    let Some(head) = read_head(s) else { return };
    let len: usize = header(&head, "content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    if s.read_exact(&mut body).is_err() {
        return;
    }
    let answer = r#"{"postSubmissionId":"ps_proxied","keys":[]}"#;
    let _ = write!(
        s,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\
         content-length: {}\r\n\r\n{answer}",
        answer.len()
    );
    let _ = s.flush();
}

/// A loopback HTTP `CONNECT` proxy; returns its URL and the targets it was asked for.
fn connect_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let targets = Arc::new(Mutex::new(Vec::new()));
    let seen = targets.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { return };
            let seen = seen.clone();
            std::thread::spawn(move || {
                let mut wire = Wire {
                    tcp: client.try_clone().unwrap(),
                    one_byte: false,
                };
                let Some(head) = read_head(&mut wire) else {
                    return;
                };
                let Some(target) = head
                    .strip_prefix("CONNECT ")
                    .and_then(|r| r.split(' ').next())
                else {
                    return;
                };
                seen.lock().unwrap().push(target.to_owned());
                let Ok(mut upstream) = TcpStream::connect(target) else {
                    return;
                };
                let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                let (mut c2, mut u2) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut u2, &mut c2);
                    let _ = c2.shutdown(std::net::Shutdown::Write);
                });
                let _ = std::io::copy(&mut client, &mut upstream);
                let _ = upstream.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    (url, targets)
}

#[test]
fn a_connect_proxy_still_carries_requests_over_http_and_https() {
    // The connector chain is assembled by hand (socket layer below TLS): the proxy step holds.
    let (proxy, targets) = connect_proxy();
    over_http_and_https(false, Arc::new(answer_posts), |scheme, builder, _| {
        let client = builder.proxy(&proxy).max_retries(0).build().unwrap();
        let post = client.create_post(&big_post(1)).unwrap();
        assert_eq!(post.data.post_submission_id, "ps_proxied", "{scheme}");
        let asked = std::mem::take(&mut *targets.lock().unwrap());
        assert_eq!(asked.len(), 1, "{scheme}: {asked:?}");
        assert!(asked[0].starts_with("127.0.0.1:"), "{scheme}: {asked:?}");
    });
}
