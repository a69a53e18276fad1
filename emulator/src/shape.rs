//! Values built from the schema's shapes: a plausible value of any declared type.

use serde_json::{Map, Value};
use tencentcloud_schema::{Member, Scalar, Type, Version};

/// Deepest object nesting a synthesized value goes to (recursive types stop there).
const MAX_SYNTH_DEPTH: usize = 6;

/// A plausible value of type `ty` of `version`: zero values for scalars, one item for lists,
/// every member for objects (deeper than [`MAX_SYNTH_DEPTH`], objects are `null`).
pub(crate) fn synthesize(version: &Version, ty: &Type) -> Value {
    value(version, ty, 0)
}

/// Every member of an object with zero values and empty lists: the blank a stored resource's
/// fields are written over.
pub(crate) fn blank(version: &Version, members: &[Member]) -> Map<String, Value> {
    members
        .iter()
        .map(|m| {
            let v = match &m.ty {
                Type::List(_) => Value::Array(Vec::new()),
                ty => value(version, ty, 1),
            };
            (m.name.clone(), v)
        })
        .collect()
}

/// A plausible value of type `ty`: zero values for scalars, one item for lists, every member for
/// objects (down to [`MAX_SYNTH_DEPTH`]; deeper objects are `null`).
fn value(version: &Version, ty: &Type, depth: usize) -> Value {
    match ty {
        Type::Scalar(s) => match s {
            Scalar::Int64 | Scalar::Uint64 => Value::from(0),
            Scalar::Float => Value::from(0.0),
            Scalar::Bool => Value::Bool(false),
            Scalar::Datetime => Value::from("2024-01-01 00:00:00"),
            Scalar::DatetimeIso => Value::from("2024-01-01T00:00:00Z"),
            Scalar::Date => Value::from("2024-01-01"),
            Scalar::String | Scalar::Binary => Value::from(""),
        },
        Type::List(item) => {
            if depth >= MAX_SYNTH_DEPTH {
                Value::Array(Vec::new())
            } else {
                Value::Array(vec![value(version, item, depth + 1)])
            }
        }
        Type::Object(name) => match version.object(name) {
            Some(members) if depth < MAX_SYNTH_DEPTH => Value::Object(object(version, members, depth + 1)),
            _ => Value::Null,
        },
    }
}

fn object(version: &Version, members: &[Member], depth: usize) -> Map<String, Value> {
    members.iter().map(|m| (m.name.clone(), value(version, &m.ty, depth))).collect()
}
