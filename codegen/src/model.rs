//! What to generate for one API version: the actions kept, the direction each object is
//! used in (worked out by reachability, not from the spec's unreliable `usage`), and the
//! members that need a `Box` because the object contains itself.
use crate::spec::{Api, Kind};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How an object is used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dir {
    /// Reachable from a request: it is written (serialized).
    pub request: bool,
    /// Reachable from a response: it is read (deserialized).
    pub response: bool,
}

/// The analysis of one API version.
#[derive(Debug)]
pub struct Analysis<'a> {
    /// Actions generated (offline ones are left out), by name.
    pub actions: BTreeMap<&'a str, &'a crate::spec::Action>,
    /// Objects reachable from a kept action, with their direction. Others are not generated.
    pub objects: BTreeMap<&'a str, Dir>,
    /// `(object, member index)` pairs that hold their object in a `Box`.
    pub boxed: BTreeSet<(&'a str, usize)>,
}

/// The object a member refers to (directly or as a list item), and whether directly.
fn object_ref(kind: &Kind) -> Option<(&str, bool)> {
    match kind {
        Kind::Object(name) => Some((name, true)),
        Kind::List(item) => match &**item {
            Kind::Object(name) => Some((name, false)),
            _ => None,
        },
        Kind::Scalar(_) => None,
    }
}

/// Analyses `api`; an error names a member whose type cannot be resolved or an object that
/// does not exist.
pub fn analyse(api: &Api) -> Result<Analysis<'_>, String> {
    let actions: BTreeMap<&str, _> =
        api.actions.iter().filter(|(_, a)| a.status() != "offline").map(|(n, a)| (n.as_str(), a)).collect();
    // Edges: object -> (referenced object, direct?, member index).
    let mut edges: HashMap<&str, Vec<(&str, bool, usize)>> = HashMap::new();
    for (name, obj) in &api.objects {
        let list = edges.entry(name.as_str()).or_default();
        for (i, m) in obj.members.iter().enumerate() {
            let kind =
                m.kind().ok_or_else(|| format!("{name}.{}: cannot resolve type {:?}/{:?}", m.name, m.ty, m.member))?;
            if let Some((target, direct)) = object_ref(&kind) {
                let (target, _) = api
                    .objects
                    .get_key_value(target)
                    .ok_or_else(|| format!("{name}.{}: unknown object {target}", m.name))?;
                list.push((target.as_str(), direct, i));
            }
        }
    }
    let mut objects: BTreeMap<&str, Dir> = BTreeMap::new();
    let inputs: Vec<&str> = actions.values().map(|a| a.input.as_str()).collect();
    let outputs: Vec<&str> = actions.values().map(|a| a.output.as_str()).collect();
    for (side, roots) in [(true, inputs), (false, outputs)] {
        let mut stack = roots;
        while let Some(name) = stack.pop() {
            if !api.objects.contains_key(name) {
                return Err(format!("an action uses the unknown object {name}"));
            }
            let dir = objects.entry(name).or_default();
            let seen = if side {
                std::mem::replace(&mut dir.request, true)
            } else {
                std::mem::replace(&mut dir.response, true)
            };
            if !seen {
                stack.extend(edges.get(name).into_iter().flatten().map(|e| e.0));
            }
        }
    }
    // A direct member needs a Box when its object leads back (directly) to the holder.
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(n) = stack.pop() {
            if n == to {
                return true;
            }
            if seen.insert(n) {
                stack.extend(edges.get(n).into_iter().flatten().filter(|e| e.1).map(|e| e.0));
            }
        }
        false
    };
    let mut boxed = BTreeSet::new();
    for name in objects.keys() {
        for &(target, direct, i) in edges.get(name).into_iter().flatten() {
            if direct && reaches(target, name) {
                boxed.insert((*name, i));
            }
        }
    }
    Ok(Analysis { actions, objects, boxed })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(json: serde_json::Value) -> Api {
        serde_json::from_value(json).unwrap()
    }

    fn obj(members: &[(&str, &str, &str)]) -> serde_json::Value {
        let m: Vec<_> =
            members.iter().map(|(n, t, m)| serde_json::json!({"name": n, "type": t, "member": m})).collect();
        serde_json::json!({ "members": m })
    }

    #[test]
    fn direction_comes_from_reachability_and_recursion_is_boxed() {
        let a = api(serde_json::json!({
            "metadata": {"apiVersion": "2020-01-01", "serviceShortName": "x"},
            "actions": {
                "Get": {"input": "GetRequest", "output": "GetResponse", "status": "online"},
                "Old": {"input": "OldRequest", "output": "OldResponse", "status": "offline"},
            },
            "objects": {
                "GetRequest": obj(&[("Filter", "object", "Filter"), ("Node", "object", "Node")]),
                "GetResponse": obj(&[("Items", "list", "Item"), ("Filter", "object", "Filter"), ("Tree", "object", "Tree")]),
                "Filter": obj(&[("Name", "string", "string")]),
                "Item": obj(&[("Id", "int", "uint64")]),
                // Direct recursion through another object: both edges boxed.
                "Node": obj(&[("Next", "object", "Node2")]),
                "Node2": obj(&[("Back", "object", "Node")]),
                // Recursion through a list needs no box.
                "Tree": obj(&[("Children", "list", "Tree")]),
                "OldRequest": obj(&[]),
                "OldResponse": obj(&[]),
                "Orphan": obj(&[]),
                // usage claims "in", reachability says response only.
            },
        }));
        let an = analyse(&a).unwrap();
        assert_eq!(an.actions.keys().copied().collect::<Vec<_>>(), ["Get"]);
        let d = |n| an.objects.get(n).copied();
        assert_eq!(d("Filter"), Some(Dir { request: true, response: true }));
        assert_eq!(d("Item"), Some(Dir { request: false, response: true }));
        assert_eq!(d("Node2"), Some(Dir { request: true, response: false }));
        assert_eq!(d("Orphan"), None);
        assert_eq!(d("OldRequest"), None);
        assert_eq!(an.boxed.iter().copied().collect::<Vec<_>>(), [("Node", 0), ("Node2", 0)]);
    }

    #[test]
    fn unknown_objects_are_errors() {
        let a = api(serde_json::json!({
            "metadata": {"apiVersion": "2020-01-01", "serviceShortName": "x"},
            "actions": {"Get": {"input": "GetRequest", "output": "GetResponse"}},
            "objects": {"GetRequest": obj(&[("X", "object", "Missing")]), "GetResponse": obj(&[])},
        }));
        assert_eq!(analyse(&a).unwrap_err(), "GetRequest.X: unknown object Missing");
    }
}
