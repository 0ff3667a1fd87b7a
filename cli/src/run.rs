//! Runs a command: builds the client (environment, key files or the embedded sandbox), then
//! either prints the dry run or calls the library.

use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use serde_json::Value;
use soku::{CallOptions, Client, ClientBuilder, Error, Response};
use soku_sandbox::Sandbox;

use crate::args::{Cli, Command};
use crate::interrupt::Interrupt;
use crate::output::Done;
use crate::plan::{self, Call};

/// The `User-Agent` of the command.
fn user_agent() -> String {
    format!(
        "soku-cli/{} {}",
        env!("CARGO_PKG_VERSION"),
        soku::DEFAULT_USER_AGENT
    )
}

/// Runs the command of `cli` (not `completions`).
pub fn run(cli: Cli) -> Result<Done, Error> {
    let g = cli.global;
    // A batch watches SIGINT/SIGTERM from the start: before it sends, a signal ends the
    // command at once (nothing sent); once it sends, a signal stops it cleanly with its record.
    let (batch_args, new_key) = match &cli.command {
        Command::Batch {
            file,
            new_batch_key,
        } if !g.dry_run => (Some((file.clone(), Interrupt::install()?)), *new_batch_key),
        Command::Batch { new_batch_key, .. } => (None, *new_batch_key),
        _ => (None, false),
    };
    let call = plan::build(cli.command)?;

    // The sandbox lives until the command is done.
    let sandbox = if g.sandbox {
        Some(Sandbox::start().map_err(|e| config_error(format!("cannot start the sandbox: {e}")))?)
    } else {
        None
    };
    let mut builder = match &sandbox {
        Some(sb) => ClientBuilder::new()
            .base_url(sb.url())
            .api_key(sb.api_key())
            .firebase_token(sb.firebase_token()),
        None => ClientBuilder::from_env(),
    };
    if let Some(path) = &g.api_key_file {
        builder = builder.api_key(read_secret(path, "api key")?);
    }
    if let Some(path) = &g.firebase_token_file {
        builder = builder.firebase_token(read_secret(path, "firebase token")?);
    }
    builder = builder.user_agent(user_agent());
    if let Some(url) = &g.proxy {
        builder = builder.proxy(proxy_flag(url)?);
    }
    builder = builder.proxy_from_env(g.proxy_from_env);
    if let Some(t) = g.timeout {
        builder = builder.timeout(t);
    }
    if let Some(n) = g.max_retries {
        builder = builder.max_retries(n);
    }
    let client = builder.build()?;

    let mut opts = CallOptions::new();
    opts.idempotency_key = g.idempotency_key.clone();
    // A batch always has one key; each post's key derives from it.
    if let Call::Batch(posts) = &call {
        opts.idempotency_key = Some(batch_key(posts, g.idempotency_key.as_deref(), new_key)?);
    }

    if g.dry_run {
        // The library plans the call with the code that would send it: the same checks, the
        // same requests, nothing sent.
        let plan = client.plan(|c| execute(c, &call, &opts))?;
        let doc = dry_run_doc(&plan);
        let summary = dry_run_summary(&doc);
        return Ok(Done {
            doc,
            summary,
            exit: 0,
            notes: Vec::new(),
        });
    }
    match (&call, batch_args) {
        (Call::Batch(posts), Some((file, interrupt))) => {
            // The key computed above (a random one must not be drawn twice).
            let key = opts.idempotency_key.clone().unwrap_or_default();
            let origin = match (&g.idempotency_key, new_key) {
                (Some(_), _) => KeyOrigin::Given,
                (None, true) => KeyOrigin::Random,
                (None, false) => KeyOrigin::Content,
            };
            if !interrupt.start_sending() {
                // A signal ended the command while the input was read; the process is exiting.
                loop {
                    std::thread::park();
                }
            }
            let resume = format!("soku batch {file} --idempotency-key {key}");
            crate::output::err_line(&match origin {
                KeyOrigin::Content => format!(
                    "soku: batch key {key} (from the posts): running this command again publishes nothing twice"
                ),
                KeyOrigin::Given => format!("soku: batch key {key} (--idempotency-key)"),
                KeyOrigin::Random => {
                    format!("soku: batch key {key} (new, random): to resume, run `{resume}`")
                }
            });
            batch(&client, posts, &opts, &interrupt, &resume)
        }
        _ => execute(&client, &call, &opts),
    }
}

/// Where a batch key came from.
enum KeyOrigin {
    /// Derived from the posts (the default).
    Content,
    /// `--idempotency-key`.
    Given,
    /// `--new-batch-key`.
    Random,
}

/// The batch key: `--idempotency-key`, else a fresh random one (`--new-batch-key`), else
/// `batch-` and the first 128 bits of the SHA-256 of the posts' canonical JSON (object keys
/// sorted, no whitespace), in hex. The same posts give the same key whatever the file's layout.
fn batch_key(
    posts: &[soku::CreatePost],
    given: Option<&str>,
    new_key: bool,
) -> Result<String, Error> {
    use sha2::{Digest, Sha256};
    if let Some(k) = given {
        return Ok(k.to_owned());
    }
    if new_key {
        let id = uuid::Uuid::new_v4().simple().to_string();
        return Ok(format!("batch-{id}"));
    }
    // serde_json's Value keeps object keys sorted (its map is a BTreeMap), so this is canonical.
    let canonical = serde_json::to_value(posts)
        .and_then(|v| serde_json::to_vec(&v))
        .map_err(|e| Error::InvalidArgument {
            message: format!("batch input: cannot serialise the posts: {e}"),
            param: None,
        })?;
    let digest = Sha256::digest(&canonical);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("batch-{hex}"))
}

/// The `--proxy` URL, refused when it carries credentials (a flag value is not a place for a
/// secret); the error never repeats the URL.
fn proxy_flag(url: &str) -> Result<&str, Error> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return Err(Error::InvalidArgument {
            message: "--proxy must not carry user:password@ (a flag value lands in the shell \
                      history): put that url in HTTPS_PROXY and pass --proxy-from-env"
                .into(),
            param: Some("proxy".into()),
        });
    }
    Ok(url)
}

/// The first line of a secret file, trimmed. The error never shows the file's content.
fn read_secret(path: &Path, what: &str) -> Result<String, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        config_error(format!(
            "cannot read the {what} file {}: {e}",
            path.display()
        ))
    })?;
    let line = text.lines().next().unwrap_or("").trim().to_owned();
    if line.is_empty() {
        return Err(config_error(format!(
            "the {what} file {} is empty",
            path.display()
        )));
    }
    Ok(line)
}

/// The result document of a response, and its summary lines.
fn done<T: Serialize>(
    resp: Response<T>,
    summary: impl FnOnce(&Value) -> Vec<String>,
) -> Result<Done, Error> {
    let doc = serde_json::to_value(&resp).map_err(|e| Error::Decode {
        message: format!("could not serialise the response: {e}"),
        meta: Box::new(resp.meta.clone()),
        source: Some(soku::Cause::new(e)),
    })?;
    let summary = summary(&doc["data"]);
    Ok(Done {
        doc,
        summary,
        exit: 0,
        notes: Vec::new(),
    })
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("-")
}

fn execute(client: &Client, call: &Call, opts: &CallOptions) -> Result<Done, Error> {
    match call {
        Call::Post(p) => done(client.create_post_with(p, opts)?, |d| {
            vec![format!("post accepted: {}", s(&d["postSubmissionId"]))]
        }),
        Call::Upload(u) => done(client.upload_media_with(u, opts)?, |d| {
            vec![format!("media uploaded: {} {}", s(&d["id"]), s(&d["url"]))]
        }),
        Call::Render(t) => done(client.render_template_with(t, opts)?, rendered),
        Call::RenderOg(t) => done(client.render_og_with(t, opts)?, rendered),
        Call::Transcribe(t) => done(client.transcribe_with(t, opts)?, |d| {
            vec![
                format!(
                    "transcription {}: {} credit(s)",
                    s(&d["jobId"]),
                    d["creditsDebited"]
                ),
                s(&d["transcript"]).to_owned(),
            ]
        }),
        Call::KeysList => done(client.list_api_keys_with(opts)?, |d| {
            let keys = d["apiKeys"].as_array().cloned().unwrap_or_default();
            let mut lines = vec![format!("{} key(s)", keys.len())];
            lines.extend(keys.iter().map(|k| {
                format!(
                    "{}  {}  {}  {}",
                    s(&k["id"]),
                    s(&k["status"]),
                    s(&k["keyPreview"]),
                    s(&k["name"])
                )
            }));
            lines
        }),
        Call::KeysCreate(k) => done(client.create_api_key_with(k, opts)?, |d| {
            vec![
                format!("created key {} ({})", s(&d["id"]), s(&d["name"])),
                s(&d["apiKey"]).to_owned(),
                "store it now: the server never shows it again".into(),
            ]
        }),
        Call::KeysRevoke(id) => done(client.revoke_api_key_with(id, opts)?, |_| {
            vec![format!("revoked {id}")]
        }),
        Call::KeysRotate(r) => {
            let mut out = done(client.rotate_api_key(r, opts)?, |d| {
                let mut lines = vec![
                    format!("new key {} (verified: {})", s(&d["id"]), s(&d["verified"])),
                    s(&d["apiKey"]).to_owned(),
                    "store it now: the server never shows it again".into(),
                ];
                if d["revoked"] == true {
                    lines.push(format!("revoked {}", s(&d["revokedKeyId"])));
                } else {
                    lines.push(format!(
                        "the old key {} was NOT revoked: {}; revoke it with `soku keys revoke {}`",
                        r.old_key_id,
                        s(&d["revokeError"]["message"]),
                        r.old_key_id
                    ));
                }
                lines
            })?;
            if out.doc["data"]["revoked"] != true {
                out.exit = 1;
            }
            Ok(out)
        }
        // Reached only when a dry run plans the batch (a real batch goes through `batch`, with
        // its signal watcher and progress bar): the library's batch with the same key and options.
        Call::Batch(posts) => done(
            client.publish_batch_with(
                posts,
                soku::workflows::BatchOptions::new().call_options(opts.clone()),
            )?,
            |_| Vec::new(),
        ),
        Call::PublishMedia(m) => done(client.publish_with_media(m, opts)?, |d| {
            let media = d["media"].as_array().cloned().unwrap_or_default();
            let mut lines: Vec<String> = media
                .iter()
                .map(|m| format!("media uploaded: {} {}", s(&m["id"]), s(&m["url"])))
                .collect();
            lines.push(format!(
                "post accepted: {}",
                s(&d["post"]["postSubmissionId"])
            ));
            lines
        }),
        Call::PublishTemplate(t) => done(client.publish_with_template(t, opts)?, |d| {
            vec![
                format!(
                    "rendered: {} {}",
                    s(&d["template"]["id"]),
                    s(&d["template"]["url"])
                ),
                format!("post accepted: {}", s(&d["post"]["postSubmissionId"])),
            ]
        }),
    }
}

fn rendered(d: &Value) -> Vec<String> {
    vec![format!("rendered: {} {}", s(&d["id"]), s(&d["url"]))]
}

/// A batch with a progress bar on stderr (drawn only when stderr is a terminal), stopped by
/// `interrupt`'s signals; `resume` is the command that resumes it.
fn batch(
    client: &Client,
    posts: &[soku::CreatePost],
    opts: &CallOptions,
    interrupt: &Interrupt,
    resume: &str,
) -> Result<Done, Error> {
    let bar = ProgressBar::new(posts.len() as u64);
    if let Ok(style) = ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    let (mut ok, mut failed) = (0usize, 0usize);
    let on_item = |item: &soku::workflows::BatchItem| {
        if item.is_ok() {
            ok += 1;
        } else {
            failed += 1;
        }
        let mut msg = format!("{ok} ok, {failed} failed");
        if !item.paced.is_zero() {
            msg.push_str(&format!(", paced {:.1}s", item.paced.as_secs_f64()));
        }
        let full = item
            .meta
            .as_ref()
            .is_some_and(|m| m.rate_limit.remaining == Some(0));
        if full && item.index + 1 < posts.len() {
            if let Some(wait) = item.meta.as_ref().and_then(|m| m.rate_limit.reset_in()) {
                msg.push_str(&format!(
                    ", rate limit reached: waiting {}s for the window",
                    wait.as_secs()
                ));
            }
        }
        bar.inc(1);
        bar.set_message(msg);
        std::ops::ControlFlow::Continue(())
    };
    let batch_opts = soku::workflows::BatchOptions::new()
        .call_options(opts.clone())
        .on_item(on_item)
        .cancel_token(interrupt.token());
    let resp = client.publish_batch_with(posts, batch_opts);
    bar.finish_and_clear();
    let resp = resp?;
    let failed_any = resp.summary.failed > 0;
    let stopped = resp.cancelled;
    let sent = resp.results.len();
    let signal = interrupt.received();
    let mut out = done(resp, |d| {
        let mut lines = vec![format!(
            "batch: {} ok, {} failed of {}",
            d["summary"]["succeeded"], d["summary"]["failed"], d["summary"]["total"]
        )];
        for item in d["results"].as_array().into_iter().flatten() {
            if item["ok"] == true {
                lines.push(format!(
                    "  {} {}",
                    item["index"],
                    s(&item["postSubmissionId"])
                ));
            } else {
                lines.push(format!(
                    "  {} failed: {} {} (request {})",
                    item["index"],
                    s(&item["error"]["code"]),
                    s(&item["error"]["message"]),
                    s(&item["error"]["requestId"])
                ));
            }
        }
        lines
    })?;
    let not_sent: Vec<usize> = (sent..posts.len()).collect();
    out.doc["data"]["interrupted"] = signal.map_or(Value::Null, |(name, _)| name.into());
    out.doc["data"]["notSent"] = Value::from(not_sent.clone());
    let key = opts.idempotency_key.as_deref().unwrap_or("-");
    match signal {
        Some((name, status)) if stopped => {
            out.exit = status;
            out.notes = interrupted_record(&out.doc["data"], name, key, &not_sent, resume);
            out.summary.push(format!(
                "interrupted by {name}: not sent: {}; resume: {resume}",
                list(&not_sent)
            ));
        }
        Some((name, _)) => {
            out.notes.push(format!(
                "{name} received during the last post: the batch is complete"
            ));
            if failed_any {
                out.exit = 1;
            }
        }
        None if failed_any => out.exit = 1,
        None => {}
    }
    Ok(out)
}

/// What an interrupted batch prints on stderr: one line per post sent (published with its id,
/// or failed) with its idempotency key, the posts not sent, and the resume command.
fn interrupted_record(
    data: &Value,
    signal: &str,
    key: &str,
    not_sent: &[usize],
    resume: &str,
) -> Vec<String> {
    let summary = &data["summary"];
    let mut lines = vec![format!(
        "interrupted by {signal}: {} of {} post(s) published, {} failed, {} not sent",
        summary["succeeded"],
        summary["total"],
        summary["failed"],
        not_sent.len()
    )];
    for item in data["results"].as_array().into_iter().flatten() {
        let index = &item["index"];
        let item_key = item["meta"]["idempotencyKey"]
            .as_str()
            .map_or_else(|| format!("{key}-{index}"), str::to_owned);
        if item["ok"] == true {
            lines.push(format!(
                "published #{index} {} (idempotency key {item_key})",
                s(&item["postSubmissionId"])
            ));
        } else {
            lines.push(format!(
                "failed #{index}: {} {} (idempotency key {item_key})",
                s(&item["error"]["code"]),
                s(&item["error"]["message"])
            ));
        }
    }
    if !not_sent.is_empty() {
        lines.push(format!(
            "not sent: {} (idempotency keys {key}-<index>)",
            list(not_sent)
        ));
    }
    lines.push(format!(
        "resume: {resume} (same environment and input: published posts are replayed by the server, not published again)"
    ));
    lines
}

/// `#2, #3, #4`.
fn list(indexes: &[usize]) -> String {
    if indexes.is_empty() {
        return "none".into();
    }
    indexes
        .iter()
        .map(|i| format!("#{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a generated idempotency key shows in a dry run: a real call generates its own.
const GENERATED_KEY: &str = "<random uuid, the same on every retry>";

/// A planned key as shown: a generated UUID (the first 36 characters of a key derived from
/// one, such as `<uuid>:post`) is replaced by [`GENERATED_KEY`].
fn shown_key(r: &soku::plan::PlannedRequest) -> Option<String> {
    let key = r.idempotency_key.as_deref()?;
    Some(match (r.key_generated, key.get(36..)) {
        (true, Some(suffix)) => format!("{GENERATED_KEY}{suffix}"),
        _ => key.to_owned(),
    })
}

/// The `--dry-run` document: `{"dryRun": true, "requests": [{"method", "url", "headers",
/// "body", "idempotencyKey"}]}`, credentials shown as `[redacted]`, each request as the library
/// planned it.
fn dry_run_doc(plan: &soku::plan::Plan) -> Value {
    let requests: Vec<Value> = plan
        .requests
        .iter()
        .map(|r| {
            let key = shown_key(r);
            let key = key.as_deref();
            let headers: serde_json::Map<String, Value> = r
                .headers
                .iter()
                .map(|(name, value)| {
                    let value = match key {
                        Some(k) if name == "idempotency-key" => k,
                        _ => value,
                    };
                    (name.clone(), Value::from(value))
                })
                .collect();
            let body = match (&r.body, r.body_json()) {
                (_, Some(json)) => json,
                (Some(bytes), None) => Value::from(String::from_utf8_lossy(bytes)),
                (None, None) => Value::Null,
            };
            serde_json::json!({
                "method": r.method.as_str(),
                "url": r.url,
                "headers": headers,
                "body": body,
                "idempotencyKey": key,
            })
        })
        .collect();
    serde_json::json!({ "dryRun": true, "requests": requests })
}

fn dry_run_summary(doc: &Value) -> Vec<String> {
    let mut lines = vec!["dry run: nothing was sent".to_owned()];
    for r in doc["requests"].as_array().into_iter().flatten() {
        lines.push(String::new());
        lines.push(format!("{} {}", s(&r["method"]), s(&r["url"])));
        for (k, v) in r["headers"].as_object().into_iter().flatten() {
            lines.push(format!("{k}: {}", s(v)));
        }
        if !r["body"].is_null() {
            lines.push(serde_json::to_string_pretty(&r["body"]).unwrap_or_default());
        }
    }
    lines
}

/// A configuration error of the command line (no library config key at fault).
fn config_error(message: impl Into<String>) -> Error {
    Error::Config {
        message: message.into(),
        param: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default batch key depends on the posts only (not on the file's layout) and is the
    /// same in every release: a re-run after an upgrade must still find the published posts.
    #[test]
    fn the_default_batch_key_is_the_posts_hash() {
        let lines = "{\"post\":{\"content\":{\"text\":\"one\",\"platform\":[\"x\"]}}}\n\
                     {\"post\":{\"content\":{\"platform\":[\"threads\"],\"text\":\"two\"}}}";
        let array = "[{\"post\": {\"content\": {\"platform\": [\"x\"], \"text\": \"one\"}}},\n\
                     {\"post\": {\"content\": {\"text\": \"two\", \"platform\": [\"threads\"]}}}]";
        let a = plan::batch_posts(lines).unwrap();
        let b = plan::batch_posts(array).unwrap();
        let key = batch_key(&a, None, false).unwrap();
        assert_eq!(key, batch_key(&b, None, false).unwrap());
        // Python, independently: sha256(json.dumps(posts, sort_keys=True,
        // separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()[:32]
        assert_eq!(key, "batch-5e3d9172f46e64186e4051f312de2900");
        // Another post, or the same posts in another order: another key.
        assert_ne!(key, batch_key(&a[..1], None, false).unwrap());
        let reversed: Vec<_> = a.iter().rev().cloned().collect();
        assert_ne!(key, batch_key(&reversed, None, false).unwrap());
        // --idempotency-key wins; --new-batch-key draws a fresh one each time.
        assert_eq!(batch_key(&a, Some("mine"), false).unwrap(), "mine");
        let fresh = batch_key(&a, None, true).unwrap();
        assert_ne!(fresh, batch_key(&a, None, true).unwrap());
        assert!(fresh.starts_with("batch-") && fresh.len() == 38, "{fresh}");
    }
}
