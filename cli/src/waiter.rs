//! `--waiter`: calls the action again until a JMESPath expression over the answer reaches a
//! value, as tccli does (`tccli/action_caller.py`, `_call_json`):
//! `--waiter '{"expr": "InstanceSet[0].InstanceState", "to": "RUNNING"}'`, with `timeout`
//! (seconds, default the profile's `waiter.timeout`, else 180) and `interval` (default the
//! profile's `waiter.interval`, else 5; never more than the timeout). Python's dict form, as
//! tccli's own docs write it (`"{'expr':'...','to':'RUNNING'}"`), is read too.

use std::time::Duration;

use serde_json::Value;

use crate::config::Profile;

/// tccli's defaults: 180 s to wait, 5 s between calls.
pub const DEFAULT_TIMEOUT: f64 = 180.0;
/// See [`DEFAULT_TIMEOUT`].
pub const DEFAULT_INTERVAL: f64 = 5.0;

/// A waiter, read and checked.
#[derive(Debug, Clone)]
pub struct Waiter {
    /// The JMESPath expression (over the `Response` object).
    pub expr: String,
    /// The value it must reach.
    pub to: Value,
    /// How long to keep calling.
    pub timeout: Duration,
    /// How long between calls.
    pub interval: Duration,
}

/// Python's literal (single quotes, `True`/`False`/`None`) as JSON; JSON as it is.
fn python_to_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(match word.as_str() {
            "True" => "true",
            "False" => "false",
            "None" => "null",
            w => w,
        });
        word.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                flush(&mut word, &mut out);
                out.push('"');
                while let Some(d) = chars.next() {
                    match d {
                        '\\' => {
                            if let Some(e) = chars.next() {
                                if e == '\'' {
                                    out.push('\'');
                                } else {
                                    out.push('\\');
                                    out.push(e);
                                }
                            }
                        }
                        '"' if c == '\'' => out.push_str("\\\""),
                        d if d == c => break,
                        d => out.push(d),
                    }
                }
                out.push('"');
            }
            c if c.is_alphanumeric() || c == '_' => word.push(c),
            c => {
                flush(&mut word, &mut out);
                out.push(c);
            }
        }
    }
    flush(&mut word, &mut out);
    out
}

fn seconds(v: &Value, name: &str) -> Result<f64, String> {
    let n = match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    n.filter(|n| n.is_finite() && *n >= 0.0 && *n <= 7.0 * 86400.0)
        .ok_or_else(|| format!("`{name}` in `--waiter` must be a number of seconds"))
}

impl Waiter {
    /// Reads `--waiter TEXT` with the profile's defaults.
    pub fn parse(text: &str, profile: &Profile) -> Result<Waiter, String> {
        let value: Value = serde_json::from_str(text)
            .or_else(|_| serde_json::from_str(&python_to_json(text)))
            .map_err(|e| format!("`--waiter` must be a valid JSON string: {e}"))?;
        let Value::Object(map) = value else { return Err("`--waiter` must be a JSON object".into()) };
        let expr = match map.get("expr") {
            Some(Value::String(e)) => e.clone(),
            Some(_) => return Err("`expr` in `--waiter` must be a JMESPath expression (text)".into()),
            None => return Err("`expr` in `--waiter` must be defined".into()),
        };
        jmespath::compile(&expr).map_err(|e| format!("`expr` in `--waiter`: {e}"))?;
        let to = map.get("to").cloned().ok_or("`to` in `--waiter` must be defined")?;
        let timeout = match map.get("timeout") {
            Some(v) => seconds(v, "timeout")?,
            None => profile.waiter_default("timeout").unwrap_or(DEFAULT_TIMEOUT),
        };
        let interval = match map.get("interval") {
            Some(v) => seconds(v, "interval")?,
            None => profile.waiter_default("interval").unwrap_or(DEFAULT_INTERVAL),
        };
        let interval = interval.min(timeout);
        Ok(Waiter { expr, to, timeout: Duration::from_secs_f64(timeout), interval: Duration::from_secs_f64(interval) })
    }

    /// The expression's value over `answer`.
    pub fn current(&self, answer: &Value) -> Result<Value, String> {
        let compiled = jmespath::compile(&self.expr).map_err(|e| format!("--waiter: {e}"))?;
        let data = jmespath::Variable::from_serializable(answer).map_err(|e| format!("--waiter: {e}"))?;
        let result = compiled.search(data).map_err(|e| format!("--waiter: {e}"))?;
        serde_json::to_value(&*result).map_err(|e| format!("--waiter: {e}"))
    }

    /// Whether `current` is the awaited value (numbers by value: `1` is `1.0`).
    pub fn reached(&self, current: &Value) -> bool {
        match (current, &self.to) {
            (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
            (a, b) => a == b,
        }
    }
}

/// A value as tccli prints it in its messages (text without quotes).
pub fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tcclis_form_and_defaults() {
        let p = Profile::default();
        let w = Waiter::parse(r#"{"expr": "InstanceSet[0].InstanceState", "to": "RUNNING"}"#, &p).unwrap();
        assert_eq!((w.timeout, w.interval), (Duration::from_secs(180), Duration::from_secs(5)));
        let w = Waiter::parse("{'expr':'InstanceSet[0].InstanceState','to':'RUNNING','timeout':2}", &p).unwrap();
        assert_eq!((w.expr.as_str(), &w.to), ("InstanceSet[0].InstanceState", &json!("RUNNING")));
        assert_eq!(w.interval, Duration::from_secs(2), "never more than the timeout");
        let w = Waiter::parse("{'expr':'Ready','to':True,'interval':0.5}", &p).unwrap();
        assert_eq!((w.to.clone(), w.interval), (json!(true), Duration::from_millis(500)));
        assert_eq!(python_to_json(r#"{'a': 'it\'s "x"'}"#), r#"{"a": "it's \"x\""}"#);
        let mut profile = Profile::default();
        profile.configure.insert("waiter".into(), json!({"timeout": 30, "interval": 1}));
        let w = Waiter::parse(r#"{"expr": "a", "to": 1}"#, &profile).unwrap();
        assert_eq!((w.timeout, w.interval), (Duration::from_secs(30), Duration::from_secs(1)));
        assert!(w.reached(&json!(1.0)));
    }

    #[test]
    fn refusals_in_tcclis_words() {
        let p = Profile::default();
        assert_eq!(Waiter::parse(r#"{"to": 1}"#, &p).unwrap_err(), "`expr` in `--waiter` must be defined");
        assert_eq!(Waiter::parse(r#"{"expr": "a"}"#, &p).unwrap_err(), "`to` in `--waiter` must be defined");
        assert!(Waiter::parse("{", &p).unwrap_err().starts_with("`--waiter` must be a valid JSON string"));
        assert!(Waiter::parse(r#"{"expr": "a[", "to": 1}"#, &p).unwrap_err().contains("`expr` in `--waiter`"));
        assert!(Waiter::parse(r#"{"expr": "a", "to": 1, "timeout": -1}"#, &p).is_err());
    }
}
