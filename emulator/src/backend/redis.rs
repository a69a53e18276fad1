//! TencentDB for Redis (2018-04-12): instances, kept in the store per region (the specs pair
//! no family for them: they are isolated, then cleaned up). As the actions document:
//! `CreateInstances` makes `GoodsNum` (1-100) instances in an existing VPC and subnet when
//! named, `Status` 1 (in process) for the configured delay, then 2 (running);
//! `DestroyPostpaidInstance` (`BillingMode` 0) and `DestroyPrepaidInstance` (1) isolate a
//! running one (-2, the recycle bin); `StartupInstance` brings an isolated one back (2);
//! `CleanUpInstance` removes an isolated one; `DescribeInstances` filters by id, name, VPC,
//! subnet and status, and pages. The codes are those the official Go SDK documents for these
//! actions (`ResourceNotFound.InstanceNotExists`, `ResourceUnavailable.InstanceStatusError`,
//! `ResourceUnavailable.InstanceIsolated`, `ResourceUnavailable.InstanceStatusAbnormal`,
//! `InvalidParameterValue.UnSupportedType`, `InvalidParameterValue.UnVpcIdNotExists`,
//! `InvalidParameterValue.InvalidSubnetId`, `LimitExceeded.InvalidParameterGoodsNumNotInRange`).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};
use tencentcloud_schema::ActionRef;

use super::Stateful;
use crate::error::ApiError;
use crate::params::{field_int, field_text, need_text};
use crate::request::ApiRequest;
use crate::shape;
use crate::state::State;
use crate::store::{Change, Resource, Store, TableKey};
use crate::sync::lock;

/// When `Status` 1 ends (Unix ms); not a member of `InstanceSet`.
const UNTIL: &str = "EmulatorStateUntil";

/// Redis instances (when the emulator keeps resources).
pub(crate) struct Redis {
    pub(crate) store: Arc<Store>,
    pub(crate) delay: Duration,
}

pub(crate) fn table(region: &str) -> TableKey {
    TableKey { service: "redis".into(), region: region.into(), kind: "Instance".into() }
}

fn spelled(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// The status at `now_ms`: 1 (in process) ends in 2 (running).
fn status(fields: &Map<String, Value>, now_ms: i64) -> i64 {
    let s = field_int(fields, "Status").unwrap_or(2);
    let done = fields.get(UNTIL).and_then(Value::as_i64).is_none_or(|until| now_ms >= until);
    if s == 1 && done { 2 } else { s }
}

impl Stateful for Redis {
    const SERVICE: &'static str = "redis";
    const VERSION: &'static str = "2018-04-12";
    const ACTIONS: &'static [&'static str] = &[
        "CreateInstances",
        "DescribeInstances",
        "DestroyPostpaidInstance",
        "DestroyPrepaidInstance",
        "StartupInstance",
        "CleanUpInstance",
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
            "CreateInstances" => self.create(st, p, &region, now)?,
            "DescribeInstances" => self.describe(action, p, &region, now),
            other => self.change(other, p, &region, now)?,
        })
    }
}

impl Redis {
    fn create(
        &self,
        st: &State,
        p: &Map<String, Value>,
        region: &str,
        now: i64,
    ) -> Result<Map<String, Value>, ApiError> {
        let n = field_int(p, "GoodsNum").unwrap_or(1);
        if !(1..=100).contains(&n) {
            let msg = "`GoodsNum` must be 1 to 100.";
            return Err(ApiError::new("LimitExceeded.InvalidParameterGoodsNumNotInRange", msg));
        }
        let fresh: Vec<String> = (0..n).map(|_| format!("crs-{}", lock(&st.ids).lower_alnum(8))).collect();
        let delay = i64::try_from(self.delay.as_millis()).unwrap_or(i64::MAX / 2);
        self.store.update(|t| {
            let vpc = field_text(p, "VpcId");
            let vpc_key = TableKey { service: "vpc".into(), region: region.into(), kind: "Vpc".into() };
            let subnet_key = TableKey { service: "vpc".into(), region: region.into(), kind: "Subnet".into() };
            if let Some(v) = vpc
                && t.table(&vpc_key).and_then(|t| t.get(v)).is_none()
            {
                let msg = format!("The VPC `{v}` does not exist in {region}.");
                return Err(ApiError::new("InvalidParameterValue.UnVpcIdNotExists", msg));
            }
            if let Some(s) = field_text(p, "SubnetId") {
                let of = t.table(&subnet_key).and_then(|t| t.get(s)).and_then(|r| field_text(&r.fields, "VpcId"));
                if of.is_none() || (vpc.is_some() && of != vpc) {
                    let msg = format!("The subnet `{s}` is not a subnet of `{}`.", vpc.unwrap_or("?"));
                    return Err(ApiError::new("InvalidParameterValue.InvalidSubnetId", msg));
                }
            }
            let mut changes = Vec::new();
            for (id, seq) in fresh.iter().zip(t.next_seq()..) {
                if t.table(&table(region)).is_some_and(|t| t.get(id).is_some()) {
                    return Err(ApiError::new("InternalError", "An instance id repeated; try again."));
                }
                let fields = json!({
                    "InstanceId": id,
                    "InstanceName": field_text(p, "InstanceName").unwrap_or(id),
                    "Status": 1,
                    "Type": field_int(p, "TypeId").unwrap_or(0),
                    "Size": field_int(p, "MemSize").unwrap_or(0),
                    "BillingMode": field_int(p, "BillingMode").unwrap_or(0),
                    "ZoneId": field_int(p, "ZoneId").unwrap_or(0),
                    "ProjectId": field_int(p, "ProjectId").unwrap_or(0),
                    "UniqVpcId": vpc.unwrap_or(""),
                    "UniqSubnetId": field_text(p, "SubnetId").unwrap_or(""),
                    "Port": field_int(p, "VPort").unwrap_or(6379),
                    "WanIp": format!("10.1.{}.{}", (seq / 250) % 250, 2 + seq % 250),
                    "Engine": "Redis",
                    "Createtime": crate::clock::rfc3339(now.div_euclid(1000)).replace('T', " ").trim_end_matches('Z'),
                    UNTIL: now.saturating_add(delay),
                });
                let fields = fields.as_object().cloned().unwrap_or_default();
                let resource = Resource { id: id.clone(), seq, created_ms: now, fields };
                changes.push(Change::Put { table: table(region), resource, token: None });
            }
            Ok((changes, ()))
        })?;
        let deal = format!("deal-{now}");
        Ok(json!({"InstanceIds": fresh, "DealId": deal, "DealName": deal}).as_object().cloned().unwrap_or_default())
    }

    fn describe(
        &self,
        action: &ActionRef<'static>,
        p: &Map<String, Value>,
        region: &str,
        now: i64,
    ) -> Map<String, Value> {
        let list = |name: &str| -> Vec<Value> { p.get(name).and_then(Value::as_array).cloned().unwrap_or_default() };
        let (statuses, vpcs, subnets) = (list("Status"), list("UniqVpcIds"), list("UniqSubnetIds"));
        let has = |want: &[Value], v: Option<&Value>| {
            want.is_empty() || v.is_some_and(|v| want.iter().any(|w| spelled(w) == spelled(v)))
        };
        let (id, name) = (field_text(p, "InstanceId"), field_text(p, "InstanceName"));
        let offset = field_int(p, "Offset").unwrap_or(0).max(0) as usize;
        let limit = field_int(p, "Limit").unwrap_or(20).clamp(1, 1000) as usize;
        let members = action.version.object("InstanceSet").unwrap_or(&[]);
        let (total, items) = self.store.read(|t| {
            let all: Vec<Map<String, Value>> = t
                .table(&table(region))
                .into_iter()
                .flat_map(|t| t.iter())
                .map(|r| {
                    let mut f = r.fields.clone();
                    f.insert("Status".to_owned(), Value::from(status(&r.fields, now)));
                    f
                })
                .filter(|f| {
                    id.is_none_or(|i| field_text(f, "InstanceId") == Some(i))
                        && name.is_none_or(|n| field_text(f, "InstanceName").is_some_and(|have| have.contains(n)))
                        && has(&statuses, f.get("Status"))
                        && has(&vpcs, f.get("UniqVpcId"))
                        && has(&subnets, f.get("UniqSubnetId"))
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
        [("TotalCount".to_owned(), Value::from(total)), ("InstanceSet".to_owned(), Value::Array(items))]
            .into_iter()
            .collect()
    }

    /// `DestroyPostpaidInstance`, `DestroyPrepaidInstance`, `StartupInstance`, `CleanUpInstance`.
    fn change(
        &self,
        action: &str,
        p: &Map<String, Value>,
        region: &str,
        now: i64,
    ) -> Result<Map<String, Value>, ApiError> {
        let id = need_text(p, "InstanceId")?.to_owned();
        self.store.update(|t| {
            let mut r = t.table(&table(region)).and_then(|t| t.get(&id)).cloned().ok_or_else(|| {
                ApiError::new("ResourceNotFound.InstanceNotExists", format!("The instance `{id}` does not exist."))
            })?;
            let s = status(&r.fields, now);
            let billing = field_int(&r.fields, "BillingMode").unwrap_or(0);
            let wrong = |code: &str| Err(ApiError::new(code, format!("The instance `{id}` is in Status {s}.")));
            let to = match action {
                "DestroyPostpaidInstance" | "DestroyPrepaidInstance" => {
                    let want = if action == "DestroyPostpaidInstance" { 0 } else { 1 };
                    if billing != want {
                        let msg =
                            format!("The instance `{id}` has BillingMode {billing}; use the other Destroy action.");
                        return Err(ApiError::new("InvalidParameterValue.UnSupportedType", msg));
                    }
                    match s {
                        2 => -2,
                        -2 if want == 1 => return wrong("ResourceUnavailable.InstanceIsolated"),
                        _ => return wrong("ResourceUnavailable.InstanceStatusError"),
                    }
                }
                "StartupInstance" if s == -2 => 2,
                "CleanUpInstance" if s == -2 => {
                    return Ok((vec![Change::Remove { table: table(region), ids: vec![id.clone()] }], task(now)));
                }
                _ => return wrong("ResourceUnavailable.InstanceStatusAbnormal"),
            };
            r.fields.insert("Status".to_owned(), Value::from(to));
            r.fields.remove(UNTIL);
            let out = if action == "DestroyPrepaidInstance" {
                json!({"DealId": format!("deal-{now}"), "DealName": format!("deal-{now}")})
                    .as_object()
                    .cloned()
                    .unwrap_or_default()
            } else {
                task(now)
            };
            Ok((vec![Change::Put { table: table(region), resource: r, token: None }], out))
        })
    }
}

fn task(now: i64) -> Map<String, Value> {
    [("TaskId".to_owned(), Value::from(now.rem_euclid(1_000_000)))].into_iter().collect()
}
