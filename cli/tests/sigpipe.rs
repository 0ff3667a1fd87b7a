//! A reader that goes away (`soku … | head -c1`, `soku … | true`): every command that prints
//! ends quietly, killed by SIGPIPE as Unix tools are (a shell shows status 141), never with a
//! panic (status 101) or an error message.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

use common::{env_of, pipe_without_reader};
use soku_sandbox::Sandbox;

#[test]
fn every_printing_command_ends_quietly_when_stdout_has_no_reader() {
    let sb = Sandbox::start().unwrap();
    let dir = std::env::temp_dir().join(format!("soku-cli-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("posts.jsonl");
    std::fs::write(
        &file,
        "{\"post\":{\"content\":{\"text\":\"a\",\"platform\":[\"x\"]}}}\n\
         {\"post\":{\"content\":{\"text\":\"b\",\"platform\":[\"instagram\"]}}}\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let commands: &[&[&str]] = &[
        &["--human", "batch", file],
        &["batch", file],
        &["keys", "list"],
        &["--human", "keys", "list"],
        &["post", "hi", "-p", "x"],
        &["--human", "post", "hi", "-p", "x"],
        // An error: its JSON document goes to stdout first.
        &["post", "hi", "-p", "instagram"],
        &["--dry-run", "post", "hi", "-p", "x"],
        &["--sandbox", "--human", "keys", "list"],
        &["template", "render", "tweetImage", "--set", "title=t"],
        &["completions", "bash"],
        &["--help"],
        &["batch", "--help"],
        &["--version"],
    ];
    for args in commands {
        let out = Command::new(env!("CARGO_BIN_EXE_soku"))
            .args(*args)
            .env_clear()
            .envs(env_of(&sb))
            .stdin(Stdio::null())
            .stdout(Stdio::from(pipe_without_reader()))
            .stderr(Stdio::piped())
            .output()
            .expect("run soku");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.signal(),
            Some(libc::SIGPIPE),
            "soku {args:?}: {:?}, stderr: {stderr}",
            out.status
        );
        assert!(!stderr.contains("panicked"), "soku {args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "soku {args:?}: {stderr}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
