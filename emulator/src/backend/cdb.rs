//! CDB for MySQL (2017-03-20): database instances, kept in the store per region (the specs
//! pair no family for them: instances are isolated, then taken offline). As the actions
//! document: `CreateDBInstanceHour` (pay-as-you-go, `PayType` 1) and `CreateDBInstance`
//! (prepaid, 0) make `GoodsNum` instances, `Status` 0 (creating) for the configured delay, then
//! 1 (running), in an existing VPC and subnet when named; `IsolateDBInstance` 1 -> 4
//! (isolating) -> 5 (isolated); `ReleaseIsolatedDBInstances` (pay-as-you-go) 5 -> 1;
//! `OfflineIsolatedInstances` removes isolated ones; `RestartDBInstances` sets `TaskStatus` 10
//! (restarting) for the delay; `DescribeDBInstances` filters by ids, status and names, and
//! pages. The codes are those the official Go SDK documents for these actions
//! (`InvalidParameter.InstanceNotFound`, `OperationDenied.WrongStatus`,
//! `FailedOperation.StatusConflict`, `InvalidParameter`).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};
use tencentcloud_schema::ActionRef;

use super::Stateful;
use crate::error::ApiError;
use crate::params::{field_int, field_text};
use crate::request::ApiRequest;
use crate::shape;
use crate::state::State;
use crate::store::{Change, Resource, Store, TableKey, Tables};
use crate::sync::lock;

/// When a `Status` or `TaskStatus` transition ends (Unix ms); not a member of `InstanceInfo`.
const UNTIL: &str = "EmulatorStateUntil";
const MAX_GOODS: i64 = 100;

/// CDB instances (when the emulator keeps resources).
pub(crate) struct Cdb {
    pub(crate) store: Arc<Store>,
    pub(crate) delay: Duration,
}

pub(crate) fn table(region: &str) -> TableKey {
    TableKey { service: "cdb".into(), region: region.into(), kind: "DBInstance".into() }
}

/// An instance's fields at `now_ms`: a transition over ends in its next state.
pub(crate) fn current(fields: &Map<String, Value>, now_ms: i64) -> Map<String, Value> {
    let mut f = fields.clone();
    let done = f.get(UNTIL).and_then(Value::as_i64).is_none_or(|until| now_ms >= until);
    if done {
        match field_int(&f, "Status") {
            Some(0) => _ = f.insert("Status".to_owned(), Value::from(1)),
            Some(4) => _ = f.insert("Status".to_owned(), Value::from(5)),
            _ => {}
        }
        f.insert("TaskStatus".to_owned(), Value::from(0));
    }
    f
}

/// A value as text (`1` and `"1"` alike), to compare filters with fields.
fn spelled(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

fn not_found(ids: &[String]) -> ApiError {
    ApiError::new("InvalidParameter.InstanceNotFound", format!("The instance `{}` does not exist.", ids.join("`, `")))
}

fn ids(p: &Map<String, Value>, name: &str) -> Result<Vec<String>, ApiError> {
    let list: Vec<String> = match p.get(name) {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_owned).take(1000).collect(),
        Some(Value::String(s)) if !s.is_empty() => vec![s.clone()],
        _ => Vec::new(),
    };
    if list.is_empty() { Err(ApiError::missing(name)) } else { Ok(list) }
}

impl Stateful for Cdb {
    const SERVICE: &'static str = "cdb";
    const VERSION: &'static str = "2017-03-20";
    const ACTIONS: &'static [&'static str] = &[
        "CreateDBInstanceHour",
        "CreateDBInstance",
        "DescribeDBInstances",
        "IsolateDBInstance",
        "ReleaseIsolatedDBInstances",
        "OfflineIsolatedInstances",
        "RestartDBInstances",
    ];

    fn call(
        &self,
        st: &State,
        req: &ApiRequest<'_>,
        action: &ActionRef<'static>,
        p: &Map<String, Value>,
    ) -> Result<Map<String, Value>, ApiError> {
        let region = req.region.clone().ok_or_else(|| ApiError::missing("Region"))?;
        let now = req.now_ms;
        Ok(match req.action {
            "CreateDBInstanceHour" | "CreateDBInstance" => self.create(st, req.action, p, &region, now)?,
            "DescribeDBInstances" => self.describe(action, p, &region, now),
            "OfflineIsolatedInstances" => {
                let wanted = ids(p, "InstanceIds")?;
                self.store.update(|t| {
                    for r in known(t, &region, &wanted)? {
                        if field_int(&current(&r.fields, now), "Status") != Some(5) {
                            let msg = format!("The instance `{}` is not isolated (Status 5).", r.id);
                            return Err(ApiError::new("InvalidParameter", msg));
                        }
                    }
                    Ok((vec![Change::Remove { table: table(&region), ids: wanted.clone() }], ()))
                })?;
                Map::new()
            }
            other => {
                let wanted = if other == "IsolateDBInstance" { ids(p, "InstanceId")? } else { ids(p, "InstanceIds")? };
                self.change(other, &wanted, &region, now)?
            }
        })
    }
}

/// The instances `wanted` names, or `InvalidParameter.InstanceNotFound`.
fn known(t: &Tables, region: &str, wanted: &[String]) -> Result<Vec<Resource>, ApiError> {
    let table = t.table(&table(region));
    let missing: Vec<String> = wanted.iter().filter(|id| table.and_then(|t| t.get(id)).is_none()).cloned().collect();
    if !missing.is_empty() {
        return Err(not_found(&missing));
    }
    Ok(wanted.iter().filter_map(|id| table?.get(id).cloned()).collect())
}

impl Cdb {
    fn until(&self, now_ms: i64) -> Value {
        Value::from(now_ms.saturating_add(i64::try_from(self.delay.as_millis()).unwrap_or(i64::MAX / 2)))
    }

    fn create(
        &self,
        st: &State,
        action: &str,
        p: &Map<String, Value>,
        region: &str,
        now: i64,
    ) -> Result<Map<String, Value>, ApiError> {
        let n = field_int(p, "GoodsNum").unwrap_or(1);
        if !(1..=MAX_GOODS).contains(&n) {
            return Err(ApiError::invalid_value("GoodsNum", "must be 1 to 100"));
        }
        let fresh: Vec<String> = (0..n).map(|_| format!("cdb-{}", lock(&st.ids).lower_alnum(8))).collect();
        self.store.update(|t| {
            let vpc = field_text(p, "UniqVpcId");
            let subnet = field_text(p, "UniqSubnetId");
            let vpc_key = TableKey { service: "vpc".into(), region: region.into(), kind: "Vpc".into() };
            let subnet_key = TableKey { service: "vpc".into(), region: region.into(), kind: "Subnet".into() };
            if let Some(v) = vpc
                && t.table(&vpc_key).and_then(|t| t.get(v)).is_none()
            {
                return Err(ApiError::new("InvalidParameter", format!("The VPC `{v}` does not exist in {region}.")));
            }
            if let Some(s) = subnet {
                let of = t.table(&subnet_key).and_then(|t| t.get(s)).and_then(|r| field_text(&r.fields, "VpcId"));
                if of.is_none() || (vpc.is_some() && of != vpc) {
                    let msg = format!("The subnet `{s}` is not a subnet of `{}`.", vpc.unwrap_or("?"));
                    return Err(ApiError::new("InvalidParameter", msg));
                }
            }
            let mut changes = Vec::new();
            for (id, seq) in fresh.iter().zip(t.next_seq()..) {
                if t.table(&table(region)).is_some_and(|t| t.get(id).is_some()) {
                    return Err(ApiError::new("InternalError", "An instance id repeated; try again."));
                }
                let mut fields: Map<String, Value> = p
                    .iter()
                    .filter(|(k, _)| !matches!(k.as_str(), "Password" | "GoodsNum" | "ClientToken" | "ParamList"))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                let more = json!({
                    "InstanceId": id,
                    "InstanceName": field_text(p, "InstanceName").unwrap_or(id),
                    "Status": 0, "TaskStatus": 0,
                    "PayType": if action == "CreateDBInstance" { 0 } else { 1 },
                    "EngineVersion": field_text(p, "EngineVersion").unwrap_or("8.0"),
                    "Zone": field_text(p, "Zone").map_or_else(|| format!("{region}-3"), str::to_owned),
                    "Region": region,
                    "Vip": format!("10.0.{}.{}", (seq / 250) % 250, 2 + seq % 250 ),
                    "Vport": field_int(p, "Port").unwrap_or(3306),
                    "InstanceType": match field_text(p, "InstanceRole") { Some("ro") => 3, Some("dr") => 2, _ => 1 },
                    "CreateTime": crate::clock::rfc3339(now.div_euclid(1000)).replace('T', " ").trim_end_matches('Z'),
                    UNTIL: self.until(now),
                });
                fields.extend(more.as_object().cloned().unwrap_or_default());
                let resource = Resource { id: id.clone(), seq, created_ms: now, fields };
                changes.push(Change::Put { table: table(region), resource, token: None });
            }
            Ok((changes, ()))
        })?;
        let deals: Vec<String> = fresh.iter().map(|id| format!("deal-{}", &id[4..])).collect();
        Ok([("InstanceIds".to_owned(), json!(fresh)), ("DealIds".to_owned(), json!(deals))].into_iter().collect())
    }

    fn describe(
        &self,
        action: &ActionRef<'static>,
        p: &Map<String, Value>,
        region: &str,
        now: i64,
    ) -> Map<String, Value> {
        let list = |name: &str| -> Vec<Value> { p.get(name).and_then(Value::as_array).cloned().unwrap_or_default() };
        let (wanted, statuses, names) = (list("InstanceIds"), list("Status"), list("InstanceNames"));
        let has = |want: &[Value], v: Option<&Value>| {
            want.is_empty() || v.is_some_and(|v| want.iter().any(|w| spelled(w) == spelled(v)))
        };
        let offset = field_int(p, "Offset").unwrap_or(0).max(0) as usize;
        let limit = field_int(p, "Limit").unwrap_or(20).clamp(1, 2000) as usize;
        let members = action.version.object("InstanceInfo").unwrap_or(&[]);
        let (total, items) = self.store.read(|t| {
            let all: Vec<Map<String, Value>> = t
                .table(&table(region))
                .into_iter()
                .flat_map(|t| t.iter())
                .map(|r| current(&r.fields, now))
                .filter(|f| {
                    has(&wanted, f.get("InstanceId"))
                        && has(&statuses, f.get("Status"))
                        && has(&names, f.get("InstanceName"))
                })
                .collect();
            let items: Vec<Value> = all
                .iter()
                .skip(offset)
                .take(limit)
                .map(|f| {
                    let mut out = shape::blank(action.version, members);
                    for m in members {
                        if let Some(v) = f.get(&m.name) {
                            out.insert(m.name.clone(), v.clone());
                        }
                    }
                    Value::Object(out)
                })
                .collect();
            (all.len(), items)
        });
        [("TotalCount".to_owned(), Value::from(total)), ("Items".to_owned(), Value::Array(items))].into_iter().collect()
    }

    /// `IsolateDBInstance`, `ReleaseIsolatedDBInstances`, `RestartDBInstances`.
    fn change(&self, action: &str, wanted: &[String], region: &str, now: i64) -> Result<Map<String, Value>, ApiError> {
        let items = self.store.update(|t| {
            let mut changes = Vec::new();
            let mut items = Vec::new();
            for mut r in known(t, region, wanted)? {
                let f = current(&r.fields, now);
                let (status, task) = (field_int(&f, "Status"), field_int(&f, "TaskStatus"));
                let wrong = |code: &str| {
                    let msg = format!(
                        "The instance `{}` is in Status {} (task {}).",
                        r.id,
                        status.unwrap_or(-1),
                        task.unwrap_or(0)
                    );
                    Err(ApiError::new(code, msg))
                };
                let mut next = f.clone();
                match action {
                    "IsolateDBInstance" if status == Some(1) => {
                        next.insert("Status".to_owned(), Value::from(4));
                    }
                    "IsolateDBInstance" => return wrong("OperationDenied.WrongStatus"),
                    "ReleaseIsolatedDBInstances" if status == Some(5) && field_int(&f, "PayType") == Some(1) => {
                        next.insert("Status".to_owned(), Value::from(1));
                        items.push(json!({"InstanceId": r.id, "Code": 0, "Message": "OK"}));
                    }
                    "ReleaseIsolatedDBInstances" => return wrong("OperationDenied.WrongStatus"),
                    _ if status == Some(1) && task == Some(0) => {
                        next.insert("TaskStatus".to_owned(), Value::from(10));
                    }
                    _ => return wrong("FailedOperation.StatusConflict"),
                }
                next.insert(UNTIL.to_owned(), self.until(now));
                r.fields = next;
                changes.push(Change::Put { table: table(region), resource: r, token: None });
            }
            Ok((changes, items))
        })?;
        let mut out = Map::new();
        if action == "ReleaseIsolatedDBInstances" {
            out.insert("Items".to_owned(), Value::Array(items));
        } else {
            out.insert("AsyncRequestId".to_owned(), Value::from(format!("emu-{now}")));
        }
        Ok(out)
    }
}
