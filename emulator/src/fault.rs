//! Faults injected into the handling of requests (see `RunningEmulator::push_fault`).

use std::time::Duration;

/// A fault injected into the handling of one request (see [`crate::RunningEmulator::push_fault`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// HTTP 200 with a `RequestLimitExceeded` error envelope.
    RateLimit,
    /// HTTP 500 with a small `text/html` body (not an API envelope), as a gateway would send.
    Http500,
    /// Read the request, then close the TCP (or TLS) connection without any response.
    DropConnection,
    /// Sleep this long, then handle the request normally.
    Delay(Duration),
    /// HTTP 200 with an `InternalError` error envelope.
    InternalError,
    /// The given HTTP status with a small `text/html` body.
    HttpStatus(u16),
    /// HTTP 200 with an error envelope of this code and message.
    ApiError {
        /// Error code, e.g. `ResourceNotFound`.
        code: String,
        /// Error message.
        message: String,
    },
}
