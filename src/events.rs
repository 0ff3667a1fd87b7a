//! The one event stream of the library: what each call does, as structured [`Event`]s.
//!
//! Every event goes to two sinks, each only when it listens:
//!
//! - the `log` facade (target `soku`), as one line: what a Rust program (and the CLI's `-v`)
//!   sees;
//! - one process-wide listener ([`set_listener`]), which receives the event as a JSON line: the
//!   C ABI's `soku_set_log_callback` installs it, and the Python package feeds
//!   `logging.getLogger("soku")` through it.
//!
//! Nothing is built when nobody listens: [`enabled`] reads one atomic and the `log` crate's
//! maximum level before any field is formatted.
//!
//! Events (the JSON keys in brackets; absent fields are left out):
//!
//! | name | level | when | fields |
//! |---|---|---|---|
//! | `attempt` | debug | every HTTP attempt ended | method, path, attempt, status (0: no answer), error (why there was none), requestId, idempotencyKey, rateLimitRemaining, rateLimitLimit |
//! | `rate_limited` | info | an answer was 429 | method, path, attempt, status, requestId, waitMs (the server's `Retry-After`, else the time to the rate-limit reset, if either was given) |
//! | `retry_wait` | info | the client waits before retrying | method, path, attempt (the one that failed), status, waitMs, idempotencyKey |
//! | `batch_item` | info | a post of a batch finished | index, total, ok, id (the post submission id) or error (its message) and code, status, waitMs (the pacing wait before the next post), idempotencyKey |
//!
//! Secrets never enter an event: no header, no body, no URL query, no credential; the request id
//! and error messages are the already-redacted ones the caller also receives.

use std::cell::Cell;
use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde::Serialize;

/// How important an event is; the numbers are the C ABI's `SOKU_LOG_*` levels (and the `log`
/// crate's order: a listener at level `n` receives every event whose level is at most `n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub(crate) enum Level {
    /// Something failed for good (unused by the events above, reserved).
    #[allow(dead_code)]
    Error = 1,
    /// Reserved.
    #[allow(dead_code)]
    Warn = 2,
    /// A wait, a 429, a batch item: what a script wants to see.
    Info = 3,
    /// Every attempt.
    Debug = 4,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
        }
    }

    fn to_log(self) -> log::Level {
        match self {
            Level::Error => log::Level::Error,
            Level::Warn => log::Level::Warn,
            Level::Info => log::Level::Info,
            Level::Debug => log::Level::Debug,
        }
    }
}

/// One event. Built only after [`enabled`] said someone listens.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Event<'a> {
    #[serde(skip)]
    pub(crate) level: Option<Level>,
    /// The event's name (`attempt`, `retry_wait`, `rate_limited`, `batch_item`).
    #[serde(rename = "event")]
    pub(crate) name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) method: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) total: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ok: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) attempt: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) request_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) idempotency_key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) rate_limit_remaining: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) rate_limit_limit: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "millis")]
    pub(crate) wait_ms: Option<Duration>,
}

fn millis<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        None => s.serialize_none(),
    }
}

/// The human line (the `log` record's message and the JSON's `message`).
impl fmt::Display for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let request = || {
            format!(
                "{} {}",
                self.method.unwrap_or("-"),
                self.path.unwrap_or("-")
            )
        };
        let ms = self.wait_ms.map(|w| w.as_millis()).unwrap_or(0);
        match self.name {
            "attempt" => {
                write!(
                    f,
                    "{} attempt {}: status {}",
                    request(),
                    self.attempt.unwrap_or(0),
                    self.status.unwrap_or(0)
                )?;
                if let Some(e) = self.error {
                    write!(f, " ({e})")?;
                }
                write!(f, ", request {}", self.request_id.unwrap_or("-"))?;
                match (self.rate_limit_remaining, self.rate_limit_limit) {
                    (Some(r), Some(l)) => write!(f, ", rate limit {r}/{l}"),
                    _ => write!(f, ", rate limit -"),
                }
            }
            "retry_wait" => write!(
                f,
                "{} attempt {} failed (status {}), retrying in {ms} ms",
                request(),
                self.attempt.unwrap_or(0),
                self.status.unwrap_or(0)
            ),
            "rate_limited" => {
                write!(f, "{} rate limited (429)", request())?;
                match self.wait_ms {
                    Some(_) => write!(f, ", server asks to wait {ms} ms"),
                    None => Ok(()),
                }
            }
            "batch_item" => {
                write!(
                    f,
                    "batch post {}/{}: ",
                    self.index.unwrap_or(0) + 1,
                    self.total.unwrap_or(0)
                )?;
                match (self.ok, self.id, self.error) {
                    (Some(true), id, _) => write!(f, "ok {}", id.unwrap_or("-"))?,
                    (_, _, e) => write!(f, "failed: {}", e.unwrap_or("-"))?,
                }
                if ms > 0 {
                    write!(f, ", waiting {ms} ms for the rate-limit window")?;
                }
                Ok(())
            }
            other => f.write_str(other),
        }
    }
}

/// The listener's callback: a level and one JSON line (no newline).
pub(crate) type Callback = dyn Fn(Level, &str) + Send + Sync;

struct Listener {
    callback: Box<Callback>,
}

/// The listener's level (0: none). Read before anything is built.
static LISTENER_LEVEL: AtomicU8 = AtomicU8::new(0);
static LISTENER: RwLock<Option<Arc<Listener>>> = RwLock::new(None);

thread_local! {
    /// Set while this thread runs the listener: events it causes then (the listener calling
    /// an operation) are not sent back to it, so a re-entrant listener cannot recurse.
    static IN_LISTENER: Cell<bool> = const { Cell::new(false) };
}

/// Installs (or with `None` removes) the process-wide listener, which receives every event of
/// level at most `level` (0: none). Replacing or removing it waits until the previous one
/// returned on every other thread, so once this returns the previous callback is no longer
/// running, except when called from inside that callback (then it returns at once and other
/// threads may still be finishing their calls).
pub(crate) fn set_listener(callback: Option<Box<Callback>>, level: u8) {
    let new = callback.map(|callback| Arc::new(Listener { callback }));
    let level = if new.is_some() { level } else { 0 };
    let old = {
        let mut slot = LISTENER.write().unwrap_or_else(|p| p.into_inner());
        LISTENER_LEVEL.store(level, Ordering::SeqCst);
        std::mem::replace(&mut *slot, new)
    };
    if let Some(old) = old
        && !IN_LISTENER.with(Cell::get)
    {
        // Callers of `emit` hold a clone only while the callback runs.
        while Arc::strong_count(&old) > 1 {
            std::thread::sleep(Duration::from_micros(200));
        }
    }
}

/// Whether anyone listens at `level`: one atomic load and the `log` crate's own check.
pub(crate) fn enabled(level: Level) -> bool {
    LISTENER_LEVEL.load(Ordering::Relaxed) >= level as u8
        || log::log_enabled!(target: "soku", level.to_log())
}

/// Sends `event` to the `log` facade and to the listener, each if it listens at its level.
pub(crate) fn emit(event: &Event<'_>) {
    let level = event.level.unwrap_or(Level::Debug);
    if log::log_enabled!(target: "soku", level.to_log()) {
        log::log!(target: "soku", level.to_log(), "{event}");
    }
    if LISTENER_LEVEL.load(Ordering::Relaxed) < level as u8 || IN_LISTENER.with(Cell::get) {
        return;
    }
    let listener = LISTENER
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
        .map(Arc::clone);
    let Some(listener) = listener else { return };
    let line = json_line(event, level);
    IN_LISTENER.with(|f| f.set(true));
    // A panic of a Rust listener must not unwind into the request path (the C boundary is
    // further up): it is contained here and the event dropped.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        (listener.callback)(level, &line)
    }));
    IN_LISTENER.with(|f| f.set(false));
}

/// `{"level", "event", "message", <fields>}` on one line.
fn json_line(event: &Event<'_>, level: Level) -> String {
    let mut v = serde_json::to_value(event).unwrap_or_default();
    if let serde_json::Value::Object(map) = &mut v {
        map.insert("level".into(), level.as_str().into());
        map.insert("message".into(), event.to_string().into());
    }
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn json_lines_and_messages() {
        let e = Event {
            level: Some(Level::Info),
            name: "retry_wait",
            method: Some("POST"),
            path: Some("/v1/posts"),
            attempt: Some(1),
            status: Some(429),
            wait_ms: Some(Duration::from_millis(1700)),
            idempotency_key: Some("k1"),
            ..Event::default()
        };
        assert_eq!(
            e.to_string(),
            "POST /v1/posts attempt 1 failed (status 429), retrying in 1700 ms"
        );
        let v: serde_json::Value = serde_json::from_str(&json_line(&e, Level::Info)).unwrap();
        assert_eq!(v["event"], "retry_wait");
        assert_eq!(v["level"], "info");
        assert_eq!(v["waitMs"], 1700);
        assert_eq!(v["idempotencyKey"], "k1");
        assert!(v.get("requestId").is_none());
    }

    #[test]
    fn listener_levels_and_reentrance() {
        static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());
        let attempt = Event {
            level: Some(Level::Debug),
            name: "attempt",
            ..Event::default()
        };
        set_listener(
            Some(Box::new(|_, line| {
                SEEN.lock().unwrap().push(line.to_owned());
                // Re-entering: an event emitted from inside the listener is not sent back.
                emit(&Event {
                    level: Some(Level::Info),
                    name: "rate_limited",
                    ..Event::default()
                });
            })),
            Level::Info as u8,
        );
        assert!(enabled(Level::Info));
        emit(&attempt); // debug: below the listener's level
        emit(&Event {
            level: Some(Level::Info),
            name: "batch_item",
            code: Some("unit-marker"),
            ..Event::default()
        });
        set_listener(None, 4);
        assert!(LISTENER_LEVEL.load(Ordering::SeqCst) == 0);
        emit(&attempt);
        let seen: Vec<String> = SEEN
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains("unit-marker") || l.contains("rate_limited"))
            .cloned()
            .collect();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert!(seen[0].contains(r#""event":"batch_item""#));
    }
}
