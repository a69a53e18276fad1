//! Describing a Tencent Cloud API 3.0 call: service, version, action, region, host,
//! body, and the headers around it. Nothing here allocates.

use crate::error::RequestError;

/// The default root domain of the public API.
pub const DEFAULT_ROOT_DOMAIN: &str = "tencentcloudapi.com";

/// Most extra headers a request can carry (trace ids and the like).
pub const MAX_EXTRA_HEADERS: usize = 16;

/// The HTTP method. It follows from the [`Body`]: a query is sent with GET, every
/// other body with POST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Method {
    /// Parameters in the query string, empty body.
    Get,
    /// Parameters in the body.
    Post,
}

impl Method {
    /// `"GET"` or `"POST"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

/// The language of error messages (`X-TC-Language`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Language {
    /// `zh-CN`
    ZhCn,
    /// `en-US`
    EnUs,
}

impl Language {
    /// The header value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ZhCn => "zh-CN",
            Self::EnUs => "en-US",
        }
    }
}

/// Where the request goes. The `Host` header (and the signature) follow from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Endpoint<'a> {
    /// `<service>.tencentcloudapi.com`
    Default,
    /// `<service>.<root domain>`, e.g. `cvm.internal.tencentcloudapi.com`.
    RootDomain(&'a str),
    /// An explicit host name, e.g. `cvm.ap-guangzhou.tencentcloudapi.com`.
    Host(&'a str),
}

/// The request body, which also fixes the method and the default content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Body<'a> {
    /// POST `application/json`: the serialized parameters.
    Json(&'a [u8]),
    /// GET `application/x-www-form-urlencoded`: the already encoded query string
    /// (see [`crate::query::QueryWriter`]), without the leading `?`.
    Query(&'a str),
    /// POST `application/octet-stream`: raw bytes (parameters then go in headers).
    OctetStream(&'a [u8]),
    /// POST `multipart/form-data`: the encoded body and its full content type
    /// including the boundary (see `multipart` with feature `alloc`).
    Multipart {
        /// `multipart/form-data; boundary=...`
        content_type: &'a str,
        /// The encoded parts.
        body: &'a [u8],
    },
}

impl<'a> Body<'a> {
    /// The method this body is sent with.
    pub const fn method(&self) -> Method {
        match self {
            Self::Query(_) => Method::Get,
            _ => Method::Post,
        }
    }

    /// The body bytes (empty for a query).
    pub const fn bytes(&self) -> &'a [u8] {
        match *self {
            Self::Json(b) | Self::OctetStream(b) | Self::Multipart { body: b, .. } => b,
            Self::Query(_) => b"",
        }
    }

    /// The query string (empty unless this is a query body).
    pub const fn query(&self) -> &'a str {
        match *self {
            Self::Query(q) => q,
            _ => "",
        }
    }

    /// The default content type of this kind of body.
    pub const fn content_type(&self) -> &'a str {
        match *self {
            Self::Json(_) => "application/json",
            Self::Query(_) => "application/x-www-form-urlencoded",
            Self::OctetStream(_) => "application/octet-stream",
            Self::Multipart { content_type, .. } => content_type,
        }
    }
}

/// How the payload takes part in the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Payload {
    /// The body's SHA-256 is signed (the default).
    Signed,
    /// `X-TC-Content-SHA256: UNSIGNED-PAYLOAD`: the body is not hashed (large uploads).
    Unsigned,
    /// `Authorization: SKIP`: no signature at all (e.g. `AssumeRoleWithWebIdentity`).
    SkipSign,
}

/// A description of one API call, borrowed from the caller.
///
/// ```
/// use tencentcloud_core::{Language, Request};
///
/// let req = Request::post_json("cvm", "2017-03-12", "describeInstances", br#"{"Limit":1}"#)
///     .region("ap-guangzhou")
///     .language(Language::EnUs)
///     .headers(&[("X-TC-TraceId", "a1b2")]);
/// assert_eq!(req.host_parts(), ["cvm", ".", "tencentcloudapi.com"]);
/// assert!(req.validate().is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    pub(crate) service: &'a str,
    pub(crate) version: &'a str,
    pub(crate) action: &'a str,
    pub(crate) region: Option<&'a str>,
    pub(crate) endpoint: Endpoint<'a>,
    pub(crate) language: Option<Language>,
    pub(crate) request_client: Option<&'a str>,
    pub(crate) headers: &'a [(&'a str, &'a str)],
    pub(crate) body: Body<'a>,
    pub(crate) content_type: Option<&'a str>,
    pub(crate) payload: Payload,
    pub(crate) signed_headers: crate::sign::ExtraSigned<'a>,
}

impl<'a> Request<'a> {
    /// A call with the given body; see also [`Request::post_json`] and [`Request::get`].
    pub const fn new(service: &'a str, version: &'a str, action: &'a str, body: Body<'a>) -> Self {
        Self {
            service,
            version,
            action,
            region: None,
            endpoint: Endpoint::Default,
            language: None,
            request_client: None,
            headers: &[],
            body,
            content_type: None,
            payload: Payload::Signed,
            signed_headers: crate::sign::ExtraSigned::NONE,
        }
    }

    /// A POST call with a JSON body.
    pub const fn post_json(service: &'a str, version: &'a str, action: &'a str, json: &'a [u8]) -> Self {
        Self::new(service, version, action, Body::Json(json))
    }

    /// A GET call with an encoded query string.
    pub const fn get(service: &'a str, version: &'a str, action: &'a str, query: &'a str) -> Self {
        Self::new(service, version, action, Body::Query(query))
    }

    /// Sets the region (`X-TC-Region`); some services have none.
    pub const fn region(mut self, region: &'a str) -> Self {
        self.region = Some(region);
        self
    }

    /// Sets where the request goes.
    pub const fn endpoint(mut self, endpoint: Endpoint<'a>) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// Sends to `<service>.<root_domain>`.
    pub const fn root_domain(self, root_domain: &'a str) -> Self {
        self.endpoint(Endpoint::RootDomain(root_domain))
    }

    /// Sends to an explicit host.
    pub const fn host(self, host: &'a str) -> Self {
        self.endpoint(Endpoint::Host(host))
    }

    /// Sets the language of error messages (`X-TC-Language`).
    pub const fn language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }

    /// Tags the request (`X-TC-RequestClient`), `^[0-9a-zA-Z-_,;.]+$`, at most 128 characters.
    pub const fn request_client(mut self, tag: &'a str) -> Self {
        self.request_client = Some(tag);
        self
    }

    /// Extra headers sent as given, e.g. `X-TC-TraceId`. They may not repeat a header
    /// the request already sets, and at most [`MAX_EXTRA_HEADERS`] are allowed.
    pub const fn headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.headers = headers;
        self
    }

    /// Overrides the body's default content type (e.g. `application/json; charset=utf-8`).
    pub const fn content_type(mut self, content_type: &'a str) -> Self {
        self.content_type = Some(content_type);
        self
    }

    /// Sends `X-TC-Content-SHA256: UNSIGNED-PAYLOAD` and leaves the body out of the signature.
    pub const fn unsigned_payload(mut self) -> Self {
        self.payload = Payload::Unsigned;
        self
    }

    /// Sends `Authorization: SKIP` (no signature).
    pub const fn skip_sign(mut self) -> Self {
        self.payload = Payload::SkipSign;
        self
    }

    /// Signs these headers too (any case), besides `content-type` and `host`, e.g.
    /// `&["X-TC-Action"]`. Each must be a header the request sends.
    pub const fn sign_headers(mut self, names: &'a [&'a str]) -> Self {
        self.signed_headers = crate::sign::ExtraSigned::new(names);
        self
    }

    /// The service, e.g. `cvm`.
    pub const fn service(&self) -> &'a str {
        self.service
    }

    /// The API version, e.g. `2017-03-12`.
    pub const fn version(&self) -> &'a str {
        self.version
    }

    /// The action as given (the signed request upper-cases its first letter).
    pub const fn action(&self) -> &'a str {
        self.action
    }

    /// The region, if set.
    pub const fn region_name(&self) -> Option<&'a str> {
        self.region
    }

    /// The body.
    pub const fn body(&self) -> Body<'a> {
        self.body
    }

    /// The method, which follows from the body.
    pub const fn method(&self) -> Method {
        self.body.method()
    }

    /// How the payload is signed.
    pub const fn payload(&self) -> Payload {
        self.payload
    }

    /// The extra headers.
    pub const fn extra_headers(&self) -> &'a [(&'a str, &'a str)] {
        self.headers
    }

    /// The content type sent and signed.
    pub const fn content_type_value(&self) -> &'a str {
        match self.content_type {
            Some(ct) => ct,
            None => self.body.content_type(),
        }
    }

    /// The host name in up to three pieces (concatenate them).
    pub const fn host_parts(&self) -> [&'a str; 3] {
        match self.endpoint {
            Endpoint::Default => [self.service, ".", DEFAULT_ROOT_DOMAIN],
            Endpoint::RootDomain(root) => [self.service, ".", root],
            Endpoint::Host(host) => [host, "", ""],
        }
    }

    /// Checks every field, as signing does.
    pub fn validate(&self) -> Result<(), RequestError> {
        let name = |s: &str, mask: u8| !s.is_empty() && all_in(s, mask);
        if !name(self.service, ALNUM | DASH | UNDERSCORE) {
            return Err(RequestError::InvalidName("service"));
        }
        if !name(self.version, ALNUM | DASH | UNDERSCORE | DOT) {
            return Err(RequestError::InvalidName("version"));
        }
        if !name(self.action, ALNUM | UNDERSCORE) {
            return Err(RequestError::InvalidName("action"));
        }
        if let Some(region) = self.region
            && !name(region, ALNUM | DASH | UNDERSCORE)
        {
            return Err(RequestError::InvalidName("region"));
        }
        if let Endpoint::RootDomain(h) | Endpoint::Host(h) = self.endpoint
            && !name(h, ALNUM | DASH | UNDERSCORE | DOT | HOST_PUNCT)
        {
            return Err(RequestError::InvalidName("host"));
        }
        if let Some(tag) = self.request_client
            && (tag.len() > 128 || !name(tag, ALNUM | DASH | UNDERSCORE | DOT | CLIENT_PUNCT))
        {
            return Err(RequestError::InvalidRequestClient);
        }
        if !all_in(self.content_type_value(), HEADER_VALUE) {
            return Err(RequestError::InvalidHeader);
        }
        // An encoded query is visible ASCII but `#`.
        if self.body.query().bytes().any(|b| b <= b' ' || b >= 0x7f || b == b'#') {
            return Err(RequestError::InvalidName("query"));
        }
        if self.headers.len() > MAX_EXTRA_HEADERS {
            return Err(RequestError::TooManyHeaders { max: MAX_EXTRA_HEADERS });
        }
        for (i, (name, value)) in self.headers.iter().enumerate() {
            if name.is_empty() || !all_in(name, TOKEN) || !all_in(value, HEADER_VALUE) {
                return Err(RequestError::InvalidHeader);
            }
            let repeats_earlier = self.headers.iter().take(i).any(|(n, _)| n.eq_ignore_ascii_case(name));
            if repeats_earlier || RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name)) {
                return Err(RequestError::DuplicateHeader);
            }
        }
        Ok(())
    }
}

const ALNUM: u8 = 1;
const DASH: u8 = 1 << 1;
const UNDERSCORE: u8 = 1 << 2;
const DOT: u8 = 1 << 3;
/// `:`, `[`, `]` (ports and IPv6 literals in a host).
const HOST_PUNCT: u8 = 1 << 4;
/// `,` and `;` (allowed in a request-client tag).
const CLIENT_PUNCT: u8 = 1 << 5;
/// RFC 9110 token characters (header names).
const TOKEN: u8 = 1 << 6;
/// Header value characters: tab, visible ASCII, space, and UTF-8 bytes.
const HEADER_VALUE: u8 = 1 << 7;

/// Character classes of every byte, looked up once per byte.
const CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let mut c = 0;
        if b.is_ascii_alphanumeric() {
            c |= ALNUM | TOKEN;
        }
        match b {
            b'-' => c |= DASH,
            b'_' => c |= UNDERSCORE,
            b'.' => c |= DOT,
            b':' | b'[' | b']' => c |= HOST_PUNCT,
            b',' | b';' => c |= CLIENT_PUNCT,
            _ => {}
        }
        if matches!(
            b,
            b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
        ) {
            c |= TOKEN;
        }
        if b == b'\t' || (b >= b' ' && b != 0x7f) {
            c |= HEADER_VALUE;
        }
        t[i] = c;
        i += 1;
    }
    t
};

/// Whether every byte of `s` is in one of the classes of `mask`.
#[inline]
fn all_in(s: &str, mask: u8) -> bool {
    s.bytes().all(|b| CLASSES[usize::from(b)] & mask != 0)
}

/// Headers the request sets itself; extra headers may not repeat them.
const RESERVED: [&str; 13] = [
    "Host",
    "Content-Type",
    "Content-Length",
    "Transfer-Encoding",
    "Authorization",
    "X-TC-Action",
    "X-TC-Timestamp",
    "X-TC-Version",
    "X-TC-Region",
    "X-TC-Token",
    "X-TC-Language",
    "X-TC-RequestClient",
    "X-TC-Content-SHA256",
];
