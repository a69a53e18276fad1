//! When a call is tried again, and how long to wait: the one retry and clock policy
//! every transport follows.
//!
//! Pure functions of their inputs: the time, the attempt number and the random bits
//! are arguments, so the policy runs (and is tested) without a clock or a heap.
//!
//! ```
//! use tencentcloud_core::policy::{Backoff, Class, Outcome, classify, code};
//!
//! assert_eq!(classify(Outcome::Api(code::REQUEST_LIMIT_EXCEEDED)), Class::RateLimited);
//! assert_eq!(classify(Outcome::Api("RequestLimitExceededX")), Class::Final);
//! assert!(classify(Outcome::HttpStatus(503)).may_retry(true));
//! assert!(!classify(Outcome::HttpStatus(503)).may_retry(false)); // a write is not repeated
//!
//! let backoff = Backoff { base: 200, max: 5_000 }; // milliseconds here; any unit works
//! assert_eq!(backoff.cap(3), 800);
//! assert!((400..=800).contains(&backoff.delay(3, 0xdead_beef)));
//! ```

use crate::time::parse_http_date;

/// The API error codes the policy knows.
pub mod code {
    /// The signature's timestamp is more than five minutes from the server's clock.
    pub const SIGNATURE_EXPIRE: &str = "AuthFailure.SignatureExpire";
    /// Too many requests (the family's base code).
    pub const REQUEST_LIMIT_EXCEEDED: &str = "RequestLimitExceeded";
    /// Too many requests from one account.
    pub const REQUEST_LIMIT_EXCEEDED_UIN: &str = "RequestLimitExceeded.UinLimitExceeded";
    /// Too many requests from one IP address.
    pub const REQUEST_LIMIT_EXCEEDED_IP: &str = "RequestLimitExceeded.IPLimitExceeded";
    /// Too many requests from one account across regions.
    pub const REQUEST_LIMIT_EXCEEDED_GLOBAL_REGION_UIN: &str = "RequestLimitExceeded.GlobalRegionUinLimitExceeded";
    /// The service failed internally while running the call.
    pub const INTERNAL_ERROR: &str = "InternalError";
    /// The session token is expired or does not match its temporary SecretId.
    pub const TOKEN_FAILURE: &str = "AuthFailure.TokenFailure";
    /// The SecretId is unknown (as an expired temporary SecretId is).
    pub const SECRET_ID_NOT_FOUND: &str = "AuthFailure.SecretIdNotFound";

    /// Whether `code` is `RequestLimitExceeded` or one of its sub-codes
    /// (`RequestLimitExceeded.<Reason>`). A code that merely starts with the same letters,
    /// such as `RequestLimitExceededX`, is not.
    ///
    /// ```
    /// use tencentcloud_core::policy::code::is_rate_limit;
    ///
    /// assert!(is_rate_limit("RequestLimitExceeded.UinLimitExceeded"));
    /// assert!(!is_rate_limit("RequestLimitExceededX"));
    /// ```
    pub fn is_rate_limit(code: &str) -> bool {
        let (code, base) = (code.as_bytes(), REQUEST_LIMIT_EXCEEDED.as_bytes());
        code.starts_with(base)
            && match code.get(base.len()) {
                None => true,
                Some(&b'.') => code.len() > base.len() + 1,
                Some(_) => false,
            }
    }
}

/// How an attempt ended, as far as retrying cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Outcome<'a> {
    /// The API answered with an error envelope carrying this code.
    Api(&'a str),
    /// The server answered with this HTTP status and no API error.
    HttpStatus(u16),
    /// The request never left the client (name resolution, connect, TLS handshake).
    NotSent,
    /// The connection failed or timed out after the request was (partly) sent.
    Interrupted,
    /// Anything else: an unreadable response, an invalid request, a credential error.
    Other,
}

/// What an outcome means for the next attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Class {
    /// The `RequestLimitExceeded` family: the API refused the call before running it.
    /// Back off ([`Backoff`]) and retry; safe for any call.
    RateLimited,
    /// `AuthFailure.SignatureExpire`: the local clock is off. Re-sign with the server's
    /// time and send once more ([`resign_after_expire`]); safe for any call.
    SignatureExpired,
    /// HTTP 5xx or 429: the server may have acted. Retry only a call safe to repeat.
    ServerError,
    /// The request never left the client: safe to retry any call.
    NotSent,
    /// The connection broke after sending: the server may have acted. Retry only a call
    /// safe to repeat.
    Interrupted,
    /// Never retried: every other API error (`InternalError` included: the service ran the
    /// call, and running a write twice could do it twice), other HTTP statuses, and errors
    /// a new attempt cannot fix.
    Final,
}

/// Classifies how an attempt ended.
pub fn classify(outcome: Outcome<'_>) -> Class {
    match outcome {
        Outcome::Api(c) if c == code::SIGNATURE_EXPIRE => Class::SignatureExpired,
        Outcome::Api(c) if code::is_rate_limit(c) => Class::RateLimited,
        Outcome::HttpStatus(s) if s >= 500 || s == 429 => Class::ServerError,
        Outcome::NotSent => Class::NotSent,
        Outcome::Interrupted => Class::Interrupted,
        _ => Class::Final,
    }
}

impl Class {
    /// Whether another attempt (after a [`Backoff`] delay) may be made, given whether the
    /// call is safe to repeat (read-only, or carrying a client token). A
    /// [`Class::SignatureExpired`] is not retried this way but re-signed once, by
    /// [`resign_after_expire`].
    pub const fn may_retry(self, idempotent: bool) -> bool {
        match self {
            Self::RateLimited | Self::NotSent => true,
            Self::ServerError | Self::Interrupted => idempotent,
            Self::SignatureExpired | Self::Final => false,
        }
    }
}

/// Whether the action only reads, so a call of it is safe to repeat: its name starts with
/// `Describe`, `Get`, `List`, `Query` or `Inquiry` followed by a new word (or nothing).
/// A call is also safe to repeat when it carries a non-empty `ClientToken`, which the
/// transports check on the parameters.
///
/// ```
/// use tencentcloud_core::policy::is_read_only_action;
/// assert!(is_read_only_action("DescribeInstances"));
/// assert!(is_read_only_action("InquiryPriceRunInstances"));
/// assert!(!is_read_only_action("RunInstances"));
/// assert!(!is_read_only_action("Describer")); // prefix must end at a word boundary
/// ```
pub fn is_read_only_action(action: &str) -> bool {
    ["Describe", "Get", "List", "Query", "Inquiry"]
        .iter()
        .any(|p| action.strip_prefix(p).is_some_and(|rest| rest.as_bytes().first().is_none_or(u8::is_ascii_uppercase)))
}

/// The refused-credential rule: after `AuthFailure.TokenFailure` or
/// `AuthFailure.SecretIdNotFound` on a temporary credential (one that expires), take a fresh
/// credential and send once more, if this call has not done so yet (`already`). The API
/// refused the request before running it, so this is safe for any call; a permanent key
/// is never retried (a fresh copy would be the same key).
///
/// ```
/// use tencentcloud_core::policy::{code, refresh_credential};
///
/// assert!(refresh_credential(code::TOKEN_FAILURE, true, false));
/// assert!(!refresh_credential(code::TOKEN_FAILURE, true, true)); // once per call
/// assert!(!refresh_credential(code::SECRET_ID_NOT_FOUND, false, false)); // a permanent key
/// assert!(!refresh_credential("AuthFailure.SignatureFailure", true, false));
/// ```
pub fn refresh_credential(code: &str, temporary: bool, already: bool) -> bool {
    temporary && !already && (code == code::TOKEN_FAILURE || code == code::SECRET_ID_NOT_FOUND)
}

/// Exponential backoff with jitter, in whatever unit the caller counts (milliseconds,
/// timer ticks, nanoseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Backoff {
    /// The delay before the first retry; it doubles for each further one.
    pub base: u64,
    /// The longest delay.
    pub max: u64,
}

impl Backoff {
    /// The delay before retry number `retry` (1 = the second attempt) without jitter:
    /// `min(max, base * 2^(retry - 1))`.
    pub const fn cap(&self, retry: u32) -> u64 {
        let exp = retry.saturating_sub(1);
        // 2^exp saturates at u64::MAX past 2^63, and so does base * 2^exp.
        let factor = if exp < 64 { 1u64 << exp } else { u64::MAX };
        let grown = self.base.saturating_mul(factor);
        if grown < self.max { grown } else { self.max }
    }

    /// The delay before retry number `retry`, spread by `random` (any 32 random bits)
    /// over the upper half of [`Backoff::cap`], `[cap / 2, cap]`, so clients that failed
    /// together do not retry together.
    pub const fn delay(&self, retry: u32, random: u32) -> u64 {
        let cap = self.cap(retry);
        let half = cap / 2;
        half + scale(cap - half, random)
    }
}

/// `span * random / 2^32` without a division (and without 64-bit division on 32-bit
/// targets).
const fn scale(span: u64, random: u32) -> u64 {
    let r = random as u64;
    (span >> 32) * r + (((span & 0xffff_ffff) * r) >> 32)
}

/// The earliest time a server's `Date` is believed: 2018-01-01T00:00:00Z, before any
/// API 3.0 (TC3) server answered. A `Date` before it (a server whose clock reset to 1970,
/// a forged header) is ignored: signing with it would only be refused.
pub const EARLIEST_DATE: u64 = 1_514_764_800;

/// The latest time a server's `Date` is believed: 2100-01-01T00:00:00Z. Beyond it lie only
/// broken or hostile answers (`Fri, 31 Dec 9999 23:59:59 GMT` would leave the signer one
/// second from its last date, so every later call would fail before it is sent).
pub const LATEST_DATE: u64 = 4_102_444_800;

/// How far a server's `Date` may move a clock that already has the time: 24 hours.
///
/// The API accepts 5 minutes of skew, so a client only ever needs to move by minutes,
/// or by whole hours when the device clock was set in local time instead of UTC (time
/// zones run from UTC-12 to UTC+14). A day covers every such mistake; a `Date` further
/// off is ignored, so a bad answer can never make later requests go out signed days or
/// years away (replayable then), and a later, right `Date` always moves the clock back.
pub const MAX_CLOCK_STEP: u64 = 86_400;

/// Whether a server time is believable at all ([`EARLIEST_DATE`]..=[`LATEST_DATE`]).
pub const fn plausible(unix: u64) -> bool {
    unix >= EARLIEST_DATE && unix <= LATEST_DATE
}

/// The server time a client may adopt from a `Date` (`server_unix`), given the time its own
/// clock shows (`local_unix`, `None` when it has none): the server's time if it is
/// [`plausible`] and, when the local clock has a plausible time of its own, at most
/// [`MAX_CLOCK_STEP`] from it; else `None` (ignore the `Date`). A device clock showing an
/// implausible time (a reset RTC in 2000) counts as no clock.
///
/// Measure `local_unix` on the clock the client did not learn (the system clock, the
/// RTC), not on a time corrected from an earlier `Date`: so no series of answers can walk
/// the clock further than one step, and a right `Date` always moves it back.
///
/// ```
/// use tencentcloud_core::policy::adopt_date;
///
/// let local = 1_767_225_600; // 2026-01-01
/// assert_eq!(adopt_date(local + 3_600, Some(local)), Some(local + 3_600)); // an hour off
/// assert_eq!(adopt_date(local + 30 * 86_400, Some(local)), None); // 30 days: ignored
/// assert_eq!(adopt_date(local + 30 * 86_400, None), Some(local + 30 * 86_400)); // no clock
/// assert_eq!(adopt_date(253_402_300_799, None), None); // 9999-12-31: absurd
/// assert_eq!(adopt_date(0, None), None); // 1970: absurd
/// ```
pub const fn adopt_date(server_unix: u64, local_unix: Option<u64>) -> Option<u64> {
    if !plausible(server_unix) {
        return None;
    }
    match local_unix {
        Some(local) if plausible(local) && server_unix.abs_diff(local) > MAX_CLOCK_STEP => None,
        _ => Some(server_unix),
    }
}

/// `server - local` in seconds, from the server's `Date` header value, or `None` if the
/// value is not an IMF-fixdate or [`adopt_date`] refuses it (absurd, or more than
/// [`MAX_CLOCK_STEP`] from a plausible local clock). The offset is always relative to
/// the local clock, so a later answer replaces it rather than adding to it.
///
/// ```
/// use tencentcloud_core::policy::clock_offset;
///
/// assert_eq!(clock_offset(b"Mon, 25 Feb 2030 17:44:25 GMT", 1_898_268_265), Some(3600));
/// assert_eq!(clock_offset(b"Fri, 31 Dec 9999 23:59:59 GMT", 1_898_268_265), None);
/// assert_eq!(clock_offset(b"yesterday", 1_898_268_265), None);
/// ```
pub fn clock_offset(date: &[u8], local_unix: u64) -> Option<i64> {
    let server = adopt_date(parse_http_date(date).ok()?, Some(local_unix))?;
    // A local clock off by more than the bound was not plausible: the offset may be
    // large, but the corrected time stays within the plausible range.
    Some(server as i64 - local_unix.min(i64::MAX as u64) as i64)
}

/// `local + offset`, clamped to the unix epoch and to [`crate::time::MAX_TIMESTAMP`]
/// (the last second the signer can date): the time to sign with.
pub const fn corrected(local_unix: u64, offset: i64) -> u64 {
    let t = (local_unix as i128) + (offset as i128);
    if t < 0 {
        0
    } else if t > crate::time::MAX_TIMESTAMP as i128 {
        crate::time::MAX_TIMESTAMP
    } else {
        t as u64
    }
}

/// The clock-skew rule: after `AuthFailure.SignatureExpire`, re-sign with the server's time
/// and send once more, if this call has not done so yet (`already`) and the server's
/// `Date` (`server_unix`, when it sent one) is more than `tolerance` seconds from the
/// time the request was signed with (`signed_at`), so the new signature will differ.
///
/// ```
/// use tencentcloud_core::policy::resign_after_expire;
///
/// assert!(resign_after_expire(1_000, Some(4_600), 60, false)); // an hour behind
/// assert!(!resign_after_expire(1_000, Some(4_600), 60, true)); // once per call
/// assert!(!resign_after_expire(1_000, Some(1_030), 60, false)); // the clock was right
/// assert!(!resign_after_expire(1_000, None, 60, false)); // nothing to correct with
/// ```
pub const fn resign_after_expire(signed_at: u64, server_unix: Option<u64>, tolerance: u64, already: bool) -> bool {
    match server_unix {
        Some(server) if !already => server.abs_diff(signed_at) > tolerance,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code and how it classifies.
    const CODES: &[(&str, Class)] = &[
        (code::SIGNATURE_EXPIRE, Class::SignatureExpired),
        (code::REQUEST_LIMIT_EXCEEDED, Class::RateLimited),
        (code::REQUEST_LIMIT_EXCEEDED_UIN, Class::RateLimited),
        (code::REQUEST_LIMIT_EXCEEDED_IP, Class::RateLimited),
        (code::REQUEST_LIMIT_EXCEEDED_GLOBAL_REGION_UIN, Class::RateLimited),
        (code::INTERNAL_ERROR, Class::Final),
        ("RequestLimitExceededX", Class::Final),
        ("RequestLimitExceeded.", Class::Final),
        ("RequestLimitExceeded_UinLimitExceeded", Class::Final),
        ("requestlimitexceeded", Class::Final),
        ("XRequestLimitExceeded", Class::Final),
        ("AuthFailure.SignatureExpired", Class::Final),
        ("AuthFailure.SignatureFailure", Class::Final),
        ("AuthFailure.SecretIdNotFound", Class::Final),
        ("InternalError.DbError", Class::Final),
        ("ResourceNotFound", Class::Final),
        ("", Class::Final),
    ];

    #[test]
    fn every_code() {
        for &(c, want) in CODES {
            assert_eq!(classify(Outcome::Api(c)), want, "{c:?}");
            assert_eq!(code::is_rate_limit(c), want == Class::RateLimited, "{c:?}");
        }
    }

    #[test]
    fn other_outcomes() {
        let cases = [
            (Outcome::HttpStatus(500), Class::ServerError),
            (Outcome::HttpStatus(503), Class::ServerError),
            (Outcome::HttpStatus(599), Class::ServerError),
            (Outcome::HttpStatus(429), Class::ServerError),
            (Outcome::HttpStatus(404), Class::Final),
            (Outcome::HttpStatus(200), Class::Final),
            (Outcome::NotSent, Class::NotSent),
            (Outcome::Interrupted, Class::Interrupted),
            (Outcome::Other, Class::Final),
        ];
        for (outcome, want) in cases {
            assert_eq!(classify(outcome), want, "{outcome:?}");
        }
    }

    #[test]
    fn retry_by_class() {
        // (class, retried for a call safe to repeat, retried for a write)
        let table = [
            (Class::RateLimited, true, true),
            (Class::NotSent, true, true),
            (Class::ServerError, true, false),
            (Class::Interrupted, true, false),
            (Class::SignatureExpired, false, false),
            (Class::Final, false, false),
        ];
        for (class, read, write) in table {
            assert_eq!(class.may_retry(true), read, "{class:?}");
            assert_eq!(class.may_retry(false), write, "{class:?}");
        }
    }

    #[test]
    fn backoff_caps() {
        let b = Backoff { base: 100, max: 1_000 };
        let caps: [u64; 6] = core::array::from_fn(|i| b.cap(i as u32));
        assert_eq!(caps, [100, 100, 200, 400, 800, 1_000]);
        assert_eq!(b.cap(u32::MAX), 1_000);
        assert_eq!(Backoff { base: u64::MAX / 3, max: u64::MAX }.cap(40), u64::MAX);
        assert_eq!(Backoff { base: 0, max: 1_000 }.delay(3, u32::MAX), 0);
        assert_eq!(Backoff { base: 0, max: 1_000 }.cap(u32::MAX), 0);
        // It keeps doubling past 2^31 * base (small bases in fine units: nanoseconds).
        let ns = Backoff { base: 1, max: u64::MAX };
        assert_eq!(ns.cap(33), 1 << 32);
        assert_eq!(ns.cap(64), 1 << 63);
        assert_eq!(ns.cap(65), u64::MAX);
        assert_eq!(Backoff { base: 3, max: 1 << 40 }.cap(40), 1 << 40);
        assert_eq!(Backoff { base: 3, max: u64::MAX }.cap(36), 3 << 35);
    }

    #[test]
    fn adopting_a_date() {
        let local = 1_767_225_600; // 2026-01-01
        // (server time, local clock, adopted)
        let table = [
            (local + 299, Some(local), Some(local + 299)),
            (local - MAX_CLOCK_STEP, Some(local), Some(local - MAX_CLOCK_STEP)),
            (local + MAX_CLOCK_STEP, Some(local), Some(local + MAX_CLOCK_STEP)),
            (local + MAX_CLOCK_STEP + 1, Some(local), None),
            (local - 30 * 86_400, Some(local), None),
            (local + 30 * 86_400, Some(local), None),
            (local + 30 * 86_400, None, Some(local + 30 * 86_400)),
            (local, Some(0), Some(local)),           // a reset clock is no clock
            (local, Some(946_684_800), Some(local)), // an RTC back in 2000
            (local, Some(crate::time::MAX_TIMESTAMP), Some(local)), // nor one in 9999
            (crate::time::MAX_TIMESTAMP, None, None),
            (crate::time::MAX_TIMESTAMP, Some(crate::time::MAX_TIMESTAMP), None),
            (LATEST_DATE + 1, None, None),
            (LATEST_DATE, None, Some(LATEST_DATE)),
            (EARLIEST_DATE, None, Some(EARLIEST_DATE)),
            (EARLIEST_DATE - 1, None, None),
            (0, None, None),
            (0, Some(0), None),
        ];
        for (server, local_clock, want) in table {
            assert_eq!(adopt_date(server, local_clock), want, "{server} {local_clock:?}");
        }
    }

    /// The review's case: a `Date` of 9999-12-31 (or 30 days ahead, or 1970) never becomes
    /// the offset, and the time signed with stays within a day of the local clock.
    #[test]
    fn a_hostile_date_cannot_move_the_clock() {
        let local = 1_767_225_600; // Thu, 01 Jan 2026 00:00:00 GMT
        for date in [
            &b"Fri, 31 Dec 9999 23:59:59 GMT"[..],
            b"Sat, 31 Jan 2026 00:00:00 GMT",
            b"Thu, 01 Jan 1970 00:00:00 GMT",
            b"Fri, 02 Jan 2026 00:00:01 GMT",
        ] {
            assert_eq!(clock_offset(date, local), None, "{}", core::str::from_utf8(date).unwrap());
        }
        let back = clock_offset(b"Thu, 01 Jan 2026 00:00:00 GMT", local);
        assert_eq!(back, Some(0), "a right Date moves the clock back");
        assert_eq!(clock_offset(b"Fri, 02 Jan 2026 00:00:00 GMT", local), Some(86_400));
    }

    #[test]
    fn backoff_jitter_stays_in_the_upper_half() {
        let bases = [(1u64, 10u64), (100, 1_000), (1_000_000_000, 5_000_000_000), (u64::MAX / 2, u64::MAX)];
        let randoms = [0u32, 1, 0x7fff_ffff, 0x8000_0000, 0xdead_beef, u32::MAX];
        for (base, max) in bases {
            let b = Backoff { base, max };
            for retry in 1..=40 {
                let cap = b.cap(retry);
                for r in randoms {
                    let d = b.delay(retry, r);
                    assert!(d >= cap / 2 && d <= cap, "{base} {max} retry {retry} r {r}: {d} vs cap {cap}");
                }
                assert_eq!(b.delay(retry, 0), cap / 2);
            }
        }
        // The random bits spread the delay over the half.
        let b = Backoff { base: 1_000, max: 1_000 };
        assert_eq!(b.delay(1, 0x8000_0000), 750);
        assert_eq!(b.delay(1, u32::MAX), 999);
    }

    #[test]
    fn clock_offsets() {
        let local = 1_551_113_065;
        assert_eq!(clock_offset(b"Mon, 25 Feb 2019 16:44:25 GMT", local), Some(0));
        assert_eq!(clock_offset(b"Mon, 25 Feb 2019 16:34:25 GMT", local), Some(-600));
        assert_eq!(clock_offset(b"Thu, 01 Jan 1970 00:00:00 GMT", u64::MAX), None);
        assert_eq!(clock_offset(b"", local), None);
        assert_eq!(corrected(1_000_000, -600), 999_400);
        assert_eq!(corrected(1_000_000, 3600), 1_003_600);
        assert_eq!(corrected(1_000_000, -2_000_000), 0);
        assert_eq!(corrected(u64::MAX, 1), crate::time::MAX_TIMESTAMP);
        assert_eq!(corrected(crate::time::MAX_TIMESTAMP, i64::MAX), crate::time::MAX_TIMESTAMP);
    }

    #[test]
    fn resign_rule() {
        // (signed at, server Date, tolerance, already re-signed, expected)
        let table = [
            (1_000, Some(4_600), 0, false, true),
            (4_600, Some(1_000), 0, false, true),
            (0, Some(1_700_000_000), 60, false, true), // no clock: signed at 0
            (1_000, Some(1_060), 60, false, false),
            (1_000, Some(1_061), 60, false, true),
            (1_000, Some(1_000), 0, false, false),
            (1_000, Some(4_600), 0, true, false),
            (1_000, None, 0, false, false),
        ];
        for (signed_at, server, tolerance, already, want) in table {
            assert_eq!(
                resign_after_expire(signed_at, server, tolerance, already),
                want,
                "{signed_at} {server:?} {tolerance} {already}"
            );
        }
    }
}
