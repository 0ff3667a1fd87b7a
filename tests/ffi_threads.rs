//! One client, many threads: 8 threads × 50 `soku_posts_create` calls through the C ABI on a
//! single `const SokuClient *`, against a mockito server.

mod ffi_common;

use std::collections::HashSet;
use std::sync::Arc;
use std::thread;

use ffi_common::*;
use soku::ffi::SOKU_OK;

const THREADS: usize = 8;
const CALLS: usize = 50;

#[test]
fn eight_threads_share_one_client() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("POST", "/v1/posts")
        .match_header("soku-api-key", "sk_live_threads")
        .match_body(mockito::Matcher::PartialJsonString(TEXT_POST.into()))
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_header("x-request-id", "req_threads")
        .with_body(r#"{"postSubmissionId": "sub_threads"}"#)
        .expect(THREADS * CALLS)
        .create();
    let handle = Arc::new(client(&fast_config(
        &server.url(),
        "sk_live_threads",
        "tok",
    )));

    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let handle = Arc::clone(&handle);
            thread::spawn(move || {
                (0..CALLS)
                    .map(|_| {
                        let (status, json) =
                            call(soku::ffi::soku_posts_create, &handle, Some(TEXT_POST), None);
                        assert_eq!(status, SOKU_OK, "{json}");
                        assert_eq!(json["data"]["postSubmissionId"], "sub_threads");
                        assert_eq!(json["meta"]["requestId"], "req_threads");
                        assert_eq!(json["meta"]["attempts"], 1);
                        json["meta"]["idempotencyKey"].as_str().unwrap().to_owned()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let keys: Vec<String> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();

    assert_eq!(keys.len(), THREADS * CALLS);
    let distinct: HashSet<&String> = keys.iter().collect();
    assert_eq!(
        distinct.len(),
        THREADS * CALLS,
        "every call gets its own idempotency key"
    );
    mock.assert();
    // the handle is freed here, after every thread is done with it
    drop(handle);
}
