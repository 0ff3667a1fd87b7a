//! Idempotency: stored results per account, endpoint and key.

use crate::record::push_bounded;
use crate::reply::{ApiError, Reply};
use serde_json::Value;
use std::collections::{HashMap, VecDeque};

/// (account id, endpoint, Idempotency-Key).
type Scope = (String, &'static str, String);

/// Stored successful results, keyed by [`Scope`]; only the most recent `cap` are kept (a
/// client sends a fresh key per call, so a long benchmark must not grow it without bound).
#[derive(Debug)]
pub(crate) struct IdempotencyStore {
    entries: HashMap<Scope, (Value, Reply)>,
    /// The keys of `entries`, oldest first.
    order: VecDeque<Scope>,
    cap: usize,
    /// Results stored in total (also those forgotten since).
    pub stored_total: u64,
}

/// The outcome of looking a key up.
pub(crate) enum Lookup {
    /// The key is new: process the request, then [`IdempotencyStore::store`] a success.
    Fresh,
    /// Same key, same body: the stored reply, to be replayed.
    Replay(Reply),
}

impl IdempotencyStore {
    /// An empty store keeping at most `cap` results.
    pub fn new(cap: usize) -> IdempotencyStore {
        IdempotencyStore {
            entries: HashMap::new(),
            order: VecDeque::new(),
            cap,
            stored_total: 0,
        }
    }

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

    /// Stores a successful reply under the key, forgetting the oldest result beyond the cap.
    pub fn store(
        &mut self,
        account: &str,
        endpoint: &'static str,
        key: &str,
        body: &Value,
        reply: &Reply,
    ) {
        let scope = (account.to_string(), endpoint, key.to_string());
        let entry = (body.clone(), reply.clone());
        if self.entries.insert(scope.clone(), entry).is_none() {
            for old in push_bounded(&mut self.order, self.cap, scope) {
                self.entries.remove(&old);
            }
        }
        self.stored_total += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_most_recent_results_are_kept() {
        let mut store = IdempotencyStore::new(2);
        let body = Value::Null;
        let reply = Reply::empty(200);
        for key in ["a", "b", "c"] {
            store.store("acct", "posts", key, &body, &reply);
        }
        let replayed = |s: &IdempotencyStore, key| {
            matches!(s.lookup("acct", "posts", key, &body), Ok(Lookup::Replay(_)))
        };
        assert!(!replayed(&store, "a"), "the oldest is forgotten");
        assert!(replayed(&store, "b") && replayed(&store, "c"));
        assert_eq!((store.entries.len(), store.order.len()), (2, 2));
        assert_eq!(store.stored_total, 3);
    }
}
