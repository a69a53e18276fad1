//! CLB (2018-03-17): what load balancers and listeners add to the generic families. A load
//! balancer's `VpcId` and `SubnetId`, when given, name a VPC of its region and a subnet of that
//! VPC (`InvalidParameterValue`); its `Status` is 0 (creating) for the configured delay, then 1
//! (running). A listener belongs to an existing load balancer (`InvalidParameter.LBIdNotFound`),
//! its ports free on it for the protocol's transport (`InvalidParameter.PortCheckFailed`: TCP,
//! HTTP, HTTPS and TCP_SSL share TCP ports; UDP and QUIC UDP ports); a load balancer's
//! listeners go with it. One `CreateListener` makes one listener, on its first port. The codes
//! are those the official Go SDK documents for these actions.

use std::time::Duration;

use serde_json::{Map, Value};

use super::resources::Behaviour;
use crate::error::ApiError;
use crate::params::{field_text, need_text};
use crate::store::{Resource, TableKey, Tables};

/// The field holding when `Status` 0 ends (Unix ms); not a member of `LoadBalancer`.
const UNTIL: &str = "EmulatorStateUntil";

fn table<'t>(tables: &'t Tables, service: &str, region: &str, kind: &str) -> impl Iterator<Item = &'t Resource> {
    let key = TableKey { service: service.into(), region: region.into(), kind: kind.into() };
    tables.table(&key).into_iter().flat_map(|t| t.iter())
}

fn has(tables: &Tables, service: &str, region: &str, kind: &str, id: &str) -> bool {
    let key = TableKey { service: service.into(), region: region.into(), kind: kind.into() };
    tables.table(&key).is_some_and(|t| t.get(id).is_some())
}

/// CLB load balancers: in an existing VPC and subnet, creating for `delay`.
pub(crate) struct LoadBalancers {
    pub(crate) delay: Duration,
}

impl Behaviour for LoadBalancers {
    fn family(&self) -> (&'static str, &'static str) {
        ("clb", "LoadBalancer")
    }

    fn create(&self, tables: &Tables, region: &str, f: &mut Map<String, Value>, now_ms: i64) -> Result<(), ApiError> {
        if let Some(vpc) = field_text(f, "VpcId").filter(|v| *v != "0") {
            if !has(tables, "vpc", region, "Vpc", vpc) {
                return Err(ApiError::invalid_value("VpcId", &format!("the VPC `{vpc}` does not exist in {region}")));
            }
            if let Some(subnet) = field_text(f, "SubnetId") {
                let inside = table(tables, "vpc", region, "Subnet")
                    .any(|s| s.id == subnet && s.fields.get("VpcId").and_then(Value::as_str) == Some(vpc));
                if !inside {
                    let why = format!("the subnet `{subnet}` is not a subnet of `{vpc}`");
                    return Err(ApiError::invalid_value("SubnetId", &why));
                }
            }
        }
        let delay = i64::try_from(self.delay.as_millis()).unwrap_or(i64::MAX / 2);
        f.insert("Status".to_owned(), Value::from(0));
        f.insert(UNTIL.to_owned(), Value::from(now_ms.saturating_add(delay)));
        f.entry("Forward").or_insert(Value::from(1));
        Ok(())
    }

    fn describe(&self, _: &Tables, _: &str, f: &mut Map<String, Value>, now_ms: i64) {
        let done = f.get(UNTIL).and_then(Value::as_i64).is_none_or(|until| now_ms >= until);
        if done {
            f.insert("Status".to_owned(), Value::from(1));
        }
    }
}

/// CLB listeners: on an existing load balancer, on free ports.
pub(crate) struct Listeners;

/// The transport a listener's protocol uses.
fn transport(protocol: &str) -> &'static str {
    match protocol.to_ascii_uppercase().as_str() {
        "UDP" | "QUIC" => "udp",
        _ => "tcp",
    }
}

fn ports(f: &Map<String, Value>) -> Vec<i64> {
    let one = |v: &Value| v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok()));
    match f.get("Ports") {
        Some(Value::Array(ps)) => ps.iter().filter_map(one).collect(),
        _ => f.get("Port").and_then(one).into_iter().collect(),
    }
}

impl Behaviour for Listeners {
    fn family(&self) -> (&'static str, &'static str) {
        ("clb", "Listener")
    }

    fn create(&self, tables: &Tables, region: &str, f: &mut Map<String, Value>, _: i64) -> Result<(), ApiError> {
        let lb = need_text(f, "LoadBalancerId")?.to_owned();
        if !has(tables, "clb", region, "LoadBalancer", &lb) {
            let msg = format!("The load balancer `{lb}` does not exist.");
            return Err(ApiError::new("InvalidParameter.LBIdNotFound", msg));
        }
        let wanted = ports(f);
        let Some(&first) = wanted.first() else { return Err(ApiError::missing("Ports")) };
        if let Some(bad) = wanted.iter().find(|p| !(1..=65535).contains(*p)) {
            return Err(ApiError::invalid_value("Ports", &format!("{bad} is not a port")));
        }
        let proto = field_text(f, "Protocol").unwrap_or("TCP").to_owned();
        let same_lb = table(tables, "clb", region, "Listener")
            .filter(|l| field_text(&l.fields, "LoadBalancerId") == Some(&lb))
            .filter(|l| transport(field_text(&l.fields, "Protocol").unwrap_or("TCP")) == transport(&proto));
        for other in same_lb {
            if let Some(p) = ports(&other.fields).into_iter().find(|p| wanted.contains(p)) {
                let msg = format!("The port {p} of `{lb}` is taken by the listener `{}`.", other.id);
                return Err(ApiError::new("InvalidParameter.PortCheckFailed", msg));
            }
        }
        f.insert("Port".to_owned(), Value::from(first));
        f.insert("Ports".to_owned(), Value::from(vec![first]));
        if let Some(name) = f.get("ListenerNames").and_then(|n| n.get(0)).cloned() {
            f.insert("ListenerName".to_owned(), name);
        }
        Ok(())
    }

    /// A listener exists while its load balancer does.
    fn exists(&self, tables: &Tables, region: &str, f: &Map<String, Value>, _: i64) -> bool {
        let lb = field_text(f, "LoadBalancerId").unwrap_or("");
        has(tables, "clb", region, "LoadBalancer", lb)
    }
}
