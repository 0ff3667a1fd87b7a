//! Latency summaries: median, p99 and throughput of one batch.

/// The summary of one batch of sequential calls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Calls measured.
    pub calls: usize,
    /// Median per-call latency (nearest rank, so the lower middle value for an even count), ns.
    pub median_ns: u64,
    /// 99th-percentile per-call latency (nearest rank), ns.
    pub p99_ns: u64,
    /// Calls per second over the whole batch: `calls / total` where `total` is the harness's own
    /// wall-clock time around the loop (so loop and bookkeeping overhead count).
    pub calls_per_sec: f64,
}

/// The nearest-rank percentile `p` (0 < p <= 100) of an ascending slice; `None` if it is empty.
pub fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() || !(p > 0.0 && p <= 100.0) {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

/// Summarises per-call latencies (ns, any order) of a batch that took `total_ns` in all.
///
/// Returns `None` for an empty batch or a zero total.
pub fn summarize(latencies_ns: &[u64], total_ns: u64) -> Option<Summary> {
    if total_ns == 0 {
        return None;
    }
    let mut sorted = latencies_ns.to_vec();
    sorted.sort_unstable();
    Some(Summary {
        calls: sorted.len(),
        median_ns: percentile(&sorted, 50.0)?,
        p99_ns: percentile(&sorted, 99.0)?,
        calls_per_sec: sorted.len() as f64 * 1e9 / total_ns as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<u64> = (1..=1000).collect();
        assert_eq!(percentile(&v, 50.0), Some(500));
        assert_eq!(percentile(&v, 99.0), Some(990));
        assert_eq!(percentile(&v, 100.0), Some(1000));
        assert_eq!(percentile(&[7], 99.0), Some(7));
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(percentile(&v, 0.0), None);
    }

    #[test]
    fn summary_of_unsorted_batch() {
        let s = summarize(&[300, 100, 200, 400], 2_000_000_000).unwrap();
        assert_eq!(s.calls, 4);
        assert_eq!(s.median_ns, 200);
        assert_eq!(s.p99_ns, 400);
        assert!((s.calls_per_sec - 2.0).abs() < 1e-9);
        assert_eq!(summarize(&[], 5), None);
        assert_eq!(summarize(&[1], 0), None);
    }
}
