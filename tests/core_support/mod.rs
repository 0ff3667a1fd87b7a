//! Helpers shared by the `core_*` integration tests (mockito servers on loopback).
#![allow(dead_code)]

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use soku::{Client, ClientBuilder};

/// A syntactically realistic API key; no test output may ever contain it.
pub const KEY: &str = "sk_live_TESTKEY0123456789abcdefghijklmnopqrstuv";
/// A Firebase ID token; no test output may ever contain it.
pub const TOKEN: &str = "eyJhbGciOiJSUzI1NiIs.FIREBASE-TEST-TOKEN.sig";

/// A builder pointed at `url` with both credentials and a millisecond backoff.
pub fn builder(url: &str) -> ClientBuilder {
    Client::builder()
        .base_url(url)
        .api_key(KEY)
        .firebase_token(TOKEN)
        .backoff_base(Duration::from_millis(2))
        .max_retry_wait(Duration::from_secs(2))
        .timeout(Duration::from_secs(5))
}

/// A client for `url` (see [`builder`]).
pub fn client(url: &str) -> Client {
    builder(url).build().expect("client builds")
}

/// A loopback URL on which nothing listens (the port was just released).
pub fn refused_url() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

/// The credentials and fragments of them that no output may contain.
const LEAKS: [&str; 4] = [KEY, TOKEN, "TESTKEY", "FIREBASE-TEST"];

/// Panics if `text` contains a credential (or a fragment of one). The panic message shows
/// `text` with every fragment masked, so a failing test does not print the credential itself.
pub fn assert_no_secret(text: &str) {
    for leak in LEAKS {
        if text.contains(leak) {
            let mut masked = text.to_owned();
            for l in LEAKS {
                masked = masked.replace(l, "<LEAKED>");
            }
            panic!("credential leaked ({} chars): {masked}", leak.len());
        }
    }
}

/// Every text an error can show a user: `Display`, `{:?}`, `{:#?}`, and the same three for
/// each error of its `source()` chain (which `anyhow`, `eyre` and loggers print).
pub fn chain_texts(e: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut texts = Vec::new();
    let mut next = Some(e);
    while let Some(err) = next {
        texts.push(err.to_string());
        texts.push(format!("{err:?}"));
        texts.push(format!("{err:#?}"));
        next = err.source();
    }
    texts
}

/// Checks every way an error can be shown for secrets: `Display`, `{:?}`, `{:#?}`, each
/// `source()` in the chain (all three forms), the message, the JSON the C ABI and Python get
/// (`Serialize`) and the call's metadata. Returns the `Display`.
pub fn checked(e: &soku::Error) -> String {
    let mut texts = chain_texts(e);
    texts.push(e.message());
    texts.push(serde_json::to_string(e).expect("an error serialises"));
    if let Some(meta) = e.meta() {
        texts.push(serde_json::to_string(meta).expect("meta serialises"));
        texts.push(format!("{meta:#?}"));
    }
    for text in &texts {
        assert_no_secret(text);
    }
    e.to_string()
}

/// Records one header of every request answered by the mocks it is attached to
/// (`with_body_from_request(rec.answer(header, body))`: called once per answered request).
#[derive(Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<Option<String>>>>);

impl Recorder {
    pub fn answer(
        &self,
        header: &'static str,
        body: &str,
    ) -> impl Fn(&mockito::Request) -> Vec<u8> + Send + Sync + 'static {
        let seen = self.0.clone();
        let body = body.as_bytes().to_vec();
        move |req| {
            let value = req
                .header(header)
                .first()
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            seen.lock().unwrap().push(value);
            body.clone()
        }
    }

    pub fn values(&self) -> Vec<Option<String>> {
        self.0.lock().unwrap().clone()
    }
}

/// A raw TCP server on loopback whose connections are handed to `handler` (one thread each).
pub struct RawServer {
    pub url: String,
    connections: Arc<std::sync::atomic::AtomicUsize>,
}

impl RawServer {
    pub fn start(handler: impl Fn(std::net::TcpStream) + Send + Sync + 'static) -> RawServer {
        use std::sync::atomic::Ordering;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = connections.clone();
        let handler = Arc::new(handler);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                count.fetch_add(1, Ordering::SeqCst);
                let h = handler.clone();
                std::thread::spawn(move || h(stream));
            }
        });
        RawServer { url, connections }
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Reads what the client sends until the end of the request head (or EOF / 2 s).
pub fn read_head(stream: &mut std::net::TcpStream) {
    use std::io::Read;
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Accepts, reads the request, never answers (holds the connection for 10 s).
pub fn never_answer(mut stream: std::net::TcpStream) {
    read_head(&mut stream);
    std::thread::sleep(Duration::from_secs(10));
}

/// Accepts, reads the request head, then closes without answering.
pub fn hang_up(mut stream: std::net::TcpStream) {
    read_head(&mut stream);
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// Answers every request on the connection with `200 {"postSubmissionId":"ps_ka","keys":[]}`,
/// keeping the connection open (HTTP/1.1 keep-alive).
pub fn keep_alive(mut stream: std::net::TcpStream) {
    use std::io::{Read, Write};
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        // Read one request: head, then Content-Length bytes of body.
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + len {
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        buf.drain(..head_end + len);
        let body = r#"{"postSubmissionId":"ps_ka","keys":[]}"#;
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if stream.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

/// Reads one HTTP/1.1 request (head, then `Content-Length` bytes of body) from `stream`:
/// `(head, body)`, or `None` when the peer closed first (or 2 s passed).
pub fn read_request(stream: &mut std::net::TcpStream) -> Option<(String, Vec<u8>)> {
    use std::io::Read;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + len {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    Some((head, buf[head_end..head_end + len].to_vec()))
}

/// The value of header `name` in a request head, if present.
pub fn header_of<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}
