//! The command line: every flag and subcommand, parsed by clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The exit statuses, shown at the end of `soku --help`.
pub const EXIT_TABLE: &str = "\
Exit status:
  0  success
  1  partial success: a batch finished but some posts failed (each failure is in the
     results), or a key rotation could not revoke the old key (the new key is printed)
  2  invalid argument: bad flag or input, or a check before any change failed (nothing
     was changed: nothing was sent, or for `keys rotate` only the key list was read)
  3  configuration: missing or invalid credential or base URL (nothing was sent)
  4  API error 4xx (other than 429), e.g. validation_error, unauthorized, not_found
  5  rate limited: 429 after every retry
  6  server error 5xx after every retry
  7  transport: connection refused, dropped or garbled answer
  8  timeout: no complete answer in time
  9  answer not understood (a 2xx body that is not the documented JSON)
  130  batch interrupted by SIGINT (Ctrl-C); 143 by SIGTERM: what was published and what
       was not is printed; run the same command again to resume (see soku batch --help)
  141  stdout closed by its reader (soku ... | head): ended quietly by SIGPIPE

Environment: SOKU_API_KEY (content calls), SOKU_FIREBASE_TOKEN (keys commands),
SOKU_BASE_URL (default https://api.mysoku.io), HTTPS_PROXY (only with --proxy-from-env).
Secrets are never accepted as flag values.";

/// The batch key and the resume, shown at the end of `soku batch --help`.
pub const BATCH_HELP: &str = "\
Batch key: post i is sent with the Idempotency-Key <BATCH_KEY>-<i>, and the server publishes a
key once, replaying its first answer to a repeat. The batch key is printed on stderr first:
  default             batch-<SHA-256 of the posts, 32 hex digits>: the same posts give the same
                      key, so running the same command again, after an interruption at any point
                      (Ctrl-C, SIGTERM, even kill -9 or a crash), publishes only what was not
                      published yet, and nothing twice
  --idempotency-key K K itself: resume a batch with `soku batch FILE --idempotency-key K`
  --new-batch-key     a fresh random key, printed: to publish the same posts again on purpose
                      (the default key would only replay them); resume it with
                      --idempotency-key and the printed key
The guarantee lasts as long as the server remembers a key: the Soku API promises a replay
\"within the server's window\" and documents no duration; the offline sandbox keeps the last
10,000 keys. Past it, a re-run publishes again.

Interrupted (SIGINT, SIGTERM): the batch stops before its next post (a wait for the rate-limit
window ends within 0.1 s; a post in flight finishes), prints on stderr each post published
(index, postSubmissionId, idempotency key), failed or not sent, and the resume command; the
JSON output has \"interrupted\" (the signal) and \"notSent\" (the indexes). Exit 130 for
SIGINT, 143 for SIGTERM. A signal while the input is still read ends the command at once
(nothing was sent).";

/// Publish to X, Threads, LinkedIn, Instagram, Facebook, TikTok and YouTube through the Soku API:
/// retries, idempotency keys, rate-limit pacing and validation included.
#[derive(Debug, Parser)]
#[command(name = "soku", version, after_help = EXIT_TABLE)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts.
#[derive(Debug, Args)]
pub struct Global {
    /// Run against an embedded offline sandbox (fixture credentials; nothing leaves this machine).
    #[arg(long, global = true)]
    pub sandbox: bool,
    /// Print the result as JSON (`{"data", "meta"}` or `{"error", "meta"}`). Default when stdout
    /// is not a terminal.
    #[arg(long, global = true, conflicts_with = "human")]
    pub json_output: bool,
    /// Print the short human summary even when stdout is not a terminal.
    #[arg(long, global = true)]
    pub human: bool,
    /// Validate and print the request(s) that would be sent (secrets redacted); send nothing.
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Log every HTTP attempt (method, path, status, attempt, wait, request id) to stderr.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Idempotency-Key of the call (workflows derive their per-step keys from it; for `batch`
    /// the batch key). Default: a fresh random key per post, upload and transcription; for
    /// `batch` one derived from the posts (see `soku batch --help`).
    #[arg(long, global = true, value_name = "KEY")]
    pub idempotency_key: Option<String>,
    /// Bound on each attempt, e.g. 30s, 500ms, 2m (units ms, s, m, h, d; a bare number is
    /// seconds). Default 30s.
    #[arg(long, global = true, value_name = "DURATION", value_parser = crate::time::parse_duration)]
    pub timeout: Option<std::time::Duration>,
    /// Retries after the first attempt. Default 3; 0 disables retrying.
    #[arg(long, global = true, value_name = "N")]
    pub max_retries: Option<u32>,
    /// Read the API key from this file (first line) instead of SOKU_API_KEY.
    #[arg(long, global = true, value_name = "PATH")]
    pub api_key_file: Option<PathBuf>,
    /// Read the Firebase ID token from this file (first line) instead of SOKU_FIREBASE_TOKEN.
    #[arg(long, global = true, value_name = "PATH")]
    pub firebase_token_file: Option<PathBuf>,
    /// Send platform names outside the documented list (x, threads, linkedin, instagram,
    /// facebook, tiktok, youtube; twitter = x) as given, for a platform newer than this
    /// release. Default off: an unknown name is a usage error (exit 2) and nothing is sent.
    #[arg(long, global = true)]
    pub allow_unknown_platform: bool,
    /// Send every request through this HTTP(S) proxy, e.g. http://proxy.internal:3128. Default:
    /// none. Not with user:password@ (a flag value lands in the shell history): put such a URL
    /// in HTTPS_PROXY and pass --proxy-from-env.
    #[arg(
        long,
        global = true,
        value_name = "URL",
        conflicts_with = "proxy_from_env"
    )]
    pub proxy: Option<String>,
    /// Take the proxy from HTTPS_PROXY (else https_proxy). Without it the proxy variables are
    /// ignored.
    #[arg(long, global = true)]
    pub proxy_from_env: bool,
}

/// The raw documented request body, instead of the command's arguments.
#[derive(Debug, Args)]
pub struct Body {
    /// Send this JSON request body (a file, or - for stdin) instead of building it from the
    /// arguments.
    #[arg(long, value_name = "FILE|-")]
    pub json: Option<String>,
}

/// When a post is published.
#[derive(Debug, Args)]
pub struct When {
    /// Schedule for this RFC 3339 time (at least 60 s ahead), e.g. 2026-12-24T09:00:00Z.
    #[arg(long, value_name = "TIME", conflicts_with = "in_")]
    pub schedule: Option<String>,
    /// Schedule this long from now, e.g. 90s, 15m, 2h, 1d (units ms, s, m, h, d; a bare number
    /// is seconds).
    #[arg(long = "in", id = "in_", value_name = "DURATION", value_parser = crate::time::parse_duration)]
    pub in_: Option<std::time::Duration>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Publish or schedule a post (POST /v1/posts).
    Post {
        /// The post's text.
        #[arg(required_unless_present = "json")]
        text: Option<String>,
        /// Target platform (repeatable): x, threads, linkedin, instagram, facebook, tiktok,
        /// youtube; PLATFORM:ACCOUNT_ID picks one connected account, e.g. instagram:ig_main.
        #[arg(
            short,
            long = "platform",
            value_name = "PLATFORM",
            required_unless_present = "json",
            value_parser = crate::platforms::PlatformArg,
            hide_possible_values = true
        )]
        platforms: Vec<String>,
        /// Image URL (repeatable): makes an image post.
        #[arg(long = "image", value_name = "URL", conflicts_with = "video")]
        images: Vec<String>,
        /// Video URL: makes a video post.
        #[arg(long, value_name = "URL")]
        video: Option<String>,
        #[command(flatten)]
        when: When,
        #[command(flatten)]
        body: Body,
    },
    /// Media: import a file from a URL into Soku's storage.
    #[command(subcommand)]
    Media(MediaCommand),
    /// Templates: render an image from a template.
    #[command(subcommand)]
    Template(TemplateCommand),
    /// Transcribe uploaded media (POST /v1/ai/transcribe).
    Transcribe {
        /// The media id (from `soku media upload`).
        #[arg(required_unless_present = "json")]
        media_id: Option<String>,
        /// Language code, e.g. en. Default: detected.
        #[arg(long)]
        language: Option<String>,
        /// Transcription model. Default: the server's.
        #[arg(long)]
        model: Option<String>,
        /// Duration of the media in seconds (for the credit estimate).
        #[arg(long, value_name = "SECONDS")]
        duration: Option<f64>,
        #[command(flatten)]
        body: Body,
    },
    /// API keys (Firebase token from SOKU_FIREBASE_TOKEN).
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Publish many posts from FILE (- for stdin): a JSON array of post bodies, JSON Lines (one
    /// body per line) or {"posts": [...]}; sequential, paced by the rate-limit headers.
    #[command(after_help = BATCH_HELP)]
    Batch {
        /// The file, or - for stdin.
        file: String,
        /// Use a fresh random batch key instead of the one derived from the posts, to publish
        /// the same posts again on purpose. Default off.
        #[arg(long, conflicts_with = "idempotency_key")]
        new_batch_key: bool,
    },
    /// Import media from URLs, then publish one post with the hosted media.
    PublishMedia {
        /// Source URLs of the media.
        #[arg(required_unless_present = "json")]
        urls: Vec<String>,
        /// The media are videos (default: images).
        #[arg(long)]
        video: bool,
        #[command(flatten)]
        post: WorkflowPost,
        #[command(flatten)]
        body: Body,
    },
    /// Render a template, then publish the image as a post.
    PublishTemplate {
        #[command(flatten)]
        template: Template,
        #[command(flatten)]
        post: WorkflowPost,
        #[command(flatten)]
        body: Body,
    },
    /// Run the offline sandbox in the foreground, for tests (soku sandbox --help: its flags).
    ///
    /// The flags of soku-sandbox. Prints its URL and the KEY=VALUE lines (--json: one JSON object with
    /// url, apiKey, firebaseToken, controlUrl, pid), serves until SIGINT or SIGTERM (or, with
    /// --exit-on-stdin-close, the end of stdin), then stops and exits 0.
    #[command(disable_help_flag = true)]
    Sandbox {
        /// The sandbox's flags: --port N, --host ADDR, --no-rate-limits, --window-ms N, --limit
        /// ENDPOINT=N, --accounts PLATFORM=ID,ID, --firebase-token T, --credits N,
        /// --no-scheduled-time-check, --json, --exit-on-stdin-close.
        #[arg(
            allow_hyphen_values = true,
            trailing_var_arg = true,
            num_args = 0..,
            value_name = "FLAG"
        )]
        flags: Vec<String>,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// `soku media …`.
#[derive(Debug, Subcommand)]
pub enum MediaCommand {
    /// Import a file from a URL (POST /v1/media).
    Upload {
        /// The source URL.
        #[arg(required_unless_present = "json")]
        url: Option<String>,
        #[command(flatten)]
        body: Body,
    },
}

/// `soku template …`.
#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// Render a template to an image (POST /v1/templates).
    Render(Render),
    /// Render an Open Graph image (POST /v1/media/render-og).
    RenderOg(Render),
}

/// The arguments of a render.
#[derive(Debug, Args)]
pub struct Render {
    #[command(flatten)]
    pub template: Template,
    #[command(flatten)]
    pub body: Body,
}

/// A template and its fields.
#[derive(Debug, Args)]
pub struct Template {
    /// The template slug, e.g. tweetImage.
    #[arg(required_unless_present = "json")]
    pub slug: Option<String>,
    /// Template field (repeatable): NAME=VALUE, the value a string.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Aspect ratio of the image.
    #[arg(long, value_enum)]
    pub aspect_ratio: Option<Ratio>,
}

/// The post a workflow publishes.
#[derive(Debug, Args)]
pub struct WorkflowPost {
    /// The post's text.
    #[arg(long)]
    pub text: Option<String>,
    /// Target platform (repeatable), PLATFORM or PLATFORM:ACCOUNT_ID.
    #[arg(
        short,
        long = "platform",
        value_name = "PLATFORM",
        required_unless_present = "json",
        value_parser = crate::platforms::PlatformArg,
        hide_possible_values = true
    )]
    pub platforms: Vec<String>,
    #[command(flatten)]
    pub when: When,
}

/// `--aspect-ratio`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Ratio {
    /// 1:1.
    #[value(name = "1:1")]
    Square,
    /// 4:5.
    #[value(name = "4:5")]
    Portrait,
    /// 9:16.
    #[value(name = "9:16")]
    Story,
}

/// `soku keys …`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List the account's API keys (GET /v1/api-keys).
    List,
    /// Create an API key (POST /v1/api-keys); the key is shown once.
    Create {
        /// Name of the key.
        #[arg(required_unless_present = "json")]
        name: Option<String>,
        #[command(flatten)]
        body: Body,
    },
    /// Revoke an API key (DELETE /v1/api-keys/ID).
    Revoke {
        /// The key's id (see `soku keys list`).
        id: String,
    },
    /// Check that OLD_ID is listed and active, create a new key, verify it, then revoke OLD_ID.
    Rotate {
        /// Id of the key to revoke once the new one works.
        #[arg(required_unless_present = "json")]
        old_id: Option<String>,
        /// Name of the new key.
        #[arg(long)]
        name: Option<String>,
        /// How the new key is checked before the old one is revoked. Default probe (sends an
        /// invalid post that cannot publish); post publishes a real verification post.
        #[arg(long, value_enum)]
        verify: Option<Verify>,
        #[command(flatten)]
        body: Body,
    },
}

/// `--verify`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Verify {
    /// An invalid post that proves the key authenticates.
    Probe,
    /// A real verification post to Threads.
    Post,
    /// No check.
    None,
}
