//! Clock-skew correction: signatures carry the local time, and the API refuses them
//! when it is more than five minutes off (`AuthFailure.SignatureExpire`).

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

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
    let server = tencentcloud_core::time::parse_http_date(date_header).ok()?;
    Some(i64::try_from(server).ok()? - unix_secs(local))
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
        u64::try_from(unix_secs(local).saturating_add(self.offset())).unwrap_or(0)
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
}
