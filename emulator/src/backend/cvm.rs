//! CVM (2017-03-12): `DescribeRegions` and `DescribeZones`, and what its instances add to the
//! generic resource family (`RunInstances`, `DescribeInstances`, `TerminateInstances`): two
//! fixed instances in every region, a region required, `DescribeInstances`' limits and filters,
//! and the documented instance states (`Instance.InstanceState`): `PENDING` -> `RUNNING`,
//! `StopInstances` `STOPPING` -> `STOPPED`, `StartInstances` `STARTING` -> `RUNNING`,
//! `RebootInstances` `REBOOTING` -> `RUNNING`, `TerminateInstances` `TERMINATING` -> gone (a
//! `PREPAID` instance first goes to the recycle bin, `SHUTDOWN`, and a second terminate
//! destroys it), each transition taking the configured delay; acting in the wrong state is the
//! documented `UnsupportedOperation.InstanceState<State>`, a terminated instance
//! `InvalidInstanceId.NotFound`.

use std::time::Duration;

use serde_json::{Map, Value, json};
use tencentcloud_schema::ActionRef;

use super::resources::{Acting, Behaviour, Deletion};
use super::{Backend, Check};
use crate::error::ApiError;
use crate::params::{obj, param_int};
use crate::request::{ApiRequest, Outcome};
use crate::state::State;
use crate::store::{Resource, TableKey, Tables};

/// CVM's regions and zones.
pub(crate) struct Cvm;

impl Backend for Cvm {
    fn serves(&self, service: &str, action: &str, schema: Option<&ActionRef<'static>>) -> Option<Check> {
        let ours = matches!(action, "DescribeRegions" | "DescribeZones");
        (service == "cvm" && schema.is_some() && ours).then_some(Check::Schema)
    }

    fn answer(&self, _: &State, req: &ApiRequest<'_>, _: Option<&ActionRef<'static>>) -> Result<Outcome, ApiError> {
        match req.action {
            "DescribeRegions" => Ok(describe_regions()),
            _ => describe_zones(req),
        }
    }
}

/// The field holding when a transitional state ends (Unix ms); not a member of `Instance`, so
/// never answered.
const UNTIL: &str = "EmulatorStateUntil";

/// CVM instances: the fixed pair in every region, a region required, states that take `boot`.
pub(crate) struct Instances {
    pub(crate) boot: Duration,
}

impl Instances {
    fn until(&self, now_ms: i64) -> Value {
        Value::from(now_ms.saturating_add(i64::try_from(self.boot.as_millis()).unwrap_or(i64::MAX / 2)))
    }
}

/// The state an instance is in at `now_ms`: a transitional one ends at its `UNTIL`;
/// `TERMINATED` (never answered) once a `TERMINATING` one is gone.
fn state_at(fields: &Map<String, Value>, now_ms: i64) -> String {
    let state = fields.get("InstanceState").and_then(Value::as_str).unwrap_or("RUNNING");
    let done = fields.get(UNTIL).and_then(Value::as_i64).is_none_or(|until| now_ms >= until);
    match state {
        "PENDING" | "STARTING" | "REBOOTING" if done => "RUNNING".to_owned(),
        "STOPPING" if done => "STOPPED".to_owned(),
        "TERMINATING" if done => "TERMINATED".to_owned(),
        s => s.to_owned(),
    }
}

/// Whether a state is on its way to another.
fn transitional(state: &str) -> bool {
    matches!(state, "PENDING" | "STARTING" | "STOPPING" | "REBOOTING" | "TERMINATING")
}

/// The instances of `region` as `DescribeInstances` would answer them at `now_ms` (the fixed
/// pair before CVM has been asked about the region), those that exist.
pub(crate) fn instances(tables: &Tables, region: &str, now_ms: i64) -> Vec<Map<String, Value>> {
    let key = TableKey { service: "cvm".into(), region: region.into(), kind: "Instance".into() };
    let all: Vec<Map<String, Value>> = if tables.marked(&key) {
        tables.table(&key).into_iter().flat_map(|t| t.iter()).map(|r| r.fields.clone()).collect()
    } else {
        INSTANCES.iter().map(|spec| obj(instance_json(spec, region))).collect()
    };
    all.into_iter()
        .filter_map(|mut fields| {
            let state = state_at(&fields, now_ms);
            (state != "TERMINATED").then(|| {
                fields.insert("InstanceState".to_owned(), Value::from(state));
                fields
            })
        })
        .collect()
}

/// The instance `id` of `region` at `now_ms`, if it exists (see [`instances`]).
pub(crate) fn instance(tables: &Tables, region: &str, id: &str, now_ms: i64) -> Option<Map<String, Value>> {
    instances(tables, region, now_ms).into_iter().find(|f| f.get("InstanceId").and_then(Value::as_str) == Some(id))
}

/// `UnsupportedOperation.InstanceStateStopped` for an instance `STOPPED`
/// (`...InstanceStateLaunchFailed` for `LAUNCH_FAILED`).
fn wrong_state(id: &str, state: &str) -> ApiError {
    let camel: String = state
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_string() + &c.as_str().to_ascii_lowercase()).unwrap_or_default()
        })
        .collect();
    ApiError::new(
        format!("UnsupportedOperation.InstanceState{camel}"),
        format!("The instance `{id}` is {state}; the operation is not supported in this state."),
    )
}

impl Instances {
    /// Moves an instance to `state` for the configured delay, recording the operation.
    fn enter(&self, r: &mut Resource, state: &str, action: &str, now_ms: i64) {
        r.fields.insert("InstanceState".to_owned(), Value::from(state));
        r.fields.insert(UNTIL.to_owned(), self.until(now_ms));
        r.fields.insert("LatestOperation".to_owned(), Value::from(action));
    }
}

impl Behaviour for Instances {
    fn family(&self) -> (&'static str, &'static str) {
        ("cvm", "Instance")
    }

    fn always(&self) -> bool {
        true
    }

    fn regional(&self) -> bool {
        true
    }

    fn fixtures(&self, region: &str) -> Vec<Map<String, Value>> {
        INSTANCES.iter().map(|spec| obj(instance_json(spec, region))).collect()
    }

    fn create(&self, _: &Tables, _: &str, fields: &mut Map<String, Value>, now_ms: i64) -> Result<(), ApiError> {
        fields.insert("InstanceState".to_owned(), Value::from("PENDING"));
        fields.insert(UNTIL.to_owned(), self.until(now_ms));
        fields.insert("LatestOperation".to_owned(), Value::from("RunInstances"));
        Ok(())
    }

    fn verbs(&self) -> &'static [&'static str] {
        &["StartInstances", "StopInstances", "RebootInstances"]
    }

    fn act(&self, a: &Acting<'_>, r: &mut Resource) -> Result<Option<Map<String, Value>>, ApiError> {
        let state = state_at(&r.fields, a.now_ms);
        let (from, to) = match a.action {
            "StartInstances" => ("STOPPED", "STARTING"),
            "StopInstances" => ("RUNNING", "STOPPING"),
            _ => ("RUNNING", "REBOOTING"),
        };
        if state != from {
            return Err(wrong_state(&r.id, &state));
        }
        self.enter(r, to, a.action, a.now_ms);
        Ok(None)
    }

    /// `TerminateInstances`: `RUNNING`, `STOPPED` or `SHUTDOWN` instances only; a `PREPAID` one
    /// not yet in the recycle bin goes there (`SHUTDOWN`), any other starts `TERMINATING`.
    fn delete(&self, a: &Acting<'_>, r: &mut Resource) -> Result<Deletion, ApiError> {
        let state = state_at(&r.fields, a.now_ms);
        if !matches!(state.as_str(), "RUNNING" | "STOPPED" | "SHUTDOWN") {
            return Err(wrong_state(&r.id, &state));
        }
        if r.fields.get("DisableApiTermination").is_some_and(|v| v == true || v == "true") {
            return Err(ApiError::new(
                "UnsupportedOperation.InstancesProtected",
                format!("The instance `{}` is protected from termination (DisableApiTermination).", r.id),
            ));
        }
        let prepaid = r.fields.get("InstanceChargeType").and_then(Value::as_str) == Some("PREPAID");
        if prepaid && state != "SHUTDOWN" {
            r.fields.insert("InstanceState".to_owned(), Value::from("SHUTDOWN"));
            r.fields.remove(UNTIL);
            r.fields.insert("LatestOperation".to_owned(), Value::from(a.action));
        } else {
            self.enter(r, "TERMINATING", a.action, a.now_ms);
        }
        Ok(Deletion::Keep)
    }

    fn exists(&self, _: &Tables, _: &str, fields: &Map<String, Value>, now_ms: i64) -> bool {
        state_at(fields, now_ms) != "TERMINATED"
    }

    fn describe(&self, _: &Tables, _: &str, fields: &mut Map<String, Value>, now_ms: i64) {
        let state = state_at(fields, now_ms);
        if fields.contains_key("LatestOperation") {
            let op = if transitional(&state) { "OPERATING" } else { "SUCCESS" };
            fields.insert("LatestOperationState".to_owned(), Value::from(op));
        }
        fields.insert("InstanceState".to_owned(), Value::from(state));
    }

    fn check_describe(&self, p: &Map<String, Value>) -> Result<(), ApiError> {
        let params = Value::Object(p.clone());
        if param_int(&params, "Offset")?.unwrap_or(0) < 0 {
            return Err(ApiError::invalid_value("Offset", "must be >= 0"));
        }
        if !(1..=100).contains(&param_int(&params, "Limit")?.unwrap_or(20)) {
            return Err(ApiError::invalid_value("Limit", "must be between 1 and 100"));
        }
        for f in p.get("Filters").and_then(Value::as_array).into_iter().flatten() {
            let name = f.get("Name").and_then(Value::as_str).unwrap_or("");
            if !FILTERS.contains(&name) && !name.starts_with("tag:") {
                return Err(ApiError::new("InvalidFilter", format!("The filter `{name}` is not supported.")));
            }
        }
        Ok(())
    }
}

/// The filters `DescribeInstances` takes (besides `tag:<key>`).
const FILTERS: [&str; 15] = [
    "zone",
    "project-id",
    "host-id",
    "dedicated-cluster-id",
    "vpc-id",
    "subnet-id",
    "instance-id",
    "uuid",
    "security-group-id",
    "instance-name",
    "instance-charge-type",
    "instance-state",
    "private-ip-address",
    "public-ip-address",
    "tag-key",
];

struct InstanceSpec {
    id: &'static str,
    name: &'static str,
    state: &'static str,
    zone: u32,
    cpu: u32,
    memory: u32,
    instance_type: &'static str,
    private_ip: &'static str,
    public_ip: &'static str,
}

const INSTANCES: [InstanceSpec; 2] = [
    InstanceSpec {
        id: "ins-emu00001",
        name: "emulator-web-1",
        state: "RUNNING",
        zone: 3,
        cpu: 2,
        memory: 4,
        instance_type: "S5.MEDIUM4",
        private_ip: "10.0.0.11",
        public_ip: "203.0.113.11",
    },
    InstanceSpec {
        id: "ins-emu00002",
        name: "emulator-db-1",
        state: "STOPPED",
        zone: 4,
        cpu: 4,
        memory: 8,
        instance_type: "S5.LARGE8",
        private_ip: "10.0.0.12",
        public_ip: "203.0.113.12",
    },
];

fn instance_json(spec: &InstanceSpec, region: &str) -> Value {
    json!({
        "Placement": {"Zone": format!("{region}-{}", spec.zone), "ProjectId": 0, "HostId": null},
        "InstanceId": spec.id,
        "Uuid": format!("00000000-0000-4000-8000-0000000{}", &spec.id[4..]),
        "InstanceName": spec.name,
        "InstanceState": spec.state,
        "InstanceType": spec.instance_type,
        "CPU": spec.cpu,
        "Memory": spec.memory,
        "RestrictState": "NORMAL",
        "InstanceChargeType": "POSTPAID_BY_HOUR",
        "SystemDisk": {"DiskType": "CLOUD_PREMIUM", "DiskId": format!("disk-{}", &spec.id[4..]), "DiskSize": 50},
        "DataDisks": null,
        "PrivateIpAddresses": [spec.private_ip],
        "PublicIpAddresses": [spec.public_ip],
        "VirtualPrivateCloud": {"VpcId": "vpc-emu00001", "SubnetId": "subnet-emu00001", "AsVpcGateway": false},
        "ImageId": "img-emu00001",
        "OsName": "TencentOS Server 3.1 (TK4)",
        "SecurityGroupIds": ["sg-emu00001"],
        "CreatedTime": "2024-01-15T08:00:00Z",
        "ExpiredTime": null,
        "Tags": [],
        "InstanceChargeTypeName": null,
    })
}

const REGIONS: [(&str, &str); 7] = [
    ("ap-guangzhou", "华南地区(广州)"),
    ("ap-shanghai", "华东地区(上海)"),
    ("ap-beijing", "华北地区(北京)"),
    ("ap-chengdu", "西南地区(成都)"),
    ("ap-hongkong", "港澳台地区(中国香港)"),
    ("ap-singapore", "亚太东南(新加坡)"),
    ("na-siliconvalley", "美国西部(硅谷)"),
];

fn describe_regions() -> Outcome {
    let set: Vec<Value> =
        REGIONS.iter().map(|(r, n)| json!({"Region": r, "RegionName": n, "RegionState": "AVAILABLE"})).collect();
    Outcome::Json(obj(json!({"TotalCount": set.len(), "RegionSet": set})))
}

fn describe_zones(req: &ApiRequest<'_>) -> Result<Outcome, ApiError> {
    let region = req.region.as_deref().ok_or_else(|| ApiError::missing("Region"))?;
    let set: Vec<Value> = [3u32, 4, 6]
        .iter()
        .map(|n| {
            json!({
                "Zone": format!("{region}-{n}"),
                "ZoneName": format!("{region} zone {n}"),
                "ZoneId": format!("{}", 100_000 + n),
                "ZoneState": "AVAILABLE",
            })
        })
        .collect();
    Ok(Outcome::Json(obj(json!({"TotalCount": set.len(), "ZoneSet": set}))))
}
