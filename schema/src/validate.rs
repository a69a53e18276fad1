//! Checking request parameters against an action's input shape.
//!
//! The same check serves JSON bodies and the query form (`Filters.0.Name=x`, unflattened into
//! JSON with every value a string): a numeric string is accepted where a number is declared and
//! `true`/`false` where a bool is, as the real API does. `null` counts as absent.

use std::fmt;

use serde_json::Value;

use crate::model::{Member, Scalar, Type, Version};

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

/// Checks `params` (a JSON object) against `members` of `version`.
pub(crate) fn check(version: &Version, members: &[Member], params: &Value) -> Result<(), Violation> {
    object(version, members, params, "", Type::Object(String::new()))
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") }
}

fn object(version: &Version, members: &[Member], value: &Value, path: &str, ty: Type) -> Result<(), Violation> {
    let Value::Object(map) = value else {
        return Err(Violation { path: path.to_owned(), expected: ty.to_string(), problem: Problem::WrongType });
    };
    for (name, v) in map {
        let Some(member) = members.iter().find(|m| &m.name == name) else {
            let accepted = members.iter().map(|m| m.name.clone()).collect();
            return Err(Violation {
                path: join(path, name),
                expected: String::new(),
                problem: Problem::Unknown { accepted },
            });
        };
        if !v.is_null() {
            typed(version, &member.ty, v, &join(path, name))?;
        }
    }
    match members.iter().find(|m| m.required && map.get(&m.name).is_none_or(Value::is_null)) {
        Some(m) => Err(Violation { path: join(path, &m.name), expected: m.ty.to_string(), problem: Problem::Missing }),
        None => Ok(()),
    }
}

fn typed(version: &Version, ty: &Type, value: &Value, path: &str) -> Result<(), Violation> {
    let wrong = |problem| Err(Violation { path: path.to_owned(), expected: ty.to_string(), problem });
    match ty {
        Type::List(item) => match value {
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    if !v.is_null() {
                        typed(version, item, v, &join(path, &i.to_string()))?;
                    }
                }
                Ok(())
            }
            _ => wrong(Problem::WrongType),
        },
        // An object this version does not define accepts anything (never the case in the pinned specs).
        Type::Object(name) => match version.objects.get(name) {
            Some(members) => object(version, members, value, path, ty.clone()),
            None => Ok(()),
        },
        Type::Scalar(s) => match scalar_ok(*s, value) {
            Some(true) => Ok(()),
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
