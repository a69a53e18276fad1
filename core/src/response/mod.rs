//! Bounded, incremental parsing of Tencent Cloud API responses.
//!
//! Every parser here works on caller-provided buffers, never allocates (outside
//! the `alloc`-gated helpers), never panics, and bounds everything it keeps:
//!
//! - [`head`]: the HTTP/1.x status line and header fields, httparse style.
//! - [`chunked`]: the `chunked` transfer coding, fed in arbitrary pieces, and
//!   [`BodyReader`], which collects a whole body for any [`Framing`].
//! - [`sse`]: a WHATWG Server-Sent Events parser for streaming APIs.
//! - [`envelope`]: the `{"Response": {...}}` JSON envelope and [`ApiError`].
//!
//! ```
//! use tencentcloud_core::response::{
//!     BodyReader, Header, Parsed, check_response, parse_envelope, parse_head,
//! };
//!
//! let raw = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 45\r\n\r\n\
//!             {\"Response\":{\"TotalCount\":1,\"RequestId\":\"r\"}}";
//! let mut headers = [Header::EMPTY; 16];
//! let Parsed::Complete(head) = parse_head(raw, &mut headers)? else { unreachable!() };
//! check_response(&head)?;
//!
//! let mut body = [0u8; 256];
//! let mut reader = BodyReader::new(head.framing()?, &mut body)?;
//! reader.feed(&raw[head.len..])?;
//! let body = reader.finish()?;
//!
//! #[derive(serde::Deserialize)]
//! struct Count {
//!     #[serde(rename = "TotalCount")]
//!     total: u32,
//! }
//! let env = parse_envelope::<Count>(body, &mut [0u8; 64])?;
//! assert_eq!(env.request_id, "r");
//! assert_eq!(env.result.unwrap().total, 1);
//! # Ok::<(), tencentcloud_core::response::ResponseError>(())
//! ```

use core::fmt;

pub mod chunked;
mod de;
pub mod envelope;
pub mod head;
mod json;
pub mod sse;

pub use chunked::{BodyReader, ChunkedDecoder, Progress, decode_in_place};
pub use envelope::{
    ApiError, DeprecatedWarning, Envelope, check_response, envelope_error, parse_envelope, parse_envelope_in_place,
    parse_event_data, parse_result,
};
pub use head::{Framing, Header, MAX_HEAD_LEN, Parsed, ResponseHead, parse_head};
pub use sse::{Event, SseParser};

/// Everything that can go wrong while parsing a response.
///
/// Small and `Copy`; it never carries response bytes, so it can be logged freely.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ResponseError {
    /// The status line is not `HTTP/1.x SP 3DIGIT [SP reason]`.
    InvalidStatusLine,
    /// The HTTP version is neither `HTTP/1.0` nor `HTTP/1.1`.
    InvalidVersion,
    /// A header line is malformed (bad name, bad byte, missing colon).
    InvalidHeader,
    /// A header line starts with whitespace (obsolete line folding), which is rejected.
    ObsoleteLineFolding,
    /// More header fields than the caller's header slice holds.
    TooManyHeaders {
        /// Capacity of the caller's header slice.
        max: usize,
    },
    /// The head did not end within the size limit.
    HeadTooLarge {
        /// The limit in bytes.
        max: usize,
    },
    /// A `Content-Length` value is not a decimal number that fits in `u64`.
    InvalidContentLength,
    /// `Content-Length` together with `Transfer-Encoding`, or two different lengths.
    ConflictingFraming,
    /// A transfer coding other than a single `chunked`.
    UnsupportedTransferEncoding,
    /// A chunk-size line is malformed.
    InvalidChunkSize,
    /// A chunk size does not fit in `u64`.
    ChunkSizeOverflow,
    /// A chunk extension is longer than the limit.
    ChunkExtensionTooLarge {
        /// The limit in bytes.
        max: usize,
    },
    /// The trailer section is longer than the limit.
    TrailerTooLarge {
        /// The limit in bytes.
        max: usize,
    },
    /// Chunk data is not followed by CRLF, or a line in the chunked framing lacks its CRLF.
    InvalidChunkTerminator,
    /// The input ended before the message was complete.
    UnexpectedEnd,
    /// The body does not fit in the caller's buffer.
    BodyTooLarge {
        /// Bytes the buffer must hold: exact for `Content-Length`, a lower bound otherwise.
        needed: u64,
    },
    /// A Server-Sent Event does not fit in the parser's buffer; the event was discarded.
    SseEventTooLarge {
        /// Buffer size that would have held the event (including the last event id).
        needed: usize,
    },
    /// Text that must be UTF-8 is not.
    InvalidUtf8,
    /// The HTTP status is not 200.
    HttpStatus {
        /// The status code received.
        status: u16,
    },
    /// The `Content-Type` is missing or not the expected media type.
    UnexpectedContentType,
    /// The body is not well-formed JSON.
    JsonMalformed,
    /// The JSON nests deeper than the limit.
    JsonTooDeep {
        /// The nesting limit.
        max: usize,
    },
    /// A member that gives an answer its meaning (`Response`, `Error`, `RequestId`, an
    /// error's `Code` or `Message`) appears twice in one object: JSON readers disagree on
    /// which one counts, so the answer is refused as malformed.
    DuplicateMember {
        /// The member's name.
        name: &'static str,
    },
    /// The JSON is well-formed but does not match the target type.
    JsonDecode,
    /// The scratch buffer for unescaping JSON strings is too small.
    ScratchTooSmall {
        /// Required scratch size in bytes.
        needed: usize,
    },
    /// The body has no `Response` object.
    MissingResponse,
    /// `Response.Error` is present but is not an object with a string `Code`.
    InvalidErrorObject,
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::InvalidStatusLine => f.write_str("malformed HTTP status line"),
            Self::InvalidVersion => f.write_str("unsupported HTTP version"),
            Self::InvalidHeader => f.write_str("malformed HTTP header field"),
            Self::ObsoleteLineFolding => f.write_str("obsolete header line folding"),
            Self::TooManyHeaders { max } => write!(f, "more than {max} header fields"),
            Self::HeadTooLarge { max } => write!(f, "response head larger than {max} bytes"),
            Self::InvalidContentLength => f.write_str("invalid Content-Length"),
            Self::ConflictingFraming => f.write_str("conflicting message framing headers"),
            Self::UnsupportedTransferEncoding => f.write_str("unsupported Transfer-Encoding"),
            Self::InvalidChunkSize => f.write_str("invalid chunk size line"),
            Self::ChunkSizeOverflow => f.write_str("chunk size overflows u64"),
            Self::ChunkExtensionTooLarge { max } => {
                write!(f, "chunk extension larger than {max} bytes")
            }
            Self::TrailerTooLarge { max } => write!(f, "trailer section larger than {max} bytes"),
            Self::InvalidChunkTerminator => f.write_str("missing CRLF in chunked body"),
            Self::UnexpectedEnd => f.write_str("unexpected end of response"),
            Self::BodyTooLarge { needed } => {
                write!(f, "response body needs a buffer of at least {needed} bytes")
            }
            Self::SseEventTooLarge { needed } => {
                write!(f, "server-sent event needs a buffer of {needed} bytes")
            }
            Self::InvalidUtf8 => f.write_str("invalid UTF-8"),
            Self::HttpStatus { status } => write!(f, "unexpected HTTP status {status}"),
            Self::UnexpectedContentType => f.write_str("unexpected Content-Type"),
            Self::JsonMalformed => f.write_str("malformed JSON"),
            Self::JsonTooDeep { max } => write!(f, "JSON nested deeper than {max} levels"),
            Self::DuplicateMember { name } => write!(f, "malformed answer: member {name:?} appears twice"),
            Self::JsonDecode => f.write_str("JSON does not match the expected type"),
            Self::ScratchTooSmall { needed } => {
                write!(f, "JSON scratch buffer needs {needed} bytes")
            }
            Self::MissingResponse => f.write_str("missing Response object"),
            Self::InvalidErrorObject => f.write_str("malformed Response.Error object"),
        }
    }
}

impl core::error::Error for ResponseError {}

/// ASCII case-insensitive equality of a byte string and a name.
pub(crate) fn eq_ignore_case(a: &[u8], b: &[u8]) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Strips leading and trailing spaces and tabs.
pub(crate) fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_has_no_payload() {
        extern crate std;
        use std::string::ToString;
        assert_eq!(ResponseError::HttpStatus { status: 502 }.to_string(), "unexpected HTTP status 502");
        assert_eq!(
            ResponseError::BodyTooLarge { needed: 9 }.to_string(),
            "response body needs a buffer of at least 9 bytes"
        );
        let e: &dyn core::error::Error = &ResponseError::JsonMalformed;
        assert_eq!(e.to_string(), "malformed JSON");
    }

    #[test]
    fn trim() {
        assert_eq!(trim_ows(b" \t a b \t"), b"a b");
        assert_eq!(trim_ows(b"   "), b"");
        assert_eq!(trim_ows(b""), b"");
    }
}
