//! Per-call settings that override the client's.

use std::time::Duration;

/// Per-call settings that override the client's.
///
/// ```
/// use std::time::Duration;
/// use tencentcloud_transport_std::CallOptions;
///
/// let opts = CallOptions::new()
///     .header("X-TC-TraceId", "my-trace-id")
///     .region("ap-shanghai")
///     .timeout(Duration::from_secs(5))
///     .deadline(Duration::from_secs(20))
///     .idempotent(true);
/// # drop(opts);
/// ```
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) endpoint: Option<String>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) deadline: Option<Duration>,
    pub(crate) region: Option<String>,
    pub(crate) idempotent: Option<bool>,
    pub(crate) skip_sign: bool,
}

impl CallOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a header (an `X-TC-TraceId` UUID is generated when none is given).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends this call to another endpoint (host or full URL; the region breaker and the
    /// API gateway do not apply to it).
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Another time limit per attempt.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Another time limit for the whole call: waiting for credentials, every attempt and
    /// the pauses between them ([`crate::ClientProfile::deadline`]).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Another region; an empty string sends none.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Declares whether the call is safe to repeat after a failure that may have
    /// reached the server (by default: read-only actions and calls with a `ClientToken`).
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = Some(idempotent);
        self
    }

    /// Sends `Authorization: SKIP` and no credential (e.g. `AssumeRoleWithWebIdentity`).
    pub fn skip_sign(mut self, skip: bool) -> Self {
        self.skip_sign = skip;
        self
    }
}
