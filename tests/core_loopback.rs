//! The loopback rule: a plain `http://` base URL is accepted only when the requests stay on
//! this machine (the API key travels in clear text), unless `allow_insecure_http` is set.
//! "Stays on this machine" means the host is written as a loopback address (`127.0.0.0/8` in
//! dotted-decimal, `::1`) or is the name `localhost` (any case), and no proxy elsewhere carries
//! the request. Anything a DNS server, a URL parser or a proxy could send elsewhere is refused.

mod core_support;

use core_support::{RawServer, builder, checked, read_request};
use soku::{Client, CreatePost, ErrorKind, Platform};

/// Why a base URL is refused: the fragment of the config error's message.
const NOT_LOOPBACK: &str = "plain http:// is only allowed for loopback hosts";
const CREDENTIALS: &str = "must not contain credentials";
const QUERY: &str = "must not have a query or fragment";
const MALFORMED: &str = "missing or malformed host";
const NOT_ASCII: &str = "must be printable ascii";

/// `(base URL, None = accepted | Some(reason fragment) = refused, why)`.
const TABLE: &[(&str, Option<&str>, &str)] = &[
    // Accepted: the host is a loopback address or the reserved name.
    ("http://127.0.0.1", None, "IPv4 loopback"),
    (
        "http://127.0.0.1:8080/api",
        None,
        "IPv4 loopback with a port and a path",
    ),
    ("http://127.0.0.2", None, "all of 127.0.0.0/8 is loopback"),
    (
        "http://127.255.255.254:1",
        None,
        "all of 127.0.0.0/8 is loopback",
    ),
    ("http://[::1]", None, "IPv6 loopback"),
    (
        "http://[::1]:9/x",
        None,
        "IPv6 loopback with a port and a path",
    ),
    ("http://[0:0:0:0:0:0:0:1]", None, "::1 written in full"),
    ("http://localhost", None, "the name reserved for loopback"),
    (
        "http://LOCALHOST:1",
        None,
        "host names are case-insensitive",
    ),
    (
        "HTTP://LocalHost",
        None,
        "scheme and host are case-insensitive",
    ),
    (
        "http://127.0.0.1:80/@evil.example",
        None,
        "the @ is in the path: the host is 127.0.0.1",
    ),
    // Refused: names that only look like localhost are resolved by someone else's DNS.
    (
        "http://localhost.attacker.example",
        Some(NOT_LOOPBACK),
        "a subdomain of another domain",
    ),
    (
        "http://localhost.attacker.example:80",
        Some(NOT_LOOPBACK),
        "the same with a port",
    ),
    (
        "http://localhostx",
        Some(NOT_LOOPBACK),
        "another name that starts with localhost",
    ),
    (
        "http://xlocalhost",
        Some(NOT_LOOPBACK),
        "another name that ends with localhost",
    ),
    (
        "http://localhost.localdomain",
        Some(NOT_LOOPBACK),
        "resolved by the system's configuration",
    ),
    (
        "http://127.0.0.1.nip.io",
        Some(NOT_LOOPBACK),
        "a public DNS name: its answer can change",
    ),
    (
        "http://localhost.",
        Some(NOT_LOOPBACK),
        "fully-qualified: some resolvers ask DNS",
    ),
    (
        "http://127.0.0.1.",
        Some(NOT_LOOPBACK),
        "a trailing dot makes it a name, looked up",
    ),
    (
        "http://[::1].",
        Some(MALFORMED),
        "nothing may follow the bracketed address but a port",
    ),
    // Refused: addresses in forms other than dotted-decimal or ::1. inet_aton reads some as
    // 127.0.0.1, other parsers (and proxies) do not: only the unambiguous forms pass.
    ("http://0x7f.1", Some(NOT_LOOPBACK), "hexadecimal shorthand"),
    (
        "http://0x7f000001",
        Some(NOT_LOOPBACK),
        "one hexadecimal number",
    ),
    (
        "http://2130706433",
        Some(NOT_LOOPBACK),
        "one decimal number",
    ),
    ("http://0177.0.0.1", Some(NOT_LOOPBACK), "octal"),
    ("http://127.1", Some(NOT_LOOPBACK), "two-part shorthand"),
    ("http://127.0.1", Some(NOT_LOOPBACK), "three-part shorthand"),
    (
        "http://[::ffff:127.0.0.1]",
        Some(NOT_LOOPBACK),
        "IPv4-mapped: not the ::1 spelling",
    ),
    (
        "http://[::ffff:7f00:1]",
        Some(NOT_LOOPBACK),
        "IPv4-mapped in hex",
    ),
    (
        "http://0.0.0.0",
        Some(NOT_LOOPBACK),
        "unspecified, not loopback",
    ),
    (
        "http://[::]",
        Some(NOT_LOOPBACK),
        "unspecified, not loopback",
    ),
    (
        "http://128.0.0.1",
        Some(NOT_LOOPBACK),
        "just outside 127.0.0.0/8",
    ),
    ("http://[::2]", Some(NOT_LOOPBACK), "not ::1"),
    (
        "http://[::1%25lo]",
        Some(MALFORMED),
        "a zone id is not part of the loopback address",
    ),
    // Refused: userinfo tricks. The host is what follows the last @, so none is allowed.
    (
        "http://localhost@evil.example",
        Some(CREDENTIALS),
        "host evil.example",
    ),
    (
        "http://localhost:80@evil.example",
        Some(CREDENTIALS),
        "host evil.example",
    ),
    (
        "http://127.0.0.1@evil.example",
        Some(CREDENTIALS),
        "host evil.example",
    ),
    (
        "http://[::1]@evil.example",
        Some(CREDENTIALS),
        "host evil.example",
    ),
    (
        "http://evil.example@localhost",
        Some(CREDENTIALS),
        "credentials are never allowed",
    ),
    (
        "http://user:pw@127.0.0.1",
        Some(CREDENTIALS),
        "credentials are never allowed",
    ),
    (
        "http://evil.example\\@localhost",
        Some(CREDENTIALS),
        "a backslash parser sees evil.example",
    ),
    (
        "http://localhost%40evil.example",
        Some(NOT_LOOPBACK),
        "percent-encoded @: a name",
    ),
    (
        "http://evil.example#@localhost",
        Some(QUERY),
        "the fragment hides the real host",
    ),
    (
        "http://evil.example?@localhost",
        Some(QUERY),
        "the query hides the real host",
    ),
    (
        "http://localhost\\.evil.example",
        Some(NOT_LOOPBACK),
        "a backslash is not a separator here",
    ),
    (
        "http://localhost:80\\@evil.example",
        Some(CREDENTIALS),
        "host evil.example",
    ),
    (
        "http://localhost:8o",
        Some(MALFORMED),
        "a port that is not a number",
    ),
    ("http://localhost:1:2", Some(MALFORMED), "two ports"),
    // Refused: look-alike characters.
    ("http://ⓛocalhost", Some(NOT_ASCII), "a circled letter"),
    (
        "http://localhost\u{3002}evil.example",
        Some(NOT_ASCII),
        "an ideographic full stop",
    ),
    (
        "http://127。0.0.1",
        Some(NOT_ASCII),
        "an ideographic full stop",
    ),
];

#[test]
fn the_loopback_rule_over_a_table_of_hostile_hosts() {
    let mut refused = 0;
    for &(url, expected, why) in TABLE {
        let result = Client::builder().api_key("sk_live_x").base_url(url).build();
        match (expected, result) {
            (None, Ok(c)) => {
                assert!(
                    c.base_url().eq_ignore_ascii_case(url),
                    "{url}: {}",
                    c.base_url()
                );
            }
            (None, Err(e)) => panic!("{url} ({why}) should be accepted: {e}"),
            (Some(reason), Ok(_)) => panic!("{url} ({why}) should be refused: {reason}"),
            (Some(reason), Err(e)) => {
                refused += 1;
                assert_eq!(e.kind(), ErrorKind::Config, "{url}");
                assert_eq!(e.param(), Some("baseUrl"), "{url}");
                let shown = checked(&e);
                assert!(shown.contains(reason), "{url} ({why}): {shown}");
                assert!(!shown.contains("pw"), "{shown}");
            }
        }
        // The same URL over https is never refused for its host being remote.
        if let Some(rest) = url.strip_prefix("http://") {
            let https = format!("https://{rest}");
            if expected == Some(NOT_LOOPBACK) {
                let c = Client::builder().base_url(&https).build();
                assert!(c.is_ok(), "{https}: {:?}", c.err());
            }
        }
        // `allow_insecure_http` lifts only the loopback rule, never the others.
        let lifted = Client::builder()
            .base_url(url)
            .allow_insecure_http(true)
            .build();
        match expected {
            None | Some(NOT_LOOPBACK) => assert!(lifted.is_ok(), "{url}: {:?}", lifted.err()),
            Some(reason) => assert!(
                lifted.is_err_and(|e| e.to_string().contains(reason)),
                "{url}"
            ),
        }
    }
    assert_eq!(refused, TABLE.iter().filter(|r| r.1.is_some()).count());
}

/// A plain `http://` request through a proxy leaves the machine even when the target is
/// loopback (the proxy sees the API key): refused unless the proxy is on loopback too, or
/// `allow_insecure_http` is set.
#[test]
fn plain_http_to_loopback_through_a_remote_proxy_is_refused() {
    for (proxy, ok) in [
        ("http://proxy.example:3128", false),
        ("http://10.0.0.1:3128", false),
        ("https://proxy.example:3128", false),
        ("http://localhost.attacker.example:3128", false),
        ("http://user:proxypass@proxy.example:3128", false),
        ("http://127.0.0.1:3128", true),
        ("http://user:proxypass@localhost:3128", true),
        ("http://[::1]:3128", true),
    ] {
        let result = Client::builder()
            .api_key("sk_live_x")
            .base_url("http://127.0.0.1:8080")
            .proxy(proxy)
            .build();
        match result {
            Ok(_) => assert!(ok, "{proxy} should be refused"),
            Err(e) => {
                assert!(!ok, "{proxy} should be accepted: {e}");
                let shown = checked(&e);
                assert!(!shown.contains("proxypass"), "{shown}");
                assert!(shown.contains(NOT_LOOPBACK), "{proxy}: {shown}");
                assert_eq!(e.param(), Some("proxy"), "{proxy}");
            }
        }
        let lifted = Client::builder()
            .base_url("http://127.0.0.1:8080")
            .proxy(proxy)
            .allow_insecure_http(true)
            .build();
        assert!(lifted.is_ok(), "{proxy}");
        // HTTPS through any proxy is fine: the proxy sees only ciphertext.
        let tls = Client::builder()
            .base_url("https://api.example")
            .proxy(proxy)
            .build();
        assert!(tls.is_ok(), "{proxy}");
    }
}

/// An accepted loopback form really reaches the loopback server (and the path with an `@`
/// stays a path): the server sees the request.
#[test]
fn accepted_loopback_forms_reach_the_loopback_server() {
    use std::io::Write;
    use std::sync::{Arc, Mutex};
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let server = RawServer::start(move |mut stream| {
        while let Some((head, _)) = read_request(&mut stream) {
            log.lock()
                .unwrap()
                .push(head.lines().next().unwrap_or("").to_owned());
            let body = r#"{"postSubmissionId":"ps_1"}"#;
            let answer = format!(
                "HTTP/1.1 201 Created\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            if stream.write_all(answer.as_bytes()).is_err() {
                return;
            }
        }
    });
    let port = server.url.rsplit(':').next().unwrap().to_owned();
    for base in [
        format!("http://LOCALHOST:{port}"),
        format!("http://127.0.0.1:{port}/@evil.example"),
    ] {
        let resp = builder(&base)
            .build()
            .unwrap()
            .create_post(&CreatePost::text("hi", [Platform::X]))
            .unwrap();
        assert_eq!(resp.post_submission_id, "ps_1");
    }
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "POST /v1/posts HTTP/1.1",
            "POST /@evil.example/v1/posts HTTP/1.1"
        ]
    );
}
