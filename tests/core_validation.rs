//! Client-side validation and configuration errors: each rule rejects before any
//! I/O, with a message naming the field, and the server sees zero requests.

mod core_support;

use std::time::Duration;

use core_support::{builder, checked};
use mockito::{Matcher, Server, ServerGuard};
use serde_json::json;
use soku::{
    CallOptions, Client, CreateApiKey, CreatePost, Error, MediaType, Platform, PlatformTarget,
    PostContent, RenderTemplate, Transcribe, UploadMedia,
};

/// A server that must never be called; the mocks assert it when dropped via `assert`.
fn silent_server() -> (ServerGuard, Vec<mockito::Mock>) {
    let mut server = Server::new();
    let mocks = ["GET", "POST", "DELETE"]
        .into_iter()
        .map(|m| server.mock(m, Matcher::Any).expect(0).create())
        .collect();
    (server, mocks)
}

fn assert_invalid(result: Result<impl std::fmt::Debug, Error>, message: &str) {
    let err = result.unwrap_err();
    assert_eq!(err.kind(), soku::ErrorKind::InvalidArgument, "{err:?}");
    assert_eq!(checked(&err), format!("invalid argument: {message}"));
    assert!(err.meta().is_none());
}

/// Now + `secs`, in whole seconds, as `2026-03-09T14:00:00.000Z`.
fn in_seconds(secs: i64) -> String {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let then = now.checked_add_signed(secs).unwrap();
    soku::time::format_rfc3339(UNIX_EPOCH + Duration::from_secs(then))
}

#[test]
fn post_rules() {
    let (server, mocks) = silent_server();
    let c = builder(&server.url()).build().unwrap();
    let text = |p: Vec<PlatformTarget>| CreatePost::text("hi", p);

    assert_invalid(
        c.create_post(&text(vec![])),
        "post.content.platform must not be empty",
    );
    assert_invalid(
        c.create_post(&text(vec!["".into()])),
        "post.content.platform[0] must not be empty",
    );
    assert_invalid(
        c.create_post(&text(vec![
            Platform::X.into(),
            PlatformTarget::account(Platform::Instagram, " "),
        ])),
        "post.content.platform[1].accountId must not be empty",
    );
    for missing in [None, Some(""), Some("   ")] {
        let mut req = CreatePost::text("x", [Platform::LinkedIn]);
        req.post.content.text = missing.map(str::to_owned);
        assert_invalid(
            c.create_post(&req),
            "post.content.text is required for a text post",
        );
    }
    for (p, name) in [(Platform::X, "x"), (Platform::Threads, "threads")] {
        let req = CreatePost::images("", ["https://a.example/1.jpg"], [Platform::Facebook, p]);
        assert_invalid(
            c.create_post(&req),
            &format!("post.content.text is required for {name} targets"),
        );
    }
    assert_invalid(
        c.create_post(&CreatePost::video(
            "v",
            "ftp://a/b.mp4",
            [Platform::YouTube],
        )),
        "post.content.videoUrl must be an http(s) URL",
    );
    assert_invalid(
        c.create_post(&CreatePost::images(
            "i",
            ["https://a/1.jpg", "file:///etc/passwd"],
            [Platform::Facebook],
        )),
        "post.content.imageUrls[1] must be an http(s) URL",
    );
    assert_invalid(
        c.create_post(&text(vec![Platform::LinkedIn.into()]).media_urls(["javascript:alert(1)"])),
        "post.content.mediaUrls[0] must be an http(s) URL",
    );
    for bad in ["2026-03-09 14:00", "tomorrow", "2026-02-30T10:00:00Z", ""] {
        assert_invalid(
            c.create_post(&text(vec![Platform::LinkedIn.into()]).scheduled_time(bad)),
            "scheduledTime must be an RFC 3339 date-time such as 2026-03-09T14:00:00.000Z",
        );
    }
    for soon in [-3600, 0, 30] {
        assert_invalid(
            c.create_post(&text(vec![Platform::LinkedIn.into()]).scheduled_time(in_seconds(soon))),
            "scheduledTime must be at least 60 seconds in the future",
        );
    }
    for m in mocks {
        m.assert();
    }
}

#[test]
fn accepted_edge_cases_are_sent() {
    let mut server = Server::new();
    let m = server
        .mock("POST", "/v1/posts")
        .with_body(r#"{"postSubmissionId":"ps"}"#)
        .expect(3)
        .create();
    let c = builder(&server.url()).build().unwrap();
    // Two minutes ahead, with an offset.
    let later = in_seconds(120).replace(".000Z", "+00:00");
    c.create_post(&CreatePost::text("hi", [Platform::X]).scheduled_time(later))
        .unwrap();
    // Image post without text for platforms that do not need it.
    c.create_post(&CreatePost::new(
        PostContent::new([Platform::Instagram])
            .media_type(MediaType::Image)
            .image_urls(["https://a.example/1.jpg"]),
    ))
    .unwrap();
    // The schedule rule can be switched off (the server then judges).
    builder(&server.url())
        .validate_scheduled_time(false)
        .build()
        .unwrap()
        .create_post(&CreatePost::text("hi", [Platform::X]).scheduled_time("2020-01-01T00:00:00Z"))
        .unwrap();
    m.assert();
}

#[test]
fn media_type_outside_the_three_does_not_decode() {
    let body = json!({"post": {"content": {"text": "t", "mediaType": "gif", "platform": ["x"]}}});
    let err = serde_json::from_value::<CreatePost>(body).unwrap_err();
    assert!(err.to_string().contains("unknown variant `gif`"), "{err}");
}

#[test]
fn other_endpoint_rules() {
    let (server, mocks) = silent_server();
    let c = builder(&server.url()).build().unwrap();
    assert_invalid(
        c.upload_media(&UploadMedia::new("not a url")),
        "url must be an http(s) URL",
    );
    assert_invalid(
        c.render_template(&RenderTemplate::new(" ")),
        "templateSlug must not be empty",
    );
    assert_invalid(
        c.render_og(&RenderTemplate::new("tweetImage").config(json!(["title"]))),
        "config must be a JSON object",
    );
    assert_invalid(
        c.transcribe(&Transcribe::new("")),
        "mediaId must not be empty",
    );
    for d in [-1.0, f64::NAN, f64::INFINITY] {
        assert_invalid(
            c.transcribe(&Transcribe::new("m").duration_seconds(d)),
            "durationSeconds must be a non-negative number",
        );
    }
    // Like the server: blank (whitespace-only) names are refused; length counts every character.
    for name in [
        String::new(),
        " ".into(),
        " \t\n\u{3000}".into(),
        "n".repeat(101),
        format!(" {} ", "n".repeat(99)),
    ] {
        assert_invalid(
            c.create_api_key(&CreateApiKey::new().name(name)),
            "name must be 1 to 100 characters",
        );
    }
    assert_invalid(c.revoke_api_key(""), "id must not be empty");
    assert_invalid(
        c.create_post_with(
            &CreatePost::text("hi", [Platform::X]),
            &CallOptions::new().idempotency_key("bad\nkey"),
        ),
        "idempotency key must be 1 to 255 printable ascii characters without leading or \
         trailing spaces",
    );
    assert_invalid(
        c.list_api_keys_with(&CallOptions::new().timeout(Duration::ZERO)),
        "timeout must be greater than zero",
    );
    for m in mocks {
        m.assert();
    }
}

#[test]
fn hundred_character_and_padded_names_are_sent_verbatim() {
    for name in ["é".repeat(100), "  ci  ".to_owned()] {
        let mut server = Server::new();
        let m = server
            .mock("POST", "/v1/api-keys")
            .match_body(Matcher::Json(json!({ "name": name })))
            .with_body(r#"{"apiKey":"sk_live_x"}"#)
            .expect(1)
            .create();
        builder(&server.url())
            .build()
            .unwrap()
            .create_api_key(&CreateApiKey::new().name(name))
            .unwrap();
        m.assert();
    }
}

#[test]
fn missing_credentials_fail_before_io() {
    let (server, mocks) = silent_server();
    let bare = Client::builder().base_url(server.url()).build().unwrap();
    let err = bare
        .create_post(&CreatePost::text("hi", [Platform::X]))
        .unwrap_err();
    assert_eq!(err.kind(), soku::ErrorKind::Config);
    assert_eq!(
        checked(&err),
        "config error: an api key is required (set ClientBuilder::api_key, or SOKU_API_KEY with ClientBuilder::from_env)"
    );
    let err = bare.list_api_keys().unwrap_err();
    assert_eq!(err.kind(), soku::ErrorKind::Config);
    assert!(
        checked(&err).contains("firebase token is required"),
        "{err}"
    );
    let err = bare
        .with_api_key("")
        .upload_media(&UploadMedia::new("https://a/b"))
        .unwrap_err();
    assert_eq!(
        checked(&err),
        "config error: api key is empty (ClientBuilder::api_key)"
    );
    let err = bare
        .with_api_key("sk_live_a\r\nX-Evil: 1")
        .upload_media(&UploadMedia::new("https://a/b"))
        .unwrap_err();
    assert_eq!(
        checked(&err),
        "config error: api key contains characters that cannot be sent in a header \
         (ClientBuilder::api_key)"
    );
    for m in mocks {
        m.assert();
    }
}

#[test]
fn bad_configuration_is_refused_at_build() {
    let cases: Vec<(soku::ClientBuilder, &str)> = vec![
        (
            Client::builder().base_url("api.mysoku.io"),
            "invalid base url: must start with https:// or http:// (ClientBuilder::base_url)",
        ),
        (
            Client::builder().base_url("http://api.mysoku.io"),
            "invalid base url: plain http:// is only allowed for loopback hosts (use https:// or ClientBuilder::allow_insecure_http(true))",
        ),
        (
            Client::builder().timeout(Duration::ZERO),
            "timeout must be greater than zero (ClientBuilder::timeout)",
        ),
        (
            Client::builder().connect_timeout(Duration::ZERO),
            "connect timeout must be greater than zero (ClientBuilder::connect_timeout)",
        ),
        (
            Client::builder().api_key("sk_live_\n"),
            "api key contains characters that cannot be sent in a header (ClientBuilder::api_key)",
        ),
        (
            Client::builder().firebase_token(" "),
            "firebase token is empty (ClientBuilder::firebase_token)",
        ),
        (
            Client::builder().user_agent("ua\u{7}"),
            "user agent must be printable ascii (ClientBuilder::user_agent)",
        ),
        (
            Client::builder().proxy("::not a proxy::"),
            "invalid proxy url (ClientBuilder::proxy)",
        ),
    ];
    for (b, message) in cases {
        let err = b.build().unwrap_err();
        assert_eq!(err.kind(), soku::ErrorKind::Config);
        assert_eq!(checked(&err), format!("config error: {message}"));
    }
    assert!(
        Client::builder()
            .base_url("http://build.internal:8080/api")
            .allow_insecure_http(true)
            .build()
            .is_ok()
    );
}

#[test]
fn the_client_keeps_the_validated_config_of_its_builder() {
    let defaults = Client::builder().build().unwrap();
    let d = defaults.config();
    assert_eq!(d.base_url(), soku::DEFAULT_BASE_URL);
    assert_eq!(d.base_url(), "https://api.mysoku.io");
    assert_eq!(d.timeout(), Duration::from_secs(30));
    assert_eq!(d.timeout(), soku::DEFAULT_TIMEOUT);
    assert_eq!(d.connect_timeout(), Duration::from_secs(10));
    let retry = d.retry();
    assert_eq!(retry.max_retries, 3);
    assert_eq!(retry.max_wait, Duration::from_secs(60));
    assert_eq!(retry.backoff_base, Duration::from_secs(1));
    assert_eq!(retry, soku::RetryPolicy::default());
    assert_eq!(d.user_agent(), format!("soku-rust/{}", soku::VERSION));
    assert!(!d.allow_insecure_http() && d.validate_scheduled_time());
    assert!(!d.has_proxy() && !d.has_firebase_token());
    assert_eq!((d.tls_roots(), d.ca_count()), (soku::TlsRoots::WebPki, 0));

    let b = Client::builder()
        .base_url("HTTPS://host:8443/api//")
        .timeout(Duration::from_millis(1500))
        .connect_timeout(Duration::from_millis(700))
        .max_retries(0)
        .max_retry_wait(Duration::from_secs(5))
        .backoff_base(Duration::from_millis(20))
        .user_agent("ua/1")
        .validate_scheduled_time(false)
        .proxy("http://127.0.0.1:3128");
    // The builder's view is the raw input; the client's is the validated, normalised one.
    assert_eq!(b.config().base_url(), "HTTPS://host:8443/api//");
    let c = b.build().unwrap();
    let k = c.config();
    assert_eq!(k.base_url(), "https://host:8443/api");
    assert_eq!(c.base_url(), k.base_url());
    assert_eq!(
        (k.timeout(), k.connect_timeout()),
        (Duration::from_millis(1500), Duration::from_millis(700))
    );
    let retry = k.retry();
    assert_eq!(
        (retry.max_retries, retry.max_wait, retry.backoff_base),
        (0, Duration::from_secs(5), Duration::from_millis(20))
    );
    assert_eq!(k.user_agent(), "ua/1");
    assert!(!k.validate_scheduled_time() && k.has_proxy());
    // A client with another key shares the very same configuration.
    assert!(std::ptr::eq(c.with_api_key("sk_live_other").config(), k));
}

#[test]
fn durations_above_the_ceiling_are_refused_not_a_panic() {
    let (server, mocks) = silent_server();
    let day = Duration::from_secs(24 * 60 * 60);
    let over = day + Duration::from_millis(1);
    type Set = fn(soku::ClientBuilder, Duration) -> soku::ClientBuilder;
    let options: [(Set, &str, &str); 4] = [
        (|b, d| b.timeout(d), "timeout", "timeout"),
        (
            |b, d| b.connect_timeout(d),
            "connect timeout",
            "connect_timeout",
        ),
        (
            |b, d| b.max_retry_wait(d),
            "max retry wait",
            "max_retry_wait",
        ),
        (|b, d| b.backoff_base(d), "backoff base", "backoff_base"),
    ];
    for (set, name, method) in options {
        for d in [over, Duration::MAX] {
            let err = set(builder(&server.url()), d).build().unwrap_err();
            assert_eq!(err.kind(), soku::ErrorKind::Config);
            assert_eq!(
                checked(&err),
                format!("config error: {name} must be at most 24 h (ClientBuilder::{method})")
            );
        }
        assert!(set(builder(&server.url()), day).build().is_ok(), "{name}");
    }
    let c = builder(&server.url()).build().unwrap();
    for d in [over, Duration::MAX] {
        assert_invalid(
            c.create_post_with(
                &CreatePost::text("hi", [Platform::X]),
                &CallOptions::new().timeout(d),
            ),
            "timeout must be at most 24 h",
        );
        assert_invalid(
            c.list_api_keys_with(&CallOptions::new().timeout(d)),
            "timeout must be at most 24 h",
        );
    }
    for m in mocks {
        m.assert();
    }
}

#[test]
fn blank_and_padded_idempotency_keys_are_refused() {
    let (server, mocks) = silent_server();
    let c = builder(&server.url()).build().unwrap();
    let post = CreatePost::text("hi", [Platform::X]);
    for key in ["", " ", "  ", " k", "k ", "\tk", "k\t"] {
        assert_invalid(
            c.create_post_with(&post, &CallOptions::new().idempotency_key(key)),
            "idempotency key must be 1 to 255 printable ascii characters without leading or \
             trailing spaces",
        );
        assert_invalid(
            c.list_api_keys_with(&CallOptions::new().idempotency_key(key)),
            "idempotency key must be 1 to 255 printable ascii characters without leading or \
             trailing spaces",
        );
    }
    for m in mocks {
        m.assert();
    }
}

#[test]
fn dot_segment_and_empty_ids_are_refused() {
    let (server, mocks) = silent_server();
    let c = builder(&server.url()).build().unwrap();
    for id in ["", " ", "\t"] {
        assert_invalid(c.revoke_api_key(id), "id must not be empty");
        assert_invalid(
            c.rotate_api_key(&soku::workflows::RotateApiKey::new(id), &CallOptions::new()),
            "oldKeyId must not be empty",
        );
    }
    for id in [".", ".."] {
        assert_invalid(
            c.revoke_api_key(id),
            "id must not be \".\" or \"..\" (it would address another path)",
        );
        assert_invalid(
            c.rotate_api_key(&soku::workflows::RotateApiKey::new(id), &CallOptions::new()),
            "oldKeyId must not be \".\" or \"..\" (it would address another path)",
        );
    }
    for m in mocks {
        m.assert();
    }
}

#[test]
fn path_unsafe_ids_are_percent_encoded_into_one_segment() {
    let mut server = Server::new();
    let mut mocks = Vec::new();
    for (id, path) in [
        ("a/b", "/v1/api-keys/a%2Fb"),
        ("k?x=1", "/v1/api-keys/k%3Fx=1"),
        ("k#f", "/v1/api-keys/k%23f"),
        ("...", "/v1/api-keys/..."),
        ("%2e", "/v1/api-keys/%252e"),
    ] {
        let path = path.replace('=', "%3D");
        mocks.push(
            server
                .mock("DELETE", path.as_str())
                .with_status(204)
                .expect(1)
                .create(),
        );
        let c = builder(&server.url()).build().unwrap();
        c.revoke_api_key(id).unwrap();
    }
    for m in mocks {
        m.assert();
    }
}

#[test]
fn max_retries_above_the_cap_is_refused() {
    assert_eq!(soku::MAX_RETRIES, 10);
    let (server, mocks) = silent_server();
    for n in [11, u32::MAX] {
        let err = builder(&server.url()).max_retries(n).build().unwrap_err();
        assert_eq!(err.kind(), soku::ErrorKind::Config);
        assert_eq!(
            checked(&err),
            format!(
                "config error: max retries must be at most 10 (got {n}) (ClientBuilder::max_retries)"
            )
        );
    }
    assert!(builder(&server.url()).max_retries(10).build().is_ok());
    let c = builder(&server.url()).build().unwrap();
    assert_invalid(
        c.create_post_with(
            &CreatePost::text("hi", [Platform::X]),
            &CallOptions::new().max_retries(11),
        ),
        "max retries must be at most 10 (got 11)",
    );
    for m in mocks {
        m.assert();
    }
}

#[test]
fn socks_proxy_is_a_config_error_not_a_panic() {
    for url in [
        "socks5://127.0.0.1:1080",
        "socks5h://127.0.0.1:1080",
        "SOCKS4://127.0.0.1:1080",
        "socks://127.0.0.1:1080",
    ] {
        let err = builder("http://127.0.0.1:9")
            .proxy(url)
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), soku::ErrorKind::Config, "{url}");
        assert_eq!(
            checked(&err),
            "config error: socks proxies are not supported: use an http:// or https:// proxy url \
             (ClientBuilder::proxy)"
        );
    }
    assert!(
        builder("http://127.0.0.1:9")
            .proxy("http://127.0.0.1:3128")
            .build()
            .is_ok()
    );
}

/// `Error::param` names what to fix as data (the request field's JSON path or the config key),
/// for a program that highlights the offending input instead of parsing the message.
#[test]
fn input_errors_name_the_field_or_key_at_fault() {
    let (server, _mocks) = silent_server();
    let c = builder(&server.url()).build().unwrap();
    let param = |r: Result<soku::Response<soku::PostSubmission>, Error>| {
        let err = r.unwrap_err();
        assert_eq!(err.kind(), soku::ErrorKind::InvalidArgument, "{err:?}");
        err.param().map(str::to_owned)
    };
    assert_eq!(
        param(c.create_post(&CreatePost::text(" ", [Platform::X]))).as_deref(),
        Some("post.content.text")
    );
    assert_eq!(
        param(c.create_post_with(
            &CreatePost::text("hi", [Platform::X]),
            &CallOptions::new().idempotency_key(" k")
        ))
        .as_deref(),
        Some("idempotencyKey")
    );
    assert_eq!(
        param(c.create_post_with(
            &CreatePost::text("hi", [Platform::X]),
            &CallOptions::new().timeout(Duration::from_secs(25 * 3600))
        ))
        .as_deref(),
        Some("timeoutMs")
    );

    let config_param = |b: soku::ClientBuilder| {
        let err = b.build().unwrap_err();
        assert_eq!(err.kind(), soku::ErrorKind::Config, "{err:?}");
        err.param().map(str::to_owned)
    };
    assert_eq!(
        config_param(Client::builder().base_url("ftp://example.com")).as_deref(),
        Some("baseUrl")
    );
    assert_eq!(
        config_param(builder(&server.url()).proxy("socks5://127.0.0.1:1080")).as_deref(),
        Some("proxy")
    );
    assert_eq!(
        config_param(builder(&server.url()).connect_timeout(Duration::ZERO)).as_deref(),
        Some("connectTimeoutMs")
    );
    let bare = Client::builder().base_url(server.url()).build().unwrap();
    let err = bare
        .create_post(&CreatePost::text("hi", [Platform::X]))
        .unwrap_err();
    assert_eq!(err.param(), Some("apiKey"), "{err:?}");
}

/// Every value sent in a request's head has a documented bound (8 KiB): a longer one is refused
/// before anything is sent, naming the option (once a 128 KiB user agent was accepted and every
/// call then failed with "output too small"). With every value at its bound at once, the call
/// goes through and the server receives the values whole.
#[test]
fn header_borne_values_are_bounded_and_the_bound_itself_is_sent() {
    let max = soku::MAX_HEADER_VALUE_LEN;
    assert_eq!(max, 8 * 1024);
    let (server, mocks) = silent_server();
    let url = server.url();
    let over = "a".repeat(max + 1);
    let huge = "a".repeat(128 * 1024 + 1);
    let config_error = |b: soku::ClientBuilder, param: &str| {
        let err = b.build().unwrap_err();
        assert_eq!(err.kind(), soku::ErrorKind::Config, "{param}: {err:?}");
        assert_eq!(err.param(), Some(param));
        let message = checked(&err);
        assert!(message.contains("must be at most 8192 bytes"), "{message}");
        assert!(
            !message.contains("aaaa"),
            "the value is not quoted: {message}"
        );
    };
    for ua in [&over, &huge] {
        config_error(builder(&url).user_agent(ua.as_str()), "userAgent");
    }
    config_error(builder(&url).api_key(over.as_str()), "apiKey");
    config_error(builder(&url).firebase_token(over.as_str()), "firebaseToken");
    config_error(
        builder(&url).proxy(format!("http://user:{over}@127.0.0.1:1")),
        "proxy",
    );
    config_error(builder(&format!("{url}/{over}")), "baseUrl");
    // Per call: a longer token or key id, refused before sending.
    let client = builder(&url).firebase_token("tok").build().unwrap();
    let opts = CallOptions::new().firebase_token(over.as_str());
    let err = client.list_api_keys_with(&opts).unwrap_err();
    assert_eq!(err.param(), Some("firebaseToken"), "{err:?}");
    let err = client.revoke_api_key(&over).unwrap_err();
    assert_eq!(err.kind(), soku::ErrorKind::InvalidArgument, "{err:?}");
    assert_eq!(
        checked(&err),
        "invalid argument: id must be at most 8192 bytes"
    );
    for m in mocks {
        m.assert();
    }
    drop(server);

    // Everything at its bound at once: user agent, API key, base URL, idempotency key.
    let mut server = Server::new();
    let prefix = format!("/{}", "p".repeat(max - server.url().len() - 1));
    let base = format!("{}{prefix}", server.url());
    assert_eq!(base.len(), max);
    let (ua, key) = ("u".repeat(max), "k".repeat(max));
    let idem = "i".repeat(255);
    let m = server
        .mock("POST", format!("{prefix}/v1/posts").as_str())
        .match_header("user-agent", ua.as_str())
        .match_header("soku-api-key", key.as_str())
        .match_header("idempotency-key", idem.as_str())
        .with_body(r#"{"postSubmissionId": "ps_max"}"#)
        .expect(1)
        .create();
    let client = Client::builder()
        .base_url(&base)
        .api_key(key.as_str())
        .user_agent(ua.as_str())
        .max_retries(0)
        .build()
        .unwrap();
    let post = CreatePost::text("hi", [Platform::X]);
    let opts = CallOptions::new().idempotency_key(idem.as_str());
    let resp = client.create_post_with(&post, &opts).unwrap();
    assert_eq!(resp.post_submission_id, "ps_max");
    m.assert();
}
