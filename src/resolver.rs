//! Name resolution without per-call work: the resolver plugged into the HTTP agent.
//!
//! ureq asks its resolver for the server's addresses on every request, even when a pooled
//! keep-alive connection is then reused, and its default resolver spawns a thread per lookup
//! whenever a timeout is set (so that the lookup can be abandoned). Every attempt of ours has a
//! timeout, so that would be one thread and one `getaddrinfo` per call. This resolver instead:
//!
//! - answers IP-literal hosts (`127.0.0.1`, `[::1]`) inline, never looking them up;
//! - looks a host name up once and reuses the answer for [`TTL`] (60 s); the lookup itself is
//!   ureq's default one, bounded by the resolve timeout (set to the connect timeout);
//! - forgets every cached answer when a connection attempt fails
//!   ([`CachingResolver::forget`]), so that a retry resolves afresh;
//! - reports a failed lookup as a [`LookupFailed`] naming the host, so that the transport can
//!   tell it from a broken connection: nothing was sent, and every call may be retried.
//!
//! The resolver interface belongs to ureq's unversioned API, which is why `Cargo.toml` pins
//! ureq to one exact version.

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a looked-up answer is reused.
pub(crate) const TTL: Duration = Duration::from_secs(60);

/// How a host name is looked up (a cache miss).
type Lookup = fn(&Uri, &Config, NextTimeout) -> Result<ResolvedSocketAddrs, ureq::Error>;

/// ureq's default lookup: `getaddrinfo`, on a thread of its own when a timeout is set.
fn system_lookup(
    uri: &Uri,
    config: &Config,
    timeout: NextTimeout,
) -> Result<ResolvedSocketAddrs, ureq::Error> {
    DefaultResolver::default().resolve(uri, config, timeout)
}

/// A host name that did not resolve (no address, a lookup error, or no answer in time).
/// Travels inside ureq's `Error::Io`; its text names the host, never an address or port.
#[derive(Debug)]
pub(crate) struct LookupFailed {
    host: String,
    /// The lookup ran out of time rather than failing.
    pub(crate) timed_out: bool,
    /// The system's reason, if it gave one.
    source: Option<io::Error>,
}

impl fmt::Display for LookupFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not resolve host {:?}", self.host)?;
        if self.timed_out {
            f.write_str(" in time")?;
        }
        Ok(())
    }
}

impl std::error::Error for LookupFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl LookupFailed {
    /// The [`LookupFailed`] inside a ureq error, if the failure was a lookup.
    pub(crate) fn find(e: &ureq::Error) -> Option<&LookupFailed> {
        match e {
            ureq::Error::Io(io) => io.get_ref()?.downcast_ref::<LookupFailed>(),
            _ => None,
        }
    }

    /// Wraps the lookup error `e` for `host`; errors that are no lookup failure (a bad URI)
    /// pass unchanged.
    fn wrap(host: &str, e: ureq::Error) -> ureq::Error {
        let (kind, timed_out, source) = match e {
            ureq::Error::HostNotFound => (io::ErrorKind::NotFound, false, None),
            ureq::Error::Timeout(_) => (io::ErrorKind::TimedOut, true, None),
            ureq::Error::Io(io) => (io::ErrorKind::NotFound, false, Some(io)),
            other => return other,
        };
        let failed = LookupFailed {
            host: host.to_owned(),
            timed_out,
            source,
        };
        ureq::Error::Io(io::Error::new(kind, failed))
    }
}

/// A resolver whose hot path is a short lock and a string comparison. Clones share one cache.
#[derive(Clone)]
pub(crate) struct CachingResolver {
    cache: Arc<Cache>,
}

impl Default for CachingResolver {
    fn default() -> Self {
        CachingResolver::with_ttl(TTL)
    }
}

struct Cache {
    ttl: Duration,
    lookup: Lookup,
    /// Few hosts per agent (the API host, perhaps a proxy): a list beats a map.
    entries: Mutex<Vec<Entry>>,
    /// Real lookups done (cache misses), for tests.
    lookups: AtomicU64,
}

struct Entry {
    host: String,
    port: u16,
    addrs: ResolvedSocketAddrs,
    expires: Instant,
}

impl CachingResolver {
    /// A resolver reusing each answer for `ttl`.
    fn with_ttl(ttl: Duration) -> Self {
        CachingResolver::with(ttl, system_lookup)
    }

    /// A resolver whose lookups are `lookup` (a test seam: lookups that fail without a network).
    #[cfg(test)]
    pub(crate) fn with_lookup(lookup: Lookup) -> Self {
        CachingResolver::with(TTL, lookup)
    }

    fn with(ttl: Duration, lookup: Lookup) -> Self {
        CachingResolver {
            cache: Arc::new(Cache {
                ttl,
                lookup,
                entries: Mutex::default(),
                lookups: AtomicU64::new(0),
            }),
        }
    }

    /// A resolver with this one's lifetime and lookup but a cache of its own (nothing cached):
    /// what a forked child uses, never touching the parent's cache or its lock.
    pub(crate) fn fresh(&self) -> Self {
        CachingResolver::with(self.cache.ttl, self.cache.lookup)
    }

    /// Drops every cached answer: the next request resolves again. Called after a failed
    /// connection attempt, whose cause may be a stale address.
    pub(crate) fn forget(&self) {
        self.entries().clear();
    }

    /// How many real lookups (cache misses) this resolver has done.
    #[cfg(test)]
    pub(crate) fn lookups(&self) -> u64 {
        self.cache.lookups.load(Ordering::Relaxed)
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        // The list stays consistent whatever panicked while it was held.
        self.cache
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for CachingResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachingResolver").finish_non_exhaustive()
    }
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let (Some(authority), Some(scheme)) = (uri.authority(), uri.scheme_str()) else {
            return DefaultResolver::default().resolve(uri, config, timeout);
        };
        let port = match (authority.port_u16(), scheme) {
            (Some(p), _) => p,
            (None, "https") => 443,
            (None, "http") => 80,
            // Proxy schemes and the rest: ureq knows their default ports.
            _ => return DefaultResolver::default().resolve(uri, config, timeout),
        };
        let host = authority.host();
        let literal = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        if let Ok(ip) = literal.parse::<IpAddr>() {
            let addr = SocketAddr::new(ip, port);
            let mut out = self.empty();
            out.extend(config.ip_family().keep_wanted(std::iter::once(addr)));
            return if out.is_empty() {
                Err(ureq::Error::HostNotFound)
            } else {
                Ok(out)
            };
        }

        let now = Instant::now();
        if let Some(e) = self
            .entries()
            .iter()
            .find(|e| e.port == port && e.host == host && e.expires > now)
        {
            return Ok(e.addrs.clone());
        }

        // The lock is not held during the lookup: another request may look up the same host
        // meanwhile, and the later answer wins. Bounded by `timeout`, on one thread per lookup.
        self.cache.lookups.fetch_add(1, Ordering::Relaxed);
        let addrs =
            (self.cache.lookup)(uri, config, timeout).map_err(|e| LookupFailed::wrap(host, e))?;
        let mut entries = self.entries();
        entries.retain(|e| !(e.port == port && e.host == host) && e.expires > now);
        entries.push(Entry {
            host: host.to_owned(),
            port,
            addrs: addrs.clone(),
            expires: Instant::now() + self.cache.ttl,
        });
        Ok(addrs)
    }
}

trait Extend {
    fn extend(&mut self, it: impl Iterator<Item = SocketAddr>);
}

impl Extend for ResolvedSocketAddrs {
    fn extend(&mut self, it: impl Iterator<Item = SocketAddr>) {
        for a in it {
            self.push(a);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use ureq::unversioned::transport::time::Duration as UDuration;

    fn resolve(r: &CachingResolver, url: &str) -> Result<Vec<SocketAddr>, ureq::Error> {
        let uri: Uri = url.parse().expect("test url");
        let timeout = NextTimeout {
            after: UDuration::from(Duration::from_secs(5)),
            reason: ureq::Timeout::Resolve,
            ..NextTimeout::default()
        };
        r.resolve(&uri, &Config::default(), timeout)
            .map(|a| a.to_vec())
    }

    #[test]
    fn ip_literals_are_never_looked_up() {
        let r = CachingResolver::default();
        assert_eq!(
            resolve(&r, "http://127.0.0.1:8080/v1").unwrap(),
            ["127.0.0.1:8080".parse::<SocketAddr>().unwrap()]
        );
        assert_eq!(
            resolve(&r, "https://[::1]/v1").unwrap(),
            ["[::1]:443".parse::<SocketAddr>().unwrap()]
        );
        assert_eq!(
            resolve(&r, "http://10.1.2.3/").unwrap(),
            ["10.1.2.3:80".parse::<SocketAddr>().unwrap()]
        );
        assert_eq!(r.lookups(), 0);
    }

    #[test]
    fn host_names_are_looked_up_once_until_forgotten() {
        let r = CachingResolver::default();
        let first = resolve(&r, "http://localhost:9/a").unwrap();
        assert!(!first.is_empty());
        assert!(first.iter().all(|a| a.port() == 9 && a.ip().is_loopback()));
        for _ in 0..100 {
            assert_eq!(resolve(&r, "http://localhost:9/b").unwrap(), first);
        }
        assert_eq!(r.lookups(), 1);
        // Another port is another entry.
        resolve(&r, "http://localhost:10/").unwrap();
        assert_eq!(r.lookups(), 2);
        r.forget();
        assert_eq!(resolve(&r, "http://localhost:9/").unwrap(), first);
        assert_eq!(r.lookups(), 3);
    }

    #[test]
    fn answers_expire() {
        let r = CachingResolver::with_ttl(Duration::ZERO);
        resolve(&r, "http://localhost:9/").unwrap();
        resolve(&r, "http://localhost:9/").unwrap();
        assert_eq!(r.lookups(), 2);
        let r = CachingResolver::with_ttl(Duration::from_secs(3600));
        resolve(&r, "http://localhost:9/").unwrap();
        resolve(&r, "http://localhost:9/").unwrap();
        assert_eq!(r.lookups(), 1);
    }

    #[test]
    fn clones_share_the_cache() {
        let r = CachingResolver::default();
        let agent_side = r.clone();
        resolve(&agent_side, "http://localhost:9/").unwrap();
        resolve(&r, "http://localhost:9/").unwrap();
        assert_eq!(r.lookups(), 1);
        r.forget();
        resolve(&agent_side, "http://localhost:9/").unwrap();
        assert_eq!(r.lookups(), 2);
    }

    /// What `getaddrinfo` gives for a name that does not exist, without asking any network.
    pub(crate) fn no_such_host(
        _: &Uri,
        _: &Config,
        _: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        Err(ureq::Error::Io(io::Error::other(
            "failed to lookup address information: Name or service not known",
        )))
    }

    #[test]
    fn unknown_hosts_are_not_cached_and_are_named() {
        let r = CachingResolver::with_lookup(no_such_host);
        for _ in 0..2 {
            let e = resolve(&r, "http://no-such-host.invalid:8080/").unwrap_err();
            let failed = LookupFailed::find(&e).expect("a lookup failure");
            assert_eq!(
                failed.to_string(),
                r#"could not resolve host "no-such-host.invalid""#
            );
            assert!(!failed.timed_out);
            let reason = std::error::Error::source(failed).unwrap().to_string();
            assert!(reason.contains("Name or service not known"), "{reason}");
        }
        assert_eq!(r.lookups(), 2);
    }

    #[test]
    fn lookups_without_an_address_or_in_time_are_named_too() {
        let empty = CachingResolver::with_lookup(|_, _, _| Err(ureq::Error::HostNotFound));
        let e = resolve(&empty, "https://api.example.invalid/").unwrap_err();
        assert_eq!(
            LookupFailed::find(&e).unwrap().to_string(),
            r#"could not resolve host "api.example.invalid""#
        );
        let slow = CachingResolver::with_lookup(|_, _, t| Err(ureq::Error::Timeout(t.reason)));
        let e = resolve(&slow, "https://api.example.invalid/").unwrap_err();
        let failed = LookupFailed::find(&e).unwrap();
        assert!(failed.timed_out);
        assert_eq!(
            failed.to_string(),
            r#"could not resolve host "api.example.invalid" in time"#
        );
        // A bad URI is no lookup failure.
        let bad = CachingResolver::with_lookup(|_, _, _| Err(ureq::Error::BadUri("x".into())));
        let e = resolve(&bad, "https://api.example.invalid/").unwrap_err();
        assert!(LookupFailed::find(&e).is_none());
    }
}
