//! Request parameters: JSON bodies and flattened query strings (`Filters.0.Name=x`), read with
//! the schema crate's bounded form reader, and the typed readers the hand-written backends use.

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::tc3::find_header;

pub use tencentcloud_schema::form::{MAX_DEPTH, TooDeep, parse_query, percent_decode, unflatten};

/// Parameters of a request: the JSON body, or the flattened query string (GET) / form body.
pub(crate) fn parse_body(
    method: &str,
    query: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<Value, ApiError> {
    if method == "GET" {
        return form(query);
    }
    let ct = find_header(headers, "content-type").unwrap_or("").trim().to_ascii_lowercase();
    if ct.starts_with("application/octet-stream") || ct.starts_with("multipart/") {
        return Ok(Value::Object(Map::new()));
    }
    if ct.starts_with("application/x-www-form-urlencoded") {
        return form(&String::from_utf8_lossy(body));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(ApiError::new("InvalidParameter", "The request body must be a JSON object.")),
        Err(e) => Err(ApiError::new("InvalidParameter", format!("The request body is not valid JSON: {e}."))),
    }
}

fn form(text: &str) -> Result<Value, ApiError> {
    unflatten(&parse_query(text)).map_err(|e| {
        ApiError::new(
            "InvalidParameter",
            format!("The parameter `{}` is nested too deeply (at most {MAX_DEPTH} levels).", e.name),
        )
    })
}

/// The object's members (an empty map for anything else).
pub(crate) fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// A value as an integer: a number that is one, or a string spelling one (trimmed).
fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The parameter `name` as an integer (`None` when absent or null); anything else is
/// `InvalidParameterValue`.
pub(crate) fn param_int(params: &Value, name: &str) -> Result<Option<i64>, ApiError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => int_of(v).map(Some).ok_or_else(|| ApiError::invalid_value(name, "not an integer")),
    }
}

/// The parameter `name` as a boolean (`true`/`false`, or a string spelling one; `None` when
/// absent or null); anything else is `InvalidParameterValue`.
pub(crate) fn param_bool(params: &Value, name: &str) -> Result<Option<bool>, ApiError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(ApiError::invalid_value(name, "not a boolean")),
    }
}

/// The parameter `name` as a string (`None` when absent or null); anything else is
/// `InvalidParameterValue`.
pub(crate) fn param_str<'v>(params: &'v Value, name: &str) -> Result<Option<&'v str>, ApiError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::invalid_value(name, "not a string")),
    }
}

/// The parameter `name` as a non-empty string, else `MissingParameter`.
pub(crate) fn require_str<'v>(params: &'v Value, name: &str) -> Result<&'v str, ApiError> {
    param_str(params, name)?.filter(|s| !s.is_empty()).ok_or_else(|| ApiError::missing(name))
}

// The lenient readers of the hand-written backends, for parameters the schema has checked and
// for stored fields: a member of another type reads as absent, never as an error.

/// The member `name` as a string; `None` when absent or not a string.
pub(crate) fn field_str<'f>(fields: &'f Map<String, Value>, name: &str) -> Option<&'f str> {
    fields.get(name).and_then(Value::as_str)
}

/// The member `name` as a non-empty string; `None` when absent, empty or not a string.
pub(crate) fn field_text<'f>(fields: &'f Map<String, Value>, name: &str) -> Option<&'f str> {
    field_str(fields, name).filter(|s| !s.is_empty())
}

/// The member `name` as a non-empty string, else `MissingParameter`.
pub(crate) fn need_text<'f>(fields: &'f Map<String, Value>, name: &str) -> Result<&'f str, ApiError> {
    field_text(fields, name).ok_or_else(|| ApiError::missing(name))
}

/// The member `name` as an object; `None` when absent or not an object.
pub(crate) fn field_obj<'f>(fields: &'f Map<String, Value>, name: &str) -> Option<&'f Map<String, Value>> {
    fields.get(name).and_then(Value::as_object)
}

/// The member `name` as an integer (a number, or a string spelling one); `None` otherwise.
pub(crate) fn field_int(fields: &Map<String, Value>, name: &str) -> Option<i64> {
    fields.get(name).and_then(int_of)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn params_by_content_type() {
        let h = |ct: &str| vec![("content-type".to_owned(), ct.to_owned())];
        assert_eq!(parse_body("POST", "", &h("application/json"), b"").unwrap(), json!({}));
        assert_eq!(parse_body("POST", "", &h("application/json"), br#"{"A":1}"#).unwrap(), json!({"A": 1}));
        assert_eq!(parse_body("POST", "", &h("application/json"), b"[1]").unwrap_err().code, "InvalidParameter");
        assert_eq!(parse_body("POST", "", &h("application/json"), b"{").unwrap_err().code, "InvalidParameter");
        assert_eq!(parse_body("POST", "", &h("application/octet-stream"), b"\xff").unwrap(), json!({}));
        assert_eq!(
            parse_body("POST", "", &h("application/x-www-form-urlencoded"), b"A.0=x").unwrap(),
            json!({"A": ["x"]})
        );
        assert_eq!(parse_body("GET", "Limit=2", &[], b"").unwrap(), json!({"Limit": "2"}));
    }
}
