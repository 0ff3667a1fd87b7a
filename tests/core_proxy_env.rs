//! `ClientBuilder::proxy_from_env`: `HTTPS_PROXY` / `https_proxy` are read only when asked for.
//! One test in its own binary, because it changes the process environment.

mod forward_proxy;

use forward_proxy::ForwardProxy;
use soku::{Client, CreatePost, Platform};
use soku_sandbox::Sandbox;

const PASSWORD: &str = "env-proxy-pass-7a41";

fn post(client: &Client) {
    client
        .create_post(&CreatePost::text("hi", [Platform::X]))
        .unwrap();
}

#[test]
fn proxy_variables_only_when_asked() {
    let sb = Sandbox::start().unwrap();
    let proxy = ForwardProxy::start(Some(("u", PASSWORD)));
    let builder = || Client::builder().base_url(sb.url()).api_key(sb.api_key());
    // SAFETY: this binary's only test; nothing else reads the environment meanwhile.
    unsafe {
        std::env::remove_var("https_proxy");
        std::env::set_var("HTTPS_PROXY", proxy.url_with("u", PASSWORD));
    }

    post(&builder().build().unwrap());
    assert_eq!(proxy.forwarded() + proxy.refused(), 0, "ignored by default");

    let client = builder().proxy_from_env(true).build().unwrap();
    assert!(client.config().has_proxy() && client.config().proxy_from_env());
    assert!(!format!("{client:?}").contains(PASSWORD));
    post(&client);
    assert_eq!(proxy.forwarded(), 1);

    // An explicit proxy wins over the variable.
    let other = ForwardProxy::start(None);
    post(
        &builder()
            .proxy_from_env(true)
            .proxy(other.url())
            .build()
            .unwrap(),
    );
    assert_eq!((proxy.forwarded(), other.forwarded()), (1, 1));

    // The lower-case variable when the upper-case one is unset.
    unsafe {
        std::env::remove_var("HTTPS_PROXY");
        std::env::set_var("https_proxy", proxy.url_with("u", PASSWORD));
    }
    post(&builder().proxy_from_env(true).build().unwrap());
    assert_eq!(proxy.forwarded(), 2);
    assert_eq!(sb.submissions().len(), 4, "every post reached the server");

    // A bad URL in the variable is the fault of proxy_from_env, said with the variable's name.
    unsafe {
        std::env::set_var(
            "https_proxy",
            format!("socks5://u:{PASSWORD}@127.0.0.1:1080"),
        )
    };
    let err = builder().proxy_from_env(true).build().unwrap_err();
    assert_eq!(err.param(), Some("proxyFromEnv"));
    assert_eq!(
        err.to_string(),
        "config error: https_proxy: socks proxies are not supported: use an http:// or https:// \
         proxy url (ClientBuilder::proxy_from_env)"
    );
    unsafe { std::env::remove_var("https_proxy") };
    post(&builder().proxy_from_env(true).build().unwrap());
    assert_eq!(proxy.forwarded(), 2, "unset: direct");
    assert_eq!(sb.submissions().len(), 5);
}
