//! Retries: which failures may be retried, and how long to wait.

use std::time::Duration;

use tencentcloud_core::policy::Backoff;

use crate::error::Error;

/// When and how often a failed call is tried again. Off by default; every attempt is
/// signed afresh.
///
/// What is retried:
/// - `RequestLimitExceeded*` API errors, and failures before the request left the
///   client (connect errors): always;
/// - other network failures (timeouts, resets, dropped connections, HTTP 5xx): only for
///   read-only actions (`Describe*`, `Get*`, `List*`, `Query*`, `Inquiry*`), calls whose
///   parameters carry a `ClientToken`, or calls marked idempotent in
///   [`crate::CallOptions::idempotent`], so a write is never silently duplicated.
///
/// ```
/// use std::time::Duration;
/// use tencentcloud_transport_std::RetryPolicy;
///
/// let policy = RetryPolicy::standard(3).base_delay(Duration::from_millis(50)).max_delay(Duration::from_secs(2));
/// assert_eq!(policy.max_attempts(), 3);
/// let d = policy.backoff(2); // before the third attempt
/// assert!(d >= Duration::from_millis(50) && d <= Duration::from_millis(100));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::none()
    }
}

impl RetryPolicy {
    /// No retries (one attempt).
    pub const fn none() -> Self {
        Self {
            max_attempts: 1,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            jitter: true,
        }
    }

    /// Up to `max_attempts` attempts in all, with exponential backoff from 200 ms up to
    /// 5 s and jitter.
    pub const fn standard(max_attempts: u32) -> Self {
        let max_attempts = if max_attempts == 0 { 1 } else { max_attempts };
        Self { max_attempts, ..Self::none() }
    }

    /// The delay before the first retry (doubled for each further one).
    pub const fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest delay between attempts.
    pub const fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Whether the delay is randomized within its upper half (on by default), so many
    /// clients do not retry in step.
    pub const fn jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// Attempts in all, at least 1.
    pub const fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The delay before retry number `retry` (1 = the second attempt):
    /// `min(max_delay, base_delay * 2^(retry - 1))`, with jitter somewhere in
    /// `[half of it, all of it]`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let nanos = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        let backoff = Backoff { base: nanos(self.base_delay), max: nanos(self.max_delay) };
        Duration::from_nanos(match self.jitter {
            true => backoff.delay(retry, fastrand::u32(..)),
            false => backoff.cap(retry),
        })
    }

    /// The delay before the next attempt, or `None` to give up. `attempts` is how many
    /// attempts were made so far.
    pub(crate) fn next_delay(&self, err: &Error, idempotent: bool, attempts: u32) -> Option<Duration> {
        (attempts < self.max_attempts && should_retry(err, idempotent)).then(|| self.backoff(attempts))
    }
}

pub use tencentcloud_core::policy::is_read_only_action;

/// Whether `err` may be retried, given whether the call is safe to repeat (core's
/// policy).
pub(crate) fn should_retry(err: &Error, idempotent: bool) -> bool {
    err.class().may_retry(idempotent)
}

/// Whether JSON parameters carry a non-empty `ClientToken`.
pub(crate) fn has_client_token(params: &serde_json::Value) -> bool {
    params.get("ClientToken").is_some_and(|v| match v {
        serde_json::Value::String(s) => !s.is_empty(),
        serde_json::Value::Null => false,
        _ => true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::CredentialErrorKind;

    fn reset() -> Error {
        Error::network(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset"))
    }

    #[test]
    fn classification() {
        let refused = Error::connect(std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused"));
        let rate = Error::api("RequestLimitExceeded.UinLimitExceeded", "slow down", "r");
        let cases: &[(Error, bool, bool)] = &[
            // (error, retried for a read, retried for a write)
            (rate.clone(), true, true),
            (refused, true, true),
            (reset(), true, false),
            (Error::timeout(Duration::from_secs(1)), true, false),
            (Error::http_status(503, None), true, false),
            (Error::http_status(429, None), true, false),
            (Error::http_status(404, None), false, false),
            (Error::api("InternalError", "boom", "r"), false, false),
            (Error::api("AuthFailure.SignatureFailure", "bad", "r"), false, false),
            (Error::api("ResourceNotFound", "x", "r"), false, false),
            (Error::decode("bad json"), false, false),
            (Error::configuration("bad"), false, false),
            (Error::credential(CredentialErrorKind::NotConfigured, "none"), false, false),
        ];
        for (err, read, write) in cases {
            assert_eq!(should_retry(err, true), *read, "{err:?} read");
            assert_eq!(should_retry(err, false), *write, "{err:?} write");
        }
    }

    #[test]
    fn attempts_are_bounded() {
        let p = RetryPolicy::standard(3).jitter(false);
        assert_eq!(p.next_delay(&reset(), true, 1), Some(Duration::from_millis(200)));
        assert_eq!(p.next_delay(&reset(), true, 2), Some(Duration::from_millis(400)));
        assert_eq!(p.next_delay(&reset(), true, 3), None);
        assert_eq!(p.next_delay(&reset(), false, 1), None);
        assert_eq!(RetryPolicy::default().next_delay(&reset(), true, 1), None);
        assert_eq!(RetryPolicy::standard(0).max_attempts(), 1);
    }

    #[test]
    fn backoff_bounds() {
        let p = RetryPolicy::standard(10).base_delay(Duration::from_millis(100)).max_delay(Duration::from_secs(1));
        for retry in 1..=40 {
            let cap =
                Duration::from_millis(100u64.saturating_mul(1 << (retry - 1).min(20))).min(Duration::from_secs(1));
            for _ in 0..200 {
                let d = p.backoff(retry);
                assert!(d >= cap / 2 && d <= cap, "retry {retry}: {d:?} not in [{:?}, {cap:?}]", cap / 2);
            }
        }
        let fixed = p.clone().jitter(false);
        assert_eq!(fixed.backoff(1), Duration::from_millis(100));
        assert_eq!(fixed.backoff(4), Duration::from_millis(800));
        assert_eq!(fixed.backoff(5), Duration::from_secs(1));
        assert_eq!(fixed.backoff(u32::MAX), Duration::from_secs(1));
        assert_eq!(RetryPolicy::standard(2).base_delay(Duration::ZERO).backoff(3), Duration::ZERO);
        // Jitter actually varies.
        let samples: std::collections::HashSet<Duration> = (0..50).map(|_| p.backoff(3)).collect();
        assert!(samples.len() > 1);
    }

    #[test]
    fn read_only_and_client_token() {
        for a in ["DescribeZones", "GetUser", "ListBuckets", "QueryTask", "InquiryPriceRunInstances", "Describe"] {
            assert!(is_read_only_action(a), "{a}");
        }
        for a in ["RunInstances", "CreateVpc", "Getaway", "describeZones", "DeleteListener", ""] {
            assert!(!is_read_only_action(a), "{a}");
        }
        assert!(has_client_token(&serde_json::json!({"ClientToken": "abc"})));
        assert!(!has_client_token(&serde_json::json!({"ClientToken": ""})));
        assert!(!has_client_token(&serde_json::json!({"ClientToken": null})));
        assert!(!has_client_token(&serde_json::json!({"Token": "abc"})));
        assert!(!has_client_token(&serde_json::json!([1])));
    }
}
