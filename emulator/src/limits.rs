//! Realism switches: a per-action rate limit and added latency.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::error::ApiError;
use crate::sync::lock;

/// The real API's default limit: requests a second per action (and account).
pub const DEFAULT_RATE_LIMIT: u32 = 20;

/// Most distinct (service, action) windows kept; older ones are forgotten past this.
const MAX_WINDOWS: usize = 4096;

/// Per-action rate limit (fixed one-second windows on the emulator clock), added latency and the
/// largest request body read.
#[derive(Debug, Default)]
pub(crate) struct Realism {
    pub(crate) rate_limit: Option<u32>,
    pub(crate) latency: Duration,
    pub(crate) max_body: usize,
    windows: Mutex<HashMap<(String, String), (i64, u32)>>,
}

impl Realism {
    pub(crate) fn new(rate_limit: Option<u32>, latency: Duration, max_body: usize) -> Self {
        Realism { rate_limit, latency, max_body, windows: Mutex::default() }
    }

    /// Counts a request of `service`/`action` at `now_ms`: `RequestLimitExceeded` past the limit.
    pub(crate) fn admit(&self, service: &str, action: &str, now_ms: i64) -> Result<(), ApiError> {
        let Some(limit) = self.rate_limit else { return Ok(()) };
        let second = now_ms.div_euclid(1000);
        let mut windows = lock(&self.windows);
        if windows.len() >= MAX_WINDOWS {
            windows.retain(|_, (s, _)| *s == second);
        }
        let (start, count) = windows.entry((service.to_owned(), action.to_owned())).or_insert((second, 0));
        if *start != second {
            (*start, *count) = (second, 0);
        }
        *count += 1;
        if *count > limit {
            return Err(ApiError::new(
                "RequestLimitExceeded",
                format!(
                    "Your current request times equals to `{count}` in a second, which exceeds the frequency limit `{limit}` for a second. Please reduce the frequency of calls."
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_per_action_per_second() {
        let r = Realism::new(Some(2), Duration::ZERO, 1);
        assert!(r.admit("cvm", "A", 1_000).is_ok());
        assert!(r.admit("cvm", "A", 1_500).is_ok());
        assert_eq!(r.admit("cvm", "A", 1_999).unwrap_err().code, "RequestLimitExceeded");
        assert!(r.admit("cvm", "B", 1_999).is_ok());
        assert!(r.admit("cvm", "A", 2_000).is_ok());
        assert!(Realism::default().admit("cvm", "A", 0).is_ok());
    }
}
