//! Fork safety: a client used in a process forked from the one that opened its keep-alive
//! connections never reuses them, and never closes them either.
//!
//! A dedicated binary without the test harness (`harness = false` in Cargo.toml): `fork()` in a
//! process whose other threads run tests would copy them half-way. Each scenario forks, and the
//! child runs its calls and reports through its exit status; a watchdog (`alarm`) in every
//! process turns a deadlock into a failure.
//!
//! The server derives each answer from its request: `postSubmissionId` is the request's
//! `Idempotency-Key`, unique per call, so an answer read by the wrong process (or thread) is a
//! crossed answer. The server also records which connection carried each key.

mod pki;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use soku::{CallOptions, Client, CreatePost};

/// Calls made by each process of a scenario.
const CALLS: usize = 200;
/// Seconds before the watchdog kills a process (a deadlock, or a server that never answers).
const WATCHDOG_SECS: u32 = 60;

/// Which connection carried each key; how many connections were accepted.
#[derive(Default)]
struct Seen {
    by_key: HashMap<String, usize>,
}

struct Server {
    port: u16,
    seen: Arc<Mutex<Seen>>,
    /// The CA to trust, for a server over TLS.
    ca_pem: Option<String>,
}

impl Server {
    /// A keep-alive HTTP/1.1 server on loopback (over TLS when `tls` is given), one thread per
    /// connection, answering every request with `{"postSubmissionId": <its Idempotency-Key>}`;
    /// a key that starts with `slow` is answered after 200 ms.
    fn start(tls: Option<Arc<rustls::ServerConfig>>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let connections = Arc::new(AtomicUsize::new(0));
        let record = seen.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let id = connections.fetch_add(1, Ordering::SeqCst);
                let (record, tls) = (record.clone(), tls.clone());
                thread::spawn(move || match tls {
                    None => serve(stream, id, &record),
                    Some(cfg) => {
                        let conn = rustls::ServerConnection::new(cfg).unwrap();
                        serve(rustls::StreamOwned::new(conn, stream), id, &record);
                    }
                });
            }
        });
        Server {
            port,
            seen,
            ca_pem: None,
        }
    }

    /// The connection that carried `key`.
    fn connection_of(&self, key: &str) -> Option<usize> {
        self.seen.lock().unwrap().by_key.get(key).copied()
    }

    /// The connections that carried keys starting with `prefix`.
    fn connections_of(&self, prefix: &str) -> HashSet<usize> {
        let seen = self.seen.lock().unwrap();
        seen.by_key
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(_, c)| *c)
            .collect()
    }
}

fn serve(stream: impl Read + Write, id: usize, seen: &Mutex<Seen>) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut key = String::new();
        let mut length = 0usize;
        let mut line = String::new();
        // The request line, then the headers.
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((name, value)) = l.split_once(':') {
                match name.trim().to_ascii_lowercase().as_str() {
                    "idempotency-key" => key = value.trim().to_owned(),
                    "content-length" => length = value.trim().parse().unwrap_or(0),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        seen.lock().unwrap().by_key.insert(key.clone(), id);
        if key.starts_with("slow") {
            thread::sleep(Duration::from_millis(200));
        }
        let answer = format!("{{\"postSubmissionId\":\"{key}\"}}");
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{answer}",
            answer.len()
        );
        let out = reader.get_mut();
        if out
            .write_all(reply.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            return;
        }
    }
}

fn client(server: &Server) -> Client {
    let scheme = if server.ca_pem.is_some() {
        "https"
    } else {
        "http"
    };
    let mut b = Client::builder();
    if let Some(ca) = &server.ca_pem {
        b = b.ca_pem(ca.as_bytes());
    }
    b.api_key("sk_test_fork")
        .base_url(format!("{scheme}://127.0.0.1:{}", server.port))
        // Every failure surfaces: nothing is retried behind the test's back.
        .max_retries(0)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Crossed answers and errors over `n` calls whose keys are `<prefix>-<i>`.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Tally {
    crossed: usize,
    errors: usize,
}

fn calls(client: &Client, prefix: &str, n: usize) -> Tally {
    let post = CreatePost::text("hello", ["x"]);
    let mut t = Tally::default();
    for i in 0..n {
        let key = format!("{prefix}-{i}");
        match client.create_post_with(&post, &CallOptions::new().idempotency_key(&key)) {
            Ok(r) if r.data.post_submission_id == key => {}
            Ok(r) => {
                eprintln!(
                    "{prefix}: call {key} got the answer for {}",
                    r.data.post_submission_id
                );
                t.crossed += 1;
            }
            Err(e) => {
                eprintln!("{prefix}: call {key}: {e}");
                t.errors += 1;
            }
        }
    }
    t
}

/// Forks; the child runs `child` (its return value is its exit status), drops the client,
/// and exits without running the parent's destructors or atexit handlers.
fn fork(child: impl FnOnce() -> i32) -> libc::pid_t {
    // SAFETY: fork has no precondition; the child only runs `child` (which uses the soku
    // client, the allocator and stderr: no lock another thread of this process could hold
    // forever, which is what the test checks for the client) and then `_exit`.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        // SAFETY: alarm and _exit have no precondition.
        unsafe { libc::alarm(WATCHDOG_SECS) };
        let status = child();
        unsafe { libc::_exit(status) };
    }
    pid
}

/// The child's exit status, or a description of how it died.
fn wait(pid: libc::pid_t) -> Result<(), String> {
    let mut status = 0;
    // SAFETY: a pid this process forked; `status` is a valid out-pointer.
    let r = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(r, pid, "waitpid");
    if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
        return Ok(());
    }
    if libc::WIFSIGNALED(status) {
        return Err(format!(
            "child killed by signal {} (the watchdog's is SIGALRM, a deadlock)",
            libc::WTERMSIG(status)
        ));
    }
    Err(format!("child exit status {}", libc::WEXITSTATUS(status)))
}

fn tally_status(who: &str, t: Tally) -> i32 {
    eprintln!(
        "{who}: {CALLS} calls, {} crossed answers, {} errors",
        t.crossed, t.errors
    );
    i32::from(t != Tally::default())
}

/// A call, a fork, then 200 calls in each process at the same time; the child drops its
/// client before exiting; the parent's connection keeps serving it afterwards.
fn fork_between_calls(server: &Server) -> Result<(), String> {
    // The child takes the process's only handle, so that dropping it drops the client.
    let only = std::cell::RefCell::new(Some(client(server)));
    let client = || only.borrow().clone().unwrap();
    calls(&client(), "parent-before", 1);
    let pid = fork(|| {
        let owned = only.borrow_mut().take().unwrap();
        let t = calls(&owned, "child", CALLS);
        // The last handle: the client is dropped, leaking (never closing) the inherited
        // connections; closing them would break the parent's.
        drop(owned);
        tally_status("fork between calls: child", t)
    });
    let client = client();
    let parent = calls(&client, "parent-during", CALLS);
    let child = wait(pid);
    let after = calls(&client, "parent-after", CALLS);
    tally_status("fork between calls: parent", parent);
    tally_status("fork between calls: parent after the child exited", after);
    child?;
    if parent != Tally::default() || after != Tally::default() {
        return Err("parent: crossed answers or errors".into());
    }
    let before = server
        .connection_of("parent-before-0")
        .ok_or("no connection for the first call")?;
    let parent_conns = server.connections_of("parent-");
    let child_conns = server.connections_of("child-");
    eprintln!(
        "fork between calls: parent used connections {parent_conns:?}, child {child_conns:?}"
    );
    if parent_conns != HashSet::from([before]) {
        return Err(format!(
            "the parent's pooled connection should have served all its calls: {parent_conns:?}"
        ));
    }
    if child_conns.contains(&before) || child_conns.is_empty() {
        return Err(format!(
            "the child reused the parent's connection: {child_conns:?}"
        ));
    }
    Ok(())
}

/// Forks ten times while other threads are mid-call (one waiting on a slow answer, two
/// calling in a loop, so that the pool's and the resolver's locks are often held at the moment
/// of the fork): every child completes its 200 calls, within the watchdog.
fn fork_while_another_thread_is_mid_call(server: &Server) -> Result<(), String> {
    let client = client(server);
    calls(&client, "warm", 1);
    let stop = Arc::new(AtomicBool::new(false));
    let in_slow_call = Arc::new(AtomicBool::new(false));
    let mut threads = Vec::new();
    {
        let (client, stop, busy) = (client.clone(), stop.clone(), in_slow_call.clone());
        threads.push(thread::spawn(move || {
            let mut t = Tally::default();
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                busy.store(true, Ordering::SeqCst);
                let r = calls(&client, &format!("slow-{i}"), 1);
                busy.store(false, Ordering::SeqCst);
                t.crossed += r.crossed;
                t.errors += r.errors;
                i += 1;
            }
            t
        }));
    }
    for n in 0..2 {
        let (client, stop) = (client.clone(), stop.clone());
        threads.push(thread::spawn(move || {
            let mut t = Tally::default();
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                let r = calls(&client, &format!("busy{n}-{i}"), 1);
                t.crossed += r.crossed;
                t.errors += r.errors;
                i += 1;
            }
            t
        }));
    }
    let mut result = Ok(());
    let mut mid_call = 0;
    for round in 0..10 {
        thread::sleep(Duration::from_millis(30));
        if in_slow_call.load(Ordering::SeqCst) {
            mid_call += 1;
        }
        let pid = fork(|| {
            let t = calls(&client, &format!("child{round}"), CALLS);
            i32::from(t != Tally::default())
        });
        if let Err(e) = wait(pid) {
            result = Err(format!("round {round}: {e}"));
            break;
        }
    }
    stop.store(true, Ordering::SeqCst);
    let mut parent = Tally::default();
    for t in threads {
        let t = t.join().unwrap();
        parent.crossed += t.crossed;
        parent.errors += t.errors;
    }
    eprintln!(
        "fork while another thread is mid-call: 10 children x {CALLS} calls completed, {mid_call} \
         forks taken while a slow call was in flight; parent threads: {} crossed, {} errors",
        parent.crossed, parent.errors
    );
    result?;
    if parent != Tally::default() {
        return Err("parent threads: crossed answers or errors".into());
    }
    if mid_call == 0 {
        return Err("no fork happened while a call was in flight".into());
    }
    Ok(())
}

fn main() -> ExitCode {
    // SAFETY: alarm has no precondition.
    unsafe { libc::alarm(WATCHDOG_SECS * 2) };
    let http = Server::start(None);
    let pki::Pki {
        ca_pem,
        server: tls,
    } = pki::pki();
    let https = Server {
        ca_pem: Some(ca_pem),
        ..Server::start(Some(tls))
    };
    let mut failed = 0;
    for (name, server, scenario) in [
        (
            "fork_between_calls (http)",
            &http,
            fork_between_calls as fn(&Server) -> Result<(), String>,
        ),
        ("fork_between_calls (https)", &https, fork_between_calls),
        (
            "fork_while_another_thread_is_mid_call (http)",
            &http,
            fork_while_another_thread_is_mid_call,
        ),
        (
            "fork_while_another_thread_is_mid_call (https)",
            &https,
            fork_while_another_thread_is_mid_call,
        ),
    ] {
        match scenario(server) {
            Ok(()) => println!("test {name} ... ok"),
            Err(e) => {
                println!("test {name} ... failed: {e}");
                failed += 1;
            }
        }
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
