//! The spec-driven backend: every complete resource family ([`crate::families`]) keeps its
//! resources in the store, per region. Create stores a resource built from the request's
//! parameters (one per item for a batch, `InstanceCount` for a list of ids) with an id in the
//! family's format, returned where the output declares it; a `ClientToken` makes it idempotent.
//! Describe lists them (by ids, by parameters naming their fields, by `Filters` incl. `tag:k`,
//! paged by `Offset`/`Limit`, `PageNumber`/`PageSize` or `NextToken` with the true total), items
//! shaped as the output's item model. Modify changes the named fields; delete removes. An id
//! the store does not know is the service's not-found error. A [`Behaviour`] adds what a
//! service's semantics need (fixtures, states, cross-resource checks).

use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};
use tencentcloud_schema::{ActionRef, Member, Scalar, Type, Version};

use super::{Backend, Check};
use crate::catalog;
use crate::clock::{rfc3339, utc_date};
use crate::error::ApiError;
use crate::families::{Families, Family, IdFormat, Key, Listing, Origin, Role, families, same_field};
use crate::ids::IdGen;
use crate::not_found;
use crate::params::field_int;
use crate::request::{ApiRequest, Outcome};
use crate::shape;
use crate::state::State;
use crate::store::{Change, Resource, Store, TableKey, Tables};
use crate::sync::lock;

/// Most ids one request names, and most resources one create makes.
const MAX_IDS: usize = 1000;
const MAX_CREATE: usize = 100;
/// Page size when the request gives none, and the largest one.
const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 1000;
/// Parameters that page or sort a describe, never a filter on fields.
const PAGING: [&str; 16] = [
    "Offset",
    "Limit",
    "PageNumber",
    "PageNo",
    "PageIndex",
    "Page",
    "PageSize",
    "Size",
    "NextToken",
    "MaxResults",
    "OrderBy",
    "Order",
    "OrderField",
    "OrderType",
    "SortBy",
    "SortOrder",
];
/// Parameters that never become a resource's fields.
const CONTROL: [&str; 3] = ["ClientToken", "DryRun", "Filters"];

/// What a hand-written service adds to a family's generic behaviour.
pub(crate) trait Behaviour: Send + Sync {
    /// The family it applies to: `(service, kind)`.
    fn family(&self) -> (&'static str, &'static str);

    /// Whether the family keeps its resources even when the spec-driven families are off
    /// ([`crate::EmulatorBuilder::resources`]).
    fn always(&self) -> bool {
        false
    }

    /// Whether requests must name a region (`MissingParameter` otherwise).
    fn regional(&self) -> bool {
        false
    }

    /// Whether the family is account-wide: one table whatever region a request names (CAM).
    fn global(&self) -> bool {
        false
    }

    /// The resources every region starts with (added once, then like any other).
    fn fixtures(&self, _region: &str) -> Vec<Map<String, Value>> {
        Vec::new()
    }

    /// Checks and completes a new resource's fields (`tables`: the whole store, to check
    /// references; `now_ms`: the emulator clock).
    fn create(
        &self,
        _tables: &Tables,
        _region: &str,
        _fields: &mut Map<String, Value>,
        _now_ms: i64,
    ) -> Result<(), ApiError> {
        Ok(())
    }

    /// Checks that a resource may be deleted, and whether it goes now or stays, changed, in a
    /// state on its way out (a terminating instance, a secret pending deletion).
    fn delete(&self, _d: &Acting<'_>, _resource: &mut Resource) -> Result<Deletion, ApiError> {
        Ok(Deletion::Remove)
    }

    /// Whether a resource still exists at `now_ms` (one on its way out is gone once its time is
    /// up: no describe lists it and every action on it is not-found).
    fn exists(&self, _tables: &Tables, _region: &str, _fields: &Map<String, Value>, _now_ms: i64) -> bool {
        true
    }

    /// The id of a new resource the client names although the create's output answers it
    /// (`CreateSecret`'s `SecretName`), instead of one the emulator issues.
    fn chosen_id(&self, _fields: &Map<String, Value>) -> Option<String> {
        None
    }

    /// Checks a describe's parameters beyond their types (the service's own limits).
    fn check_describe(&self, _params: &Map<String, Value>) -> Result<(), ApiError> {
        Ok(())
    }

    /// Further actions acting on the family's resources by the delete's id parameter
    /// (`StartInstances`, `StopInstances`).
    fn verbs(&self) -> &'static [&'static str] {
        &[]
    }

    /// Applies one of [`Behaviour::verbs`] to a resource; answers the action's own output
    /// fields when it has some (`GetSecretValue`), else the action answers its plain shape.
    fn act(&self, _a: &Acting<'_>, _resource: &mut Resource) -> Result<Option<Map<String, Value>>, ApiError> {
        Ok(None)
    }

    /// Brings a resource's fields to `now_ms` before a describe filters and answers them
    /// (states that move with time, or with the resources they refer to).
    fn describe(&self, _tables: &Tables, _region: &str, _fields: &mut Map<String, Value>, _now_ms: i64) {}
}

/// What a verb or a delete acts in: the action, its parameters, the whole store (to check
/// references), the region and the emulator clock.
pub(crate) struct Acting<'a> {
    pub(crate) action: &'a str,
    pub(crate) params: &'a Map<String, Value>,
    pub(crate) tables: &'a Tables,
    pub(crate) region: &'a str,
    pub(crate) now_ms: i64,
}

/// What a delete does to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Deletion {
    /// It is gone at once.
    Remove,
    /// It stays, changed by the behaviour, until [`Behaviour::exists`] says it is gone.
    Keep,
}

/// The generic backend, with the hand-written behaviours it applies.
pub(crate) struct Resources {
    store: Arc<Store>,
    behaviours: Vec<Box<dyn Behaviour>>,
    /// Every complete family (else only those with a hand-written behaviour).
    all: bool,
}

impl Resources {
    pub(crate) fn new(store: Arc<Store>, behaviours: Vec<Box<dyn Behaviour>>, all: bool) -> Self {
        Resources { store, behaviours, all }
    }

    fn behaviour(&self, service: &str, kind: &str) -> Option<&dyn Behaviour> {
        self.behaviours.iter().find(|b| b.family() == (service, kind)).map(|b| &**b)
    }
}

/// One request to one family.
struct Ctx<'a> {
    state: &'a State,
    req: &'a ApiRequest<'a>,
    action: &'a ActionRef<'static>,
    family: &'a Family,
    key: &'a Key,
    table: TableKey,
    behaviour: Option<&'a dyn Behaviour>,
}

/// What a request does to its family.
#[derive(Clone, Copy)]
enum Op {
    Role(Role),
    /// One of the behaviour's own verbs.
    Verb,
}

impl Resources {
    /// The family `action` acts on and how, if this backend answers it.
    fn route(&self, service: &str, action: &str, version: &str) -> Option<(Arc<Families>, usize, Op)> {
        let fams = families(service, version)?;
        let (i, op) = match fams.of(action) {
            Some((family, role)) => (fams.list.iter().position(|f| std::ptr::eq(f, family))?, Op::Role(role)),
            None => {
                let b = self.behaviours.iter().find(|b| b.family().0 == service && b.verbs().contains(&action))?;
                let i = fams.list.iter().position(|f| f.kind == b.family().1 && f.apart.is_none())?;
                (i, Op::Verb)
            }
        };
        let on = self.all || self.behaviour(service, &fams.list[i].kind).is_some_and(|b| b.always());
        on.then_some((fams, i, op))
    }
}

impl Backend for Resources {
    fn serves(&self, service: &str, action: &str, schema: Option<&ActionRef<'static>>) -> Option<Check> {
        self.route(service, action, &schema?.version.version).map(|_| Check::Schema)
    }

    fn answer(
        &self,
        state: &State,
        req: &ApiRequest<'_>,
        schema: Option<&ActionRef<'static>>,
    ) -> Result<Outcome, ApiError> {
        let internal = || ApiError::new("InternalError", "The action is not a resource action.");
        let action = schema.ok_or_else(internal)?;
        let (fams, i, op) = self.route(req.service, req.action, &action.version.version).ok_or_else(internal)?;
        let family = &fams.list[i];
        let key = family.key.as_ref().ok_or_else(internal)?;
        let behaviour = self.behaviour(req.service, &family.kind);
        if behaviour.is_some_and(|b| b.regional()) && req.region.is_none() {
            return Err(ApiError::missing("Region"));
        }
        let region = match behaviour {
            Some(b) if b.global() => String::new(),
            _ => req.region.clone().unwrap_or_default(),
        };
        let table = TableKey { service: req.service.to_owned(), region, kind: family.kind.clone() };
        let c = Ctx { state, req, action, family, key, table, behaviour };
        self.add_fixtures(&c)?;
        let out = match op {
            Op::Role(Role::Create) => self.create(&c),
            Op::Role(Role::Describe) => self.describe(&c),
            Op::Role(Role::Modify) => self.modify(&c),
            Op::Role(Role::Delete) => self.delete(&c),
            Op::Verb => self.act(&c),
        }?;
        Ok(Outcome::Json(out))
    }
}

// ---- reading parameters ----

fn params(req: &ApiRequest<'_>) -> Map<String, Value> {
    req.params.as_object().cloned().unwrap_or_default()
}

/// The ids a parameter names: a string, a number, or a list of them (bounded).
fn ids_of(v: Option<&Value>) -> Vec<String> {
    let one = |v: &Value| match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match v {
        Some(Value::Array(items)) => items.iter().filter_map(one).take(MAX_IDS).collect(),
        Some(v) => one(v).into_iter().collect(),
        None => Vec::new(),
    }
}

/// The first of `names` that is an integer parameter (see [`field_int`]).
fn int_param(p: &Map<String, Value>, names: &[&str]) -> Option<i64> {
    names.iter().find_map(|n| field_int(p, n))
}

/// JSON equality where numbers and bools equal the strings spelling them.
fn loosely_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(s), other @ (Value::Number(_) | Value::Bool(_)))
        | (other @ (Value::Number(_) | Value::Bool(_)), Value::String(s)) => *s.trim() == *other.to_string(),
        _ => a == b,
    }
}

/// Whether a field's value matches what a filter asks for (`name`: the field's name; a name
/// matches a part of itself, as most services search names).
fn matches(field: &Value, want: &Value, name: &str) -> bool {
    let scalar = |f: &Value, w: &Value| {
        loosely_equal(f, w)
            || (name.ends_with("Name")
                && matches!((f, w), (Value::String(f), Value::String(w)) if !w.is_empty() && f.contains(w.as_str())))
    };
    let field_has = |w: &Value| match field {
        Value::Array(items) => items.iter().any(|f| scalar(f, w)),
        f => scalar(f, w),
    };
    match want {
        Value::Array(ws) => ws.is_empty() || ws.iter().any(field_has),
        w => field_has(w),
    }
}

/// The resource's field named like `name`: exactly, else case-insensitively, else singular/plural.
fn field<'r>(fields: &'r Map<String, Value>, name: &str) -> Option<(&'r String, &'r Value)> {
    fields
        .get_key_value(name)
        .or_else(|| fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
        .or_else(|| fields.iter().find(|(k, _)| same_field(k, name)))
}

/// `vpc-id` / `instance_name` / `Zone` -> `VpcId` / `InstanceName` / `Zone`.
fn camel(name: &str) -> String {
    name.split(['-', '_', '.'])
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

/// The tags of a resource: `(key, value)` pairs from a list of `{Key|TagKey, Value|TagValue}`.
fn tags(fields: &Map<String, Value>) -> Vec<(String, String)> {
    let text = |o: &Map<String, Value>, names: &[&str]| {
        names.iter().find_map(|n| o.get(*n).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
    };
    fields
        .iter()
        .filter(|(k, _)| k.contains("Tag"))
        .filter_map(|(_, v)| v.as_array())
        .flatten()
        .filter_map(Value::as_object)
        .filter_map(|o| Some((text(o, &["Key", "TagKey"])?, text(o, &["Value", "TagValue"]).unwrap_or_default())))
        .collect()
}

/// Whether a resource passes one entry of `Filters` (a name it has no field for passes: the
/// emulator is never stricter than the service).
fn passes_filter(fields: &Map<String, Value>, filter: &Value) -> bool {
    let Some(name) = filter.get("Name").and_then(Value::as_str) else { return true };
    let Some(values) = filter.get("Values").or_else(|| filter.get("Value")) else { return true };
    if let Some(tag) = name.strip_prefix("tag:") {
        return tags(fields).iter().any(|(k, v)| k == tag && matches(&Value::String(v.clone()), values, ""));
    }
    if name == "tag-key" {
        return tags(fields).iter().any(|(k, _)| matches(&Value::String(k.clone()), values, ""));
    }
    if name == "tag-value" {
        return tags(fields).iter().any(|(_, v)| matches(&Value::String(v.clone()), values, ""));
    }
    let wanted = camel(name);
    if let Some((k, v)) = field(fields, &wanted) {
        return matches(v, values, k);
    }
    // One object down: `zone` is `Placement.Zone`.
    for nested in fields.values().filter_map(Value::as_object) {
        if let Some((k, v)) = field(nested, &wanted) {
            return matches(v, values, k);
        }
    }
    true
}

// ---- building answers ----

/// Converts a stored value to the declared type where the query form or a client spelled it
/// otherwise (`"10"` for an integer, `1` for a string).
fn coerce(v: &Value, ty: &Type, version: &Version) -> Value {
    match (ty, v) {
        (Type::Scalar(Scalar::Int64 | Scalar::Uint64), Value::String(s)) => {
            s.trim().parse::<i64>().map_or_else(|_| v.clone(), Value::from)
        }
        (Type::Scalar(Scalar::Float), Value::String(s)) => {
            s.trim().parse::<f64>().map_or_else(|_| v.clone(), Value::from)
        }
        (Type::Scalar(Scalar::Bool), Value::String(s)) => match s.as_str() {
            "true" | "TRUE" | "True" => Value::Bool(true),
            "false" | "FALSE" | "False" => Value::Bool(false),
            _ => v.clone(),
        },
        (Type::Scalar(s), Value::Number(_) | Value::Bool(_))
            if !matches!(s, Scalar::Int64 | Scalar::Uint64 | Scalar::Float | Scalar::Bool) =>
        {
            Value::String(v.to_string())
        }
        (Type::List(item), Value::Array(items)) => {
            Value::Array(items.iter().map(|i| coerce(i, item, version)).collect())
        }
        (Type::List(item), Value::Object(_) | Value::String(_) | Value::Number(_) | Value::Bool(_)) => {
            Value::Array(vec![coerce(v, item, version)])
        }
        (Type::Object(name), Value::Object(o)) => {
            let members = version.object(name).unwrap_or(&[]);
            Value::Object(
                o.iter()
                    .map(|(k, v)| {
                        let v = members
                            .iter()
                            .find(|m| &m.name == k)
                            .map_or_else(|| v.clone(), |m| coerce(v, &m.ty, version));
                        (k.clone(), v)
                    })
                    .collect(),
            )
        }
        _ => v.clone(),
    }
}

fn is_creation_time(name: &str) -> bool {
    matches!(name, "CreatedTime" | "CreateTime" | "CreationTime" | "CreatedAt" | "CreateAt" | "CreatedDate" | "AddTime")
}

fn time_value(ms: i64, ty: &Type) -> Value {
    let secs = ms.div_euclid(1000);
    match ty {
        Type::Scalar(Scalar::Int64 | Scalar::Uint64) => Value::from(secs),
        Type::Scalar(Scalar::DatetimeIso) => Value::from(rfc3339(secs)),
        Type::Scalar(Scalar::Date) => Value::from(utc_date(secs)),
        _ => {
            let iso = rfc3339(secs);
            Value::from(format!("{} {}", &iso[..10], &iso[11..19]))
        }
    }
}

/// `members` filled from a resource: its fields by name (converted to the declared types), the
/// creation time, zero values for the rest.
fn fill(version: &Version, members: &[Member], resource: &Resource) -> Map<String, Value> {
    let mut out = shape::blank(version, members);
    for m in members {
        if let Some((_, v)) = field(&resource.fields, &m.name) {
            out.insert(m.name.clone(), coerce(v, &m.ty, version));
        } else if is_creation_time(&m.name) {
            out.insert(m.name.clone(), time_value(resource.created_ms, &m.ty));
        }
    }
    out
}

/// Sets `value` at `path` below `out`, creating objects on the way.
fn set_path(out: &mut Map<String, Value>, path: &[String], value: Value) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut cur = out;
    for p in parents {
        let slot = cur.entry(p.clone()).or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        let Value::Object(next) = slot else { return };
        cur = next;
    }
    cur.insert(last.clone(), value);
}

/// The type of the member at `path` of the action's output.
fn type_at<'v>(version: &'v Version, output: &'v [Member], path: &[String]) -> Option<&'v Type> {
    let (first, rest) = path.split_first()?;
    let m = output.iter().find(|m| &m.name == first)?;
    if rest.is_empty() {
        return Some(&m.ty);
    }
    let obj = match &m.ty {
        Type::Object(n) => n,
        Type::List(item) => match &**item {
            Type::Object(n) => n,
            _ => return None,
        },
        Type::Scalar(_) => return None,
    };
    type_at(version, version.object(obj)?, rest)
}

/// An id as the output declares it: a number for an integer field.
fn id_value(id: &str, ty: Option<&Type>) -> Value {
    let integer = |t: &Type| matches!(t, Type::Scalar(Scalar::Int64 | Scalar::Uint64));
    let is_int = ty.is_some_and(|t| integer(t) || matches!(t, Type::List(i) if integer(i)));
    match id.parse::<i64>() {
        Ok(n) if is_int => Value::from(n),
        _ => Value::String(id.to_owned()),
    }
}

/// The answer of a non-listing action: its documented example or its shape (never a documented
/// error: the state decides those).
fn base_answer(action: &ActionRef<'_>, params: &Value) -> Map<String, Value> {
    match catalog::answer(action, params).0 {
        Ok(out) => out,
        Err(_) => action
            .output()
            .iter()
            .filter(|m| m.name != "RequestId")
            .map(|m| (m.name.clone(), shape::synthesize(action.version, &m.ty)))
            .collect(),
    }
}

/// A new id in `format`, not `used`.
fn issue(format: &IdFormat, ids: &Mutex<IdGen>, seq: u64, used: impl Fn(&str) -> bool) -> String {
    loop {
        let id = match format {
            // Creation numbers are never reused, so these never collide.
            IdFormat::Number => (100_000 + seq).to_string(),
            IdFormat::Uuid => lock(ids).uuid(),
            IdFormat::Prefixed { prefix, len, mixed } => {
                let mut ids = lock(ids);
                let body = if *mixed { ids.alnum(*len) } else { ids.lower_alnum(*len) };
                format!("{prefix}{body}")
            }
        };
        if !used(&id) {
            return id;
        }
    }
}

/// Adds resources from a seed document, `{"<service>": {"<Kind>": [{fields...}, ...]}}`: each
/// resource in its `Region` field's region (default `ap-guangzhou`), with the id its key field
/// gives or a new one. Answers how many were added; nothing is added if anything is wrong.
pub(crate) fn seed(store: &Store, ids: &Mutex<IdGen>, doc: &Value, now_ms: i64) -> Result<usize, String> {
    let services = doc.as_object().ok_or("a seed is a JSON object of services")?;
    let mut drafts = Vec::new();
    for (service, kinds) in services {
        let svc = tencentcloud_schema::service(service)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no service `{service}`"))?;
        let fams = families(service, &svc.latest().version).ok_or_else(|| format!("no service `{service}`"))?;
        let kinds = kinds.as_object().ok_or_else(|| format!("`{service}`: expected an object of kinds"))?;
        for (kind, list) in kinds {
            let family = fams.list.iter().find(|f| &f.kind == kind && f.apart.is_none()).ok_or_else(|| {
                let known: Vec<&str> =
                    fams.list.iter().filter(|f| f.apart.is_none()).map(|f| f.kind.as_str()).collect();
                format!("`{service}` has no resource kind `{kind}`; it has: {}", known.join(", "))
            })?;
            let key = family.key.clone().ok_or_else(|| format!("`{service}` `{kind}` has no key"))?;
            let list = list.as_array().ok_or_else(|| format!("`{service}.{kind}`: expected a list of resources"))?;
            for item in list {
                let mut fields =
                    item.as_object().cloned().ok_or_else(|| format!("`{service}.{kind}`: a resource is an object"))?;
                let region = match fields.remove("Region") {
                    Some(Value::String(r)) => r,
                    _ => "ap-guangzhou".to_owned(),
                };
                let table = TableKey { service: service.clone(), region, kind: kind.clone() };
                drafts.push((table, key.clone(), fields));
            }
        }
    }
    let n = drafts.len();
    store
        .update(|tables| {
            let mut changes = Vec::new();
            let mut fresh: Vec<String> = Vec::new();
            for (seq, (table, key, mut fields)) in (tables.next_seq()..).zip(drafts) {
                let id = match ids_of(fields.get(&key.field)).pop() {
                    Some(id) => id,
                    None => {
                        let id = issue(&key.format, ids, seq, |id| {
                            fresh.iter().any(|f| f == id) || tables.table(&table).is_some_and(|t| t.get(id).is_some())
                        });
                        fields.insert(key.field.clone(), Value::String(id.clone()));
                        id
                    }
                };
                fresh.push(id.clone());
                changes.push(Change::Put {
                    table,
                    resource: Resource { id, seq, created_ms: now_ms, fields },
                    token: None,
                });
            }
            Ok((changes, ()))
        })
        .map_err(|e| e.message)?;
    Ok(n)
}

impl Resources {
    fn not_found(&self, c: &Ctx<'_>, ids: &[String]) -> ApiError {
        let mut actions: Vec<&str> = c.family.deletes.iter().map(String::as_str).collect();
        actions.extend(c.family.modify.as_deref());
        let code = not_found::code(c.req.service, c.req.version, &actions, &c.family.kind, &c.key.field);
        ApiError::new(code, format!("The {} `{}` does not exist.", c.family.kind, ids.join("`, `")))
    }

    /// Adds the behaviour's fixtures to a region's table the first time it is used.
    fn add_fixtures(&self, c: &Ctx<'_>) -> Result<(), ApiError> {
        let Some(b) = c.behaviour else { return Ok(()) };
        if self.store.read(|t| t.marked(&c.table)) {
            return Ok(());
        }
        self.store.update(|tables| {
            if tables.marked(&c.table) {
                return Ok((Vec::new(), ()));
            }
            let mut changes = vec![Change::Mark { table: c.table.clone() }];
            let mut seq = tables.next_seq();
            for fields in b.fixtures(&c.table.region) {
                let Some(id) = ids_of(fields.get(&c.key.field)).pop() else { continue };
                let resource = Resource { id, seq, created_ms: c.req.now_ms, fields };
                changes.push(Change::Put { table: c.table.clone(), resource, token: None });
                seq += 1;
            }
            Ok((changes, ()))
        })
    }

    fn create(&self, c: &Ctx<'_>) -> Result<Map<String, Value>, ApiError> {
        let p = params(c.req);
        let token = p.get("ClientToken").and_then(Value::as_str).filter(|t| !t.is_empty()).map(str::to_owned);
        let base: Map<String, Value> =
            p.iter().filter(|(k, _)| !CONTROL.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
        // This create's own origin (`CreateSubnets` answers `SubnetSet[].SubnetId`, `CreateSubnet` `Subnet.SubnetId`).
        let i = c.family.creates.iter().position(|a| a == c.req.action).unwrap_or(0);
        let origin = if i == 0 { &c.key.origin } else { c.key.more_origins.get(i - 1).unwrap_or(&c.key.origin) };
        // One resource per item of a list of objects: the client's (keyed by a member), or the
        // one list of objects the create takes when it answers a list of objects.
        let output_list = matches!(origin, Origin::Output { path, .. } if path.len() == 2
            && matches!(type_at(c.action.version, c.action.output(), &path[..1]), Some(Type::List(_))));
        // (Tags are never the resources; a list the request leaves out makes one resource.)
        let object_lists: Vec<&Member> = c
            .action
            .input()
            .iter()
            .filter(|m| matches!(&m.ty, Type::List(i) if matches!(**i, Type::Object(_))) && !m.name.contains("Tag"))
            .collect();
        let given = |name: &str| base.get(name).and_then(Value::as_array).is_some_and(|a| !a.is_empty());
        let batch = match origin {
            Origin::Client { path, batch: true } => Some(path[0].clone()),
            _ if output_list && object_lists.len() == 1 && given(&object_lists[0].name) => {
                Some(object_lists[0].name.clone())
            }
            _ => None,
        };
        let drafts: Vec<Map<String, Value>> = match (origin, batch) {
            (_, Some(list)) => {
                let items = base.get(&list).and_then(Value::as_array).filter(|a| !a.is_empty());
                let items = items.ok_or_else(|| ApiError::missing(&list))?;
                let parent: Map<String, Value> =
                    base.iter().filter(|(k, _)| **k != list).map(|(k, v)| (k.clone(), v.clone())).collect();
                items
                    .iter()
                    .take(MAX_CREATE)
                    .map(|item| {
                        let mut fields = parent.clone();
                        fields.extend(item.as_object().cloned().unwrap_or_default());
                        fields
                    })
                    .collect()
            }
            (Origin::Output { list: true, .. }, None) => {
                let lower = c.family.kind.to_ascii_lowercase();
                let count_param = p
                    .keys()
                    .filter(|k| {
                        k.ends_with("Count")
                            || k.ends_with("Num")
                            || ["Quantity", "Amount", "Number"].contains(&k.as_str())
                    })
                    .max_by_key(|k| {
                        (
                            k.to_ascii_lowercase().contains(&lower),
                            k.as_str() == "InstanceCount" || k.as_str() == "GoodsNum",
                        )
                    })
                    .cloned();
                let n = count_param.and_then(|k| int_param(&p, &[&k])).unwrap_or(1).clamp(1, MAX_CREATE as i64);
                vec![base.clone(); n as usize]
            }
            _ => vec![base.clone()],
        };
        let region = c.table.region.clone();
        let now = c.req.now_ms;
        let ids: Vec<String> = self.store.update(|tables| {
            if let Some(ids) = token.as_deref().and_then(|t| tables.token(&c.table, t)) {
                return Ok((Vec::new(), ids.to_vec()));
            }
            let (mut changes, mut ids) = (Vec::new(), Vec::new());
            for (seq, mut fields) in (tables.next_seq()..).zip(drafts) {
                let id = match origin {
                    Origin::Client { path, batch } => {
                        let at = if *batch {
                            fields.get(&path[1])
                        } else {
                            path.iter().skip(1).fold(fields.get(&path[0]), |v, k| v.and_then(|v| v.get(k)))
                        };
                        ids_of(at).pop().ok_or_else(|| ApiError::missing(&path.join(".")))?
                    }
                    Origin::Output { .. } => match c.behaviour.and_then(|b| b.chosen_id(&fields)) {
                        Some(id) => id,
                        None => issue(&c.key.format, &c.state.ids, seq, |id| {
                            ids.iter().any(|f| f == id) || tables.table(&c.table).is_some_and(|t| t.get(id).is_some())
                        }),
                    },
                };
                let declared = c.family.listing.as_ref().and_then(|l| match l {
                    Listing::List { item, .. } | Listing::One { item: Some(item), .. } => c.action.version.object(item),
                    Listing::One { .. } => None,
                });
                let ty = declared.and_then(|ms| ms.iter().find(|m| same_field(&m.name, &c.key.field))).map(|m| &m.ty);
                fields.insert(c.key.field.clone(), id_value(&id, ty));
                // The behaviour first: it may answer a taken id with the service's own code.
                if let Some(b) = c.behaviour {
                    b.create(tables, &region, &mut fields, now)?;
                }
                let live = |r: &Resource| c.behaviour.is_none_or(|b| b.exists(tables, &region, &r.fields, now));
                if ids.contains(&id) || tables.table(&c.table).and_then(|t| t.get(&id)).is_some_and(live) {
                    return Err(ApiError::new(
                        "ResourceInUse",
                        format!("The {} `{id}` already exists.", c.family.kind),
                    ));
                }
                let resource = Resource { id: id.clone(), seq, created_ms: now, fields };
                changes.push(Change::Put { table: c.table.clone(), resource, token: token.clone() });
                ids.push(id);
            }
            Ok((changes, ids))
        })?;
        let mut out = base_answer(c.action, &c.req.params);
        if let Origin::Output { path, list } = origin {
            let version = c.action.version;
            let resources: Vec<Resource> = self.store.read(|t| {
                let table = t.table(&c.table);
                ids.iter().filter_map(|id| table.and_then(|t| t.get(id)).cloned()).collect()
            });
            // An id inside an object (`Vpc.VpcId`): the object is the new resource.
            if let [outer, _] = path.as_slice()
                && let Some(ty) = type_at(version, c.action.output(), std::slice::from_ref(outer))
                && let Some(members) = match ty {
                    Type::Object(n) => version.object(n),
                    Type::List(i) => match &**i {
                        Type::Object(n) => version.object(n),
                        _ => None,
                    },
                    Type::Scalar(_) => None,
                }
            {
                let objects: Vec<Value> = resources.iter().map(|r| Value::Object(fill(version, members, r))).collect();
                if matches!(ty, Type::List(_)) {
                    // Each object carries its id already.
                    out.insert(outer.clone(), Value::Array(objects));
                    return Ok(out);
                }
                out.insert(outer.clone(), objects.into_iter().next().unwrap_or(Value::Null));
            }
            // A behaviour's family answers the new resource's own fields the output names
            // (`CreateSecret`'s `VersionId`), never a documented example's.
            if let ([r], Some(_)) = (resources.as_slice(), c.behaviour) {
                for m in c.action.output().iter().filter(|m| m.name != path[0]) {
                    if let Some(v) = r.fields.get(&m.name) {
                        out.insert(m.name.clone(), coerce(v, &m.ty, version));
                    }
                }
            }
            let ty = type_at(version, c.action.output(), path);
            let value = if *list {
                Value::Array(ids.iter().map(|id| id_value(id, ty)).collect())
            } else {
                id_value(&ids[0], ty)
            };
            set_path(&mut out, path, value);
        }
        Ok(out)
    }

    fn describe(&self, c: &Ctx<'_>) -> Result<Map<String, Value>, ApiError> {
        let p = params(c.req);
        if let Some(b) = c.behaviour {
            b.check_describe(&p)?;
        }
        let version = c.action.version;
        let wanted = c.key.describe_param.as_ref().map(|n| ids_of(p.get(n))).unwrap_or_default();
        let filters: Vec<&Value> = match p.get("Filters") {
            Some(Value::Array(f)) => f.iter().collect(),
            Some(f @ Value::Object(_)) => vec![f],
            _ => Vec::new(),
        };
        let by_field: Vec<(&String, &Value)> = p
            .iter()
            .filter(|(k, v)| {
                !PAGING.contains(&k.as_str())
                    && !CONTROL.contains(&k.as_str())
                    && Some(*k) != c.key.describe_param.as_ref()
                    && !v.is_null()
                    && v.as_array().is_none_or(|a| !a.is_empty())
            })
            .collect();
        // A behaviour brings the fields to now first (filters see the state answered).
        let region = c.table.region.as_str();
        let current = |t: &Tables, r: &Resource| -> Option<Resource> {
            let b = c.behaviour?;
            let mut r = r.clone();
            b.describe(t, region, &mut r.fields, c.req.now_ms);
            Some(r)
        };
        let selected = |r: &Resource| {
            (wanted.is_empty() || wanted.contains(&r.id))
                && by_field
                    .iter()
                    .all(|(k, want)| field(&r.fields, k).is_none_or(|(name, have)| matches(have, want, name)))
                && filters.iter().all(|f| passes_filter(&r.fields, f))
        };
        // The page: `Offset`/`Limit`, `PageNumber`/`PageSize` or `NextToken`/`MaxResults`.
        let declares = |n: &str| c.action.input().iter().any(|m| m.name == n);
        let paged = ["Limit", "PageSize", "MaxResults", "Size"].iter().any(|n| declares(n));
        let limit = match int_param(&p, &["Limit", "PageSize", "MaxResults", "Size"]) {
            Some(n) if n > 0 => (n as usize).min(MAX_LIMIT),
            _ if paged => DEFAULT_LIMIT,
            _ => MAX_LIMIT,
        };
        let offset = if let Some(o) = int_param(&p, &["Offset"]) {
            o.max(0) as usize
        } else if let Some(page) = int_param(&p, &["PageNumber", "PageNo", "PageIndex", "Page"]) {
            (page.max(1) as usize - 1).saturating_mul(limit)
        } else {
            p.get("NextToken").and_then(Value::as_str).and_then(|t| t.parse().ok()).unwrap_or(0)
        };
        let (skip, take) = match c.family.listing {
            Some(Listing::List { .. }) => (offset, limit),
            _ => (0, 1),
        };
        // Only the page is copied out of the store; the total is counted under the same lock.
        let (total, page): (usize, Vec<Resource>) = self.store.read(|all| {
            let Some(t) = all.table(&c.table) else { return (0, Vec::new()) };
            let mut total = 0;
            let mut page = Vec::new();
            for r in t.iter() {
                if c.behaviour.is_some_and(|b| !b.exists(all, region, &r.fields, c.req.now_ms)) {
                    continue;
                }
                let now = current(all, r);
                let r = now.as_ref().unwrap_or(r);
                if !selected(r) {
                    continue;
                }
                if total >= skip && page.len() < take {
                    page.push(r.clone());
                }
                total += 1;
            }
            (total, page)
        });
        let item = |members: &[Member], r: &Resource| fill(version, members, r);
        let outputs: Vec<Member> = c.action.output().iter().filter(|m| m.name != "RequestId").cloned().collect();
        let mut out = shape::blank(version, &outputs);
        match c.family.listing.as_ref() {
            Some(Listing::List { path, item: item_type, total: total_path }) => {
                let members = version.object(item_type).unwrap_or(&[]);
                let items = page.iter().map(|r| Value::Object(item(members, r))).collect();
                set_path(&mut out, path, Value::Array(items));
                if let Some(total_path) = total_path {
                    set_path(&mut out, total_path, Value::from(total));
                }
                if out.contains_key("NextToken") {
                    let next = offset.saturating_add(limit);
                    let token = if next < total { Value::String(next.to_string()) } else { Value::Null };
                    out.insert("NextToken".to_owned(), token);
                }
            }
            Some(Listing::One { path, item: item_type }) => {
                let Some(r) = page.first() else {
                    return Err(self.not_found(c, &wanted));
                };
                match (path.first(), item_type.as_deref().and_then(|t| version.object(t))) {
                    (Some(name), Some(members)) => {
                        out.insert(name.clone(), Value::Object(item(members, r)));
                    }
                    _ => out = item(&outputs, r),
                }
            }
            None => {}
        }
        Ok(out)
    }

    fn modify(&self, c: &Ctx<'_>) -> Result<Map<String, Value>, ApiError> {
        let p = params(c.req);
        let param = c.key.modify_param.as_deref().unwrap_or(&c.key.field);
        let ids = ids_of(p.get(param));
        if ids.is_empty() {
            return Err(ApiError::missing(param));
        }
        self.store.update(|tables| {
            let changes = self
                .known(c, tables, &ids)?
                .into_iter()
                .map(|mut r| {
                    for (k, v) in p.iter().filter(|(k, _)| k.as_str() != param && !CONTROL.contains(&k.as_str())) {
                        let name = field(&r.fields, k).map_or_else(|| k.clone(), |(n, _)| n.clone());
                        if name != c.key.field {
                            r.fields.insert(name, v.clone());
                        }
                    }
                    Change::Put { table: c.table.clone(), resource: r, token: None }
                })
                .collect();
            Ok((changes, ()))
        })?;
        Ok(base_answer(c.action, &c.req.params))
    }

    /// The resources `ids` name, each existing now, or the service's not-found error.
    fn known(&self, c: &Ctx<'_>, tables: &Tables, ids: &[String]) -> Result<Vec<Resource>, ApiError> {
        let table = tables.table(&c.table);
        let live = |id: &String| {
            table
                .and_then(|t| t.get(id))
                .filter(|r| c.behaviour.is_none_or(|b| b.exists(tables, &c.table.region, &r.fields, c.req.now_ms)))
                .cloned()
        };
        let unknown: Vec<String> = ids.iter().filter(|id| live(id).is_none()).cloned().collect();
        if !unknown.is_empty() {
            return Err(self.not_found(c, &unknown));
        }
        Ok(ids.iter().filter_map(live).collect())
    }

    /// A behaviour's verb on the resources the delete's id parameter names.
    fn act(&self, c: &Ctx<'_>) -> Result<Map<String, Value>, ApiError> {
        let p = params(c.req);
        let ids = ids_of(p.get(&c.key.delete_param));
        if ids.is_empty() {
            return Err(ApiError::missing(&c.key.delete_param));
        }
        let b = c.behaviour.ok_or_else(|| ApiError::new("InternalError", "No behaviour."))?;
        let own = self.store.update(|tables| {
            let a = Acting { action: c.req.action, params: &p, tables, region: &c.table.region, now_ms: c.req.now_ms };
            let (mut changes, mut own) = (Vec::new(), None);
            for mut r in self.known(c, tables, &ids)? {
                own = b.act(&a, &mut r)?.or(own);
                changes.push(Change::Put { table: c.table.clone(), resource: r, token: None });
            }
            Ok((changes, own))
        })?;
        Ok(match own {
            Some(fields) => answer_with(c.action, fields),
            None => base_answer(c.action, &c.req.params),
        })
    }

    fn delete(&self, c: &Ctx<'_>) -> Result<Map<String, Value>, ApiError> {
        let p = params(c.req);
        let ids = ids_of(p.get(&c.key.delete_param));
        if ids.is_empty() {
            return Err(ApiError::missing(&c.key.delete_param));
        }
        let kept = self.store.update(|tables| {
            let resources = self.known(c, tables, &ids)?;
            let Some(b) = c.behaviour else {
                return Ok((vec![Change::Remove { table: c.table.clone(), ids: ids.clone() }], Vec::new()));
            };
            let a = Acting { action: c.req.action, params: &p, tables, region: &c.table.region, now_ms: c.req.now_ms };
            let (mut gone, mut kept) = (Vec::new(), Vec::new());
            for mut r in resources {
                match b.delete(&a, &mut r)? {
                    Deletion::Remove => gone.push(r.id),
                    Deletion::Keep => kept.push(r),
                }
            }
            let mut changes: Vec<Change> =
                kept.iter().map(|r| Change::Put { table: c.table.clone(), resource: r.clone(), token: None }).collect();
            if !gone.is_empty() {
                changes.push(Change::Remove { table: c.table.clone(), ids: gone });
            }
            Ok((changes, kept))
        })?;
        // One resource kept on its way out answers its own fields (`DeleteTime`).
        Ok(match kept.as_slice() {
            [r] => answer_with(c.action, fill(c.action.version, c.action.output(), r)),
            _ => base_answer(c.action, &c.req.params),
        })
    }
}

/// The answer of an action whose fields a behaviour computed: its shape, with those fields.
fn answer_with(action: &ActionRef<'_>, fields: Map<String, Value>) -> Map<String, Value> {
    let outputs: Vec<Member> = action.output().iter().filter(|m| m.name != "RequestId").cloned().collect();
    let mut out = shape::blank(action.version, &outputs);
    for (k, v) in fields {
        if outputs.iter().any(|m| m.name == k) {
            out.insert(k, v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn filters() {
        let r = json!({"VpcId": "vpc-1", "VpcName": "web-prod", "Placement": {"Zone": "ap-guangzhou-3"},
            "Tags": [{"Key": "env", "Value": "prod"}], "CidrBlock": "10.0.0.0/16"});
        let f = r.as_object().unwrap();
        let pass = |name: &str, values: Value| passes_filter(f, &json!({"Name": name, "Values": values}));
        assert!(pass("vpc-id", json!(["vpc-1", "vpc-2"])));
        assert!(!pass("vpc-id", json!(["vpc-2"])));
        assert!(pass("vpc-name", json!(["web"])));
        assert!(pass("zone", json!(["ap-guangzhou-3"])));
        assert!(!pass("zone", json!(["ap-guangzhou-4"])));
        assert!(pass("tag:env", json!(["prod"])));
        assert!(!pass("tag:env", json!(["dev"])));
        assert!(pass("tag-key", json!(["env"])));
        assert!(pass("no-such-field", json!(["x"])));
        assert_eq!(camel("instance-charge-type"), "InstanceChargeType");
        assert!(matches(&json!(3), &json!("3"), "Count"));
        assert!(matches(&json!(["a", "b"]), &json!(["b"]), "Ids"));
    }

    #[test]
    fn coercion() {
        let v = tencentcloud_schema::service("vpc").unwrap().unwrap().latest();
        assert_eq!(coerce(&json!("10"), &Type::Scalar(Scalar::Int64), v), json!(10));
        assert_eq!(coerce(&json!(10), &Type::Scalar(Scalar::String), v), json!("10"));
        assert_eq!(coerce(&json!("x"), &Type::List(Box::new(Type::Scalar(Scalar::String))), v), json!(["x"]));
        assert_eq!(id_value("12", Some(&Type::Scalar(Scalar::Uint64))), json!(12));
        assert_eq!(id_value("vpc-1", Some(&Type::Scalar(Scalar::Uint64))), json!("vpc-1"));
        let mut out = Map::new();
        set_path(&mut out, &["Data".into(), "List".into()], json!([]));
        assert_eq!(Value::Object(out), json!({"Data": {"List": []}}));
    }
}
