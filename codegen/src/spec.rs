//! The official API specs as data: a serde model of the `tccli` package's
//! `services/<folder>/v<YYYYMMDD>/api.json` and `examples.json`, and [`load`] to read a
//! whole specs directory.
//!
//! The model keeps what the files say, unvalidated; the spec's flags (`required`,
//! `output_required`, `value_allowed_null`, an object's `usage`) are kept but do not hold in
//! practice (see `shared/MODELS-NOTES.md`). Maps are `BTreeMap`s, so iteration order (and
//! therefore anything generated from it) is stable.
//!
//! ```no_run
//! let specs = tencentcloud_codegen::spec::load("specs".as_ref())?;
//! for svc in &specs.services {
//!     for v in &svc.versions {
//!         println!("{} {} {} actions", svc.name, v.version, v.api.actions.len());
//!     }
//! }
//! # Ok::<(), tencentcloud_codegen::spec::LoadError>(())
//! ```
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Every service found under a specs directory, sorted by folder name.
#[derive(Debug, Clone, Default)]
pub struct Specs {
    /// One entry per service folder.
    pub services: Vec<Service>,
}

/// One service folder (`cvm`, `autoscaling`, ...).
#[derive(Debug, Clone)]
pub struct Service {
    /// The folder name in the specs (`autoscaling`).
    pub folder: String,
    /// The service's short name as signed and used in the endpoint (`as`), from the
    /// newest version's `metadata.serviceShortName`.
    pub name: String,
    /// The API versions, oldest first.
    pub versions: Vec<ServiceVersion>,
}

/// One API version of a service.
#[derive(Debug, Clone)]
pub struct ServiceVersion {
    /// The folder name of the version (`v20170312`), also used as the Rust module name.
    pub module: String,
    /// The version as sent in `X-TC-Version` (`2017-03-12`).
    pub version: String,
    /// `api.json`.
    pub api: Api,
    /// `examples.json` (empty when the file is missing).
    pub examples: Examples,
}

/// `api.json`: actions and the objects they use.
#[derive(Debug, Clone, Deserialize)]
pub struct Api {
    /// Actions by name (`DescribeInstances`).
    pub actions: BTreeMap<String, Action>,
    /// Objects by name: requests, responses and the types they reach.
    pub objects: BTreeMap<String, Object>,
    /// Service-level data.
    pub metadata: Metadata,
}

/// `api.json` `metadata`.
#[derive(Debug, Clone, Deserialize)]
pub struct Metadata {
    /// `2017-03-12`.
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    /// The signing/endpoint name (`cvm`, `as`).
    #[serde(rename = "serviceShortName")]
    pub service_short_name: String,
    /// One-line description of the service (Chinese).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub api_brief: String,
    /// The service's Chinese name.
    #[serde(rename = "serviceNameCN", default, deserialize_with = "null_as_empty")]
    pub service_name_cn: String,
}

/// One action.
#[derive(Debug, Clone, Deserialize)]
pub struct Action {
    /// The action's description (Markdown with some HTML).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub document: String,
    /// The international edition's English description and display name, when it has this
    /// action ([`crate::english`]); `document` and `name` stay the Chinese ones.
    #[serde(skip)]
    pub english: Option<(String, String)>,
    /// The request object's name.
    pub input: String,
    /// The response object's name (the object inside `{"Response": {...}}`).
    pub output: String,
    /// The action's display name (Chinese).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub name: String,
    /// `online`, `deprecated` or `offline`; missing in some specs (then online).
    #[serde(default)]
    pub status: Option<String>,
    /// The action is called without a signature.
    #[serde(default)]
    pub skip_sign: Option<bool>,
}

impl Action {
    /// The description for generated docs: English when the international edition has it.
    pub fn doc(&self) -> &str {
        self.english.as_ref().map_or(&self.document, |(doc, _)| doc)
    }

    /// The display name for generated docs: English when the international edition has it.
    pub fn display_name(&self) -> &str {
        self.english.as_ref().map_or(&self.name, |(_, name)| name)
    }

    /// The status, `online` when the spec does not say.
    pub fn status(&self) -> &str {
        self.status.as_deref().unwrap_or("online")
    }
}

/// One object (a struct).
#[derive(Debug, Clone, Deserialize)]
pub struct Object {
    /// The object's description.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub document: String,
    /// The international edition's English description ([`crate::english`]).
    #[serde(skip)]
    pub document_en: Option<String>,
    /// Its fields in spec order.
    #[serde(default)]
    pub members: Vec<Member>,
    /// `in`, `out` or `both` (unreliable: work out direction by reachability).
    #[serde(default)]
    pub usage: Option<String>,
}

impl Object {
    /// The description for generated docs: English when the international edition has it.
    pub fn doc(&self) -> &str {
        self.document_en.as_deref().unwrap_or(&self.document)
    }
}

/// One member (field) of an object.
#[derive(Debug, Clone, Deserialize)]
pub struct Member {
    /// The wire name (`InstanceIds`).
    pub name: String,
    /// `string`, `int`, `float`, `bool`, `binary`, `list` or `object`.
    #[serde(rename = "type")]
    pub ty: String,
    /// For scalars the precise type (`int64`, `uint64`, `datetime`, ...), for `list` the
    /// item type (a scalar or an object name), for `object` the object name.
    #[serde(default)]
    pub member: Option<String>,
    /// The member's description.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub document: String,
    /// The international edition's English description ([`crate::english`]).
    #[serde(skip)]
    pub document_en: Option<String>,
    /// An example value (free text).
    #[serde(default)]
    pub example: Option<String>,
    /// Declared required in requests (does not hold in practice).
    #[serde(default, deserialize_with = "loose_bool")]
    pub required: bool,
    /// Declared always present in responses (does not hold in practice).
    #[serde(default, deserialize_with = "loose_bool")]
    pub output_required: bool,
    /// Declared nullable (does not hold in practice).
    #[serde(default, deserialize_with = "loose_bool")]
    pub value_allowed_null: bool,
    /// The member is disabled (no longer accepted or returned).
    #[serde(default, deserialize_with = "loose_bool")]
    pub disabled: bool,
}

/// A scalar type of the wire format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scalar {
    /// `string`, `datetime`, `datetime_iso`, `date`, `binary`.
    String,
    /// `int64` (and an `int` without precision).
    Int64,
    /// `uint64`.
    Uint64,
    /// `float`/`double`.
    Float,
    /// `bool`.
    Bool,
}

impl Scalar {
    /// Reads a scalar type name; `None` when the name is not a scalar (an object name).
    pub fn parse(name: &str) -> Option<Scalar> {
        Some(match name {
            "string" | "datetime" | "datetime_iso" | "date" | "binary" => Scalar::String,
            "int64" | "int" | "int32" => Scalar::Int64,
            "uint64" => Scalar::Uint64,
            "float" | "double" => Scalar::Float,
            "bool" => Scalar::Bool,
            _ => return None,
        })
    }
}

/// A member's type, resolved from `type` and `member`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A scalar.
    Scalar(Scalar),
    /// An object, by name.
    Object(String),
    /// A list of items.
    List(Box<Kind>),
}

impl Member {
    /// The description for generated docs: English when the international edition has it.
    pub fn doc(&self) -> &str {
        self.document_en.as_deref().unwrap_or(&self.document)
    }

    /// Resolves the member's type; `None` when `type`/`member` make no sense together
    /// (an `object` or `list` without `member`, an unknown `type`).
    pub fn kind(&self) -> Option<Kind> {
        let item = |name: &str| match Scalar::parse(name) {
            Some(s) => Kind::Scalar(s),
            None => Kind::Object(name.to_owned()),
        };
        match self.ty.as_str() {
            "list" => Some(Kind::List(Box::new(item(self.member.as_deref()?)))),
            "object" => Some(Kind::Object(self.member.clone()?)),
            "int" => Some(Kind::Scalar(match self.member.as_deref() {
                Some("uint64") => Scalar::Uint64,
                _ => Scalar::Int64,
            })),
            other => Some(Kind::Scalar(Scalar::parse(other)?)),
        }
    }
}

/// `examples.json`: documented calls per action.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Examples {
    /// Examples by action name.
    #[serde(default)]
    pub actions: BTreeMap<String, Vec<Example>>,
}

/// One documented call.
#[derive(Debug, Clone, Deserialize)]
pub struct Example {
    /// Short title.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub title: String,
    /// Description.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub document: String,
    /// The request as documented: an HTTP head (`POST / HTTP/1.1 ...`) then a JSON body, or
    /// a query string (`https://...?Action=...&Filters.0.Name=...`).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub input: String,
    /// The documented response (`{"Response": {...}}`), usually JSON.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub output: String,
}

/// A specs directory could not be read.
#[derive(Debug)]
pub struct LoadError {
    /// The file or directory concerned.
    pub path: PathBuf,
    /// What went wrong.
    pub reason: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.reason)
    }
}

impl std::error::Error for LoadError {}

/// Some specs write `null` where a text is expected (`"api_brief": null`).
fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// Flags are sometimes written as `1`/`0` or `null` instead of `true`/`false`.
fn loose_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Bool(b) => b,
        serde_json::Value::Number(n) => n.as_f64() != Some(0.0),
        serde_json::Value::String(s) => matches!(s.as_str(), "true" | "True" | "1"),
        _ => false,
    })
}

fn err(path: &Path, reason: impl fmt::Display) -> LoadError {
    LoadError { path: path.to_owned(), reason: reason.to_string() }
}

fn sorted_dirs(dir: &Path) -> Result<Vec<(String, PathBuf)>, LoadError> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| err(dir, e))? {
        let entry = entry.map_err(|e| err(dir, e))?;
        if entry.file_type().map_err(|e| err(&entry.path(), e))?.is_dir()
            && let Some(name) = entry.file_name().to_str()
        {
            out.push((name.to_owned(), entry.path()));
        }
    }
    out.sort();
    Ok(out)
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|e| err(path, e))?;
    serde_json::from_str(&text).map_err(|e| err(path, e))
}

/// Loads one service version folder (`.../cvm/v20170312`).
pub fn load_version(dir: &Path) -> Result<ServiceVersion, LoadError> {
    let module = dir
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| n.len() == 9 && n.starts_with('v') && n[1..].bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| err(dir, "not a version folder (vYYYYMMDD)"))?
        .to_owned();
    let api: Api = read_json(&dir.join("api.json"))?;
    let ex = dir.join("examples.json");
    let examples = if ex.exists() { read_json(&ex)? } else { Examples::default() };
    Ok(ServiceVersion { version: api.metadata.api_version.clone(), module, api, examples })
}

/// Loads every `<folder>/v<date>/api.json` (+ `examples.json`) under `dir`, which is the
/// `tccli/services` folder of the package (or a copy of it). Folders without a version
/// folder (`__pycache__`) are ignored; an empty result is an error.
pub fn load(dir: &Path) -> Result<Specs, LoadError> {
    let mut services = Vec::new();
    for (folder, path) in sorted_dirs(dir)? {
        let mut versions = Vec::new();
        for (name, vpath) in sorted_dirs(&path)? {
            if name.starts_with('v') {
                versions.push(load_version(&vpath)?);
            }
        }
        let Some(newest) = versions.last() else { continue };
        let name = newest.api.metadata.service_short_name.clone();
        services.push(Service { folder, name, versions });
    }
    if services.is_empty() {
        return Err(err(dir, "no service specs found (run codegen/fetch-specs.sh)"));
    }
    Ok(Specs { services })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(ty: &str, member: Option<&str>) -> Member {
        serde_json::from_value(serde_json::json!({"name": "X", "type": ty, "member": member})).unwrap()
    }

    #[test]
    fn kinds_resolve() {
        assert_eq!(member("int", Some("uint64")).kind(), Some(Kind::Scalar(Scalar::Uint64)));
        assert_eq!(member("int", Some("int64")).kind(), Some(Kind::Scalar(Scalar::Int64)));
        assert_eq!(member("string", Some("datetime")).kind(), Some(Kind::Scalar(Scalar::String)));
        assert_eq!(member("list", Some("Filter")).kind(), Some(Kind::List(Box::new(Kind::Object("Filter".into())))));
        assert_eq!(member("list", Some("uint64")).kind(), Some(Kind::List(Box::new(Kind::Scalar(Scalar::Uint64)))));
        assert_eq!(member("object", Some("Placement")).kind(), Some(Kind::Object("Placement".into())));
        assert_eq!(member("object", None).kind(), None);
        assert_eq!(member("tuple", None).kind(), None);
    }

    #[test]
    fn load_reads_a_tree_and_refuses_an_empty_one() {
        let dir = std::env::temp_dir().join(format!("tc-spec-test-{}", std::process::id()));
        let v = dir.join("autoscaling/v20180419");
        std::fs::create_dir_all(&v).unwrap();
        std::fs::create_dir_all(dir.join("__pycache__")).unwrap();
        std::fs::write(
            v.join("api.json"),
            r#"{"actions":{"A":{"input":"AReq","output":"AResp","status":"online"}},
               "objects":{"AReq":{"members":[]},"AResp":{"members":[]}},
               "metadata":{"apiVersion":"2018-04-19","serviceShortName":"as"},"version":"1.0"}"#,
        )
        .unwrap();
        let specs = load(&dir).unwrap();
        assert_eq!(specs.services.len(), 1);
        assert_eq!(specs.services[0].folder, "autoscaling");
        assert_eq!(specs.services[0].name, "as");
        assert_eq!(specs.services[0].versions[0].module, "v20180419");
        assert_eq!(specs.services[0].versions[0].version, "2018-04-19");
        assert!(specs.services[0].versions[0].examples.actions.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
        let empty = std::env::temp_dir().join(format!("tc-spec-empty-{}", std::process::id()));
        std::fs::create_dir_all(&empty).unwrap();
        assert!(load(&empty).is_err());
        std::fs::remove_dir_all(&empty).unwrap();
    }
}
