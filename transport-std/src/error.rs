//! The one error type of the client.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tencentcloud_core::policy::{self, Class, Outcome};
use tencentcloud_core::response::{ApiError, ResponseError};

/// Why a credential could not be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CredentialErrorKind {
    /// The source holds no credential at all (e.g. the environment variables are unset).
    /// A provider chain moves on to the next provider.
    NotConfigured,
    /// A credential was found but is malformed (empty, surrounded by whitespace, ...).
    Invalid,
    /// The source is configured but fetching from it failed (file unreadable, metadata
    /// service down, STS refused, ...).
    Unavailable,
}

/// What went wrong, as a matchable value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The server could not be reached or the connection failed (connect refused, DNS,
    /// TLS, reset, dropped connection, proxy failure).
    Network,
    /// The call did not complete within its time limit.
    Timeout,
    /// The server answered with an HTTP status other than 200 and no API error.
    HttpStatus {
        /// The status code.
        status: u16,
    },
    /// The API answered with `Response.Error`.
    Api {
        /// E.g. `AuthFailure.SignatureExpire`.
        code: String,
        /// The server's message.
        message: String,
        /// The request id (empty if the server sent none).
        request_id: String,
    },
    /// The response could not be decoded (malformed JSON, unexpected shape, bad SSE).
    Decode,
    /// No usable credential.
    Credential(CredentialErrorKind),
    /// The client or the call is configured wrongly (bad endpoint, bad header, ...).
    Configuration,
    /// Following pages stopped: the server answered a page or a next token again, and
    /// following it would have looped.
    Paging,
    /// A waiter's deadline passed before its condition held; the message gives the last answer.
    WaitTimeout,
}

#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    message: String,
    request_id: Option<String>,
    /// The request is known never to have left the client (connect failure).
    not_sent: bool,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

/// Any error of the client. Small (one pointer), cloneable, and free of secrets.
///
/// ```
/// use tencentcloud_transport_std::{Error, ErrorKind};
///
/// let e = Error::api("AuthFailure.SignatureExpire", "signature expired", "6e6f5b5a");
/// assert_eq!(e.to_string(), "AuthFailure.SignatureExpire: signature expired (RequestId: 6e6f5b5a)");
/// assert_eq!(e.request_id(), Some("6e6f5b5a"));
/// assert!(matches!(e.kind(), ErrorKind::Api { .. }));
/// assert!(!e.is_retryable());
/// ```
#[derive(Clone)]
pub struct Error(Box<Inner>);

impl Error {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self(Box::new(Inner { kind, message: message.into(), request_id: None, not_sent: false, source: None }))
    }

    /// An API error (`Response.Error`).
    pub fn api(code: impl Into<String>, message: impl Into<String>, request_id: impl Into<String>) -> Self {
        let request_id = request_id.into();
        let mut e = Self::new(
            ErrorKind::Api { code: code.into(), message: message.into(), request_id: request_id.clone() },
            "",
        );
        if !request_id.is_empty() {
            e.0.request_id = Some(request_id);
        }
        e
    }

    pub(crate) fn from_api_error(api: &ApiError) -> Self {
        let ellipsis = if api.message_truncated { "..." } else { "" };
        Self::api(api.code.as_str(), format!("{}{ellipsis}", api.message), api.request_id.as_str())
    }

    /// A network failure after (or possibly after) the request was sent.
    pub fn network(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::new(ErrorKind::Network, "").with_source(source)
    }

    /// A failure before the request left the client (connect refused, DNS, TLS
    /// handshake, proxy): always safe to retry.
    pub fn connect(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        let mut e = Self::network(source);
        e.0.not_sent = true;
        e
    }

    /// A time limit was hit.
    pub fn timeout(after: Duration) -> Self {
        Self::new(ErrorKind::Timeout, format!("after {after:?}"))
    }

    /// The call's deadline passed (waiting for credentials, attempts and backoff
    /// included).
    pub fn deadline(after: Duration) -> Self {
        Self::new(ErrorKind::Timeout, format!("after {after:?}: the call's deadline passed"))
    }

    /// A non-200 HTTP status without an API error in the body.
    pub fn http_status(status: u16, request_id: Option<String>) -> Self {
        Self::new(ErrorKind::HttpStatus { status }, "").with_request_id(request_id)
    }

    /// The response could not be decoded.
    pub fn decode(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Decode, message)
    }

    /// No usable credential; `message` must not contain the secret.
    pub fn credential(kind: CredentialErrorKind, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Credential(kind), message)
    }

    /// A configuration error.
    pub fn configuration(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Configuration, message)
    }

    /// The server repeated a page or a next token (see [`ErrorKind::Paging`]).
    pub fn paging(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Paging, message)
    }

    /// A waiter's deadline passed (see [`ErrorKind::WaitTimeout`]).
    pub fn wait_timeout(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::WaitTimeout, message)
    }

    /// Attaches the request id, if any (an empty id is ignored).
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        if let Some(id) = request_id.filter(|id| !id.is_empty()) {
            self.0.request_id = Some(id);
        }
        self
    }

    /// Attaches an underlying error (shown after the message by `Display`).
    pub fn with_source(mut self, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        self.0.source = Some(Arc::from(source.into()));
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// The API error code, for API errors.
    pub fn api_code(&self) -> Option<&str> {
        match &self.0.kind {
            ErrorKind::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The server's request id, whenever the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }

    /// Whether the request is known never to have reached the server (a connect failure).
    pub fn is_connect(&self) -> bool {
        self.0.not_sent
    }

    /// Whether the error is transient, i.e. the same call may succeed later: network
    /// failures, timeouts, HTTP 5xx/429 and `RequestLimitExceeded*`. Whether a retry is
    /// *safe* also depends on the call (see [`crate::RetryPolicy`]).
    pub fn is_retryable(&self) -> bool {
        self.class().may_retry(true)
    }

    /// How core's retry policy classifies this error.
    pub(crate) fn class(&self) -> Class {
        policy::classify(match &self.0.kind {
            ErrorKind::Api { code, .. } => Outcome::Api(code),
            ErrorKind::Network if self.0.not_sent => Outcome::NotSent,
            ErrorKind::Network | ErrorKind::Timeout => Outcome::Interrupted,
            ErrorKind::HttpStatus { status } => Outcome::HttpStatus(*status),
            _ => Outcome::Other,
        })
    }

    /// Whether this is the credential error of a source that holds no credential.
    pub fn is_not_configured(&self) -> bool {
        self.0.kind == ErrorKind::Credential(CredentialErrorKind::NotConfigured)
    }

    /// The credential error kind, for credential errors.
    pub fn credential_kind(&self) -> Option<CredentialErrorKind> {
        match self.0.kind {
            ErrorKind::Credential(k) => Some(k),
            _ => None,
        }
    }

    /// What `Display` shows after the kind's own words: the message and the causes
    /// (an API error in full). Used to explain one error inside another.
    pub(crate) fn detail(&self) -> String {
        let full = self.to_string();
        let prefix = match &self.0.kind {
            ErrorKind::Api { .. } => return full,
            ErrorKind::Credential(CredentialErrorKind::NotConfigured) => "no credential configured",
            ErrorKind::Credential(_) => "credential error",
            _ => return full,
        };
        match full.strip_prefix(prefix).map(|rest| rest.trim_start_matches(": ")) {
            Some(rest) if !rest.is_empty() => rest.to_owned(),
            _ => full,
        }
    }
}

impl From<ResponseError> for Error {
    fn from(e: ResponseError) -> Self {
        Self::decode(e.to_string())
    }
}

impl From<tencentcloud_core::Error> for Error {
    fn from(e: tencentcloud_core::Error) -> Self {
        match e {
            tencentcloud_core::Error::Credential(c) => Self::credential(CredentialErrorKind::Invalid, c.to_string()),
            tencentcloud_core::Error::Response(r) => r.into(),
            other => Self::configuration(other.to_string()),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.0;
        match &i.kind {
            ErrorKind::Api { code, message, request_id } => {
                return write!(f, "{code}: {message} (RequestId: {request_id})");
            }
            ErrorKind::Network if i.not_sent => f.write_str("connection failed")?,
            ErrorKind::Network => f.write_str("network error")?,
            ErrorKind::Timeout => f.write_str("request timed out")?,
            ErrorKind::HttpStatus { status } => write!(f, "unexpected HTTP status {status}")?,
            ErrorKind::Decode => f.write_str("could not decode the response")?,
            ErrorKind::Credential(CredentialErrorKind::NotConfigured) => f.write_str("no credential configured")?,
            ErrorKind::Credential(_) => f.write_str("credential error")?,
            ErrorKind::Configuration => f.write_str("invalid configuration")?,
            ErrorKind::Paging => f.write_str("the pages did not end")?,
            ErrorKind::WaitTimeout => f.write_str("the wait timed out")?,
        }
        if !i.message.is_empty() {
            let sep = if i.kind == ErrorKind::Timeout { " " } else { ": " };
            write!(f, "{sep}{}", i.message)?;
        }
        // The whole chain, so a plain `{}` tells the cause (connection refused, ...).
        let mut source: Option<&(dyn std::error::Error + 'static)> = i.source.as_deref().map(|s| s as _);
        while let Some(s) = source {
            write!(f, ": {s}")?;
            source = s.source();
        }
        if let Some(id) = &i.request_id {
            write!(f, " (RequestId: {id})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.0;
        let mut d = f.debug_struct("Error");
        d.field("kind", &i.kind);
        if !i.message.is_empty() {
            d.field("message", &i.message);
        }
        if let Some(id) = &i.request_id {
            d.field("request_id", id);
        }
        if i.not_sent {
            d.field("not_sent", &true);
        }
        if let Some(s) = &i.source {
            d.field("source", &s.to_string());
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source.as_deref().map(|s| s as _)
    }
}

#[cfg(test)]
mod tests {
    use tencentcloud_core::policy::code::is_rate_limit;

    use super::*;

    #[test]
    fn display() {
        let e = Error::api("RequestLimitExceeded", "too fast", "r-1");
        assert_eq!(e.to_string(), "RequestLimitExceeded: too fast (RequestId: r-1)");
        assert!(e.is_retryable());
        assert_eq!(e.api_code(), Some("RequestLimitExceeded"));

        let e = Error::http_status(502, Some("r-2".into()));
        assert_eq!(e.to_string(), "unexpected HTTP status 502 (RequestId: r-2)");
        assert!(e.is_retryable());
        assert!(!Error::http_status(404, None).is_retryable());

        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        let e = Error::connect(io);
        assert_eq!(e.to_string(), "connection failed: connection refused");
        assert!(e.is_connect() && e.is_retryable());

        assert_eq!(Error::timeout(Duration::from_secs(2)).to_string(), "request timed out after 2s");
        let e = Error::deadline(Duration::from_secs(300));
        assert_eq!(e.to_string(), "request timed out after 300s: the call's deadline passed");
        assert_eq!(e.kind(), &ErrorKind::Timeout);
        let e = Error::credential(CredentialErrorKind::NotConfigured, "TENCENTCLOUD_SECRET_ID is not set");
        assert_eq!(e.to_string(), "no credential configured: TENCENTCLOUD_SECRET_ID is not set");
        assert!(e.is_not_configured());
        assert_eq!(e.detail(), "TENCENTCLOUD_SECRET_ID is not set");
        assert_eq!(e.credential_kind(), Some(CredentialErrorKind::NotConfigured));
        assert_eq!(Error::timeout(Duration::from_secs(2)).detail(), "request timed out after 2s");
        assert_eq!(Error::configuration("bad endpoint").to_string(), "invalid configuration: bad endpoint");
    }

    #[test]
    fn rate_limit_codes() {
        assert!(is_rate_limit("RequestLimitExceeded"));
        assert!(is_rate_limit("RequestLimitExceeded.UinLimitExceeded"));
        assert!(!is_rate_limit("RequestLimitExceededX"));
        assert!(!is_rate_limit("LimitExceeded"));
    }

    #[test]
    fn core_errors_map() {
        let c = tencentcloud_core::Credential::new("", "k").unwrap_err();
        let e: Error = tencentcloud_core::Error::from(c).into();
        assert_eq!(e.kind(), &ErrorKind::Credential(CredentialErrorKind::Invalid));
        let e: Error = ResponseError::JsonMalformed.into();
        assert_eq!(e.kind(), &ErrorKind::Decode);
    }
}
