//! TKE (2018-05-25): clusters, kept in the store per region (the specs pair no complete family
//! for them). As the actions document: `CreateCluster`
//! needs an existing VPC (`ClusterBasicSettings.VpcId`) and a container CIDR
//! (`ClusterCIDRSettings.ClusterCIDR`, and `ServiceCIDR` when given) that is a private block
//! with a mask of /10 to /24, outside the VPC's CIDR and every other cluster's of that VPC; a
//! cluster is `Creating` for the configured delay, then `Running`; `DeleteCluster` refuses one
//! under `DeletionProtection`, and a deleted cluster is `Deleting` for the delay, then gone;
//! `DescribeClusters` by ids, `ClusterType`, the filters `ClusterName`, `ClusterType`,
//! `ClusterStatus` and `vpc-id`, paged. The codes are those the official Go SDK documents for
//! these actions.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};
use tencentcloud_schema::ActionRef;

use super::Stateful;
use super::vpc::Cidr;
use crate::error::ApiError;
use crate::params::{field_obj, field_text};
use crate::request::ApiRequest;
use crate::shape;
use crate::state::State;
use crate::store::{Change, Resource, Store, TableKey, Tables};
use crate::sync::lock;

/// When `Creating` or `Deleting` ends (Unix ms); not a member of `Cluster`.
const UNTIL: &str = "EmulatorStateUntil";
const PRIVATE: [&str; 3] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/// TKE clusters (when the emulator keeps resources).
pub(crate) struct Tke {
    pub(crate) store: Arc<Store>,
    pub(crate) delay: Duration,
}

pub(crate) fn table(region: &str) -> TableKey {
    TableKey { service: "tke".into(), region: region.into(), kind: "Cluster".into() }
}

/// The VPC a cluster is in.
pub(crate) fn vpc_of(fields: &Map<String, Value>) -> Option<&str> {
    field_obj(fields, "ClusterNetworkSettings").and_then(|n| field_text(n, "VpcId"))
}

/// The status at `now_ms`, `None` once a deleting cluster is gone.
fn status(fields: &Map<String, Value>, now_ms: i64) -> Option<&str> {
    let s = fields.get("ClusterStatus").and_then(Value::as_str).unwrap_or("Running");
    let done = fields.get(UNTIL).and_then(Value::as_i64).is_none_or(|until| now_ms >= until);
    match s {
        "Creating" if done => Some("Running"),
        "Deleting" if done => None,
        s => Some(s),
    }
}

/// The clusters of a region that exist at `now_ms`, their status brought to it.
pub(crate) fn clusters(t: &Tables, region: &str, now_ms: i64) -> Vec<Map<String, Value>> {
    let all = t.table(&table(region)).into_iter().flat_map(|t| t.iter());
    all.filter_map(|r| {
        let s = status(&r.fields, now_ms)?.to_owned();
        let mut f = r.fields.clone();
        f.insert("ClusterStatus".to_owned(), Value::from(s));
        Some(f)
    })
    .collect()
}

/// A cluster CIDR as documented: a private block, mask /10 to /24, clear of the VPC and of the
/// VPC's other clusters.
fn check_cidr(name: &str, text: &str, vpc: Option<Cidr>, others: &[Cidr]) -> Result<Cidr, ApiError> {
    let cidr = Cidr::parse(text).ok_or_else(|| {
        ApiError::new("InvalidParameter.CidrInvalid", format!("`{name}` `{text}` is not a CIDR block."))
    })?;
    if !(10..=24).contains(&cidr.len) {
        let msg = format!("`{name}` `{text}`: the mask must be /10 to /24.");
        return Err(ApiError::new("InvalidParameter.CIDRMaskSizeOutOfRange", msg));
    }
    if !PRIVATE.iter().filter_map(|p| Cidr::parse(p)).any(|p| p.contains(&cidr)) {
        let msg = format!("`{name}` `{text}` is not a private block.");
        return Err(ApiError::new("InvalidParameter.InvalidPrivateNetworkCIDR", msg));
    }
    if vpc.is_some_and(|v| v.overlaps(&cidr)) {
        let msg = format!("`{name}` `{text}` overlaps the VPC's CIDR.");
        return Err(ApiError::new("InvalidParameter.CidrConflictWithVpcCidr", msg));
    }
    if others.iter().any(|o| o.overlaps(&cidr)) {
        let msg = format!("`{name}` `{text}` overlaps another cluster of the VPC.");
        return Err(ApiError::new("InvalidParameter.CidrConflictWithOtherCluster", msg));
    }
    Ok(cidr)
}

impl Stateful for Tke {
    const SERVICE: &'static str = "tke";
    const VERSION: &'static str = "2018-05-25";
    const ACTIONS: &'static [&'static str] = &["CreateCluster", "DescribeClusters", "DeleteCluster"];

    fn call(
        &self,
        st: &State,
        req: &ApiRequest<'_>,
        action: &ActionRef<'static>,
        p: &Map<String, Value>,
    ) -> Result<Map<String, Value>, ApiError> {
        let region = req.region.clone().ok_or_else(|| ApiError::missing("Region"))?;
        Ok(match req.action {
            "CreateCluster" => self.create(st, p, &region, req.now_ms)?,
            "DescribeClusters" => describe(&self.store, action, p, &region, req.now_ms),
            _ => self.delete(p, &region, req.now_ms)?,
        })
    }
}

impl Tke {
    fn until(&self, now_ms: i64) -> Value {
        Value::from(now_ms.saturating_add(i64::try_from(self.delay.as_millis()).unwrap_or(i64::MAX / 2)))
    }

    fn create(
        &self,
        st: &State,
        p: &Map<String, Value>,
        region: &str,
        now: i64,
    ) -> Result<Map<String, Value>, ApiError> {
        let none = Map::new();
        let basic = field_obj(p, "ClusterBasicSettings").unwrap_or(&none);
        let cidrs = field_obj(p, "ClusterCIDRSettings").unwrap_or(&none);
        let vpc_id =
            field_text(basic, "VpcId").ok_or_else(|| ApiError::missing("ClusterBasicSettings.VpcId"))?.to_owned();
        let cluster_cidr = field_text(cidrs, "ClusterCIDR")
            .ok_or_else(|| ApiError::missing("ClusterCIDRSettings.ClusterCIDR"))?
            .to_owned();
        let id = format!("cls-{}", lock(&st.ids).lower_alnum(8));
        self.store.update(|t| {
            let vpc_key = TableKey { service: "vpc".into(), region: region.into(), kind: "Vpc".into() };
            let vpc = t.table(&vpc_key).and_then(|t| t.get(&vpc_id)).ok_or_else(|| {
                ApiError::new("FailedOperation.VpcRecodrNotFound", format!("The VPC `{vpc_id}` does not exist."))
            })?;
            let vpc_cidr = vpc.fields.get("CidrBlock").and_then(Value::as_str).and_then(Cidr::parse);
            let others: Vec<Cidr> = clusters(t, region, now)
                .iter()
                .filter(|c| vpc_of(c) == Some(vpc_id.as_str()))
                .flat_map(|c| {
                    let n = field_obj(c, "ClusterNetworkSettings");
                    let cidr = move |k| n.and_then(|n| field_text(n, k));
                    [cidr("ClusterCIDR"), cidr("ServiceCIDR")].into_iter().flatten().filter_map(Cidr::parse)
                })
                .collect();
            let cluster = check_cidr("ClusterCIDR", &cluster_cidr, vpc_cidr, &others)?;
            let service = field_text(cidrs, "ServiceCIDR");
            if let Some(s) = service {
                check_cidr("ServiceCIDR", s, vpc_cidr, &[others.as_slice(), &[cluster]].concat())?;
            }
            if t.table(&table(region)).is_some_and(|t| t.get(&id).is_some()) {
                return Err(ApiError::new("InternalError", "A cluster id repeated; try again."));
            }
            let protect =
                p.get("ClusterAdvancedSettings").and_then(|a| a.get("DeletionProtection")) == Some(&json!(true));
            let fields = json!({
                "ClusterId": id,
                "ClusterName": field_text(basic, "ClusterName").unwrap_or(&id),
                "ClusterDescription": field_text(basic, "ClusterDescription").unwrap_or(""),
                "ClusterVersion": field_text(basic, "ClusterVersion").unwrap_or("1.30.0"),
                "ClusterOs": field_text(basic, "ClusterOs").unwrap_or("tlinux3.1x86_64"),
                "ClusterType": p.get("ClusterType").cloned().unwrap_or(Value::from("MANAGED_CLUSTER")),
                "ClusterNetworkSettings": {
                    "ClusterCIDR": cluster_cidr, "ServiceCIDR": service.unwrap_or(""), "VpcId": vpc_id,
                    "SubnetId": field_text(basic, "SubnetId").unwrap_or(""),
                },
                "ClusterNodeNum": 0,
                "ProjectId": basic.get("ProjectId").cloned().unwrap_or(Value::from(0)),
                "ClusterStatus": "Creating",
                "DeletionProtection": protect,
                "CreatedTime": crate::clock::rfc3339(now.div_euclid(1000)),
                UNTIL: self.until(now),
            });
            let fields = fields.as_object().cloned().unwrap_or_default();
            let resource = Resource { id: id.clone(), seq: t.next_seq(), created_ms: now, fields };
            Ok((vec![Change::Put { table: table(region), resource, token: None }], ()))
        })?;
        Ok([("ClusterId".to_owned(), Value::from(id))].into_iter().collect())
    }

    fn delete(&self, p: &Map<String, Value>, region: &str, now: i64) -> Result<Map<String, Value>, ApiError> {
        let id = p.get("ClusterId").and_then(Value::as_str).ok_or_else(|| ApiError::missing("ClusterId"))?.to_owned();
        self.store.update(|t| {
            let missing = || ApiError::new("ResourceNotFound", format!("The cluster `{id}` does not exist."));
            let mut r = t.table(&table(region)).and_then(|t| t.get(&id)).cloned().ok_or_else(missing)?;
            let s = status(&r.fields, now).ok_or_else(missing)?.to_owned();
            if s == "Deleting" {
                return Err(ApiError::new("FailedOperation.ClusterState", format!("The cluster `{id}` is Deleting.")));
            }
            if r.fields.get("DeletionProtection") == Some(&Value::Bool(true)) {
                let msg = format!("The cluster `{id}` is protected from deletion.");
                return Err(ApiError::new("OperationDenied.ClusterInDeletionProtection", msg));
            }
            r.fields.insert("ClusterStatus".to_owned(), Value::from("Deleting"));
            r.fields.insert(UNTIL.to_owned(), self.until(now));
            Ok((vec![Change::Put { table: table(region), resource: r, token: None }], Map::new()))
        })
    }
}

fn describe(
    store: &Store,
    action: &ActionRef<'static>,
    p: &Map<String, Value>,
    region: &str,
    now: i64,
) -> Map<String, Value> {
    let ids: Vec<&str> =
        p.get("ClusterIds").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let kind = p.get("ClusterType").and_then(Value::as_str);
    let filters: Vec<(String, Vec<String>)> = p
        .get("Filters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| {
            let name = f.get("Name")?.as_str()?.to_owned();
            let values = f.get("Values")?.as_array()?.iter().filter_map(Value::as_str).map(str::to_owned).collect();
            Some((name, values))
        })
        .collect();
    let passes = |c: &Map<String, Value>| {
        filters.iter().all(|(name, values)| {
            let have = match name.as_str() {
                "ClusterName" | "ClusterType" | "ClusterStatus" => c.get(name).and_then(Value::as_str),
                "vpc-id" => vpc_of(c),
                _ => return true,
            };
            have.is_some_and(|h| values.iter().any(|v| v == h))
        })
    };
    let offset = p.get("Offset").and_then(Value::as_i64).unwrap_or(0).max(0) as usize;
    let limit = p.get("Limit").and_then(Value::as_i64).unwrap_or(20).clamp(1, 100) as usize;
    let members = action.version.object("Cluster").unwrap_or(&[]);
    let all: Vec<Map<String, Value>> = store.read(|t| clusters(t, region, now));
    let selected: Vec<&Map<String, Value>> = all
        .iter()
        .filter(|c| ids.is_empty() || c.get("ClusterId").and_then(Value::as_str).is_some_and(|i| ids.contains(&i)))
        .filter(|c| kind.is_none_or(|k| c.get("ClusterType").and_then(Value::as_str) == Some(k)))
        .filter(|c| passes(c))
        .collect();
    let items: Vec<Value> = selected
        .iter()
        .skip(offset)
        .take(limit)
        .map(|c| {
            let mut out = shape::blank(action.version, members);
            for m in members {
                if let Some(v) = c.get(&m.name) {
                    out.insert(m.name.clone(), v.clone());
                }
            }
            Value::Object(out)
        })
        .collect();
    [("TotalCount".to_owned(), Value::from(selected.len())), ("Clusters".to_owned(), Value::Array(items))]
        .into_iter()
        .collect()
}
