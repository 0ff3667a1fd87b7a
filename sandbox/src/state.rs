//! The sandbox's mutable state: accounts, API keys, recordings, faults, limits.

use crate::config::{self, Config};
use crate::faults::FaultQueue;
use crate::idempotency::{IdempotencyStore, Lookup};
use crate::net::{ConnTable, lock};
use crate::rate_limit::RateLimiter;
use crate::record::RecordedRequest;
use crate::record::push_bounded;
use crate::reply::ApiResult;
use serde_json::Value;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

/// One customer account.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    /// Whether the subscription is active (or trialing); otherwise content calls get 403.
    pub active: bool,
    /// Transcription credits left.
    pub credits: u64,
}

/// One API key of an account.
#[derive(Debug, Clone)]
pub(crate) struct ApiKey {
    pub id: String,
    pub secret: String,
    pub account: String,
    pub name: Option<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// Everything that changes while the sandbox runs; [`State::new`] is also the reset state.
#[derive(Debug)]
pub(crate) struct State {
    pub accounts: HashMap<String, Account>,
    pub keys: Vec<ApiKey>,
    /// Firebase ID token → account id.
    pub tokens: HashMap<String, String>,
    /// How many requests, submissions and idempotency results are kept ([`Config::retained`]).
    pub retained: usize,
    /// The most recent `retained` API requests, oldest first.
    pub requests: VecDeque<RecordedRequest>,
    /// API requests received in total (also those no longer in `requests`).
    pub request_count: u64,
    /// The most recent `retained` accepted post bodies, oldest first.
    pub submissions: VecDeque<Value>,
    /// Posts accepted in total (also those no longer in `submissions`).
    pub submission_count: u64,
    pub faults: FaultQueue,
    pub idempotency: IdempotencyStore,
    pub limiter: RateLimiter,
    /// Ids of TCP connections that carried at least one API (non-control) request.
    pub api_connections: HashSet<u64>,
}

/// The default account's id.
pub(crate) const DEFAULT_ACCOUNT: &str = "acct_sandbox";
const INACTIVE_ACCOUNT: &str = "acct_sandbox_inactive";

impl State {
    /// The fixtures: an active account with one key and its Firebase tokens (the fixture one
    /// and any configured), and an inactive one.
    pub fn new(config: &Config) -> State {
        let created_at = crate::time::now_rfc3339();
        let key = |id: &str, secret: &str, account: &str, name: &str| ApiKey {
            id: id.into(),
            secret: secret.into(),
            account: account.into(),
            name: Some(name.into()),
            created_at: created_at.clone(),
            revoked_at: None,
        };
        let account = |active| Account {
            active,
            credits: config.credits,
        };
        State {
            accounts: HashMap::from([
                (DEFAULT_ACCOUNT.to_string(), account(true)),
                (INACTIVE_ACCOUNT.to_string(), account(false)),
            ]),
            keys: vec![
                key(
                    config::DEFAULT_KEY_ID,
                    config::DEFAULT_API_KEY,
                    DEFAULT_ACCOUNT,
                    "Sandbox default key",
                ),
                key(
                    config::INACTIVE_KEY_ID,
                    config::INACTIVE_API_KEY,
                    INACTIVE_ACCOUNT,
                    "Sandbox inactive-account key",
                ),
            ],
            tokens: std::iter::once(config::FIREBASE_TOKEN)
                .chain(config.extra_firebase_tokens.0.iter().map(String::as_str))
                .map(|t| (t.to_string(), DEFAULT_ACCOUNT.to_string()))
                .collect(),
            retained: config.retained,
            requests: VecDeque::new(),
            request_count: 0,
            submissions: VecDeque::new(),
            submission_count: 0,
            faults: FaultQueue::default(),
            idempotency: IdempotencyStore::new(config.retained),
            limiter: RateLimiter::new(config.rate_limits, config.window),
            api_connections: HashSet::new(),
        }
    }

    /// Records one API request, forgetting the oldest beyond `retained`.
    pub fn record(&mut self, request: RecordedRequest) {
        push_bounded(&mut self.requests, self.retained, request);
        self.request_count += 1;
    }

    /// Records one accepted post body, forgetting the oldest beyond `retained`.
    pub fn submit(&mut self, body: Value) {
        push_bounded(&mut self.submissions, self.retained, body);
        self.submission_count += 1;
    }

    /// The key record with this secret.
    pub fn key_by_secret(&self, secret: &str) -> Option<&ApiKey> {
        self.keys.iter().find(|k| k.secret == secret)
    }
}

impl State {
    /// Runs `process` at most once per (account, endpoint, key): a repeat with the same body
    /// gets the stored reply, a different body 409. Without a key `process` always runs. Only
    /// 2xx replies are stored, so a request that failed may be retried with the same key.
    pub fn idempotent(
        &mut self,
        scope: (&str, &'static str, Option<&str>),
        body: &Value,
        process: impl FnOnce(&mut State) -> ApiResult,
    ) -> ApiResult {
        let (account, endpoint, key) = scope;
        let Some(key) = key else {
            return process(self);
        };
        if let Lookup::Replay(reply) = self.idempotency.lookup(account, endpoint, key, body)? {
            return Ok(reply);
        }
        let reply = process(self)?;
        if (200..300).contains(&reply.status) {
            self.idempotency.store(account, endpoint, key, body, &reply);
        }
        Ok(reply)
    }
}

/// Everything the workers share.
pub(crate) struct Shared {
    pub config: Config,
    pub state: Mutex<State>,
    pub conns: Arc<ConnTable>,
    pub stop: Arc<AtomicBool>,
}

impl Shared {
    /// Resets state, recordings and counters to the fixtures.
    pub fn reset(&self) {
        *lock(&self.state) = State::new(&self.config);
        self.conns.reset_count();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_bounded_keeps_the_most_recent() {
        let mut q = VecDeque::new();
        for i in 0..3 {
            assert!(push_bounded(&mut q, 3, i).is_empty());
        }
        assert_eq!(push_bounded(&mut q, 3, 3), [0]);
        assert_eq!(q, [1, 2, 3]);
        assert_eq!(
            push_bounded(&mut q, 0, 4),
            [1, 2, 3],
            "a cap of 0 keeps one"
        );
        assert_eq!(q, [4]);
    }
}
