//! `proxy` through the C ABI (and the Rust builder beneath it) via a real forward proxy on
//! loopback, and the messages of the missing-key, insecure-URL and bad-proxy errors in each
//! interface's own option names.

mod ffi_common;
mod forward_proxy;

use ffi_common::*;
use forward_proxy::ForwardProxy;
use serde_json::json;
use soku::ffi::*;
use soku::{Client, CreatePost, Platform};
use soku_sandbox::Sandbox;

const PASSWORD: &str = "proxy-pass-3c1f9a";

/// Every message the suite produced must keep the proxy password out.
fn assert_no_password(text: &str) {
    assert!(
        !text.contains(PASSWORD),
        "the proxy password leaked: {text}"
    );
}

#[test]
fn c_calls_go_through_the_proxy_with_its_credentials() {
    let sb = Sandbox::start().unwrap();
    let proxy = ForwardProxy::start(Some(("user", PASSWORD)));
    let mut config: serde_json::Value =
        serde_json::from_str(&fast_config(sb.url(), sb.api_key(), sb.firebase_token())).unwrap();
    config["proxy"] = json!(proxy.url_with("user", PASSWORD));
    config["fromEnv"] = json!(false);
    let c = client(&config.to_string());
    let (status, out) = call(soku_posts_create, &c, Some(TEXT_POST), None);
    assert_eq!(status, SOKU_OK, "{out}");
    assert_no_password(&out.to_string());
    assert_eq!(proxy.forwarded(), 1, "one tunnel for the post");
    assert_eq!(proxy.refused(), 0);
    assert_eq!(sb.submissions().len(), 1, "the post reached the server");
    let lines = proxy.seen.lines.lock().unwrap().clone();
    assert_eq!(
        lines,
        [format!("CONNECT {} HTTP/1.1", &sb.url()["http://".len()..])]
    );
    // The kept-alive tunnel serves the next call: still one tunnel, two posts.
    let (status, out) = call(soku_posts_create, &c, Some(TEXT_POST), None);
    assert_eq!(status, SOKU_OK, "{out}");
    assert_eq!(sb.submissions().len(), 2);
    assert!(proxy.forwarded() <= 2);

    // Wrong credentials: the proxy refuses (407), nothing reaches the server, and the error
    // names no password.
    config["proxy"] = json!(proxy.url_with("user", "wrong-pass"));
    let c = client(&config.to_string());
    let (status, out) = call(soku_posts_create, &c, Some(TEXT_POST), None);
    assert_ne!(status, SOKU_OK, "{out}");
    assert!(proxy.refused() >= 1);
    assert_eq!(sb.submissions().len(), 2);
    assert!(!out.to_string().contains("wrong-pass"), "{out}");
}

#[test]
fn rust_calls_go_through_the_proxy() {
    let sb = Sandbox::start().unwrap();
    let proxy = ForwardProxy::start(Some(("u", PASSWORD)));
    let client = Client::builder()
        .base_url(sb.url())
        .api_key(sb.api_key())
        .proxy(proxy.url_with("u", PASSWORD))
        .build()
        .unwrap();
    assert_no_password(&format!("{client:?}"));
    let sub = client
        .create_post(&CreatePost::text("via proxy", [Platform::X]))
        .unwrap();
    assert!(!sub.post_submission_id.is_empty());
    assert_eq!(proxy.forwarded(), 1);
    assert_eq!(sb.submissions().len(), 1);
    // No proxy listening: a transport error that never shows the password.
    let client = Client::builder()
        .base_url(sb.url())
        .api_key(sb.api_key())
        .max_retries(0)
        .proxy(format!("http://u:{PASSWORD}@127.0.0.1:1"))
        .build()
        .unwrap();
    let err = client
        .create_post(&CreatePost::text("x", [Platform::X]))
        .unwrap_err();
    for shown in [format!("{err}"), format!("{err:?}"), format!("{err:#?}")] {
        assert_no_password(&shown);
    }
}

/// The C error JSON of a client created from `config` (status, message, param).
fn client_error(config: serde_json::Value) -> (i32, String, String) {
    let (status, _, out) = try_client(Some(config.to_string().as_bytes()));
    (
        status,
        out["error"]["message"].as_str().unwrap_or("").to_owned(),
        out["error"]["param"].as_str().unwrap_or("").to_owned(),
    )
}

#[test]
fn c_messages_name_c_keys_and_python_names_python_keywords() {
    // Insecure URL.
    let (status, message, param) = client_error(json!({
        "fromEnv": false, "baseUrl": "http://api.example.com"
    }));
    assert_eq!(status, SOKU_ERR_CONFIG);
    assert_eq!(param, "baseUrl");
    assert_eq!(
        message,
        "invalid base url: plain http:// is only allowed for loopback hosts \
         (use https:// or \"allowInsecureHttp\": true)"
    );
    let (_, message, _) = client_error(json!({
        "fromEnv": false, "baseUrl": "http://api.example.com", "optionNames": "python"
    }));
    assert_eq!(
        message,
        "invalid base url: plain http:// is only allowed for loopback hosts \
         (use https:// or allow_insecure_http=True)"
    );

    // Bad proxy: a SOCKS URL with a password.
    let socks = format!("socks5://u:{PASSWORD}@127.0.0.1:1080");
    let (status, message, param) = client_error(json!({"fromEnv": false, "proxy": socks}));
    assert_eq!(status, SOKU_ERR_CONFIG);
    assert_eq!(param, "proxy");
    assert_eq!(
        message,
        "socks proxies are not supported: use an http:// or https:// proxy url \
         (config key \"proxy\")"
    );
    let (_, message, _) =
        client_error(json!({"fromEnv": false, "proxy": socks, "optionNames": "python"}));
    assert_eq!(
        message,
        "socks proxies are not supported: use an http:// or https:// proxy url (proxy=)"
    );
    let (status, message, param) =
        client_error(json!({"fromEnv": false, "proxy": format!("::u:{PASSWORD}::")}));
    assert_eq!((status, param.as_str()), (SOKU_ERR_CONFIG, "proxy"));
    assert_no_password(&message);

    // Missing API key, reported at the call.
    let sb = Sandbox::start().unwrap();
    for (names, want) in [
        (
            None,
            "an api key is required (set \"apiKey\" or SOKU_API_KEY)",
        ),
        (
            Some("python"),
            "an api key is required (set api_key= or SOKU_API_KEY)",
        ),
    ] {
        let mut config = json!({"fromEnv": false, "baseUrl": sb.url()});
        if let Some(n) = names {
            config["optionNames"] = json!(n);
        }
        let c = client(&config.to_string());
        let (status, out) = call(soku_posts_create, &c, Some(TEXT_POST), None);
        assert_eq!(status, SOKU_ERR_CONFIG, "{out}");
        assert_eq!(out["error"]["message"], want);
        assert_eq!(out["error"]["param"], "apiKey");
    }
    // A batch's failed items speak the same names.
    for (names, want) in [
        (
            "c",
            "an api key is required (set \"apiKey\" or SOKU_API_KEY)",
        ),
        (
            "python",
            "an api key is required (set api_key= or SOKU_API_KEY)",
        ),
    ] {
        let config = json!({"fromEnv": false, "baseUrl": sb.url(), "optionNames": names});
        let c = client(&config.to_string());
        let (status, out) = call(soku_posts_publish_batch, &c, Some(BATCH), None);
        assert_eq!(status, SOKU_OK, "{out}");
        let items = out["data"]["results"].as_array().unwrap();
        assert!(!items.is_empty());
        for item in items {
            assert_eq!(item["error"]["message"], want, "{out}");
            assert_eq!(item["error"]["param"], "apiKey");
        }
    }
    assert!(sb.requests().is_empty(), "nothing was sent");
}

#[test]
fn rust_messages_name_builder_methods() {
    let err = Client::builder()
        .base_url("http://api.example.com")
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "config error: invalid base url: plain http:// is only allowed for loopback hosts \
         (use https:// or ClientBuilder::allow_insecure_http(true))"
    );
    assert_eq!(err.param(), Some("baseUrl"));
    let err = Client::builder()
        .proxy(format!("socks5h://u:{PASSWORD}@127.0.0.1:1080"))
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "config error: socks proxies are not supported: use an http:// or https:// proxy url \
         (ClientBuilder::proxy)"
    );
    assert_eq!(err.param(), Some("proxy"));
    let sb = Sandbox::start().unwrap();
    let c = Client::builder().base_url(sb.url()).build().unwrap();
    let err = c
        .create_post(&CreatePost::text("x", [Platform::X]))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "config error: an api key is required (set ClientBuilder::api_key, or SOKU_API_KEY with ClientBuilder::from_env)"
    );
    assert_eq!(
        err.hint(soku::options::Names::Cli).as_deref(),
        Some("set SOKU_API_KEY or --api-key-file")
    );
    // No message of any interface names another interface's option.
    for names in [
        soku::options::Names::Rust,
        soku::options::Names::C,
        soku::options::Names::Python,
        soku::options::Names::Cli,
    ] {
        let hint = err.hint(names).unwrap();
        for o in soku::options::OPTIONS.iter().filter(|o| o.key == "apiKey") {
            let own = o.name(names).unwrap();
            assert!(hint.contains(&own), "{hint}");
        }
    }
}

/// The helper's plain-HTTP path (absolute-form forwarding), which ureq does not use (it tunnels
/// every target with CONNECT): a client such as curl that sends `GET http://…` gets the server's
/// answer, and the server sees an origin-form request without the proxy's headers.
#[test]
fn the_test_proxy_forwards_absolute_form_requests() {
    use std::io::{Read, Write};
    let sb = Sandbox::start().unwrap();
    let proxy = ForwardProxy::start(Some(("u", PASSWORD)));
    let mut s = std::net::TcpStream::connect(("127.0.0.1", proxy.port)).unwrap();
    let auth = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(format!("u:{PASSWORD}"))
    };
    write!(
        s,
        "GET {}/v1/api-keys HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\n\
         proxy-authorization: Basic {auth}\r\n\r\n",
        sb.url(),
        sb.firebase_token()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(proxy.forwarded(), 1);
    let seen = sb.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("GET", "/v1/api-keys")
    );
    assert!(seen[0].header("proxy-authorization").is_none());
}
