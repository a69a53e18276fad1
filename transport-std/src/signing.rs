//! Signing one attempt: the strategy a call uses (TC3-HMAC-SHA256, the legacy v1
//! signature, or none) and the HTTP request it yields.

use std::sync::Mutex;

use bytes::Bytes;
use tencentcloud_core::legacy_v1;
use tencentcloud_core::request::Body as CoreBody;
use tencentcloud_core::{Method, Request, SignedRequest, Signer};

use crate::endpoint::Target;
use crate::error::Error;
use crate::http::HttpRequest;
use crate::prepare::{Prepared, PreparedBody};
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

/// Signs `p` for one attempt to `target` at `timestamp` (`cred` is `None` only for
/// [`SigningStrategy::Skip`]).
pub(crate) fn sign(
    signer: &Mutex<Signer<8>>,
    profile: &ClientProfile,
    p: &Prepared,
    target: &Target,
    cred: Option<&Credentials>,
    timestamp: u64,
) -> Result<HttpRequest, Error> {
    match (p.signing, &p.body, cred) {
        (SigningStrategy::LegacyV1(method), PreparedBody::Form(params), Some(cred)) => {
            legacy(profile, p, params, method, target, cred, timestamp)
        }
        (SigningStrategy::LegacyV1(_), _, _) => Err(Error::configuration("the legacy signature signs only forms")),
        (_, PreparedBody::Form(_), _) => Err(Error::configuration("a form is signed only by the legacy signature")),
        (SigningStrategy::Tc3, _, None) => Err(Error::configuration("a signed call needs a credential")),
        (_, body, cred) => tc3(signer, profile, p, body, target, cred, timestamp),
    }
}

/// TC3-HMAC-SHA256, or the unsigned request (`Authorization: SKIP`) when `cred` is `None`.
fn tc3(
    signer: &Mutex<Signer<8>>,
    profile: &ClientProfile,
    p: &Prepared,
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
    let headers: Vec<(&str, &str)> = p.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let signed_names: Vec<&str> = profile.signed_headers.iter().map(String::as_str).collect();
    let mut req = Request::new(&p.service, &p.version, &p.action, body).host(&target.host).headers(&headers);
    if let Some(r) = p.region.as_deref() {
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
            lock(signer).sign(&req, &signing_credential(c)?, timestamp)?
        }
        None => SignedRequest::unsigned(&req, timestamp)?,
    };
    let headers = signed.headers().map(|h| (h.name.to_owned(), h.value.parts().concat())).collect();
    let [_, query] = signed.path_and_query();
    let url = if query.is_empty() { target.url.clone() } else { format!("{}?{query}", target.url) };
    Ok(HttpRequest { method: req.method(), url, headers, body: bytes })
}

/// The legacy v1 signature: common parameters, nonce and signature in the form.
fn legacy(
    profile: &ClientProfile,
    p: &Prepared,
    params: &[(String, String)],
    method: legacy_v1::SignMethod,
    target: &Target,
    cred: &Credentials,
    timestamp: u64,
) -> Result<HttpRequest, Error> {
    let core_cred = signing_credential(cred)?;
    let nonce = fastrand::u32(1..).to_string();
    let timestamp = timestamp.to_string();
    let mut common: Vec<(&str, &str)> = vec![
        ("Action", &p.action),
        ("Nonce", &nonce),
        ("Timestamp", &timestamp),
        ("Version", &p.version),
        ("SecretId", core_cred.secret_id()),
        ("SignatureMethod", method.as_str()),
    ];
    if let Some(r) = p.region.as_deref() {
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
    let sig = legacy_v1::signature(core_cred.secret_key(), http_method.as_str(), &target.host, "/", &all, method);
    let mut buf = vec![0u8; legacy_v1::form_len(&all, &sig)];
    let form = legacy_v1::write_form(&all, &sig, &mut buf)
        .map_err(|_| Error::configuration("cannot encode the legacy form"))?
        .to_owned();
    let mut headers = vec![("Host".to_owned(), target.host.clone())];
    if http_method == Method::Post {
        headers.push(("Content-Type".to_owned(), "application/x-www-form-urlencoded".to_owned()));
    }
    headers.extend(p.headers.iter().cloned());
    let (url, body) = match http_method {
        Method::Get => (format!("{}?{form}", target.url), Bytes::new()),
        Method::Post => (target.url.clone(), Bytes::from(form)),
    };
    Ok(HttpRequest { method: http_method, url, headers, body })
}
