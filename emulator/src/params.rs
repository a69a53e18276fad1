//! Request parameters: JSON bodies and flattened query strings (`Filters.0.Name=x`).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// Decodes `application/x-www-form-urlencoded` text: `+` is a space, `%XX` a byte.
///
/// Malformed escapes are kept literally; invalid UTF-8 is replaced.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex_val(b[i + 1]), hex_val(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Splits a query string into decoded `(name, value)` pairs, in order.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

enum Node {
    Leaf(String),
    Map(BTreeMap<String, Node>),
}

/// Turns flattened pairs into nested JSON: `Filters.0.Name=x&Filters.0.Values.0=a&Limit=1` becomes
/// `{"Filters":[{"Name":"x","Values":["a"]}],"Limit":"1"}`.
///
/// A level whose keys are all decimal integers becomes an array ordered by index. Values stay
/// strings: the flattened form carries no types.
pub fn unflatten(pairs: &[(String, String)]) -> Value {
    let mut root = BTreeMap::new();
    for (key, value) in pairs {
        let segments: Vec<&str> = key.split('.').collect();
        insert(&mut root, &segments, value);
    }
    to_json(Node::Map(root))
}

fn insert(map: &mut BTreeMap<String, Node>, segments: &[&str], value: &str) {
    let Some((first, rest)) = segments.split_first() else { return };
    if rest.is_empty() {
        map.insert((*first).to_owned(), Node::Leaf(value.to_owned()));
        return;
    }
    let entry = map.entry((*first).to_owned()).or_insert_with(|| Node::Map(BTreeMap::new()));
    if let Node::Leaf(_) = entry {
        *entry = Node::Map(BTreeMap::new());
    }
    if let Node::Map(child) = entry {
        insert(child, rest, value);
    }
}

fn to_json(node: Node) -> Value {
    match node {
        Node::Leaf(s) => Value::String(s),
        Node::Map(map) => {
            let numeric = !map.is_empty() && map.keys().all(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()));
            if numeric {
                let mut items: Vec<(u64, Node)> =
                    map.into_iter().map(|(k, v)| (k.parse::<u64>().unwrap_or(u64::MAX), v)).collect();
                items.sort_by_key(|(i, _)| *i);
                Value::Array(items.into_iter().map(|(_, v)| to_json(v)).collect())
            } else {
                Value::Object(map.into_iter().map(|(k, v)| (k, to_json(v))).collect::<Map<String, Value>>())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decode() {
        assert_eq!(percent_decode("a+b%20c%2Fd%zz%"), "a b c/d%zz%");
        assert_eq!(percent_decode("%E6%9C%AA"), "未");
    }

    #[test]
    fn flattening() {
        let pairs = parse_query(
            "Limit=1&Filters.0.Name=instance-name&Filters.0.Values.0=a%20b&Filters.0.Values.1=c&Filters.1.Name=zone&InstanceIds.10=x&InstanceIds.2=y",
        );
        assert_eq!(
            unflatten(&pairs),
            json!({
                "Limit": "1",
                "Filters": [{"Name": "instance-name", "Values": ["a b", "c"]}, {"Name": "zone"}],
                "InstanceIds": ["y", "x"],
            })
        );
        assert_eq!(unflatten(&parse_query("")), json!({}));
    }
}
