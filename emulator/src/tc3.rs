//! An independent TC3-HMAC-SHA256 implementation (signing primitives and a request verifier).
//!
//! This module deliberately shares no code with `tencentcloud-core`: it is the emulator's own
//! reading of the published algorithm, so that the SDK's signer is checked against a second,
//! separately written implementation.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::clock::utc_date;

type HmacSha256 = Hmac<Sha256>;

/// The algorithm name at the start of the `Authorization` header and the string to sign.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";
/// The `X-TC-Content-SHA256` value that makes the payload hash cover this literal instead of the body.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// Default tolerated difference between `X-TC-Timestamp` and the emulator's clock, in seconds.
pub const DEFAULT_MAX_SKEW_SECS: i64 = 300;

/// Lower-case hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// The derived signing key: `HMAC(HMAC(HMAC("TC3" + secret_key, date), service), "tc3_request")`.
pub fn signing_key(secret_key: &str, date: &str, service: &str) -> [u8; 32] {
    let k_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let k_service = hmac_sha256(&k_date, service.as_bytes());
    hmac_sha256(&k_service, b"tc3_request")
}

/// Builds the canonical request.
///
/// `canonical_headers` must already be in canonical form: one `name:value\n` line per signed header
/// (names lower-case and sorted, values trimmed and lower-cased).
pub fn canonical_request(
    method: &str,
    canonical_query: &str,
    canonical_headers: &str,
    signed_headers: &str,
    hashed_payload: &str,
) -> String {
    format!("{method}\n/\n{canonical_query}\n{canonical_headers}\n{signed_headers}\n{hashed_payload}")
}

/// Builds the string to sign for a canonical request.
pub fn string_to_sign(timestamp: i64, date: &str, service: &str, canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{timestamp}\n{date}/{service}/tc3_request\n{}", sha256_hex(canonical_request.as_bytes()))
}

/// Hex signature of `string_to_sign` under the key derived from `secret_key`, `date` and `service`.
pub fn signature(secret_key: &str, date: &str, service: &str, string_to_sign: &str) -> String {
    hex::encode(hmac_sha256(&signing_key(secret_key, date, service), string_to_sign.as_bytes()))
}

/// A parsed `Authorization: TC3-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The SecretId from the credential scope.
    pub secret_id: String,
    /// The credential-scope date (`YYYY-MM-DD`).
    pub date: String,
    /// The credential-scope service (e.g. `cvm`).
    pub service: String,
    /// The signed header names, in the order given (validated to be lower-case and sorted).
    pub signed_headers: Vec<String>,
    /// The lower-case hex signature.
    pub signature: String,
}

/// Parses a TC3 `Authorization` header value. The error is a human-readable reason.
pub fn parse_authorization(value: &str) -> Result<Authorization, String> {
    let rest =
        value.trim().strip_prefix(ALGORITHM).ok_or_else(|| format!("Authorization must start with `{ALGORITHM}`"))?;
    if !rest.starts_with(' ') {
        return Err(format!("Authorization must have a space after `{ALGORITHM}`"));
    }
    let (mut credential, mut signed, mut sig) = (None, None, None);
    for item in rest.split(',') {
        let item = item.trim();
        let (k, v) = item.split_once('=').ok_or_else(|| format!("malformed Authorization element `{item}`"))?;
        let slot = match k.trim() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut sig,
            other => return Err(format!("unknown Authorization element `{other}`")),
        };
        if slot.replace(v.trim()).is_some() {
            return Err(format!("duplicate Authorization element `{k}`"));
        }
    }
    let credential = credential.ok_or("Authorization lacks Credential")?;
    let signed = signed.ok_or("Authorization lacks SignedHeaders")?;
    let sig = sig.ok_or("Authorization lacks Signature")?;

    let scope: Vec<&str> = credential.split('/').collect();
    if scope.len() != 4 || scope.iter().any(|s| s.is_empty()) || scope[3] != "tc3_request" {
        return Err("Credential must be <SecretId>/<YYYY-MM-DD>/<service>/tc3_request".into());
    }
    if !is_date(scope[1]) {
        return Err(format!("credential scope date `{}` is not YYYY-MM-DD", scope[1]));
    }

    let signed_headers: Vec<String> = signed.split(';').map(str::to_owned).collect();
    for name in &signed_headers {
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_uppercase() || b.is_ascii_whitespace()) {
            return Err(format!("SignedHeaders entry `{name}` must be a non-empty lower-case header name"));
        }
    }
    if signed_headers.windows(2).any(|w| w[0] >= w[1]) {
        return Err("SignedHeaders must be sorted and free of duplicates".into());
    }
    for required in ["content-type", "host"] {
        if !signed_headers.iter().any(|h| h == required) {
            return Err(format!("SignedHeaders must include `{required}`"));
        }
    }
    if sig.len() != 64 || !sig.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err("Signature must be 64 lower-case hex digits".into());
    }
    Ok(Authorization {
        secret_id: scope[0].to_owned(),
        date: scope[1].to_owned(),
        service: scope[2].to_owned(),
        signed_headers,
        signature: sig.to_owned(),
    })
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// What the verifier knows about a SecretId.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// The SecretKey.
    pub secret_key: String,
    /// For temporary (STS / metadata) credentials: the token that must accompany them in `X-TC-Token`.
    pub token: Option<String>,
    /// For temporary credentials: expiry in Unix milliseconds of the emulator's clock.
    pub expires_at_ms: Option<i64>,
}

/// The request as seen by the verifier.
#[derive(Debug, Clone, Copy)]
pub struct VerifyInput<'a> {
    /// HTTP method, e.g. `POST`.
    pub method: &'a str,
    /// The raw query string as sent (without `?`); the canonical query for GET requests.
    pub query: &'a str,
    /// All request headers (any case).
    pub headers: &'a [(String, String)],
    /// The request body.
    pub body: &'a [u8],
}

impl VerifyInput<'_> {
    /// First header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(self.headers, name)
    }
}

/// First header named `name` (case-insensitive) in a header list.
pub fn find_header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// A successfully verified signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The SecretId that signed the request.
    pub secret_id: String,
    /// The credential-scope service.
    pub service: String,
    /// Whether the SecretId is a temporary credential (its token was checked).
    pub temporary: bool,
    /// The rules that made it match (empty: the published canonical form did).
    pub leniency: Vec<Leniency>,
}

/// A verification failure, with the API error code the emulator answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthError {
    /// API error code, e.g. `AuthFailure.SignatureFailure`.
    pub code: &'static str,
    /// Human-readable message for the error envelope.
    pub message: String,
    /// For signature mismatches: the emulator's canonical request and string to sign (debug aid).
    pub detail: Option<String>,
}

impl AuthError {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        AuthError { code, message: message.into(), detail: None }
    }
}

/// Canonical query for a request: the raw query string for GET, empty otherwise.
pub fn canonical_query<'a>(method: &str, query: &'a str) -> &'a str {
    if method.eq_ignore_ascii_case("GET") { query } else { "" }
}

/// Hex SHA-256 of what the payload hash covers for this request.
pub fn hashed_payload(input: &VerifyInput<'_>) -> String {
    let unsigned = input.header("x-tc-content-sha256").is_some_and(|v| v.trim().eq_ignore_ascii_case(UNSIGNED_PAYLOAD));
    if unsigned {
        sha256_hex(UNSIGNED_PAYLOAD.as_bytes())
    } else if input.method.eq_ignore_ascii_case("GET") {
        sha256_hex(b"")
    } else {
        sha256_hex(input.body)
    }
}

/// Verifies a TC3-signed request.
///
/// `now_ms` is the emulator's clock; `lookup` resolves a SecretId. Checks, in order: required
/// headers, Authorization syntax, signed headers present, scope date = UTC date of the timestamp,
/// clock skew, SecretId known, temporary-credential expiry and token, and finally the signature.
pub fn verify(
    input: &VerifyInput<'_>,
    now_ms: i64,
    max_skew_secs: i64,
    lookup: impl FnOnce(&str) -> Option<KeyInfo>,
) -> Result<Verified, AuthError> {
    let auth_value = input.header("authorization").ok_or_else(|| missing("Authorization"))?.trim().to_owned();
    let ts_value = input.header("x-tc-timestamp").ok_or_else(|| missing("X-TC-Timestamp"))?;
    let timestamp: i64 = ts_value.trim().parse().map_err(|_| {
        AuthError::new("InvalidParameter", format!("X-TC-Timestamp `{ts_value}` is not a Unix timestamp in seconds."))
    })?;
    let auth = parse_authorization(&auth_value).map_err(|reason| {
        AuthError::new("AuthFailure.InvalidAuthorization", format!("Invalid Authorization header: {reason}."))
    })?;

    // Each signed header's canonical value (`name:value`, value trimmed and lower-cased).
    let mut canonical: Vec<(&str, String)> = Vec::with_capacity(auth.signed_headers.len());
    for name in &auth.signed_headers {
        let value = input.header(name).ok_or_else(|| {
            AuthError::new(
                "AuthFailure.InvalidAuthorization",
                format!("Invalid Authorization header: signed header `{name}` is not present in the request."),
            )
        })?;
        canonical.push((name, value.trim().to_ascii_lowercase()));
    }

    let expected_date = utc_date(timestamp);
    if auth.date != expected_date {
        return Err(AuthError::new(
            "AuthFailure.SignatureFailure",
            format!(
                "The credential scope date `{}` does not match the UTC date `{expected_date}` of X-TC-Timestamp {timestamp}.",
                auth.date
            ),
        ));
    }

    let now = now_ms.div_euclid(1000);
    if (timestamp - now).abs() > max_skew_secs {
        return Err(AuthError::new(
            "AuthFailure.SignatureExpire",
            format!(
                "Signature expired. X-TC-Timestamp {timestamp} differs from the server time {now} by more than {max_skew_secs} seconds."
            ),
        ));
    }

    let key = lookup(&auth.secret_id).ok_or_else(|| {
        AuthError::new("AuthFailure.SecretIdNotFound", format!("The SecretId `{}` is not found.", auth.secret_id))
    })?;
    let temporary = key.token.is_some();
    if let Some(expected_token) = &key.token {
        if key.expires_at_ms.is_some_and(|exp| now_ms >= exp) {
            return Err(AuthError::new("AuthFailure.TokenFailure", "The temporary credential (token) has expired."));
        }
        match input.header("x-tc-token") {
            None => {
                return Err(AuthError::new(
                    "AuthFailure.TokenFailure",
                    "A temporary SecretId requires its token in X-TC-Token.",
                ));
            }
            Some(t) if t.trim() != expected_token => {
                return Err(AuthError::new("AuthFailure.TokenFailure", "The X-TC-Token does not match the SecretId."));
            }
            Some(_) => {}
        }
    }

    let signed_headers = auth.signed_headers.join(";");
    let hashed = hashed_payload(input);
    let signing_key = signing_key(&key.secret_key, &auth.date, &auth.service);
    let given = hex::decode(&auth.signature).unwrap_or_default();
    let sign = |canonical: &[(&str, String)]| {
        let mut headers = String::new();
        for (name, value) in canonical {
            headers.push_str(name);
            headers.push(':');
            headers.push_str(value);
            headers.push('\n');
        }
        let creq = canonical_request(
            &input.method.to_ascii_uppercase(),
            canonical_query(input.method, input.query),
            &headers,
            &signed_headers,
            &hashed,
        );
        let sts = string_to_sign(timestamp, &auth.date, &auth.service, &creq);
        let mut mac = HmacSha256::new_from_slice(&signing_key).expect("HMAC accepts keys of any length");
        mac.update(sts.as_bytes());
        (mac.verify_slice(&given).is_ok(), creq, sts)
    };
    let (ok, creq, sts) = sign(&canonical);
    if ok {
        return Ok(Verified { secret_id: auth.secret_id, service: auth.service, temporary, leniency: Vec::new() });
    }
    // The published form failed: the forms official SDKs sign instead, each a named rule that
    // changes one signed header's spelling only (same key, scope, body hash and other headers).
    for (variant, rules) in lenient_variants(input, &canonical) {
        if sign(&variant).0 {
            return Ok(Verified { secret_id: auth.secret_id, service: auth.service, temporary, leniency: rules });
        }
    }
    Err(AuthError {
        code: "AuthFailure.SignatureFailure",
        message: "The provided credentials could not be validated. Please check your signature is correct.".into(),
        detail: Some(format!("canonical request:\n{creq}\n\nstring to sign:\n{sts}")),
    })
}

/// A way an official SDK's signature differs from the published canonical form that the
/// verifier accepts (tried only after the published form fails). Each one changes how one
/// signed header is spelled, never what is signed: the key, the credential scope, the body's
/// hash and every other header still have to match, so a wrong key or a changed body fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Leniency {
    /// `host-without-port`: `host` signed without the port that the `Host` header carries.
    /// The Node.js SDK signs `URL.hostname` while sending `URL.host` (`127.0.0.1` for
    /// `Host: 127.0.0.1:8080`).
    HostWithoutPort,
    /// `content-type-as-sent`: `content-type` signed exactly as sent, not lower-cased
    /// (`application/json; charset=UTF-8`).
    ContentTypeAsSent,
    /// `content-type-charset`: `content-type` signed with, or without, a `charset=utf-8`
    /// parameter that the HTTP stack then dropped or added (OkHttp, .NET `StringContent`,
    /// axios), or with the other spacing after `;`. Same media type and other parameters;
    /// any other charset is not matched.
    ContentTypeCharset,
}

impl Leniency {
    /// Every rule, in the order they are tried.
    pub const ALL: [Leniency; 3] =
        [Leniency::HostWithoutPort, Leniency::ContentTypeAsSent, Leniency::ContentTypeCharset];

    /// The rule's name (`host-without-port`, `content-type-as-sent`, `content-type-charset`).
    pub fn name(self) -> &'static str {
        match self {
            Leniency::HostWithoutPort => "host-without-port",
            Leniency::ContentTypeAsSent => "content-type-as-sent",
            Leniency::ContentTypeCharset => "content-type-charset",
        }
    }
}

impl std::fmt::Display for Leniency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// `host` without its port: `127.0.0.1:8080` -> `127.0.0.1`, `[::1]:8080` -> `[::1]`.
pub fn host_without_port(host: &str) -> Option<&str> {
    let (name, port) = host.rsplit_once(':')?;
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) || name.is_empty() {
        return None;
    }
    // A bare IPv6 address (`::1`) has colons but no port.
    if name.contains(':') && !(name.starts_with('[') && name.ends_with(']')) {
        return None;
    }
    Some(name)
}

/// The other spellings of a `Content-Type` value (as sent) that an SDK may have signed, each
/// with its rule: the value as sent, and the same media type with or without `charset=utf-8`.
pub fn content_type_variants(sent: &str) -> Vec<(String, Leniency)> {
    let sent = sent.trim();
    let strict = sent.to_ascii_lowercase();
    let mut out: Vec<(String, Leniency)> = Vec::new();
    let push = |value: String, rule: Leniency, out: &mut Vec<(String, Leniency)>| {
        if value != strict && !out.iter().any(|(v, _)| *v == value) {
            out.push((value, rule));
        }
    };
    push(sent.to_owned(), Leniency::ContentTypeAsSent, &mut out);
    let mut parts = strict.split(';').map(str::trim);
    let media = parts.next().unwrap_or("");
    if !media.contains('/') || media.contains(char::is_whitespace) {
        return out;
    }
    let mut others = Vec::new();
    for p in parts.filter(|p| !p.is_empty()) {
        match p.strip_prefix("charset").map(str::trim_start).and_then(|r| r.strip_prefix('=')) {
            Some(cs) if matches!(cs.trim().trim_matches('"'), "utf-8" | "utf8") => {}
            // Another charset changes what the body's bytes mean: no rule covers it.
            Some(_) => return out,
            None => others.push(p),
        }
    }
    let mut base = media.to_owned();
    for p in &others {
        base.push_str("; ");
        base.push_str(p);
    }
    for value in [base.clone(), format!("{base}; charset=utf-8"), format!("{base};charset=utf-8")] {
        push(value, Leniency::ContentTypeCharset, &mut out);
    }
    out
}

/// The lenient forms of the canonical headers, each with the rules it applies, in the order
/// they are tried (one rule at a time first, then a host rule with a content-type rule).
type Variant<'a> = (Vec<(&'a str, String)>, Vec<Leniency>);

fn lenient_variants<'a>(input: &VerifyInput<'_>, canonical: &[(&'a str, String)]) -> Vec<Variant<'a>> {
    let host = canonical.iter().position(|(n, _)| *n == "host");
    let ct = canonical.iter().position(|(n, _)| *n == "content-type");
    let host_alt = host.and_then(|i| host_without_port(&canonical[i].1).map(|h| (i, h.to_owned())));
    let ct_alts: Vec<(usize, String, Leniency)> = match (ct, input.header("content-type")) {
        (Some(i), Some(sent)) => content_type_variants(sent).into_iter().map(|(v, r)| (i, v, r)).collect(),
        _ => Vec::new(),
    };
    let owned = canonical.to_vec();
    let mut out = Vec::new();
    if let Some((i, h)) = &host_alt {
        let mut v = owned.clone();
        v[*i].1.clone_from(h);
        out.push((v, vec![Leniency::HostWithoutPort]));
    }
    for (i, value, rule) in &ct_alts {
        let mut v = owned.clone();
        v[*i].1.clone_from(value);
        out.push((v, vec![*rule]));
    }
    if let Some((hi, h)) = &host_alt {
        for (i, value, rule) in &ct_alts {
            let mut v = owned.clone();
            v[*hi].1.clone_from(h);
            v[*i].1.clone_from(value);
            out.push((v, vec![Leniency::HostWithoutPort, *rule]));
        }
    }
    out
}

fn missing(name: &str) -> AuthError {
    AuthError::new("MissingParameter", format!("The request is missing a required parameter `{name}`."))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******";
    const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3*******";
    const BODY: &str = r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
    const SIG: &str = "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c";
    const TS: i64 = 1_551_113_065;

    fn headers(auth: &str) -> Vec<(String, String)> {
        vec![
            ("Host".into(), "cvm.tencentcloudapi.com".into()),
            ("Content-Type".into(), "application/json; charset=utf-8".into()),
            ("X-TC-Action".into(), "DescribeInstances".into()),
            ("X-TC-Timestamp".into(), TS.to_string()),
            ("X-TC-Version".into(), "2017-03-12".into()),
            ("X-TC-Region".into(), "ap-guangzhou".into()),
            ("Authorization".into(), auth.into()),
        ]
    }

    fn auth(sig: &str) -> String {
        format!(
            "TC3-HMAC-SHA256 Credential={ID}/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature={sig}"
        )
    }

    fn lookup(id: &str) -> Option<KeyInfo> {
        (id == ID).then(|| KeyInfo { secret_key: KEY.into(), token: None, expires_at_ms: None })
    }

    #[test]
    fn published_example_primitives() {
        assert_eq!(sha256_hex(BODY.as_bytes()), "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064");
        let creq = canonical_request(
            "POST",
            "",
            "content-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n",
            "content-type;host",
            &sha256_hex(BODY.as_bytes()),
        );
        let sts = string_to_sign(TS, "2019-02-25", "cvm", &creq);
        assert_eq!(signature(KEY, "2019-02-25", "cvm", &sts), SIG);
    }

    #[test]
    fn published_example_verifies() {
        let h = headers(&auth(SIG));
        let input = VerifyInput { method: "POST", query: "", headers: &h, body: BODY.as_bytes() };
        let v = verify(&input, TS * 1000, 300, lookup).expect("published example must verify");
        assert_eq!(v, Verified { secret_id: ID.into(), service: "cvm".into(), temporary: false, leniency: vec![] });
    }

    #[test]
    fn published_example_tampered_fails() {
        let h = headers(&auth(SIG));
        let body = BODY.replace("1,", "2,");
        let input = VerifyInput { method: "POST", query: "", headers: &h, body: body.as_bytes() };
        let err = verify(&input, TS * 1000, 300, lookup).unwrap_err();
        assert_eq!(err.code, "AuthFailure.SignatureFailure");
        assert!(err.detail.unwrap().contains("content-type;host"));
    }

    #[test]
    fn skew_and_unknown_id() {
        let h = headers(&auth(SIG));
        let input = VerifyInput { method: "POST", query: "", headers: &h, body: BODY.as_bytes() };
        assert_eq!(verify(&input, (TS + 301) * 1000, 300, lookup).unwrap_err().code, "AuthFailure.SignatureExpire");
        assert!(verify(&input, (TS - 300) * 1000, 300, lookup).is_ok());
        assert_eq!(verify(&input, TS * 1000, 300, |_| None).unwrap_err().code, "AuthFailure.SecretIdNotFound");
    }

    #[test]
    fn authorization_parsing() {
        assert!(parse_authorization(&auth(SIG)).is_ok());
        let bad = [
            "Basic abc",
            "TC3-HMAC-SHA256Credential=a/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=00",
            "TC3-HMAC-SHA256 Credential=a/2019-02-25/cvm, SignedHeaders=content-type;host, Signature=00",
            "TC3-HMAC-SHA256 Credential=a/2019-02-25/cvm/tc3_request, SignedHeaders=host;content-type, Signature=00",
            "TC3-HMAC-SHA256 Credential=a/2019-02-25/cvm/tc3_request, SignedHeaders=host, Signature=00",
        ];
        for b in bad {
            assert!(parse_authorization(b).is_err(), "{b}");
        }
        let with_action = format!(
            "TC3-HMAC-SHA256 Credential={ID}/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature={SIG}"
        );
        assert_eq!(parse_authorization(&with_action).unwrap().signed_headers.len(), 3);
    }

    /// Headers of a POST signed the way a client did it: `ct_signed` and `host_signed` in the
    /// canonical request (verbatim), `ct_sent` and `host_sent` on the wire, over `signed_body`.
    fn lenient_request(
        host_sent: &str,
        host_signed: &str,
        ct_sent: &str,
        ct_signed: &str,
        signed_body: &str,
        key: &str,
    ) -> Vec<(String, String)> {
        let creq = canonical_request(
            "POST",
            "",
            &format!("content-type:{ct_signed}\nhost:{host_signed}\n"),
            "content-type;host",
            &sha256_hex(signed_body.as_bytes()),
        );
        let sig = signature(key, "2019-02-25", "cvm", &string_to_sign(TS, "2019-02-25", "cvm", &creq));
        vec![
            ("Host".into(), host_sent.into()),
            ("Content-Type".into(), ct_sent.into()),
            ("X-TC-Timestamp".into(), TS.to_string()),
            ("Authorization".into(), auth(&sig)),
        ]
    }

    fn check(headers: &[(String, String)], body: &str) -> Result<Vec<Leniency>, &'static str> {
        let input = VerifyInput { method: "POST", query: "", headers, body: body.as_bytes() };
        verify(&input, TS * 1000, 300, lookup).map(|v| v.leniency).map_err(|e| e.code)
    }

    /// What the official SDKs send (Python, Go, Node.js, Java, tccli): JSON with and without
    /// charset, the form of GET calls, multipart with its boundary, octet-stream (Node.js adds
    /// `charset=utf-8`). Signed as sent, each verifies by the published form, no rule needed.
    #[test]
    fn official_content_type_spellings_verify_strictly() {
        for ct in [
            "application/json",
            "application/json; charset=utf-8",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=9a3e0f6ac1b94b1fb6a5f4b2d1d0c2a1",
            "multipart/form-data; boundary=--------------------------123456789012345678901234",
            "application/octet-stream",
            "application/octet-stream; charset=utf-8",
        ] {
            let h = lenient_request("cvm.tencentcloudapi.com", "cvm.tencentcloudapi.com", ct, ct, BODY, KEY);
            assert_eq!(check(&h, BODY), Ok(vec![]), "{ct}");
        }
    }

    /// The Node.js SDK: `Host: 127.0.0.1:8080` sent, `host:127.0.0.1` signed.
    #[test]
    fn rule_host_without_port() {
        for (sent, signed) in [
            ("127.0.0.1:8080", "127.0.0.1"),
            ("cvm.tencentcloudapi.com:8443", "cvm.tencentcloudapi.com"),
            ("[::1]:8080", "[::1]"),
        ] {
            let h = lenient_request(sent, signed, "application/json", "application/json", BODY, KEY);
            assert_eq!(check(&h, BODY), Ok(vec![Leniency::HostWithoutPort]), "{sent}");
        }
        assert_eq!(host_without_port("a.b:1"), Some("a.b"));
        assert_eq!(host_without_port("[::1]:443"), Some("[::1]"));
        for none in ["a.b", "a.b:", ":80", "::1", "a.b:x1"] {
            assert_eq!(host_without_port(none), None, "{none}");
        }
    }

    /// Signed verbatim, not lower-cased.
    #[test]
    fn rule_content_type_as_sent() {
        let ct = "application/json; charset=UTF-8";
        let h = lenient_request("cvm.tencentcloudapi.com", "cvm.tencentcloudapi.com", ct, ct, BODY, KEY);
        assert_eq!(check(&h, BODY), Ok(vec![Leniency::ContentTypeAsSent]));
    }

    /// A charset parameter added or dropped by the HTTP stack after signing, or respaced.
    #[test]
    fn rule_content_type_charset() {
        for (sent, signed) in [
            ("application/json; charset=utf-8", "application/json"),
            ("application/json", "application/json; charset=utf-8"),
            ("application/json; charset=utf-8", "application/json;charset=utf-8"),
            ("application/json;charset=UTF-8", "application/json"),
            ("application/octet-stream; charset=\"utf-8\"", "application/octet-stream"),
        ] {
            let h = lenient_request("cvm.tencentcloudapi.com", "cvm.tencentcloudapi.com", sent, signed, BODY, KEY);
            assert_eq!(check(&h, BODY), Ok(vec![Leniency::ContentTypeCharset]), "{sent} / {signed}");
        }
        // Both at once: the Node.js SDK's host with a charset added on the way.
        let h = lenient_request(
            "127.0.0.1:9",
            "127.0.0.1",
            "application/json; charset=utf-8",
            "application/json",
            BODY,
            KEY,
        );
        assert_eq!(check(&h, BODY), Ok(vec![Leniency::HostWithoutPort, Leniency::ContentTypeCharset]));
    }

    /// No rule lets a wrong key, a changed body, another host, another media type or another
    /// charset through.
    #[test]
    fn no_rule_passes_a_wrong_key_a_changed_body_or_another_header() {
        let lenient = [
            ("127.0.0.1:8080", "127.0.0.1", "application/json", "application/json"),
            (
                "cvm.tencentcloudapi.com",
                "cvm.tencentcloudapi.com",
                "application/json; charset=UTF-8",
                "application/json; charset=UTF-8",
            ),
            (
                "cvm.tencentcloudapi.com",
                "cvm.tencentcloudapi.com",
                "application/json; charset=utf-8",
                "application/json",
            ),
            ("127.0.0.1:9", "127.0.0.1", "application/json; charset=utf-8", "application/json"),
        ];
        let wrong_key = "Gu5t9xGARNpq86cd98joQYCN3*******X";
        let changed = BODY.replace("1,", "2,");
        for (host_sent, host_signed, ct_sent, ct_signed) in lenient {
            let good = lenient_request(host_sent, host_signed, ct_sent, ct_signed, BODY, KEY);
            assert!(check(&good, BODY).is_ok(), "{host_sent} {ct_sent}");
            let bad_key = lenient_request(host_sent, host_signed, ct_sent, ct_signed, BODY, wrong_key);
            assert_eq!(check(&bad_key, BODY), Err("AuthFailure.SignatureFailure"), "{host_sent} {ct_sent}");
            assert_eq!(check(&good, &changed), Err("AuthFailure.SignatureFailure"), "{host_sent} {ct_sent}");
        }
        for (host_sent, host_signed, ct_sent, ct_signed) in [
            // Another host, with or without a port.
            ("127.0.0.1:8080", "127.0.0.2", "application/json", "application/json"),
            ("cvm.tencentcloudapi.com:8080", "vpc.tencentcloudapi.com", "application/json", "application/json"),
            // Signed with a port that was not sent (no rule adds one).
            ("127.0.0.1", "127.0.0.1:8080", "application/json", "application/json"),
            // Another media type or charset.
            ("h", "h", "application/json", "application/x-www-form-urlencoded"),
            ("h", "h", "application/json; charset=gbk", "application/json"),
            ("h", "h", "application/json; charset=gbk", "application/json; charset=utf-8"),
            ("h", "h", "multipart/form-data; boundary=a", "multipart/form-data; boundary=b"),
            ("h", "h", "multipart/form-data; boundary=a", "multipart/form-data"),
        ] {
            let h = lenient_request(host_sent, host_signed, ct_sent, ct_signed, BODY, KEY);
            assert_eq!(
                check(&h, BODY),
                Err("AuthFailure.SignatureFailure"),
                "{host_sent}/{host_signed} {ct_sent}/{ct_signed}"
            );
        }
    }

    #[test]
    fn rule_names() {
        let names: Vec<&str> = Leniency::ALL.iter().map(|l| l.name()).collect();
        assert_eq!(names, ["host-without-port", "content-type-as-sent", "content-type-charset"]);
    }
}
