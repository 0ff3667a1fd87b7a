//! Idempotency: stored results per account, endpoint and key.

use crate::reply::{ApiError, ApiResult, Reply};
use crate::state::State;
use serde_json::Value;
use std::collections::HashMap;

/// Stored successful results, keyed by (account id, endpoint, Idempotency-Key).
#[derive(Debug, Default)]
pub(crate) struct IdempotencyStore {
    entries: HashMap<(String, &'static str, String), (Value, Reply)>,
}

/// The outcome of looking a key up.
pub(crate) enum Lookup {
    /// The key is new: process the request, then [`IdempotencyStore::store`] a success.
    Fresh,
    /// Same key, same body: the stored reply, to be replayed.
    Replay(Reply),
}

impl IdempotencyStore {
    /// Looks up `key`; a stored entry with a different body is a 409 `idempotency_conflict`.
    pub fn lookup(
        &self,
        account: &str,
        endpoint: &'static str,
        key: &str,
        body: &Value,
    ) -> Result<Lookup, ApiError> {
        match self
            .entries
            .get(&(account.to_string(), endpoint, key.to_string()))
        {
            None => Ok(Lookup::Fresh),
            Some((stored, reply)) if stored == body => Ok(Lookup::Replay(
                reply.clone().with_header("Idempotent-Replayed", "true"),
            )),
            Some(_) => Err(ApiError::new(
                409,
                "idempotency_conflict",
                "idempotency key already used with a different request body",
            )),
        }
    }

    /// Stores a successful reply under the key.
    pub fn store(
        &mut self,
        account: &str,
        endpoint: &'static str,
        key: &str,
        body: &Value,
        reply: &Reply,
    ) {
        self.entries.insert(
            (account.to_string(), endpoint, key.to_string()),
            (body.clone(), reply.clone()),
        );
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
