//! The region breaker: after many failures in a region, send requests to a backup
//! endpoint for a while, then probe the region again.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::sync::lock;

/// The official SDKs' default backup root domain.
pub const DEFAULT_BACKUP_ENDPOINT: &str = "ap-guangzhou.tencentcloudapi.com";

/// Settings of the region breaker (the defaults are the official SDKs').
///
/// ```
/// use std::time::Duration;
/// use tencentcloud_transport_std::BreakerConfig;
///
/// let cfg = BreakerConfig::default()
///     .backup_endpoint("http://127.0.0.1:9001")
///     .open_duration(Duration::from_millis(200));
/// assert_eq!(cfg.min_failures, 5);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct BreakerConfig {
    /// Where requests go while the breaker is open: a root domain (requests go to
    /// `<service>.<root domain>`) or a full URL such as `http://127.0.0.1:9001` (used as
    /// is). Default [`DEFAULT_BACKUP_ENDPOINT`].
    pub backup_endpoint: String,
    /// Fewest failures in the window that can open the breaker (5).
    pub min_failures: u32,
    /// Failure ratio in the window at or above which the breaker opens (0.75).
    pub failure_ratio: f64,
    /// The counting window of the closed state (300 s).
    pub window: Duration,
    /// How long the breaker stays open before probing (60 s).
    pub open_duration: Duration,
    /// Probe successes in the half-open state that close the breaker; also the number
    /// of probes let through at once (5).
    pub half_open_successes: u32,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self {
            backup_endpoint: DEFAULT_BACKUP_ENDPOINT.to_owned(),
            min_failures: 5,
            failure_ratio: 0.75,
            window: Duration::from_secs(300),
            open_duration: Duration::from_secs(60),
            half_open_successes: 5,
        }
    }
}

impl BreakerConfig {
    /// Sets the backup endpoint (root domain or full URL).
    pub fn backup_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.backup_endpoint = endpoint.into();
        self
    }

    /// Sets the counting window.
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Sets how long the breaker stays open.
    pub fn open_duration(mut self, d: Duration) -> Self {
        self.open_duration = d;
        self
    }

    /// Sets the failure thresholds.
    pub fn thresholds(mut self, min_failures: u32, failure_ratio: f64) -> Self {
        self.min_failures = min_failures;
        self.failure_ratio = failure_ratio;
        self
    }

    /// Sets the probe successes needed to close.
    pub fn half_open_successes(mut self, n: u32) -> Self {
        self.half_open_successes = n.max(1);
        self
    }
}

/// The breaker's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakerState {
    /// Requests go to the region.
    Closed,
    /// Requests go to the backup endpoint.
    Open,
    /// A few probes go to the region; the rest to the backup endpoint.
    HalfOpen,
}

/// How a request went, for the breaker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// An answer: a result or an API error other than `InternalError`.
    Success,
    /// A network error, timeout, HTTP 5xx, undecodable answer or `InternalError`.
    Failure,
    /// Nothing learned about the region (e.g. no credential): the request is forgotten.
    Ignore,
}

/// What [`Breaker::before_request`] decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ticket {
    generation: u64,
    /// The half-open probe this request is, if it is one.
    probe: Option<u64>,
    /// Send to the backup endpoint.
    pub(crate) backup: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Counts {
    requests: u32,
    failures: u32,
    successes: u32,
    /// Half-open: the probes in flight, each with the instant it stops counting (its
    /// attempt's time limit), so a probe that never reports cannot hold its slot.
    probes: Vec<(u64, Instant)>,
}

/// The state machine, driven with explicit instants so it can be tested with a fake
/// clock.
#[derive(Debug)]
pub(crate) struct Breaker {
    cfg: BreakerConfig,
    state: BreakerState,
    generation: u64,
    counts: Counts,
    /// End of the closed window, or of the open period.
    expiry: Instant,
    /// The id of the next half-open probe.
    next_probe: u64,
}

impl Breaker {
    pub(crate) fn new(cfg: BreakerConfig, now: Instant) -> Self {
        let expiry = now + cfg.window;
        Self { cfg, state: BreakerState::Closed, generation: 0, counts: Counts::default(), expiry, next_probe: 0 }
    }

    pub(crate) fn config(&self) -> &BreakerConfig {
        &self.cfg
    }

    fn set_state(&mut self, state: BreakerState, now: Instant) {
        self.state = state;
        self.new_generation(now);
    }

    fn new_generation(&mut self, now: Instant) {
        self.generation = self.generation.wrapping_add(1);
        self.counts = Counts::default();
        self.expiry = match self.state {
            BreakerState::Closed => now + self.cfg.window,
            BreakerState::Open => now + self.cfg.open_duration,
            BreakerState::HalfOpen => now,
        };
    }

    /// The state at `now` (the window rolls over, an open period ends).
    pub(crate) fn state(&mut self, now: Instant) -> BreakerState {
        match self.state {
            BreakerState::Closed if self.expiry <= now => self.new_generation(now),
            BreakerState::Open if self.expiry <= now => self.set_state(BreakerState::HalfOpen, now),
            _ => {}
        }
        self.state
    }

    /// Decides where the next request goes; `limit` is its attempt's time limit (a
    /// half-open probe older than that no longer holds its slot).
    pub(crate) fn before_request(&mut self, now: Instant, limit: Duration) -> Ticket {
        let state = self.state(now);
        let ticket = |probe, backup| Ticket { generation: self.generation, probe, backup };
        match state {
            BreakerState::Open => ticket(None, true),
            BreakerState::Closed => {
                self.counts.requests = self.counts.requests.saturating_add(1);
                ticket(None, false)
            }
            BreakerState::HalfOpen => {
                self.counts.probes.retain(|&(_, until)| until > now);
                if self.counts.probes.len() >= self.cfg.half_open_successes as usize {
                    return ticket(None, true);
                }
                let id = self.next_probe;
                self.next_probe = self.next_probe.wrapping_add(1);
                self.counts.probes.push((id, now.checked_add(limit).unwrap_or(now)));
                ticket(Some(id), false)
            }
        }
    }

    /// Records how a request went. Requests sent to the backup endpoint, and requests
    /// of an earlier generation, do not count; a probe's outcome counts even after its
    /// slot expired.
    pub(crate) fn after_request(&mut self, ticket: Ticket, outcome: Outcome, now: Instant) {
        let state = self.state(now);
        if ticket.backup || ticket.generation != self.generation {
            return;
        }
        if let Some(id) = ticket.probe {
            self.counts.probes.retain(|&(p, _)| p != id);
        }
        match (state, outcome) {
            (BreakerState::HalfOpen, Outcome::Ignore) => {}
            (_, Outcome::Ignore) => self.counts.requests = self.counts.requests.saturating_sub(1),
            (BreakerState::Closed, Outcome::Success) => self.counts.successes += 1,
            (BreakerState::Closed, Outcome::Failure) => {
                self.counts.failures += 1;
                let c = &self.counts;
                let ratio = f64::from(c.failures) / f64::from(c.requests.max(1));
                if c.failures >= self.cfg.min_failures && ratio >= self.cfg.failure_ratio {
                    self.set_state(BreakerState::Open, now);
                }
            }
            (BreakerState::HalfOpen, Outcome::Success) => {
                self.counts.successes += 1;
                if self.counts.successes >= self.cfg.half_open_successes {
                    self.set_state(BreakerState::Closed, now);
                }
            }
            (BreakerState::HalfOpen, Outcome::Failure) => self.set_state(BreakerState::Open, now),
            (BreakerState::Open, _) => {}
        }
    }
}

/// A ticket that is reported exactly once: by [`TicketGuard::report`], or when dropped
/// unreported (the attempt's future was dropped: the caller cancelled the call, or its
/// deadline passed) as [`Outcome::Ignore`]. A cancelled attempt tells nothing about the
/// region, so it neither counts as a failure nor keeps a half-open probe slot.
pub(crate) struct TicketGuard<'a> {
    breaker: &'a Mutex<Breaker>,
    ticket: Option<Ticket>,
}

impl<'a> TicketGuard<'a> {
    /// Takes a ticket for a request whose attempt may last `limit`.
    pub(crate) fn take(breaker: &'a Mutex<Breaker>, limit: Duration) -> Self {
        let ticket = lock(breaker).before_request(Instant::now(), limit);
        Self { breaker, ticket: Some(ticket) }
    }

    /// Whether the request goes to the backup endpoint.
    pub(crate) fn backup(&self) -> bool {
        self.ticket.is_some_and(|t| t.backup)
    }

    /// Reports how the request went (once; later reports are ignored).
    pub(crate) fn report(&mut self, outcome: Outcome) {
        if let Some(t) = self.ticket.take() {
            lock(self.breaker).after_request(t, outcome, Instant::now());
        }
    }
}

impl Drop for TicketGuard<'_> {
    fn drop(&mut self) {
        self.report(Outcome::Ignore);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The attempt time limit of the tests' requests.
    const LIMIT: Duration = Duration::from_secs(30);

    /// A fake clock: instants offset from one base.
    struct Clock(Instant);
    impl Clock {
        fn at(&self, secs: u64) -> Instant {
            self.0 + Duration::from_secs(secs)
        }
    }

    fn run(b: &mut Breaker, now: Instant, outcome: Outcome) -> bool {
        let t = b.before_request(now, LIMIT);
        b.after_request(t, outcome, now);
        t.backup
    }

    #[test]
    fn opens_on_ratio_and_minimum() {
        let clock = Clock(Instant::now());
        let mut b = Breaker::new(BreakerConfig::default(), clock.at(0));
        // 4 failures: below the minimum of 5.
        for _ in 0..4 {
            assert!(!run(&mut b, clock.at(1), Outcome::Failure));
        }
        assert_eq!(b.state(clock.at(1)), BreakerState::Closed);
        // A success: 4/5 = 0.8 still; the 5th failure makes 5/6 = 0.83 >= 0.75: open.
        run(&mut b, clock.at(1), Outcome::Success);
        run(&mut b, clock.at(1), Outcome::Failure);
        assert_eq!(b.state(clock.at(1)), BreakerState::Open);
        assert!(b.before_request(clock.at(2), LIMIT).backup);
    }

    #[test]
    fn ratio_below_threshold_stays_closed() {
        let clock = Clock(Instant::now());
        let mut b = Breaker::new(BreakerConfig::default(), clock.at(0));
        for _ in 0..3 {
            run(&mut b, clock.at(1), Outcome::Success);
        }
        for _ in 0..8 {
            run(&mut b, clock.at(1), Outcome::Failure);
        }
        // 8/11 = 0.727 < 0.75.
        assert_eq!(b.state(clock.at(1)), BreakerState::Closed);
        run(&mut b, clock.at(1), Outcome::Failure); // 9/12 = 0.75
        assert_eq!(b.state(clock.at(1)), BreakerState::Open);
    }

    #[test]
    fn window_resets_counts() {
        let clock = Clock(Instant::now());
        let mut b = Breaker::new(BreakerConfig::default(), clock.at(0));
        for _ in 0..4 {
            run(&mut b, clock.at(10), Outcome::Failure);
        }
        // The 300 s window rolls over: the old failures are forgotten.
        run(&mut b, clock.at(301), Outcome::Failure);
        assert_eq!(b.state(clock.at(301)), BreakerState::Closed);
        for _ in 0..4 {
            run(&mut b, clock.at(302), Outcome::Failure);
        }
        assert_eq!(b.state(clock.at(302)), BreakerState::Open);
    }

    #[test]
    fn half_open_probes_then_closes() {
        let clock = Clock(Instant::now());
        let mut b = Breaker::new(BreakerConfig::default(), clock.at(0));
        for _ in 0..5 {
            run(&mut b, clock.at(0), Outcome::Failure);
        }
        assert_eq!(b.state(clock.at(59)), BreakerState::Open);
        assert_eq!(b.state(clock.at(60)), BreakerState::HalfOpen);
        // Five probes go to the region; a sixth concurrent one goes to the backup.
        let probes: Vec<Ticket> = (0..5).map(|_| b.before_request(clock.at(60), LIMIT)).collect();
        assert!(probes.iter().all(|t| !t.backup));
        let extra = b.before_request(clock.at(60), LIMIT);
        assert!(extra.backup);
        b.after_request(extra, Outcome::Success, clock.at(60)); // does not count
        for (i, t) in probes.into_iter().enumerate() {
            assert_eq!(b.state(clock.at(61)), BreakerState::HalfOpen, "probe {i}");
            b.after_request(t, Outcome::Success, clock.at(61));
        }
        assert_eq!(b.state(clock.at(61)), BreakerState::Closed);
        assert!(!b.before_request(clock.at(62), LIMIT).backup);
    }

    #[test]
    fn half_open_failure_reopens() {
        let clock = Clock(Instant::now());
        let mut b = Breaker::new(BreakerConfig::default(), clock.at(0));
        for _ in 0..5 {
            run(&mut b, clock.at(0), Outcome::Failure);
        }
        assert!(!run(&mut b, clock.at(60), Outcome::Success));
        assert!(!run(&mut b, clock.at(60), Outcome::Failure));
        assert_eq!(b.state(clock.at(60)), BreakerState::Open);
        assert_eq!(b.state(clock.at(119)), BreakerState::Open);
        assert_eq!(b.state(clock.at(120)), BreakerState::HalfOpen);
    }

    #[test]
    fn stale_and_ignored_outcomes() {
        let clock = Clock(Instant::now());
        let mut b = Breaker::new(BreakerConfig::default(), clock.at(0));
        let stale = b.before_request(clock.at(0), LIMIT);
        for _ in 0..5 {
            run(&mut b, clock.at(0), Outcome::Failure);
        }
        assert_eq!(b.state(clock.at(0)), BreakerState::Open);
        // A request from before the breaker opened reports late: ignored.
        b.after_request(stale, Outcome::Success, clock.at(61));
        assert_eq!(b.state(clock.at(61)), BreakerState::HalfOpen);
        // Ignored outcomes give their probe slot back.
        for _ in 0..10 {
            assert!(!run(&mut b, clock.at(61), Outcome::Ignore));
        }
        assert_eq!(b.state(clock.at(61)), BreakerState::HalfOpen);
    }

    /// Issue 9: probes that never report (their futures were dropped) stop holding their
    /// slots once their attempt's time limit has passed, and a dropped guard gives its
    /// slot back at once.
    #[test]
    fn lost_probes_expire_and_dropped_guards_report() {
        let clock = Clock(Instant::now());
        let mut b = Breaker::new(BreakerConfig::default(), clock.at(0));
        for _ in 0..5 {
            run(&mut b, clock.at(0), Outcome::Failure);
        }
        assert_eq!(b.state(clock.at(60)), BreakerState::HalfOpen);
        // Five probes lost: never reported.
        for _ in 0..5 {
            assert!(!b.before_request(clock.at(60), LIMIT).backup);
        }
        assert!(b.before_request(clock.at(60), LIMIT).backup, "the slots are taken");
        assert!(b.before_request(clock.at(89), LIMIT).backup, "still within the time limit");
        // Past the time limit the region is probed again, and recovers.
        for _ in 0..5 {
            assert!(!run(&mut b, clock.at(90), Outcome::Success));
        }
        assert_eq!(b.state(clock.at(90)), BreakerState::Closed);

        // Guards dropped unreported give their slots back at once.
        let m = Mutex::new(Breaker::new(BreakerConfig::default(), Instant::now()));
        for _ in 0..5 {
            TicketGuard::take(&m, LIMIT).report(Outcome::Failure);
        }
        lock(&m).expiry = Instant::now(); // the open period is over
        assert_eq!(lock(&m).state(Instant::now()), BreakerState::HalfOpen);
        for _ in 0..3 {
            let guards: Vec<TicketGuard<'_>> = (0..5).map(|_| TicketGuard::take(&m, LIMIT)).collect();
            assert!(guards.iter().all(|g| !g.backup()));
            assert!(TicketGuard::take(&m, LIMIT).backup());
        }
        for _ in 0..5 {
            let mut g = TicketGuard::take(&m, LIMIT);
            assert!(!g.backup());
            g.report(Outcome::Success);
        }
        assert_eq!(lock(&m).state(Instant::now()), BreakerState::Closed);
    }
}
