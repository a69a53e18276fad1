//! Signing one attempt: the strategy a call uses (TC3-HMAC-SHA256, the legacy v1
//! signature, or none) and the HTTP request it yields.

use std::sync::Mutex;

use bytes::{Bytes, BytesMut};
use tencentcloud_core::legacy_v1;
use tencentcloud_core::request::Body as CoreBody;
use tencentcloud_core::{Language, Method, Request, SignedRequest, Signer};

use crate::endpoint::Target;
use crate::error::Error;
use crate::http::{HeaderMap, HeaderName, HeaderValue, HttpRequest};
use crate::prepare::{Prepared, PreparedBody, TRACE_ID_HEADER, TraceIdText};
use crate::profile::{ClientProfile, HttpMethod, SignMethod};
use crate::provider::{Credentials, signing_credential};
use crate::sync::lock;

/// How a call is signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SigningStrategy {
    /// TC3-HMAC-SHA256 (the default).
    Tc3,
    /// The legacy v1 signature (HmacSHA1 / HmacSHA256) over the form parameters.
    LegacyV1(legacy_v1::SignMethod),
    /// Not signed and no credential asked for (`Authorization: SKIP`, e.g.
    /// `AssumeRoleWithWebIdentity`).
    Skip,
}

impl SigningStrategy {
    /// The strategy of a call with JSON parameters.
    pub(crate) fn for_params(method: SignMethod, skip: bool) -> Self {
        match (skip, method) {
            (true, _) => Self::Skip,
            (false, SignMethod::Tc3HmacSha256) => Self::Tc3,
            (false, SignMethod::HmacSha1) => Self::LegacyV1(legacy_v1::SignMethod::HmacSha1),
            (false, SignMethod::HmacSha256) => Self::LegacyV1(legacy_v1::SignMethod::HmacSha256),
        }
    }

    /// The strategy of a call with a body of its own (octet-stream, multipart), which
    /// the legacy signature cannot sign.
    pub(crate) fn for_raw(skip: bool) -> Self {
        if skip { Self::Skip } else { Self::Tc3 }
    }

    /// Whether an attempt needs a credential.
    pub(crate) fn needs_credential(self) -> bool {
        self != Self::Skip
    }
}

/// Where a header's value comes from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    /// The target's `Host` value, built once per endpoint.
    Host,
    /// Usually one of the client's [`FixedHeaders`] values (content types, region,
    /// language, request-client tag, `UNSIGNED-PAYLOAD`).
    Fixed,
    /// New bytes per request (action, timestamp, version, trace id, the call's own).
    New,
    /// New bytes, marked sensitive (`Authorization`, `X-TC-Token`).
    Secret,
}

/// The name of a header core writes, as a static `HeaderName` (no allocation, no
/// case folding), with where its value comes from; `None` for a name of the call's own.
fn known_name(name: &str) -> Option<(HeaderName, Source)> {
    use http::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
    const fn n(s: &'static str) -> HeaderName {
        HeaderName::from_static(s)
    }
    Some(match name {
        "Host" => (HOST, Source::Host),
        "Content-Type" => (CONTENT_TYPE, Source::Fixed),
        "Authorization" => (AUTHORIZATION, Source::Secret),
        "X-TC-Action" => (n("x-tc-action"), Source::New),
        "X-TC-Timestamp" => (n("x-tc-timestamp"), Source::New),
        "X-TC-Version" => (n("x-tc-version"), Source::New),
        "X-TC-Region" => (n("x-tc-region"), Source::Fixed),
        "X-TC-Token" => (n("x-tc-token"), Source::Secret),
        "X-TC-Language" => (n("x-tc-language"), Source::Fixed),
        "X-TC-RequestClient" => (n("x-tc-requestclient"), Source::Fixed),
        TRACE_ID_HEADER => (n("x-tc-traceid"), Source::New),
        "X-TC-Content-SHA256" => (n("x-tc-content-sha256"), Source::Fixed),
        _ => return None,
    })
}

/// A header name, static when core or this crate wrote it, else checked; with where
/// its value comes from.
fn header_name(name: &str) -> Result<(HeaderName, Source), Error> {
    match known_name(name) {
        Some(known) => Ok(known),
        None => HeaderName::from_bytes(name.as_bytes())
            .map(|n| (n, Source::New))
            .map_err(|_| Error::configuration(format!("invalid header name {name:?}"))),
    }
}

/// Header values that never change, as static `HeaderValue`s.
const STATIC_VALUES: [&str; 7] = [
    "application/json",
    "application/octet-stream",
    "application/x-www-form-urlencoded",
    "UNSIGNED-PAYLOAD",
    "SKIP",
    Language::ZhCn.as_str(),
    Language::EnUs.as_str(),
];

/// Header values fixed for one client, built once: the static values, the client's
/// region and request-client tag.
pub(crate) struct FixedHeaders {
    values: Vec<HeaderValue>,
}

impl FixedHeaders {
    pub(crate) fn new(region: Option<&str>, profile: &ClientProfile) -> Self {
        let texts = region.into_iter().chain(profile.request_client.as_deref());
        let own = texts.filter_map(|t| HeaderValue::from_str(t).ok());
        let values = STATIC_VALUES.iter().map(|v| HeaderValue::from_static(v)).chain(own).collect();
        Self { values }
    }

    fn value(&self, text: &str) -> Option<HeaderValue> {
        self.values.iter().find(|v| v.as_bytes() == text.as_bytes()).cloned()
    }
}

/// Builds the header values that are new per request, each one a slice of one shared
/// buffer, so that they cost one allocation together.
struct ValueWriter {
    buf: BytesMut,
}

impl ValueWriter {
    /// Room for a usual request's new values (a longer one grows the buffer).
    const USUAL: usize = 512;

    fn new(capacity: usize) -> Self {
        Self { buf: BytesMut::with_capacity(capacity) }
    }

    /// The value of `name` from its pieces.
    fn value(
        &mut self,
        (name, source): &(HeaderName, Source),
        parts: &[&str],
        target: &Target,
        fixed: &FixedHeaders,
    ) -> Result<HeaderValue, Error> {
        match (source, parts) {
            (Source::Host, [text]) if *text == target.host => return Ok(target.host_value.clone()),
            (Source::Fixed, [text]) => {
                if let Some(v) = fixed.value(text) {
                    return Ok(v);
                }
            }
            _ => {}
        }
        for part in parts {
            self.buf.extend_from_slice(part.as_bytes());
        }
        let mut value = HeaderValue::from_maybe_shared(self.buf.split().freeze())
            .map_err(|_| Error::configuration(format!("invalid value for header {name}")))?;
        value.set_sensitive(*source == Source::Secret);
        Ok(value)
    }
}

/// Appends `name: value` (the call's own headers) to `map`.
fn append(map: &mut HeaderMap, name: &str, value: &str, target: &Target, fixed: &FixedHeaders) -> Result<(), Error> {
    let name = header_name(name)?;
    let value = ValueWriter::new(value.len()).value(&name, &[value], target, fixed)?;
    map.append(name.0, value);
    Ok(())
}

/// A header as core's `Request` takes it.
type Pair<'a> = (&'a str, &'a str);

/// What an attempt is signed with besides the call itself.
pub(crate) struct Signing<'a> {
    pub(crate) signer: &'a Mutex<Signer<8>>,
    pub(crate) profile: &'a ClientProfile,
    pub(crate) fixed: &'a FixedHeaders,
}

/// Signs `p` for one attempt to `target` at `timestamp` (`cred` is `None` only for
/// [`SigningStrategy::Skip`]).
pub(crate) fn sign(
    s: &Signing<'_>,
    p: &Prepared<'_>,
    target: &Target,
    cred: Option<&Credentials>,
    timestamp: u64,
) -> Result<HttpRequest, Error> {
    match (p.signing, &p.body, cred) {
        (SigningStrategy::LegacyV1(method), PreparedBody::Form(params), Some(cred)) => {
            legacy(s, p, params, method, target, cred, timestamp)
        }
        (SigningStrategy::LegacyV1(_), _, _) => Err(Error::configuration("the legacy signature signs only forms")),
        (_, PreparedBody::Form(_), _) => Err(Error::configuration("a form is signed only by the legacy signature")),
        (SigningStrategy::Tc3, _, None) => Err(Error::configuration("a signed call needs a credential")),
        (_, body, cred) => tc3(s, p, body, target, cred, timestamp),
    }
}

/// TC3-HMAC-SHA256, or the unsigned request (`Authorization: SKIP`) when `cred` is `None`.
fn tc3(
    s: &Signing<'_>,
    p: &Prepared<'_>,
    body: &PreparedBody,
    target: &Target,
    cred: Option<&Credentials>,
    timestamp: u64,
) -> Result<HttpRequest, Error> {
    let (body, bytes) = match body {
        PreparedBody::Json(b) => (CoreBody::Json(b), b.clone()),
        PreparedBody::Query(q) => (CoreBody::Query(q), Bytes::new()),
        PreparedBody::OctetStream(b) => (CoreBody::OctetStream(b), b.clone()),
        PreparedBody::Multipart { content_type, body } => (CoreBody::Multipart { content_type, body }, body.clone()),
        PreparedBody::Form(_) => return Err(Error::configuration("a form is signed only by the legacy signature")),
    };
    let profile = s.profile;
    let trace = p.trace_id.map(TraceIdText::new);
    let trace = trace.as_ref().map(|t| (TRACE_ID_HEADER, t.as_str()));
    // The call's own headers and its trace id, without allocating in the usual case.
    let (one, many): ([Pair<'_>; 1], Vec<Pair<'_>>);
    let headers: &[Pair<'_>] = match (p.headers.is_empty(), trace) {
        (true, None) => &[],
        (true, Some(t)) => {
            one = [t];
            &one
        }
        (false, _) => {
            many = p.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).chain(trace).collect();
            &many
        }
    };
    let signed_names: Vec<&str> = profile.signed_headers.iter().map(String::as_str).collect();
    let mut req = Request::new(p.service, p.version, &p.action, body).host(&target.host).headers(headers);
    if let Some(r) = p.region {
        req = req.region(r);
    }
    if let Some(l) = profile.language {
        req = req.language(l);
    }
    if let Some(tag) = profile.request_client.as_deref() {
        req = req.request_client(tag);
    }
    if !signed_names.is_empty() {
        req = req.sign_headers(&signed_names);
    }
    let signed = match cred {
        Some(c) => {
            if profile.unsigned_payload {
                req = req.unsigned_payload();
            }
            lock(s.signer).sign(&req, &signing_credential(c)?, timestamp)?
        }
        None => SignedRequest::unsigned(&req, timestamp)?,
    };
    let mut headers = HeaderMap::with_capacity(16);
    let mut values = ValueWriter::new(ValueWriter::USUAL);
    for h in signed.headers() {
        let name = header_name(h.name)?;
        let value = values.value(&name, h.value.parts(), target, s.fixed)?;
        headers.append(name.0, value);
    }
    let [_, query] = signed.path_and_query();
    let mut url = target.url.clone();
    if !query.is_empty() {
        url.set_query(Some(query));
    }
    Ok(HttpRequest { method: req.method(), url, headers, body: bytes })
}

/// The legacy v1 signature: common parameters, nonce and signature in the form.
fn legacy(
    s: &Signing<'_>,
    p: &Prepared<'_>,
    params: &[(String, String)],
    method: legacy_v1::SignMethod,
    target: &Target,
    cred: &Credentials,
    timestamp: u64,
) -> Result<HttpRequest, Error> {
    let profile = s.profile;
    let core_cred = signing_credential(cred)?;
    let nonce = fastrand::u32(1..).to_string();
    let timestamp = timestamp.to_string();
    let mut common: Vec<(&str, &str)> = vec![
        ("Action", &p.action),
        ("Nonce", &nonce),
        ("Timestamp", &timestamp),
        ("Version", p.version),
        ("SecretId", core_cred.secret_id()),
        ("SignatureMethod", method.as_str()),
    ];
    if let Some(r) = p.region {
        common.push(("Region", r));
    }
    if let Some(t) = core_cred.token() {
        common.push(("Token", t));
    }
    if let Some(l) = profile.language {
        common.push(("Language", l.as_str()));
    }
    if let Some(tag) = profile.request_client.as_deref() {
        common.push(("RequestClient", tag));
    }
    let mut all = common.clone();
    all.extend(
        params.iter().filter(|(k, _)| !common.iter().any(|(c, _)| c == k)).map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let http_method = match profile.http.method {
        HttpMethod::Get => Method::Get,
        HttpMethod::Post => Method::Post,
    };
    let sig = legacy_v1::signature(core_cred.secret_key(), http_method.as_str(), &target.host, "/", &all, method)
        .map_err(|e| Error::configuration(e.to_string()))?;
    let mut buf = vec![0u8; legacy_v1::form_len(&all, &sig)];
    let form = legacy_v1::write_form(&all, &sig, &mut buf)
        .map_err(|_| Error::configuration("cannot encode the legacy form"))?
        .to_owned();
    let mut headers = HeaderMap::with_capacity(4 + p.headers.len());
    headers.append(http::header::HOST, target.host_value.clone());
    if http_method == Method::Post {
        headers.append(http::header::CONTENT_TYPE, HeaderValue::from_static("application/x-www-form-urlencoded"));
    }
    for (name, value) in p.headers.iter() {
        append(&mut headers, name, value, target, s.fixed)?;
    }
    if let Some(id) = p.trace_id {
        append(&mut headers, TRACE_ID_HEADER, TraceIdText::new(id).as_str(), target, s.fixed)?;
    }
    let mut url = target.url.clone();
    let body = match http_method {
        Method::Get => {
            url.set_query(Some(&form));
            Bytes::new()
        }
        Method::Post => Bytes::from(form),
    };
    Ok(HttpRequest { method: http_method, url, headers, body })
}
