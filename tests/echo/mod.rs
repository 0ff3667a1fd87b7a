//! A loopback server that repeats the credential of each request in its answers (error
//! envelopes, plain text, HTML, a 429, 2xx bodies that fail to decode, a redirect, answers the
//! HTTP parser refuses), shared by the Rust and C ABI secret tests.
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};

use crate::core_support::{header_of, read_request};

/// The status of a [`Shape`] whose body is the whole raw answer (status line and headers too).
pub const RAW: u16 = 0;

/// One answer of the echoing server, built from the credential the request carried.
pub type Shape = fn(&str) -> (u16, Vec<(&'static str, String)>, String);

/// Answers that repeat the credential they received: in every field of the error envelope and
/// in its headers, in a plain-text and an HTML body (the HTML one cut across the credential),
/// in a 429, in 2xx bodies whose decode error would quote it, in a redirect's `Location`, and
/// in answers the HTTP parser refuses (status line, header, chunk size).
pub const ECHOES: [(&str, Shape); 10] = [
    ("json envelope", |c| {
        let body = serde_json::json!({"error": {
            "type": format!("t_{c}"), "code": format!("c_{c}"), "message": format!("m {c}"),
            "requestId": format!("r_{c}"), "param": c, "details": {c: [c, {"k": c}]},
        }});
        (
            400,
            vec![("x-request-id", format!("req_{c}"))],
            body.to_string(),
        )
    }),
    ("plain text", |c| {
        (
            401,
            vec![("content-type", "text/plain".into())],
            format!("credential {c} refused"),
        )
    }),
    ("html cut", |c| {
        let page = format!("<html>{}{c}{}</html>", "x".repeat(180), "y".repeat(300));
        (502, vec![("content-type", "text/html".into())], page)
    }),
    ("rate limited", |c| {
        (
            429,
            vec![
                ("retry-after", "0".into()),
                ("x-ratelimit-tier", format!("tier {c}")),
            ],
            format!(r#"{{"error":{{"code":"rate_limit_exceeded","message":"{c}"}}}}"#),
        )
    }),
    // serde's "invalid type: string \"…\"" quotes the value: the decode error must not.
    ("2xx json string", |c| {
        (
            200,
            vec![("x-request-id", c.to_owned())],
            format!("\"{c}\""),
        )
    }),
    ("2xx wrong field types", |c| {
        let body = serde_json::json!({
            "postSubmissionId": [c], "url": {c: c}, "jobId": [c], "apiKey": [c], "id": [c],
            "creditsDebited": c, "apiKeys": c, "keys": c, "keyId": [c], "mediaId": [c],
        });
        (201, vec![], body.to_string())
    }),
    ("redirect", |c| {
        let to = format!("http://evil.example/{c}?token={c}");
        (302, vec![("location", to)], format!("moved to {c}"))
    }),
    // Answers the HTTP parser refuses: the error text must not quote them.
    ("broken status line", |c| {
        (
            RAW,
            vec![],
            format!("HTTP/1.1 2{c} OK\r\ncontent-length: 0\r\n\r\n"),
        )
    }),
    ("broken header", |c| {
        let answer =
            format!("HTTP/1.1 200 OK\r\nx-{c}: \u{1}{c}\r\n{c}\r\ncontent-length: 2\r\n\r\n{{}}");
        (RAW, vec![], answer)
    }),
    ("broken chunk", |c| {
        let answer =
            format!("HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n{c}\r\n{c}\r\n");
        (RAW, vec![], answer)
    }),
];

/// A loopback server that answers every request with `shape`, repeating the credential the
/// request carried (`soku-api-key`, or the bearer token of `authorization`). Returns its URL.
pub fn server(shape: Shape) -> String {
    use std::io::Write;
    serve(move |mut stream| {
        while let Some((head, _)) = read_request(&mut stream) {
            let cred = header_of(&head, "soku-api-key")
                .or_else(|| {
                    header_of(&head, "authorization").and_then(|v| v.strip_prefix("Bearer "))
                })
                .unwrap_or("none")
                .to_owned();
            let (status, headers, body) = shape(&cred);
            if status == RAW {
                // The body is the whole answer, bytes the HTTP parser must refuse.
                let _ = stream.write_all(body.as_bytes());
                return;
            }
            let mut answer = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
            for (name, value) in headers {
                answer.push_str(&format!("{name}: {value}\r\n"));
            }
            answer.push_str("\r\n");
            answer.push_str(&body);
            if stream.write_all(answer.as_bytes()).is_err() {
                return;
            }
        }
    })
}

/// Accepts connections on a loopback port, each handled by `handler` on its own thread.
fn serve(handler: impl Fn(TcpStream) + Send + Sync + Clone + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let h = handler.clone();
            std::thread::spawn(move || h(stream));
        }
    });
    url
}
