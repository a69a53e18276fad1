//! Redaction for the debug dump of requests and responses: no secret is ever logged.

use std::fmt::Write as _;

use crate::http::HeaderMap;

/// Shown instead of a secret.
pub(crate) const REDACTED: &str = "<redacted>";

/// The longest body shown in a dump.
const MAX_DUMP: usize = 4096;

/// Headers whose values are never logged.
fn is_secret_header(name: &str) -> bool {
    ["authorization", "x-tc-token", "proxy-authorization", "cookie", "set-cookie"]
        .iter()
        .any(|h| name.eq_ignore_ascii_case(h))
        || is_secret_key(name)
}

/// JSON keys and form parameters whose values are never logged: anything that looks
/// like a secret key, token, password, signature or private key.
pub(crate) fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["secret", "token", "password", "passwd", "signature", "privatekey", "private_key", "credential", "authorization"]
        .iter()
        .any(|s| k.contains(s))
}

/// `name: value` lines with secret values replaced.
pub(crate) fn headers(map: &HeaderMap) -> String {
    let mut out = String::new();
    for (name, value) in map {
        let value = String::from_utf8_lossy(value.as_bytes());
        let shown = if is_secret_header(name.as_str()) { REDACTED } else { &value };
        let _ = write!(out, "{}{name}: {shown}", if out.is_empty() { "" } else { "; " });
    }
    out
}

/// A JSON value with secret members replaced, recursively.
pub(crate) fn json_value(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    // Containers are walked (their secret members are hidden); secret scalars hidden.
                    let scalar = !matches!(v, Value::Null | Value::Object(_) | Value::Array(_));
                    let shown = if scalar && is_secret_key(k) { Value::from(REDACTED) } else { json_value(v) };
                    (k.clone(), shown)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(json_value).collect()),
        other => other.clone(),
    }
}

/// A `k=v&k=v` form or query with secret values replaced.
pub(crate) fn form(q: &str) -> String {
    q.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if is_secret_key(k) => format!("{k}={REDACTED}"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A URL with secret query parameters replaced.
pub(crate) fn url(u: &str) -> String {
    match u.split_once('?') {
        Some((base, q)) => format!("{base}?{}", form(q)),
        None => u.to_owned(),
    }
}

/// A body for the dump: redacted JSON, a redacted form, or just its size.
pub(crate) fn body(content_type: Option<&str>, bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return String::new();
    }
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    let shown = if ct.contains("json") || (ct.is_empty() && bytes.first() == Some(&b'{')) {
        match serde_json::from_slice::<serde_json::Value>(bytes) {
            Ok(v) => json_value(&v).to_string(),
            Err(_) => format!("<{} bytes of malformed JSON>", bytes.len()),
        }
    } else if ct.contains("x-www-form-urlencoded") {
        form(&String::from_utf8_lossy(bytes))
    } else {
        return format!("<{} bytes of {}>", bytes.len(), if ct.is_empty() { "data" } else { &ct });
    };
    truncate(shown)
}

fn truncate(mut s: String) -> String {
    if s.len() > MAX_DUMP {
        let mut cut = MAX_DUMP;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        let total = s.len();
        s.truncate(cut);
        let _ = write!(s, "... ({total} bytes)");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_redacted() {
        let mut map = HeaderMap::new();
        for (name, value) in [
            ("Authorization", "TC3-HMAC-SHA256 Credential=AKID/..., Signature=abc"),
            ("X-TC-Token", "session-token"),
            ("x-tc-action", "DescribeZones"),
            ("Proxy-Authorization", "Basic eHg6eXk="),
        ] {
            map.append(name, value.parse().unwrap());
        }
        let s = headers(&map);
        assert!(!s.contains("Signature=abc") && !s.contains("session-token") && !s.contains("eHg6"), "{s}");
        assert!(s.contains("x-tc-action: DescribeZones"));
        assert_eq!(s.matches(REDACTED).count(), 3);
    }

    #[test]
    fn json_is_redacted_recursively() {
        let v = serde_json::json!({
            "Response": {
                "Credentials": {"Token": "t0k", "TmpSecretId": "AKIDtmp", "TmpSecretKey": "k3y"},
                "List": [{"Password": "pw", "Name": "n"}],
                "ExpiredTime": 1,
                "SecretKey": null,
            }
        });
        let s = json_value(&v).to_string();
        for secret in ["t0k", "k3y", "AKIDtmp", "\"pw\""] {
            assert!(!s.contains(secret), "{secret} in {s}");
        }
        assert!(s.contains("\"Name\":\"n\"") && s.contains("\"ExpiredTime\":1"));
        let b = body(Some("application/json"), br#"{"SecretKey":"abc","Limit":1}"#);
        assert_eq!(b, r#"{"SecretKey":"<redacted>","Limit":1}"#);
    }

    #[test]
    fn forms_and_urls() {
        let q = "Action=DescribeZones&SecretId=AKID&Token=tok&Signature=sig%3D&Nonce=1";
        let f = form(q);
        assert_eq!(f, "Action=DescribeZones&SecretId=<redacted>&Token=<redacted>&Signature=<redacted>&Nonce=1");
        assert_eq!(
            url(&format!("https://cvm.tencentcloudapi.com/?{q}")),
            format!("https://cvm.tencentcloudapi.com/?{f}")
        );
        assert_eq!(url("https://h/"), "https://h/");
        assert_eq!(body(Some("application/x-www-form-urlencoded"), q.as_bytes()), f);
    }

    #[test]
    fn binary_and_long_bodies() {
        assert_eq!(body(Some("application/octet-stream"), &[0, 1, 2]), "<3 bytes of application/octet-stream>");
        assert_eq!(body(None, b""), "");
        let long = format!("{{\"A\":\"{}\"}}", "\u{672a}".repeat(3000));
        let shown = body(Some("application/json"), long.as_bytes());
        assert!(shown.len() < MAX_DUMP + 32 && shown.ends_with("bytes)"));
    }
}
