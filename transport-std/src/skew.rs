//! Clock-skew correction: signatures carry the local time, and the API refuses them
//! when it is more than five minutes off (`AuthFailure.SignatureExpire`). The rule of
//! when to correct and re-sign is core's [`policy`]; this keeps the learned offset.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

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

/// `server Date - local`, in seconds, or `None` if the header is not an IMF-fixdate.
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
    /// `AuthFailure.SignatureExpire` and core's rule says re-signing will help.
    pub(crate) fn correction(&self, local: SystemTime) -> Option<i64> {
        let expired = policy::classify(Outcome::Api(self.code?)) == Class::SignatureExpired;
        let date = self.date?.as_bytes();
        let server = tencentcloud_core::time::parse_http_date(date).ok();
        let resign = policy::resign_after_expire(self.signed_at, server, CLOCK_TOLERANCE_SECS, self.already);
        if expired && resign { compute_offset(date, local) } else { None }
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
    use std::time::Duration;

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
    }
}
