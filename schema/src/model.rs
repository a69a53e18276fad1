//! The data model: what the generator writes and this crate reads.
//!
//! One gzip-compressed JSON document per service. Keys are one letter to keep the data small;
//! the Rust names say what they are.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// A service: its short name (`cvm`), display name and every API version, oldest first.
#[derive(Debug, Serialize, Deserialize)]
pub struct Service {
    /// Short name, as in the endpoint and the credential scope (`cvm`, `as`).
    #[serde(rename = "s")]
    pub name: String,
    /// Display name from the spec (Chinese), e.g. `云服务器`.
    #[serde(rename = "n", default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// API versions, oldest first; the last is the latest.
    #[serde(rename = "v")]
    pub versions: Vec<Version>,
}

/// One API version of a service.
#[derive(Debug, Serialize, Deserialize)]
pub struct Version {
    /// `YYYY-MM-DD`, as sent in `X-TC-Version`.
    #[serde(rename = "v")]
    pub version: String,
    /// Actions by name.
    #[serde(rename = "a")]
    pub actions: BTreeMap<String, Action>,
    /// Objects (parameter and response structures) by name: their members.
    #[serde(rename = "o")]
    pub objects: BTreeMap<String, Vec<Member>>,
}

/// One action of a version.
#[derive(Debug, Serialize, Deserialize)]
pub struct Action {
    /// One-line description (the spec's title of the action).
    #[serde(rename = "d", default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// Lifecycle status.
    #[serde(rename = "s", default, skip_serializing_if = "Status::is_online")]
    pub status: Status,
    /// Name of the input object (`DescribeInstancesRequest`).
    #[serde(rename = "i")]
    pub input: String,
    /// Name of the output object (`DescribeInstancesResponse`).
    #[serde(rename = "o")]
    pub output: String,
    /// Documented examples, in the spec's order.
    #[serde(rename = "e", default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
    /// The action answers with server-sent events (the generator's rule,
    /// `tencentcloud_codegen::stream`): when asked (`"Stream": true`) or always.
    #[serde(rename = "t", default, skip_serializing_if = "is_false")]
    pub stream: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// An action's lifecycle status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Status {
    /// In service.
    #[default]
    #[serde(rename = "online")]
    Online,
    /// Still answered, to be removed.
    #[serde(rename = "deprecated")]
    Deprecated,
    /// Taken out of service.
    #[serde(rename = "offline")]
    Offline,
}

impl Status {
    fn is_online(&self) -> bool {
        *self == Status::Online
    }
}

/// A documented example: the request parameters and the `Response` object answered.
#[derive(Debug, Serialize, Deserialize)]
pub struct Example {
    /// The example's parameters as JSON (a query-form example unflattened, values as strings);
    /// absent when the documented input is not readable.
    #[serde(rename = "i", default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Box<RawValue>>,
    /// The documented `Response` object (with `RequestId`, or `Error` for an error example).
    #[serde(rename = "o")]
    pub output: Box<RawValue>,
}

/// A member of an object: a parameter or a response field.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Member {
    /// Wire name (`InstanceIds`).
    #[serde(rename = "n")]
    pub name: String,
    /// Declared type.
    #[serde(rename = "t")]
    pub ty: Type,
    /// Whether a request must carry it (meaningful for input members only).
    #[serde(rename = "r", default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// First sentence of the spec's documentation, HTML removed.
    #[serde(rename = "d", default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
}

/// A scalar type of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// `string`.
    String,
    /// `int64`.
    Int64,
    /// `uint64`.
    Uint64,
    /// `float`.
    Float,
    /// `bool`.
    Bool,
    /// `binary` (sent as a string).
    Binary,
    /// `datetime` (`YYYY-MM-DD hh:mm:ss`, a string).
    Datetime,
    /// `datetime_iso` (ISO 8601, a string).
    DatetimeIso,
    /// `date` (`YYYY-MM-DD`, a string).
    Date,
}

impl Scalar {
    const ALL: [(Scalar, &'static str); 9] = [
        (Scalar::String, "string"),
        (Scalar::Int64, "int64"),
        (Scalar::Uint64, "uint64"),
        (Scalar::Float, "float"),
        (Scalar::Bool, "bool"),
        (Scalar::Binary, "binary"),
        (Scalar::Datetime, "datetime"),
        (Scalar::DatetimeIso, "datetime_iso"),
        (Scalar::Date, "date"),
    ];

    /// The spec's name of the type (`int64`).
    pub fn name(self) -> &'static str {
        Scalar::ALL.iter().find(|(s, _)| *s == self).map_or("string", |(_, n)| n)
    }

    /// The scalar named `name` in the spec (`int64`), if it is one.
    pub fn from_name(name: &str) -> Option<Scalar> {
        Scalar::ALL.iter().find(|(_, n)| *n == name).map(|(s, _)| *s)
    }
}

/// A member's type: a scalar, an object, or a list of either.
///
/// Written as the scalar's name (`int64`), the object's name (`Filter`), or either in brackets
/// for a list (`[string]`, `[Filter]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Type {
    /// A scalar.
    Scalar(Scalar),
    /// An object of this version, by name.
    Object(String),
    /// A list of scalars or objects.
    List(Box<Type>),
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Scalar(s) => f.write_str(s.name()),
            Type::Object(name) => f.write_str(name),
            Type::List(item) => write!(f, "[{item}]"),
        }
    }
}

impl From<Type> for String {
    fn from(t: Type) -> String {
        t.to_string()
    }
}

impl TryFrom<String> for Type {
    type Error = String;

    fn try_from(s: String) -> Result<Type, String> {
        if let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            return match Type::try_from(inner.to_owned())? {
                Type::List(_) => Err(format!("nested list type {s:?}")),
                item => Ok(Type::List(Box::new(item))),
            };
        }
        if s.is_empty() || s.contains(['[', ']']) {
            return Err(format!("bad type {s:?}"));
        }
        Ok(Scalar::from_name(&s).map_or(Type::Object(s), Type::Scalar))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_round_trip() {
        for text in ["string", "int64", "uint64", "datetime_iso", "Filter", "[string]", "[Filter]"] {
            let t = Type::try_from(text.to_owned()).unwrap();
            assert_eq!(t.to_string(), text);
        }
        assert_eq!(Type::try_from("[int64]".to_owned()).unwrap(), Type::List(Box::new(Type::Scalar(Scalar::Int64))));
        assert!(Type::try_from("[[string]]".to_owned()).is_err());
        assert!(Type::try_from("".to_owned()).is_err());
        assert!(Type::try_from("[x".to_owned()).is_err());
    }
}
