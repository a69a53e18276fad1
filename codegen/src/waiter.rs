//! Which actions a typed waiter can poll for a state: the paging listings
//! ([`crate::paging`]) whose item has one state member, so that "every listed item is in
//! state S" is a question the answer answers (`DescribeInstances` with `InstanceIds` until
//! every instance is `RUNNING`). The generator emits a `rt::waits!` line
//! (`tencentcloud_runtime::Stateful`) for each.
//!
//! The state member is the item's text member named `State` or after the item
//! (`InstanceState` in `Instance`), else its one text member whose name ends in `State`; else
//! the same with `Status`. An item with two candidates and neither named so has no single
//! state, and no waiter. (CVM's `Instance` has `InstanceState` and `LatestOperationState`:
//! the first is named after the item.)

use crate::spec::{Action, Api, Kind, Scalar};

/// The wire name of the state member of `action`'s listed items, if it has one (see the
/// module docs).
pub fn of(api: &Api, action: &Action) -> Option<String> {
    let paging = crate::paging::of(api, action)?;
    let Kind::Object(item) = paging.item else { return None };
    let texts: Vec<&str> = api
        .objects
        .get(&item)?
        .members
        .iter()
        .filter(|m| matches!(m.kind(), Some(Kind::Scalar(Scalar::String))))
        .map(|m| m.name.as_str())
        .collect();
    ["State", "Status"].into_iter().find_map(|suffix| {
        let named = [suffix.to_owned(), format!("{item}{suffix}")];
        if let Some(n) = texts.iter().find(|n| named.iter().any(|m| m == *n)) {
            return Some((*n).to_owned());
        }
        match texts.iter().filter(|n| n.ends_with(suffix)).collect::<Vec<_>>()[..] {
            [one] => Some((*one).to_owned()),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(item: &[(&str, &str)]) -> Api {
        let members: Vec<String> = item
            .iter()
            .map(|(n, t)| {
                format!(
                    r#"{{"name": "{n}", "type": "{t}", "member": "{}"}}"#,
                    if *t == "int" { "int64" } else { "string" }
                )
            })
            .collect();
        serde_json::from_str(&format!(
            r#"{{"metadata": {{"apiVersion": "2020-01-01", "serviceShortName": "x"}},
                "actions": {{"A": {{"input": "Req", "output": "Resp"}}}},
                "objects": {{
                  "Req": {{"members": [{{"name": "Offset", "type": "int", "member": "int64"}}, {{"name": "Limit", "type": "int", "member": "int64"}}]}},
                  "Resp": {{"members": [{{"name": "Set", "type": "list", "member": "Item"}}]}},
                  "Item": {{"members": [{}]}}}}}}"#,
            members.join(",")
        ))
        .unwrap()
    }

    fn state(item: &[(&str, &str)]) -> Option<String> {
        let api = api(item);
        of(&api, &api.actions["A"])
    }

    #[test]
    fn the_one_state_member() {
        assert_eq!(state(&[("InstanceId", "string"), ("InstanceState", "string")]).as_deref(), Some("InstanceState"));
        assert_eq!(state(&[("State", "string")]).as_deref(), Some("State"));
        // A `…State` member is preferred to a `…Status` one.
        assert_eq!(state(&[("Status", "string"), ("DiskState", "string")]).as_deref(), Some("DiskState"));
        assert_eq!(state(&[("Status", "string"), ("Name", "string")]).as_deref(), Some("Status"));
        // Two candidates: the one named after the item (the item type here is `Item`).
        assert_eq!(state(&[("ItemState", "string"), ("LatestOperationState", "string")]).as_deref(), Some("ItemState"));
        // Two candidates, neither named so, or none, or a number: no waiter.
        assert_eq!(state(&[("InstanceState", "string"), ("LatestOperationState", "string")]), None);
        assert_eq!(state(&[("Name", "string")]), None);
        assert_eq!(state(&[("Status", "int")]), None);
        // Two `…State` members but one `…Status`: the `State` suffix is ambiguous, `Status` is not.
        assert_eq!(
            state(&[("AState", "string"), ("BState", "string"), ("Status", "string")]).as_deref(),
            Some("Status")
        );
    }
}
