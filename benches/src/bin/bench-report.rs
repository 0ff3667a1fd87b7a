//! `bench-report DIR`: prints the Markdown table of every harness run found in
//! `DIR/<server>/r<round>/` (`fixed`, `fixed-tls`, `sandbox`), each median also as a ratio to the
//! raw-socket floor and to raw ureq without timeouts of the same server, then the targets checked
//! against the fixed-server numbers.
//!
//! `bench-report profiles DIR`: the same numbers for the Rust harnesses in
//! `DIR/{before,after}/r<round>/` (written by `benches/sizes.sh`), to compare release profiles.
//!
//! Latencies of all rounds of a harness are pooled (each round is one batch of N sequential calls
//! in a fresh process); connection counts and memory growth are per batch, the worst batch shown.

use std::path::Path;
use std::process::ExitCode;

use soku_bench::results::{self, HarnessRun};
use soku_bench::stats::{Summary, summarize};

/// Harness run names and the table's labels, in the order.
const HARNESSES: [(&str, &str); 13] = [
    (
        "rust-raw-socket",
        "(0) raw socket: one keep-alive socket, fixed POST (the floor)",
    ),
    ("rust-soku", "(a) Rust `soku::Client`"),
    ("rust-ureq", "(b) raw ureq 3, same bytes, timeouts set"),
    (
        "rust-ureq-no-timeout",
        "(b′) raw ureq 3, same bytes, no timeouts",
    ),
    ("py-binding", "(c) Python binding `soku.Client`"),
    ("c-abi", "(d) C ABI `soku_posts_create`"),
    (
        "py-binding-log",
        "(c) Python binding, a logging handler on \"soku\" at DEBUG",
    ),
    (
        "c-abi-log",
        "(d) C ABI, an event callback at SOKU_LOG_DEBUG",
    ),
    ("py-vendor", "(e) vendor `soku_request` (requests)"),
    ("curl", "(f) curl, one process per call"),
    (
        "before-rust-soku",
        "(a) before: Rust `soku::Client`, earlier build",
    ),
    ("before-c-abi", "(d) before: C ABI, earlier build"),
    (
        "before-py-binding",
        "(c) before: Python binding, earlier build",
    ),
];

/// The physical floor and the raw-ureq reference the ratio columns divide by.
const FLOOR: &str = "rust-raw-socket";
const RAW_UREQ: &str = "rust-ureq-no-timeout";

const SERVERS: [(&str, &str); 3] = [
    ("fixed", "fixed-response server (client cost)"),
    (
        "fixed-tls",
        "fixed-response server over HTTPS (TLS 1.3 on loopback, CA trusted via the custom-CA option)",
    ),
    ("sandbox", "soku-sandbox --no-rate-limits"),
];

/// Live-heap growth (bytes) from call 100 to call N above which a batch counts as growing.
const HEAP_SLACK_BYTES: i64 = 0;
/// RSS growth (kB) from call 100 to call N above which a batch counts as growing. VmRSS is coarse:
/// pages, and the kernel folds per-CPU counter deltas in lazily, so a few dozen kB move by chance.
const RSS_SLACK_KB: i64 = 256;

const USAGE: &str = "usage: bench-report DIR | bench-report profiles DIR";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [dir] => report(Path::new(dir)),
        [mode, dir] if mode == "profiles" => profiles(Path::new(dir)),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench-report: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Every round of one harness.
struct Pooled {
    name: &'static str,
    label: &'static str,
    rounds: Vec<HarnessRun>,
}

impl Pooled {
    fn read(dir: &Path, name: &'static str, label: &'static str) -> std::io::Result<Option<Self>> {
        let rounds = results::read_rounds(dir, name)?;
        Ok((!rounds.is_empty()).then_some(Pooled {
            name,
            label,
            rounds,
        }))
    }

    /// All rounds' latencies against all rounds' wall time.
    fn summary(&self) -> Option<Summary> {
        let lat: Vec<u64> = self
            .rounds
            .iter()
            .flat_map(|r| r.latencies_ns.iter().copied())
            .collect();
        let total = self
            .rounds
            .iter()
            .map(|r| r.meta("total_ns"))
            .sum::<Option<u64>>()?;
        summarize(&lat, total)
    }

    fn median_us(&self) -> Option<f64> {
        self.summary().map(|s| s.median_ns as f64 / 1e3)
    }

    fn calls_per_batch(&self) -> usize {
        self.rounds
            .iter()
            .map(|r| r.latencies_ns.len())
            .max()
            .unwrap_or(0)
    }

    /// Connections of the batch that opened the most; `None` if a round was not counted.
    fn connections(&self) -> Option<i64> {
        self.rounds
            .iter()
            .map(|r| r.connections)
            .collect::<Option<Vec<_>>>()?
            .into_iter()
            .max()
    }

    /// Threads created per 1,000 calls, the batch that created the most; `None` if not counted.
    fn threads_per_1000(&self) -> Option<f64> {
        self.rounds
            .iter()
            .map(|r| {
                let t = r.threads? as f64;
                Some(t * 1000.0 / r.latencies_ns.len().max(1) as f64)
            })
            .collect::<Option<Vec<_>>>()?
            .into_iter()
            .reduce(f64::max)
    }

    fn max_rss_kb(&self) -> Option<u64> {
        self.rounds.iter().filter_map(|r| r.max_rss_kb).max()
    }

    /// The (early, late) readings of `early_key`/`late_key` of the batch that grew the most.
    fn worst(&self, early_key: &str, late_key: &str) -> Option<(u64, u64)> {
        self.rounds
            .iter()
            .filter_map(|r| r.meta(early_key).zip(r.meta(late_key)))
            .max_by_key(|(a, b)| *b as i64 - *a as i64)
    }

    fn allocs_per_call(&self) -> Option<f64> {
        let r = self.rounds.first()?;
        let (a, b) = r.meta("allocs_after_100").zip(r.meta("allocs_after_n"))?;
        let calls = r.latencies_ns.len() as u64;
        (calls > 100).then(|| b.saturating_sub(a) as f64 / (calls - 100) as f64)
    }
}

fn report(dir: &Path) -> std::io::Result<String> {
    let mut out = String::new();
    let mut fixed = Vec::new();
    for (server, title) in SERVERS {
        let mut runs = Vec::new();
        for (name, label) in HARNESSES {
            runs.extend(Pooled::read(&dir.join(server), name, label)?);
        }
        if runs.is_empty() {
            continue;
        }
        out.push_str(&format!("\n### {title}\n\n"));
        out.push_str(&table(&runs));
        if server == "fixed" {
            fixed = runs;
        }
    }
    if !fixed.is_empty() {
        out.push_str("\n### Targets (fixed-response server)\n\n");
        out.push_str(&targets(&fixed));
    }
    Ok(out)
}

fn profiles(dir: &Path) -> std::io::Result<String> {
    let mut t = String::from(
        "| profile | client | median µs per round | pooled median µs | pooled p99 µs |\n\
         |---|---|---|---:|---:|\n",
    );
    for build in ["before", "after"] {
        for (name, label) in &HARNESSES[1..3] {
            let Some(p) = Pooled::read(&dir.join(build), name, label)? else {
                continue;
            };
            let per_round = p
                .rounds
                .iter()
                .filter_map(|r| summarize(&r.latencies_ns, r.meta("total_ns")?))
                .map(|s| format!("{:.1}", s.median_ns as f64 / 1e3))
                .collect::<Vec<_>>()
                .join(", ");
            let (median, p99) = p.summary().map_or(("—".into(), "—".into()), |s| {
                (us(s.median_ns), us(s.p99_ns))
            });
            t.push_str(&format!(
                "| {build} | {name} | {per_round} | {median} | {p99} |\n"
            ));
        }
    }
    Ok(t)
}

fn us(ns: u64) -> String {
    format!("{:.1}", ns as f64 / 1e3)
}

fn table(runs: &[Pooled]) -> String {
    let mut t = String::from(
        "| client | batches × calls | median µs | × floor | × raw ureq (no timeout) | p99 µs | calls/s | TCP conns per batch | threads per 1,000 calls | peak RSS MiB | memory, call 100 → N (worst batch) |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
    );
    let median_of = |name: &str| runs.iter().find(|p| p.name == name)?.median_us();
    let ratio = |m: Option<f64>, base: Option<f64>| match m.zip(base) {
        Some((m, b)) if b > 0.0 => format!("{:.2}", m / b),
        _ => "—".into(),
    };
    let (floor, raw) = (median_of(FLOOR), median_of(RAW_UREQ));
    for p in runs {
        let m = p.median_us();
        let (x_floor, x_raw) = (ratio(m, floor), ratio(m, raw));
        let threads = p
            .threads_per_1000()
            .map_or("—".into(), |t| format!("{t:.0}"));
        let (median, p99, rate) = match p.summary() {
            Some(s) => (
                us(s.median_ns),
                us(s.p99_ns),
                format!("{:.0}", s.calls_per_sec),
            ),
            None => ("—".into(), "—".into(), "—".into()),
        };
        let conns = p.connections().map_or("—".into(), |c| c.to_string());
        let rss = p
            .max_rss_kb()
            .map_or("—".into(), |kb| format!("{:.1}", kb as f64 / 1024.0));
        t.push_str(&format!(
            "| {} | {} × {} | {median} | {x_floor} | {x_raw} | {p99} | {rate} | {conns} | {threads} | {rss} | {} |\n",
            p.label,
            p.rounds.len(),
            p.calls_per_batch(),
            memory(p)
        ));
    }
    t
}

fn memory(p: &Pooled) -> String {
    let mut parts = Vec::new();
    if let Some((a, b)) = p.worst("live_after_100_bytes", "live_after_n_bytes") {
        parts.push(format!("live heap {a} → {b} B"));
    }
    if let Some(per_call) = p.allocs_per_call() {
        parts.push(format!("{per_call:.0} allocs/call"));
    }
    if let Some((a, b)) = p.worst("rss_after_100_kb", "rss_after_n_kb") {
        parts.push(format!("RSS {a} → {b} kB"));
    }
    if parts.is_empty() {
        "—".into()
    } else {
        parts.join(", ")
    }
}

/// A target on the ratio of two harnesses' median latencies.
struct RatioTarget {
    what: &'static str,
    num: &'static str,
    den: &'static str,
    limit: f64,
    /// `num / den <= limit` (else `>= limit`).
    at_most: bool,
}

const RATIOS: [RatioTarget; 5] = [
    RatioTarget {
        what: "C ABI vs raw ureq without timeouts, median per call",
        num: "c-abi",
        den: RAW_UREQ,
        limit: 1.2,
        at_most: true,
    },
    RatioTarget {
        what: "C ABI vs the raw-socket floor, median per call",
        num: "c-abi",
        den: FLOOR,
        limit: 2.5,
        at_most: true,
    },
    RatioTarget {
        what: "Rust client vs raw ureq without timeouts, median per call",
        num: "rust-soku",
        den: RAW_UREQ,
        limit: 1.1,
        at_most: true,
    },
    RatioTarget {
        what: "Python binding vs C ABI, median per call",
        num: "py-binding",
        den: "c-abi",
        limit: 1.5,
        at_most: true,
    },
    RatioTarget {
        what: "vendor requests helper vs Python binding, median per call",
        num: "py-vendor",
        den: "py-binding",
        limit: 10.0,
        at_most: false,
    },
];

/// Whether a measurement is on the target's side, as data: a smoke run on a busy machine is often
/// on the far side, and that is a number to read, not a broken build.
fn verdict(ok: bool) -> &'static str {
    if ok {
        "within target"
    } else {
        "outside target"
    }
}

fn targets(runs: &[Pooled]) -> String {
    let find = |name: &str| runs.iter().find(|p| p.name == name);
    let med = |name: &str| find(name).and_then(Pooled::median_us);
    let mut t = String::new();
    for r in RATIOS {
        match med(r.num).zip(med(r.den)) {
            Some((a, b)) if b > 0.0 => {
                let x = a / b;
                let (ok, goal) = if r.at_most {
                    (x <= r.limit, format!("≤ {}×", r.limit))
                } else {
                    (x >= r.limit, format!("≥ {}× faster", r.limit))
                };
                t.push_str(&format!(
                    "- {}: {a:.1} µs / {b:.1} µs = {x:.2}× (target {goal}): {}\n",
                    r.what,
                    verdict(ok)
                ));
            }
            _ => t.push_str(&format!("- {}: not measured\n", r.what)),
        }
    }
    for name in ["rust-soku", "c-abi", "py-binding"] {
        if let Some(p) = find(name) {
            let c = p.connections();
            t.push_str(&format!(
                "- TCP connections, {name}, per batch of {} calls (worst of {}): {} (target 1): {}\n",
                p.calls_per_batch(),
                p.rounds.len(),
                c.map_or("—".into(), |c| c.to_string()),
                verdict(c == Some(1))
            ));
        }
    }
    for name in ["rust-soku", "c-abi", "py-binding"] {
        if let Some(p) = find(name) {
            let n = p.threads_per_1000();
            t.push_str(&format!(
                "- threads created per 1,000 calls, {name} (whole process, worst batch): {} (target 0): {}\n",
                n.map_or("—".into(), |n| format!("{n:.0}")),
                verdict(n == Some(0.0))
            ));
        }
    }
    if let Some((a, b)) =
        find("rust-soku").and_then(|p| p.worst("live_after_100_bytes", "live_after_n_bytes"))
    {
        let grow = b as i64 - a as i64;
        t.push_str(&format!(
            "- live heap growth, rust-soku, call 100 → N (worst batch): {grow:+} B (target no growth): {}\n",
            verdict(grow <= HEAP_SLACK_BYTES)
        ));
    }
    for name in ["rust-soku", "c-abi", "py-binding"] {
        if let Some((a, b)) = find(name).and_then(|p| p.worst("rss_after_100_kb", "rss_after_n_kb"))
        {
            let grow = b as i64 - a as i64;
            t.push_str(&format!(
                "- RSS growth, {name}, call 100 → N (worst batch): {grow:+} kB (target ≤ {RSS_SLACK_KB} kB: VmRSS is coarse): {}\n",
                verdict(grow <= RSS_SLACK_KB)
            ));
        }
    }
    t
}
