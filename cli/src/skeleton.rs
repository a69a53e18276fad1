//! `--generate-cli-skeleton`: a JSON template of an action's parameters (for `--cli-input-json`)
//! or of its answer, each member with its type as tccli names it (`String`, `Integer`, `Float`,
//! `Boolean`, `Timestamp`, `Binary`; a list as `[...]`, an object as its members; an object
//! inside itself as tccli's `<recursive: ...>` note), printed as tccli prints it (4-space JSON).
//! And the documented examples as `--cli-unfold-argument` words, as tccli's help writes them.

use serde_json::{Map, Value};
use tencentcloud_schema::{ActionRef, Member, Scalar, Type, Version};

use crate::service::SkeletonKind;

/// tccli's name of a scalar type (`PARAM_TYPE_MAP` in `tccli/loaders.py`).
pub fn type_name(s: Scalar) -> &'static str {
    match s {
        Scalar::Int64 | Scalar::Uint64 => "Integer",
        Scalar::Float => "Float",
        Scalar::Bool => "Boolean",
        Scalar::Date | Scalar::Datetime | Scalar::DatetimeIso => "Timestamp",
        Scalar::Binary => "Binary",
        Scalar::String => "String",
    }
}

/// The template of the action's input or output, as 4-space-indented JSON.
pub fn skeleton(action: &ActionRef<'_>, kind: SkeletonKind) -> String {
    let members = match kind {
        SkeletonKind::Input => action.input(),
        SkeletonKind::Output => action.output(),
    };
    let value = Value::Object(object(action.version, members, &mut Vec::new()));
    pretty4(&value)
}

/// JSON with a 4-space indent (tccli's `json.dump(..., indent=4)`).
pub fn pretty4(value: &Value) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    match serde::Serialize::serialize(value, &mut ser) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(_) => value.to_string(),
    }
}

fn object<'v>(version: &'v Version, members: &'v [Member], path: &mut Vec<&'v str>) -> Map<String, Value> {
    members.iter().map(|m| (m.name.clone(), member(version, &m.name, &m.ty, path))).collect()
}

fn member<'v>(version: &'v Version, name: &str, ty: &'v Type, path: &mut Vec<&'v str>) -> Value {
    match ty {
        Type::Scalar(s) => Value::String(type_name(*s).to_owned()),
        Type::List(item) => Value::Array(vec![member(version, name, item, path)]),
        Type::Object(o) if path.contains(&o.as_str()) => {
            Value::String(format!("<recursive: fill '{name}' with a JSON object of type {o} (self-referenced)>"))
        }
        Type::Object(o) => {
            path.push(o);
            let v = Value::Object(object(version, version.object(o).unwrap_or(&[]), path));
            path.pop();
            v
        }
    }
}

/// A request as `--cli-unfold-argument` words, one `--Path value...` per leaf (tccli's
/// `translate_post_cli_param`: scalars as Python prints them, a value with a space quoted, a
/// list of scalars as several values, lists of objects indexed, empty lists left out).
pub fn unfold_words(params: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(params, &mut Vec::new(), &mut out);
    out
}

fn shown(v: &Value) -> String {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Null => "None".to_owned(),
        other => other.to_string(),
    };
    if text.is_empty() || text.contains(|c: char| c.is_whitespace() || "'\"\\$`!*?;&|<>(){}[]#~".contains(c)) {
        format!("'{}'", text.replace('\'', r"'\''"))
    } else {
        text
    }
}

fn walk(v: &Value, path: &mut Vec<String>, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                path.push(k.clone());
                walk(child, path, out);
                path.pop();
            }
        }
        Value::Array(items) if items.first().is_some_and(Value::is_object) => {
            for (i, child) in items.iter().enumerate() {
                path.push(i.to_string());
                walk(child, path, out);
                path.pop();
            }
        }
        Value::Array(items) if items.is_empty() => {}
        Value::Array(items) => {
            let values: Vec<String> = items.iter().map(shown).collect();
            out.push(format!("--{} {}", path.join("."), values.join(" ")));
        }
        scalar => out.push(format!("--{} {}", path.join("."), shown(scalar))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn input_and_output_templates() {
        let svc = tencentcloud_schema::service("cvm").unwrap().unwrap();
        let a = svc.latest().action("DescribeInstances").unwrap();
        let input: Value = serde_json::from_str(&skeleton(&a, SkeletonKind::Input)).unwrap();
        assert_eq!(
            input,
            json!({"InstanceIds": ["String"], "Filters": [{"Name": "String", "Values": ["String"]}], "Offset": "Integer", "Limit": "Integer"})
        );
        assert!(skeleton(&a, SkeletonKind::Input).starts_with("{\n    \"InstanceIds\": [\n        \"String\"\n    ],"));
        let output: Value = serde_json::from_str(&skeleton(&a, SkeletonKind::Output)).unwrap();
        assert_eq!(output["TotalCount"], "Integer");
        assert_eq!(output["InstanceSet"][0]["Placement"]["Zone"], "String");
    }

    #[test]
    fn examples_as_unfold_words() {
        let words = unfold_words(&json!({
            "Limit": 1,
            "Filters": [{"Name": "zone", "Values": ["ap-guangzhou-3", "a b"]}],
            "DryRun": true,
            "Empty": [],
            "Remarks": null,
        }));
        assert_eq!(
            words,
            [
                "--Limit 1",
                "--Filters.0.Name zone",
                "--Filters.0.Values ap-guangzhou-3 'a b'",
                "--DryRun True",
                "--Remarks None"
            ]
        );
    }
}
