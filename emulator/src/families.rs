//! Resource families from the specs: the rule pairing a service version's actions into the
//! lifecycle of one kind of resource, by their names and shapes.
//!
//! **By name.** `Create<N>` (or `Run<N>`, `Allocate<N>`, `Add<N>`) and `Delete<M>` (or
//! `Terminate`, `Release`, `Remove`) pair when `N` and `M` are the same noun, singular or plural
//! (`Vpc`/`Vpcs`, `Address`/`Addresses`, `Policy`/`Policies`), and a `Describe` names it too,
//! bare or followed by `List`, `Set`, `Info(s)`, `Detail(s)` or `Attribute(s)`. `Modify<N>`
//! (also `...Attribute(s)`) joins when it takes the key. The noun is the family's *kind*.
//!
//! **By shape.** The *key* is the delete's parameter (required ones first) that the create's
//! output declares, directly (`VpcId`, `InstanceIdSet`) or inside an object (`Vpc.VpcId`); else
//! the one id-like field of that output (`Result`, `Id`); else a parameter the create itself
//! takes (a client-chosen name). The *listing* is the describe's list of objects whose items
//! carry the key (`VpcSet`, or one level down: `Data.List`), else an object carrying the key
//! (a describe of one resource), else its only list of objects.
//!
//! A family the rule cannot complete is kept with the reason it is set apart ([`Apart`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;
use tencentcloud_schema::{ActionRef, Member, Scalar, Type, Version};

use crate::sync::lock;

const CREATE_VERBS: [&str; 4] = ["Create", "Run", "Allocate", "Add"];
const DELETE_VERBS: [&str; 4] = ["Delete", "Terminate", "Release", "Remove"];
const DESCRIBE_SUFFIXES: [&str; 9] =
    ["", "List", "Set", "Infos", "Info", "Details", "Detail", "Attributes", "Attribute"];
const MODIFY_SUFFIXES: [&str; 3] = ["", "Attributes", "Attribute"];
/// Create-output fields that never carry the new resource's id.
const NOT_IDS: [&str; 21] = [
    "RequestId",
    "TaskId",
    "FlowId",
    "JobId",
    "DealName",
    "DealNames",
    "DealNameSet",
    "DealId",
    "DealIds",
    "BillId",
    "OrderId",
    "TranId",
    "Status",
    "Message",
    "Msg",
    "Code",
    "ErrorMsg",
    "ErrorInfo",
    "Extra",
    "Success",
    "ReturnCode",
];

/// One kind of resource of a service version and the actions of its lifecycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    /// The noun the actions share (`Vpc`).
    pub kind: String,
    /// The actions creating it (`CreateVpc`; several when `Create<N>` and `Add<N>` both exist).
    pub creates: Vec<String>,
    /// The action listing it (`DescribeVpcs`).
    pub describe: String,
    /// The actions deleting it (`DeleteVpc`).
    pub deletes: Vec<String>,
    /// The action changing it, when one takes the key (`ModifyVpcAttribute`).
    pub modify: Option<String>,
    /// How a resource is identified, unless the family is set apart.
    pub key: Option<Key>,
    /// Where the describe answers the resources, unless the family is set apart.
    pub listing: Option<Listing>,
    /// Why the rule cannot complete this family; `None` for a complete one.
    pub apart: Option<Apart>,
}

/// How the resources of a family are identified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// The resource's field holding its id (`VpcId`).
    pub field: String,
    /// The delete's parameter naming it (`VpcId`, `InstanceIds`).
    pub delete_param: String,
    /// Whether that parameter is a list.
    pub delete_list: bool,
    /// The describe's parameter selecting by id, if it has one (`VpcIds`).
    pub describe_param: Option<String>,
    /// The modify's parameter naming the resource (`VpcId`).
    pub modify_param: Option<String>,
    /// Where a new resource's id comes from (for the first create).
    pub origin: Origin,
    /// The same for each further create (`CreateSubnets` beside `CreateSubnet`), in order.
    pub more_origins: Vec<Origin>,
    /// What an id the emulator issues looks like.
    pub format: IdFormat,
}

/// Where a new resource's id comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Issued by the emulator and answered at this path of the create's output (`["Vpc",
    /// "VpcId"]`, `["InstanceIdSet"]`); `list` when the answer is a list of ids.
    Output {
        /// Member names from the output object down to the id.
        path: Vec<String>,
        /// A list of ids (`InstanceIdSet`): as many resources as the request asks for.
        list: bool,
    },
    /// Chosen by the client: the create's parameter at `path` (`["Name"]`, `["InputInfo",
    /// "InputIndex"]`); `batch` when the first step is a list of objects, each one resource
    /// (`["Accounts", "UserName"]`).
    Client {
        /// Member names from the create's input down to the key.
        path: Vec<String>,
        /// One resource per item of the list at `path[0]`.
        batch: bool,
    },
}

/// What an id issued by the emulator looks like, learnt from the documented examples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdFormat {
    /// `prefix` then `len` random lower-case letters and digits (`ins-` + 8); `mixed` allows
    /// upper-case letters too.
    Prefixed {
        /// `vpc-`.
        prefix: String,
        /// Characters after the prefix.
        len: usize,
        /// Upper-case letters appear in the documented ids.
        mixed: bool,
    },
    /// A UUID.
    Uuid,
    /// A positive integer (a JSON number when the field is declared an integer).
    Number,
}

/// Where the describe answers the resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    /// A list of objects of type `item` at `path` (`["VpcSet"]`, `["Data", "List"]`), with the
    /// count of all matches at `total` when the output declares one (`["TotalCount"]`).
    List {
        /// Member names from the output object down to the list.
        path: Vec<String>,
        /// The items' object type.
        item: String,
        /// Member names down to the total count.
        total: Option<Vec<String>>,
    },
    /// One resource: its fields at `path` (the output object itself when empty).
    One {
        /// Member names from the output object down to the resource's object.
        path: Vec<String>,
        /// The object's type (`None`: the output object itself).
        item: Option<String>,
    },
}

/// Why a paired family is set apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Apart {
    /// The create declares no id and takes none the delete names: a client cannot know what to
    /// delete.
    NoId,
    /// The delete takes a required parameter that the create neither takes nor answers.
    DeleteNeeds(String),
    /// The describe's output has no list or object that could hold the resource.
    NoListing,
    /// The delete names the resource by an object (several fields), not an id.
    CompositeKey,
}

impl Apart {
    /// A short label for counts (`no id`, `delete needs a parameter`, `no listing`).
    pub fn label(&self) -> &'static str {
        match self {
            Apart::NoId => "create declares no id",
            Apart::DeleteNeeds(_) => "delete needs a parameter the create does not give",
            Apart::NoListing => "describe lists no resource",
            Apart::CompositeKey => "delete names the resource by an object",
        }
    }
}

/// What an action does in its family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Creates resources.
    Create,
    /// Lists them.
    Describe,
    /// Changes one.
    Modify,
    /// Deletes them.
    Delete,
}

/// The families of one service version, and each paired action's role.
#[derive(Debug, Default)]
pub struct Families {
    /// Every paired family, complete or set apart, by kind.
    pub list: Vec<Family>,
    roles: HashMap<String, (usize, Role)>,
}

impl Families {
    /// The complete family `action` belongs to, and its role there.
    pub fn of(&self, action: &str) -> Option<(&Family, Role)> {
        let (i, role) = *self.roles.get(action)?;
        let family = &self.list[i];
        family.apart.is_none().then_some((family, role))
    }
}

/// The families of `service` at `version` (computed once, then shared).
pub fn families(service: &str, version: &str) -> Option<Arc<Families>> {
    type Cache = Mutex<BTreeMap<(String, String), Arc<Families>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    let key = (service.to_owned(), version.to_owned());
    if let Some(f) = lock(cache).get(&key) {
        return Some(f.clone());
    }
    let v = tencentcloud_schema::service(service).ok()??.version(version)?;
    let computed = Arc::new(pair(v));
    Some(lock(cache).entry(key).or_insert(computed).clone())
}

/// Pairs the actions of `version` into families.
pub fn pair(version: &Version) -> Families {
    let names: Vec<&str> = version.actions.keys().map(String::as_str).collect();
    // Creates grouped by noun (`CreateSubnet` and `CreateSubnets` are one kind).
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for name in &names {
        let Some(noun) = noun(name, &CREATE_VERBS) else { continue };
        match groups.iter_mut().find(|(kind, _)| same_noun(kind, noun)) {
            Some((_, creates)) => creates.push((*name).to_owned()),
            None => groups.push((singular(noun).to_owned(), vec![(*name).to_owned()])),
        }
    }
    let mut out = Families::default();
    for (kind, creates) in groups {
        let deletes: Vec<String> = names
            .iter()
            .filter(|n| noun(n, &DELETE_VERBS).is_some_and(|m| same_noun(&kind, m)))
            .map(|n| (*n).to_owned())
            .collect();
        let describes: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| n.strip_prefix("Describe").is_some_and(|rest| names_kind(rest, &kind, &DESCRIBE_SUFFIXES)))
            .collect();
        if deletes.is_empty() || describes.is_empty() {
            continue;
        }
        let modifies: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| n.strip_prefix("Modify").is_some_and(|rest| names_kind(rest, &kind, &MODIFY_SUFFIXES)))
            .collect();
        let family = complete(version, kind, creates, &describes, deletes, &modifies);
        let i = out.list.len();
        for (names, role) in [
            (&family.creates, Role::Create),
            (&vec![family.describe.clone()], Role::Describe),
            (&family.deletes, Role::Delete),
            (&family.modify.iter().cloned().collect(), Role::Modify),
        ] {
            for n in names {
                out.roles.entry(n.clone()).or_insert((i, role));
            }
        }
        out.list.push(family);
    }
    out
}

/// The noun after one of `verbs` (`CreateVpc` -> `Vpc`).
fn noun<'a>(action: &'a str, verbs: &[&str]) -> Option<&'a str> {
    verbs.iter().find_map(|v| action.strip_prefix(v).filter(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase())))
}

/// Whether `rest` is `kind` (singular or plural) followed by one of `suffixes`.
fn names_kind(rest: &str, kind: &str, suffixes: &[&str]) -> bool {
    suffixes.iter().any(|s| rest.strip_suffix(s).is_some_and(|n| !n.is_empty() && same_noun(kind, n)))
}

/// English singular, as far as action names need it (`Policies`, `Addresses`, `Vpcs`).
fn singular(noun: &str) -> &str {
    if noun.ends_with("sses") || noun.ends_with("shes") || noun.ends_with("ches") || noun.ends_with("xes") {
        return &noun[..noun.len() - 2];
    }
    if noun.ends_with('s') && !noun.ends_with("ss") && noun.len() > 1 {
        return &noun[..noun.len() - 1];
    }
    noun
}

/// Whether two nouns are the same word, singular or plural.
fn same_noun(a: &str, b: &str) -> bool {
    let plural_of = |s: &str, p: &str| {
        p.strip_prefix(s).is_some_and(|tail| tail == "s" || tail == "es")
            || s.strip_suffix('y').is_some_and(|stem| p.strip_prefix(stem) == Some("ies"))
    };
    a == b || plural_of(a, b) || plural_of(b, a)
}

/// A parameter's name for one item: `InstanceIds`, `InstanceIdSet`, `InstanceIdList` ->
/// `InstanceId`; `Names` -> `Name`.
pub fn item_name(name: &str) -> &str {
    let base = ["Set", "List"].iter().find_map(|s| name.strip_suffix(s).filter(|b| !b.is_empty())).unwrap_or(name);
    if base.len() > 2 && (base.ends_with("Ids") || base.ends_with("IDs")) {
        return &base[..base.len() - 1];
    }
    singular(base)
}

/// Whether two member names name the same field (`InstanceIds` ~ `InstanceID`).
pub fn same_field(a: &str, b: &str) -> bool {
    item_name(a).eq_ignore_ascii_case(item_name(b))
}

fn id_like(name: &str) -> bool {
    let n = item_name(name);
    ["Id", "ID", "Name", "Key", "Uin", "Arn", "Definition", "Code"].iter().any(|s| n.ends_with(s))
}

fn is_scalar(ty: &Type) -> bool {
    matches!(ty, Type::Scalar(_))
}

fn list_of_scalars(ty: &Type) -> bool {
    matches!(ty, Type::List(item) if is_scalar(item))
}

fn object_name(ty: &Type) -> Option<&str> {
    match ty {
        Type::Object(n) => Some(n),
        Type::List(item) => object_name(item),
        Type::Scalar(_) => None,
    }
}

fn members<'v>(version: &'v Version, ty: &Type) -> &'v [Member] {
    object_name(ty).and_then(|n| version.object(n)).unwrap_or(&[])
}

fn find<'m>(members: &'m [Member], name: &str) -> Option<&'m Member> {
    members.iter().find(|m| same_field(&m.name, name))
}

fn complete(
    version: &Version,
    kind: String,
    creates: Vec<String>,
    describes: &[&str],
    deletes: Vec<String>,
    modifies: &[&str],
) -> Family {
    let action = |n: &str| version.action(n);
    let mut family = Family {
        kind,
        describe: describes[0].to_owned(),
        creates,
        deletes,
        modify: None,
        key: None,
        listing: None,
        apart: None,
    };
    let (Some(create), Some(delete)) = (action(&family.creates[0]), action(&family.deletes[0])) else {
        family.apart = Some(Apart::NoId);
        return family;
    };
    let (field, delete_member, origin) = match key_of(version, &create, &delete, &family.kind) {
        Ok(k) => k,
        Err(apart) => {
            family.apart = Some(apart);
            return family;
        }
    };
    // A further create joins when the rule finds the same key in it.
    let mut more_origins = Vec::new();
    let first = family.creates[0].clone();
    family.creates.retain(|name| {
        if *name == first {
            return true;
        }
        let found = action(name).and_then(|a| key_of(version, &a, &delete, &family.kind).ok());
        match found {
            Some((f, _, o)) if f == field => {
                more_origins.push(o);
                true
            }
            _ => false,
        }
    });
    // The describe whose output best holds the resource.
    let mut best: Option<(u8, &str, Listing)> = None;
    for d in describes {
        let Some(a) = action(d) else { continue };
        if let Some((rank, listing)) = listing_of(version, &a, &field, &family.kind)
            && best.as_ref().is_none_or(|(r, _, _)| rank < *r)
        {
            best = Some((rank, d, listing));
        }
    }
    let Some((_, describe, listing)) = best else {
        family.apart = Some(Apart::NoListing);
        return family;
    };
    family.describe = describe.to_owned();
    let id_typed = |m: &&Member| is_scalar(&m.ty) || list_of_scalars(&m.ty);
    let describe_param =
        action(describe).and_then(|a| find(a.input(), &field).filter(id_typed).map(|m| m.name.clone()));
    let (modify, modify_param) = modifies
        .iter()
        .find_map(|m| {
            let a = action(m)?;
            let p = find(a.input(), &field).or_else(|| find(a.input(), &delete_member.name)).filter(id_typed)?;
            Some(((*m).to_owned(), p.name.clone()))
        })
        .unzip();
    family.modify = modify;
    let format = id_format(version, &create, &delete, &field, &delete_member, &origin);
    family.key = Some(Key {
        field,
        delete_param: delete_member.name.clone(),
        delete_list: matches!(delete_member.ty, Type::List(_)),
        describe_param,
        modify_param,
        origin,
        more_origins,
        format,
    });
    family.listing = Some(listing);
    family
}

/// The key: the resource's id field, the delete's parameter naming it, where the id comes from.
fn key_of(
    version: &Version,
    create: &ActionRef<'_>,
    delete: &ActionRef<'_>,
    kind: &str,
) -> Result<(String, Member, Origin), Apart> {
    // Ids are scalars or lists of them; a delete naming the resource by an object is set apart.
    let ids: Vec<&Member> = delete.input().iter().filter(|m| is_scalar(&m.ty) || list_of_scalars(&m.ty)).collect();
    if ids.is_empty() && delete.input().iter().any(|m| m.required) {
        return Err(Apart::CompositeKey);
    }
    let required: Vec<&Member> = ids.iter().copied().filter(|m| m.required).collect();
    let params: Vec<&Member> =
        if required.is_empty() { ids.into_iter().filter(|m| id_like(&m.name)).collect() } else { required };
    let (cin, cout) = (create.input(), create.output());
    let taken = |p: &Member| find(cin, &p.name).is_some();
    let loosely_taken = |p: &Member| taken(p) || cin.iter().any(|m| loose(&m.name, &p.name, kind));
    // 1. Declared by the create's output, directly or one object down: ids the client did not
    // give first (a parent's id is both given and answered).
    let mut by_output = None;
    for p in params.iter().filter(|p| !taken(p)).chain(params.iter().filter(|p| taken(p))) {
        if let Some(m) = cout.iter().find(|m| m.name != "RequestId" && same_field(&m.name, &p.name)) {
            let list = matches!(m.ty, Type::List(_));
            by_output = Some((p, item_name(&m.name).to_owned(), vec![m.name.clone()], list));
            break;
        }
        if let Some((outer, inner)) = cout.iter().find_map(|m| Some((m, find(members(version, &m.ty), &p.name)?))) {
            by_output = Some((p, inner.name.clone(), vec![outer.name.clone(), inner.name.clone()], false));
            break;
        }
    }
    // 1b. The same, named loosely: `BlockRuleName` answered as `Name`, `ProtectGroups` as `ProtectGroupId`.
    if by_output.is_none() {
        by_output = params.iter().filter(|p| !taken(p)).find_map(|p| {
            let m = cout.iter().find(|m| {
                !NOT_IDS.contains(&m.name.as_str()) && loose(&m.name, &p.name, kind) && compatible(&m.ty, &p.ty)
            })?;
            let id = is_scalar(&m.ty) || list_of_scalars(&m.ty);
            id.then(|| (p, item_name(&p.name).to_owned(), vec![m.name.clone()], matches!(m.ty, Type::List(_))))
        });
    }
    let (key, field, origin) = match by_output {
        Some((p, field, path, list)) => (*p, field, Origin::Output { path, list }),
        None => {
            let aliased = params.iter().find(|p| !taken(p) && id_like(&p.name));
            match (aliased, alias(version, cout)) {
                (Some(p), Some((path, list))) => (*p, item_name(&p.name).to_owned(), Origin::Output { path, list }),
                _ => {
                    // 3. A parameter the create takes, at the top or one object down: the client
                    // names the resource.
                    let given: Vec<(&Member, Vec<String>, bool)> = params
                        .iter()
                        .filter_map(|p| Some((*p, client_path(version, cin, p, kind)?)))
                        .map(|(p, (path, batch))| (p, path, batch))
                        .collect();
                    let lower = kind.to_ascii_lowercase();
                    let own = given
                        .iter()
                        .find(|(p, _, _)| p.name.to_ascii_lowercase().contains(&lower))
                        .or(given.last())
                        .ok_or(Apart::NoId)?;
                    let field = own.1.last().cloned().unwrap_or_default();
                    (own.0, field, Origin::Client { path: own.1.clone(), batch: own.2 })
                }
            }
        }
    };
    // Every other required id of the delete must be one the create takes (a parent); flags
    // (`Force`) the client sends as it likes.
    if let Some(p) = params.iter().find(|p| p.required && p.name != key.name && id_like(&p.name) && !loosely_taken(p)) {
        return Err(Apart::DeleteNeeds(p.name.clone()));
    }
    Ok((field, key.clone(), origin))
}

/// The one id-like field of a create's output that does not name it after the key (`Result`,
/// `Id`, or `Result.ID`): its path and whether it is a list.
fn alias(version: &Version, output: &[Member]) -> Option<(Vec<String>, bool)> {
    let ids: Vec<&Member> = output.iter().filter(|m| !NOT_IDS.contains(&m.name.as_str())).collect();
    let [one] = ids.as_slice() else { return None };
    if is_scalar(&one.ty) || list_of_scalars(&one.ty) {
        return Some((vec![one.name.clone()], list_of_scalars(&one.ty)));
    }
    let Type::Object(obj) = &one.ty else { return None };
    let inner: Vec<&Member> = version
        .object(obj)?
        .iter()
        .filter(|m| is_scalar(&m.ty) && (m.name.ends_with("Id") || m.name.ends_with("ID")))
        .collect();
    match inner.as_slice() {
        [id] => Some((vec![one.name.clone(), id.name.clone()], false)),
        _ => None,
    }
}

/// Where the create's input carries `name`: a parameter, a member of an object parameter, or a
/// member of the items of a list parameter (`true`: each item is one resource).
fn client_path(version: &Version, input: &[Member], key: &Member, kind: &str) -> Option<(Vec<String>, bool)> {
    let name = key.name.as_str();
    // An id is a scalar (or a list of them); an object is not one.
    let id = |m: &&Member| is_scalar(&m.ty) || list_of_scalars(&m.ty);
    let at = |members: &[Member]| -> Option<String> {
        let strict = find(members, name).filter(id);
        // A single key is not one of a list the create takes.
        let single = matches!(key.ty, Type::Scalar(_));
        let loosely = || {
            members
                .iter()
                .filter(|m| loose(&m.name, name, kind) && compatible(&m.ty, &key.ty))
                .filter(|m| !(single && matches!(m.ty, Type::List(_))))
                .find(id)
        };
        strict.or_else(loosely).map(|m| m.name.clone())
    };
    if let Some(m) = at(input) {
        return Some((vec![m], false));
    }
    input.iter().find_map(|m| {
        let inner = at(members(version, &m.ty))?;
        Some((vec![m.name.clone(), inner], matches!(m.ty, Type::List(_))))
    })
}

/// Whether two id types hold the same kind of value (integers, or text), list or not.
fn compatible(a: &Type, b: &Type) -> bool {
    let base = |t: &Type| match t {
        Type::List(i) => match **i {
            Type::Scalar(s) => Some(s),
            _ => None,
        },
        Type::Scalar(s) => Some(*s),
        Type::Object(_) => None,
    };
    let int = |s: Scalar| matches!(s, Scalar::Int64 | Scalar::Uint64);
    matches!((base(a), base(b)), (Some(x), Some(y)) if int(x) == int(y))
}

/// Whether two names are the same field named loosely: with or without `Id` (`ProtectGroups`,
/// `ProtectGroupId`), or with the end of the kind in front (`BlockRuleName` for `Name` of kind
/// `BlockRule`, `RouteName` for `Name` of kind `CloudNativeAPIGatewayRoute`).
fn loose(a: &str, b: &str, kind: &str) -> bool {
    let norm = |s: &str| {
        let s = item_name(s).to_ascii_lowercase();
        s.strip_suffix("id").filter(|r| !r.is_empty()).map(str::to_owned).unwrap_or(s)
    };
    let (a, b, kind) = (norm(a), norm(b), kind.to_ascii_lowercase());
    let prefixed =
        |long: &str, short: &str| long.strip_suffix(short).is_some_and(|head| head.len() >= 3 && kind.ends_with(head));
    a == b || prefixed(&a, &b) || prefixed(&b, &a)
}

/// Where `describe` answers resources keyed by `field`, ranked (lower is better).
fn listing_of(version: &Version, describe: &ActionRef<'_>, field: &str, kind: &str) -> Option<(u8, Listing)> {
    let out: Vec<&Member> = describe.output().iter().filter(|m| m.name != "RequestId").collect();
    let total_in = |container: &[&Member], prefix: &[String]| {
        container
            .iter()
            .find(|m| {
                matches!(m.ty, Type::Scalar(Scalar::Int64 | Scalar::Uint64))
                    && (m.name.contains("Total") || m.name == "Count")
            })
            .map(|m| prefix.iter().cloned().chain([m.name.clone()]).collect::<Vec<_>>())
    };
    let object_lists = |container: &[&Member]| -> Vec<(String, String)> {
        container
            .iter()
            .filter_map(|m| match &m.ty {
                Type::List(item) => Some((m.name.clone(), object_name(item)?.to_owned())),
                _ => None,
            })
            .filter(|(_, item)| version.object(item).is_some())
            .collect()
    };
    let lower = kind.to_ascii_lowercase();
    let has_key = |item: &str| version.object(item).is_some_and(|ms| find(ms, field).is_some());
    // A list whose items carry the key, at the top or one object down.
    for (name, item) in object_lists(&out) {
        if has_key(&item) {
            return Some((0, Listing::List { path: vec![name], item, total: total_in(&out, &[]) }));
        }
    }
    for m in &out {
        let Type::Object(obj) = &m.ty else { continue };
        let inner: Vec<&Member> = version.object(obj).unwrap_or(&[]).iter().collect();
        for (name, item) in object_lists(&inner) {
            if has_key(&item) {
                let total = total_in(&inner, std::slice::from_ref(&m.name)).or_else(|| total_in(&out, &[]));
                return Some((1, Listing::List { path: vec![m.name.clone(), name], item, total }));
            }
        }
    }
    // One resource: an object carrying the key, or the output itself.
    if let Some(m) = out.iter().find(|m| matches!(&m.ty, Type::Object(o) if has_key(o))) {
        return Some((2, Listing::One { path: vec![m.name.clone()], item: object_name(&m.ty).map(str::to_owned) }));
    }
    if find(describe.output(), field).is_some() {
        return Some((3, Listing::One { path: Vec::new(), item: None }));
    }
    // The list of objects named for the kind, or the only one.
    let lists = object_lists(&out);
    let named =
        lists.iter().find(|(n, i)| n.to_ascii_lowercase().contains(&lower) || i.to_ascii_lowercase().contains(&lower));
    if let Some(chosen) = named.or(if lists.len() == 1 { lists.first() } else { None }) {
        let total = total_in(&out, &[]);
        return Some((4, Listing::List { path: vec![chosen.0.clone()], item: chosen.1.clone(), total }));
    }
    // A describe of one resource by its id: the object named for the kind, the only object, or
    // the output itself.
    find(describe.input(), field)?;
    let objects: Vec<&&Member> = out.iter().filter(|m| matches!(m.ty, Type::Object(_))).collect();
    let object = objects
        .iter()
        .find(|m| m.name.to_ascii_lowercase().contains(&lower))
        .or(if objects.len() == 1 && out.len() == 1 { objects.first() } else { None });
    Some(match object {
        Some(m) => (5, Listing::One { path: vec![m.name.clone()], item: object_name(&m.ty).map(str::to_owned) }),
        None => (6, Listing::One { path: Vec::new(), item: None }),
    })
}

/// The id format documented for `field`: the first id found in the create's and delete's examples.
fn id_format(
    version: &Version,
    create: &ActionRef<'_>,
    delete: &ActionRef<'_>,
    field: &str,
    delete_member: &Member,
    origin: &Origin,
) -> IdFormat {
    let integer = |ty: &Type| {
        matches!(ty, Type::Scalar(Scalar::Int64 | Scalar::Uint64))
            || matches!(ty, Type::List(i) if matches!(**i, Type::Scalar(Scalar::Int64 | Scalar::Uint64)))
    };
    if integer(&delete_member.ty) {
        return IdFormat::Number;
    }
    let mut seen = Vec::new();
    for ex in delete.examples() {
        if let Some(v) = ex.input.as_ref().and_then(|raw| serde_json::from_str::<Value>(raw.get()).ok()) {
            collect(&v, &[field, &delete_member.name], &mut seen, 0);
        }
    }
    for ex in create.examples() {
        if let Ok(v) = serde_json::from_str::<Value>(ex.output.get()) {
            let mut names = vec![field];
            if let Origin::Output { path, .. } = origin {
                names.extend(path.last().map(String::as_str));
            }
            collect(&v, &names, &mut seen, 0);
        }
    }
    let _ = version;
    seen.iter().find_map(|s| parse_format(s)).unwrap_or_else(|| IdFormat::Prefixed {
        prefix: format!("{}-", field.trim_end_matches("Id").trim_end_matches("ID").to_ascii_lowercase()),
        len: 8,
        mixed: false,
    })
}

/// Strings found under members named like `names`, depth-first (bounded).
fn collect(v: &Value, names: &[&str], out: &mut Vec<String>, depth: usize) {
    if depth > 8 || out.len() > 8 {
        return;
    }
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if names.iter().any(|n| same_field(k, n)) {
                    match v {
                        Value::String(s) => out.push(s.clone()),
                        Value::Array(items) => out.extend(items.iter().filter_map(|i| i.as_str().map(str::to_owned))),
                        _ => {}
                    }
                }
                collect(v, names, out, depth + 1);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect(i, names, out, depth + 1)),
        _ => {}
    }
}

/// The format of one documented id: `ins-abc123xy`, a UUID, or digits.
fn parse_format(id: &str) -> Option<IdFormat> {
    let is_uuid = id.len() == 36
        && id.char_indices().all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == '-' } else { c.is_ascii_hexdigit() });
    if is_uuid {
        return Some(IdFormat::Uuid);
    }
    if !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()) {
        return Some(IdFormat::Number);
    }
    let (prefix, body) = id.rsplit_once('-')?;
    let prefix_ok = !prefix.is_empty()
        && prefix.len() <= 16
        && prefix.starts_with(|c: char| c.is_ascii_alphabetic())
        && prefix.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let body_ok = (4..=32).contains(&body.len()) && body.bytes().all(|b| b.is_ascii_alphanumeric());
    (prefix_ok && body_ok).then(|| IdFormat::Prefixed {
        prefix: format!("{prefix}-"),
        len: body.len(),
        mixed: body.bytes().any(|b| b.is_ascii_uppercase()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nouns() {
        assert!(same_noun("Vpc", "Vpcs"));
        assert!(same_noun("Address", "Addresses"));
        assert!(same_noun("Policy", "Policies"));
        assert!(same_noun("Alias", "Aliases"));
        assert!(!same_noun("Vpc", "VpcEndPoint"));
        assert_eq!(singular("Databases"), "Database");
        assert_eq!(singular("Addresses"), "Address");
        assert_eq!(noun("RunInstances", &CREATE_VERBS), Some("Instances"));
        assert_eq!(noun("Addon", &CREATE_VERBS), None);
        assert!(names_kind("VpcsList", "Vpc", &DESCRIBE_SUFFIXES));
        assert!(names_kind("InstancesAttribute", "Instance", &MODIFY_SUFFIXES));
        assert_eq!(item_name("InstanceIds"), "InstanceId");
        assert_eq!(item_name("InstanceIdSet"), "InstanceId");
        assert_eq!(item_name("IDs"), "ID");
        assert!(same_field("InstanceIDs", "InstanceId"));
        assert!(loose("BlockRuleName", "Name", "BlockRule"));
        assert!(loose("Name", "RouteName", "CloudNativeAPIGatewayRoute"));
        assert!(loose("ProtectGroups", "ProtectGroupId", "DisasterRecoveryProtectGroup"));
        assert!(!loose("Name", "VpcId", "Vpc"));
    }

    #[test]
    fn id_formats() {
        assert_eq!(
            parse_format("ins-r8hr2upy"),
            Some(IdFormat::Prefixed { prefix: "ins-".into(), len: 8, mixed: false })
        );
        assert_eq!(
            parse_format("subnet-12345678"),
            Some(IdFormat::Prefixed { prefix: "subnet-".into(), len: 8, mixed: false })
        );
        assert_eq!(parse_format("12345"), Some(IdFormat::Number));
        assert_eq!(parse_format("e2c3b5c4-2b2c-4f6b-8a8a-0123456789ab"), Some(IdFormat::Uuid));
        assert_eq!(parse_format("my name"), None);
    }

    fn family(service: &str, kind: &str) -> Family {
        let svc = tencentcloud_schema::service(service).unwrap().unwrap();
        let fams = families(service, &svc.latest().version).unwrap();
        fams.list.iter().find(|f| f.kind == kind).unwrap_or_else(|| panic!("{service} {kind}")).clone()
    }

    #[test]
    fn known_families() {
        let vpc = family("vpc", "Vpc");
        assert_eq!((vpc.creates[0].as_str(), vpc.describe.as_str()), ("CreateVpc", "DescribeVpcs"));
        assert_eq!(vpc.deletes, ["DeleteVpc"]);
        assert_eq!(vpc.modify.as_deref(), Some("ModifyVpcAttribute"));
        let key = vpc.key.unwrap();
        assert_eq!(key.field, "VpcId");
        assert_eq!(key.origin, Origin::Output { path: vec!["Vpc".into(), "VpcId".into()], list: false });
        assert_eq!(key.format, IdFormat::Prefixed { prefix: "vpc-".into(), len: 8, mixed: false });
        assert_eq!(key.describe_param.as_deref(), Some("VpcIds"));
        assert!(matches!(vpc.listing, Some(Listing::List { ref path, .. }) if path == &["VpcSet"]));

        let cvm = family("cvm", "Instance");
        assert_eq!((cvm.creates[0].as_str(), cvm.deletes[0].as_str()), ("RunInstances", "TerminateInstances"));
        let key = cvm.key.unwrap();
        assert_eq!(key.origin, Origin::Output { path: vec!["InstanceIdSet".into()], list: true });
        assert_eq!(
            (key.field.as_str(), key.delete_param.as_str(), key.delete_list),
            ("InstanceId", "InstanceIds", true)
        );
        assert!(matches!(key.format, IdFormat::Prefixed { ref prefix, len: 8, .. } if prefix == "ins-"));

        let subnet = family("vpc", "Subnet");
        assert_eq!(subnet.key.unwrap().format, IdFormat::Prefixed { prefix: "subnet-".into(), len: 8, mixed: false });
    }

    /// The rule over every service (latest version): how many families pair, and why some are set apart.
    #[test]
    fn families_across_all_services() {
        let (mut paired, mut complete, mut services) = (0, 0, 0);
        let mut apart: BTreeMap<&str, usize> = BTreeMap::new();
        for entry in tencentcloud_schema::services() {
            let svc = entry.load().unwrap();
            let fams = pair(svc.latest());
            services += usize::from(!fams.list.is_empty());
            for f in &fams.list {
                paired += 1;
                match &f.apart {
                    None => complete += 1,
                    Some(a) => *apart.entry(a.label()).or_default() += 1,
                }
            }
        }
        println!("families: {paired} paired across {services} services, {complete} complete, set apart: {apart:?}");
        assert!(paired > 800, "{paired}");
    }
}
