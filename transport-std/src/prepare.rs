//! Request preparation: one call's parameters encoded once, its headers, region,
//! time limit and whether it is safe to repeat, ready to be signed for each attempt.

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

/// One call, ready to be signed for each attempt.
pub(crate) struct Prepared {
    pub(crate) service: String,
    pub(crate) version: String,
    pub(crate) action: String,
    pub(crate) region: Option<String>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: PreparedBody,
    pub(crate) signing: SigningStrategy,
    pub(crate) idempotent: bool,
    pub(crate) timeout: Duration,
    pub(crate) endpoint: Option<String>,
}

/// What a call is, before the client's settings apply.
pub(crate) struct Call<'a> {
    pub(crate) service: &'a str,
    pub(crate) version: &'a str,
    pub(crate) action: &'a str,
    pub(crate) opts: &'a CallOptions,
}

impl Call<'_> {
    /// A call with JSON parameters (`null` means none): a JSON body for POST, a query
    /// for GET, a form for the legacy signature.
    pub(crate) fn json(
        &self,
        profile: &ClientProfile,
        region: Option<&str>,
        params: serde_json::Value,
    ) -> Result<Prepared, Error> {
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

    /// A call with a body of its own (octet-stream, multipart): always signed with TC3.
    pub(crate) fn raw(&self, profile: &ClientProfile, region: Option<&str>, body: PreparedBody) -> Prepared {
        let signing = SigningStrategy::for_raw(self.opts.skip_sign);
        self.prepare(profile, region, body, signing, false)
    }

    fn prepare(
        &self,
        profile: &ClientProfile,
        region: Option<&str>,
        body: PreparedBody,
        signing: SigningStrategy,
        client_token: bool,
    ) -> Prepared {
        let opts = self.opts;
        let action = capitalize(self.action);
        let mut headers = opts.headers.clone();
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(TRACE_ID_HEADER)) {
            headers.push((TRACE_ID_HEADER.to_owned(), trace_id()));
        }
        let region = match &opts.region {
            Some(r) => Some(r.clone()).filter(|r| !r.is_empty()),
            None => region.map(str::to_owned),
        };
        let idempotent = opts.idempotent.unwrap_or_else(|| is_read_only_action(&action) || client_token);
        Prepared {
            service: self.service.to_owned(),
            version: self.version.to_owned(),
            action,
            region,
            headers,
            body,
            signing,
            idempotent,
            timeout: opts.timeout.unwrap_or(profile.http.timeout),
            endpoint: opts.endpoint.clone(),
        }
    }
}

/// A random UUID v4 for `X-TC-TraceId` (from a fast per-thread generator: a trace id
/// needs uniqueness, not secrecy, and a system call per request would cost more than
/// the signature).
fn trace_id() -> String {
    let bytes = fastrand::u128(..).to_le_bytes();
    uuid::Builder::from_random_bytes(bytes).into_uuid().hyphenated().to_string()
}

/// The first letter upper-cased, as the API expects.
fn capitalize(action: &str) -> String {
    let mut c = action.chars();
    match c.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
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
    }
}
