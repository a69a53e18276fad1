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

/// JSON keys and form parameters whose values are never logged: the shared name rule
/// ([`tencentcloud_core::secret::is_secret_name`]: passwords, secret keys, tokens, private
/// keys, plaintext, signatures, ...) and, in a dump, the `SecretId` naming the caller's key.
pub(crate) fn is_secret_key(key: &str) -> bool {
    tencentcloud_core::secret::is_secret_name(key) || {
        let k: String = key.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
        k.trim_end_matches(|c: char| c.is_ascii_digit()).ends_with("secretid")
    }
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
            map.iter().map(|(k, v)| (k.clone(), if is_secret_key(k) { hidden(v) } else { json_value(v) })).collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(json_value).collect()),
        other => other.clone(),
    }
}

/// A value under a secret key: text, numbers and flags hidden, in arrays too
/// (`"Passwords": ["a", "b"]`); objects walked, their members judged by their own keys.
fn hidden(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Null => Value::Null,
        Value::Object(_) => json_value(v),
        Value::Array(items) => Value::Array(items.iter().map(hidden).collect()),
        _ => Value::from(REDACTED),
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
    fn newly_caught_names() {
        for key in [
            "Plaintext",
            "ApiKey",
            "AppKey",
            "Passphrase",
            "Pwd",
            "DbPwd",
            "SecretString",
            "SecretBinary",
            "ClientSecret",
            "SecretAccessKey",
            "secret_id",
            "TmpSecretId",
        ] {
            assert!(is_secret_key(key), "{key}");
            let v = serde_json::json!({ key: "s3cr3t", "Name": "n" });
            let s = json_value(&v).to_string();
            assert!(!s.contains("s3cr3t") && s.contains("\"Name\":\"n\""), "{key}: {s}");
            assert_eq!(form(&format!("{key}=s3cr3t&Limit=1")), format!("{key}={REDACTED}&Limit=1"));
        }
        for key in ["SecretName", "KeyId", "PublicKey", "NextToken", "ClientToken", "TokenCount", "PasswordPolicy"] {
            assert!(!is_secret_key(key), "{key}");
        }
    }

    #[test]
    fn arrays_under_secret_keys() {
        let v = serde_json::json!({
            "Passwords": ["a1", "b2"],
            "ApiKeys": [["c3"], null, 4],
            "Credentials": [{"Token": "t0k", "ExpiredTime": 5}],
            "Passwd": {"Pwd": "d4", "Hint": "colour"},
            "InstanceIds": ["ins-1"],
            "NextToken": "page-2",
        });
        let s = json_value(&v).to_string();
        for secret in ["a1", "b2", "c3", "t0k", "d4", ",4]"] {
            assert!(!s.contains(secret), "{secret} in {s}");
        }
        assert!(s.contains(r#""Passwords":["<redacted>","<redacted>"]"#), "{s}");
        assert!(s.contains(r#""ApiKeys":[["<redacted>"],null,"<redacted>"]"#), "{s}");
        assert!(s.contains(r#""ExpiredTime":5"#) && s.contains(r#""Hint":"colour""#), "{s}");
        assert!(s.contains(r#""InstanceIds":["ins-1"]"#) && s.contains(r#""NextToken":"page-2""#), "{s}");
        assert_eq!(
            form("Passwords.0=a1&Passwords.1=b2&InstanceIds.0=ins-1"),
            format!("Passwords.0={REDACTED}&Passwords.1={REDACTED}&InstanceIds.0=ins-1")
        );
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
