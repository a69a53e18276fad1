//! Which actions page their answers, and how: the rule `tcloud --page-all` applies to the
//! schema at run time (`cli/src/paging.rs`), applied here to the specs so that the generator
//! can emit a `rt::paged!` line (`tencentcloud_runtime::Paginated`) for each.
//!
//! An action pages when its input has a cursor and its answer one list:
//!
//! - `Offset` + `Limit` (numbers, or text as in VPC);
//! - else `NextToken` (text) in the input and in the answer;
//! - else `PageNumber`, `PageNo`, `PageIndex` or `Page` + `PageSize` (numbers).
//!
//! The list is the answer's only list member, or the only list of its only object member
//! (`Data.List`); the total, when there is one, is `TotalCount`, `Total`, `TotalNum` or
//! `TotalCnt` (a number) beside the list, else beside the object. A list of lists is not
//! followed.

use crate::spec::{Action, Api, Kind, Member, Scalar};

/// How an action's next page is asked for; the names are the request's wire names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// `Offset` + `Limit`.
    Offset,
    /// A page number (its name) + `PageSize`.
    Page(&'static str),
    /// `NextToken` in and out.
    Token,
}

/// An action's pagination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paging {
    /// The cursor.
    pub cursor: Cursor,
    /// Wire names to the list in the answer (`["InstanceSet"]`, `["Data", "List"]`).
    pub list: Vec<String>,
    /// The list's item.
    pub item: Kind,
    /// Wire names to the total, if the answer has one.
    pub total: Option<Vec<String>>,
}

const TOTALS: [&str; 4] = ["TotalCount", "Total", "TotalNum", "TotalCnt"];
const PAGE_NAMES: [&str; 4] = ["PageNumber", "PageNo", "PageIndex", "Page"];

fn scalar(members: &[Member], name: &str) -> Option<Scalar> {
    members.iter().find(|m| m.name == name).and_then(|m| match m.kind()? {
        Kind::Scalar(s) => Some(s),
        _ => None,
    })
}

fn is_int(s: Option<Scalar>) -> bool {
    matches!(s, Some(Scalar::Int64 | Scalar::Uint64))
}

fn int_or_text(s: Option<Scalar>) -> bool {
    matches!(s, Some(Scalar::Int64 | Scalar::Uint64 | Scalar::String))
}

fn total(members: &[Member]) -> Option<&'static str> {
    TOTALS.into_iter().find(|t| is_int(scalar(members, t)))
}

/// The one list among `members` (its name and item) and the total beside it.
fn one_list(members: &[Member]) -> Option<(String, Kind, Option<&'static str>)> {
    let mut lists = members.iter().filter_map(|m| match m.kind()? {
        Kind::List(item) => Some((m, *item)),
        _ => None,
    });
    let (list, item) = lists.next()?;
    if lists.next().is_some() || matches!(item, Kind::List(_)) {
        return None;
    }
    Some((list.name.clone(), item, total(members)))
}

/// The pagination of `action` in `api`, if it has one (see the module docs).
pub fn of(api: &Api, action: &Action) -> Option<Paging> {
    let input = &api.objects.get(&action.input)?.members;
    let output: Vec<Member> =
        api.objects.get(&action.output)?.members.iter().filter(|m| m.name != "RequestId").cloned().collect();
    let cursor = if int_or_text(scalar(input, "Offset")) && int_or_text(scalar(input, "Limit")) {
        Cursor::Offset
    } else if scalar(input, "NextToken") == Some(Scalar::String) && scalar(&output, "NextToken") == Some(Scalar::String)
    {
        Cursor::Token
    } else {
        Cursor::Page(PAGE_NAMES.into_iter().find(|n| is_int(scalar(input, n)) && is_int(scalar(input, "PageSize")))?)
    };
    if let Some((list, item, t)) = one_list(&output) {
        return Some(Paging { cursor, list: vec![list], item, total: t.map(|t| vec![t.to_owned()]) });
    }
    let mut objects = output.iter().filter_map(|m| match m.kind()? {
        Kind::Object(name) => Some((m, name)),
        _ => None,
    });
    let (object, name) = objects.next()?;
    if objects.next().is_some() {
        return None;
    }
    let (list, item, inner) = one_list(&api.objects.get(&name)?.members)?;
    let total = match (inner, total(&output)) {
        (Some(t), _) => Some(vec![object.name.clone(), t.to_owned()]),
        (None, Some(t)) => Some(vec![t.to_owned()]),
        (None, None) => None,
    };
    Some(Paging { cursor, list: vec![object.name.clone(), list], item, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(input: &str, output: &str, extra: &str) -> Api {
        serde_json::from_str(&format!(
            r#"{{"metadata": {{"apiVersion": "2020-01-01", "serviceShortName": "x"}},
                "actions": {{"A": {{"input": "Req", "output": "Resp"}}}},
                "objects": {{"Req": {{"members": [{input}]}}, "Resp": {{"members": [{output}]}}{extra}}}}}"#
        ))
        .unwrap()
    }

    fn m(name: &str, ty: &str, member: &str) -> String {
        format!(r#"{{"name": "{name}", "type": "{ty}", "member": "{member}"}}"#)
    }

    fn paging(input: &[String], output: &[String], extra: &str) -> Option<Paging> {
        let api = api(&input.join(","), &output.join(","), extra);
        of(&api, &api.actions["A"])
    }

    #[test]
    fn offsets_pages_and_tokens() {
        let set = m("InstanceSet", "list", "Instance");
        let total = m("TotalCount", "int", "int64");
        let id = m("RequestId", "string", "string");
        let p =
            paging(&[m("Offset", "int", "int64"), m("Limit", "int", "int64")], &[set.clone(), total.clone(), id], "");
        assert_eq!(
            p.unwrap(),
            Paging {
                cursor: Cursor::Offset,
                list: vec!["InstanceSet".into()],
                item: Kind::Object("Instance".into()),
                total: Some(vec!["TotalCount".into()])
            }
        );
        // VPC's text offsets.
        let text = [m("Offset", "string", "string"), m("Limit", "string", "string")];
        assert_eq!(paging(&text, std::slice::from_ref(&set), "").unwrap().cursor, Cursor::Offset);
        let pages = [m("PageIndex", "int", "uint64"), m("PageSize", "int", "uint64")];
        assert_eq!(paging(&pages, std::slice::from_ref(&set), "").unwrap().cursor, Cursor::Page("PageIndex"));
        let token = m("NextToken", "string", "string");
        assert_eq!(
            paging(std::slice::from_ref(&token), &[set.clone(), token.clone()], "").unwrap().cursor,
            Cursor::Token
        );
        // A token only in the input, a page number without a size: no cursor.
        assert!(paging(&[token], std::slice::from_ref(&set), "").is_none());
        assert!(paging(&[m("PageNumber", "int", "int64")], &[set], "").is_none());
    }

    #[test]
    fn the_list_one_object_down_and_its_total() {
        let off = [m("Offset", "int", "int64"), m("Limit", "int", "int64")];
        let data =
            format!(r#", "Data": {{"members": [{}, {}]}}"#, m("List", "list", "string"), m("Total", "int", "int64"));
        let p = paging(&off, &[m("Data", "object", "Data")], &data).unwrap();
        assert_eq!(
            (p.list, p.item, p.total),
            (
                vec!["Data".into(), "List".into()],
                Kind::Scalar(Scalar::String),
                Some(vec!["Data".into(), "Total".into()])
            )
        );
        // The total beside the object when none is inside.
        let data = format!(r#", "Data": {{"members": [{}]}}"#, m("List", "list", "int64"));
        let p = paging(&off, &[m("Data", "object", "Data"), m("TotalCnt", "int", "int64")], &data).unwrap();
        assert_eq!(p.total, Some(vec!["TotalCnt".into()]));
        // Two lists, or a list of lists: which one pages is not known.
        assert!(paging(&off, &[m("A", "list", "string"), m("B", "list", "string")], "").is_none());
        assert!(paging(&off, &[m("A", "object", "Data"), m("B", "object", "Data")], &data).is_none());
        // A text total is not a total.
        let p = paging(&off, &[m("A", "list", "string"), m("Total", "string", "string")], "").unwrap();
        assert_eq!(p.total, None);
    }
}
