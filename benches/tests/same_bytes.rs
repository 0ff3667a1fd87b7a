//! The floor is only a floor if it sends what `soku` sends: same method, path, headers and body.

use soku_bench::clients::{RawClient, RawSocket, create_post_request, soku_client};
use soku_bench::fixed::{FixedServer, RecordedRequest, Stats, TestPki};
use soku_bench::payload::{CREATE_POST_BODY, FIXED_API_KEY};

/// The headers with the idempotency key's value blanked (it is fresh per call by design).
fn comparable(r: &RecordedRequest) -> Vec<(String, String)> {
    r.headers
        .iter()
        .map(|(k, v)| {
            if k == "idempotency-key" {
                assert_eq!(v.len(), 36, "idempotency key {v:?} is not a uuid");
                (k.clone(), String::new())
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect()
}

#[test]
fn raw_ureq_sends_the_same_request_as_soku() {
    let server = FixedServer::start("127.0.0.1:0").unwrap();

    let client = soku_client(server.url(), FIXED_API_KEY, None).unwrap();
    let sub = client.create_post(&create_post_request().unwrap()).unwrap();
    assert!(!sub.post_submission_id.is_empty());
    let from_soku = server.last_request().unwrap();

    let body = RawClient::new(server.url(), FIXED_API_KEY, None)
        .unwrap()
        .create_post()
        .unwrap();
    assert!(body.contains("postSubmissionId"), "{body}");
    let from_raw = server.last_request().unwrap();

    assert_eq!(from_soku.method, "POST");
    assert_eq!(from_soku.path, "/v1/posts");
    assert_eq!(from_soku.body, CREATE_POST_BODY);
    assert_eq!(
        (&from_raw.method, &from_raw.path, &from_raw.body),
        (&from_soku.method, &from_soku.path, &from_soku.body)
    );
    let (mut a, mut b) = (comparable(&from_soku), comparable(&from_raw));
    a.sort();
    b.sort();
    assert_eq!(b, a, "raw ureq headers differ from soku's");
}

#[test]
fn soku_keeps_one_connection_for_a_batch() {
    let server = FixedServer::start("127.0.0.1:0").unwrap();
    let client = soku_client(server.url(), FIXED_API_KEY, None).unwrap();
    let req = create_post_request().unwrap();
    for _ in 0..20 {
        client.create_post(&req).unwrap();
    }
    assert_eq!(
        server.stats(),
        Stats {
            connections: 1,
            requests: 20
        }
    );
}

#[test]
fn the_raw_socket_floor_sends_the_same_request_on_one_connection() {
    let server = FixedServer::start("127.0.0.1:0").unwrap();
    let client = soku_client(server.url(), FIXED_API_KEY, None).unwrap();
    client.create_post(&create_post_request().unwrap()).unwrap();
    let from_soku = server.last_request().unwrap();

    let mut floor = RawSocket::connect(server.url(), FIXED_API_KEY).unwrap();
    for _ in 0..20 {
        floor.create_post().unwrap();
    }
    let from_floor = server.last_request().unwrap();
    assert_eq!(
        (&from_floor.method, &from_floor.path, &from_floor.body),
        (&from_soku.method, &from_soku.path, &from_soku.body)
    );
    let (mut a, mut b) = (comparable(&from_soku), comparable(&from_floor));
    a.sort();
    b.sort();
    assert_eq!(b, a, "the floor's headers differ from soku's");
    assert_eq!(
        server.stats(),
        Stats {
            connections: 2,
            requests: 21
        }
    );
    // A wrong key is an error, not a silent success.
    let mut wrong = RawSocket::connect(server.url(), "").unwrap();
    assert_eq!(wrong.create_post().unwrap_err(), "status 401");
}

#[test]
fn https_run_trusts_the_run_ca_only() {
    let pki = TestPki::generate().unwrap();
    let server = FixedServer::start_tls("127.0.0.1:0", pki.server.clone()).unwrap();
    assert!(server.url().starts_with("https://127.0.0.1:"));
    let req = create_post_request().unwrap();

    let client = soku_client(server.url(), FIXED_API_KEY, Some(&pki.ca_pem)).unwrap();
    for _ in 0..5 {
        client.create_post(&req).unwrap();
    }
    let raw = RawClient::new(server.url(), FIXED_API_KEY, Some(&pki.ca_pem)).unwrap();
    for _ in 0..5 {
        assert!(raw.create_post().unwrap().contains("postSubmissionId"));
    }
    // Without the run's CA the handshake fails (and no request reaches the server).
    let untrusting = soku_client(server.url(), FIXED_API_KEY, None).unwrap();
    assert!(matches!(
        untrusting.create_post(&req),
        Err(soku::Error::Transport { .. })
    ));
    assert_eq!(
        server.stats(),
        Stats {
            connections: 2,
            requests: 10
        }
    );
    assert!(RawSocket::connect(server.url(), FIXED_API_KEY).is_err());
}
