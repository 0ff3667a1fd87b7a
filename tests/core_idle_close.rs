//! Idle connections the server closes: a template render (a POST without an idempotency key,
//! never re-sent once it may have reached the server) must never be handed a pooled
//! connection the server is about to close.
//!
//! Two servers close idle keep-alive connections after one second: a real nginx
//! (`keepalive_timeout 1s`, which announces nothing) and a Node-style server that announces
//! `Keep-Alive: timeout=1`. 500 renders, spaced 0.9 to 1.1 s apart (10 threads sharing one
//! client, 50 renders each, so that each test lasts about a minute), must all succeed, and the
//! server must count exactly 500 requests (none sent twice).
//!
//! Each thread has its own client: threads sharing one pool hand a returned connection to the
//! next caller within ~100 ms, so no connection would sit idle for about the server's timeout
//! and the race would never be run (measured before the fix: 0 failures that way, against
//! failures with one client per thread). With one client per thread every render after the
//! first takes a connection idle for 0.9 to 1.1 s, around the server's one second.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::json;
use soku::{Client, RenderTemplate};

const THREADS: usize = 10;
const RENDERS_PER_THREAD: usize = 50;

/// A pause drawn uniformly from 0.9 to 1.1 s.
fn spacing() -> Duration {
    Duration::from_millis(900 + getrandom::u64().unwrap() % 201)
}

fn client(port: u16) -> Client {
    Client::builder()
        .api_key("sk_test_idle_close")
        .base_url(format!("http://127.0.0.1:{port}"))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// What the renders got: failures, and the nonce of every answer (when the server echoes it).
#[derive(Debug, Default)]
struct Outcome {
    failures: Vec<String>,
    ok: usize,
    crossed: usize,
}

/// 10 threads × 50 renders, spaced 0.9–1.1 s apart, each thread through its own client to
/// `port`. Each render carries a nonce in its `config.title`; `echoes` says whether the server
/// returns it as the answer's `id`.
fn spaced_renders(port: u16, echoes: bool) -> Outcome {
    let outcome = Arc::new(Mutex::new(Outcome::default()));
    thread::scope(|s| {
        for t in 0..THREADS {
            let outcome = outcome.clone();
            s.spawn(move || {
                let client = client(port);
                // Stagger the threads, spreading the requests over time.
                thread::sleep(Duration::from_millis(100 * t as u64));
                for i in 0..RENDERS_PER_THREAD {
                    let nonce = format!("r{t}-{i}");
                    let req = RenderTemplate::new("tweetImage").config(json!({ "title": nonce }));
                    let result = client.render_template(&req);
                    let mut o = outcome.lock().unwrap();
                    match result {
                        Ok(r) if !echoes || r.data.id.as_deref() == Some(nonce.as_str()) => {
                            o.ok += 1
                        }
                        Ok(_) => o.crossed += 1,
                        Err(e) => o.failures.push(format!("{nonce}: {e}")),
                    }
                    drop(o);
                    thread::sleep(spacing());
                }
            });
        }
    });
    Arc::try_unwrap(outcome).unwrap().into_inner().unwrap()
}

/// Where nginx is: `$NGINX`, else `nginx` on the PATH, else `/usr/sbin/nginx` (Debian's
/// package; `.ci/run` installs it).
fn nginx_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("NGINX") {
        return p.into();
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("nginx"))
            .find(|p| p.is_file())
    });
    on_path.unwrap_or_else(|| "/usr/sbin/nginx".into())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// nginx in the foreground (a child of the test), killed when dropped.
struct Nginx {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Nginx {
    fn start() -> Nginx {
        let dir = std::env::temp_dir().join(format!("soku-nginx-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let port = free_port();
        let d = dir.display();
        // One process (no master), logging every request with its connection: the access log
        // is the server's request count.
        let conf = format!(
            r#"daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 256; }}
http {{
    log_format counted '$connection $connection_requests $request_method $uri $status';
    access_log {d}/access.log counted;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    keepalive_timeout 1s;
    keepalive_requests 100000;
    server {{
        listen 127.0.0.1:{port};
        location = /v1/templates {{
            default_type application/json;
            return 200 '{{"url":"https://storage.mysoku.io/og/og_nginx.png","id":"og_nginx"}}';
        }}
    }}
}}
"#
        );
        let conf_path = dir.join("nginx.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let binary = nginx_binary();
        let child = Command::new(&binary)
            .arg("-p")
            .arg(&dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(&conf_path)
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start nginx ({}): {e}; install it (apt-get install nginx-light) or set NGINX",
                    binary.display()
                )
            });
        let mut nginx = Nginx { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = nginx.child.try_wait() {
                let log = std::fs::read_to_string(nginx.dir.join("error.log")).unwrap_or_default();
                panic!("nginx exited ({status}): {log}");
            }
            assert!(Instant::now() < deadline, "nginx did not start listening");
            thread::sleep(Duration::from_millis(20));
        }
        nginx
    }

    /// (requests, distinct connections) for `/v1/templates`, from the access log.
    fn counts(&self) -> (usize, usize) {
        let log = std::fs::read_to_string(self.dir.join("access.log")).unwrap_or_default();
        let lines: Vec<&str> = log
            .lines()
            .filter(|l| l.contains(" /v1/templates "))
            .collect();
        let connections: std::collections::HashSet<&str> = lines
            .iter()
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        (lines.len(), connections.len())
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn nginx_keepalive_timeout_1s_500_spaced_renders() {
    let nginx = Nginx::start();
    let outcome = spaced_renders(nginx.port, false);
    let (requests, connections) = nginx.counts();
    eprintln!(
        "nginx keepalive_timeout 1s: {} renders ok, {} failed, {requests} requests counted by \
         nginx over {connections} connections",
        outcome.ok,
        outcome.failures.len()
    );
    assert_eq!(outcome.failures, Vec::<String>::new(), "failed renders");
    assert_eq!(outcome.ok, THREADS * RENDERS_PER_THREAD);
    assert_eq!(requests, THREADS * RENDERS_PER_THREAD, "requests nginx saw");
}

/// One-way network delay the Node-style server emulates: 20 ms, a modest internet path.
/// Loopback delivers a request in microseconds, which leaves the close race almost no room; on
/// a real network a request sent just before the server's idle deadline is still in flight
/// when the server closes. The server treats a request that arrives within this delay of its
/// deadline as such a request: it closes at the deadline without reading it.
const WIRE_DELAY: Duration = Duration::from_millis(20);

/// A Node-style HTTP/1.1 server: keep-alive, announces `Keep-Alive: timeout=1` and closes a
/// connection that stays idle for one second after an answer (see [`WIRE_DELAY`]). It answers a render with the
/// nonce of its `config.title` as the `id`, and counts requests per nonce and connections.
struct NodeStyle {
    port: u16,
    per_nonce: Arc<Mutex<HashMap<String, usize>>>,
    connections: Arc<AtomicUsize>,
}

impl NodeStyle {
    fn start() -> NodeStyle {
        NodeStyle::start_with(true)
    }

    /// `announce`: whether answers carry `Keep-Alive: timeout=1`.
    fn start_with(announce: bool) -> NodeStyle {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let per_nonce = Arc::new(Mutex::new(HashMap::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (seen, count) = (per_nonce.clone(), connections.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                count.fetch_add(1, Ordering::SeqCst);
                let seen = seen.clone();
                thread::spawn(move || serve_node_style(stream, &seen, announce));
            }
        });
        NodeStyle {
            port,
            per_nonce,
            connections,
        }
    }
}

fn serve_node_style(stream: TcpStream, seen: &Mutex<HashMap<String, usize>>, announce: bool) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    // The server closes a connection idle for one second (after accepting it, or after an
    // answer).
    let mut deadline = Instant::now() + Duration::from_secs(1);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        out.set_read_timeout(Some(left)).unwrap();
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if Instant::now() + WIRE_DELAY > deadline {
            // On a real network this request would still be on the wire when the server
            // closes: it closes at its deadline without reading it (a reset, for the client).
            thread::sleep(deadline.saturating_duration_since(Instant::now()));
            return;
        }
        out.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut length = 0usize;
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((name, value)) = l.split_once(':')
                && name.trim().eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let nonce = body["config"]["title"].as_str().unwrap_or("").to_owned();
        *seen.lock().unwrap().entry(nonce.clone()).or_default() += 1;
        // A render's answer, plus what a post's answer needs.
        let answer = json!({
            "url": format!("https://storage.mysoku.io/og/{nonce}.png"),
            "id": nonce,
            "postSubmissionId": "ps_1",
        })
        .to_string();
        let keep_alive = if announce {
            "Keep-Alive: timeout=1\r\n"
        } else {
            ""
        };
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: keep-alive\r\n\
             {keep_alive}Content-Length: {}\r\n\r\n{answer}",
            answer.len()
        );
        if out.write_all(reply.as_bytes()).is_err() {
            return;
        }
        deadline = Instant::now() + Duration::from_secs(1);
    }
}

#[test]
fn node_style_keep_alive_timeout_1_500_spaced_renders() {
    let server = NodeStyle::start();
    let outcome = spaced_renders(server.port, true);
    let per_nonce = server.per_nonce.lock().unwrap();
    let requests: usize = per_nonce.values().sum();
    let duplicates = per_nonce.values().filter(|n| **n > 1).count();
    eprintln!(
        "node-style Keep-Alive: timeout=1: {} renders ok, {} failed, {} crossed, {requests} \
         requests counted, {duplicates} duplicated, {} connections",
        outcome.ok,
        outcome.failures.len(),
        outcome.crossed,
        server.connections.load(Ordering::SeqCst)
    );
    assert_eq!(outcome.failures, Vec::<String>::new(), "failed renders");
    assert_eq!(outcome.crossed, 0);
    assert_eq!(outcome.ok, THREADS * RENDERS_PER_THREAD);
    assert_eq!(
        requests,
        THREADS * RENDERS_PER_THREAD,
        "requests the server saw"
    );
    assert_eq!(duplicates, 0, "renders the server saw more than once");
}

#[test]
fn back_to_back_renders_keep_reusing_one_connection() {
    // The fresh-connection rule applies to connections idle for longer than the bound: renders
    // one after the other share one connection, as every other call does.
    let server = NodeStyle::start();
    let client = client(server.port);
    for i in 0..50 {
        let nonce = format!("b{i}");
        let req = RenderTemplate::new("tweetImage").config(json!({ "title": nonce }));
        let r = client.render_template(&req).unwrap();
        assert_eq!(r.data.id.as_deref(), Some(nonce.as_str()));
    }
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);
}

#[test]
fn an_announced_keep_alive_timeout_retires_connections_for_every_call() {
    // `Keep-Alive: timeout=1`: pooled connections are retired after 0.5 s idle, keyed calls
    // included. Without the announcement, a keyed call reuses a connection idle for 0.7 s (as
    // before), while a render (never re-sent) gets a fresh one past its 500 ms bound.
    let post = soku::CreatePost::text("hello", ["x"]);
    let render = || RenderTemplate::new("tweetImage").config(json!({ "title": "t" }));
    let idle = Duration::from_millis(700);

    let announced = NodeStyle::start_with(true);
    let first = client(announced.port);
    first.create_post(&post).unwrap();
    thread::sleep(idle);
    first.create_post(&post).unwrap();
    assert_eq!(announced.connections.load(Ordering::SeqCst), 2, "announced");

    let silent = NodeStyle::start_with(false);
    let client = client(silent.port);
    client.create_post(&post).unwrap();
    thread::sleep(idle);
    client.create_post(&post).unwrap();
    assert_eq!(
        silent.connections.load(Ordering::SeqCst),
        1,
        "keyed call reuses"
    );
    thread::sleep(idle);
    client.render_template(&render()).unwrap();
    assert_eq!(
        silent.connections.load(Ordering::SeqCst),
        2,
        "render after 0.7 s idle"
    );
    client.render_template(&render()).unwrap();
    assert_eq!(
        silent.connections.load(Ordering::SeqCst),
        2,
        "render right after one"
    );
}
