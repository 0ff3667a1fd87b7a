//! `soku --dry-run` prints exactly what the command then sends: every command is run both ways
//! against a sandbox, and the dry run's requests are compared with the ones the sandbox
//! recorded (method, path, body bytes as JSON, idempotency key, credential header).

mod common;

use std::collections::BTreeSet;

use serde_json::Value;
use soku_sandbox::Sandbox;

use common::{Run, commands, soku};

/// One request, as compared: method, path, body (JSON), idempotency key, credential header.
#[derive(Debug, PartialEq)]
struct Seen {
    method: String,
    path: String,
    body: Value,
    key: Option<String>,
    credential: &'static str,
}

/// The media URLs a workflow's post carries come from an earlier answer (the plan's stand-ins,
/// the sandbox's hosted URLs): they are compared by position.
fn hosted_as_positions(body: &mut Value) {
    let content = body.pointer_mut("/post/content");
    if let Some(Value::Object(content)) = content {
        if let Some(Value::Array(urls)) = content.get_mut("imageUrls") {
            for (i, url) in urls.iter_mut().enumerate() {
                *url = Value::from(format!("<hosted {i}>"));
            }
        }
        if let Some(url) = content.get_mut("videoUrl") {
            *url = Value::from("<hosted 0>");
        }
    }
}

fn planned(run: &Run, base: &str, workflow_media: bool) -> Vec<Seen> {
    let doc = run.json();
    assert_eq!(doc["dryRun"], true, "{}", run.stdout);
    doc["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|r| {
            let url = r["url"].as_str().expect("url");
            let path = url.strip_prefix(base).expect("url under the base url");
            let mut body = r["body"].clone();
            if workflow_media && path == "/v1/posts" {
                for url in [
                    body.pointer("/post/content/videoUrl"),
                    body.pointer("/post/content/imageUrls/0"),
                ]
                .into_iter()
                .flatten()
                {
                    assert!(
                        url.as_str()
                            .is_some_and(|u| u.starts_with("https://planned.invalid/")),
                        "{url}"
                    );
                }
                hosted_as_positions(&mut body);
            }
            let headers = &r["headers"];
            let credential = match (
                headers["soku-api-key"].as_str(),
                headers["authorization"].as_str(),
            ) {
                (Some("[redacted]"), None) => "api key",
                (None, Some("Bearer [redacted]")) => "firebase token",
                other => panic!("credential headers {other:?}"),
            };
            let key = r["idempotencyKey"].as_str().map(str::to_owned);
            assert_eq!(headers["idempotency-key"].as_str(), key.as_deref());
            Seen {
                method: r["method"].as_str().expect("method").to_owned(),
                path: path.to_owned(),
                body,
                key,
                credential,
            }
        })
        .collect()
}

fn recorded(sb: &Sandbox, workflow_media: bool) -> Vec<Seen> {
    sb.requests()
        .into_iter()
        .map(|r| {
            let mut body = if r.body.is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&r.body).expect("a JSON body")
            };
            if workflow_media && r.path == "/v1/posts" {
                hosted_as_positions(&mut body);
            }
            let credential = match (r.header("soku-api-key"), r.header("authorization")) {
                (Some(_), None) => "api key",
                (None, Some(v)) if v.starts_with("Bearer ") => "firebase token",
                other => panic!("credential headers {other:?}"),
            };
            Seen {
                key: r.header("idempotency-key").map(str::to_owned),
                method: r.method,
                path: r.path,
                body,
                credential,
            }
        })
        .collect()
}

#[test]
fn every_command_sends_what_its_dry_run_prints() {
    let sb = Sandbox::start().unwrap();
    let dir = std::env::temp_dir().join(format!("soku-dry-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let batch = dir.join("batch.jsonl");
    std::fs::write(
        &batch,
        "{\"post\": {\"content\": {\"text\": \"one\", \"platform\": [\"x\"]}}}\n\
         {\"post\": {\"content\": {\"text\": \"two\", \"platform\": [\"threads\"]}}}\n",
    )
    .unwrap();
    let batch = batch.to_str().unwrap().to_owned();
    let default_key = "key_sandbox_default";

    // (command, its arguments): every command once; `keys revoke` with an id that must be
    // encoded as one path segment.
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("post", vec!["post", "Hi", "-p", "x", "-p", "threads"]),
        (
            "media upload",
            vec!["media", "upload", "https://a.example/v.mp4"],
        ),
        (
            "template render",
            vec!["template", "render", "quoteCard", "--set", "text=Hi"],
        ),
        (
            "template render-og",
            vec!["template", "render-og", "blogPost", "--set", "title=T"],
        ),
        (
            "transcribe",
            vec!["transcribe", "med_1", "--language", "en"],
        ),
        ("keys list", vec!["keys", "list"]),
        ("keys create", vec!["keys", "create", "ci"]),
        ("keys revoke", vec!["keys", "revoke", "a/b"]),
        ("keys rotate", vec!["keys", "rotate", default_key]),
        ("batch", vec!["batch", batch.as_str()]),
        (
            "publish-media",
            vec![
                "publish-media",
                "https://a.example/1.png",
                "https://a.example/2.png",
                "--text",
                "M",
                "-p",
                "x",
            ],
        ),
        (
            "publish-template",
            vec![
                "publish-template",
                "quoteCard",
                "--set",
                "text=Q",
                "--text",
                "T",
                "-p",
                "x",
            ],
        ),
    ];
    let covered: BTreeSet<String> = cases.iter().map(|(c, _)| (*c).to_owned()).collect();
    assert_eq!(covered, commands(), "a command without a dry-run case");

    for (name, args) in &cases {
        let workflow_media = name.starts_with("publish-");
        let mut full = vec!["--idempotency-key", "K"];
        full.extend(args.iter().copied());
        sb.reset();
        let mut dry = vec!["--dry-run"];
        dry.extend(full.iter().copied());
        let plan = planned(&soku(&sb, &dry).expect(0), sb.url(), workflow_media);
        assert!(
            sb.requests().is_empty(),
            "{name}: the dry run sent a request"
        );
        assert!(!plan.is_empty(), "{name}: an empty plan");
        // The real call: it succeeds (every step of a workflow is sent), but for the
        // revocation of a key that does not exist (404, exit 4).
        let real = soku(&sb, &full);
        assert_eq!(
            real.code,
            if *name == "keys revoke" { 4 } else { 0 },
            "{name}: {}",
            real.stderr
        );
        let sent = recorded(&sb, workflow_media);
        assert_eq!(
            plan, sent,
            "{name}: dry run versus what the sandbox recorded"
        );
    }

    // The derived keys, the encoded segment and the probe are in the plans compared above;
    // checked by value here too.
    sb.reset();
    let plan = planned(
        &soku(
            &sb,
            &["--dry-run", "--idempotency-key", "K", "batch", &batch],
        )
        .expect(0),
        sb.url(),
        false,
    );
    let keys: Vec<_> = plan.iter().map(|s| s.key.as_deref()).collect();
    assert_eq!(keys, [Some("K-0"), Some("K-1")]);
    let plan = planned(
        &soku(&sb, &["--dry-run", "keys", "revoke", "a/b"]).expect(0),
        sb.url(),
        false,
    );
    assert_eq!(plan[0].path, "/v1/api-keys/a%2Fb");

    // `..` cannot be one path segment: refused by the dry run exactly as by the real call,
    // and neither sends anything.
    let dry = soku(&sb, &["--dry-run", "keys", "revoke", ".."]).expect(2);
    let real = soku(&sb, &["keys", "revoke", ".."]).expect(2);
    assert_eq!(dry.stderr, real.stderr);
    assert!(sb.requests().is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}
