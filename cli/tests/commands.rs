//! Every command against the sandbox: the exact request bodies it saw, the paths and headers,
//! `--json` bodies, dry runs, and human versus JSON output.

mod common;

use common::{calls, env_of, pairs, run_with, soku};
use serde_json::{Value, json};
use soku_sandbox::{Fault, Sandbox};

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("-")
}

const FUTURE: &str = "2099-12-24T09:00:00Z";

fn only_body(sb: &Sandbox, method: &str, path: &str) -> Value {
    let reqs = sb.requests();
    assert_eq!(reqs.len(), 1, "one request: {:?}", calls(sb));
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].path.as_str()),
        (method, path)
    );
    reqs[0].json().expect("json body")
}

#[test]
fn post_text_images_video_and_schedule() {
    let sb = Sandbox::start().unwrap();
    let out = soku(
        &sb,
        &[
            "post",
            "Hello",
            "--platform",
            "x",
            "-p",
            "threads",
            "-p",
            "instagram:ig_main",
        ],
    )
    .expect(0);
    assert_eq!(
        only_body(&sb, "POST", "/v1/posts"),
        json!({"post": {"content": {"text": "Hello", "mediaType": "text",
            "platform": ["x", "threads", {"platform": "instagram", "accountId": "ig_main"}]}}})
    );
    let doc = out.json();
    let req = &sb.requests()[0];
    assert_eq!(req.header("soku-api-key"), Some(sb.api_key()));
    assert_eq!(
        req.header("idempotency-key"),
        doc["meta"]["idempotencyKey"].as_str()
    );
    assert_eq!(
        doc["data"]["postSubmissionId"].as_str().map(str::len),
        Some(36)
    );
    assert_eq!(doc["meta"]["status"], 200);
    assert_eq!(doc["meta"]["rateLimit"]["remaining"], 29);

    sb.reset();
    soku(
        &sb,
        &[
            "post",
            "Look",
            "-p",
            "x",
            "--image",
            "https://a.example/1.jpg",
            "--image",
            "https://a.example/2.jpg",
            "--schedule",
            FUTURE,
            "--idempotency-key",
            "img-1",
        ],
    )
    .expect(0);
    assert_eq!(
        only_body(&sb, "POST", "/v1/posts"),
        json!({"post": {"content": {"text": "Look", "mediaType": "image",
            "imageUrls": ["https://a.example/1.jpg", "https://a.example/2.jpg"], "platform": ["x"]}},
            "scheduledTime": FUTURE})
    );
    assert_eq!(sb.requests()[0].header("idempotency-key"), Some("img-1"));

    sb.reset();
    soku(
        &sb,
        &[
            "post",
            "Watch",
            "-p",
            "youtube",
            "--video",
            "https://a.example/v.mp4",
            "--in",
            "2h",
        ],
    )
    .expect(0);
    let body = only_body(&sb, "POST", "/v1/posts");
    assert_eq!(
        body["post"],
        json!({"content": {"text": "Watch", "mediaType": "video",
            "videoUrl": "https://a.example/v.mp4", "platform": ["youtube"]}})
    );
    // The sandbox checks that scheduledTime is in the future; here: ~2 h ahead, in the
    // documented form with milliseconds (2026-03-09T14:00:00.000Z).
    let when = body["scheduledTime"].as_str().unwrap();
    assert!(when.len() == 24 && when.ends_with('Z'), "{when}");
}

#[test]
fn media_templates_transcribe() {
    let sb = Sandbox::start().unwrap();
    let out = soku(&sb, &["media", "upload", "https://a.example/clip.mp4"]).expect(0);
    assert_eq!(
        only_body(&sb, "POST", "/v1/media"),
        json!({"url": "https://a.example/clip.mp4"})
    );
    assert!(sb.requests()[0].header("idempotency-key").is_some());
    assert!(
        out.json()["data"]["id"]
            .as_str()
            .unwrap()
            .starts_with("media_")
    );

    sb.reset();
    soku(
        &sb,
        &[
            "template",
            "render",
            "tweetImage",
            "--set",
            "title=Hello = world",
            "--set",
            "author=@me",
            "--aspect-ratio",
            "4:5",
        ],
    )
    .expect(0);
    assert_eq!(
        only_body(&sb, "POST", "/v1/templates"),
        json!({"templateSlug": "tweetImage", "config": {"title": "Hello = world", "author": "@me"}, "aspectRatio": "4:5"})
    );

    sb.reset();
    soku(
        &sb,
        &["template", "render-og", "blogPost", "--set", "title=T"],
    )
    .expect(0);
    assert_eq!(
        only_body(&sb, "POST", "/v1/media/render-og"),
        json!({"templateSlug": "blogPost", "config": {"title": "T"}})
    );

    sb.reset();
    let out = soku(
        &sb,
        &[
            "transcribe",
            "media_1",
            "--language",
            "en",
            "--idempotency-key",
            "tr-1",
        ],
    )
    .expect(0);
    assert_eq!(
        only_body(&sb, "POST", "/v1/ai/transcribe"),
        json!({"mediaId": "media_1", "language": "en"})
    );
    assert_eq!(sb.requests()[0].header("idempotency-key"), Some("tr-1"));
    assert_eq!(out.json()["meta"]["idempotencyKey"], "tr-1");
}

#[test]
fn keys_list_create_revoke_rotate() {
    let sb = Sandbox::start().unwrap();
    let bearer = format!("Bearer {}", sb.firebase_token());

    let out = soku(&sb, &["keys", "list"]).expect(0);
    assert_eq!(calls(&sb), pairs(&[("GET", "/v1/api-keys")]));
    assert_eq!(
        sb.requests()[0].header("authorization"),
        Some(bearer.as_str())
    );
    assert_eq!(sb.requests()[0].header("soku-api-key"), None);
    assert_eq!(
        out.json()["data"]["apiKeys"][0]["id"],
        "key_sandbox_default"
    );

    sb.reset();
    let out = soku(&sb, &["keys", "create", "ci-bot"]).expect(0);
    assert_eq!(
        only_body(&sb, "POST", "/v1/api-keys"),
        json!({"name": "ci-bot"})
    );
    // The new key is the command's result: printed once, on stdout.
    assert!(
        out.json()["data"]["apiKey"]
            .as_str()
            .unwrap()
            .starts_with("sk_live_")
    );

    sb.reset();
    soku(&sb, &["keys", "revoke", "key_sandbox_default"]).expect(0);
    assert_eq!(
        calls(&sb),
        pairs(&[("DELETE", "/v1/api-keys/key_sandbox_default")])
    );
    soku(&sb, &["keys", "revoke", "key_nope"]).expect(4);

    sb.reset();
    let out = soku(
        &sb,
        &["keys", "rotate", "key_sandbox_default", "--name", "next"],
    )
    .expect(0);
    assert_eq!(
        calls(&sb),
        pairs(&[
            ("GET", "/v1/api-keys"),
            ("POST", "/v1/api-keys"),
            ("POST", "/v1/posts"),
            ("DELETE", "/v1/api-keys/key_sandbox_default")
        ])
    );
    assert_eq!(sb.requests()[1].json(), Some(json!({"name": "next"})));
    let data = &out.json()["data"];
    assert_eq!(
        (data["revoked"].clone(), data["verified"].clone()),
        (json!(true), json!("probe"))
    );
    // The probe carried the new key, which now works; the old one is revoked.
    assert_eq!(
        sb.requests()[2].header("soku-api-key"),
        data["apiKey"].as_str()
    );
    assert!(sb.submissions().is_empty(), "the probe publishes nothing");

    sb.reset();
    soku(
        &sb,
        &["keys", "rotate", "key_sandbox_default", "--verify", "none"],
    )
    .expect(0);
    assert_eq!(
        calls(&sb),
        pairs(&[
            ("GET", "/v1/api-keys"),
            ("POST", "/v1/api-keys"),
            ("DELETE", "/v1/api-keys/key_sandbox_default")
        ])
    );

    // A rotation whose revocation fails keeps the new key and exits 1.
    sb.reset();
    sb.inject(
        "/v1/api-keys/key_sandbox_default",
        Fault::status(404, "not_found").method("DELETE"),
    );
    let out = soku(
        &sb,
        &["keys", "rotate", "key_sandbox_default", "--verify", "none"],
    )
    .expect(1);
    assert_eq!(out.json()["data"]["revoked"], false);

    // A missing or revoked old id: exit 2, only the key list was read, no key created.
    for old in ["key_missing", "key_sandbox_default"] {
        sb.reset();
        if old == "key_sandbox_default" {
            soku(&sb, &["keys", "revoke", old]).expect(0);
        }
        let seen = sb.requests().len();
        let out = soku(&sb, &["keys", "rotate", old]).expect(2);
        assert_eq!(out.json()["error"]["param"], "oldKeyId");
        assert!(out.stderr.contains("nothing was created"), "{}", out.stderr);
        assert_eq!(
            calls(&sb)[seen..].to_vec(),
            pairs(&[("GET", "/v1/api-keys")])
        );
    }
}

#[test]
fn workflows_derive_their_keys() {
    let sb = Sandbox::start().unwrap();
    let args = [
        "publish-media",
        "https://a.example/1.jpg",
        "https://a.example/2.jpg",
        "--text",
        "Two",
        "-p",
        "x",
        "--idempotency-key",
        "wf",
    ];
    soku(&sb, &args).expect(0);
    let reqs = sb.requests();
    assert_eq!(
        calls(&sb),
        pairs(&[
            ("POST", "/v1/media"),
            ("POST", "/v1/media"),
            ("POST", "/v1/posts")
        ])
    );
    let keys: Vec<_> = reqs
        .iter()
        .map(|r| r.header("idempotency-key").unwrap().to_owned())
        .collect();
    assert_eq!(keys, ["wf:media:0", "wf:media:1", "wf:post"]);
    let post = reqs[2].json().unwrap();
    assert_eq!(post["post"]["content"]["text"], "Two");
    assert_eq!(post["post"]["content"]["mediaType"], "image");
    let hosted = post["post"]["content"]["imageUrls"].as_array().unwrap();
    assert_eq!(hosted.len(), 2);
    assert!(
        hosted[0]
            .as_str()
            .unwrap()
            .starts_with("https://storage.mysoku.io/media/")
    );

    // Running it again with the same key publishes nothing twice.
    soku(&sb, &args).expect(0);
    assert_eq!(sb.submissions().len(), 1);

    sb.reset();
    let out = soku(
        &sb,
        &[
            "publish-template",
            "tweetImage",
            "--set",
            "title=Hi",
            "--text",
            "Rendered",
            "-p",
            "threads",
        ],
    )
    .expect(0);
    assert_eq!(
        calls(&sb),
        pairs(&[("POST", "/v1/templates"), ("POST", "/v1/posts")])
    );
    let reqs = sb.requests();
    assert_eq!(
        reqs[0].json(),
        Some(json!({"templateSlug": "tweetImage", "config": {"title": "Hi"}}))
    );
    let doc = out.json();
    assert_eq!(
        reqs[1].json().unwrap()["post"]["content"],
        json!({"text": "Rendered", "mediaType": "image", "platform": ["threads"],
            "imageUrls": [doc["data"]["template"]["url"]]})
    );
}

#[test]
fn raw_json_bodies_are_sent_as_given() {
    let sb = Sandbox::start().unwrap();
    let env = env_of(&sb);
    let body = json!({"post": {"content": {"text": "Raw", "platform": ["linkedin"], "mediaType": "text"}},
        "enableRepurposing": true});
    run_with(&env, &["post", "--json", "-"], Some(&body.to_string())).expect(0);
    assert_eq!(only_body(&sb, "POST", "/v1/posts"), body);

    // The workflows take `post` in the create-post shape; the bare content object is the
    // deprecated form of the same request.
    let content = json!({"text": "Raw", "platform": ["linkedin"]});
    for post in [json!({"content": content}), content.clone()] {
        let sb = Sandbox::start().unwrap();
        let request = json!({"template": {"templateSlug": "tweetImage"}, "post": post});
        let out = run_with(
            &env_of(&sb),
            &["publish-template", "--json", "-"],
            Some(&request.to_string()),
        );
        let doc = out.expect(0).json();
        assert_eq!(
            calls(&sb),
            pairs(&[("POST", "/v1/templates"), ("POST", "/v1/posts")])
        );
        assert_eq!(
            sb.requests()[1].json().unwrap()["post"],
            json!({"content": {"text": "Raw", "platform": ["linkedin"], "mediaType": "image",
                "imageUrls": [doc["data"]["template"]["url"]]}})
        );
    }

    let dir = std::env::temp_dir().join(format!("soku-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        (
            vec!["media", "upload"],
            "/v1/media",
            json!({"url": "https://a.example/x.png"}),
        ),
        (
            vec!["template", "render"],
            "/v1/templates",
            json!({"templateSlug": "quoteCard", "config": {"quote": "q"}}),
        ),
        (
            vec!["transcribe"],
            "/v1/ai/transcribe",
            json!({"mediaId": "m", "durationSeconds": 61}),
        ),
        (
            vec!["keys", "create"],
            "/v1/api-keys",
            json!({"name": "raw"}),
        ),
    ];
    for (i, (cmd, path, body)) in cases.into_iter().enumerate() {
        sb.reset();
        let file = dir.join(format!("{i}.json"));
        std::fs::write(&file, body.to_string()).unwrap();
        let mut args = cmd.clone();
        args.extend(["--json", file.to_str().unwrap()]);
        soku(&sb, &args).expect(0);
        assert_eq!(only_body(&sb, "POST", path), body, "{cmd:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();

    sb.reset();
    let out = run_with(&env, &["post", "--json", "-"], Some("{not json")).expect(2);
    assert!(
        out.stderr.contains("not a valid request body"),
        "{}",
        out.stderr
    );
    let out = soku(&sb, &["post", "x", "-p", "x", "--json", "-"]).expect(2);
    assert!(out.stderr.contains("cannot be used with"), "{}", out.stderr);
    assert!(sb.requests().is_empty());
}

#[test]
fn dry_run_sends_nothing_and_redacts() {
    let sb = Sandbox::start().unwrap();
    let out = soku(
        &sb,
        &[
            "--dry-run",
            "post",
            "Hi",
            "-p",
            "x",
            "--idempotency-key",
            "k1",
        ],
    )
    .expect(0);
    let doc = out.json();
    assert_eq!(doc["dryRun"], true);
    let req = &doc["requests"][0];
    assert_eq!(req["method"], "POST");
    assert_eq!(req["url"], format!("{}/v1/posts", sb.url()));
    assert_eq!(req["headers"]["soku-api-key"], "[redacted]");
    assert_eq!(req["headers"]["idempotency-key"], "k1");
    assert_eq!(
        req["body"],
        json!({"post": {"content": {"text": "Hi", "mediaType": "text", "platform": ["x"]}}})
    );

    let out = soku(&sb, &["--dry-run", "keys", "rotate", "key_sandbox_default"]).expect(0);
    let reqs = out.json()["requests"].as_array().unwrap().clone();
    // list (the old key is checked first), create, probe, revoke
    let lines: Vec<_> = reqs
        .iter()
        .map(|r| format!("{} {}", s(&r["method"]), s(&r["url"])))
        .collect();
    let base = sb.url();
    assert_eq!(
        lines,
        [
            format!("GET {base}/v1/api-keys"),
            format!("POST {base}/v1/api-keys"),
            format!("POST {base}/v1/posts"),
            format!("DELETE {base}/v1/api-keys/key_sandbox_default"),
        ]
    );
    assert_eq!(reqs[0]["headers"]["authorization"], "Bearer [redacted]");

    let out = soku(
        &sb,
        &[
            "--dry-run",
            "--human",
            "publish-media",
            "https://a.example/v.mp4",
            "--video",
            "--text",
            "V",
            "-p",
            "tiktok",
        ],
    )
    .expect(0);
    assert!(
        out.stdout.starts_with("dry run: nothing was sent"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("https://planned.invalid/media/0"),
        "{}",
        out.stdout
    );

    // Validation still runs: an invalid post is refused, also in a dry run.
    soku(&sb, &["--dry-run", "post", "", "-p", "threads"]).expect(2);
    soku(
        &sb,
        &[
            "--dry-run",
            "post",
            "Hi",
            "-p",
            "x",
            "--schedule",
            "2001-01-01T00:00:00Z",
        ],
    )
    .expect(2);
    assert!(sb.requests().is_empty(), "a dry run sent {:?}", calls(&sb));
}

#[test]
fn human_and_json_output() {
    let sb = Sandbox::start().unwrap();
    let out = soku(&sb, &["--human", "post", "Hi", "-p", "x"]).expect(0);
    let id = sb.submissions().len();
    assert_eq!(id, 1);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.stdout);
    assert!(lines[0].starts_with("post accepted: "), "{}", lines[0]);
    assert!(
        lines[1].starts_with("request req_") && lines[1].contains("rate limit 29/30 left"),
        "{}",
        lines[1]
    );
    assert!(out.stderr.is_empty(), "{}", out.stderr);

    // Piped stdout: JSON, the library's result document.
    let doc = soku(&sb, &["post", "Hi", "-p", "x"]).expect(0).json();
    let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["data", "meta"]);
    let out = soku(&sb, &["--json-output", "--human", "post", "Hi", "-p", "x"]).expect(2);
    assert!(out.stderr.contains("cannot be used with"), "{}", out.stderr);

    // Errors: stderr has kind, status, code, message and request id; stdout the error document.
    let out = soku(&sb, &["post", "Hi", "-p", "instagram"]).expect(4);
    let doc = out.json();
    assert_eq!(doc["error"]["code"], "missing_account");
    let rid = doc["error"]["requestId"].as_str().unwrap();
    assert!(
        out.stderr.contains("api error 400 missing_account"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains(rid), "{}", out.stderr);
    let out = soku(&sb, &["--human", "post", "Hi", "-p", "instagram"]).expect(4);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
}

#[test]
fn verbose_logs_each_attempt() {
    let sb = Sandbox::start().unwrap();
    sb.inject(
        "/v1/posts",
        soku_sandbox::Fault::status(503, "internal_error").retry_after(0),
    );
    let out = soku(&sb, &["-v", "post", "Hi", "-p", "x"]).expect(0);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.stderr);
    assert!(
        lines[0].starts_with("soku: POST /v1/posts attempt 1: status 503, request req_"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("retrying in"), "{}", lines[0]);
    assert!(
        lines[1].starts_with("soku: POST /v1/posts attempt 2: status 200, request req_"),
        "{}",
        lines[1]
    );
    assert_eq!(sb.submissions().len(), 1);
    // Without -v, nothing on stderr.
    let out = soku(&sb, &["post", "Hi", "-p", "x"]).expect(0);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
}

#[test]
fn credentials_from_files_and_never_from_flags() {
    let sb = Sandbox::start().unwrap();
    let dir = std::env::temp_dir().join(format!("soku-cli-key-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("key");
    std::fs::write(&file, format!("{}\n", sb.api_key())).unwrap();
    let env = vec![("SOKU_BASE_URL".to_string(), sb.url().to_string())];
    run_with(
        &env,
        &[
            "post",
            "Hi",
            "-p",
            "x",
            "--api-key-file",
            file.to_str().unwrap(),
        ],
        None,
    )
    .expect(0);
    assert_eq!(sb.requests()[0].header("soku-api-key"), Some(sb.api_key()));
    // Missing credential: config error, nothing sent.
    sb.reset();
    run_with(&env, &["post", "Hi", "-p", "x"], None).expect(3);
    run_with(&env, &["keys", "list"], None).expect(3);
    run_with(
        &env,
        &[
            "post",
            "Hi",
            "-p",
            "x",
            "--api-key-file",
            "/nonexistent/key",
        ],
        None,
    )
    .expect(3);
    assert!(sb.requests().is_empty());
    // There is no flag that takes the key itself.
    run_with(
        &env,
        &["post", "Hi", "-p", "x", "--api-key", sb.api_key()],
        None,
    )
    .expect(2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn completions_for_each_shell() {
    let sb = Sandbox::start().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let out = soku(&sb, &["completions", shell]).expect(0);
        assert!(out.stdout.contains("publish-template"), "{shell}");
    }
    soku(&sb, &["completions", "tcsh"]).expect(2);
    assert!(sb.requests().is_empty());
}
