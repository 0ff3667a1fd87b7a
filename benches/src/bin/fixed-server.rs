//! `fixed-server [--host 127.0.0.1] [--port 0]`: serves the fixed create-post answer until killed.
//!
//! Prints its URL (`http://127.0.0.1:PORT`) on the first line, flushed, so scripts can read it.

use std::io::Write;
use std::process::ExitCode;

use soku_bench::fixed::FixedServer;

fn main() -> ExitCode {
    let flags = match soku_bench::cli::flags(std::env::args().skip(1), &["host", "port"]) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("fixed-server: {e}\nusage: fixed-server [--host 127.0.0.1] [--port 0]");
            return ExitCode::from(2);
        }
    };
    let host = flags.get("host").map_or("127.0.0.1", String::as_str);
    let port = flags.get("port").map_or("0", String::as_str);
    let server = match FixedServer::start(&format!("{host}:{port}")) {
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
