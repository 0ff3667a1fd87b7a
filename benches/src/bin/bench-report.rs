//! `bench-report DIR`: prints the Markdown table of every harness run found in `DIR/<server>/`
//! (`fixed`, `sandbox`), then the targets checked against the fixed-server numbers.
//!
//! `bench-report profiles DIR ROUNDS`: the per-call medians of the Rust harnesses in
//! `DIR/{before,after}-<round>/` (written by `benches/sizes.sh`), to compare release profiles.

use std::path::Path;
use std::process::ExitCode;

use soku_bench::results::{self, HarnessRun};
use soku_bench::stats::summarize;

/// Harness run names and the table's labels, in the order.
const HARNESSES: [(&str, &str); 6] = [
    ("rust-soku", "(a) Rust `soku::Client`"),
    ("rust-ureq", "(b) raw ureq 3, same bytes (floor)"),
    ("py-binding", "(c) Python binding `soku.Client`"),
    ("c-abi", "(d) C ABI `soku_posts_create`"),
    ("py-seed", "(e) seed `soku_request` (requests)"),
    ("curl", "(f) curl, one process per call"),
];

const SERVERS: [(&str, &str); 2] = [
    ("fixed", "fixed-response server (client cost)"),
    ("sandbox", "soku-sandbox --no-rate-limits"),
];

/// Live-heap growth (bytes) from call 100 to call N above which the batch counts as growing.
const HEAP_SLACK_BYTES: i64 = 0;
/// RSS growth (kB) from call 100 to call N above which a batch counts as growing. VmRSS is coarse:
/// pages, and the kernel folds per-CPU counter deltas in lazily, so a few dozen kB move by chance.
const RSS_SLACK_KB: i64 = 256;

const USAGE: &str = "usage: bench-report DIR | bench-report profiles DIR ROUNDS";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [dir] => report(Path::new(dir)),
        [mode, dir, rounds] if mode == "profiles" => match rounds.parse() {
            Ok(r) => profiles(Path::new(dir), r),
            Err(e) => Err(std::io::Error::other(format!("ROUNDS: {e}"))),
        },
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

type Runs = Vec<(&'static str, &'static str, HarnessRun)>;

fn report(dir: &Path) -> std::io::Result<String> {
    let mut out = String::new();
    let mut fixed = Runs::new();
    for (server, title) in SERVERS {
        let mut runs = Runs::new();
        for (name, label) in HARNESSES {
            if let Some(run) = results::read(&dir.join(server), name)? {
                runs.push((name, label, run));
            }
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

fn profiles(dir: &Path, rounds: usize) -> std::io::Result<String> {
    let mut t = String::from(
        "| profile | client | median µs per round | median of rounds |\n|---|---|---|---:|\n",
    );
    for build in ["before", "after"] {
        for name in ["rust-soku", "rust-ureq"] {
            let mut medians = Vec::new();
            for round in 1..=rounds {
                let run = results::read(&dir.join(format!("{build}-{round}")), name)?;
                medians.extend(run.as_ref().and_then(median_us));
            }
            let list = medians
                .iter()
                .map(|m| format!("{m:.1}"))
                .collect::<Vec<_>>()
                .join(", ");
            let mut ns: Vec<u64> = medians.iter().map(|m| (m * 1e3) as u64).collect();
            ns.sort_unstable();
            let mid = soku_bench::stats::percentile(&ns, 50.0)
                .map_or("—".into(), |m| format!("{:.1}", m as f64 / 1e3));
            t.push_str(&format!("| {build} | {name} | {list} | {mid} |\n"));
        }
    }
    Ok(t)
}

fn median_us(run: &HarnessRun) -> Option<f64> {
    summarize(&run.latencies_ns, run.meta("total_ns")?).map(|s| s.median_ns as f64 / 1e3)
}

fn table(runs: &Runs) -> String {
    let mut t = String::from(
        "| client | calls | median µs | p99 µs | calls/s | TCP conns | peak RSS MiB | memory, call 100 → N |\n\
         |---|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for (_, label, run) in runs {
        let s = run
            .meta("total_ns")
            .and_then(|total| summarize(&run.latencies_ns, total));
        let (calls, median, p99, rate) = match s {
            Some(s) => (
                s.calls.to_string(),
                format!("{:.1}", s.median_ns as f64 / 1e3),
                format!("{:.1}", s.p99_ns as f64 / 1e3),
                format!("{:.0}", s.calls_per_sec),
            ),
            None => ("0".into(), "—".into(), "—".into(), "—".into()),
        };
        let conns = run.connections.map_or("—".into(), |c| c.to_string());
        let rss = run
            .max_rss_kb
            .map_or("—".into(), |kb| format!("{:.1}", kb as f64 / 1024.0));
        t.push_str(&format!(
            "| {label} | {calls} | {median} | {p99} | {rate} | {conns} | {rss} | {} |\n",
            memory(run)
        ));
    }
    t
}

fn memory(run: &HarnessRun) -> String {
    let heap = run
        .meta("live_after_100_bytes")
        .zip(run.meta("live_after_n_bytes"));
    let rss = run.meta("rss_after_100_kb").zip(run.meta("rss_after_n_kb"));
    let mut parts = Vec::new();
    if let Some((a, b)) = heap {
        parts.push(format!("live heap {a} → {b} B"));
    }
    if let (Some(a), Some(b), Some(calls)) = (
        run.meta("allocs_after_100"),
        run.meta("allocs_after_n"),
        run.meta("calls"),
    ) {
        if calls > 100 {
            parts.push(format!(
                "{:.0} allocs/call",
                (b - a) as f64 / (calls - 100) as f64
            ));
        }
    }
    if let Some((a, b)) = rss {
        parts.push(format!("RSS {a} → {b} kB"));
    }
    if parts.is_empty() {
        "—".into()
    } else {
        parts.join(", ")
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

fn targets(runs: &Runs) -> String {
    let find = |name: &str| runs.iter().find(|(n, _, _)| *n == name).map(|(_, _, r)| r);
    let med = |name: &str| find(name).and_then(median_us);
    let mut t = String::new();
    let mut ratio =
        |what: &str, num: &str, den: &str, ok: fn(f64) -> bool, goal: &str| match med(num)
            .zip(med(den))
        {
            Some((a, b)) if b > 0.0 => {
                let r = a / b;
                t.push_str(&format!(
                    "- {what}: {a:.1} µs / {b:.1} µs = {r:.2}× (target {goal}): {}\n",
                    verdict(ok(r))
                ));
            }
            _ => t.push_str(&format!("- {what}: not measured\n")),
        };
    ratio(
        "Rust client vs raw ureq, median per call",
        "rust-soku",
        "rust-ureq",
        |r| r <= 1.15,
        "≤ 1.15×",
    );
    ratio(
        "Python binding vs Rust client, median per call",
        "py-binding",
        "rust-soku",
        |r| r <= 2.0,
        "≤ 2×",
    );
    ratio(
        "seed requests helper vs Python binding, median per call",
        "py-seed",
        "py-binding",
        |r| r >= 3.0,
        "≥ 3× faster",
    );
    for name in ["rust-soku", "c-abi", "py-binding"] {
        if let Some(run) = find(name) {
            let c = run.connections;
            t.push_str(&format!(
                "- TCP connections, {name}, {} calls: {} (target 1): {}\n",
                run.latencies_ns.len(),
                c.map_or("—".into(), |c| c.to_string()),
                verdict(c == Some(1))
            ));
        }
    }
    if let Some(run) = find("rust-soku") {
        if let Some((a, b)) = run
            .meta("live_after_100_bytes")
            .zip(run.meta("live_after_n_bytes"))
        {
            let grow = b as i64 - a as i64;
            t.push_str(&format!(
                "- live heap growth, rust-soku, call 100 → {}: {grow:+} B (target no growth): {}\n",
                run.latencies_ns.len(),
                verdict(grow <= HEAP_SLACK_BYTES)
            ));
        }
    }
    for name in ["rust-soku", "c-abi", "py-binding"] {
        if let Some((a, b)) =
            find(name).and_then(|r| r.meta("rss_after_100_kb").zip(r.meta("rss_after_n_kb")))
        {
            let grow = b as i64 - a as i64;
            t.push_str(&format!(
                "- RSS growth, {name}, call 100 → N: {grow:+} kB (target ≤ {RSS_SLACK_KB} kB: VmRSS is coarse): {}\n",
                verdict(grow <= RSS_SLACK_KB)
            ));
        }
    }
    t
}
