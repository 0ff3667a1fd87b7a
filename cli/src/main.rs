//! `soku`: every Soku API call and workflow as one shell command, with the library's retries,
//! idempotency keys, rate-limit pacing and validation. `soku --help` lists the commands and the
//! exit statuses.

mod args;
mod interrupt;
mod logger;
mod output;
mod plan;
mod platforms;
mod run;
mod time;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use args::{Cli, Command};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Usage errors (stderr), and help or version on a terminal: clap prints them.
        Err(e) if e.use_stderr() || std::io::stdout().is_terminal() => e.exit(),
        // Help or version into a pipe: printed like every other output, so that a reader gone
        // ends the command by SIGPIPE instead of a silent 0.
        Err(e) => {
            output::out(&e.render().to_string());
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    if let Command::Completions { shell } = cli.command {
        // Generated into memory: clap_complete panics when its writer fails (a reader gone).
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), "soku", &mut script);
        output::out(&String::from_utf8_lossy(&script));
        return ExitCode::SUCCESS;
    }
    if let Command::Sandbox { flags } = &cli.command {
        return ExitCode::from(sandbox(flags));
    }
    if cli.global.verbose {
        logger::init();
    }
    let out = output::Output::new(&cli.global);
    let code = match run::run(cli) {
        Ok(done) => out.success(&done),
        Err(err) => out.failure(&err),
    };
    ExitCode::from(code)
}

/// `soku sandbox`: the sandbox library's own command line, stopped cleanly (connections
/// closed, exit 0) by SIGINT or SIGTERM.
fn sandbox(flags: &[String]) -> u8 {
    use signal_hook::consts::{SIGINT, SIGTERM};
    use soku_sandbox::cli::Stop;
    let code = soku_sandbox::cli::run("soku sandbox", flags, |stop| {
        let mut signals = match signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
            Ok(s) => s,
            Err(e) => {
                // The default actions stay: a signal still ends the process.
                eprintln!("soku sandbox: cannot install the signal handlers: {e}");
                return;
            }
        };
        let _ = std::thread::Builder::new()
            .name("soku-signals".into())
            .spawn(move || {
                if let Some(sig) = signals.forever().next() {
                    let name = if sig == SIGINT { "SIGINT" } else { "SIGTERM" };
                    let _ = stop.send(Stop::Signal(name));
                }
            });
    });
    u8::try_from(code).unwrap_or(1)
}
