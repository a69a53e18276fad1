//! CVM (2017-03-12): `DescribeInstances` over two fixed instances, `DescribeRegions`, `DescribeZones`.

use serde_json::{Value, json};
use tencentcloud_schema::ActionRef;

use super::{Backend, Check};
use crate::error::ApiError;
use crate::params::{obj, param_int, param_str_list, require_str};
use crate::request::{ApiRequest, Outcome};
use crate::state::State;

/// CVM's fixed instances, regions and zones.
pub(crate) struct Cvm;

impl Backend for Cvm {
    fn serves(&self, service: &str, action: &str, known: bool) -> Option<Check> {
        let ours = matches!(action, "DescribeInstances" | "DescribeRegions" | "DescribeZones");
        (service == "cvm" && known && ours).then_some(Check::Schema)
    }

    fn answer(&self, _: &State, req: &ApiRequest<'_>, _: Option<&ActionRef<'static>>) -> Result<Outcome, ApiError> {
        match req.action {
            "DescribeInstances" => describe_instances(req),
            "DescribeRegions" => Ok(describe_regions()),
            _ => describe_zones(req),
        }
    }
}

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

fn describe_instances(req: &ApiRequest<'_>) -> Result<Outcome, ApiError> {
    let region = req.region.as_deref().ok_or_else(|| ApiError::missing("Region"))?;
    let p = &req.params;
    let ids = param_str_list(p.get("InstanceIds"), "InstanceIds")?;
    let offset = param_int(p, "Offset")?.unwrap_or(0);
    let limit = param_int(p, "Limit")?.unwrap_or(20);
    if offset < 0 {
        return Err(ApiError::invalid_value("Offset", "must be >= 0"));
    }
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid_value("Limit", "must be between 1 and 100"));
    }
    let mut filters = Vec::new();
    match p.get("Filters") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for f in items {
                let name = require_str(f, "Name")?.to_owned();
                let values = param_str_list(f.get("Values"), "Values")?;
                if !matches!(name.as_str(), "instance-id" | "instance-name" | "zone" | "instance-state") {
                    return Err(ApiError::new("InvalidFilter", format!("The filter `{name}` is not supported.")));
                }
                filters.push((name, values));
            }
        }
        Some(_) => return Err(ApiError::invalid_value("Filters", "not a list")),
    }
    let matched: Vec<Value> = INSTANCES
        .iter()
        .filter(|spec| ids.is_empty() || ids.iter().any(|i| i == spec.id))
        .filter(|spec| {
            filters.iter().all(|(name, values)| {
                let field = match name.as_str() {
                    "instance-id" => spec.id.to_owned(),
                    "instance-name" => spec.name.to_owned(),
                    "zone" => format!("{region}-{}", spec.zone),
                    _ => spec.state.to_owned(),
                };
                values.contains(&field)
            })
        })
        .map(|spec| instance_json(spec, region))
        .collect();
    let total = matched.len();
    let page: Vec<Value> = matched.into_iter().skip(offset as usize).take(limit as usize).collect();
    Ok(Outcome::Json(obj(json!({"TotalCount": total, "InstanceSet": page}))))
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
