//! # tencentcloud-corpus
//!
//! Checks every generated model against the official documented examples (`examples.json`
//! of each service version): each documented response is decoded into its action's typed
//! response (error examples into the API error), and each documented request (a JSON body,
//! or a query string `Filters.0.Name=...`, unflattened) is read into the typed request and
//! written back to the same JSON. `tests/corpus.rs` runs it over the pinned specs.
//!
//! Each example also goes through serde (every crate's `serde` feature): serde_json reads
//! the documented response and request into the same typed value as the models' own reader
//! (or refuses what it refuses), and writes that value as the same JSON as the models' own
//! writer, byte for byte. serde_json parses floats with `float_roundtrip` here: its default
//! parser is off by one unit in the last place on 15 documented examples, where the models'
//! reader (Rust's `f64` parsing) is exact.
//!
//! Not published: it depends on every service crate with `full-json` and `serde`.
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;
use tencentcloud_runtime::{self as rt, Action, FromJson, ResponseError, ToJson, Value};

#[rustfmt::skip]
mod dispatch;
pub use dispatch::lookup;

/// The typed checks of one action.
#[derive(Clone, Copy)]
pub struct Typed {
    decode: fn(&[u8]) -> Result<(), ResponseError>,
    round_trip: fn(&Value<'_>) -> rt::Result<String>,
    serde_response: fn(&[u8]) -> Agreement,
    serde_request: fn(&str) -> Agreement,
}

/// The checks of request type `A`.
pub fn typed<A>() -> Typed
where
    A: Action + FromJson + ToJson + PartialEq + serde::Serialize + serde::de::DeserializeOwned,
    A::Response: FromJson + ToJson + PartialEq + serde::Serialize + serde::de::DeserializeOwned,
{
    Typed {
        decode: |body| rt::decode_response::<A>(body).map(drop),
        round_trip: |v| rt::to_string(&rt::from_value::<A>(v)?),
        serde_response: |body| match rt::decode_response::<A>(body) {
            Err(ResponseError::Api(_)) => Agreement::ApiError,
            ours => compare(ours.map_err(|e| e.to_string()), envelope(body)),
        },
        serde_request: |json| {
            let ours = rt::parse(json.as_bytes()).and_then(|v| rt::from_value::<A>(&v)).map_err(|e| e.to_string());
            compare(ours, Ok(json))
        },
    }
}

/// serde_json's reading of `text` as `T` against the models' reader's (`ours`). The generic
/// part is only what must be (serde_json into and out of `T`): the comparison is compiled
/// once, not for each of the ~32,000 request and response types.
fn compare<T>(ours: Result<T, String>, text: serde_json::Result<&str>) -> Agreement
where
    T: PartialEq + ToJson + serde::Serialize + serde::de::DeserializeOwned,
{
    let theirs = text.and_then(serde_json::from_str::<T>).map_err(|e| e.to_string());
    let (same, written) = match (&ours, &theirs) {
        (Ok(a), Ok(b)) if a == b => (true, Some(serde_json::to_string(a).map_err(|e| e.to_string()))),
        _ => (false, None),
    };
    agree(as_dyn(&ours), as_dyn(&theirs), same, written)
}

fn as_dyn<T: ToJson>(r: &Result<T, String>) -> Result<&dyn ToJson, &str> {
    r.as_ref().map(|v| v as &dyn ToJson).map_err(String::as_str)
}

/// The `Response` member's JSON text, found by serde (one type for every action: the typed
/// reading is the model's own `Deserialize`).
fn envelope(body: &[u8]) -> serde_json::Result<&str> {
    #[derive(serde::Deserialize)]
    struct Envelope<'a> {
        #[serde(rename = "Response", borrow)]
        response: &'a serde_json::value::RawValue,
    }
    serde_json::from_slice::<Envelope<'_>>(body).map(|e| e.response.get())
}

/// How serde and the models' own reader and writer compare on one documented JSON text.
#[derive(Debug, Clone, PartialEq)]
pub enum Agreement {
    /// Both read the same value, and serde writes it as the same JSON as the writer.
    Same,
    /// Both refuse the text.
    BothRefuse,
    /// A documented API error (no typed value to compare).
    ApiError,
    /// They differ: how.
    Differ(String),
}

/// The agreement of the reader's value (`ours`) and serde_json's (`theirs`): `same` when
/// they are equal, then `written` is serde_json's JSON of that value.
fn agree(
    ours: Result<&dyn ToJson, &str>,
    theirs: Result<&dyn ToJson, &str>,
    same: bool,
    written: Option<Result<String, String>>,
) -> Agreement {
    match (ours, theirs) {
        (Err(_), Err(_)) => Agreement::BothRefuse,
        (Ok(_), Err(e)) => Agreement::Differ(format!("serde refuses what the reader reads: {e}")),
        (Err(e), Ok(_)) => Agreement::Differ(format!("serde reads what the reader refuses ({e})")),
        (Ok(a), Ok(b)) if !same => Agreement::Differ(format!(
            "read differently: reader {}, serde {}",
            rt::to_string(a).unwrap_or_default(),
            rt::to_string(b).unwrap_or_default()
        )),
        (Ok(a), Ok(_)) => match (rt::to_string(a), written) {
            (Ok(o), Some(Ok(t))) if o == t => Agreement::Same,
            (Err(_), Some(Err(_))) => Agreement::Same,
            (o, t) => Agreement::Differ(format!("written differently: writer {o:?}, serde {t:?}")),
        },
    }
}

/// Parameters every call may carry besides the action's own (query-form examples list them).
const COMMON: &[&str] = &[
    "Action",
    "Version",
    "Region",
    "Timestamp",
    "Nonce",
    "SecretId",
    "Signature",
    "SignatureMethod",
    "Token",
    "Language",
    "RequestClient",
];

/// What a run found.
#[derive(Debug, Default)]
pub struct Tally {
    /// Documented responses decoded (into the typed response or the API error).
    pub decoded: usize,
    /// Documented requests read and written back to the same JSON.
    pub round_tripped: usize,
    /// Examples of actions with no generated type (offline actions).
    pub skipped: usize,
    /// Failures listed in the allowed-defects file.
    pub allowed: usize,
    /// Failures, one line each (`cvm/v20170312/RunInstances#0 output: ...`).
    pub failures: Vec<String>,
    /// Examples seen.
    pub examples: usize,
    /// Allowed-defect entries that did not fail (the list must stay exact).
    pub stale_allowed: Vec<String>,
    /// Documented responses serde reads and writes as the models do.
    pub serde_responses: usize,
    /// Documented requests serde reads and writes as the models do.
    pub serde_requests: usize,
    /// Documented texts both serde and the models' reader refuse (the spec defects).
    pub serde_both_refuse: usize,
    /// Documented API errors (no typed response to compare).
    pub serde_api_errors: usize,
    /// Where serde and the models differ, one line each.
    pub serde_differ: Vec<String>,
}

impl Tally {
    /// The summary line.
    pub fn line(&self) -> String {
        format!(
            "examples: {} responses decoded, {} requests round-tripped, {} skipped, {} allowed spec defects, {} failed",
            self.decoded,
            self.round_tripped,
            self.skipped,
            self.allowed,
            self.failures.len()
        )
    }

    /// The serde summary line.
    pub fn serde_line(&self) -> String {
        format!(
            "serde: {} responses and {} requests read and written as the models' reader and writer do, {} refused by both, {} API errors, {} differ",
            self.serde_responses,
            self.serde_requests,
            self.serde_both_refuse,
            self.serde_api_errors,
            self.serde_differ.len()
        )
    }
}

/// The allowed-defects list: `<folder>/<module>/<Action>#<n> <input|output>: reason` lines,
/// `#` comments. Returns the keys (`cvm/v20170312/RunInstances#0 output`).
pub fn parse_allowed(text: &str) -> Result<BTreeSet<String>, String> {
    let mut keys = BTreeSet::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, reason)) = line.split_once(": ") else {
            return Err(format!("line {}: expected `KEY input|output: reason`", n + 1));
        };
        if reason.trim().is_empty() || !(key.ends_with(" input") || key.ends_with(" output")) {
            return Err(format!("line {}: expected `KEY input|output: reason`", n + 1));
        }
        if !keys.insert(key.to_owned()) {
            return Err(format!("line {}: {key} listed twice", n + 1));
        }
    }
    Ok(keys)
}

/// Runs every example under `specs` (a `tccli/services` folder).
pub fn run(specs: &Path, allowed: &BTreeSet<String>) -> Result<Tally, String> {
    let mut tally = Tally::default();
    let mut failed_keys = BTreeSet::new();
    let mut folders: Vec<_> =
        std::fs::read_dir(specs).map_err(|e| format!("{}: {e}", specs.display()))?.flatten().collect();
    folders.sort_by_key(|e| e.file_name());
    for folder in folders {
        let fname = folder.file_name().to_string_lossy().into_owned();
        let Ok(versions) = std::fs::read_dir(folder.path()) else { continue };
        let mut versions: Vec<_> =
            versions.flatten().filter(|v| v.file_name().to_string_lossy().starts_with('v')).collect();
        versions.sort_by_key(|e| e.file_name());
        for v in versions {
            let module = v.file_name().to_string_lossy().into_owned();
            let path = v.path().join("examples.json");
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let ex: tencentcloud_codegen::spec::Examples =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            for (action, list) in &ex.actions {
                let typed = lookup(&fname, &module, action);
                for (i, e) in list.iter().enumerate() {
                    tally.examples += 1;
                    let Some(t) = typed else {
                        tally.skipped += 1;
                        continue;
                    };
                    let key = format!("{fname}/{module}/{action}#{i}");
                    let mut fail = |part: &str, why: String| {
                        let k = format!("{key} {part}");
                        if allowed.contains(&k) {
                            tally.allowed += 1;
                            failed_keys.insert(k);
                        } else {
                            tally.failures.push(format!("{k}: {why}"));
                        }
                    };
                    match (t.decode)(e.output.trim().as_bytes()) {
                        Ok(()) | Err(ResponseError::Api(_)) => tally.decoded += 1,
                        Err(err) => fail("output", err.to_string()),
                    }
                    match round_trip(&t, &e.input) {
                        Ok(()) => tally.round_tripped += 1,
                        Err(why) => fail("input", why),
                    }
                    let json = request_json(&e.input);
                    for (part, agreement) in [
                        ("output", (t.serde_response)(e.output.trim().as_bytes())),
                        ("input", (t.serde_request)(&json)),
                    ] {
                        match agreement {
                            Agreement::Same if part == "output" => tally.serde_responses += 1,
                            Agreement::Same => tally.serde_requests += 1,
                            Agreement::BothRefuse => tally.serde_both_refuse += 1,
                            Agreement::ApiError => tally.serde_api_errors += 1,
                            Agreement::Differ(why) => tally.serde_differ.push(format!("{key} {part}: {why}")),
                        }
                    }
                }
            }
        }
    }
    tally.stale_allowed = allowed.difference(&failed_keys).cloned().collect();
    Ok(tally)
}

fn round_trip(t: &Typed, input: &str) -> Result<(), String> {
    let owned;
    let value = match request_body(input) {
        Body::Json(body) => rt::parse(body.as_bytes()).map_err(|e| format!("documented body is not JSON: {e}"))?,
        Body::Query(q) => {
            owned = q;
            unflatten(&owned)
        }
    };
    let written = (t.round_trip)(&value).map_err(|e| format!("cannot read the request: {e}"))?;
    let back = rt::parse(written.as_bytes()).map_err(|e| format!("wrote invalid JSON: {e}"))?;
    match diff(&value, &back, "", true) {
        None => Ok(()),
        Some(d) => Err(format!("written back differently at {d}: {written}")),
    }
}

/// The documented request as JSON text: the body as written, or the query unflattened.
fn request_json(input: &str) -> String {
    match request_body(input) {
        Body::Json(body) => body.to_owned(),
        Body::Query(q) => rt::to_string(&unflatten(&q)).unwrap_or_default(),
    }
}

enum Body<'a> {
    Json(&'a str),
    Query(Vec<(String, String)>),
}

/// The documented request: an HTTP head then a JSON body, a JSON body alone, or a URL
/// with a query string.
fn request_body(input: &str) -> Body<'_> {
    let t = input.trim();
    if t.starts_with("http://") || t.starts_with("https://") {
        let joined: String = t.lines().map(str::trim).collect();
        let query = joined.split_once('?').map_or("", |q| q.1);
        let pairs = query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (percent_decode(k.trim()), percent_decode(v.trim())))
            .collect();
        return Body::Query(pairs);
    }
    // The body starts at the first line that opens a JSON value; none: no parameters.
    let mut offset = 0;
    for line in t.split_inclusive('\n') {
        if line.trim_start().starts_with(['{', '[']) {
            return Body::Json(&t[offset..]);
        }
        offset += line.len();
    }
    Body::Json("{}")
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `Filters.0.Name=zone` pairs into `{"Filters": [{"Name": "zone"}]}` (values as strings;
/// the typed readers accept numbers and bools written as strings).
pub fn unflatten(pairs: &[(String, String)]) -> Value<'static> {
    #[derive(Default)]
    struct Node {
        leaf: Option<String>,
        children: Vec<(String, Node)>,
    }
    let mut root = Node::default();
    for (k, v) in pairs {
        let mut node = &mut root;
        for seg in k.split('.') {
            let pos = match node.children.iter().position(|c| c.0 == seg) {
                Some(p) => p,
                None => {
                    node.children.push((seg.to_owned(), Node::default()));
                    node.children.len() - 1
                }
            };
            node = &mut node.children[pos].1;
        }
        node.leaf = Some(v.clone());
    }
    fn build(n: Node) -> Value<'static> {
        if n.children.is_empty() {
            return Value::String(Cow::Owned(n.leaf.unwrap_or_default()));
        }
        let numeric = n.children.iter().all(|(k, _)| k.parse::<usize>().is_ok());
        if numeric {
            let mut items: Vec<_> = n.children.into_iter().map(|(k, c)| (k.parse::<usize>().unwrap_or(0), c)).collect();
            items.sort_by_key(|i| i.0);
            Value::Array(items.into_iter().map(|(_, c)| build(c)).collect())
        } else {
            Value::Object(n.children.into_iter().map(|(k, c)| (Cow::Owned(k), build(c))).collect())
        }
    }
    build(root)
}

fn number_eq(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (a.parse::<i128>(), b.parse::<i128>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y),
    }
}

fn is_number_text(s: &str) -> bool {
    rt::parse(s.as_bytes()).is_ok_and(|v| matches!(v, Value::Number(_)))
}

/// The first place (a path) where the written `out` differs from the documented `inp`, with
/// the tolerated readings: `null` and `""` may be left out, numbers and bools written as
/// strings compare by value, a non-string in a string field comes back as its JSON text.
fn diff(inp: &Value<'_>, out: &Value<'_>, path: &str, top: bool) -> Option<String> {
    use Value as V;
    let same = match (inp, out) {
        (V::Object(a), V::Object(b)) => {
            for (k, v) in a {
                let p = if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
                match out.get(k) {
                    Some(o) => {
                        if let Some(d) = diff(v, o, &p, false) {
                            return Some(d);
                        }
                    }
                    None if matches!(v, V::Null) => {}
                    None if matches!(v, V::String(s) if s.is_empty()) => {}
                    None if top && COMMON.contains(&k.as_ref()) => {}
                    None => return Some(format!("{p} (left out)")),
                }
            }
            if let Some((k, _)) = b.iter().find(|(k, _)| inp.get(k).is_none()) {
                return Some(format!("{path}.{k} (added)"));
            }
            true
        }
        (V::Array(a), V::Array(b)) => {
            if a.len() != b.len() {
                return Some(format!("{path} (length)"));
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                if let Some(d) = diff(x, y, &format!("{path}[{i}]"), false) {
                    return Some(d);
                }
            }
            true
        }
        (V::Number(a), V::Number(b)) => number_eq(a, b),
        (V::String(a), V::Number(b)) => is_number_text(a) && number_eq(a, b),
        (V::Number(a), V::String(b)) => a == b,
        (V::String(a), V::String(b)) => a == b,
        (V::Bool(a), V::Bool(b)) => a == b,
        (V::Bool(a), V::String(b)) => b == if *a { "true" } else { "false" },
        (V::String(a), V::Bool(b)) => {
            let t = matches!(a.as_ref(), "true" | "True" | "TRUE" | "1");
            let f = matches!(a.as_ref(), "false" | "False" | "FALSE" | "0");
            (t && *b) || (f && !*b)
        }
        (V::Number(a), V::Bool(b)) => (*a == "1" && *b) || (*a == "0" && !*b),
        (V::Object(_) | V::Array(_), V::String(s)) => {
            rt::parse(s.as_bytes()).is_ok_and(|v| diff(inp, &v, path, false).is_none())
        }
        (V::Null, _) => true,
        _ => false,
    };
    if same {
        None
    } else {
        let mut s = if path.is_empty() { "the top".to_owned() } else { path.to_owned() };
        let _ = write!(s, " ({} became {})", inp.type_name(), out.type_name());
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_examples_unflatten() {
        let Body::Query(q) = request_body(
            "https://cvm.tencentcloudapi.com/?Action=DescribeInstances\n&Filters.0.Name=zone\n&Filters.0.Values.0=ap%2D1\n&Limit=1\n&<公共请求参数>",
        ) else {
            panic!()
        };
        let v = unflatten(&q);
        let want =
            rt::parse(br#"{"Action":"DescribeInstances","Filters":[{"Name":"zone","Values":["ap-1"]}],"Limit":"1"}"#)
                .unwrap();
        assert_eq!(v, want);
    }

    #[test]
    fn bodies_are_found_after_the_head() {
        assert!(
            matches!(request_body("POST / HTTP/1.1\nHost: x\n<公共请求参数>\n\n{\n\"A\": 1}"), Body::Json(b) if b == "{\n\"A\": 1}")
        );
        assert!(matches!(request_body("POST / HTTP/1.1\nHost: x\n\n"), Body::Json("{}")));
    }

    #[test]
    fn diff_tolerates_only_lossless_readings() {
        let d = |a: &str, b: &str| diff(&rt::parse(a.as_bytes()).unwrap(), &rt::parse(b.as_bytes()).unwrap(), "", true);
        assert_eq!(d(r#"{"A":"1","B":null,"C":1.50,"D":"True","Region":"x"}"#, r#"{"A":1,"C":1.5,"D":true}"#), None);
        assert_eq!(d(r#"{"A":{"b":1}}"#, r#"{"A":"{\"b\":1}"}"#), None);
        assert!(d(r#"{"A":"x1"}"#, r#"{"A":1}"#).is_some());
        assert!(d(r#"{"A":2}"#, r#"{"A":"3"}"#).is_some());
        assert!(d(r#"{"A":1,"X":2}"#, r#"{"A":1}"#).is_some());
        assert!(d(r#"{"A":[1,2]}"#, r#"{"A":[1]}"#).is_some());
        assert!(d(r#"{"A":"9007199254740993"}"#, r#"{"A":9007199254740992}"#).is_some());
    }

    #[test]
    fn allowed_list_is_strict() {
        assert!(parse_allowed("# c\na/v1/X#0 output: reason\n").unwrap().contains("a/v1/X#0 output"));
        assert!(parse_allowed("a/v1/X#0 output:").is_err());
        assert!(parse_allowed("a/v1/X#0: why").is_err());
        assert!(parse_allowed("a/v1/X#0 input: a\na/v1/X#0 input: b").is_err());
    }
}
