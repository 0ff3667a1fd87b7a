//! `soku-sandbox`: run the offline Soku API server from the command line.

use std::io::Write;
use std::time::Duration;

const USAGE: &str = "usage: soku-sandbox [--port N] [--host ADDR] [--no-rate-limits] [--window-ms N] \
[--limit ENDPOINT=N]... [--accounts PLATFORM=ID,ID]... [--firebase-token T]... [--credits N] \
[--no-scheduled-time-check]";

fn parse_args(args: &[String]) -> Result<soku_sandbox::SandboxBuilder, String> {
    let mut b = soku_sandbox::Sandbox::builder();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        b = match arg.as_str() {
            "--port" => b.port(
                value("--port")?
                    .parse()
                    .map_err(|_| "--port needs a number")?,
            ),
            "--host" => b.host(value("--host")?),
            "--no-rate-limits" => b.rate_limits(false),
            "--window-ms" => {
                let ms: u64 = value("--window-ms")?
                    .parse()
                    .map_err(|_| "--window-ms needs a number")?;
                b.window(Duration::from_millis(ms))
            }
            "--limit" => {
                let spec = value("--limit")?;
                let (name, n) = spec.split_once('=').ok_or("--limit needs ENDPOINT=N")?;
                // An unknown name is reported by start().
                b.limit(name, n.parse().map_err(|_| "--limit needs ENDPOINT=N")?)
            }
            "--accounts" => {
                let spec = value("--accounts")?;
                let (platform, ids) = spec
                    .split_once('=')
                    .ok_or("--accounts needs PLATFORM=ID,ID")?;
                b.connected_accounts(platform, ids.split(',').filter(|id| !id.is_empty()))
            }
            "--firebase-token" => b.extra_firebase_token(value("--firebase-token")?),
            "--credits" => b.credits(
                value("--credits")?
                    .parse()
                    .map_err(|_| "--credits needs a number")?,
            ),
            "--no-scheduled-time-check" => b.check_scheduled_time(false),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}")),
        };
    }
    Ok(b)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let builder = match parse_args(&args) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("soku-sandbox: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let sb = match builder.start() {
        Ok(sb) => sb,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            eprintln!("soku-sandbox: {e}\n{USAGE}");
            std::process::exit(2);
        }
        Err(e) => {
            eprintln!("soku-sandbox: cannot start: {e}");
            std::process::exit(1);
        }
    };
    let mut out = std::io::stdout().lock();
    let printed = writeln!(out, "{}", sb.url())
        .and_then(|_| writeln!(out, "SOKU_API_KEY={}", sb.api_key()))
        .and_then(|_| writeln!(out, "SOKU_FIREBASE_TOKEN={}", sb.firebase_token()))
        .and_then(|_| writeln!(out, "SOKU_INACTIVE_API_KEY={}", sb.inactive_api_key()))
        .and_then(|_| writeln!(out, "SOKU_DEFAULT_KEY_ID={}", sb.default_key_id()))
        // Last, so that readers of the first five lines keep working: with the key line above,
        // a pair a user can paste into a shell (`export SOKU_BASE_URL=... SOKU_API_KEY=...`).
        .and_then(|_| writeln!(out, "SOKU_BASE_URL={}", sb.url()))
        .and_then(|_| out.flush());
    drop(out);
    if let Err(e) = printed {
        eprintln!("soku-sandbox: cannot write to stdout: {e}");
    }
    // Serve until killed.
    loop {
        std::thread::park();
    }
}
