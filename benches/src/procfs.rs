//! Memory readings from `/proc/self/status` (Linux).

use std::fs;

/// Reads one `kB` field (such as `VmRSS` or `VmHWM`) of `/proc/self/status`.
///
/// Returns `None` where the file or the field does not exist (not Linux).
pub fn status_kb(field: &str) -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    parse_status_kb(&status, field)
}

/// Finds `field` in the text of a `/proc/<pid>/status` file and returns its value in kB.
pub fn parse_status_kb(status: &str, field: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

/// Current resident set size in kB.
pub fn rss_kb() -> Option<u64> {
    status_kb("VmRSS")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kb_fields() {
        let text = "Name:\tbench\nVmHWM:\t    5120 kB\nVmRSS:\t    4096 kB\n";
        assert_eq!(parse_status_kb(text, "VmRSS"), Some(4096));
        assert_eq!(parse_status_kb(text, "VmHWM"), Some(5120));
        assert_eq!(parse_status_kb(text, "VmSwap"), None);
    }

    #[test]
    fn reads_own_rss() {
        assert!(rss_kb().is_some_and(|kb| kb > 0));
    }
}
