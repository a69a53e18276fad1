//! Every action of every service version, from the schema data: lookup (unknown service, version
//! or action), validation of the parameters against the input shape, and the answer — the
//! documented example whose input matches best, else one synthesized from the output shape.

use serde_json::{Map, Value};
use tencentcloud_schema::{ActionRef, Version, Violation};

use crate::error::ApiError;
use crate::record::AnswerSource;
use crate::shape;

/// The action `action` of `service` at `version`, or the error the real API gives.
pub(crate) fn lookup<'s>(service: &str, version: &str, action: &str) -> Result<ActionRef<'s>, ApiError> {
    let invalid_action = || {
        ApiError::new(
            "InvalidAction",
            format!("The action `{action}` of service `{service}` at version `{version}` is not found."),
        )
    };
    let svc = tencentcloud_schema::service(service)
        .map_err(|e| ApiError::new("InternalError", e.to_string()))?
        .ok_or_else(invalid_action)?;
    let v: &'static Version = svc.version(version).ok_or_else(|| {
        ApiError::new(
            "NoSuchVersion",
            format!("The requested version `{version}` of service `{service}` does not exist."),
        )
    })?;
    v.action(action).ok_or_else(invalid_action)
}

/// Checks the parameters against the action's input shape.
pub(crate) fn validate(action: &ActionRef<'_>, params: &Value) -> Result<(), ApiError> {
    action.validate(params).map_err(|v: Violation| ApiError::new(v.code(), v.to_string()))
}

/// The answer of a schema-only action: an example (an error example only when its input matches
/// exactly), or a synthesized response.
pub(crate) fn answer(action: &ActionRef<'_>, params: &Value) -> (Result<Map<String, Value>, ApiError>, AnswerSource) {
    if let Some((i, mut output)) = best_example(action, params) {
        return match error_code(&output) {
            Some(code) => {
                let message = output["Error"].get("Message").and_then(Value::as_str).unwrap_or("").to_owned();
                (Err(ApiError::new(code, message)), AnswerSource::Example(i))
            }
            None => {
                // A few documented successes carry an empty `Error` object: not sent.
                output.remove("Error");
                (Ok(output), AnswerSource::Example(i))
            }
        };
    }
    let mut out = Map::new();
    for m in action.output().iter().filter(|m| m.name != "RequestId") {
        out.insert(m.name.clone(), shape::synthesize(action.version, &m.ty));
    }
    (Ok(out), AnswerSource::Synthesized)
}

/// Picks the documented example for `params`: a success example with exactly these parameters,
/// else an error example with exactly these, else the success example sharing the most values.
fn best_example(action: &ActionRef<'_>, params: &Value) -> Option<(usize, Map<String, Value>)> {
    let mut best: Option<(i64, usize, Map<String, Value>)> = None;
    let mut exact_error = None;
    for (i, ex) in action.examples().iter().enumerate() {
        let Ok(Value::Object(output)) = serde_json::from_str::<Value>(ex.output.get()) else { continue };
        let input = ex.input.as_ref().and_then(|raw| serde_json::from_str::<Value>(raw.get()).ok());
        let exact = input.as_ref().is_some_and(|inp| loosely_equal(inp, params));
        if error_code(&output).is_some() {
            if exact && exact_error.is_none() {
                exact_error = Some((i, output));
            }
            continue;
        }
        if exact {
            return Some((i, output));
        }
        let score = input.as_ref().map_or(0, |inp| overlap(inp, params));
        if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
            best = Some((score, i, output));
        }
    }
    exact_error.or(best.map(|(_, i, output)| (i, output)))
}

/// The code of a documented error response (`Error.Code`, not empty).
fn error_code(output: &Map<String, Value>) -> Option<String> {
    let code = output.get("Error")?.get("Code")?.as_str()?;
    (!code.is_empty()).then(|| code.to_owned())
}

/// Parameters the request and the example agree on, minus those they disagree on.
fn overlap(example: &Value, params: &Value) -> i64 {
    let (Some(ex), Some(p)) = (example.as_object(), params.as_object()) else { return 0 };
    p.iter().map(|(k, v)| ex.get(k).map_or(0, |e| if loosely_equal(e, v) { 1 } else { -1 })).sum()
}

/// JSON equality where the query form's strings equal the numbers and bools they spell.
fn loosely_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| loosely_equal(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(v, w)| loosely_equal(v, w)),
        (Value::String(s), other @ (Value::Number(_) | Value::Bool(_)))
        | (other @ (Value::Number(_) | Value::Bool(_)), Value::String(s)) => {
            let spelled = other.to_string();
            s.trim() == spelled.as_str()
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every action of every version gets an answer: the documented response to its first
    /// documented request, or (without examples) one synthesized from its output shape.
    #[test]
    fn every_action_is_answered() {
        let (mut examples, mut errors, mut synthesized) = (0, 0, 0);
        for entry in tencentcloud_schema::services() {
            let svc = entry.load().unwrap();
            for v in &svc.versions {
                for a in v.actions() {
                    let params = a
                        .examples()
                        .iter()
                        .find_map(|e| serde_json::from_str::<Value>(e.input.as_ref()?.get()).ok())
                        .unwrap_or_else(|| json!({}));
                    match answer(&a, &params) {
                        (Ok(out), AnswerSource::Example(_)) => {
                            assert!(!out.contains_key("Error"), "{} {}", svc.name, a.name);
                            examples += 1;
                        }
                        (Err(e), AnswerSource::Example(_)) => {
                            assert!(!e.code.is_empty(), "{} {}: a documented error has a code", svc.name, a.name);
                            errors += 1;
                        }
                        (Ok(out), AnswerSource::Synthesized) => {
                            assert!(a.output().iter().all(|m| m.name == "RequestId" || out.contains_key(&m.name)));
                            synthesized += 1;
                        }
                        other => panic!("{} {}: {other:?}", svc.name, a.name),
                    }
                }
            }
        }
        println!(
            "answered: {examples} from documented examples, {errors} documented errors, {synthesized} synthesized"
        );
        assert_eq!(examples + errors + synthesized, 16_204, "every action of the pinned specs");
    }

    #[test]
    fn loose_equality() {
        assert!(loosely_equal(&json!({"Limit": "1", "A": ["x"]}), &json!({"A": ["x"], "Limit": 1})));
        assert!(loosely_equal(&json!("true"), &json!(true)));
        assert!(!loosely_equal(&json!({"Limit": "2"}), &json!({"Limit": 1})));
        assert!(!loosely_equal(&json!({"Limit": 1}), &json!({"Limit": 1, "Offset": 0})));
        assert_eq!(overlap(&json!({"A": 1, "B": 2}), &json!({"A": 1, "B": 3, "C": 4})), 0);
    }
}
