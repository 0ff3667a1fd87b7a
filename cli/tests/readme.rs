//! Runs every line of the `sh` blocks of cli/README.md with the built `soku` first on PATH:
//! each must exit 0 and print no credential. Each `bash` block (the offline test) runs as one
//! script, the same way.

mod common;

use std::path::Path;
use std::process::Command;

#[test]
fn readme_examples_run() {
    let readme = include_str!("../README.md");
    let mut lines = Vec::new();
    let mut in_sh = false;
    for line in readme.lines() {
        match line.trim() {
            "```sh" => in_sh = true,
            "```" => in_sh = false,
            l if in_sh && !l.is_empty() && !l.starts_with('#') => lines.push(l.to_owned()),
            _ => {}
        }
    }
    assert!(lines.len() >= 15, "the README's examples were not found");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_soku")).parent().unwrap();
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", bin_dir.display());
    for line in &lines {
        assert!(
            line.starts_with("soku ") || line.contains("| soku "),
            "{line}"
        );
        let out = Command::new("bash")
            .args(["-euo", "pipefail", "-c", line])
            .env_clear()
            .env("PATH", &path)
            .output()
            .expect("run bash");
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(
            out.status.success(),
            "{line}\nstdout: {stdout}\nstderr: {stderr}"
        );
        for secret in common::SECRETS {
            assert!(
                !stdout.contains(secret) && !stderr.contains(secret),
                "{line}"
            );
        }
    }
}

#[test]
fn readme_bash_scripts_run() {
    let readme = include_str!("../README.md");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (line.trim(), current.as_mut()) {
            ("```bash", None) => current = Some(String::new()),
            ("```", Some(_)) => blocks.extend(current.take()),
            (_, Some(block)) => {
                block.push_str(line);
                block.push('\n');
            }
            _ => {}
        }
    }
    assert_eq!(blocks.len(), 1, "the offline-test script");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_soku")).parent().unwrap();
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", bin_dir.display());
    for block in &blocks {
        let out = Command::new("bash")
            .args(["-euo", "pipefail", "-c", block])
            .env_clear()
            .env("PATH", &path)
            .output()
            .expect("run bash");
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(
            out.status.success(),
            "{block}\nstdout: {stdout}\nstderr: {stderr}"
        );
        for secret in common::SECRETS {
            assert!(!stdout.contains(secret) && !stderr.contains(secret));
        }
    }
}
