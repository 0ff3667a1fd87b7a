//! `bench-rust --client soku|ureq|ureq-no-timeout|raw-socket --url URL --key KEY --n N --out DIR
//! [--ca FILE]`
//!
//! N sequential create-post calls through `soku::Client` (`soku`), raw `ureq` configured like
//! soku (`ureq`), raw `ureq` without timeouts (`ureq-no-timeout`: see
//! `RawClient::without_timeouts`) or one raw keep-alive socket (`raw-socket`, the physical floor,
//! plain http only), timing each; `--ca` names a PEM file of the only CA to trust (HTTPS run); writes `rust-<client>.lat` and `.meta` into DIR (see
//! `soku_bench::results`). A counting global allocator reports allocations and live heap after
//! call 100 and after call N (the "no allocation growth across the batch" check).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use soku_bench::alloc::CountingAlloc;
use soku_bench::clients::{RawClient, RawSocket, create_post_request, soku_client};
use soku_bench::procfs::rss_kb;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc::new();

const USAGE: &str = "usage: bench-rust --client soku|ureq|ureq-no-timeout|raw-socket \
                     --url URL --key KEY --n N --out DIR [--ca FILE]";

/// The call after which the "early" memory reading is taken.
const EARLY: usize = 100;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-rust: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let flags = soku_bench::cli::flags(
        std::env::args().skip(1),
        &["client", "url", "key", "n", "out", "ca"],
    )
    .map_err(|e| format!("{e}\n{USAGE}"))?;
    let get = |k: &str| {
        flags
            .get(k)
            .map(String::as_str)
            .ok_or_else(|| format!("--{k} is required\n{USAGE}"))
    };
    let (url, key) = (get("url")?, get("key")?);
    let n: usize = get("n")?
        .parse()
        .map_err(|e| format!("--n: {e}"))
        .and_then(|n| {
            if n == 0 {
                Err("--n: must be > 0".into())
            } else {
                Ok(n)
            }
        })?;
    let out = PathBuf::from(get("out")?);
    let client = get("client")?;
    let ca = match flags.get("ca") {
        None => None,
        Some(f) => Some(std::fs::read_to_string(f).map_err(|e| format!("--ca {f}: {e}"))?),
    };
    let ca = ca.as_deref();
    let mut call: Box<dyn FnMut() -> Result<(), String>> = match client {
        "soku" => {
            let c = soku_client(url, key, ca).map_err(|e| e.to_string())?;
            let req = create_post_request().map_err(|e| e.to_string())?;
            Box::new(move || {
                let sub = c.create_post(&req).map_err(|e| e.to_string())?;
                if sub.post_submission_id.is_empty() {
                    return Err("empty postSubmissionId".into());
                }
                Ok(())
            })
        }
        "ureq" => {
            let c = RawClient::new(url, key, ca)?;
            Box::new(move || c.create_post().map(drop))
        }
        "ureq-no-timeout" => {
            let c = RawClient::without_timeouts(url, key, ca)?;
            Box::new(move || c.create_post().map(drop))
        }
        "raw-socket" => {
            let mut c = RawSocket::connect(url, key)?;
            Box::new(move || c.create_post())
        }
        other => return Err(format!("unknown --client {other:?}\n{USAGE}")),
    };

    // Written in full (pages touched) before the first reading, like the C harness's array, so
    // that the readings after call 100 and call N compare the client's memory only.
    let mut latencies = vec![u64::MAX; n];
    let _ = rss_kb();
    let mut early = None;
    let started = Instant::now();
    for (i, slot) in (1..=n).zip(latencies.iter_mut()) {
        let t = Instant::now();
        call().map_err(|e| format!("call {i}: {e}"))?;
        *slot = t.elapsed().as_nanos() as u64;
        if i == EARLY.min(n) {
            early = Some((ALLOC.snapshot(), rss_kb().unwrap_or(0)));
        }
    }
    let total_ns = started.elapsed().as_nanos() as u64;
    let (late, late_rss) = (ALLOC.snapshot(), rss_kb().unwrap_or(0));
    let (early, early_rss) = early.ok_or("no early reading")?;
    soku_bench::results::write(
        &out,
        &format!("rust-{client}"),
        &latencies,
        &[
            ("total_ns", total_ns),
            ("calls", n as u64),
            ("rss_after_100_kb", early_rss),
            ("rss_after_n_kb", late_rss),
            ("live_after_100_bytes", early.live_bytes),
            ("live_after_n_bytes", late.live_bytes),
            ("allocs_after_100", early.allocs),
            ("allocs_after_n", late.allocs),
        ],
    )
    .map_err(|e| format!("writing results: {e}"))
}
