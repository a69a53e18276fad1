//! Time, supplied by the firmware, and corrected from the server's `Date` header.

use embassy_time::Instant;
use tencentcloud_core::policy;

/// The firmware's wall clock.
///
/// A device with a battery-backed RTC returns the time; one without returns `None` until it
/// knows better. The client learns the time from the `Date` header of its responses, by the
/// core's rule (`tencentcloud_core::policy::adopt_date`): a `Date` before 2018 or after 2100
/// is ignored, and so is one more than a day from a clock that has a plausible time. When
/// the clock has no plausible time, the client tells it the server's through
/// [`Clock::set_unix`], so an RTC can be set from it.
///
/// ```
/// use tencentcloud_transport_embassy::Clock;
///
/// struct Rtc(Option<u64>);
/// impl Clock for Rtc {
///     fn now_unix(&mut self) -> Option<u64> {
///         self.0
///     }
///     fn set_unix(&mut self, unix: u64) {
///         self.0 = Some(unix);
///     }
/// }
/// ```
pub trait Clock {
    /// Seconds since 1970-01-01T00:00:00Z, or `None` while unknown.
    fn now_unix(&mut self) -> Option<u64>;

    /// The client learned the time from a server (`Date` header) whose certificate is valid
    /// at that time, and this clock had no plausible time (`None`, or outside 2018..2100:
    /// a reset RTC). A clock that has a plausible time is never set by the client: it is what
    /// every later `Date` is measured against; when it is off (by at most a day) the client
    /// signs with the server's time instead. The default ignores it.
    fn set_unix(&mut self, unix: u64) {
        let _ = unix;
    }
}

impl<C: Clock + ?Sized> Clock for &mut C {
    fn now_unix(&mut self) -> Option<u64> {
        C::now_unix(self)
    }

    fn set_unix(&mut self, unix: u64) {
        C::set_unix(self, unix);
    }
}

/// A device without a real-time clock: the time is learned from the first response.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRtc;

impl Clock for NoRtc {
    fn now_unix(&mut self) -> Option<u64> {
        None
    }
}

/// Server time learned from `Date`, anchored to the monotonic embassy-time clock.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TimeSync {
    learned: Option<(Instant, u64)>,
}

impl TimeSync {
    /// Nothing learned yet.
    pub(crate) const fn new() -> Self {
        Self { learned: None }
    }

    /// The corrected time: the learned server time plus the time since, else the clock.
    pub(crate) fn now(&self, clock: &mut impl Clock) -> Option<u64> {
        match self.learned {
            Some((at, unix)) => Some(unix.saturating_add(at.elapsed().as_secs())),
            None => clock.now_unix(),
        }
    }

    /// Whether the time comes from a server rather than the device clock.
    pub(crate) fn is_learned(&self) -> bool {
        self.learned.is_some()
    }

    /// The server time a `Date` (unix seconds) may give, by the core's rule
    /// ([`policy::adopt_date`]): `None` for an absurd one (before 2018, after 2100) or one
    /// more than [`policy::MAX_CLOCK_STEP`] from `device` (the device clock's own reading,
    /// [`Clock::now_unix`]; `None` or implausible: no clock). Measured against the device
    /// clock, never against a time learned earlier: no series of answers walks the time
    /// further than one step from it, and a right `Date` always brings it back.
    pub(crate) fn candidate(date: u64, device: Option<u64>) -> Option<u64> {
        policy::adopt_date(date, device)
    }

    /// Adopts `server`, a [`TimeSync::candidate`] for the device clock reading `device`:
    /// signs with it when the device clock has no plausible time or is off by more than
    /// `tolerance` (and keeps following the server once it did). The device clock is set
    /// ([`Clock::set_unix`]) only when it had no plausible time: a clock that has one is
    /// the measure every later `Date` is checked against, so the client never moves it.
    pub(crate) fn adopt(&mut self, server: u64, device: Option<u64>, clock: &mut impl Clock, tolerance: u64) {
        let device = device.filter(|&t| policy::plausible(t));
        if device.is_none_or(|t| t.abs_diff(server) > tolerance) || self.learned.is_some() {
            self.learned = Some((Instant::now(), server));
        }
        if device.is_none() {
            debug!("tencentcloud: clock set from the server's Date: {}", server);
            clock.set_unix(server);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use super::*;

    /// 2026-01-01T00:00:00Z.
    const T: u64 = 1_767_225_600;
    const MAX: u64 = tencentcloud_core::time::MAX_TIMESTAMP;

    struct Rtc {
        now: Option<u64>,
        sets: Vec<u64>,
    }

    impl Clock for Rtc {
        fn now_unix(&mut self) -> Option<u64> {
            self.now
        }

        fn set_unix(&mut self, unix: u64) {
            self.sets.push(unix);
            self.now = Some(unix);
        }
    }

    /// What the client does with a `Date`: the candidate by the core's rule, then adopted.
    fn observe(sync: &mut TimeSync, date: u64, rtc: &mut Rtc) -> Option<u64> {
        let device = rtc.now_unix();
        let server = TimeSync::candidate(date, device)?;
        sync.adopt(server, device, rtc, 60);
        Some(server)
    }

    #[test]
    fn absurd_dates_are_never_candidates() {
        for device in [None, Some(T), Some(0), Some(MAX)] {
            for date in [0, 1, policy::EARLIEST_DATE - 1, policy::LATEST_DATE + 1, MAX] {
                assert_eq!(TimeSync::candidate(date, device), None, "{date} {device:?}");
            }
        }
        assert_eq!(TimeSync::candidate(T + 30 * 86_400, Some(T)), None);
        assert_eq!(TimeSync::candidate(T + 86_400, Some(T)), Some(T + 86_400));
        assert_eq!(TimeSync::candidate(T + 30 * 86_400, None), Some(T + 30 * 86_400));
        assert_eq!(TimeSync::candidate(T, Some(946_684_800)), Some(T), "a reset RTC is no clock");
    }

    #[test]
    fn no_series_of_dates_walks_the_time() {
        let mut rtc = Rtc { now: Some(T), sets: Vec::new() };
        let mut sync = TimeSync::new();
        for step in 1..=10 {
            let date = T + step * 23 * 3_600;
            let adopted = observe(&mut sync, date, &mut rtc);
            assert_eq!(adopted.is_some(), step == 1, "step {step}");
            let now = sync.now(&mut rtc).unwrap_or(0);
            assert!(now.abs_diff(T) <= policy::MAX_CLOCK_STEP + 1, "step {step}: {now}");
        }
        assert!(sync.is_learned());
        // A right Date brings it back; the device clock, which had the time, was never set.
        assert_eq!(observe(&mut sync, T, &mut rtc), Some(T));
        assert!(sync.now(&mut rtc).unwrap_or(0).abs_diff(T) <= 1);
        assert!(rtc.sets.is_empty());
    }

    #[test]
    fn a_clock_without_a_plausible_time_is_set_once() {
        for start in [None, Some(0), Some(946_684_800), Some(MAX)] {
            let mut rtc = Rtc { now: start, sets: Vec::new() };
            let mut sync = TimeSync::new();
            assert_eq!(observe(&mut sync, T, &mut rtc), Some(T));
            // From now on it has the time: a Date 30 days on is refused, an hour is taken
            // for signing only.
            assert_eq!(observe(&mut sync, T + 30 * 86_400, &mut rtc), None);
            assert_eq!(observe(&mut sync, T + 3_600, &mut rtc), Some(T + 3_600));
            assert_eq!(rtc.sets, [T], "{start:?}");
            assert!(sync.now(&mut rtc).unwrap_or(0).abs_diff(T + 3_600) <= 1);
        }
    }

    #[test]
    fn a_right_clock_is_followed() {
        let mut rtc = Rtc { now: Some(T), sets: Vec::new() };
        let mut sync = TimeSync::new();
        assert_eq!(observe(&mut sync, T + 30, &mut rtc), Some(T + 30));
        assert!(!sync.is_learned(), "within the tolerance: the device clock stays the time");
        assert_eq!(sync.now(&mut rtc), Some(T));
    }
}
