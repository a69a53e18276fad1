//! Clock-skew correction: signatures carry the local time, and the API refuses them
//! when it is more than five minutes off (`AuthFailure.SignatureExpire`). The rule of
//! when to correct and re-sign is core's [`policy`]; this keeps the learned offset.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tencentcloud_core::policy::{self, Class, Outcome};

/// Re-signing helps only when the server's time is further than this from the time
/// signed with (as transport-embassy's default).
const CLOCK_TOLERANCE_SECS: u64 = 60;

/// The offset (server time minus local time, in seconds) shared by every call of a
/// client.
#[derive(Debug, Default)]
pub(crate) struct ClockSkew {
    offset: AtomicI64,
}

/// Seconds since the epoch of `t` (0 before the epoch).
pub(crate) fn unix_secs(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `server Date - local`, in seconds, or `None` if the header is not an IMF-fixdate or
/// core's policy refuses it (absurd, or more than a day from a plausible `local`).
pub(crate) fn compute_offset(date_header: &[u8], local: SystemTime) -> Option<i64> {
    policy::clock_offset(date_header, u64::try_from(unix_secs(local)).unwrap_or(0))
}

/// How an attempt failed, for the clock-skew rule.
pub(crate) struct Expired<'a> {
    /// The API error code, if the API answered with one.
    pub(crate) code: Option<&'a str>,
    /// The response's `Date` header.
    pub(crate) date: Option<&'a str>,
    /// The unix time the request was signed with.
    pub(crate) signed_at: u64,
    /// Whether this call already re-signed once.
    pub(crate) already: bool,
}

impl Expired<'_> {
    /// The offset to sign with from now on, if the attempt failed with
    /// `AuthFailure.SignatureExpire`, core's policy adopts the answer's `Date` and says
    /// re-signing will help. The offset is measured against `system`, the system clock,
    /// never a time corrected by an earlier answer: so it always stays within
    /// [`policy::MAX_CLOCK_STEP`] of the system clock (when that has a plausible time),
    /// and a later, right `Date` moves it back.
    pub(crate) fn correction(&self, system: SystemTime) -> Option<i64> {
        if policy::classify(Outcome::Api(self.code?)) != Class::SignatureExpired {
            return None;
        }
        let offset = compute_offset(self.date?.as_bytes(), system)?;
        let server = policy::corrected(u64::try_from(unix_secs(system)).unwrap_or(0), offset);
        policy::resign_after_expire(self.signed_at, Some(server), CLOCK_TOLERANCE_SECS, self.already).then_some(offset)
    }
}

impl ClockSkew {
    /// The current offset in seconds.
    pub(crate) fn offset(&self) -> i64 {
        self.offset.load(Ordering::Relaxed)
    }

    pub(crate) fn set(&self, offset: i64) {
        self.offset.store(offset, Ordering::Relaxed);
    }

    /// `t` corrected by the offset (`t` itself if that would overflow).
    pub(crate) fn correct(&self, t: SystemTime) -> SystemTime {
        let offset = self.offset();
        let by = Duration::from_secs(offset.unsigned_abs());
        let shifted = if offset >= 0 { t.checked_add(by) } else { t.checked_sub(by) };
        shifted.unwrap_or(t)
    }

    /// The corrected unix time to sign with at `local`.
    pub(crate) fn timestamp_at(&self, local: SystemTime) -> u64 {
        policy::corrected(u64::try_from(unix_secs(local)).unwrap_or(0), self.offset())
    }

    /// The corrected unix time to sign with now.
    pub(crate) fn now(&self) -> u64 {
        self.timestamp_at(SystemTime::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_from_date_header() {
        let local = UNIX_EPOCH + Duration::from_secs(1_551_113_065);
        // Server one hour ahead.
        assert_eq!(compute_offset(b"Mon, 25 Feb 2019 17:44:25 GMT", local), Some(3600));
        // Server ten minutes behind.
        assert_eq!(compute_offset(b"Mon, 25 Feb 2019 16:34:25 GMT", local), Some(-600));
        assert_eq!(compute_offset(b"Mon, 25 Feb 2019 16:44:25 GMT", local), Some(0));
        assert_eq!(compute_offset(b"yesterday", local), None);
        assert_eq!(compute_offset(b"", local), None);
    }

    #[test]
    fn corrected_timestamps() {
        let skew = ClockSkew::default();
        let local = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(skew.timestamp_at(local), 1_000_000);
        skew.set(-600);
        assert_eq!(skew.timestamp_at(local), 999_400);
        skew.set(3600);
        assert_eq!(skew.timestamp_at(local), 1_003_600);
        skew.set(-2_000_000);
        assert_eq!(skew.timestamp_at(local), 0);
        assert!(skew.now() > 1_700_000_000);
    }

    #[test]
    fn correction_follows_the_policy() {
        let local = UNIX_EPOCH + Duration::from_secs(1_551_113_065);
        let date = "Mon, 25 Feb 2019 17:44:25 GMT"; // an hour ahead
        let e = |code, date, signed_at, already| Expired { code, date, signed_at, already }.correction(local);
        let expire = Some("AuthFailure.SignatureExpire");
        assert_eq!(e(expire, Some(date), 1_551_113_065, false), Some(3600));
        assert_eq!(e(expire, Some(date), 1_551_113_065, true), None); // once per call
        assert_eq!(e(expire, Some(date), 1_551_116_660, false), None); // signed with the right time
        assert_eq!(e(expire, None, 1_551_113_065, false), None);
        assert_eq!(e(expire, Some("yesterday"), 1_551_113_065, false), None);
        assert_eq!(e(Some("InternalError"), Some(date), 1_551_113_065, false), None);
        assert_eq!(e(None, Some(date), 1_551_113_065, false), None);
        // Dates core's policy refuses are never adopted, however the call was signed.
        for bad in ["Fri, 31 Dec 9999 23:59:59 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", "Wed, 27 Mar 2019 16:44:25 GMT"] {
            assert_eq!(e(expire, Some(bad), 1_551_113_065, false), None, "{bad}");
            assert_eq!(e(expire, Some(bad), 0, false), None, "{bad}");
        }
    }

    #[test]
    fn corrected_system_times() {
        let skew = ClockSkew::default();
        let t = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(skew.correct(t), t);
        skew.set(-600);
        assert_eq!(skew.correct(t), t - Duration::from_secs(600));
        skew.set(3600);
        assert_eq!(skew.correct(t), t + Duration::from_secs(3600));
        skew.set(i64::MAX);
        assert_eq!(skew.correct(t), t, "no overflow");
        skew.set(i64::MIN);
        let _ = skew.correct(t); // no panic
    }
}
