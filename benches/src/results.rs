//! Result files: what each harness leaves in a results directory and how the report reads them.
//!
//! `benches/run.sh` repeats every harness in rounds, one directory per round (`r1`, `r2`, …).
//! Every harness, whatever its language, writes two files for a run named `NAME`:
//! - `NAME.lat`: one per-call latency per line, in nanoseconds, in call order;
//! - `NAME.meta`: `key=value` lines; `total_ns` (wall time around the whole loop) is required,
//!   optional keys are `rss_after_100_kb`, `rss_after_n_kb` (VmRSS after call 100 and after the
//!   last call), `live_after_100_bytes`, `live_after_n_bytes` and `allocs` (Rust only, from
//!   [`CountingAlloc`](crate::alloc::CountingAlloc)).
//!
//! `benches/run.sh` adds `NAME.maxrss` (peak RSS in kB from `/usr/bin/time -f %M`, the one RSS
//! method used for every harness) and `NAME.before.json` / `NAME.after.json` (the server's
//! `{"connections": n, "requests": n}` just before and just after the run), and `NAME.threads`:
//! threads the harness process created (`pthread_create` calls counted by the preloaded
//! `benches/c/count_threads.c`, one line per process, written at exit).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

/// Writes `NAME.lat` and `NAME.meta` into `dir`.
pub fn write(dir: &Path, name: &str, latencies_ns: &[u64], meta: &[(&str, u64)]) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let mut lat = String::with_capacity(latencies_ns.len() * 8);
    for l in latencies_ns {
        let _ = writeln!(lat, "{l}");
    }
    fs::write(dir.join(format!("{name}.lat")), lat)?;
    let mut m = String::new();
    for (k, v) in meta {
        let _ = writeln!(m, "{k}={v}");
    }
    fs::write(dir.join(format!("{name}.meta")), m)
}

/// Everything known about one harness run.
#[derive(Debug, Clone, PartialEq)]
pub struct HarnessRun {
    /// Per-call latencies, ns, in call order.
    pub latencies_ns: Vec<u64>,
    /// The `NAME.meta` keys and values.
    pub meta: BTreeMap<String, u64>,
    /// Peak RSS in kB, if `NAME.maxrss` exists.
    pub max_rss_kb: Option<u64>,
    /// TCP connections the run opened, if both stats files exist: `after - before` (both servers
    /// count only connections that carried an API request, so the stats queries do not count).
    pub connections: Option<i64>,
    /// Threads the harness process created over its whole run, if `NAME.threads` exists.
    pub threads: Option<u64>,
}

impl HarnessRun {
    /// A meta value.
    pub fn meta(&self, key: &str) -> Option<u64> {
        self.meta.get(key).copied()
    }
}

fn invalid(path: &Path, what: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{}: {what}", path.display()),
    )
}

/// Reads the run `NAME` from `dir`; `Ok(None)` if it has no `NAME.lat` (the harness did not run).
pub fn read(dir: &Path, name: &str) -> io::Result<Option<HarnessRun>> {
    let lat_path = dir.join(format!("{name}.lat"));
    let lat = match fs::read_to_string(&lat_path) {
        Ok(s) => s,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let latencies_ns = lat
        .split_whitespace()
        .map(|l| l.parse().map_err(|e| invalid(&lat_path, e)))
        .collect::<io::Result<Vec<u64>>>()?;
    let meta_path = dir.join(format!("{name}.meta"));
    let mut meta = BTreeMap::new();
    for line in fs::read_to_string(&meta_path)?.lines() {
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim().parse().map_err(|e| invalid(&meta_path, e))?;
        meta.insert(k.trim().to_owned(), v);
    }
    let max_rss_kb = read_opt(&dir.join(format!("{name}.maxrss")))?
        .map(|s| s.trim().parse().map_err(|e| invalid(&dir.join(name), e)))
        .transpose()?;
    let before = read_connections(&dir.join(format!("{name}.before.json")))?;
    let after = read_connections(&dir.join(format!("{name}.after.json")))?;
    let connections = before.zip(after).map(|(b, a)| a - b);
    let threads_path = dir.join(format!("{name}.threads"));
    let threads = read_opt(&threads_path)?
        .map(|s| {
            s.split_whitespace()
                .map(|n| n.parse::<u64>().map_err(|e| invalid(&threads_path, e)))
                .sum::<io::Result<u64>>()
        })
        .transpose()?;
    Ok(Some(HarnessRun {
        latencies_ns,
        meta,
        max_rss_kb,
        connections,
        threads,
    }))
}

/// Reads the run `NAME` of every round directory `DIR/r1`, `DIR/r2`, … (in round order) that has
/// one; an empty list if none has.
pub fn read_rounds(dir: &Path, name: &str) -> io::Result<Vec<HarnessRun>> {
    let mut rounds = Vec::new();
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let round = entry
            .file_name()
            .to_str()
            .and_then(|n| n.strip_prefix('r'))
            .and_then(|n| n.parse::<u32>().ok());
        if let Some(round) = round {
            if let Some(run) = read(&entry.path(), name)? {
                rounds.push((round, run));
            }
        }
    }
    rounds.sort_by_key(|(round, _)| *round);
    Ok(rounds.into_iter().map(|(_, run)| run).collect())
}

fn read_opt(path: &Path) -> io::Result<Option<String>> {
    match fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn read_connections(path: &Path) -> io::Result<Option<i64>> {
    let Some(text) = read_opt(path)? else {
        return Ok(None);
    };
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| invalid(path, e))?;
    v.get("connections")
        .and_then(serde_json::Value::as_i64)
        .map(Some)
        .ok_or_else(|| invalid(path, "no connections count"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_run_sh_files() {
        let dir = std::env::temp_dir().join(format!("soku-bench-results-{}", std::process::id()));
        write(&dir, "x", &[3, 1, 2], &[("total_ns", 10), ("allocs", 7)]).unwrap();
        fs::write(dir.join("x.maxrss"), "2048\n").unwrap();
        fs::write(
            dir.join("x.before.json"),
            r#"{"connections":4,"requests":9}"#,
        )
        .unwrap();
        fs::write(
            dir.join("x.after.json"),
            r#"{"connections":5,"requests":12}"#,
        )
        .unwrap();
        let run = read(&dir, "x").unwrap().unwrap();
        assert_eq!(run.latencies_ns, vec![3, 1, 2]);
        assert_eq!(run.meta("total_ns"), Some(10));
        assert_eq!(run.meta("allocs"), Some(7));
        assert_eq!(run.max_rss_kb, Some(2048));
        assert_eq!(run.connections, Some(1));
        assert_eq!(run.threads, None);
        // One line per process of the harness, summed.
        fs::write(dir.join("x.threads"), "0\n3\n").unwrap();
        assert_eq!(read(&dir, "x").unwrap().unwrap().threads, Some(3));
        assert_eq!(read(&dir, "missing").unwrap(), None);
        fs::write(dir.join("bad.lat"), "12\nnope\n").unwrap();
        assert!(read(&dir, "bad").is_err());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn rounds_in_numeric_order() {
        let dir = std::env::temp_dir().join(format!("soku-bench-rounds-{}", std::process::id()));
        for (round, lat) in [(10, 30), (2, 20), (1, 10)] {
            write(
                &dir.join(format!("r{round}")),
                "x",
                &[lat],
                &[("total_ns", 1)],
            )
            .unwrap();
        }
        fs::create_dir_all(dir.join("other")).unwrap();
        let runs = read_rounds(&dir, "x").unwrap();
        let firsts: Vec<u64> = runs.iter().map(|r| r.latencies_ns[0]).collect();
        assert_eq!(firsts, vec![10, 20, 30]);
        assert!(read_rounds(&dir, "missing").unwrap().is_empty());
        assert!(read_rounds(&dir.join("nope"), "x").unwrap().is_empty());
        fs::remove_dir_all(&dir).unwrap();
    }
}
