//! `fixed-server [--host 127.0.0.1] [--port 0] [--tls-ca-out FILE]`: serves the fixed create-post
//! answer until killed.
//!
//! Prints its URL (`http://127.0.0.1:PORT`) on the first line, flushed, so scripts can read it.
//! With `--tls-ca-out` it serves HTTPS (`https://…`) with a certificate signed by a CA made at
//! start, whose PEM it writes to FILE before printing the URL.

use std::io::Write;
use std::process::ExitCode;

use soku_bench::fixed::{FixedServer, TestPki};

fn main() -> ExitCode {
    let flags = match soku_bench::cli::flags(
        std::env::args().skip(1),
        &["host", "port", "tls-ca-out"],
    ) {
        Ok(f) => f,
        Err(e) => {
            eprintln!(
                "fixed-server: {e}\nusage: fixed-server [--host 127.0.0.1] [--port 0] [--tls-ca-out FILE]"
            );
            return ExitCode::from(2);
        }
    };
    let host = flags.get("host").map_or("127.0.0.1", String::as_str);
    let port = flags.get("port").map_or("0", String::as_str);
    let addr = format!("{host}:{port}");
    let started = match flags.get("tls-ca-out") {
        None => FixedServer::start(&addr).map_err(|e| e.to_string()),
        Some(file) => TestPki::generate().and_then(|pki| {
            std::fs::write(file, &pki.ca_pem).map_err(|e| format!("{file}: {e}"))?;
            FixedServer::start_tls(&addr, pki.server).map_err(|e| e.to_string())
        }),
    };
    let server = match started {
        Ok(s) => s,
        Err(e) => {
            eprintln!("fixed-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{}", server.url())
        .and_then(|()| out.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    drop(out);
    server.wait();
    ExitCode::SUCCESS
}
