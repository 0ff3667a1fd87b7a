//! The per-call path: no thread is created per call, sequential calls share one TCP connection,
//! and HTTPS trusts exactly what the client was told to trust (custom CA, default roots).
//!
//! Thread creations are counted exactly: this test binary defines `pthread_create`, which the
//! standard library's `thread::spawn` (and so ureq's per-lookup resolver thread) calls; the
//! definition counts, per calling thread, then forwards to the C library's. A count read from
//! `/proc/self/status` could not see a thread that came and went between two reads; counting
//! per calling thread leaves out the test harness's and the test servers' own threads.

mod pki;

use std::cell::Cell;
use std::ffi::{c_int, c_void};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pki::pki;
use soku::{Client, CreatePost, Error};

thread_local! {
    /// Threads this thread has created.
    static THREADS_CREATED: Cell<usize> = const { Cell::new(0) };
}

/// Threads the calling thread has created so far.
fn threads_created() -> usize {
    THREADS_CREATED.with(Cell::get)
}

type StartRoutine = extern "C" fn(*mut c_void) -> *mut c_void;
type PthreadCreate =
    unsafe extern "C" fn(*mut u64, *const c_void, StartRoutine, *mut c_void) -> c_int;

unsafe extern "C" {
    fn dlsym(handle: *mut c_void, symbol: *const std::ffi::c_char) -> *mut c_void;
}

/// Counts, then calls the C library's `pthread_create` (found with `dlsym(RTLD_NEXT, …)`).
///
/// # Safety
/// Same contract as the C library's `pthread_create`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_create(
    thread: *mut u64,
    attr: *const c_void,
    start: StartRoutine,
    arg: *mut c_void,
) -> c_int {
    THREADS_CREATED.with(|n| n.set(n.get() + 1));
    const RTLD_NEXT: *mut c_void = -1isize as *mut c_void;
    // SAFETY: RTLD_NEXT and a NUL-terminated name; the symbol is glibc's pthread_create, whose
    // type is `PthreadCreate`.
    unsafe {
        let real = dlsym(RTLD_NEXT, c"pthread_create".as_ptr());
        assert!(!real.is_null(), "no pthread_create after this one");
        let real: PthreadCreate = std::mem::transmute(real);
        real(thread, attr, start, arg)
    }
}

thread_local! {
    /// `send` and `recv` calls this thread has made.
    static SENDS: Cell<usize> = const { Cell::new(0) };
    static RECVS: Cell<usize> = const { Cell::new(0) };
}

/// The C library's function `name`, found with `dlsym(RTLD_NEXT, …)`.
fn next_symbol(name: &std::ffi::CStr) -> *mut c_void {
    const RTLD_NEXT: *mut c_void = -1isize as *mut c_void;
    // SAFETY: RTLD_NEXT and a NUL-terminated name.
    let real = unsafe { dlsym(RTLD_NEXT, name.as_ptr()) };
    assert!(!real.is_null(), "no {name:?} after this one");
    real
}

type SendFn = unsafe extern "C" fn(c_int, *const c_void, usize, c_int) -> isize;
type RecvFn = unsafe extern "C" fn(c_int, *mut c_void, usize, c_int) -> isize;

/// Counts, then calls the C library's `send` (through which the standard library writes to a
/// socket).
///
/// # Safety
/// Same contract as the C library's `send`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn send(fd: c_int, buf: *const c_void, len: usize, flags: c_int) -> isize {
    SENDS.with(|n| n.set(n.get() + 1));
    // SAFETY: glibc's send has type `SendFn`; the arguments are the caller's.
    unsafe {
        let real: SendFn = std::mem::transmute(next_symbol(c"send"));
        real(fd, buf, len, flags)
    }
}

/// Counts, then calls the C library's `recv` (through which the standard library reads from a
/// socket).
///
/// # Safety
/// Same contract as the C library's `recv`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn recv(fd: c_int, buf: *mut c_void, len: usize, flags: c_int) -> isize {
    RECVS.with(|n| n.set(n.get() + 1));
    // SAFETY: glibc's recv has type `RecvFn`; the arguments are the caller's.
    unsafe {
        let real: RecvFn = std::mem::transmute(next_symbol(c"recv"));
        real(fd, buf, len, flags)
    }
}

/// `send` and `recv` calls the calling thread has made so far.
fn socket_calls() -> (usize, usize) {
    (SENDS.with(Cell::get), RECVS.with(Cell::get))
}

const ANSWER: &[u8] = b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\n\
content-length: 29\r\n\r\n{\"postSubmissionId\": \"ps_1\"}\n";

/// A keep-alive server on 127.0.0.1 answering every request with [`ANSWER`], one thread per
/// connection (the counted calls reuse a connection opened before counting). Counts accepted
/// connections.
struct Server {
    port: u16,
    connections: Arc<AtomicUsize>,
}

impl Server {
    fn start(tls: Option<Arc<rustls::ServerConfig>>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let count = connections.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                count.fetch_add(1, Ordering::SeqCst);
                let tls = tls.clone();
                std::thread::spawn(move || match tls {
                    None => serve(stream),
                    Some(cfg) => {
                        let conn = rustls::ServerConnection::new(cfg).unwrap();
                        serve(rustls::StreamOwned::new(conn, stream));
                    }
                });
            }
        });
        Server { port, connections }
    }
}

/// Answers requests on `stream` until the client closes it or fails (e.g. a rejected TLS
/// handshake).
fn serve(stream: impl Read + Write) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let stream = reader.get_mut();
        if stream
            .write_all(ANSWER)
            .and_then(|()| stream.flush())
            .is_err()
        {
            return;
        }
    }
}

fn post() -> CreatePost {
    CreatePost::text("hello", ["x"])
}

#[test]
fn sequential_calls_create_no_thread_and_use_one_connection() {
    let server = Server::start(None);
    for host in ["127.0.0.1", "localhost"] {
        let client = Client::builder()
            .api_key("sk_test_hot_path")
            .base_url(format!("http://{host}:{}", server.port))
            .build()
            .unwrap();
        let connections = server.connections.load(Ordering::SeqCst);
        // The first call connects (and looks `localhost` up, on a thread bounded by the
        // connect timeout); the next 200 must create no thread at all.
        client.create_post(&post()).unwrap();
        let before = threads_created();
        for _ in 0..200 {
            let r = client.create_post(&post()).unwrap();
            assert_eq!(r.data.post_submission_id, "ps_1");
        }
        let created = threads_created() - before;
        assert_eq!(created, 0, "{host}: threads created by 200 calls");
        assert_eq!(
            server.connections.load(Ordering::SeqCst) - connections,
            1,
            "{host}: tcp connections for 201 sequential calls"
        );
    }
}

#[test]
fn a_call_is_one_write_and_one_read_plus_one_liveness_probe() {
    // ureq writes a request's head and its body separately, and probes a pooled connection both
    // when it returns to the pool and when it is taken out; the client sends head and body in
    // one write and probes once. The server answers in one write, so one read takes it all.
    let pki = pki();
    let plain = Server::start(None);
    let tls = Server::start(Some(pki.server.clone()));
    let clients = [
        (
            "http",
            Client::builder()
                .api_key("sk_test_hot_path")
                .base_url(format!("http://127.0.0.1:{}", plain.port))
                .build()
                .unwrap(),
        ),
        (
            "https",
            tls_client(tls.port).ca_pem(pki.ca_pem).build().unwrap(),
        ),
    ];
    for (scheme, client) in clients {
        client.create_post(&post()).unwrap();
        let (sends, recvs) = socket_calls();
        for _ in 0..100 {
            client.create_post(&post()).unwrap();
        }
        let (sends_after, recvs_after) = socket_calls();
        assert_eq!(sends_after - sends, 100, "{scheme}: writes for 100 calls");
        assert_eq!(recvs_after - recvs, 200, "{scheme}: reads for 100 calls");
    }
    assert_eq!(plain.connections.load(Ordering::SeqCst), 1);
    assert_eq!(tls.connections.load(Ordering::SeqCst), 1);

    // A GET has no body: its head goes out when the answer is awaited, in one write too.
    let client = Client::builder()
        .firebase_token("fb_test_hot_path")
        .base_url(format!("http://127.0.0.1:{}", plain.port))
        .build()
        .unwrap();
    client.list_api_keys().ok();
    let (sends, _) = socket_calls();
    for _ in 0..10 {
        client.list_api_keys().ok();
    }
    assert_eq!(socket_calls().0 - sends, 10, "writes for 10 GETs");
}

#[test]
fn raw_ureq_with_a_timeout_creates_a_thread_per_call() {
    // The counter sees what the resolver avoids: ureq's default resolver, with a timeout set,
    // spawns one thread per request even on a pooled connection to an IP literal.
    let server = Server::start(None);
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .new_agent();
    let url = format!("http://127.0.0.1:{}/v1/posts", server.port);
    // Each answer is read to its end, so that its connection goes back to the pool.
    let call = || {
        let mut answer = agent.post(&url).send("{}").unwrap();
        answer.body_mut().read_to_vec().unwrap();
    };
    call();
    let before = threads_created();
    for _ in 0..20 {
        call();
    }
    assert_eq!(threads_created() - before, 20);
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);
}

fn tls_client(port: u16) -> soku::ClientBuilder {
    Client::builder()
        .api_key("sk_test_tls")
        .base_url(format!("https://127.0.0.1:{port}"))
        .max_retries(0)
        .timeout(Duration::from_secs(5))
}

#[test]
fn https_with_a_custom_ca() {
    let pki = pki();
    let server = Server::start(Some(pki.server.clone()));

    // Default roots (webpki): the self-signed CA is unknown, the handshake fails.
    let err = tls_client(server.port)
        .build()
        .unwrap()
        .create_post(&post())
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "{err}"
    );
    // The OS store does not know it either.
    let err = tls_client(server.port)
        .tls_roots(soku::TlsRoots::Os)
        .build()
        .unwrap()
        .create_post(&post())
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");

    // Trusted as PEM text, and as a file.
    let client = tls_client(server.port)
        .ca_pem(pki.ca_pem.clone())
        .build()
        .unwrap();
    for _ in 0..3 {
        assert_eq!(
            client.create_post(&post()).unwrap().data.post_submission_id,
            "ps_1"
        );
    }
    let dir = std::env::temp_dir().join(format!("soku-hot-path-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("ca.pem");
    std::fs::write(&file, &pki.ca_pem).unwrap();
    let client = tls_client(server.port).ca_file(&file).build().unwrap();
    assert_eq!(
        client.create_post(&post()).unwrap().data.post_submission_id,
        "ps_1"
    );
    std::fs::remove_dir_all(&dir).unwrap();

    // The C configuration keys reach the same options.
    let config = serde_json::json!({
        "apiKey": "sk_test_tls",
        "baseUrl": format!("https://127.0.0.1:{}", server.port),
        "caPem": pki.ca_pem,
        "maxRetries": 0,
    });
    let out = ffi_create_post(&config.to_string());
    assert!(out.contains("\"postSubmissionId\":\"ps_1\""), "{out}");
    let config = serde_json::json!({
        "apiKey": "sk_test_tls",
        "baseUrl": format!("https://127.0.0.1:{}", server.port),
        "tlsTrust": "webpki",
        "maxRetries": 0,
    });
    let out = ffi_create_post(&config.to_string());
    assert!(out.contains("\"kind\":\"transport\""), "{out}");
}

#[test]
fn bad_ca_options_are_config_errors() {
    let e = Client::builder()
        .ca_file("/nonexistent/soku-ca.pem")
        .build()
        .unwrap_err();
    assert!(matches!(e, Error::Config { .. }), "{e:?}");
    assert!(e.to_string().contains("/nonexistent/soku-ca.pem"), "{e}");
    let e = Client::builder()
        .ca_pem("not a certificate")
        .build()
        .unwrap_err();
    assert!(matches!(e, Error::Config { .. }), "{e:?}");

    for (config, status, message) in [
        (
            r#"{"caFile": "/nonexistent/soku-ca.pem"}"#,
            soku::ffi::SOKU_ERR_CONFIG,
            "cannot read ca file /nonexistent/soku-ca.pem",
        ),
        (
            r#"{"caPem": "garbage"}"#,
            soku::ffi::SOKU_ERR_CONFIG,
            "ca pem: no pem certificate found",
        ),
        (
            r#"{"tlsTrust": "system"}"#,
            soku::ffi::SOKU_ERR_INVALID_ARGUMENT,
            "config key tlsTrust must be \\\"webpki\\\" or \\\"os\\\"",
        ),
        (
            r#"{"caFile": 1}"#,
            soku::ffi::SOKU_ERR_INVALID_ARGUMENT,
            "config key caFile must be a string",
        ),
    ] {
        let (got, out) = ffi_new(config);
        assert_eq!(got, status, "{config}: {out}");
        assert!(out.contains(message), "{config}: {out}");
    }
}

/// `soku_client_new` with `config`: its status and output JSON.
fn ffi_new(config: &str) -> (i32, String) {
    use std::ffi::{CStr, CString};
    let config = CString::new(config).unwrap();
    let mut client = std::ptr::null_mut();
    let mut out = std::ptr::null_mut();
    // SAFETY: valid C string and out-pointers; the handle and string are freed below.
    unsafe {
        let status = soku::ffi::soku_client_new(config.as_ptr(), &mut client, &mut out);
        let text = CStr::from_ptr(out).to_string_lossy().into_owned();
        soku::ffi::soku_string_free(out);
        soku::ffi::soku_client_free(client);
        (status, text)
    }
}

/// One `soku_posts_create` through a client made from `config`: the output JSON.
fn ffi_create_post(config: &str) -> String {
    use std::ffi::{CStr, CString};
    let config = CString::new(config).unwrap();
    let request = CString::new(
        r#"{"post": {"content": {"text": "hello", "mediaType": "text", "platform": ["x"]}}}"#,
    )
    .unwrap();
    let mut client = std::ptr::null_mut();
    let mut out = std::ptr::null_mut();
    // SAFETY: valid C strings and out-pointers; the handle and strings are freed below.
    unsafe {
        let status = soku::ffi::soku_client_new(config.as_ptr(), &mut client, &mut out);
        assert_eq!(status, soku::ffi::SOKU_OK);
        soku::ffi::soku_string_free(out);
        soku::ffi::soku_posts_create(client, request.as_ptr(), std::ptr::null(), &mut out);
        let text = CStr::from_ptr(out).to_string_lossy().into_owned();
        soku::ffi::soku_string_free(out);
        soku::ffi::soku_client_free(client);
        text
    }
}

#[test]
fn a_failed_connection_looks_the_host_up_again() {
    // A host-name lookup runs on one thread (bounded by the connect timeout), so the thread
    // counter counts lookups: one per attempt after a failed connection, none per call once an
    // address worked (see the first test).
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = Client::builder()
        .api_key("sk_test_hot_path")
        .base_url(format!("http://localhost:{port}"))
        .max_retries(2)
        .backoff_base(Duration::from_millis(1))
        .build()
        .unwrap();
    let before = threads_created();
    let err = client.create_post(&post()).unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(err.meta().map(|m| m.attempts), Some(3));
    assert_eq!(threads_created() - before, 3);
    let before = threads_created();
    let options = soku::CallOptions::new().max_retries(0);
    client.create_post_with(&post(), &options).unwrap_err();
    assert_eq!(threads_created() - before, 1);
}
