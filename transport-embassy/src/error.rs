//! The client's errors: small and `Copy` except for the API error, which carries the
//! server's code, message and request id in bounded strings.

use core::fmt;

use tencentcloud_core::response::{ApiError, ResponseError};

/// The network wait that timed out.
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Resolving the host name.
    Dns,
    /// Opening the TCP connection.
    Connect,
    /// The TLS handshake.
    Handshake,
    /// Sending the request.
    Write,
    /// Waiting for (part of) the response.
    Read,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Dns => "DNS resolution",
            Self::Connect => "TCP connect",
            Self::Handshake => "TLS handshake",
            Self::Write => "sending the request",
            Self::Read => "reading the response",
        })
    }
}

/// Why the server's certificate was refused.
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertError {
    /// The configured trust anchor is not a parsable X.509 certificate.
    InvalidTrustAnchor,
    /// A certificate is not well-formed DER X.509.
    Malformed,
    /// The server sent no certificate.
    NoCertificate,
    /// The chain does not lead to the trust anchor (unknown CA or broken chain).
    UnknownIssuer,
    /// A certificate signature does not verify.
    BadSignature,
    /// The server's handshake signature (CertificateVerify) does not verify.
    BadHandshakeSignature,
    /// The server finished the handshake without proving it holds the certificate's key.
    MissingHandshakeSignature,
    /// A certificate has expired (checked against the clock, or the first `Date` learned).
    Expired,
    /// A certificate is not valid yet.
    NotYetValid,
    /// The validity dates could not be checked: no clock, and the response had no `Date`.
    ValidityUnknown,
    /// The leaf certificate does not name the host (subjectAltName).
    HostnameMismatch,
    /// An intermediate certificate is not a CA (basicConstraints cA missing or false).
    NotCa,
    /// An intermediate's key usage does not allow signing certificates.
    NotCertSigner,
    /// A CA's pathLenConstraint is exceeded.
    PathTooLong,
    /// The leaf certificate is a CA certificate.
    CaUsedAsLeaf,
    /// The leaf's extended key usage excludes TLS server authentication.
    NotServerAuth,
    /// A critical extension this verifier does not understand.
    UnsupportedCriticalExtension,
    /// A key or signature algorithm that is not supported (or whose feature is off).
    UnsupportedAlgorithm,
    /// More certificates than the verifier accepts.
    ChainTooLong,
}

impl fmt::Display for CertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InvalidTrustAnchor => "the trust anchor is not a valid X.509 certificate",
            Self::Malformed => "malformed certificate",
            Self::NoCertificate => "the server sent no certificate",
            Self::UnknownIssuer => "certificate not issued by the trust anchor",
            Self::BadSignature => "certificate signature does not verify",
            Self::BadHandshakeSignature => "server handshake signature does not verify",
            Self::MissingHandshakeSignature => "server skipped the handshake signature",
            Self::Expired => "certificate expired",
            Self::NotYetValid => "certificate not yet valid",
            Self::ValidityUnknown => "certificate dates unchecked: no clock and no Date header",
            Self::HostnameMismatch => "certificate does not match the host name",
            Self::NotCa => "intermediate certificate is not a CA",
            Self::NotCertSigner => "intermediate certificate may not sign certificates",
            Self::PathTooLong => "certificate path length constraint exceeded",
            Self::CaUsedAsLeaf => "server certificate is a CA certificate",
            Self::NotServerAuth => "certificate not valid for TLS server authentication",
            Self::UnsupportedCriticalExtension => "unsupported critical certificate extension",
            Self::UnsupportedAlgorithm => "unsupported certificate key or signature algorithm",
            Self::ChainTooLong => "certificate chain too long",
        })
    }
}

impl core::error::Error for CertError {}

/// A TLS failure other than the certificate check.
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsFailure {
    /// The server does not speak TLS 1.3 (it answered `protocol_version`).
    ProtocolVersion,
    /// No common cipher suite, group or signature scheme (`handshake_failure`).
    HandshakeFailure,
    /// The server sent this fatal alert.
    Alert(u8),
    /// A TLS record or handshake message did not fit the TLS buffers.
    BufferTooSmall,
    /// A malformed or unexpected message, or failed record protection.
    Protocol,
}

impl fmt::Display for TlsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ProtocolVersion => f.write_str("the server does not support TLS 1.3"),
            Self::HandshakeFailure => f.write_str("TLS handshake failure: no common parameters"),
            Self::Alert(a) => write!(f, "the server sent TLS alert {a}"),
            Self::BufferTooSmall => f.write_str("a TLS record does not fit the TLS buffers"),
            Self::Protocol => f.write_str("TLS protocol error"),
        }
    }
}

/// Everything a call can fail with.
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be signed or written (invalid request, credential, buffer).
    Request(tencentcloud_core::Error),
    /// The host name could not be resolved.
    Dns,
    /// The TCP connection could not be opened.
    Connect,
    /// A network wait took longer than its timeout.
    Timeout(Phase),
    /// The TLS handshake failed.
    Tls(TlsFailure),
    /// The server's certificate was refused.
    Certificate(CertError),
    /// The connection failed while sending or receiving.
    Io(embedded_io::ErrorKind),
    /// The connection ended before any answer. On a kept-alive connection this usually means
    /// the server timed it out, but anyone on the path can end a connection: unless the
    /// request is known not to have left (then the client itself reconnects), the server may
    /// have run it. Call again on a new connection only a call safe to repeat (read-only,
    /// or with a `ClientToken`); check the effect of any other first.
    ConnectionClosed,
    /// The caller's connection was already known to be unusable (closed by the server).
    NotReusable,
    /// The response is malformed, is an HTTP error, or does not fit the buffer
    /// ([`ResponseError::BodyTooLarge`] and [`ResponseError::HeadTooLarge`] give the size).
    Response(ResponseError),
    /// The API answered with an error envelope.
    Api(ApiError),
    /// The caller's sink refused a piece of a streamed body ([`crate::Client::call_into`]).
    Sink(embedded_io::ErrorKind),
    /// A typed request could not be written or its answer read (feature `alloc`).
    #[cfg(feature = "alloc")]
    Model(crate::typed::ModelError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Request(e) => write!(f, "request: {e}"),
            Self::Dns => f.write_str("the host name could not be resolved"),
            Self::Connect => f.write_str("the TCP connection could not be opened"),
            Self::Timeout(p) => write!(f, "timed out {p}"),
            Self::Tls(e) => e.fmt(f),
            Self::Certificate(e) => write!(f, "server certificate rejected: {e}"),
            Self::Io(kind) => write!(f, "connection failed: {kind:?}"),
            Self::ConnectionClosed => f.write_str("the server closed the connection before answering"),
            Self::NotReusable => f.write_str("the connection was closed by the server; reconnect"),
            Self::Response(e) => write!(f, "response: {e}"),
            Self::Api(e) => write!(f, "API error {e}"),
            Self::Sink(kind) => write!(f, "the sink failed: {kind:?}"),
            #[cfg(feature = "alloc")]
            Self::Model(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Request(e) => Some(e),
            Self::Certificate(e) => Some(e),
            Self::Response(e) => Some(e),
            Self::Api(e) => Some(e),
            #[cfg(feature = "alloc")]
            Self::Model(e) => Some(e),
            _ => None,
        }
    }
}

impl Error {
    /// The API error code, if this is an API error (e.g. `ResourceNotFound`).
    pub fn api_code(&self) -> Option<&str> {
        match self {
            Self::Api(e) => Some(e.code.as_str()),
            _ => None,
        }
    }
}

impl From<tencentcloud_core::Error> for Error {
    fn from(e: tencentcloud_core::Error) -> Self {
        Self::Request(e)
    }
}

impl From<ResponseError> for Error {
    fn from(e: ResponseError) -> Self {
        Self::Response(e)
    }
}

impl From<CertError> for Error {
    fn from(e: CertError) -> Self {
        Self::Certificate(e)
    }
}

/// The ways reading a streamed answer (or writing it to a sink) can fail: each an [`Error`]
/// but in 16 bytes, where an `Error` is the size of its API error (656 B on a 32-bit
/// target). Those reads return it, so the futures that hold one across an await, and the
/// stack frames that pass one up, stay small; the client turns it into its `Error` at the
/// end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    Timeout(Phase),
    Io(embedded_io::ErrorKind),
    ConnectionClosed,
    Response(ResponseError),
    Sink(embedded_io::ErrorKind),
}

impl From<Fault> for Error {
    #[inline(never)]
    fn from(fault: Fault) -> Self {
        match fault {
            Fault::Timeout(phase) => Self::Timeout(phase),
            Fault::Io(kind) => Self::Io(kind),
            Fault::ConnectionClosed => Self::ConnectionClosed,
            Fault::Response(e) => Self::Response(e),
            Fault::Sink(kind) => Self::Sink(kind),
        }
    }
}

impl From<ResponseError> for Fault {
    fn from(e: ResponseError) -> Self {
        Self::Response(e)
    }
}
