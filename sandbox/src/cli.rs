//! The command line of the sandbox, shared by the `soku-sandbox` binary and `soku sandbox`:
//! the flags, the start-up lines (or one JSON object) and serving in the foreground until told
//! to stop.

use std::io::{self, Read, Write};
use std::sync::mpsc;
use std::time::Duration;

use crate::{Sandbox, SandboxBuilder};

/// The flags, after the program's name in the usage line.
pub const FLAGS: &str = "[--port N] [--host ADDR] [--no-rate-limits] [--window-ms N] \
[--limit ENDPOINT=N]... [--accounts PLATFORM=ID,ID]... [--firebase-token T]... [--credits N] \
[--no-scheduled-time-check] [--json] [--exit-on-stdin-close]";

/// The usage line of `program`.
pub fn usage(program: &str) -> String {
    format!("usage: {program} {FLAGS}")
}

/// What the flags asked for.
#[derive(Debug)]
pub enum Parsed {
    /// Start a sandbox with these options.
    Run(Options),
    /// `-h` / `--help`: print the usage line and exit 0.
    Help,
}

/// The options of a foreground sandbox.
#[derive(Debug, Default)]
pub struct Options {
    /// The sandbox's configuration.
    pub builder: SandboxBuilder,
    /// Print one JSON object instead of the lines. Default off.
    pub json: bool,
    /// Stop when standard input reaches its end (the parent closed the pipe or died). Default off.
    pub exit_on_stdin_close: bool,
}

/// Parses the flags (without the program name). An unknown limit name or a blank token is
/// reported later, by [`SandboxBuilder::start`].
pub fn parse(args: &[String]) -> Result<Parsed, String> {
    let mut o = Options {
        builder: Sandbox::builder(),
        ..Options::default()
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        let b = std::mem::take(&mut o.builder);
        o.builder = match arg.as_str() {
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
            "--json" => {
                o.json = true;
                b
            }
            "--exit-on-stdin-close" => {
                o.exit_on_stdin_close = true;
                b
            }
            "-h" | "--help" => return Ok(Parsed::Help),
            other => return Err(format!("unknown argument {other:?}")),
        };
    }
    Ok(Parsed::Run(o))
}

/// Why a foreground sandbox stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// A signal, by name (`SIGINT`, `SIGTERM`).
    Signal(&'static str),
    /// Standard input reached its end (`--exit-on-stdin-close`).
    StdinClosed,
}

/// The start-up document of `--json`: `url` (also `baseUrl`), `apiKey`, `firebaseToken`,
/// `inactiveApiKey`, `defaultKeyId`, `controlUrl` (the control API's prefix, `<url>/__sandbox`)
/// and `pid`.
pub fn json_line(sb: &Sandbox) -> String {
    serde_json::json!({
        "url": sb.url(),
        "baseUrl": sb.url(),
        "apiKey": sb.api_key(),
        "firebaseToken": sb.firebase_token(),
        "inactiveApiKey": sb.inactive_api_key(),
        "defaultKeyId": sb.default_key_id(),
        "controlUrl": format!("{}/__sandbox", sb.url()),
        "pid": std::process::id(),
    })
    .to_string()
}

/// The start-up lines: the bare URL, then `KEY=VALUE` lines a shell can `export`.
pub fn lines(sb: &Sandbox) -> String {
    format!(
        "{url}\nSOKU_API_KEY={}\nSOKU_FIREBASE_TOKEN={}\nSOKU_INACTIVE_API_KEY={}\n\
         SOKU_DEFAULT_KEY_ID={}\nSOKU_BASE_URL={url}\n",
        sb.api_key(),
        sb.firebase_token(),
        sb.inactive_api_key(),
        sb.default_key_id(),
        url = sb.url(),
    )
}

/// Runs a sandbox in the foreground: parses `args`, starts it, hands `watch` the sender of its
/// stop channel, then prints the start-up lines (or the JSON object, `--json`) flushed on
/// stdout (so a stop sent as soon as they are read is heard), and serves until a [`Stop`]
/// arrives on that channel (the caller's signal watcher, say; with
/// `--exit-on-stdin-close` a thread reading stdin to its end sends too). Then the sandbox
/// stops (every connection closed) and the exit status is returned: 0 after a stop (or
/// `--help`), 2 for bad flags (a usage line on stderr), 1 when the server cannot start.
/// Every message starts with `program`.
pub fn run(program: &str, args: &[String], watch: impl FnOnce(mpsc::Sender<Stop>)) -> i32 {
    let options = match parse(args) {
        Ok(Parsed::Run(o)) => o,
        Ok(Parsed::Help) => {
            println!("{}", usage(program));
            return 0;
        }
        Err(e) => {
            eprintln!("{program}: {e}\n{}", usage(program));
            return 2;
        }
    };
    let sb = match options.builder.start() {
        Ok(sb) => sb,
        Err(e) if e.kind() == io::ErrorKind::InvalidInput => {
            eprintln!("{program}: {e}\n{}", usage(program));
            return 2;
        }
        Err(e) => {
            eprintln!("{program}: cannot start: {e}");
            return 1;
        }
    };
    // The stop watchers first: a reader of the start-up output may signal at once.
    let (tx, rx) = mpsc::channel();
    if options.exit_on_stdin_close {
        let tx = tx.clone();
        let spawned = std::thread::Builder::new()
            .name("sandbox-stdin".into())
            .spawn(move || {
                let mut sink = [0u8; 512];
                let mut stdin = io::stdin().lock();
                // Whatever is written is ignored; the end (or an error) stops the sandbox.
                while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
                let _ = tx.send(Stop::StdinClosed);
            });
        if let Err(e) = spawned {
            eprintln!("{program}: cannot watch stdin: {e}");
            return 1;
        }
    }
    watch(tx.clone());
    let text = if options.json {
        json_line(&sb) + "\n"
    } else {
        lines(&sb)
    };
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        eprintln!("{program}: cannot write to stdout: {e}");
    }
    drop(out);

    // Keep a sender alive: with no watcher the sandbox serves until the process is killed.
    let _keep = tx;
    let _ = rx.recv();
    drop(sb);
    0
}
