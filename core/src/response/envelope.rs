//! The Tencent Cloud API 3.0 JSON envelope.
//!
//! Every API answers `{"Response": {..., "RequestId": "..."}}` with HTTP 200;
//! failures put `"Error": {"Code": "...", "Message": "..."}` inside `Response`.
//! [`parse_envelope`] validates the body with a strict, non-recursive scanner
//! (nesting bounded by [`MAX_JSON_DEPTH`]), extracts the request id, the error
//! and any `DeprecatedWarning` itself, and deserializes the `Response` object
//! into the caller's type with its own serde deserializer over the validated
//! bytes (no second JSON parser). Unknown fields are ignored and the caller's
//! type may model `RequestId` too.
//!
//! ```
//! use tencentcloud_core::response::parse_envelope;
//!
//! #[derive(Debug, serde::Deserialize)]
//! struct Regions {
//!     #[serde(rename = "TotalCount")]
//!     total: u32,
//! }
//! let body = br#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure",
//!     "Message":"\u7b7e\u540d\u9519\u8bef"},"RequestId":"6e6f5b5a"}}"#;
//! let err = parse_envelope::<Regions>(body, &mut [])?.result.unwrap_err();
//! assert_eq!(err.code, "AuthFailure.SignatureFailure");
//! assert_eq!(err.message, "签名错误");
//! assert_eq!(
//!     err.to_string(),
//!     "AuthFailure.SignatureFailure: 签名错误 (RequestId: 6e6f5b5a)"
//! );
//! # Ok::<(), tencentcloud_core::response::ResponseError>(())
//! ```

use core::fmt;

use heapless::String;
use serde::Deserialize;

use super::ResponseError;
use super::de;
use super::head::ResponseHead;
use super::json::{self, Stats};

pub use super::json::MAX_DEPTH as MAX_JSON_DEPTH;

/// Capacity of [`ApiError::code`] in bytes.
pub const CODE_CAPACITY: usize = 64;
/// Capacity of [`ApiError::message`] in bytes.
pub const MESSAGE_CAPACITY: usize = 512;
/// Capacity of request ids in bytes.
pub const REQUEST_ID_CAPACITY: usize = 64;
/// Capacity of [`DeprecatedWarning::text`] in bytes.
pub const WARNING_CAPACITY: usize = 256;

/// An error reported by the API in `Response.Error`.
///
/// Longer values are cut at a UTF-8 character boundary rather than failing:
/// `message` at [`MESSAGE_CAPACITY`] bytes (then `message_truncated` is set),
/// `code` and `request_id` at 64 bytes (real ones are far shorter).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ApiError {
    /// Error code, e.g. `AuthFailure.SignatureExpire`.
    pub code: String<CODE_CAPACITY>,
    /// Human-readable message, unescaped.
    pub message: String<MESSAGE_CAPACITY>,
    /// Whether `message` was cut to fit.
    pub message_truncated: bool,
    /// `RequestId` of the failed call (empty if absent).
    pub request_id: String<REQUEST_ID_CAPACITY>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ellipsis = if self.message_truncated { "..." } else { "" };
        write!(f, "{}: {}{} (RequestId: {})", self.code, self.message, ellipsis, self.request_id)
    }
}

impl core::error::Error for ApiError {}

/// A `DeprecatedWarning` found in `Response`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeprecatedWarning {
    /// The unescaped text if the value is a JSON string, else its raw JSON text.
    pub text: String<WARNING_CAPACITY>,
    /// Whether `text` was cut at a character boundary to fit.
    pub truncated: bool,
    /// Whether the value is a JSON string.
    pub is_string: bool,
}

/// A parsed envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope<T> {
    /// The deserialized `Response`, or the API error it reported.
    pub result: Result<T, ApiError>,
    /// `Response.RequestId` (empty if absent; cut at 64 bytes).
    pub request_id: String<REQUEST_ID_CAPACITY>,
    /// `Response.DeprecatedWarning`, if present.
    pub deprecated_warning: Option<DeprecatedWarning>,
}

impl<T> Envelope<T> {
    /// The result alone.
    // `ApiError` is stored inline on purpose: no heap.
    #[allow(clippy::result_large_err)]
    pub fn into_result(self) -> Result<T, ApiError> {
        self.result
    }
}

/// Pushes decoded chars until `out` is full; returns whether it was cut.
fn decode_into<const N: usize>(chars: impl Iterator<Item = char>, out: &mut String<N>) -> bool {
    for c in chars {
        if out.push(c).is_err() {
            return true;
        }
    }
    false
}

fn decode_str<const N: usize>(raw: &str) -> (String<N>, bool) {
    let mut s = String::new();
    let cut = decode_into(json::unescape(raw), &mut s);
    (s, cut)
}

/// Where the interesting parts of a `Response` object are.
struct Meta<'a> {
    response: (usize, usize),
    error: Option<(usize, usize)>,
    request_id: Option<&'a str>,
}

fn request_id(b: &[u8], obj: usize) -> Result<Option<&str>, ResponseError> {
    Ok(json::find_unique(b, obj, "RequestId")?.and_then(|(s, e)| json::raw_str(b, s, e)))
}

/// The `Error` member of the object at `obj`, unless absent or `null`. Any other value is
/// an error: one that is not an object with a string `Code` is
/// [`ResponseError::InvalidErrorObject`], never a success.
fn error_member(b: &[u8], obj: usize) -> Result<Option<(usize, usize)>, ResponseError> {
    Ok(json::find_unique(b, obj, "Error")?.filter(|&(s, _)| b.get(s) != Some(&b'n')))
}

/// Validates `body` and locates `Response` and its envelope members. `Response`, `Error`
/// and `RequestId` may each appear once ([`ResponseError::DuplicateMember`]).
fn scan(body: &[u8]) -> Result<Meta<'_>, ResponseError> {
    json::validate(body, &mut Stats::default())?;
    let (rs, re) = json::find_unique(body, 0, "Response")?.ok_or(ResponseError::MissingResponse)?;
    if body.get(rs) != Some(&b'{') {
        return Err(ResponseError::MissingResponse);
    }
    Ok(Meta { response: (rs, re), error: error_member(body, rs)?, request_id: request_id(body, rs)? })
}

impl Meta<'_> {
    /// The `DeprecatedWarning` member of `Response`, if present.
    fn warning(&self, body: &[u8]) -> Result<Option<DeprecatedWarning>, ResponseError> {
        Ok(json::find(body, self.response.0, "DeprecatedWarning")?.map(|w| warning(body, w)))
    }

    /// The deserialized `Response`, or the API error it reports.
    #[allow(clippy::result_large_err)] // `ApiError` is stored inline on purpose: no heap
    fn result<'de, T: Deserialize<'de>>(
        &self,
        body: &'de [u8],
        scratch: &mut [u8],
    ) -> Result<Result<T, ApiError>, ResponseError> {
        Ok(match self.error {
            Some(err) => Err(api_error(body, err, self.request_id)?),
            None => Ok(deserialize(body, self.response, scratch)?),
        })
    }
}

fn api_error(b: &[u8], (s, _): (usize, usize), request_id: Option<&str>) -> Result<ApiError, ResponseError> {
    if b.get(s) != Some(&b'{') {
        return Err(ResponseError::InvalidErrorObject);
    }
    let field = |name| -> Result<Option<&str>, ResponseError> {
        match json::find_unique(b, s, name)? {
            None => Ok(None),
            Some((vs, ve)) => json::raw_str(b, vs, ve).map(Some).ok_or(ResponseError::InvalidErrorObject),
        }
    };
    let code = field("Code")?.ok_or(ResponseError::InvalidErrorObject)?;
    let message = field("Message")?.unwrap_or("");
    let (message, message_truncated) = decode_str(message);
    Ok(ApiError {
        code: decode_str(code).0,
        message,
        message_truncated,
        request_id: decode_str(request_id.unwrap_or("")).0,
    })
}

fn warning(b: &[u8], (s, e): (usize, usize)) -> DeprecatedWarning {
    let mut w = DeprecatedWarning::default();
    if let Some(raw) = json::raw_str(b, s, e) {
        w.is_string = true;
        w.truncated = decode_into(json::unescape(raw), &mut w.text);
    } else if let Some(raw) = b.get(s..e).and_then(|r| core::str::from_utf8(r).ok()) {
        w.truncated = decode_into(raw.chars(), &mut w.text);
    }
    w
}

/// Deserializes `b[s..e]`. Only the strings `T` reads are decoded into `scratch`, so a
/// member `T` does not model never fails the answer; when one `T` reads does not fit, the
/// size asked for is the longest escaped string in the part (enough for any of them).
fn deserialize<'de, T: Deserialize<'de>>(
    b: &'de [u8],
    (s, e): (usize, usize),
    scratch: &mut [u8],
) -> Result<T, ResponseError> {
    let part = b.get(s..e).ok_or(ResponseError::JsonMalformed)?;
    let mut stats = Stats::default();
    json::value_end(part, 0, &mut stats)?;
    de::from_slice(part, scratch).map_err(|e| match e {
        de::Error::ScratchTooSmall => ResponseError::ScratchTooSmall { needed: stats.max_unescaped },
        de::Error::Decode => ResponseError::JsonDecode,
    })
}

/// Parses a Tencent Cloud response body without allocating.
///
/// `T` is deserialized from the `Response` object by this crate's serde
/// deserializer over the validated bytes, so it may borrow unescaped strings
/// from `body`; strings with escapes need an owned type such as
/// `heapless::String`. `scratch` must hold the longest escaped string `T`
/// reads, once unescaped (else [`ResponseError::ScratchTooSmall`] with a size
/// that is enough: the longest escaped string in `Response`); `&mut []` does
/// when `T` reads no escaped string. Numbers are read as
/// serde_json reads them (`-0` and fractions are floats; out of range is an
/// error). Every escape decodes, surrogate pairs (`\ud83d\ude00`, characters
/// beyond the BMP) included; a lone surrogate is malformed JSON. The error
/// object is decoded by this crate. For actions whose output you do not need,
/// use `serde::de::IgnoredAny` as `T`.
pub fn parse_envelope<'de, T: Deserialize<'de>>(
    body: &'de [u8],
    scratch: &mut [u8],
) -> Result<Envelope<T>, ResponseError> {
    let meta = scan(body)?;
    Ok(Envelope {
        result: meta.result(body, scratch)?,
        request_id: decode_str(meta.request_id.unwrap_or("")).0,
        deprecated_warning: meta.warning(body)?,
    })
}

/// Like [`parse_envelope`], the result alone: the request id (but an error's) and any
/// `DeprecatedWarning` are not decoded.
///
/// ```
/// # use tencentcloud_core::response::parse_result;
/// #[derive(serde::Deserialize)]
/// struct Count {
///     #[serde(rename = "TotalCount")]
///     total: u32,
/// }
/// let ok = parse_result::<Count>(br#"{"Response":{"TotalCount":2,"RequestId":"r"}}"#, &mut [])?;
/// assert_eq!(ok.unwrap().total, 2);
/// # Ok::<(), tencentcloud_core::response::ResponseError>(())
/// ```
#[allow(clippy::result_large_err)] // `ApiError` is stored inline on purpose: no heap
pub fn parse_result<'de, T: Deserialize<'de>>(
    body: &'de [u8],
    scratch: &mut [u8],
) -> Result<Result<T, ApiError>, ResponseError> {
    scan(body)?.result(body, scratch)
}

/// Validates a body like [`parse_envelope`] and returns the API error it reports, if any,
/// without deserializing `Response` (so no serde code is linked for it): for callers
/// that keep the raw body or deserialize it later.
///
/// ```
/// use tencentcloud_core::response::envelope_error;
///
/// assert_eq!(envelope_error(br#"{"Response":{"TotalCount":0,"RequestId":"r"}}"#)?, None);
/// let err = envelope_error(br#"{"Response":{"Error":{"Code":"LimitExceeded","Message":"busy"},"RequestId":"r"}}"#)?;
/// assert_eq!(err.map(|e| e.code), Some("LimitExceeded".try_into().unwrap()));
/// # Ok::<(), tencentcloud_core::response::ResponseError>(())
/// ```
#[allow(clippy::result_large_err)] // `ApiError` is stored inline on purpose: no heap
pub fn envelope_error(body: &[u8]) -> Result<Option<ApiError>, ResponseError> {
    let meta = scan(body)?;
    meta.error.map(|err| api_error(body, err, meta.request_id)).transpose()
}

/// Like [`parse_envelope`], after rewriting surrogate-pair escapes in `body`
/// into raw UTF-8 in place (which shortens it): strings that held only such
/// escapes can then borrow from `body` instead of needing scratch space.
///
/// ```
/// # use tencentcloud_core::response::parse_envelope_in_place;
/// #[derive(serde::Deserialize)]
/// struct Reply {
///     #[serde(rename = "Text")]
///     text: heapless::String<16>,
/// }
/// let mut body = *br#"{"Response":{"Text":"hi \ud83d\ude00","RequestId":"x"}}"#;
/// let env = parse_envelope_in_place::<Reply>(&mut body, &mut [0; 16])?;
/// assert_eq!(env.result.unwrap().text, "hi 😀");
/// # Ok::<(), tencentcloud_core::response::ResponseError>(())
/// ```
pub fn parse_envelope_in_place<'de, T: Deserialize<'de>>(
    body: &'de mut [u8],
    scratch: &mut [u8],
) -> Result<Envelope<T>, ResponseError> {
    let n = json::rewrite_surrogates(body);
    let body: &'de [u8] = body;
    parse_envelope(body.get(..n).unwrap_or(body), scratch)
}

/// Rewrites `\uD8xx\uDCxx` escape pairs inside JSON strings into raw UTF-8, in
/// place, and returns the new length. Other bytes are left as they are.
///
/// ```
/// # use tencentcloud_core::response::envelope::rewrite_surrogate_escapes;
/// let mut b = *br#"["\ud83d\ude00"]"#;
/// let n = rewrite_surrogate_escapes(&mut b);
/// assert_eq!(&b[..n], "[\"😀\"]".as_bytes());
/// ```
pub fn rewrite_surrogate_escapes(buf: &mut [u8]) -> usize {
    json::rewrite_surrogates(buf)
}

/// Parses the `data` of a streamed event (e.g. hunyuan `ChatCompletions`).
///
/// A `{"Response": {...}}` envelope yields its error or its `Response`
/// object; a top-level `{"Error": {"Code", "Message"}, ...}` yields an
/// [`ApiError`]; any other object is deserialized into `T` as a whole.
///
/// ```
/// # use tencentcloud_core::response::parse_event_data;
/// #[derive(Debug, serde::Deserialize)]
/// struct Chunk {
///     #[serde(rename = "Id")]
///     id: heapless::String<40>,
/// }
/// let ok = parse_event_data::<Chunk>(br#"{"Id":"a1","Choices":[]}"#, &mut [])?;
/// assert_eq!(ok.unwrap().id, "a1");
/// let err = br#"{"Response":{"Error":{"Code":"LimitExceeded","Message":"busy"},"RequestId":"r"}}"#;
/// assert_eq!(parse_event_data::<Chunk>(err, &mut [])?.unwrap_err().code, "LimitExceeded");
/// # Ok::<(), tencentcloud_core::response::ResponseError>(())
/// ```
pub fn parse_event_data<'de, T: Deserialize<'de>>(
    data: &'de [u8],
    scratch: &mut [u8],
) -> Result<Result<T, ApiError>, ResponseError> {
    json::validate(data, &mut Stats::default())?;
    if json::find_unique(data, 0, "Response")?.is_some() {
        return parse_envelope(data, scratch).map(Envelope::into_result);
    }
    if let Some(err) = error_member(data, 0)? {
        return Ok(Err(api_error(data, err, request_id(data, 0)?)?));
    }
    let end = data.len();
    Ok(Ok(deserialize(data, (json::skip_ws(data, 0), end), scratch)?))
}

/// Parses a Tencent Cloud response body into an owned `T` with `serde_json`.
///
/// Handles every escape; no scratch buffer is needed.
///
/// ```
/// # use tencentcloud_core::response::envelope::parse_envelope_json;
/// #[derive(serde::Deserialize)]
/// struct Reply {
///     #[serde(rename = "RequestId")]
///     request_id: String,
/// }
/// let env = parse_envelope_json::<Reply>(br#"{"Response":{"RequestId":"abc"}}"#)?;
/// assert_eq!(env.result.unwrap().request_id, "abc");
/// # Ok::<(), tencentcloud_core::response::ResponseError>(())
/// ```
#[cfg(feature = "alloc")]
pub fn parse_envelope_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<Envelope<T>, ResponseError> {
    let meta = scan(body)?;
    let result = match meta.error {
        Some(err) => Err(api_error(body, err, meta.request_id)?),
        None => {
            let (s, e) = meta.response;
            let part = body.get(s..e).ok_or(ResponseError::JsonMalformed)?;
            Ok(serde_json::from_slice::<T>(part).map_err(|_| ResponseError::JsonDecode)?)
        }
    };
    Ok(Envelope {
        result,
        request_id: decode_str(meta.request_id.unwrap_or("")).0,
        deprecated_warning: meta.warning(body)?,
    })
}

/// Checks that a head announces a successful JSON response.
///
/// Status other than 200 is [`ResponseError::HttpStatus`]; a missing or
/// non-`application/json` media type (case and parameters ignored) is
/// [`ResponseError::UnexpectedContentType`]. Streaming (`text/event-stream`)
/// and binary responses need their own check; see [`ResponseHead::media_type_is`].
///
/// ```
/// # use tencentcloud_core::response::{Header, Parsed, ResponseError, check_response, parse_head};
/// let mut hs = [Header::EMPTY; 4];
/// let raw = b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\n\r\n";
/// let Parsed::Complete(head) = parse_head(raw, &mut hs)? else { unreachable!() };
/// assert_eq!(check_response(&head), Err(ResponseError::HttpStatus { status: 502 }));
/// # Ok::<(), ResponseError>(())
/// ```
pub fn check_response(head: &ResponseHead<'_, '_>) -> Result<(), ResponseError> {
    if head.status != 200 {
        return Err(ResponseError::HttpStatus { status: head.status });
    }
    if !head.media_type_is("application/json") {
        return Err(ResponseError::UnexpectedContentType);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Zones {
        #[serde(rename = "TotalCount")]
        total: u32,
        #[serde(rename = "RequestId")]
        request_id: String<64>,
    }

    #[test]
    fn success_with_request_id_in_t() {
        let body =
            br#"{"Response":{"TotalCount":3,"ZoneSet":[{"Zone":"ap-guangzhou-3","x":"\"q\""}],"RequestId":"abc"}}"#;
        let env = parse_envelope::<Zones>(body, &mut [0; 8]).unwrap();
        let z = env.result.unwrap();
        assert_eq!((z.total, z.request_id.as_str()), (3, "abc"));
        assert_eq!(env.request_id, "abc");
        assert_eq!(env.deprecated_warning, None);
        // The escaped string is in a member `Zones` does not model: no scratch needed.
        assert!(parse_envelope::<Zones>(body, &mut []).unwrap().result.is_ok());
        let read = br#"{"Response":{"TotalCount":3,"RequestId":"a\"c"}}"#;
        assert_eq!(
            parse_envelope::<Zones>(read, &mut [0; 2]).err(),
            Some(ResponseError::ScratchTooSmall { needed: 3 })
        );
    }

    #[test]
    fn error_and_truncation() {
        let mut long = heapless::Vec::<u8, 1400>::new();
        long.extend_from_slice(br#"{"Response":{"Error":{"Code":"X","Message":""#).unwrap();
        for _ in 0..200 {
            long.extend_from_slice(br"\u672a").unwrap();
        }
        long.extend_from_slice(br#""},"RequestId":"r"}}"#).unwrap();
        let err = parse_envelope::<Zones>(&long, &mut []).unwrap().result.unwrap_err();
        assert!(err.message_truncated);
        assert_eq!(err.message.len(), 510);
        assert!(err.message.chars().all(|c| c == '未'));
    }

    #[test]
    fn malformed() {
        let cases: &[(&[u8], ResponseError)] = &[
            (b"{}", ResponseError::MissingResponse),
            (b"[]", ResponseError::MissingResponse),
            (br#"{"Response":1}"#, ResponseError::MissingResponse),
            (b"{\"Response\":{}", ResponseError::JsonMalformed),
            (b"\xff", ResponseError::InvalidUtf8),
            (br#"{"Response":{"Error":"x"}}"#, ResponseError::InvalidErrorObject),
            (br#"{"Response":{"Error":{"Message":"m"}}}"#, ResponseError::InvalidErrorObject),
            (br#"{"Response":{"TotalCount":"3"}}"#, ResponseError::JsonDecode),
            (br#"{"Response":{"A":"\ud83d"}}"#, ResponseError::JsonMalformed),
            (br#"{"Response":{"Error":{"Code":4000}}}"#, ResponseError::InvalidErrorObject),
            (br#"{"Response":{"Error":{"Message":"denied"}}}"#, ResponseError::InvalidErrorObject),
            (br#"{"Response":{"Error":"denied"}}"#, ResponseError::InvalidErrorObject),
            (br#"{"Response":{"Error":[]}}"#, ResponseError::InvalidErrorObject),
        ];
        for (body, err) in cases {
            assert_eq!(parse_envelope::<Zones>(body, &mut [0; 64]).err(), Some(*err), "{body:?}");
            // Errors of the envelope itself are found without deserializing `Response`.
            let envelope_only = !matches!(err, ResponseError::JsonDecode);
            assert_eq!(envelope_error(body).err(), envelope_only.then_some(*err), "{body:?}");
        }
    }

    /// The review's case: a name with an emoji in a successful answer, on every path.
    #[test]
    fn surrogate_pairs_decode_everywhere() {
        let body =
            br#"{"Response":{"TotalCount":1,"InstanceSet":[{"InstanceName":"web \ud83d\ude80"}],"RequestId":"r"}}"#;
        assert!(parse_result::<serde::de::IgnoredAny>(body, &mut []).unwrap().is_ok());
        assert!(parse_envelope::<serde::de::IgnoredAny>(body, &mut []).unwrap().result.is_ok());
        assert_eq!(envelope_error(body), Ok(None));
        #[derive(Deserialize)]
        struct Instance {
            #[serde(rename = "InstanceName")]
            name: String<16>,
        }
        #[derive(Deserialize)]
        struct Instances {
            #[serde(rename = "TotalCount")]
            total: u32,
            #[serde(rename = "InstanceSet")]
            set: heapless::Vec<Instance, 2>,
        }
        let got = parse_result::<Instances>(body, &mut [0; 8]).unwrap().unwrap();
        assert_eq!((got.total, got.set[0].name.as_str()), (1, "web 🚀"));
        assert_eq!(
            parse_result::<Instances>(body, &mut [0; 7]).err(),
            Some(ResponseError::ScratchTooSmall { needed: 8 })
        );
        let mut copy = *body;
        let in_place = parse_envelope_in_place::<Instances>(&mut copy, &mut [0; 8]).unwrap();
        assert_eq!(in_place.result.unwrap().set[0].name, "web 🚀");
    }

    /// The review's cases: duplicate envelope members are refused on every path, never read
    /// one way here and another way by serde_json.
    #[test]
    fn duplicate_envelope_members_are_malformed() {
        let cases: &[(&[u8], &str)] = &[
            (br#"{"Response":{"Error":null,"Error":{"Code":"AuthFailure.SignatureFailure"}}}"#, "Error"),
            (br#"{"Response":{"Error":{"Code":"A"},"Error":null}}"#, "Error"),
            (br#"{"Response":{"Error":{"Code":"A"}},"Response":{"Done":true}}"#, "Response"),
            (br#"{"Response":{"Done":true},"\u0052esponse":{"Error":{"Code":"A"}}}"#, "Response"),
            (br#"{"Response":{"RequestId":"a","RequestId":"b"}}"#, "RequestId"),
            (br#"{"Response":{"Error":{"Code":"A","Code":"B"},"RequestId":"r"}}"#, "Code"),
            (br#"{"Response":{"Error":{"Code":"A","Message":"x","Message":"y"}}}"#, "Message"),
        ];
        for (body, name) in cases {
            let want = Some(ResponseError::DuplicateMember { name });
            assert_eq!(parse_envelope::<serde::de::IgnoredAny>(body, &mut [0; 8]).err(), want, "{body:?}");
            assert_eq!(parse_result::<serde::de::IgnoredAny>(body, &mut [0; 8]).err(), want, "{body:?}");
            assert_eq!(envelope_error(body).err(), want, "{body:?}");
            assert_eq!(parse_event_data::<serde::de::IgnoredAny>(body, &mut [0; 8]).err(), want, "{body:?}");
        }
        // Other members may repeat: the caller's type decides (serde derive refuses them).
        let ok = br#"{"Response":{"TotalCount":1,"TotalCount":2,"RequestId":"r"}}"#;
        assert!(parse_result::<serde::de::IgnoredAny>(ok, &mut []).unwrap().is_ok());
    }

    #[test]
    fn envelope_error_is_parse_envelopes_error() {
        for body in [
            &br#"{"Response":{"TotalCount":3,"RequestId":"abc"}}"#[..],
            br#"{"Response":{"Error":null,"RequestId":"abc"}}"#,
            br#"{"Response":{"Error":{"Code":"A.B","Message":"\u7b7e"},"RequestId":"\u0061"}}"#,
        ] {
            let want = parse_envelope::<serde::de::IgnoredAny>(body, &mut [0; 64]).unwrap().result.err();
            assert_eq!(envelope_error(body).unwrap(), want, "{body:?}");
        }
    }
}
