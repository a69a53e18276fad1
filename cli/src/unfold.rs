//! `--cli-unfold-argument`: parameters written with dots, as tccli, the API Explorer and the
//! documentation print them: `--Filters.0.Name zone --Filters.0.Values ap-guangzhou-3 ap-guangzhou-4`.
//!
//! tccli's rules (`tccli/cli_unfold_argument.py`, `tccli/loaders.py`): a name walks the input
//! shape, an index after each list of objects; a leaf takes one value read as its type (booleans
//! as `str_to_bool`, numbers as Python's `int`/`float`), a list of scalars takes any number of
//! values (none: an empty list); the indices of a list start at 0 and step by 1. Beyond tccli:
//! an object (or list of objects) not unfolded takes one JSON value, as in the plain form, and an
//! index may pass tccli's `arrayCount` (10).

use serde_json::{Map, Value};
use tencentcloud_schema::{Member, Type, Version};

/// The most list items one unfolded list may have (an index past it is refused).
pub const MAX_INDEX: usize = 10_000;

/// The request object the dotted parameters build.
pub fn build(
    version: &Version,
    members: &[Member],
    params: &[(String, Vec<String>)],
) -> Result<Map<String, Value>, String> {
    let mut root = Node::Object(Vec::new());
    for (key, values) in params {
        let (path, leaf) = walk(version, members, key)?;
        let value = leaf_value(key, leaf, values)?;
        insert(&mut root, &path, value, key)?;
    }
    match finish(root, "")? {
        Value::Object(map) => Ok(map),
        _ => Ok(Map::new()),
    }
}

/// One step of a dotted name: a member or a list index.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Name(String),
    Index(usize),
}

/// The steps of `key` and the type it ends at.
fn walk<'v>(version: &'v Version, members: &'v [Member], key: &str) -> Result<(Vec<Step>, &'v Type), String> {
    let unknown = |why: &str| {
        format!(
            "Unknown options: --{key} ({why}; `--cli-unfold-argument` names walk the input shape: `--Filters.0.Name`)"
        )
    };
    let mut steps = Vec::new();
    let mut current: &[Member] = members;
    let mut segments = key.split('.').peekable();
    loop {
        let Some(name) = segments.next() else { return Err(unknown("empty name")) };
        let member = current.iter().find(|m| m.name == name).ok_or_else(|| {
            let accepted: Vec<&str> = current.iter().map(|m| m.name.as_str()).collect();
            unknown(&format!("no member `{name}` here; accepted: {}", accepted.join(", ")))
        })?;
        steps.push(Step::Name(member.name.clone()));
        let mut ty = &member.ty;
        if segments.peek().is_none() {
            return Ok((steps, ty));
        }
        if let Type::List(item) = ty {
            if matches!(item.as_ref(), Type::Scalar(_)) {
                return Err(unknown(&format!("`{name}` is a list of values: `--{name} v1 v2`")));
            }
            let index = segments.next().unwrap_or_default();
            if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
                return Err(unknown(&format!("`{name}` is a list: an index comes next (`{name}.0`)")));
            }
            let i: usize = index.parse().ok().filter(|i| *i < MAX_INDEX).ok_or_else(|| unknown("index too large"))?;
            steps.push(Step::Index(i));
            ty = item;
            if segments.peek().is_none() {
                return Ok((steps, ty));
            }
        }
        match ty {
            Type::Object(o) => current = version.object(o).unwrap_or(&[]),
            _ => return Err(unknown(&format!("`{name}` has no members"))),
        }
    }
}

/// The value of a leaf from its command-line words.
fn leaf_value(key: &str, ty: &Type, values: &[String]) -> Result<Value, String> {
    let scalar = |ty: &Type, text: &str| crate::service::scalar_value(key, ty, text);
    match ty {
        Type::List(item) if matches!(item.as_ref(), Type::Scalar(_)) => {
            values.iter().map(|v| scalar(item, v)).collect::<Result<Vec<_>, _>>().map(Value::Array)
        }
        _ => match values {
            [one] => match ty {
                Type::Scalar(_) => scalar(ty, one),
                _ => serde_json::from_str(one).map_err(|e| format!("argument --{key} ({ty}) takes JSON here: {e}")),
            },
            [] => Err(format!("argument --{key}: expected one argument")),
            [_, extra @ ..] => Err(format!("Unknown options: {} (--{key} takes one value)", extra.join(", "))),
        },
    }
}

/// The request as it is built: objects keep their members in the order given.
enum Node {
    Leaf(Value),
    Object(Vec<(String, Node)>),
    List(Vec<(usize, Node)>),
}

fn insert(node: &mut Node, path: &[Step], value: Value, key: &str) -> Result<(), String> {
    let twice = || format!("argument --{key}: given twice (or inside a value given as a whole)");
    let Some((step, rest)) = path.split_first() else { return Err(twice()) };
    let child_kind = |rest: &[Step]| match rest.first() {
        None => None,
        Some(Step::Name(_)) => Some(Node::Object(Vec::new())),
        Some(Step::Index(_)) => Some(Node::List(Vec::new())),
    };
    let slot: &mut Node = match (node, step) {
        (Node::Object(members), Step::Name(name)) => match members.iter().position(|(n, _)| n == name) {
            Some(i) => &mut members[i].1,
            None => {
                let Some(fresh) = child_kind(rest) else {
                    members.push((name.clone(), Node::Leaf(value)));
                    return Ok(());
                };
                members.push((name.clone(), fresh));
                &mut members.last_mut().ok_or_else(twice)?.1
            }
        },
        (Node::List(items), Step::Index(i)) => match items.iter().position(|(n, _)| n == i) {
            Some(p) => &mut items[p].1,
            None => {
                let Some(fresh) = child_kind(rest) else {
                    items.push((*i, Node::Leaf(value)));
                    return Ok(());
                };
                items.push((*i, fresh));
                &mut items.last_mut().ok_or_else(twice)?.1
            }
        },
        _ => return Err(twice()),
    };
    if rest.is_empty() || matches!(slot, Node::Leaf(_)) {
        return Err(twice());
    }
    insert(slot, rest, value, key)
}

/// The JSON of a built node; a list's indices must be 0, 1, 2, ...
fn finish(node: Node, path: &str) -> Result<Value, String> {
    Ok(match node {
        Node::Leaf(v) => v,
        Node::Object(members) => {
            let mut map = Map::new();
            for (name, child) in members {
                let child_path = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
                map.insert(name, finish(child, &child_path)?);
            }
            Value::Object(map)
        }
        Node::List(mut items) => {
            items.sort_by_key(|(i, _)| *i);
            if items.iter().enumerate().any(|(want, (i, _))| want != *i) {
                return Err(format!(
                    "The index of the array parameter: --{path} must start from 0, and the step size is 1"
                ));
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, child) in items {
                out.push(finish(child, &format!("{path}.{i}"))?);
            }
            Value::Array(out)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(pairs: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.iter().map(|s| (*s).to_owned()).collect())).collect()
    }

    fn cvm(action: &str, pairs: &[(&str, &[&str])]) -> Result<Value, String> {
        let svc = tencentcloud_schema::service("cvm").unwrap().unwrap();
        let a = svc.latest().action(action).unwrap();
        build(a.version, a.input(), &p(pairs)).map(Value::Object)
    }

    #[test]
    fn dotted_names_build_the_request() {
        let v = cvm(
            "DescribeInstances",
            &[
                ("Filters.0.Name", &["zone"]),
                ("Filters.0.Values", &["ap-guangzhou-3", "ap-guangzhou-4"]),
                ("Filters.1.Name", &["instance-name"]),
                ("Filters.1.Values", &["a b"]),
                ("Limit", &["1"]),
                ("InstanceIds", &[]),
            ],
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"Filters": [{"Name": "zone", "Values": ["ap-guangzhou-3", "ap-guangzhou-4"]}, {"Name": "instance-name", "Values": ["a b"]}], "Limit": 1, "InstanceIds": []})
        );
        let v = cvm(
            "RunInstances",
            &[("Placement.Zone", &["ap-guangzhou-3"]), ("DryRun", &["True"]), ("InstanceCount", &["2"])],
        )
        .unwrap();
        assert_eq!(v, json!({"Placement": {"Zone": "ap-guangzhou-3"}, "DryRun": true, "InstanceCount": 2}));
        // Not unfolded: JSON, as in the plain form.
        let v = cvm("RunInstances", &[("Placement", &[r#"{"Zone":"z"}"#])]).unwrap();
        assert_eq!(v, json!({"Placement": {"Zone": "z"}}));
    }

    #[test]
    fn tcclis_refusals() {
        let e = cvm("DescribeInstances", &[("Filters.1.Name", &["zone"])]).unwrap_err();
        assert_eq!(e, "The index of the array parameter: --Filters must start from 0, and the step size is 1");
        assert!(cvm("DescribeInstances", &[("Filters.0.Nam", &["x"])]).unwrap_err().contains("accepted: Name, Values"));
        assert!(cvm("DescribeInstances", &[("Filters.Name", &["x"])]).unwrap_err().contains("an index comes next"));
        assert!(cvm("DescribeInstances", &[("InstanceIds.0", &["x"])]).unwrap_err().contains("a list of values"));
        assert!(cvm("DescribeInstances", &[("Limit", &["1", "2"])]).unwrap_err().starts_with("Unknown options: 2"));
        assert!(cvm("DescribeInstances", &[("Limit", &[])]).unwrap_err().contains("expected one argument"));
        assert!(cvm("DescribeInstances", &[("Limit", &["x"])]).unwrap_err().contains("invalid int64 value: 'x'"));
        let twice = cvm("RunInstances", &[("Placement", &["{}"]), ("Placement.Zone", &["z"])]).unwrap_err();
        assert!(twice.contains("given twice"), "{twice}");
        assert!(cvm("DescribeInstances", &[("Filters.99999.Name", &["x"])]).unwrap_err().contains("too large"));
    }
}
