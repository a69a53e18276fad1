//! Time, supplied by the firmware, and corrected from the server's `Date` header.

use embassy_time::Instant;

/// The firmware's wall clock.
///
/// A device with a battery-backed RTC returns the time; one without returns `None` until it
/// knows better. The client learns the time from the `Date` header of its first response
/// (and of every later one) and tells the clock through [`Clock::set_unix`], so an RTC can be
/// set from it.
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

    /// The client learned the time from a server (`Date` header) and the clock was unknown
    /// or further off than [`crate::Config::clock_tolerance_secs`]. The default ignores it.
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

    /// Takes a server `Date` (unix seconds). Adopts it when the device clock is unknown or
    /// off by more than `tolerance`, and keeps following the server once adopted.
    pub(crate) fn observe(&mut self, date: u64, clock: &mut impl Clock, tolerance: u64) {
        let before = self.now(clock);
        let off = before.is_none_or(|t| t.abs_diff(date) > tolerance);
        if off || self.learned.is_some() {
            self.learned = Some((Instant::now(), date));
        }
        if off {
            debug!("tencentcloud: clock set from the server's Date: {}", date);
            clock.set_unix(date);
        }
    }
}
