//! Secrets never appear in Debug/Display of the client, its builder, call options, responses or
//! any error — including errors whose text comes from a server that echoes the credentials.

mod core_support;
mod echo;

use core_support::{
    KEY, RawServer, TOKEN, assert_no_secret, builder, checked, client, hang_up, never_answer,
    refused_url,
};
use mockito::Server;
use soku::{CallOptions, Client, CreateApiKey, CreatePost, Platform, Secret, UploadMedia};

/// `{:?}` and `{:#?}` of a value: both must be clean.
fn both_debug_forms(v: &impl std::fmt::Debug) -> [String; 2] {
    [format!("{v:?}"), format!("{v:#?}")]
}

#[test]
fn debug_of_client_builder_and_options_is_redacted() {
    let b = builder("http://127.0.0.1:9").proxy("http://user:proxypass@127.0.0.1:3128");
    for shown in both_debug_forms(&b) {
        assert_no_secret(&shown);
        assert!(!shown.contains("proxypass"), "{shown}");
    }
    let c = b.build().unwrap();
    for shown in both_debug_forms(&c) {
        assert_no_secret(&shown);
        assert!(!shown.contains("proxypass"), "{shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
        assert!(shown.contains("127.0.0.1:9"), "{shown}");
    }
    for shown in both_debug_forms(&c.with_api_key(KEY)) {
        assert_no_secret(&shown);
    }
    let o = CallOptions::new()
        .firebase_token(TOKEN)
        .idempotency_key("k");
    for shown in both_debug_forms(&o) {
        assert_no_secret(&shown);
        assert!(shown.contains("\"k\""), "{shown}");
    }
}

#[test]
fn debug_of_config_and_secret_is_redacted() {
    let b = builder("http://127.0.0.1:9").proxy("http://user:proxypass@127.0.0.1:3128");
    let c = b.clone().build().unwrap();
    for config in [b.config(), c.config()] {
        for shown in both_debug_forms(config) {
            assert_no_secret(&shown);
            assert!(!shown.contains("proxypass"), "{shown}");
            assert!(shown.contains("[redacted]"), "{shown}");
            assert!(shown.contains("127.0.0.1:9"), "{shown}");
        }
        assert!(config.has_firebase_token() && config.has_proxy());
    }
    let s = Secret::from(KEY);
    assert_eq!(
        format!("{s:?}|{s}|{:?}|{s:#?}|{:#?}", Some(&s), Some(&s)),
        "[redacted]|[redacted]|Some([redacted])|[redacted]|Some(\n    [redacted],\n)"
    );
    assert_eq!(s.expose(), KEY);
}

#[test]
fn echoed_credentials_are_redacted_from_server_text() {
    let mut server = Server::new();
    server
        .mock("POST", "/v1/posts")
        .with_status(401)
        .with_body(format!(
            r#"{{"error":{{"code":"unauthorized","message":"key {KEY} is revoked"}}}}"#
        ))
        .create();
    server
        .mock("GET", "/v1/api-keys")
        .with_status(400)
        .with_body(format!("<html>bad token {TOKEN}</html>"))
        .create();
    server
        .mock("POST", "/v1/media")
        .with_status(201)
        .with_body(format!(r#"{{"url": 5, "echo": "{KEY}"}}"#))
        .create();
    server
        .mock("POST", "/v1/api-keys")
        .with_status(201)
        .with_body(format!(r#"{{"apiKey": ["{TOKEN}"]}}"#))
        .create();
    let c = client(&server.url());
    let e = c
        .create_post(&CreatePost::text("hi", [Platform::X]))
        .unwrap_err();
    assert_eq!(
        checked(&e),
        "api error 401 unauthorized: key [redacted] is revoked"
    );
    let e = c.list_api_keys().unwrap_err();
    assert_eq!(
        checked(&e),
        "api error 400 http_400: <html>bad token [redacted]</html>"
    );
    let e = c
        .upload_media(&UploadMedia::new("https://a.example/v.mp4"))
        .unwrap_err();
    assert_eq!(e.kind(), soku::ErrorKind::Decode);
    checked(&e);
    let e = c.create_api_key(&CreateApiKey::new()).unwrap_err();
    assert_eq!(e.kind(), soku::ErrorKind::Decode);
    checked(&e);
}

#[test]
fn every_other_error_kind_is_clean() {
    let mut errors = Vec::new();
    errors.push(
        builder(&refused_url())
            .max_retries(0)
            .build()
            .unwrap()
            .create_post(&CreatePost::text("hi", [Platform::X])),
    );
    let silent = RawServer::start(never_answer);
    errors.push(
        builder(&silent.url)
            .timeout(std::time::Duration::from_millis(200))
            .build()
            .unwrap()
            .create_post(&CreatePost::text("hi", [Platform::X])),
    );
    let rude = RawServer::start(hang_up);
    errors.push(
        builder(&rude.url)
            .max_retries(0)
            .build()
            .unwrap()
            .create_post(&CreatePost::text("hi", [Platform::X])),
    );
    let c = client("http://127.0.0.1:9");
    errors.push(c.create_post(&CreatePost::text("", [Platform::X])));
    errors.push(
        Client::builder()
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap()
            .create_post(&CreatePost::text("hi", [Platform::X])),
    );
    let kinds: Vec<&str> = errors
        .iter()
        .map(|r| {
            let e = r.as_ref().unwrap_err();
            checked(e);
            e.kind().as_str()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "transport",
            "timeout",
            "transport",
            "invalid_argument",
            "config"
        ]
    );
    let e = Client::builder()
        .api_key(format!("{KEY}\n"))
        .build()
        .unwrap_err();
    checked(&e);
    let e = Client::builder()
        .api_key(KEY)
        .base_url(format!("https://user:{TOKEN}@host"))
        .build()
        .unwrap_err();
    checked(&e);
}

#[test]
fn a_secret_across_the_excerpt_cut_is_redacted_whole() {
    // The collapsed text puts the key at characters 183..229: across the 200-character cut.
    let page = format!(
        "<html><body>{}\n  {KEY} <b>Bad Gateway</b>\n{}</body></html>",
        "x".repeat(170),
        "y".repeat(500)
    );
    let mut server = Server::new();
    server
        .mock("POST", "/v1/posts")
        .with_status(502)
        .with_header("content-type", "text/html")
        .with_body(&page)
        .create();
    let err = builder(&server.url())
        .max_retries(0)
        .build()
        .unwrap()
        .create_post(&CreatePost::text("hi", [Platform::X]))
        .unwrap_err();
    checked(&err);
    assert_no_secret(&serde_json::to_string(&err).unwrap());
    assert_eq!(err.status(), Some(502));
    let message = err.message();
    assert!(message.contains(" [redacted] <b>Bad"), "{message}");
    assert!(message.chars().count() <= 201, "{message}");
}

#[test]
fn echoed_credentials_are_redacted_from_every_error_field() {
    let mut server = Server::new();
    let body = serde_json::json!({"error": {
        "type": format!("type_{KEY}"),
        "code": format!("code_{TOKEN}"),
        "message": "bad",
        "requestId": format!("req_{KEY}"),
        "details": {
            "echo": format!("you sent {KEY}"),
            "nested": [1, {"token": TOKEN, "ok": "fine"}, [format!("x{KEY}x")]],
            KEY: true,
        },
    }});
    server
        .mock("POST", "/v1/posts")
        .with_status(400)
        .with_body(body.to_string())
        .create();
    server
        .mock("POST", "/v1/media")
        .with_status(500)
        .with_header("x-request-id", &format!("req_{TOKEN}"))
        .with_header("x-ratelimit-tier", &format!("tier {KEY}"))
        .with_body(r#"{"error":{"code":"internal_error","message":"boom"}}"#)
        .create();
    let c = builder(&server.url()).max_retries(0).build().unwrap();

    let err = c
        .create_post(&CreatePost::text("hi", [Platform::X]))
        .unwrap_err();
    assert_eq!(
        checked(&err),
        "api error 400 code_[redacted]: bad (request req_[redacted])"
    );
    let json = serde_json::to_string(&err).unwrap();
    assert_no_secret(&json);
    assert_no_secret(&serde_json::to_string(err.meta().unwrap()).unwrap());
    assert_eq!(
        err.details(),
        Some(&serde_json::json!({
            "echo": "you sent [redacted]",
            "nested": [1, {"token": "[redacted]", "ok": "fine"}, ["x[redacted]x"]],
            "[redacted]": true,
        }))
    );
    let soku::Error::Api(api) = &err else {
        panic!("not an api error")
    };
    assert_eq!(api.error_type.as_deref(), Some("type_[redacted]"));

    let err = c
        .upload_media(&UploadMedia::new("https://a.example/v.mp4"))
        .unwrap_err();
    assert_eq!(
        checked(&err),
        "api error 500 internal_error: boom (request req_[redacted])"
    );
    assert_no_secret(&serde_json::to_string(&err).unwrap());
    let meta = err.meta().unwrap();
    assert_no_secret(&serde_json::to_string(meta).unwrap());
    assert_eq!(meta.rate_limit.tier.as_deref(), Some("tier [redacted]"));
}

#[test]
fn a_per_call_firebase_token_is_redacted_from_decode_errors() {
    const CALL_TOKEN: &str = "eyJ.PER-CALL-FIREBASE-TOKEN.sig";
    let mut server = Server::new();
    server
        .mock("GET", "/v1/api-keys")
        .match_header("authorization", format!("Bearer {CALL_TOKEN}").as_str())
        .with_body(format!(r#"{{"apiKeys": ["{CALL_TOKEN}"]}}"#))
        .create();
    let err = client(&server.url())
        .list_api_keys_with(&CallOptions::new().firebase_token(CALL_TOKEN))
        .unwrap_err();
    assert_eq!(err.kind(), soku::ErrorKind::Decode);
    let shown = checked(&err);
    for text in [
        shown,
        format!("{err:?}"),
        serde_json::to_string(&err).unwrap(),
    ] {
        assert!(!text.contains("PER-CALL"), "per-call token leaked");
        assert!(text.contains("[redacted]"), "{text}");
    }
    for text in core_support::chain_texts(&err) {
        assert!(!text.contains("PER-CALL"), "per-call token leaked");
    }
}

#[test]
fn secrets_with_quotes_or_backslashes_and_prefix_secrets_are_redacted_whole() {
    // A key holding `"` and `\` is echoed back; the decoder quotes it escaped (`\"`, `\\`).
    const QUOTED: &str = r#"sk_live_QUOTE"D\KEY"#;
    // The call's token extends the client's token: the longer one must not leave its tail.
    const SHORT: &str = "eyJ.PREFIX-TOKEN";
    const LONG: &str = "eyJ.PREFIX-TOKEN.TAILsecret";
    let mut server = Server::new();
    let echoed = serde_json::json!({"jobId": "j", "creditsDebited": QUOTED}).to_string();
    server
        .mock("POST", "/v1/ai/transcribe")
        .with_status(200)
        .with_body(echoed)
        .create();
    server
        .mock("GET", "/v1/api-keys")
        .with_status(401)
        .with_body(format!(
            r#"{{"error":{{"code":"unauthorized","message":"Bearer {LONG} rejected; client token {SHORT}"}}}}"#
        ))
        .create();
    let c = Client::builder()
        .base_url(server.url())
        .api_key(QUOTED)
        .firebase_token(SHORT)
        .max_retries(0)
        .build()
        .unwrap();
    let err = c.transcribe(&soku::Transcribe::new("m")).unwrap_err();
    assert_eq!(err.kind(), soku::ErrorKind::Decode);
    let err2 = c
        .list_api_keys_with(&CallOptions::new().firebase_token(LONG))
        .unwrap_err();
    assert_eq!(
        err2.message(),
        "Bearer [redacted] rejected; client token [redacted]"
    );
    for e in [err, err2] {
        let mut texts = core_support::chain_texts(&e);
        texts.push(serde_json::to_string(&e).unwrap());
        for text in texts {
            for leak in ["QUOTE", "D\\KEY", "TAIL", "PREFIX"] {
                assert!(!text.contains(leak), "{leak} leaked");
            }
        }
    }
}

/// Every call of the client, each failing against an echoing server: every error (and each
/// failed item of a batch) is checked in every form with [`checked`].
#[test]
fn a_server_echoing_the_credential_leaks_it_through_no_error_of_any_call() {
    type Call = fn(&Client) -> Vec<soku::Error>;
    let calls: [(&str, Call); 13] = [
        ("create_post", |c| {
            c.create_post(&CreatePost::text("hi", [Platform::X]))
                .err()
                .into_iter()
                .collect()
        }),
        ("upload_media", |c| {
            c.upload_media(&UploadMedia::new("https://a.example/v.mp4"))
                .err()
                .into_iter()
                .collect()
        }),
        ("render_template", |c| {
            c.render_template(&soku::RenderTemplate::new("t"))
                .err()
                .into_iter()
                .collect()
        }),
        ("render_og", |c| {
            c.render_og(&soku::RenderTemplate::new("t"))
                .err()
                .into_iter()
                .collect()
        }),
        ("transcribe", |c| {
            c.transcribe(&soku::Transcribe::new("m"))
                .err()
                .into_iter()
                .collect()
        }),
        ("create_api_key", |c| {
            c.create_api_key(&CreateApiKey::new())
                .err()
                .into_iter()
                .collect()
        }),
        ("list_api_keys", |c| {
            c.list_api_keys().err().into_iter().collect()
        }),
        ("list_api_keys per-call token", |c| {
            c.list_api_keys_with(&CallOptions::new().firebase_token(TOKEN))
                .err()
                .into_iter()
                .collect()
        }),
        ("revoke_api_key", |c| {
            c.revoke_api_key("k1").err().into_iter().collect()
        }),
        ("publish_with_media", |c| {
            let req = soku::workflows::PublishWithMedia::new(
                ["https://a.example/a.png"],
                CreatePost::text("hi", [Platform::X]).post,
            );
            c.publish_with_media(&req, &CallOptions::new())
                .err()
                .into_iter()
                .collect()
        }),
        ("publish_with_template", |c| {
            let req = soku::workflows::PublishWithTemplate::new(
                soku::RenderTemplate::new("t"),
                CreatePost::text("hi", [Platform::X]).post,
            );
            c.publish_with_template(&req, &CallOptions::new())
                .err()
                .into_iter()
                .collect()
        }),
        ("rotate_api_key", |c| {
            c.rotate_api_key(
                &soku::workflows::RotateApiKey::new("key_old"),
                &CallOptions::new(),
            )
            .err()
            .into_iter()
            .collect()
        }),
        ("publish_batch", |c| {
            let posts = [CreatePost::text("hi", [Platform::X])];
            match c.publish_batch(&posts) {
                Ok(report) => {
                    assert_no_secret(&serde_json::to_string(&report.data).unwrap());
                    assert_no_secret(&format!("{:#?}", report.data));
                    report
                        .data
                        .results
                        .iter()
                        .filter_map(|i| i.error().cloned())
                        .collect()
                }
                Err(e) => vec![e],
            }
        }),
    ];
    let mut checked_errors = 0;
    for (shape_name, shape) in echo::ECHOES {
        let url = echo::server(shape);
        let c = builder(&url).max_retries(0).build().unwrap();
        for (call_name, call) in calls {
            let errors = call(&c);
            // Revoking ignores a 2xx body: nothing to decode, nothing to leak.
            let may_succeed = call_name == "revoke_api_key" && shape_name.starts_with("2xx");
            assert!(
                may_succeed || !errors.is_empty(),
                "{call_name} / {shape_name}: no error"
            );
            for e in &errors {
                checked(e);
                checked_errors += 1;
            }
        }
    }
    assert!(checked_errors >= 120, "{checked_errors}");
}
