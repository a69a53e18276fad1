//! Checking request parameters against an action's input shape.
//!
//! The same check serves JSON bodies and the query form (`Filters.0.Name=x`, unflattened into
//! JSON with every value a string): a numeric string is accepted where a number is declared and
//! `true`/`false` where a bool is, as the real API does. `null` counts as absent.
//!
//! Never stricter than the documentation: what an action's documented example sends itself is
//! at most a warning (see `check`).

use std::fmt;

use serde_json::Value;

use crate::model::{Example, Member, Scalar, Type, Version};

/// What is wrong with a parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Not a member of the object (`UnknownParameter`).
    Unknown {
        /// The members the object accepts.
        accepted: Vec<String>,
    },
    /// The value has the wrong shape: an object where a list is declared, a list where a
    /// string is (`InvalidParameter`).
    WrongType,
    /// A scalar that cannot be read as the declared type: `"abc"` for an `int64`
    /// (`InvalidParameterValue`).
    BadValue,
    /// A required member is absent (`MissingParameter`).
    Missing,
}

/// A parameter that does not match the input shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Path of the parameter, as in the query form: `Filters.0.Name`.
    pub path: String,
    /// The declared type (empty for an unknown parameter).
    pub expected: String,
    /// What is wrong.
    pub problem: Problem,
}

impl Violation {
    /// The API error code the real service answers with.
    pub fn code(&self) -> &'static str {
        match self.problem {
            Problem::Unknown { .. } => "UnknownParameter",
            Problem::WrongType => "InvalidParameter",
            Problem::BadValue => "InvalidParameterValue",
            Problem::Missing => "MissingParameter",
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = &self.path;
        match &self.problem {
            Problem::Unknown { accepted } => {
                write!(f, "The parameter `{path}` is not recognized; accepted: {}.", accepted.join(", "))
            }
            Problem::WrongType => write!(f, "The parameter `{path}` has the wrong type; expected {}.", self.expected),
            Problem::BadValue => write!(f, "The value of parameter `{path}` is not a valid {}.", self.expected),
            Problem::Missing => write!(f, "The request is missing a required parameter `{path}`."),
        }
    }
}

impl std::error::Error for Violation {}

/// Checks `params` (a JSON object) against `members` of `version`, never stricter than the
/// action's documented `examples`: a violation that one of them makes too (the same kind at the
/// same path, list indices aside) is a warning, not a refusal. The spec and its example then
/// disagree (a nested member marked required that the example leaves out, a parameter the
/// example sends under a name the spec lacks); the request is sent, as the documentation shows.
///
/// `Ok` holds the warnings; `Err` the first violation no example makes.
pub(crate) fn check(
    version: &Version,
    members: &[Member],
    params: &Value,
    examples: &[Example],
) -> Result<Vec<Violation>, Violation> {
    let mut found = Vec::new();
    collect(version, members, params, "", Type::Object(String::new()), &mut found);
    if found.is_empty() {
        return Ok(found);
    }
    let documented = documented_violations(version, members, examples);
    let (warnings, refusals): (Vec<Violation>, Vec<Violation>) = found.into_iter().partition(|v| {
        documented.iter().any(|(path, kind)| *path == shape_path(&v.path) && *kind == kind_of(&v.problem))
    });
    match refusals.into_iter().next() {
        Some(first) => Err(first),
        None => Ok(warnings),
    }
}

/// Every violation the documented examples make, as (path without list indices, kind).
fn documented_violations(version: &Version, members: &[Member], examples: &[Example]) -> Vec<(String, u8)> {
    let mut out = Vec::new();
    for ex in examples {
        let Some(input) = &ex.input else { continue };
        let Ok(params) = serde_json::from_str::<Value>(input.get()) else { continue };
        let mut found = Vec::new();
        collect(version, members, &params, "", Type::Object(String::new()), &mut found);
        out.extend(found.iter().map(|v| (shape_path(&v.path), kind_of(&v.problem))));
    }
    out
}

/// `Filters.0.Values.1` -> `Filters.Values`: where in the input shape a path points.
fn shape_path(path: &str) -> String {
    path.split('.').filter(|s| s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit())).collect::<Vec<_>>().join(".")
}

fn kind_of(p: &Problem) -> u8 {
    match p {
        Problem::Unknown { .. } => 0,
        Problem::WrongType => 1,
        Problem::BadValue => 2,
        Problem::Missing => 3,
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") }
}

/// Every violation of `value` against `members`, in order: each member given (unknown, then its
/// type), then the required members absent.
fn collect(version: &Version, members: &[Member], value: &Value, path: &str, ty: Type, out: &mut Vec<Violation>) {
    let Value::Object(map) = value else {
        out.push(Violation { path: path.to_owned(), expected: ty.to_string(), problem: Problem::WrongType });
        return;
    };
    for (name, v) in map {
        let Some(member) = members.iter().find(|m| &m.name == name) else {
            let accepted = members.iter().map(|m| m.name.clone()).collect();
            out.push(Violation {
                path: join(path, name),
                expected: String::new(),
                problem: Problem::Unknown { accepted },
            });
            continue;
        };
        if !v.is_null() {
            typed(version, &member.ty, v, &join(path, name), out);
        }
    }
    for m in members.iter().filter(|m| m.required && map.get(&m.name).is_none_or(Value::is_null)) {
        out.push(Violation { path: join(path, &m.name), expected: m.ty.to_string(), problem: Problem::Missing });
    }
}

fn typed(version: &Version, ty: &Type, value: &Value, path: &str, out: &mut Vec<Violation>) {
    let mut wrong = |problem| out.push(Violation { path: path.to_owned(), expected: ty.to_string(), problem });
    match ty {
        Type::List(item) => match value {
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    if !v.is_null() {
                        typed(version, item, v, &join(path, &i.to_string()), out);
                    }
                }
            }
            _ => wrong(Problem::WrongType),
        },
        // An object this version does not define accepts anything (never the case in the pinned specs).
        Type::Object(name) => {
            if let Some(members) = version.objects.get(name) {
                collect(version, members, value, path, ty.clone(), out);
            }
        }
        Type::Scalar(s) => match scalar_ok(*s, value) {
            Some(true) => {}
            Some(false) => wrong(Problem::BadValue),
            None => wrong(Problem::WrongType),
        },
    }
}

/// `Some(true)`: fits; `Some(false)`: a scalar of the wrong kind; `None`: not a scalar.
fn scalar_ok(s: Scalar, value: &Value) -> Option<bool> {
    let fits = match value {
        Value::Array(_) | Value::Object(_) => return None,
        Value::Null => true,
        Value::String(text) => match s {
            Scalar::Int64 => text.trim().parse::<i64>().is_ok(),
            Scalar::Uint64 => text.trim().parse::<u64>().is_ok(),
            Scalar::Float => text.trim().parse::<f64>().is_ok_and(f64::is_finite),
            Scalar::Bool => matches!(text.as_str(), "true" | "false" | "True" | "False"),
            _ => true,
        },
        Value::Number(n) => match s {
            Scalar::Int64 => n.is_i64() || n.is_u64(),
            Scalar::Uint64 => n.is_u64(),
            Scalar::Float => true,
            _ => false,
        },
        Value::Bool(_) => s == Scalar::Bool,
    };
    Some(fits)
}

#[cfg(all(test, feature = "data"))]
mod tests {
    use serde_json::{Value, json};

    use super::Problem;

    fn action(service: &str, name: &str) -> crate::ActionRef<'static> {
        let svc = crate::service(service).unwrap().unwrap();
        svc.versions.iter().rev().find_map(|v| v.action(name)).unwrap()
    }

    /// Every documented example request of every action: none is refused; the ones the spec
    /// contradicts pass with warnings.
    #[test]
    fn no_documented_example_is_refused() {
        let (mut examples, mut warned, mut warnings) = (0usize, 0usize, 0usize);
        for entry in crate::services() {
            let svc = entry.load().unwrap();
            for v in &svc.versions {
                for a in v.actions() {
                    for ex in a.examples() {
                        let Some(input) = &ex.input else { continue };
                        let params: Value = serde_json::from_str(input.get()).unwrap();
                        examples += 1;
                        match a.check(&params) {
                            Ok(w) if w.is_empty() => {}
                            Ok(w) => {
                                warned += 1;
                                warnings += w.len();
                            }
                            Err(e) => {
                                panic!("{} {} {}: the documented example is refused: {e}", svc.name, v.version, a.name)
                            }
                        }
                    }
                }
            }
        }
        println!("documented example requests: {examples}, none refused; {warned} pass with {warnings} warnings");
        assert!(examples > 18_000 && warned > 0 && warned * 100 < examples, "{examples} {warned}");
    }

    #[test]
    fn a_required_member_the_example_leaves_out_warns() {
        for (service, name, path) in [
            ("dc", "CreateCloudAttachService", "Data.Remarks"),
            ("taf", "ManagePortraitRisk", "BusinessSecurityData.Channel"),
            ("tsf", "DeployContainerApplication", "HealthCheckSettings.ReadinessProbe.ActionType"),
        ] {
            let a = action(service, name);
            let example: Value = serde_json::from_str(a.examples()[0].input.as_ref().unwrap().get()).unwrap();
            let warnings = a.check(&example).unwrap();
            assert_eq!(warnings.len(), 1, "{service} {name}: {warnings:?}");
            assert_eq!((warnings[0].path.as_str(), &warnings[0].problem), (path, &Problem::Missing));
        }
        // What no example does is still refused: a required member the example sends.
        let a = action("dc", "CreateCloudAttachService");
        let mut example: Value = serde_json::from_str(a.examples()[0].input.as_ref().unwrap().get()).unwrap();
        example["Data"].as_object_mut().unwrap().remove("Name");
        let refused = a.check(&example).unwrap_err();
        assert_eq!((refused.path.as_str(), refused.problem), ("Data.Name", Problem::Missing));
        assert_eq!(a.check(&json!({})).unwrap_err().path, "Data");
        // An unknown parameter no example sends is refused, a mistyped one too.
        let cvm = action("cvm", "DescribeInstances");
        assert!(matches!(cvm.check(&json!({"Limt": 1})).unwrap_err().problem, Problem::Unknown { .. }));
        assert_eq!(cvm.check(&json!({"Limit": "x"})).unwrap_err().problem, Problem::BadValue);
        assert_eq!(cvm.check(&json!({"Filters": [{"Values": ["a"]}]})).unwrap_err().path, "Filters.0.Name");
        assert_eq!(cvm.check(&json!({"Limit": 1})).unwrap(), vec![]);
    }
}
