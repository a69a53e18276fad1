//! TC3-HMAC-SHA256 signing in inspectable stages: canonical request, string to sign,
//! signing key, signature. Every stage is hashed by streaming into SHA-256; nothing is
//! built on a heap.
//!
//! ```
//! use tencentcloud_core::{Credential, Request, sign::sign};
//!
//! let cred = Credential::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******", "Gu5t9xGARNpq86cd98joQYCN3*******")?;
//! let body = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
//! let req = Request::post_json("cvm", "2017-03-12", "DescribeInstances", body)
//!     .region("ap-guangzhou")
//!     .content_type("application/json; charset=utf-8");
//! let signed = sign(&req, &cred, 1551113065)?;
//! assert_eq!(signed.signature(), "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c");
//! assert!(signed.canonical_request().to_string().starts_with("POST\n/\n\ncontent-type:application/json; charset=utf-8\n"));
//! # Ok::<(), tencentcloud_core::Error>(())
//! ```

use core::fmt;

use hmac::Mac;
use sha2::{Digest, Sha256};

use crate::credential::Credential;
use crate::error::{Error, RequestError};
use crate::hex::{hex_str, hex32};
use crate::key::{HmacSha256, hmac_key, mac_bytes};
pub use crate::key::{SigningKey, SigningKeyCache};
use crate::request::{Method, Payload, Request};
use crate::time::Date;

/// The algorithm name that opens the string to sign and the `Authorization` header.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";

/// Hex SHA-256 of the empty string (the payload hash of a GET).
pub const EMPTY_PAYLOAD_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Hex SHA-256 of `UNSIGNED-PAYLOAD`, the payload hash the official SDKs sign when the
/// payload is unsigned.
pub const UNSIGNED_PAYLOAD_SHA256: &str = "438d4109ef0d676b8c2c7ed13cdfcb418e494d53b843d4634ce3b1085f07bb96";

/// Most headers that can be signed besides `content-type` and `host`.
pub const MAX_EXTRA_SIGNED_HEADERS: usize = 8;

const DEFAULT_SIGNED_HEADERS: &str = "content-type;host";
const SIGNED_NAMES_CAP: usize = 256;

/// Something the canonical request can be streamed into.
pub(crate) trait ByteSink {
    fn put(&mut self, bytes: &[u8]);
}

impl ByteSink for Sha256 {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

impl ByteSink for HmacSha256 {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

/// Adapts a `fmt::Formatter` (the sink only ever receives whole UTF-8 characters).
struct FmtSink<'a, 'b> {
    f: &'a mut fmt::Formatter<'b>,
    result: fmt::Result,
}

impl ByteSink for FmtSink<'_, '_> {
    fn put(&mut self, bytes: &[u8]) {
        if self.result.is_ok() {
            self.result = match core::str::from_utf8(bytes) {
                Ok(s) => self.f.write_str(s),
                Err(_) => Err(fmt::Error),
            };
        }
    }
}

/// Streams a header value given in parts, lower-cased, with the whitespace around the
/// whole value trimmed.
fn put_lower_trimmed(sink: &mut (impl ByteSink + ?Sized), parts: &[&str]) {
    if let [single] = parts {
        put_lower(sink, trim_ws(single));
        return;
    }
    let total: usize = parts.iter().map(|p| p.len()).sum();
    let mut skip_front = 0;
    for p in parts {
        let lead = p.bytes().position(|b| !is_ws(b)).unwrap_or(p.len());
        skip_front += lead;
        if lead < p.len() {
            break;
        }
    }
    let mut skip_back = 0;
    for p in parts.iter().rev() {
        let trail = p.bytes().rev().position(|b| !is_ws(b)).unwrap_or(p.len());
        skip_back += trail;
        if trail < p.len() {
            break;
        }
    }
    let end = total.saturating_sub(skip_back).max(skip_front);
    let mut offset = 0;
    for p in parts {
        let (lo, hi) = (offset, offset + p.len());
        offset = hi;
        let from = skip_front.clamp(lo, hi) - lo;
        let to = end.clamp(lo, hi) - lo;
        if let Some(s) = p.get(from..to) {
            put_lower(sink, s);
        }
    }
}

/// Compares two header names case-insensitively.
fn cmp_lower(a: &str, b: &str) -> core::cmp::Ordering {
    a.bytes().map(|c| c.to_ascii_lowercase()).cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

#[inline]
fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `s` without leading and trailing spaces and tabs.
fn trim_ws(s: &str) -> &str {
    let b = s.as_bytes();
    let start = b.iter().position(|&c| !is_ws(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|&c| !is_ws(c)).map_or(start, |e| e + 1);
    s.get(start..end).unwrap_or("")
}

/// Streams `s` with ASCII letters lower-cased, in chunks that end on char boundaries.
fn put_lower(sink: &mut (impl ByteSink + ?Sized), mut s: &str) {
    if !s.bytes().any(|b| b.is_ascii_uppercase()) {
        sink.put(s.as_bytes());
        return;
    }
    let mut chunk = [0u8; 64];
    while !s.is_empty() {
        let mut n = s.len().min(chunk.len());
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        let (head, rest) = s.split_at(n);
        let out = &mut chunk[..n];
        out.copy_from_slice(head.as_bytes());
        out.make_ascii_lowercase();
        sink.put(out);
        s = rest;
    }
}

/// Signs requests, remembering signing keys per (date, service) in a [`SigningKeyCache`].
///
/// ```
/// use tencentcloud_core::{Credential, Request, Signer};
///
/// let cred = Credential::new("AKIDEXAMPLE", "secret")?;
/// let mut signer = Signer::<2>::new(); // two cached keys; `Signer` alone holds four
/// let req = Request::get("cvm", "2017-03-12", "DescribeZones", "");
/// let a = signer.sign(&req, &cred, 1_700_000_000)?; // derives the key
/// let b = signer.sign(&req, &cred, 1_700_000_100)?; // same day: cached
/// assert_ne!(a.signature(), b.signature());
/// assert_eq!(b.signature(), tencentcloud_core::sign::sign(&req, &cred, 1_700_000_100)?.signature());
/// # Ok::<(), tencentcloud_core::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct Signer<const N: usize = 4> {
    cache: SigningKeyCache<N>,
}

impl<const N: usize> Signer<N> {
    /// A signer with an empty cache of `N` signing keys, the type's parameter:
    /// `Signer::<1>::new()` suits a device that calls one service, and
    /// `let s: Signer = Signer::new()` holds the default four.
    pub const fn new() -> Self {
        Self { cache: SigningKeyCache::new() }
    }

    /// Signs `req` with `cred` at `timestamp` (unix seconds, from the caller's clock).
    pub fn sign<'r>(
        &mut self,
        req: &Request<'r>,
        cred: &Credential<'r>,
        timestamp: u64,
    ) -> Result<SignedRequest<'r>, Error> {
        let cache = &mut self.cache;
        SignedRequest::build(req, cred, timestamp, |date, service| cache.mac(cred, date, service))
    }
}

/// Signs one request without a cache (derives the signing key every time).
pub fn sign<'r>(req: &Request<'r>, cred: &Credential<'r>, timestamp: u64) -> Result<SignedRequest<'r>, Error> {
    SignedRequest::build(req, cred, timestamp, |date, service| {
        SigningKey::derive(cred.secret_key(), date, service).mac()
    })
}

/// Decimal digits of a `u64`, on the stack.
#[derive(Clone, Copy)]
struct Digits {
    buf: [u8; 20],
    start: u8,
}

/// 10^19 down to 10^0.
const POW10: [u64; 20] = {
    let mut t = [1u64; 20];
    let mut i = 19;
    while i > 0 {
        t[i - 1] = t[i] * 10;
        i -= 1;
    }
    t
};

impl Digits {
    /// Decimal digits by subtracting powers of ten: no 64-bit division, which 32-bit
    /// targets would link a software routine for.
    fn new(v: u64) -> Self {
        let mut buf = [b'0'; 20];
        let mut rest = v;
        for (slot, &power) in buf.iter_mut().zip(POW10.iter()) {
            while rest >= power {
                rest -= power;
                *slot += 1;
            }
        }
        let first = buf.iter().position(|&b| b != b'0').unwrap_or(buf.len() - 1);
        Self { buf, start: first as u8 }
    }

    fn as_str(&self) -> &str {
        self.buf.get(usize::from(self.start)..).and_then(|d| core::str::from_utf8(d).ok()).unwrap_or("0")
    }
}

/// A header value in up to ten pieces (e.g. `Authorization` is assembled, not copied).
#[derive(Clone, Copy)]
pub struct HeaderValue<'s> {
    parts: [&'s str; 10],
    len: u8,
}

impl<'s> HeaderValue<'s> {
    fn new(parts: &[&'s str]) -> Self {
        let mut v = Self { parts: [""; 10], len: 0 };
        for (slot, p) in v.parts.iter_mut().zip(parts) {
            *slot = p;
            v.len += 1;
        }
        v
    }

    /// The pieces; concatenated they are the value.
    pub fn parts(&self) -> &[&'s str] {
        self.parts.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// The value's length in bytes.
    pub fn len(&self) -> usize {
        self.parts().iter().map(|p| p.len()).sum()
    }

    /// Whether the value is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Display for HeaderValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.parts().iter().try_for_each(|p| f.write_str(p))
    }
}

impl fmt::Debug for HeaderValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

/// One header of a signed request.
#[derive(Clone, Copy)]
pub struct Header<'s> {
    /// The name as sent, e.g. `X-TC-Action`.
    pub name: &'s str,
    /// The value.
    pub value: HeaderValue<'s>,
}

impl fmt::Debug for Header<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name.eq_ignore_ascii_case("X-TC-Token") {
            write!(f, "{}: <redacted>", self.name)
        } else {
            write!(f, "{}: {}", self.name, self.value)
        }
    }
}

/// A request signed at one moment: its headers (with `Authorization`), its body, the
/// stages of the signature for inspection, and writers for the HTTP/1.1 bytes.
#[derive(Clone)]
pub struct SignedRequest<'r> {
    req: Request<'r>,
    secret_id: &'r str,
    token: Option<&'r str>,
    timestamp: Digits,
    date: [u8; 10],
    action_first: [u8; 1],
    signed_names: heapless::String<SIGNED_NAMES_CAP>,
    payload_hash: [u8; 64],
    canonical_hash: [u8; 64],
    signature: [u8; 64],
    content_length: Digits,
}

/// Header positions: the fixed headers (`Host` to `X-TC-RequestClient`, absent optional
/// ones skipped), then the extra headers, then `Authorization`.
const FIXED_HEADERS: usize = 11;

impl<'r> SignedRequest<'r> {
    /// The request at `timestamp` without a signature or a credential: `Authorization:
    /// SKIP`, for the few actions that authenticate otherwise (STS
    /// `AssumeRoleWithWebIdentity` carries a web identity token in its parameters).
    ///
    /// ```
    /// use tencentcloud_core::{Request, SignedRequest};
    ///
    /// let req = Request::post_json("sts", "2018-08-13", "AssumeRoleWithWebIdentity", b"{}");
    /// let unsigned = SignedRequest::unsigned(&req, 1_700_000_000)?;
    /// assert_eq!(unsigned.authorization().to_string(), "SKIP");
    /// assert_eq!(unsigned.signature(), "");
    /// assert!(unsigned.headers().all(|h| h.name != "X-TC-Token"));
    /// # Ok::<(), tencentcloud_core::Error>(())
    /// ```
    pub fn unsigned(req: &Request<'r>, timestamp: u64) -> Result<Self, Error> {
        Self::build(&req.skip_sign(), &Credential::NONE, timestamp, |_, _| hmac_key(&[]))
    }

    fn build(
        req: &Request<'r>,
        cred: &Credential<'r>,
        timestamp: u64,
        mac_for: impl FnOnce(&Date, &str) -> HmacSha256,
    ) -> Result<Self, Error> {
        req.validate()?;
        let date = Date::from_unix(timestamp).ok_or(RequestError::TimestampOutOfRange)?;
        let action_first = [req.action.as_bytes().first().map_or(b'A', u8::to_ascii_uppercase)];
        let mut signed = Self {
            req: *req,
            secret_id: cred.secret_id(),
            token: cred.token(),
            timestamp: Digits::new(timestamp),
            date: date.as_str_bytes(),
            action_first,
            signed_names: heapless::String::new(),
            payload_hash: [0; 64],
            canonical_hash: [0; 64],
            signature: [0; 64],
            content_length: Digits::new(req.body.bytes().len() as u64),
        };
        signed.collect_signed_names()?;
        if req.payload == Payload::SkipSign {
            return Ok(signed);
        }
        signed.payload_hash = match (req.payload, req.body.bytes()) {
            (Payload::Unsigned, _) => copy64(UNSIGNED_PAYLOAD_SHA256),
            (_, []) => copy64(EMPTY_PAYLOAD_SHA256),
            (_, body) => hex_digest(Sha256::new_with_prefix(body)),
        };
        let mut hasher = Sha256::new();
        signed.write_canonical_request(&mut hasher);
        signed.canonical_hash = hex_digest(hasher);
        let mut mac = mac_for(&date, req.service);
        signed.write_string_to_sign(&mut mac);
        signed.signature = hex32(&mac_bytes(mac));
        Ok(signed)
    }

    /// Builds the sorted, lower-cased, `;`-joined list of signed header names.
    fn collect_signed_names(&mut self) -> Result<(), Error> {
        match self.req.signed_headers.code {
            Some(code) => (code.collect)(self),
            None => {
                let _ = self.signed_names.push_str(DEFAULT_SIGNED_HEADERS);
                Ok(())
            }
        }
    }

    fn find_header(&self, lower_name: &str) -> Option<HeaderValue<'_>> {
        self.headers().find(|h| h.name.eq_ignore_ascii_case(lower_name)).map(|h| h.value)
    }

    pub(crate) fn write_canonical_request<S: ByteSink>(&self, sink: &mut S) {
        sink.put(self.req.method().as_str().as_bytes());
        sink.put(b"\n/\n");
        sink.put(self.req.body.query().as_bytes());
        sink.put(b"\n");
        if self.signed_names == DEFAULT_SIGNED_HEADERS {
            sink.put(b"content-type:");
            put_lower_trimmed(sink, &[self.req.content_type_value()]);
            sink.put(b"\nhost:");
            put_lower_trimmed(sink, &self.req.host_parts());
            sink.put(b"\n");
        } else if let Some(code) = self.req.signed_headers.code {
            (code.write)(self, sink);
        }
        sink.put(b"\n");
        sink.put(self.signed_names.as_bytes());
        sink.put(b"\n");
        sink.put(&self.payload_hash);
    }

    fn write_string_to_sign(&self, sink: &mut impl ByteSink) {
        sink.put(ALGORITHM.as_bytes());
        sink.put(b"\n");
        sink.put(self.timestamp.as_str().as_bytes());
        sink.put(b"\n");
        sink.put(&self.date);
        sink.put(b"/");
        sink.put(self.req.service.as_bytes());
        sink.put(b"/tc3_request\n");
        sink.put(&self.canonical_hash);
    }

    /// Stage 1: the canonical request (`Display`).
    pub fn canonical_request(&self) -> CanonicalRequest<'_, 'r> {
        CanonicalRequest(self)
    }

    /// Stage 2: the string to sign (`Display`).
    pub fn string_to_sign(&self) -> StringToSign<'_, 'r> {
        StringToSign(self)
    }

    /// Stage 4: the hex signature (empty for a skip-sign request).
    pub fn signature(&self) -> &str {
        if self.req.payload == Payload::SkipSign { "" } else { hex_str(&self.signature) }
    }

    /// The hex SHA-256 of the payload as signed.
    pub fn payload_hash(&self) -> &str {
        hex_str(&self.payload_hash)
    }

    /// The UTC date of the credential scope, `YYYY-MM-DD`.
    pub fn date(&self) -> &str {
        core::str::from_utf8(&self.date).unwrap_or("")
    }

    /// The signed header names, e.g. `content-type;host`.
    pub fn signed_headers(&self) -> &str {
        &self.signed_names
    }

    /// The request this was signed from.
    pub fn request(&self) -> &Request<'r> {
        &self.req
    }

    /// The `Authorization` header value.
    pub fn authorization(&self) -> HeaderValue<'_> {
        if self.req.payload == Payload::SkipSign {
            return HeaderValue::new(&["SKIP"]);
        }
        HeaderValue::new(&[
            "TC3-HMAC-SHA256 Credential=",
            self.secret_id,
            "/",
            self.date(),
            "/",
            self.req.service,
            "/tc3_request, SignedHeaders=",
            &self.signed_names,
            ", Signature=",
            hex_str(&self.signature),
        ])
    }

    /// The headers to send, `Authorization` last, for transports with their own HTTP
    /// stack (which add `Content-Length` themselves).
    pub fn headers(&self) -> Headers<'_, 'r> {
        Headers { req: self, at: 0, http1: false }
    }

    /// The body bytes (empty for GET).
    pub fn body(&self) -> &'r [u8] {
        self.req.body.bytes()
    }

    /// The request target: `/` or `/?<query>`.
    pub fn path_and_query(&self) -> [&'r str; 2] {
        match self.req.body.query() {
            "" => ["/", ""],
            q => ["/?", q],
        }
    }

    /// The header at position `i` (see [`FIXED_HEADERS`]), if the request sends one there;
    /// `Content-Length` only on the wire (`http1`) of a POST.
    fn header_at(&self, i: usize, http1: bool) -> Option<Header<'_>> {
        fn h<'s>(name: &'s str, parts: &[&'s str]) -> Option<Header<'s>> {
            Some(Header { name, value: HeaderValue::new(parts) })
        }
        let r = &self.req;
        match i {
            0 => h("Host", &r.host_parts()),
            1 => h("Content-Type", &[r.content_type_value()]),
            2 if http1 && r.method() == Method::Post => h("Content-Length", &[self.content_length.as_str()]),
            2 => None,
            3 => {
                let first = core::str::from_utf8(&self.action_first).unwrap_or("");
                h("X-TC-Action", &[first, r.action.get(1..).unwrap_or("")])
            }
            4 => h("X-TC-Timestamp", &[self.timestamp.as_str()]),
            5 => h("X-TC-Version", &[r.version]),
            6 => (r.payload == Payload::Unsigned).then(|| h("X-TC-Content-SHA256", &["UNSIGNED-PAYLOAD"]))?,
            7 => h("X-TC-Region", &[r.region?]),
            8 => h("X-TC-Token", &[self.token?]),
            9 => h("X-TC-Language", &[r.language?.as_str()]),
            10 => h("X-TC-RequestClient", &[r.request_client?]),
            _ => match r.headers.get(i - FIXED_HEADERS) {
                Some((name, value)) => h(name, &[value]),
                None => (i == FIXED_HEADERS + r.headers.len())
                    .then(|| Header { name: "Authorization", value: self.authorization() }),
            },
        }
    }
}

/// Headers signed besides `content-type` and `host` ([`Request::sign_headers`]). The code
/// that handles them is reached through function pointers set only by `sign_headers`, so
/// an image that never signs extra headers does not link it.
#[derive(Clone, Copy)]
pub(crate) struct ExtraSigned<'a> {
    names: &'a [&'a str],
    code: Option<&'static ExtraCode>,
}

/// The code for extra signed headers.
struct ExtraCode {
    collect: fn(&mut SignedRequest<'_>) -> Result<(), Error>,
    write: fn(&SignedRequest<'_>, &mut dyn ByteSink),
}

static EXTRA_CODE: ExtraCode = ExtraCode { collect: collect_extra_names, write: write_extra_headers };

impl<'a> ExtraSigned<'a> {
    pub(crate) const NONE: Self = Self { names: &[], code: None };

    pub(crate) const fn new(names: &'a [&'a str]) -> Self {
        if names.is_empty() { Self::NONE } else { Self { names, code: Some(&EXTRA_CODE) } }
    }
}

impl PartialEq for ExtraSigned<'_> {
    fn eq(&self, other: &Self) -> bool {
        // `code` follows from `names`.
        self.names == other.names
    }
}

impl Eq for ExtraSigned<'_> {}

impl fmt::Debug for ExtraSigned<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.names.fmt(f)
    }
}

/// The sorted, lower-cased, `;`-joined names: `content-type`, `host` and the extra ones.
fn collect_extra_names(signed: &mut SignedRequest<'_>) -> Result<(), Error> {
    let extra = signed.req.signed_headers.names;
    if extra.len() > MAX_EXTRA_SIGNED_HEADERS {
        return Err(RequestError::TooManySignedHeaders { max: MAX_EXTRA_SIGNED_HEADERS }.into());
    }
    let mut names: heapless::Vec<&str, { MAX_EXTRA_SIGNED_HEADERS + 2 }> = heapless::Vec::new();
    for name in ["content-type", "host"].iter().chain(extra.iter()) {
        let name = trim_ws(name);
        if name.eq_ignore_ascii_case("authorization") || signed.find_header(name).is_none() {
            return Err(RequestError::MissingSignedHeader.into());
        }
        if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            let _ = names.push(name);
        }
    }
    // At most ten names: pick the next smallest each time (no sort routine in the image).
    let mut last: Option<&str> = None;
    for i in 0..names.len() {
        let Some(name) = names
            .iter()
            .filter(|n| last.is_none_or(|l| cmp_lower(n, l).is_gt()))
            .min_by(|a, b| cmp_lower(a, b))
            .copied()
        else {
            break;
        };
        last = Some(name);
        let sep = if i == 0 { "" } else { ";" };
        if signed.signed_names.push_str(sep).is_err() || signed.signed_names.push_str(name).is_err() {
            return Err(RequestError::TooManySignedHeaders { max: MAX_EXTRA_SIGNED_HEADERS }.into());
        }
    }
    signed.signed_names.make_ascii_lowercase();
    Ok(())
}

/// The canonical headers of a request that signs more than `content-type;host`.
fn write_extra_headers(signed: &SignedRequest<'_>, sink: &mut dyn ByteSink) {
    for name in signed.signed_names.split(';') {
        sink.put(name.as_bytes());
        sink.put(b":");
        if let Some(v) = signed.find_header(name) {
            put_lower_trimmed(sink, v.parts());
        }
        sink.put(b"\n");
    }
}

/// The hex of a finished SHA-256 (one copy of the finalization in the image).
#[inline(never)]
fn hex_digest(hasher: Sha256) -> [u8; 64] {
    hex32(&hasher.finalize().into())
}

fn copy64(s: &str) -> [u8; 64] {
    let mut out = [0u8; 64];
    if let Ok(b) = <&[u8; 64]>::try_from(s.as_bytes()) {
        out = *b;
    }
    out
}

impl fmt::Debug for SignedRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest")
            .field("method", &self.req.method())
            .field("headers", &DebugHeaders(self))
            .field("body_len", &self.body().len())
            .finish()
    }
}

struct DebugHeaders<'a, 'r>(&'a SignedRequest<'r>);

impl fmt::Debug for DebugHeaders<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.headers()).finish()
    }
}

/// Iterator over a signed request's headers.
pub struct Headers<'s, 'r> {
    req: &'s SignedRequest<'r>,
    at: usize,
    http1: bool,
}

impl<'s, 'r> Headers<'s, 'r> {
    /// The headers as written on the wire: with `Content-Length` for a POST.
    pub(crate) fn http1(req: &'s SignedRequest<'r>) -> Self {
        Self { req, at: 0, http1: true }
    }
}

impl<'s> Iterator for Headers<'s, '_> {
    type Item = Header<'s>;

    fn next(&mut self) -> Option<Header<'s>> {
        while self.at <= FIXED_HEADERS + self.req.req.headers.len() {
            let i = self.at;
            self.at += 1;
            if let Some(h) = self.req.header_at(i, self.http1) {
                return Some(h);
            }
        }
        None
    }
}

/// The canonical request of a [`SignedRequest`] (stage 1), printed by `Display`.
pub struct CanonicalRequest<'s, 'r>(&'s SignedRequest<'r>);

impl fmt::Display for CanonicalRequest<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sink = FmtSink { f, result: Ok(()) };
        self.0.write_canonical_request(&mut sink);
        sink.result
    }
}

/// The string to sign of a [`SignedRequest`] (stage 2), printed by `Display`.
pub struct StringToSign<'s, 'r>(&'s SignedRequest<'r>);

impl fmt::Display for StringToSign<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sink = FmtSink { f, result: Ok(()) };
        self.0.write_string_to_sign(&mut sink);
        sink.result
    }
}
