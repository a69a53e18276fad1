//! Every resource family of the specs (latest version of every service) through the signed
//! front door: create -> describe shows it -> modify (when the family has one) -> describe shows
//! the change -> delete -> describe does not show it -> a second delete is the service's
//! not-found error. One emulator, one connection; prints the counts. Where a hand-written
//! service documents more (a parent that must exist, a state to pass through first), the run
//! follows it.

mod common;

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use tencentcloud_emulator::families::{Family, Key, Listing, Origin, families, same_field};
use tencentcloud_emulator::{Emulator, default_test_key};
use tencentcloud_schema::{ActionRef, Member, Scalar, Type, Version};

use common::Client;

const REGION: &str = "ap-guangzhou";

/// A value of type `ty` for a required parameter: the required members of objects only.
fn value(version: &Version, ty: &Type, depth: usize) -> Value {
    match ty {
        Type::Scalar(Scalar::Int64 | Scalar::Uint64) => json!(1),
        Type::Scalar(Scalar::Float) => json!(1.0),
        Type::Scalar(Scalar::Bool) => json!(false),
        Type::Scalar(Scalar::Datetime) => json!("2024-01-01 00:00:00"),
        Type::Scalar(Scalar::DatetimeIso) => json!("2024-01-01T00:00:00Z"),
        Type::Scalar(Scalar::Date) => json!("2024-01-01"),
        Type::Scalar(_) => json!("emulator"),
        Type::List(item) => json!([value(version, item, depth + 1)]),
        Type::Object(name) if depth < 5 => {
            Value::Object(required(version, version.object(name).unwrap_or(&[]), depth + 1))
        }
        Type::Object(_) => json!({}),
    }
}

fn required(version: &Version, members: &[Member], depth: usize) -> Map<String, Value> {
    members.iter().filter(|m| m.required).map(|m| (m.name.clone(), value(version, &m.ty, depth))).collect()
}

/// Parameters for a create: its first documented example that validates, else its required
/// parameters.
fn create_params(action: &ActionRef<'_>) -> Map<String, Value> {
    let example = action
        .examples()
        .iter()
        .filter_map(|e| serde_json::from_str::<Value>(e.input.as_ref()?.get()).ok())
        .find(|v| v.is_object() && action.validate(v).is_ok());
    match example {
        Some(Value::Object(m)) => m,
        _ => required(action.version, action.input(), 0),
    }
}

/// Parameters for a describe, modify or delete: the required ones, the create's value for those
/// and for the parents' ids (`VpcId` of a subnet) when the create sent one of the same type.
fn params(action: &ActionRef<'_>, create: &ActionRef<'_>, created: &Map<String, Value>) -> Map<String, Value> {
    let mut p = required(action.version, action.input(), 0);
    for m in action.input() {
        let parent = m.name.ends_with("Id") || m.name.ends_with("ID");
        if !(m.required || parent) {
            continue;
        }
        // The create's parameter of this name, or its singular or plural (`ProjectId` for `ProjectIds`).
        let Some(c) = create.input().iter().find(|c| c.name == m.name || same_field(&c.name, &m.name)) else {
            continue;
        };
        let Some(v) = created.get(&c.name) else { continue };
        let v = match (&c.ty, &m.ty) {
            (a, b) if a == b => v.clone(),
            (Type::Scalar(_), Type::List(item)) if matches!(**item, Type::Scalar(_)) => json!([v]),
            (Type::List(item), Type::Scalar(_)) if matches!(**item, Type::Scalar(_)) => match v.get(0) {
                Some(first) => first.clone(),
                None => continue,
            },
            (Type::Scalar(_), Type::Scalar(_)) => v.clone(),
            _ => continue,
        };
        p.insert(m.name.clone(), v);
    }
    p
}

fn is_list(action: &ActionRef<'_>, name: &str) -> bool {
    action.input().iter().any(|m| m.name == name && matches!(m.ty, Type::List(_)))
}

fn is_int(ty: &Type) -> bool {
    match ty {
        Type::Scalar(s) => matches!(s, Scalar::Int64 | Scalar::Uint64),
        Type::List(i) => is_int(i),
        Type::Object(_) => false,
    }
}

/// The id as a parameter of `action` wants it: in a list or not, a number or a string.
fn id_param(action: &ActionRef<'_>, name: &str, id: &Value) -> Value {
    let ty = action.input().iter().find(|m| m.name == name).map(|m| &m.ty);
    let id = match (ty.is_some_and(is_int), id) {
        (true, Value::String(s)) => s.parse::<i64>().map_or_else(|_| id.clone(), Value::from),
        (false, Value::Number(n)) => Value::String(n.to_string()),
        _ => id.clone(),
    };
    if is_list(action, name) { json!([id]) } else { id }
}

/// The value at `path`, through the first item of a list on the way (`SubnetSet[0].SubnetId`).
fn at<'v>(v: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter().try_fold(v, |v, k| match v {
        Value::Array(items) => items.first()?.get(k),
        v => v.get(k),
    })
}

fn same(a: &Value, b: &Value) -> bool {
    a == b || a.to_string().trim_matches('"') == b.to_string().trim_matches('"')
}

struct Run<'a> {
    client: &'a mut Client,
    service: &'a str,
    version: &'a Version,
    family: &'a Family,
    key: &'a Key,
    n: usize,
}

/// Where the describe shows the resource, if it does: its item (or object).
fn shown(f: &Family, key: &Key, answer: &Value, id: &Value) -> Option<Value> {
    match f.listing.as_ref()? {
        Listing::List { path, .. } => {
            let items = at(answer, path)?.as_array()?;
            items
                .iter()
                .find(|i| {
                    i.get(&key.field).is_none_or(|v| same(v, id)) || i.get(&key.field).is_some_and(|v| same(v, id))
                })
                .cloned()
        }
        Listing::One { path, .. } => Some(if path.is_empty() { answer.clone() } else { at(answer, path)?.clone() }),
    }
}

impl<'a> Run<'a> {
    fn action(&self, name: &str) -> ActionRef<'a> {
        self.version.action(name).unwrap()
    }

    async fn call(&mut self, action: &str, p: &Map<String, Value>) -> Result<Value, String> {
        let body = Value::Object(p.clone());
        match self.client.call(self.service, &self.version.version, action, Some(REGION), &body).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err((code, msg))) => Err(format!("{action}: {code}: {msg}")),
            Err(e) => Err(format!("{action}: {e}")),
        }
    }

    async fn describe(
        &mut self,
        created: &Map<String, Value>,
        id: &Value,
    ) -> Result<Result<Option<Value>, String>, String> {
        let describe = self.action(&self.family.describe);
        let mut p = params(&describe, &self.action(&self.family.creates[0]), created);
        if let Some(param) = &self.key.describe_param {
            p.insert(param.clone(), id_param(&describe, param, id));
        }
        // The first page, as large as it gets.
        for (name, v) in [
            ("Offset", 0),
            ("Limit", 100),
            ("PageNumber", 1),
            ("PageNo", 1),
            ("PageIndex", 1),
            ("Page", 1),
            ("PageSize", 100),
        ] {
            if let Some(m) = describe.input().iter().find(|m| m.name == name) {
                p.insert(name.into(), if is_int(&m.ty) { json!(v) } else { json!(v.to_string()) });
            }
        }
        match self.call(&self.family.describe.clone(), &p).await {
            Ok(answer) => Ok(Ok(shown(self.family, self.key, &answer, id))),
            Err(e) => Ok(Err(e)),
        }
    }

    /// The lifecycle; `Err` says which step failed.
    async fn lifecycle(&mut self) -> Result<(), String> {
        let create = self.action(&self.family.creates[0]);
        let mut p = create_params(&create);
        p.remove("ClientToken");
        // A client-chosen key gets a fresh value.
        let mut chosen = None;
        if let Origin::Client { path, batch } = &self.key.origin {
            let ty = create.input().iter().find(|m| m.name == path[0]).map(|m| m.ty.clone());
            let inner_ty = |v: &Version| {
                let obj = match ty.as_ref()? {
                    Type::Object(n) => n.clone(),
                    Type::List(i) => match &**i {
                        Type::Object(n) => n.clone(),
                        _ => return None,
                    },
                    Type::Scalar(_) => return None,
                };
                let leaf = path.last()?;
                v.object(&obj)?.iter().find(|m| &m.name == leaf).map(|m| m.ty.clone())
            };
            let leaf_ty = if path.len() == 1 { ty.clone() } else { inner_ty(self.version) };
            let fresh = if leaf_ty.as_ref().is_some_and(is_int) {
                json!(900_000 + self.n)
            } else {
                json!(format!("emu-{}", self.n))
            };
            let fresh = match leaf_ty {
                Some(Type::List(_)) => json!([fresh]),
                _ => fresh,
            };
            match path.as_slice() {
                [one] => {
                    p.insert(one.clone(), fresh.clone());
                }
                [outer, inner] => {
                    let slot = p.entry(outer.clone()).or_insert_with(|| if *batch { json!([{}]) } else { json!({}) });
                    let target = if *batch {
                        if slot.as_array().is_none_or(|a| a.is_empty()) {
                            *slot = json!([{}]);
                        }
                        let arr = slot.as_array_mut().unwrap();
                        arr.truncate(1);
                        &mut arr[0]
                    } else {
                        slot
                    };
                    if !target.is_object() {
                        *target = json!({});
                    }
                    target.as_object_mut().unwrap().insert(inner.clone(), fresh.clone());
                }
                _ => return Err("odd client path".into()),
            }
            chosen = Some(match fresh {
                Value::Array(mut a) => a.remove(0),
                v => v,
            });
        }
        // Hand-written behaviour: a subnet lies in an existing VPC's CIDR.
        if (self.service, self.family.kind.as_str()) == ("vpc", "Subnet") {
            let vpc = json!({"VpcName": "parent", "CidrBlock": "10.0.0.0/16"});
            let v = self.call("CreateVpc", vpc.as_object().unwrap()).await.map_err(|e| format!("create: {e}"))?;
            p.insert("VpcId".into(), v["Vpc"]["VpcId"].clone());
            p.insert("CidrBlock".into(), json!("10.0.1.0/24"));
        }
        // A load balancer in an existing VPC and subnet; a listener on an existing load balancer.
        if (self.service, self.family.kind.as_str()) == ("clb", "LoadBalancer") && p.contains_key("VpcId") {
            let mut vpc = async |action: &str, body: Value| match self
                .client
                .call("vpc", "2017-03-12", action, Some(REGION), &body)
                .await
            {
                Ok(Ok(v)) => Ok(v),
                other => Err(format!("create: {action}: {other:?}")),
            };
            let v = vpc("CreateVpc", json!({"VpcName": "parent", "CidrBlock": "10.0.0.0/16"})).await?;
            let vpc_id = v["Vpc"]["VpcId"].clone();
            let subnet =
                json!({"VpcId": vpc_id, "SubnetName": "parent", "CidrBlock": "10.0.1.0/24", "Zone": "ap-guangzhou-3"});
            let s = vpc("CreateSubnet", subnet).await?;
            p.insert("VpcId".into(), vpc_id);
            if p.contains_key("SubnetId") {
                p.insert("SubnetId".into(), s["Subnet"]["SubnetId"].clone());
            }
        }
        if (self.service, self.family.kind.as_str()) == ("clb", "Listener") {
            let lb = json!({"LoadBalancerType": "OPEN"});
            let l =
                self.call("CreateLoadBalancer", lb.as_object().unwrap()).await.map_err(|e| format!("create: {e}"))?;
            p.insert("LoadBalancerId".into(), l["LoadBalancerIds"][0].clone());
        }
        let answer = self.call(&self.family.creates[0].clone(), &p).await.map_err(|e| format!("create: {e}"))?;
        let id = match (&self.key.origin, chosen) {
            (_, Some(id)) => id,
            (Origin::Output { path, list }, None) => {
                let v = at(&answer, path).ok_or("create: no id in the answer")?;
                if *list { v.get(0).cloned().ok_or("create: empty id list")? } else { v.clone() }
            }
            _ => return Err("create: no id".into()),
        };
        let mut created = p.clone();
        self.describe(&created, &id)
            .await?
            .map_err(|e| format!("describe: {e}"))?
            .ok_or("describe: not shown after create")?;

        if let Some(modify) = self.family.modify.clone() {
            let action = self.action(&modify);
            let mut mp = params(&action, &create, &created);
            let param = self.key.modify_param.clone().unwrap_or_else(|| self.key.field.clone());
            mp.insert(param.clone(), id_param(&action, &param, &id));
            // A string field the describe shows, to see the change.
            let item_fields: Vec<String> = match self.family.listing.as_ref() {
                Some(Listing::List { item, .. }) | Some(Listing::One { item: Some(item), .. }) => {
                    self.version.object(item).unwrap_or(&[]).iter().map(|m| m.name.clone()).collect()
                }
                _ => self.action(&self.family.describe).output().iter().map(|m| m.name.clone()).collect(),
            };
            let visible = action
                .input()
                .iter()
                .filter(|m| m.name != param && m.name != self.key.field && matches!(m.ty, Type::Scalar(Scalar::String)))
                .filter(|m| {
                    !created.contains_key(&m.name)
                        || m.name.contains("Name")
                        || m.name.contains("Desc")
                        || m.name.contains("Remark")
                })
                .find(|m| item_fields.contains(&m.name))
                .map(|m| m.name.clone());
            let changed = json!(format!("emu-modified-{}", self.n));
            if let Some(f) = &visible {
                mp.insert(f.clone(), changed.clone());
            }
            self.call(&modify, &mp).await.map_err(|e| format!("modify: {e}"))?;
            // What the client now knows the resource by.
            if let Some(f) = &visible
                && created.contains_key(f)
            {
                created.insert(f.clone(), changed.clone());
            }
            let item = self.describe(&created, &id).await?.map_err(|e| format!("describe after modify: {e}"))?;
            let item = item.ok_or("describe: not shown after modify")?;
            if let Some(f) = &visible
                && item.get(f) != Some(&changed)
            {
                return Err(format!("describe: {f} not changed: {}", item.get(f).unwrap_or(&Value::Null)));
            }
        }

        let delete = self.action(&self.family.deletes[0]);
        let mut dp = params(&delete, &create, &created);
        dp.insert(self.key.delete_param.clone(), id_param(&delete, &self.key.delete_param, &id));
        // As documented: a secret is disabled before it is deleted; a prepaid instance's first
        // terminate moves it to the recycle bin and a second destroys it.
        if (self.service, self.family.kind.as_str()) == ("ssm", "Secret") {
            let name = json!({"SecretName": id});
            self.call("DisableSecret", name.as_object().unwrap()).await.map_err(|e| format!("delete: {e}"))?;
        }
        self.call(&self.family.deletes[0].clone(), &dp).await.map_err(|e| format!("delete: {e}"))?;
        if (self.service, self.family.kind.as_str()) == ("cvm", "Instance")
            && created.get("InstanceChargeType").and_then(Value::as_str) == Some("PREPAID")
        {
            self.call(&self.family.deletes[0].clone(), &dp).await.map_err(|e| format!("delete: {e}"))?;
        }
        match self.describe(&created, &id).await? {
            Ok(None) | Err(_) => {}
            Ok(Some(_)) => return Err("describe: still shown after delete".into()),
        }
        match self.call(&self.family.deletes[0].clone(), &dp).await {
            Err(e) if e.contains("NotFound") || e.contains("NotExist") || e.contains("NonExist") => Ok(()),
            other => Err(format!("second delete: {other:?}")),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_family_lives_from_create_to_delete() {
    let (id, key) = default_test_key();
    let emu = Emulator::builder().resources(true).start().await.unwrap();
    let mut client = Client::connect(emu.addr(), id, key).await.unwrap();
    let (mut paired, mut passed, mut n) = (0, 0, 0);
    let mut apart: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failed: BTreeMap<String, usize> = BTreeMap::new();
    let mut examples = Vec::new();
    for entry in tencentcloud_schema::services() {
        let svc = entry.load().unwrap();
        let version = svc.latest();
        let fams = families(&svc.name, &version.version).unwrap();
        for family in &fams.list {
            paired += 1;
            let (Some(key), None) = (&family.key, &family.apart) else {
                *apart.entry(family.apart.as_ref().map_or("no key", |a| a.label())).or_default() += 1;
                continue;
            };
            n += 1;
            let mut run = Run { client: &mut client, service: &svc.name, version, family, key, n };
            match run.lifecycle().await {
                Ok(()) => passed += 1,
                Err(e) => {
                    let step = e.split(':').next().unwrap_or("").to_owned();
                    *failed.entry(step).or_default() += 1;
                    examples.push(format!("{} {}: {e}", svc.name, family.kind));
                }
            }
        }
    }
    let set_apart: usize = apart.values().sum();
    println!("families: {paired} paired, {passed} passed, {set_apart} set apart {apart:?}, failed {failed:?}");
    for e in examples.iter().take(60) {
        println!("  {e}");
    }
    assert!(passed >= 800, "{passed} of {paired} passed");
    emu.shutdown().await;
}
