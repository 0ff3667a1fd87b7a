//! `soku-sandbox`: run the offline Soku API server from the command line (the same flags and
//! output as `soku sandbox`; see [`soku_sandbox::cli`]). It serves until killed (SIGINT,
//! SIGTERM: the default action ends the process), or until stdin ends with
//! `--exit-on-stdin-close`.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(soku_sandbox::cli::run("soku-sandbox", &args, |_| {}));
}
