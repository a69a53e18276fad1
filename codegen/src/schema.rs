//! The schema data of `tencentcloud-schema`: one gzip-compressed JSON document per service
//! (`schema/data/<service>.json.gz`, in the format of `tencentcloud_schema::model`) and the index
//! that embeds them (`schema/src/data.rs`).
//!
//! What is kept of the specs: every action (offline ones too, with their status), every object
//! with its members' types and required flags, one line of documentation per action and per member
//! of the objects a request can carry,
//! and every documented example whose response is JSON: the request parameters (JSON body, or
//! the query form unflattened) and the `Response` object.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;
use serde_json::value::RawValue;
use tencentcloud_schema::model as out;

use crate::spec::{self, Kind, Specs};

/// Longest member documentation kept, in characters (the first sentence, cut here).
const MEMBER_DOC_CHARS: usize = 100;
/// Longest action description kept, in characters.
const ACTION_DOC_CHARS: usize = 80;
/// Common parameters of the query form that are not the action's own (unless the action
/// declares a member of that name).
const COMMON_PARAMS: [&str; 10] = [
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
];

/// What the schema holds, counted while building it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Services written.
    pub services: usize,
    /// Versions written.
    pub versions: usize,
    /// Actions written.
    pub actions: usize,
    /// Actions with at least one documented example kept.
    pub actions_with_examples: usize,
    /// Examples kept.
    pub examples: usize,
    /// Examples kept without readable parameters.
    pub examples_without_input: usize,
    /// Examples left out because their response is not a JSON `{"Response": {...}}`.
    pub examples_dropped: usize,
    /// Compressed bytes written.
    pub bytes: usize,
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "schema: {} services, {} versions, {} actions ({} with examples), {} examples ({} without readable input, {} dropped: response not JSON), {} bytes compressed",
            self.services,
            self.versions,
            self.actions,
            self.actions_with_examples,
            self.examples,
            self.examples_without_input,
            self.examples_dropped,
            self.bytes
        )
    }
}

/// One service's compressed document.
#[derive(Debug)]
pub struct ServiceData {
    /// Short name (`as`).
    pub name: String,
    /// Versions, oldest first.
    pub versions: Vec<String>,
    /// gzip of the JSON document.
    pub gz: Vec<u8>,
}

/// Builds every service's document.
pub fn build(specs: &Specs) -> Result<(Vec<ServiceData>, Stats), String> {
    let mut stats = Stats::default();
    let mut all = Vec::new();
    for svc in &specs.services {
        let service = service(svc, &mut stats)?;
        let json = serde_json::to_vec(&service).map_err(|e| format!("{}: {e}", svc.name))?;
        let mut gz = flate2::GzBuilder::new().mtime(0).write(Vec::new(), flate2::Compression::best());
        gz.write_all(&json).map_err(|e| e.to_string())?;
        let gz = gz.finish().map_err(|e| e.to_string())?;
        stats.services += 1;
        stats.bytes += gz.len();
        all.push(ServiceData {
            name: svc.name.clone(),
            versions: svc.versions.iter().map(|v| v.version.clone()).collect(),
            gz,
        });
    }
    all.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(w) = all.windows(2).find(|w| w[0].name == w[1].name) {
        return Err(format!("two service folders have the short name {}", w[0].name));
    }
    Ok((all, stats))
}

fn service(svc: &spec::Service, stats: &mut Stats) -> Result<out::Service, String> {
    let title = svc.versions.last().map(|v| v.api.metadata.service_name_cn.clone()).unwrap_or_default();
    let mut versions = Vec::new();
    for v in &svc.versions {
        stats.versions += 1;
        let documented = input_objects(&v.api);
        let mut objects = BTreeMap::new();
        for (name, obj) in &v.api.objects {
            let mut members = obj
                .members
                .iter()
                .map(|m| member(m).map_err(|e| format!("{} {} {name}.{}: {e}", svc.name, v.version, m.name)))
                .collect::<Result<Vec<_>, _>>()?;
            if !documented.contains(name.as_str()) {
                members.iter_mut().for_each(|m| m.doc.clear());
            }
            objects.insert(name.clone(), members);
        }
        let mut actions = BTreeMap::new();
        for (name, a) in &v.api.actions {
            stats.actions += 1;
            let input_names: Vec<&str> = v
                .api
                .objects
                .get(&a.input)
                .map(|o| o.members.iter().map(|m| m.name.as_str()).collect())
                .unwrap_or_default();
            let examples = v.examples.actions.get(name).map(Vec::as_slice).unwrap_or(&[]);
            let examples: Vec<out::Example> =
                examples.iter().filter_map(|ex| example(ex, &input_names, stats)).collect::<Result<_, _>>()?;
            stats.actions_with_examples += usize::from(!examples.is_empty());
            let doc = if a.name.trim().is_empty() { &a.document } else { &a.name };
            let status = match a.status() {
                "deprecated" => out::Status::Deprecated,
                "offline" => out::Status::Offline,
                _ => out::Status::Online,
            };
            actions.insert(
                name.clone(),
                out::Action {
                    doc: one_line(doc, ACTION_DOC_CHARS),
                    status,
                    input: a.input.clone(),
                    output: a.output.clone(),
                    examples,
                    stream: crate::stream::streams(&v.api, a),
                },
            );
        }
        versions.push(out::Version { version: v.version.clone(), actions, objects });
    }
    Ok(out::Service { name: svc.name.clone(), title, versions })
}

/// Objects reachable from some action's input: their members are documented in the schema
/// (`tcloud ... --help`); response-only objects keep only their shape.
fn input_objects(api: &spec::Api) -> BTreeSet<&str> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<&str> = api.actions.values().map(|a| a.input.as_str()).collect();
    while let Some(name) = todo.pop() {
        let Some((key, obj)) = api.objects.get_key_value(name) else { continue };
        if !seen.insert(key.as_str()) {
            continue;
        }
        for m in &obj.members {
            if let Some(Kind::Object(o)) = m.kind().map(|k| match k {
                Kind::List(inner) => *inner,
                k => k,
            }) && let Some((k, _)) = api.objects.get_key_value(&o)
            {
                todo.push(k.as_str());
            }
        }
    }
    seen
}

fn member(m: &spec::Member) -> Result<out::Member, String> {
    let precise = |name: &str, fallback: spec::Scalar| {
        out::Scalar::from_name(name).unwrap_or(match fallback {
            spec::Scalar::String => out::Scalar::String,
            spec::Scalar::Int64 => out::Scalar::Int64,
            spec::Scalar::Uint64 => out::Scalar::Uint64,
            spec::Scalar::Float => out::Scalar::Float,
            spec::Scalar::Bool => out::Scalar::Bool,
        })
    };
    let name = m.member.as_deref().unwrap_or(&m.ty);
    let item = |k: &Kind| match k {
        Kind::Scalar(s) => Ok(out::Type::Scalar(precise(name, *s))),
        Kind::Object(o) => Ok(out::Type::Object(o.clone())),
        Kind::List(_) => Err("a list of lists".to_owned()),
    };
    let ty = match m.kind().ok_or_else(|| format!("type {:?} / member {:?}", m.ty, m.member))? {
        Kind::List(inner) => out::Type::List(Box::new(item(&inner)?)),
        k => item(&k)?,
    };
    Ok(out::Member { name: m.name.clone(), ty, required: m.required, doc: one_line(&m.document, MEMBER_DOC_CHARS) })
}

/// The example, or `None` (counted) when its response is not JSON.
fn example(ex: &spec::Example, input_names: &[&str], stats: &mut Stats) -> Option<Result<out::Example, String>> {
    let Some(response) = first_json(&ex.output).and_then(|v| match v {
        Value::Object(mut o) => o.remove("Response").filter(Value::is_object),
        _ => None,
    }) else {
        stats.examples_dropped += 1;
        return None;
    };
    let mut response = response;
    let mut input = example_params(&ex.input, input_names);
    mask_credentials(&mut response);
    if let Some(i) = input.as_mut() {
        mask_credentials(i);
    }
    stats.examples += 1;
    stats.examples_without_input += usize::from(input.is_none());
    let raw = |v: &Value| RawValue::from_string(v.to_string()).map_err(|e| e.to_string());
    Some((|| Ok(out::Example { input: input.as_ref().map(raw).transpose()?, output: raw(&response)? }))())
}

/// Masks what looks like a credential in a documented example before it is kept (some
/// official examples carry real-looking keys: a presigned COS URL's `q-ak=AKID...`, an
/// `AccessKey`/`SecretKey` pair): every `AKID` followed by 8 or more letters and digits keeps
/// `AKID` and its length, the rest `*` (as the official docs mask theirs); a string member
/// whose name holds a secret ([`tencentcloud_core::secret::is_secret_name`]) becomes `*`s.
pub fn mask_credentials(v: &mut Value) {
    match v {
        Value::String(s) => *s = mask_key_ids(s),
        Value::Array(items) => items.iter_mut().for_each(mask_credentials),
        Value::Object(members) => {
            for (name, value) in members.iter_mut() {
                match value {
                    Value::String(s) if tencentcloud_core::secret::is_secret_name(name) => {
                        *s = "*".repeat(s.chars().count());
                    }
                    _ => mask_credentials(value),
                }
            }
        }
        _ => {}
    }
}

fn mask_key_ids(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("AKID") {
        let tail = &rest[at + 4..];
        let n = tail.bytes().take_while(u8::is_ascii_alphanumeric).count();
        out.push_str(&rest[..at + 4]);
        if n >= 8 {
            out.extend(std::iter::repeat_n('*', n));
        } else {
            out.push_str(&tail[..n]);
        }
        rest = &tail[n..];
    }
    out.push_str(rest);
    out
}

/// The first JSON value in `text` (documented bodies are sometimes followed by prose).
fn first_json(text: &str) -> Option<Value> {
    let start = text.find(['{', '['])?;
    serde_json::Deserializer::from_str(&text[start..]).into_iter::<Value>().next()?.ok()
}

/// The parameters of a documented request: the JSON body after the HTTP head, or the query form
/// of a `https://host/?Action=...&A=1` example (without the common parameters).
pub fn example_params(input: &str, input_names: &[&str]) -> Option<Value> {
    let text = input.trim_start();
    if text.starts_with("http://") || text.starts_with("https://") {
        let (_, query) = text.split_once('?')?;
        let joined: String = query.lines().map(str::trim).collect();
        let pairs: Vec<(String, String)> = tencentcloud_schema::form::parse_query(&joined)
            .into_iter()
            .filter(|(k, _)| {
                !k.contains('<') && (!COMMON_PARAMS.contains(&k.as_str()) || input_names.contains(&k.as_str()))
            })
            .collect();
        return tencentcloud_schema::form::unflatten(&pairs).ok();
    }
    let body = text.split_once("\n\n").map_or(text, |(_, b)| b);
    first_json(body).filter(Value::is_object)
}

/// The first sentence of a doc text as one plain line: HTML removed (by [`crate::docs::strip_html`]),
/// Markdown link targets dropped, whitespace collapsed, cut at `max` characters.
pub fn one_line(doc: &str, max: usize) -> String {
    let plain = strip_link_targets(&crate::docs::strip_html(doc));
    let collapsed = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    let end = collapsed.find(['。', '；']).map(|i| i + '。'.len_utf8()).unwrap_or(collapsed.len());
    let sentence = collapsed[..end].trim();
    if sentence.chars().count() <= max {
        return sentence.to_owned();
    }
    let mut cut: String = sentence.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// `[text](target)` -> `text`.
fn strip_link_targets(s: &str) -> String {
    let mut outp = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("](") {
        let Some(close) = rest[i..].find(')') else { break };
        outp.push_str(&rest[..i]);
        rest = &rest[i + close + 1..];
    }
    outp.push_str(rest);
    outp.replace('[', "")
}

/// The index source: `schema/src/data.rs`.
pub fn index_source(all: &[ServiceData]) -> String {
    let mut s = String::from(
        "// @generated by tencentcloud-codegen; do not edit\n//! The embedded data: one entry per service, sorted by name.\n\nuse crate::Entry;\n\n",
    );
    let _ = writeln!(s, "pub(crate) static SERVICES: [Entry; {}] = [", all.len());
    for d in all {
        let versions: Vec<String> = d.versions.iter().map(|v| format!("{v:?}")).collect();
        let _ = writeln!(
            s,
            "    Entry::new({:?}, &[{}], include_bytes!(\"../data/{}.json.gz\")),",
            d.name,
            versions.join(", "),
            d.name
        );
    }
    s.push_str("];\n");
    s
}

/// Writes (or with `check`, compares) `<schema_dir>/data/*.json.gz` and `<schema_dir>/src/data.rs`.
///
/// A check lists every file that differs, is missing or is left over.
pub fn write(specs: &Specs, schema_dir: &Path, check: bool) -> Result<Stats, String> {
    let (all, stats) = build(specs)?;
    let mut files: Vec<(PathBuf, Vec<u8>)> =
        all.iter().map(|d| (schema_dir.join("data").join(format!("{}.json.gz", d.name)), d.gz.clone())).collect();
    files.push((schema_dir.join("src/data.rs"), index_source(&all).into_bytes()));
    let data_dir = schema_dir.join("data");
    let mut stale = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&data_dir) {
        for e in entries.flatten() {
            if !files.iter().any(|(p, _)| *p == e.path()) {
                stale.push(e.path());
            }
        }
    }
    if check {
        let mut differ: Vec<String> = files
            .iter()
            .filter(|(p, bytes)| std::fs::read(p).ok().as_deref() != Some(bytes.as_slice()))
            .map(|(p, _)| p.display().to_string())
            .collect();
        differ.extend(stale.iter().map(|p| format!("{} (not generated)", p.display())));
        if !differ.is_empty() {
            return Err(format!("schema data is out of date: {}", differ.join(", ")));
        }
        return Ok(stats);
    }
    std::fs::create_dir_all(&data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
    for p in stale {
        std::fs::remove_file(&p).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    for (p, bytes) in files {
        std::fs::write(&p, bytes).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_line_docs() {
        assert_eq!(one_line("按照<strong>实例ID</strong>查询。每次最多100个。", 100), "按照实例ID查询。");
        assert_eq!(
            one_line("See [DescribeZones](https://x/y) for zones.\nMore", 100),
            "See DescribeZones for zones. More"
        );
        assert_eq!(one_line("abcdef", 4), "abc…");
        assert_eq!(one_line("", 4), "");
    }

    #[test]
    fn example_inputs() {
        let post = "POST / HTTP/1.1\nHost: cvm.tencentcloudapi.com\nX-TC-Action: DescribeInstances\n<公共请求参数>\n\n{\n \"Limit\": 1\n}";
        assert_eq!(example_params(post, &[]), Some(json!({"Limit": 1})));
        let get = "https://ams.tencentcloudapi.com/?Action=CreateTask\n&BizType=1001\n&Tasks.0.Input.Url=https://a.com/x.mp3\n&<公共请求参数>";
        assert_eq!(
            example_params(get, &[]),
            Some(json!({"BizType": "1001", "Tasks": [{"Input": {"Url": "https://a.com/x.mp3"}}]}))
        );
        let own_region = "https://x.tencentcloudapi.com/?Action=A&Region=ap-guangzhou&Version=1";
        assert_eq!(example_params(own_region, &["Version"]), Some(json!({"Version": "1"})));
        assert_eq!(example_params("POST / HTTP/1.1\n\nnot json", &[]), None);
        let prose = "Path : /x\n\n<body>\n{\"A\": 1}\n</body>";
        assert_eq!(example_params(prose, &[]), Some(json!({"A": 1})));
    }

    #[test]
    fn credentials_in_examples_are_masked() {
        // Key ids of the lengths the official examples had, made up here (no real one in source).
        let fake_id = |n: usize| format!("AKID{}", "Fake0".repeat(n).get(..n).unwrap_or_default());
        let mut v = serde_json::json!({
            "Url": format!("https://b.cos.ap-guangzhou.myqcloud.com/x.zip?q-ak={}&q-sign-time=1", fake_id(33)),
            "Storage": {"AccessKey": fake_id(24), "SecretKey": "not-a-real-secret-24-chr"},
            "List": ["AKIDshort", "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******"],
            "SecretName": "kept",
        });
        mask_credentials(&mut v);
        assert_eq!(
            v["Url"],
            format!("https://b.cos.ap-guangzhou.myqcloud.com/x.zip?q-ak=AKID{}&q-sign-time=1", "*".repeat(33))
        );
        assert_eq!(v["Storage"]["AccessKey"], format!("AKID{}", "*".repeat(24)));
        assert_eq!(v["Storage"]["SecretKey"], "*".repeat(24));
        assert_eq!(v["List"], serde_json::json!(["AKIDshort", format!("AKID{}", "*".repeat(32))]));
        assert_eq!(v["SecretName"], "kept");
    }
}
