//! `--page-all`: follows an action's pagination to the end and prints one answer, its list the
//! items of every page.
//!
//! An action pages (the rule [`Paging::of`], from its input and output shapes) when its input
//! has a cursor and its answer one list:
//!
//! - `Offset` + `Limit` (numbers, or text as in VPC): the next offset is the last plus the items
//!   received;
//! - `PageNumber`, `PageNo`, `PageIndex` or `Page` + `PageSize`: the next page is the last plus
//!   one (the first is the one given, else 1);
//! - `NextToken` in and out: the next token is the one answered.
//!
//! The list is the answer's only list member, or the only list of its only object member
//! (`Data.List`); the total, when there is one, is `TotalCount`, `Total`, `TotalNum` or
//! `TotalCnt` beside it. It stops at an empty page, a short page (fewer items than the `Limit` or
//! `PageSize` sent), the total reached, no next token, or [`MAX_PAGES`].

use serde_json::Value;
use tencentcloud_schema::{ActionRef, Member, Scalar, Type};

/// The most pages one `--page-all` asks for.
pub const MAX_PAGES: usize = 1000;

/// How an action's next page is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// `Offset` + `Limit`; `text`: they are strings (VPC's).
    Offset {
        /// Whether the offset is sent as text.
        text: bool,
    },
    /// A page number and `PageSize`.
    Page {
        /// The page number's name (`PageNumber`, `PageNo`, `PageIndex`, `Page`).
        name: &'static str,
    },
    /// `NextToken` in and out.
    Token,
}

/// An action's pagination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paging {
    /// The cursor.
    pub cursor: Cursor,
    /// Where the page's list is in the answer (`["InstanceSet"]`, `["Data", "List"]`).
    pub list: Vec<String>,
    /// Where the total is, if the answer has one.
    pub total: Option<Vec<String>>,
}

const TOTALS: [&str; 4] = ["TotalCount", "Total", "TotalNum", "TotalCnt"];
const PAGE_NAMES: [&str; 4] = ["PageNumber", "PageNo", "PageIndex", "Page"];

fn scalar(members: &[Member], name: &str) -> Option<Scalar> {
    members.iter().find(|m| m.name == name).and_then(|m| match m.ty {
        Type::Scalar(s) => Some(s),
        _ => None,
    })
}

fn is_int(s: Option<Scalar>) -> bool {
    matches!(s, Some(Scalar::Int64 | Scalar::Uint64))
}

/// The one list among `members` (and the total beside it).
fn one_list(members: &[Member], prefix: &[String]) -> Option<(Vec<String>, Option<Vec<String>>)> {
    let lists: Vec<&Member> = members.iter().filter(|m| matches!(m.ty, Type::List(_))).collect();
    let [list] = lists.as_slice() else { return None };
    let total = TOTALS.iter().find(|t| is_int(scalar(members, t))).map(|t| {
        let mut p = prefix.to_vec();
        p.push((*t).to_owned());
        p
    });
    let mut path = prefix.to_vec();
    path.push(list.name.clone());
    Some((path, total))
}

impl Paging {
    /// The pagination of `action`, if it has one (see the module docs).
    pub fn of(action: &ActionRef<'_>) -> Option<Paging> {
        let input = action.input();
        let cursor = if matches!(scalar(input, "Offset"), Some(Scalar::Int64 | Scalar::Uint64 | Scalar::String))
            && matches!(scalar(input, "Limit"), Some(Scalar::Int64 | Scalar::Uint64 | Scalar::String))
        {
            Cursor::Offset { text: scalar(input, "Offset") == Some(Scalar::String) }
        } else if scalar(input, "NextToken") == Some(Scalar::String)
            && action.output().iter().any(|m| m.name == "NextToken")
        {
            Cursor::Token
        } else if let Some(name) =
            PAGE_NAMES.into_iter().find(|n| is_int(scalar(input, n)) && is_int(scalar(input, "PageSize")))
        {
            Cursor::Page { name }
        } else {
            return None;
        };
        let output: Vec<Member> = action.output().iter().filter(|m| m.name != "RequestId").cloned().collect();
        let (list, total) = one_list(&output, &[]).or_else(|| {
            let objects: Vec<&Member> = output.iter().filter(|m| matches!(m.ty, Type::Object(_))).collect();
            let [object] = objects.as_slice() else { return None };
            let Type::Object(name) = &object.ty else { return None };
            let inner = action.version.object(name)?;
            let (list, inner_total) = one_list(inner, std::slice::from_ref(&object.name))?;
            let top_total = TOTALS.iter().find(|t| is_int(scalar(&output, t))).map(|t| vec![(*t).to_owned()]);
            Some((list, inner_total.or(top_total)))
        })?;
        Some(Paging { cursor, list, total })
    }
}

fn get<'a>(v: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

fn number(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Where the pages are, between calls.
pub struct Pages {
    paging: Paging,
    merged: Option<Value>,
    items: Vec<Value>,
    count: usize,
    /// Whether [`MAX_PAGES`] cut it short.
    pub truncated: bool,
}

impl Pages {
    /// Starts following `paging`.
    pub fn new(paging: Paging) -> Pages {
        Pages { paging, merged: None, items: Vec::new(), count: 0, truncated: false }
    }

    /// Takes one answer to `params`; the parameters of the next page, or `None` at the end.
    pub fn next(&mut self, params: &Value, answer: Value) -> Option<Value> {
        self.count += 1;
        let page: Vec<Value> = get(&answer, &self.paging.list).and_then(Value::as_array).cloned().unwrap_or_default();
        let n = page.len();
        self.items.extend(page);
        let total = self.paging.total.as_ref().and_then(|t| number(get(&answer, t)));
        let next_token = get(&answer, &["NextToken".to_owned()]).cloned();
        match &mut self.merged {
            None => self.merged = Some(answer),
            Some(m) => {
                // The last answer's token (none left) and request id.
                if let (Some(t), Some(obj)) = (next_token.clone(), m.as_object_mut()) {
                    obj.insert("NextToken".into(), t);
                }
                if let (Some(id), Some(obj)) = (answer.get("RequestId").cloned(), m.as_object_mut()) {
                    obj.insert("RequestId".into(), id);
                }
            }
        }
        if n == 0 || total.is_some_and(|t| self.items.len() as i64 >= t) {
            return None;
        }
        if self.count >= MAX_PAGES {
            self.truncated = true;
            return None;
        }
        let mut next = params.clone();
        let obj = next.as_object_mut()?;
        match &self.paging.cursor {
            Cursor::Offset { text } => {
                if number(obj.get("Limit")).is_some_and(|l| (n as i64) < l) {
                    return None;
                }
                let offset = number(obj.get("Offset")).unwrap_or(0) + n as i64;
                obj.insert(
                    "Offset".into(),
                    if *text { Value::String(offset.to_string()) } else { Value::from(offset) },
                );
            }
            Cursor::Page { name } => {
                if number(obj.get("PageSize")).is_some_and(|s| (n as i64) < s) {
                    return None;
                }
                let page = number(obj.get(*name)).unwrap_or(1) + 1;
                obj.insert((*name).into(), Value::from(page));
            }
            Cursor::Token => match next_token {
                Some(Value::String(t)) if !t.is_empty() => {
                    obj.insert("NextToken".into(), Value::String(t));
                }
                _ => return None,
            },
        }
        Some(next)
    }

    /// The first answer, its list every page's items.
    pub fn merged(self) -> Value {
        let mut merged = self.merged.unwrap_or(Value::Null);
        let (parents, last) = self.paging.list.split_at(self.paging.list.len().saturating_sub(1));
        let parent = parents.iter().try_fold(&mut merged, |v, k| v.get_mut(k));
        if let (Some(Value::Object(obj)), [name]) = (parent, last) {
            obj.insert(name.clone(), Value::Array(self.items));
        }
        merged
    }

    /// Pages asked for so far.
    pub fn count(&self) -> usize {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paging(service: &str, action: &str) -> Option<Paging> {
        let svc = tencentcloud_schema::service(service).unwrap().unwrap();
        let a = svc.versions.iter().rev().find_map(|v| v.action(action)).unwrap();
        Paging::of(&a)
    }

    #[test]
    fn the_rule() {
        let p = paging("cvm", "DescribeInstances").unwrap();
        assert_eq!(
            (p.cursor, p.list, p.total),
            (Cursor::Offset { text: false }, vec!["InstanceSet".into()], Some(vec!["TotalCount".into()]))
        );
        assert_eq!(paging("vpc", "DescribeVpcs").unwrap().cursor, Cursor::Offset { text: true });
        assert_eq!(paging("apm", "DescribeApmInstances").unwrap().cursor, Cursor::Page { name: "PageIndex" });
        let p = paging("apigateway", "DescribeAPIDocs").unwrap();
        assert_eq!(
            (p.list, p.total),
            (vec!["Result".into(), "APIDocSet".into()], Some(vec!["Result".into(), "TotalCount".into()]))
        );
        // Two lists in the answer: which one pages is not known.
        assert!(paging("ssa", "DescribeMappingResults").is_none());
        assert!(paging("cvm", "RunInstances").is_none());
        assert!(paging("cvm", "DescribeRegions").is_none());
    }

    /// How many actions (in tccli's default versions) page by the rule: roughly 2,000.
    #[test]
    fn most_listing_actions_page() {
        let mut n = 0;
        for entry in tencentcloud_schema::services() {
            let svc = entry.load().unwrap();
            let versions: Vec<&str> = svc.versions.iter().map(|v| v.version.as_str()).collect();
            let default = crate::tccli::default_version(&svc.name, &versions).unwrap();
            n += svc.version(default).unwrap().actions().filter(|a| Paging::of(a).is_some()).count();
        }
        println!("paginated actions: {n}");
        assert!((1900..3000).contains(&n), "{n}");
    }

    /// The generator applies this rule to the specs (`codegen/src/paging.rs`) to give the typed
    /// requests their pages: the two agree on every action of every version.
    #[test]
    fn the_generator_agrees() {
        use tencentcloud_codegen::paging as gen_paging;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
        if !dir.join("cvm").is_dir() {
            eprintln!("no specs/ (codegen/fetch-specs.sh fetches them): not compared");
            return;
        }
        let specs = tencentcloud_codegen::spec::load(&dir).unwrap();
        let (mut both, mut differ) = (0, Vec::new());
        for s in &specs.services {
            let svc = tencentcloud_schema::service(&s.name).unwrap().unwrap();
            for v in &s.versions {
                let schema = svc.version(&v.version).unwrap();
                for (name, a) in &v.api.actions {
                    let ours = schema.action(name).and_then(|a| Paging::of(&a));
                    let theirs = gen_paging::of(&v.api, a);
                    let same = match (&ours, &theirs) {
                        (None, None) => true,
                        (Some(o), Some(t)) => {
                            let cursor = match (&o.cursor, &t.cursor) {
                                (Cursor::Offset { .. }, gen_paging::Cursor::Offset)
                                | (Cursor::Token, gen_paging::Cursor::Token) => true,
                                (Cursor::Page { name }, gen_paging::Cursor::Page(n)) => name == n,
                                _ => false,
                            };
                            cursor && o.list == t.list && o.total == t.total
                        }
                        _ => false,
                    };
                    if !same {
                        differ.push(format!("{} {} {name}: tcloud {ours:?}, codegen {theirs:?}", s.name, v.version));
                    }
                    both += usize::from(theirs.is_some() && same);
                }
            }
        }
        println!("paging actions in every version, by both rules: {both}");
        assert!(differ.is_empty(), "{} differ:\n{}", differ.len(), differ.join("\n"));
    }

    #[test]
    fn pages_merge() {
        let p = paging("cvm", "DescribeInstances").unwrap();
        let mut pages = Pages::new(p);
        let first = json!({"Limit": 2});
        let second = pages
            .next(&first, json!({"TotalCount": 3, "InstanceSet": [{"I": 1}, {"I": 2}], "RequestId": "a"}))
            .unwrap();
        assert_eq!(second, json!({"Limit": 2, "Offset": 2}));
        assert!(pages.next(&second, json!({"TotalCount": 3, "InstanceSet": [{"I": 3}], "RequestId": "b"})).is_none());
        assert_eq!(pages.count(), 2);
        assert_eq!(
            pages.merged(),
            json!({"TotalCount": 3, "InstanceSet": [{"I": 1}, {"I": 2}, {"I": 3}], "RequestId": "b"})
        );
        // Text offsets stay text; a short page ends it.
        let mut pages = Pages::new(paging("vpc", "DescribeVpcs").unwrap());
        let next = pages.next(&json!({"Limit": "1"}), json!({"TotalCount": 5, "VpcSet": [{}]})).unwrap();
        assert_eq!(next, json!({"Limit": "1", "Offset": "1"}));
        assert!(pages.next(&json!({"Limit": "5"}), json!({"TotalCount": 9, "VpcSet": [{}]})).is_none());
    }
}
