//! The sandbox's mutable state: accounts, API keys, recordings, faults, limits.

use crate::config::{self, Config};
use crate::faults::FaultQueue;
use crate::idempotency::IdempotencyStore;
use crate::rate_limit::RateLimiter;
use crate::record::RecordedRequest;
use serde_json::Value;
use std::collections::{HashMap, HashSet, VecDeque};

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
    /// The most recent [`MAX_RECORDED`] API requests, oldest first.
    pub requests: VecDeque<RecordedRequest>,
    /// API requests received in total (also those no longer in `requests`).
    pub request_count: u64,
    pub submissions: Vec<Value>,
    pub faults: FaultQueue,
    pub idempotency: IdempotencyStore,
    pub limiter: RateLimiter,
    /// Ids of TCP connections that carried at least one API (non-control) request.
    pub api_connections: HashSet<u64>,
}

/// How many requests are kept for inspection (a long benchmark must not grow without bound).
pub(crate) const MAX_RECORDED: usize = 10_000;

/// The default account's id.
pub(crate) const DEFAULT_ACCOUNT: &str = "acct_sandbox";
const INACTIVE_ACCOUNT: &str = "acct_sandbox_inactive";

impl State {
    /// The fixtures: an active account with one key and a Firebase token, and an inactive one.
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
            tokens: HashMap::from([(
                config::FIREBASE_TOKEN.to_string(),
                DEFAULT_ACCOUNT.to_string(),
            )]),
            requests: VecDeque::new(),
            request_count: 0,
            submissions: Vec::new(),
            faults: FaultQueue::default(),
            idempotency: IdempotencyStore::default(),
            limiter: RateLimiter::new(config.rate_limits, config.window),
            api_connections: HashSet::new(),
        }
    }

    /// Records one API request, forgetting the oldest beyond [`MAX_RECORDED`].
    pub fn record(&mut self, request: RecordedRequest) {
        if self.requests.len() == MAX_RECORDED {
            self.requests.pop_front();
        }
        self.requests.push_back(request);
        self.request_count += 1;
    }

    /// The key record with this secret.
    pub fn key_by_secret(&self, secret: &str) -> Option<&ApiKey> {
        self.keys.iter().find(|k| k.secret == secret)
    }
}
