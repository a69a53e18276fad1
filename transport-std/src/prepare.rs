//! Request preparation: one call's parameters encoded once, its headers, region,
//! time limit and whether it is safe to repeat, ready to be signed for each attempt.

use std::borrow::Cow;
use std::time::Duration;

use bytes::Bytes;

use crate::error::Error;
use crate::options::CallOptions;
use crate::profile::{ClientProfile, HttpMethod};
use crate::retry::{has_client_token, is_read_only_action};
use crate::signing::SigningStrategy;

/// The header that carries a trace id per call.
pub const TRACE_ID_HEADER: &str = "X-TC-TraceId";

/// The body of a prepared call, encoded once.
pub(crate) enum PreparedBody {
    /// A JSON object (POST).
    Json(Bytes),
    /// Form parameters in the query (GET).
    Query(String),
    /// Raw bytes.
    OctetStream(Bytes),
    /// A `multipart/form-data` body.
    Multipart { content_type: String, body: Bytes },
    /// Flattened parameters (`Filters.0.Name`), sent as a form with the common
    /// parameters and the signature of each attempt (legacy v1).
    Form(Vec<(String, String)>),
}

/// One call, ready to be signed for each attempt (borrowing what the caller and the
/// client hold).
pub(crate) struct Prepared<'a> {
    pub(crate) service: &'a str,
    pub(crate) version: &'a str,
    pub(crate) action: Cow<'a, str>,
    pub(crate) region: Option<&'a str>,
    /// The call's own headers (options, octet-stream parameters).
    pub(crate) headers: Cow<'a, [(String, String)]>,
    /// The `X-TC-TraceId` to send, unless the headers hold one.
    pub(crate) trace_id: Option<uuid::Uuid>,
    pub(crate) body: PreparedBody,
    pub(crate) signing: SigningStrategy,
    pub(crate) idempotent: bool,
    pub(crate) timeout: Duration,
    /// The time limit of the whole call: credentials, attempts and backoff.
    pub(crate) deadline: Duration,
    pub(crate) endpoint: Option<&'a str>,
}

/// An `X-TC-TraceId` value written out (a hyphenated UUID).
pub(crate) struct TraceIdText([u8; uuid::fmt::Hyphenated::LENGTH]);

impl TraceIdText {
    pub(crate) fn new(id: uuid::Uuid) -> Self {
        let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
        id.hyphenated().encode_lower(&mut buf);
        Self(buf)
    }

    pub(crate) fn as_str(&self) -> &str {
        // Always ASCII hex digits and hyphens.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// What a call is, before the client's settings apply.
pub(crate) struct Call<'a> {
    pub(crate) service: &'a str,
    pub(crate) version: &'a str,
    pub(crate) action: &'a str,
    pub(crate) opts: &'a CallOptions,
}

impl<'a> Call<'a> {
    /// A call with JSON parameters (`null` means none): a JSON body for POST, a query
    /// for GET, a form for the legacy signature.
    pub(crate) fn json(
        &self,
        profile: &ClientProfile,
        region: Option<&'a str>,
        params: serde_json::Value,
    ) -> Result<Prepared<'a>, Error> {
        let params = match params {
            serde_json::Value::Null => serde_json::Value::Object(Default::default()),
            v @ serde_json::Value::Object(_) => v,
            _ => return Err(Error::configuration("the parameters must be a JSON object")),
        };
        let signing = SigningStrategy::for_params(profile.sign_method, self.opts.skip_sign);
        let client_token = has_client_token(&params);
        let body = match (&signing, profile.http.method) {
            (SigningStrategy::LegacyV1(_), _) => PreparedBody::Form(tencentcloud_core::query::flatten_pairs(&params)),
            (_, HttpMethod::Get) => PreparedBody::Query(tencentcloud_core::query::flatten_json(&params)),
            (_, HttpMethod::Post) => {
                PreparedBody::Json(serde_json::to_vec(&params).map_err(|e| Error::configuration(e.to_string()))?.into())
            }
        };
        Ok(self.prepare(profile, region, body, signing, client_token))
    }

    /// A call with parameters already written as a JSON object (the typed models'
    /// writer): sent as they are when the body is JSON, else read back for the query or
    /// the legacy form.
    pub(crate) fn json_text(
        &self,
        profile: &ClientProfile,
        region: Option<&'a str>,
        text: String,
    ) -> Result<Prepared<'a>, Error> {
        let signing = SigningStrategy::for_params(profile.sign_method, self.opts.skip_sign);
        let as_is =
            matches!(signing, SigningStrategy::Tc3 | SigningStrategy::Skip) && profile.http.method == HttpMethod::Post;
        let value =
            || serde_json::from_str(&text).map_err(|e| Error::configuration(format!("invalid JSON parameters: {e}")));
        if !as_is {
            return self.json(profile, region, value()?);
        }
        if !text.starts_with('{') {
            return Err(Error::configuration("the parameters must be a JSON object"));
        }
        // Only a text that names the member can carry one.
        let client_token = text.contains("\"ClientToken\"") && has_client_token(&value()?);
        let body = PreparedBody::Json(Bytes::from(text.into_bytes()));
        Ok(self.prepare(profile, region, body, signing, client_token))
    }

    /// A call with a body of its own (octet-stream, multipart): always signed with TC3.
    pub(crate) fn raw(&self, profile: &ClientProfile, region: Option<&'a str>, body: PreparedBody) -> Prepared<'a> {
        let signing = SigningStrategy::for_raw(self.opts.skip_sign);
        self.prepare(profile, region, body, signing, false)
    }

    fn prepare(
        &self,
        profile: &ClientProfile,
        region: Option<&'a str>,
        body: PreparedBody,
        signing: SigningStrategy,
        client_token: bool,
    ) -> Prepared<'a> {
        let opts = self.opts;
        let action = capitalize(self.action);
        let own_trace = opts.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(TRACE_ID_HEADER));
        let region = match &opts.region {
            Some(r) => Some(r.as_str()).filter(|r| !r.is_empty()),
            None => region,
        };
        let idempotent = opts.idempotent.unwrap_or_else(|| is_read_only_action(&action) || client_token);
        Prepared {
            service: self.service,
            version: self.version,
            action,
            region,
            headers: Cow::Borrowed(&opts.headers),
            trace_id: (!own_trace).then(trace_id),
            body,
            signing,
            idempotent,
            timeout: opts.timeout.unwrap_or(profile.http.timeout),
            deadline: opts.deadline.unwrap_or(profile.deadline),
            endpoint: opts.endpoint.as_deref(),
        }
    }
}

/// A random UUID v4 for `X-TC-TraceId` (from a fast per-thread generator: a trace id
/// needs uniqueness, not secrecy, and a system call per request would cost more than
/// the signature).
fn trace_id() -> uuid::Uuid {
    uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid()
}

/// The first letter upper-cased, as the API expects (borrowed when it already is).
fn capitalize(action: &str) -> Cow<'_, str> {
    let mut c = action.chars();
    match c.next() {
        Some(first) if !first.is_ascii_uppercase() => Cow::Owned(first.to_ascii_uppercase().to_string() + c.as_str()),
        _ => Cow::Borrowed(action),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_flattening() {
        let v = serde_json::json!({"Limit": 1, "Flag": true, "Skip": null, "Filters": [{"Name": "zone", "Values": ["a b"]}]});
        let pairs = tencentcloud_core::query::flatten_pairs(&v);
        let want = [("Limit", "1"), ("Flag", "True"), ("Filters.0.Name", "zone"), ("Filters.0.Values.0", "a b")];
        assert_eq!(pairs, want.map(|(k, v)| (k.to_owned(), v.to_owned())));
        assert_eq!(capitalize("describeZones"), "DescribeZones");
        assert_eq!(capitalize(""), "");
        assert!(matches!(capitalize("DescribeZones"), Cow::Borrowed("DescribeZones")));
        assert_eq!(TraceIdText::new(uuid::Uuid::nil()).as_str(), "00000000-0000-0000-0000-000000000000");
    }
}
