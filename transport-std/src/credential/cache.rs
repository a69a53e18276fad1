//! The cache for temporary credentials: refresh ahead of expiry, one refresh in flight,
//! keep serving the current credential while a refresh fails.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use tokio::sync::watch;

use crate::clock::Clock;
use crate::error::{CredentialErrorKind, Error};
use crate::provider::{CredentialFuture, CredentialProvider, Credentials};
use crate::skew::ClockSkew;
use crate::sync::lock;

/// When a [`CachedProvider`] refreshes, and how long it waits for a refresh.
///
/// For a credential that lives `L` (from when it was fetched to its expiry):
///
/// - the refresh starts `refresh_before + random(0..=jitter)` before the expiry, but
///   never earlier than half-way through its life (so short-lived credentials work
///   with the defaults): the credential is still handed out meanwhile and the refresh
///   runs in the background;
/// - the credential is handed out until `expiry_margin` (at most `L / 4`) before the
///   expiry; after that callers wait for the refresh;
/// - a refresh taking longer than `refresh_timeout` fails;
/// - after a failed refresh, while the current credential is still usable, the next
///   refresh waits `failure_backoff` (at most half the usable time left).
///
/// ```
/// use std::time::Duration;
/// use tencentcloud_transport_std::CacheConfig;
///
/// let config = CacheConfig::new().refresh_before(Duration::from_secs(300)).jitter(Duration::from_secs(60));
/// # drop(config);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheConfig {
    refresh_before: Duration,
    jitter: Duration,
    expiry_margin: Duration,
    refresh_timeout: Duration,
    failure_backoff: Duration,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            refresh_before: Duration::from_secs(300),
            jitter: Duration::from_secs(60),
            expiry_margin: Duration::from_secs(10),
            refresh_timeout: Duration::from_secs(10),
            failure_backoff: Duration::from_secs(5),
        }
    }
}

impl CacheConfig {
    /// The defaults: refresh 5 minutes (plus up to 1 minute of jitter) before expiry,
    /// stop handing out a credential 10 s before it expires, 10 s refresh timeout, 5 s
    /// between failed refreshes.
    pub fn new() -> Self {
        Self::default()
    }

    /// How long before the expiry to refresh.
    pub fn refresh_before(mut self, d: Duration) -> Self {
        self.refresh_before = d;
        self
    }

    /// The most added at random to `refresh_before`, so many processes started together
    /// do not refresh together.
    pub fn jitter(mut self, d: Duration) -> Self {
        self.jitter = d;
        self
    }

    /// How long before its expiry a credential stops being handed out.
    pub fn expiry_margin(mut self, d: Duration) -> Self {
        self.expiry_margin = d;
        self
    }

    /// The time limit of one refresh.
    pub fn refresh_timeout(mut self, d: Duration) -> Self {
        self.refresh_timeout = d;
        self
    }

    /// The pause after a failed refresh while the current credential is still usable.
    pub fn failure_backoff(mut self, d: Duration) -> Self {
        self.failure_backoff = d;
        self
    }
}

/// A cached credential and when to refresh it.
struct Entry {
    /// Shared with the callers that take it as it is ([`CredentialProvider::credential_now`]).
    creds: Arc<Credentials>,
    /// Start a background refresh from then on (`None`: never expires).
    refresh_at: Option<SystemTime>,
    /// Hand it out until then (`None`: never expires).
    usable_until: Option<SystemTime>,
}

impl Entry {
    fn new(creds: Credentials, now: SystemTime, config: &CacheConfig) -> Self {
        let Some(expiry) = creds.expires_at() else {
            return Self { creds: Arc::new(creds), refresh_at: None, usable_until: None };
        };
        let life = expiry.duration_since(now).unwrap_or(Duration::ZERO);
        let jitter_nanos = u64::try_from(config.jitter.as_nanos()).unwrap_or(u64::MAX);
        let jitter = Duration::from_nanos(fastrand::u64(0..=jitter_nanos));
        let lead = config.refresh_before.saturating_add(jitter).min(life / 2);
        let margin = config.expiry_margin.min(life / 4);
        Self { creds: Arc::new(creds), refresh_at: Some(expiry - lead), usable_until: Some(expiry - margin) }
    }

    fn usable(&self, now: SystemTime) -> bool {
        self.usable_until.is_none_or(|until| now < until)
    }

    fn wants_refresh(&self, now: SystemTime) -> bool {
        self.refresh_at.is_some_and(|at| now >= at)
    }
}

type Outcome = Option<Result<Credentials, Error>>;

#[derive(Default)]
struct State {
    current: Option<Entry>,
    /// The refresh in flight: its result is published here.
    inflight: Option<watch::Receiver<Outcome>>,
    /// After a failed refresh: no background refresh before then.
    retry_at: Option<SystemTime>,
    refreshes: u64,
}

struct Inner {
    source: Arc<dyn CredentialProvider>,
    config: CacheConfig,
    clock: Clock,
    /// How far the API's clock is from `clock`: expiries are the server's times.
    skew: Arc<ClockSkew>,
    state: Mutex<State>,
}

impl Inner {
    /// The time to judge expiries by: the clock corrected by the learned offset.
    fn now(&self) -> SystemTime {
        self.skew.correct(self.clock.now())
    }
}

/// Caches the credentials of another provider and refreshes them before they expire
/// (see [`CacheConfig`] for when).
///
/// - One refresh at a time: however many callers want a credential, at most one
///   refresh is in flight, and the callers that need its result all wait for that one.
/// - While the current credential is usable, callers get it at once; a refresh that is
///   due runs in the background (a spawned tokio task, so it completes even if the
///   caller that started it goes away).
/// - A refresh that fails while the current credential is still usable is logged and
///   retried later; the current credential keeps being handed out until it is no longer
///   usable. Callers that wait for a refresh get its error.
/// - Nothing blocks the runtime: the lock is held only to read or replace the state,
///   never across an `.await`.
///
/// Expiries are the server's times (STS `ExpiredTime`), so they are judged on the clock
/// corrected by the offset the client learned from the API's `Date`
/// ([`CredentialProvider::observe_clock_offset`]): a local clock hours off neither
/// refuses a fresh credential nor keeps an expired one. A credential the API refuses as
/// expired ([`CredentialProvider::credential_rejected`]) is dropped, so the next caller
/// refreshes.
///
/// Credentials without an expiry are cached forever. Needs a tokio runtime (as the
/// whole client does).
///
/// ```
/// use tencentcloud_transport_std::{CachedProvider, StaticProvider};
///
/// let cached = CachedProvider::new(StaticProvider::new("AKIDEXAMPLE", "secret"));
/// # drop(cached);
/// ```
#[derive(Clone)]
pub struct CachedProvider {
    inner: Arc<Inner>,
}

impl fmt::Debug for CachedProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = lock(&self.inner.state);
        f.debug_struct("CachedProvider")
            .field("config", &self.inner.config)
            .field("secret_id", &st.current.as_ref().map(|e| e.creds.secret_id().to_owned()))
            .field("expires_at", &st.current.as_ref().and_then(|e| e.creds.expires_at()))
            .field("refreshing", &st.inflight.is_some())
            .finish()
    }
}

impl CachedProvider {
    /// Caches `source` with the default [`CacheConfig`].
    pub fn new(source: impl CredentialProvider + 'static) -> Self {
        Self::with_config(source, CacheConfig::default())
    }

    /// Caches `source` with `config`.
    pub fn with_config(source: impl CredentialProvider + 'static, config: CacheConfig) -> Self {
        Self::from_arc(Arc::new(source), config)
    }

    /// Caches a shared source.
    pub fn from_arc(source: Arc<dyn CredentialProvider>, config: CacheConfig) -> Self {
        Self::with_clock(source, config, Clock::system())
    }

    /// Caches a shared source, telling the time by `clock` (a [`Clock::manual`] in tests).
    pub fn with_clock(source: Arc<dyn CredentialProvider>, config: CacheConfig, clock: Clock) -> Self {
        Self::sharing_skew(source, config, clock, Arc::default())
    }

    /// Caches a shared source, judging expiries by `clock` corrected by `skew` (shared
    /// with the engine that fetches the credentials, which learns it too).
    pub(crate) fn sharing_skew(
        source: Arc<dyn CredentialProvider>,
        config: CacheConfig,
        clock: Clock,
        skew: Arc<ClockSkew>,
    ) -> Self {
        Self { inner: Arc::new(Inner { source, config, clock, skew, state: Mutex::new(State::default()) }) }
    }

    /// How many refreshes have been started (the first fetch included).
    pub fn refresh_count(&self) -> u64 {
        lock(&self.inner.state).refreshes
    }

    /// When the cached credential expires, if one is cached and it expires.
    pub fn expires_at(&self) -> Option<SystemTime> {
        lock(&self.inner.state).current.as_ref().and_then(|e| e.creds.expires_at())
    }

    async fn get(&self) -> Result<Credentials, Error> {
        let mut rx = {
            let mut st = lock(&self.inner.state);
            let now = self.inner.now();
            if let Some(entry) = st.current.as_ref().filter(|e| e.usable(now)) {
                let creds = Credentials::clone(&entry.creds);
                let due = entry.wants_refresh(now) && st.inflight.is_none() && st.retry_at.is_none_or(|t| now >= t);
                if due {
                    tracing::debug!("credential refresh due: refreshing in the background");
                    // Without a runtime the refresh waits for a caller that has one.
                    let _ = start_refresh(&self.inner, &mut st);
                }
                return Ok(creds);
            }
            match &st.inflight {
                Some(rx) => rx.clone(),
                None => start_refresh(&self.inner, &mut st)?,
            }
        };
        match rx.wait_for(Option::is_some).await {
            Ok(outcome) => outcome.clone().unwrap_or_else(|| Err(cancelled())),
            Err(_) => Err(cancelled()),
        }
    }
}

fn cancelled() -> Error {
    Error::credential(CredentialErrorKind::Unavailable, "the credential refresh was cancelled")
}

/// Clears the in-flight marker if the refresh task goes away before finishing (e.g. the
/// runtime shuts down), so a later caller starts a new refresh.
struct InflightGuard {
    inner: Arc<Inner>,
    rx: watch::Receiver<Outcome>,
    armed: bool,
}

impl Drop for InflightGuard {
    fn drop(&mut self) {
        if self.armed {
            let mut st = lock(&self.inner.state);
            if st.inflight.as_ref().is_some_and(|rx| rx.same_channel(&self.rx)) {
                st.inflight = None;
            }
        }
    }
}

/// Starts a refresh task; the caller holds the lock. Returns the receiver of its result.
fn start_refresh(inner: &Arc<Inner>, st: &mut State) -> Result<watch::Receiver<Outcome>, Error> {
    let runtime = tokio::runtime::Handle::try_current()
        .map_err(|_| Error::configuration("refreshing credentials needs a tokio runtime"))?;
    let (tx, rx) = watch::channel(None);
    st.inflight = Some(rx.clone());
    st.refreshes += 1;
    let mut guard = InflightGuard { inner: Arc::clone(inner), rx: rx.clone(), armed: true };
    runtime.spawn(async move {
        let inner = Arc::clone(&guard.inner);
        let timeout = inner.config.refresh_timeout;
        let result = match tokio::time::timeout(timeout, inner.source.credential()).await {
            Ok(result) => result,
            Err(_) => Err(Error::credential(
                CredentialErrorKind::Unavailable,
                format!("the credential refresh timed out after {timeout:?}"),
            )),
        };
        let result = finish(&inner, result);
        guard.armed = false;
        drop(guard);
        // No receiver left is fine: the state is already updated.
        let _ = tx.send(Some(result));
    });
    Ok(rx)
}

/// Stores the outcome of a refresh and returns what its waiters get.
fn finish(inner: &Inner, result: Result<Credentials, Error>) -> Result<Credentials, Error> {
    let mut st = lock(&inner.state);
    st.inflight = None;
    let now = inner.now();
    let error = match result {
        Ok(creds) => {
            let entry = Entry::new(creds, now, &inner.config);
            if entry.usable(now) {
                let creds = Credentials::clone(&entry.creds);
                tracing::debug!(expires_at = ?creds.expires_at(), "credential refreshed");
                st.current = Some(entry);
                st.retry_at = None;
                return Ok(creds);
            }
            Error::credential(
                CredentialErrorKind::Unavailable,
                "the source returned a credential that is about to expire",
            )
        }
        Err(e) => e,
    };
    if let Some(until) = st.current.as_ref().filter(|e| e.usable(now)).map(|e| e.usable_until) {
        let left = until.and_then(|u| u.duration_since(now).ok()).unwrap_or(inner.config.failure_backoff);
        st.retry_at = Some(now + inner.config.failure_backoff.min(left / 2));
        tracing::warn!(error = %error, "credential refresh failed; still using the current credential");
    } else {
        tracing::warn!(error = %error, "credential refresh failed");
    }
    Err(error)
}

impl CredentialProvider for CachedProvider {
    fn credential(&self) -> CredentialFuture<'_> {
        Box::pin(self.get())
    }

    /// The cached credentials while usable and no refresh is due (a due refresh is
    /// started by [`CredentialProvider::credential`]).
    fn credential_now(&self) -> Option<Arc<Credentials>> {
        let st = lock(&self.inner.state);
        let now = self.inner.now();
        st.current.as_ref().filter(|e| e.usable(now) && !e.wants_refresh(now)).map(|e| Arc::clone(&e.creds))
    }

    fn observe_clock_offset(&self, offset_secs: i64) {
        self.inner.skew.set(offset_secs);
    }

    /// Drops `rejected` if it is the cached credential (a refresh then starts with the
    /// next caller, right away, however recent the last failed one); `true` unless the
    /// credential never expires (a refresh would give the same).
    fn credential_rejected(&self, rejected: &Credentials) -> bool {
        if rejected.expires_at().is_none() {
            return false;
        }
        let mut st = lock(&self.inner.state);
        if st.current.as_ref().is_some_and(|e| same(&e.creds, rejected)) {
            tracing::debug!("the API refused the cached credential: dropping it");
            st.current = None;
            st.retry_at = None;
        }
        true
    }
}

/// Whether two credentials are the same one (id, token and expiry).
fn same(a: &Credentials, b: &Credentials) -> bool {
    a.secret_id() == b.secret_id() && a.token() == b.token() && a.expires_at() == b.expires_at()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use super::*;

    /// Hands out numbered credentials living `life` on `clock`, after `delay` (tokio
    /// time); counts calls and the most calls in flight at once; fails while `fail` is set.
    struct Source {
        clock: Clock,
        life: Duration,
        delay: Duration,
        calls: AtomicUsize,
        in_flight: AtomicUsize,
        max_in_flight: AtomicUsize,
        fail: AtomicBool,
    }

    impl Source {
        fn new(clock: &Clock, life: Duration, delay: Duration) -> Arc<Self> {
            Arc::new(Self {
                clock: clock.clone(),
                life,
                delay,
                calls: AtomicUsize::new(0),
                in_flight: AtomicUsize::new(0),
                max_in_flight: AtomicUsize::new(0),
                fail: AtomicBool::new(false),
            })
        }
    }

    impl CredentialProvider for Source {
        fn credential(&self) -> CredentialFuture<'_> {
            Box::pin(async move {
                let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
                let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                self.max_in_flight.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(self.delay).await;
                self.in_flight.fetch_sub(1, Ordering::SeqCst);
                if self.fail.load(Ordering::SeqCst) {
                    return Err(Error::credential(CredentialErrorKind::Unavailable, "source down"));
                }
                Ok(Credentials::new(format!("AKID{n}"), "k").with_token("t").with_expiry(self.clock.now() + self.life))
            })
        }
    }

    fn quick() -> CacheConfig {
        CacheConfig::new().jitter(Duration::ZERO).failure_backoff(Duration::from_millis(20))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_refresh_for_many_waiters() {
        let source = Source::new(&Clock::system(), Duration::from_secs(600), Duration::from_millis(50));
        let cache = CachedProvider::from_arc(source.clone(), quick());
        let tasks: Vec<_> = (0..1000)
            .map(|_| {
                let c = cache.clone();
                tokio::spawn(async move { c.credential().await.map(|c| c.secret_id().to_owned()) })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap(), "AKID1");
        }
        assert_eq!(source.calls.load(Ordering::SeqCst), 1);
        assert_eq!(cache.refresh_count(), 1);
        // Cached: no more calls.
        assert_eq!(cache.credential().await.unwrap().secret_id(), "AKID1");
        assert_eq!(source.calls.load(Ordering::SeqCst), 1);
    }

    /// Lets spawned refreshes run to completion (tokio's paused time moves on by itself
    /// once every task waits, so this takes no real time).
    async fn settle() {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    /// `credential_now` shares the cached value only while no refresh is due, so a due
    /// refresh still starts (through `credential`) exactly as before.
    #[tokio::test(start_paused = true)]
    async fn credential_now_only_while_fresh() {
        let clock = Clock::manual(SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000));
        // Lives 400 ms: refresh due at 200 ms, usable until 300 ms.
        let source = Source::new(&clock, Duration::from_millis(400), Duration::from_millis(30));
        let cache = CachedProvider::with_clock(source.clone(), quick(), clock.clone());
        assert!(cache.credential_now().is_none(), "nothing cached yet");
        assert_eq!(cache.credential().await.unwrap().secret_id(), "AKID1");
        let now = cache.credential_now().expect("fresh");
        assert_eq!(now.secret_id(), "AKID1");
        assert!(Arc::ptr_eq(&now, &cache.credential_now().unwrap()), "shared, not copied");
        clock.advance(Duration::from_millis(220));
        assert!(cache.credential_now().is_none(), "refresh due");
        assert_eq!(source.calls.load(Ordering::SeqCst), 1);
        assert_eq!(cache.credential().await.unwrap().secret_id(), "AKID1");
        settle().await;
        assert_eq!(cache.credential_now().unwrap().secret_id(), "AKID2");
        assert_eq!(source.calls.load(Ordering::SeqCst), 2);
        clock.advance(Duration::from_millis(400));
        assert!(cache.credential_now().is_none(), "expired");
    }

    #[tokio::test(start_paused = true)]
    async fn background_refresh_and_failures() {
        let clock = Clock::manual(SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000));
        // Lives 400 ms: refresh due at 200 ms, usable until 300 ms.
        let source = Source::new(&clock, Duration::from_millis(400), Duration::from_millis(30));
        let cache = CachedProvider::with_clock(source.clone(), quick(), clock.clone());
        assert_eq!(cache.credential().await.unwrap().secret_id(), "AKID1");
        clock.advance(Duration::from_millis(220));
        // Due: the current one comes back at once, the refresh runs behind.
        assert_eq!(cache.credential().await.unwrap().secret_id(), "AKID1");
        assert_eq!(cache.credential().await.unwrap().secret_id(), "AKID1");
        settle().await;
        assert_eq!(cache.credential().await.unwrap().secret_id(), "AKID2");
        assert_eq!(source.max_in_flight.load(Ordering::SeqCst), 1);
        assert_eq!(source.calls.load(Ordering::SeqCst), 2);

        // A failing refresh while AKID2 is usable: AKID2 keeps coming.
        source.fail.store(true, Ordering::SeqCst);
        clock.advance(Duration::from_millis(220));
        for _ in 0..5 {
            assert_eq!(cache.credential().await.unwrap().secret_id(), "AKID2");
            settle().await;
            clock.advance(Duration::from_millis(10));
        }
        assert!(source.calls.load(Ordering::SeqCst) >= 3);
        // Once no longer usable, callers wait for a refresh and get its error.
        clock.advance(Duration::from_millis(100));
        let e = cache.credential().await.unwrap_err();
        assert!(e.to_string().contains("source down"), "{e}");
        // It recovers.
        source.fail.store(false, Ordering::SeqCst);
        assert!(cache.credential().await.unwrap().secret_id().starts_with("AKID"));
        assert_eq!(source.max_in_flight.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn without_a_runtime() {
        let cache = CachedProvider::new(crate::StaticProvider::new("AKIDX", "k"));
        let e = futures_util::FutureExt::now_or_never(cache.credential()).unwrap().unwrap_err();
        assert!(e.to_string().contains("needs a tokio runtime"), "{e}");
    }

    #[tokio::test(start_paused = true)]
    async fn refresh_timeout_and_not_configured() {
        let slow = Source::new(&Clock::system(), Duration::from_secs(600), Duration::from_secs(5));
        let cache = CachedProvider::from_arc(slow, quick().refresh_timeout(Duration::from_millis(30)));
        let e = cache.credential().await.unwrap_err();
        assert!(e.to_string().contains("timed out"), "{e}");

        struct Nothing;
        impl CredentialProvider for Nothing {
            fn credential(&self) -> CredentialFuture<'_> {
                Box::pin(async { Err(Error::credential(CredentialErrorKind::NotConfigured, "nothing here")) })
            }
        }
        let e = CachedProvider::new(Nothing).credential().await.unwrap_err();
        assert!(e.is_not_configured(), "{e}");

        // Without expiry: fetched once, kept.
        let c = CachedProvider::new(crate::StaticProvider::new("AKIDX", "k"));
        c.credential().await.unwrap();
        c.credential().await.unwrap();
        assert_eq!(c.refresh_count(), 1);
        assert!(!format!("{c:?}").contains("\"k\""));
    }

    #[test]
    fn schedule() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let creds = |life: u64| Credentials::new("a", "b").with_expiry(now + Duration::from_secs(life));
        let cfg = CacheConfig::new().jitter(Duration::ZERO);
        // Two hours: refresh 5 minutes ahead, usable until 10 s before.
        let e = Entry::new(creds(7200), now, &cfg);
        assert_eq!(e.refresh_at, Some(now + Duration::from_secs(7200 - 300)));
        assert_eq!(e.usable_until, Some(now + Duration::from_secs(7200 - 10)));
        // Two seconds: half-way, and a quarter of the life as margin.
        let e = Entry::new(creds(2), now, &cfg);
        assert_eq!(e.refresh_at, Some(now + Duration::from_secs(1)));
        assert_eq!(e.usable_until, Some(now + Duration::from_millis(1500)));
        // Jitter only ever moves the refresh earlier, within its bound.
        let cfg = CacheConfig::new().jitter(Duration::from_secs(60));
        for _ in 0..100 {
            let at = Entry::new(creds(7200), now, &cfg).refresh_at.unwrap();
            assert!(at <= now + Duration::from_secs(6900) && at >= now + Duration::from_secs(6840));
        }
    }
}
