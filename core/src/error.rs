//! The crate's error types: small, `Copy`, and free of secrets.

use core::fmt;

use crate::credential::InvalidCredential;
use crate::response::ResponseError;

/// The caller's buffer is too small; `needed` is the exact total size required.
///
/// ```
/// let e = tencentcloud_core::BufferTooSmall { needed: 512 };
/// assert_eq!(e.to_string(), "buffer too small: 512 bytes needed");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BufferTooSmall {
    /// The total number of bytes the operation needs.
    pub needed: usize,
}

impl fmt::Display for BufferTooSmall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "buffer too small: {} bytes needed", self.needed)
    }
}

impl core::error::Error for BufferTooSmall {}

/// What is wrong with a request description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RequestError {
    /// Service, version or action is empty or holds characters not allowed in a header.
    InvalidName(&'static str),
    /// A header name or value holds CR, LF or another control character.
    InvalidHeader,
    /// The request-client tag is not `^[0-9a-zA-Z-_,;.]+$` of at most 128 characters.
    InvalidRequestClient,
    /// More extra headers than [`crate::request::MAX_EXTRA_HEADERS`].
    TooManyHeaders {
        /// The supported maximum.
        max: usize,
    },
    /// An extra header repeats another one, or one the request sets itself.
    DuplicateHeader,
    /// More extra signed headers than the signer supports.
    TooManySignedHeaders {
        /// The supported maximum.
        max: usize,
    },
    /// A signed header was asked for but the request does not carry it.
    MissingSignedHeader,
    /// The timestamp is past 9999-12-31T23:59:59Z.
    TimestampOutOfRange,
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidName(what) => write!(f, "invalid {what}"),
            Self::InvalidHeader => f.write_str("header name or value contains a control character"),
            Self::InvalidRequestClient => {
                f.write_str("request client must match ^[0-9a-zA-Z-_,;.]+$ and be at most 128 characters")
            }
            Self::TooManyHeaders { max } => write!(f, "at most {max} extra headers"),
            Self::DuplicateHeader => f.write_str("an extra header repeats another header"),
            Self::TooManySignedHeaders { max } => write!(f, "at most {max} extra signed headers"),
            Self::MissingSignedHeader => f.write_str("a header asked to be signed is not in the request"),
            Self::TimestampOutOfRange => f.write_str("timestamp is after 9999-12-31T23:59:59Z"),
        }
    }
}

impl core::error::Error for RequestError {}

/// Any error of this crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error {
    /// The credential is empty or surrounded by whitespace.
    Credential(InvalidCredential),
    /// The request description is invalid.
    Request(RequestError),
    /// A caller buffer is too small.
    BufferTooSmall(BufferTooSmall),
    /// The response could not be parsed, or is an error.
    Response(ResponseError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Credential(e) => e.fmt(f),
            Self::Request(e) => e.fmt(f),
            Self::BufferTooSmall(e) => e.fmt(f),
            Self::Response(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Credential(e) => Some(e),
            Self::Request(e) => Some(e),
            Self::BufferTooSmall(e) => Some(e),
            Self::Response(e) => Some(e),
        }
    }
}

impl From<InvalidCredential> for Error {
    fn from(e: InvalidCredential) -> Self {
        Self::Credential(e)
    }
}

impl From<RequestError> for Error {
    fn from(e: RequestError) -> Self {
        Self::Request(e)
    }
}

impl From<BufferTooSmall> for Error {
    fn from(e: BufferTooSmall) -> Self {
        Self::BufferTooSmall(e)
    }
}

impl From<ResponseError> for Error {
    fn from(e: ResponseError) -> Self {
        Self::Response(e)
    }
}
