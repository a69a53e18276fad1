//! What the front door hands to a backend (a verified request) and what a backend answers.

use std::time::Duration;

use serde_json::{Map, Value};

/// A verified API request, ready for dispatch.
pub(crate) struct ApiRequest<'a> {
    pub(crate) action: &'a str,
    pub(crate) service: &'a str,
    pub(crate) version: &'a str,
    pub(crate) region: Option<String>,
    pub(crate) params: Value,
    pub(crate) method: &'a str,
    pub(crate) headers: &'a [(String, String)],
    pub(crate) body: &'a [u8],
    pub(crate) now_ms: i64,
    pub(crate) request_id: &'a str,
}

/// A successful answer.
pub(crate) enum Outcome {
    /// The fields of `Response` (RequestId is added by the renderer).
    Json(Map<String, Value>),
    /// `text/event-stream`: each value becomes one `data: {json}\n\n` event.
    Sse { events: Vec<Value>, delay: Duration },
    /// `application/octet-stream`.
    Bytes(Vec<u8>),
    /// `application/octet-stream` sent in pieces of `piece` bytes, so with
    /// `Transfer-Encoding: chunked` and no `Content-Length`.
    ByteStream { bytes: Vec<u8>, piece: usize },
}
