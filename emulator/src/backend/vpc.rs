//! VPC (2017-03-12): what its VPCs and subnets add to the generic families: a subnet's `VpcId`
//! must name a VPC of its region (`ResourceNotFound`), its `CidrBlock` must lie inside the VPC's
//! (`InvalidParameterValue.SubnetRange`) and not overlap another subnet of that VPC
//! (`InvalidParameterValue.SubnetConflict`); a VPC with subnets cannot be deleted
//! (`ResourceInUse`), nor a VPC or subnet a CVM instance, a CLB load balancer, a CDB or a Redis
//! instance or a TKE cluster is in, nor a security group a CVM instance of its region uses
//! (`ResourceInUse`, the code the official Go SDK documents for `DeleteVpc`, `DeleteSubnet` and
//! `DeleteSecurityGroup`).

use serde_json::{Map, Value};

use super::resources::{Acting, Behaviour, Deletion};
use super::{cdb, cvm, redis, tke};
use crate::error::ApiError;
use crate::params::field_str;
use crate::store::{Resource, TableKey, Tables};

/// An IPv4 CIDR block: network address and prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    net: u32,
    pub(crate) len: u8,
}

impl Cidr {
    pub(crate) fn parse(text: &str) -> Option<Cidr> {
        let (addr, len) = text.trim().split_once('/')?;
        let len: u8 = len.parse().ok().filter(|l| *l <= 32)?;
        let addr: std::net::Ipv4Addr = addr.parse().ok()?;
        Some(Cidr { net: u32::from(addr) & Cidr::mask(len), len })
    }

    fn mask(len: u8) -> u32 {
        if len == 0 { 0 } else { u32::MAX << (32 - u32::from(len)) }
    }

    pub(crate) fn contains(&self, inner: &Cidr) -> bool {
        inner.len >= self.len && inner.net & Cidr::mask(self.len) == self.net
    }

    pub(crate) fn overlaps(&self, other: &Cidr) -> bool {
        self.contains(other) || other.contains(self)
    }
}

fn table<'t>(tables: &'t Tables, region: &str, kind: &str) -> impl Iterator<Item = &'t Resource> {
    let key = TableKey { service: "vpc".into(), region: region.into(), kind: kind.into() };
    tables.table(&key).into_iter().flat_map(|t| t.iter())
}

/// VPCs: not deleted while they have subnets.
pub(crate) struct Vpcs;

impl Behaviour for Vpcs {
    fn family(&self) -> (&'static str, &'static str) {
        ("vpc", "Vpc")
    }

    fn delete(&self, a: &Acting<'_>, vpc: &mut Resource) -> Result<Deletion, ApiError> {
        let subnets =
            table(a.tables, a.region, "Subnet").filter(|s| field_str(&s.fields, "VpcId") == Some(&vpc.id)).count();
        if subnets > 0 {
            return Err(ApiError::new(
                "ResourceInUse",
                format!("The VPC `{}` still has {subnets} subnet(s); delete them first.", vpc.id),
            ));
        }
        in_use(a, "VpcId", "VPC", &vpc.id)?;
        Ok(Deletion::Remove)
    }
}

/// `ResourceInUse` while a CVM instance, a CLB load balancer, a CDB or a Redis instance or a TKE
/// cluster of the region is in the VPC or subnet `id` (`field`: `VpcId` or `SubnetId`).
fn in_use(a: &Acting<'_>, field: &str, what: &str, id: &str) -> Result<(), ApiError> {
    let instances = cvm::instances(a.tables, a.region, a.now_ms).into_iter().filter_map(|i| {
        let at = i.get("VirtualPrivateCloud").and_then(|v| v.get(field)).and_then(Value::as_str);
        (at == Some(id)).then(|| field_str(&i, "InstanceId").unwrap_or("").to_owned())
    });
    let key = TableKey { service: "clb".into(), region: a.region.into(), kind: "LoadBalancer".into() };
    let lbs = a.tables.table(&key).into_iter().flat_map(|t| t.iter());
    let lbs = lbs.filter(|l| field_str(&l.fields, field) == Some(id)).map(|l| l.id.clone());
    let cdb_field = if field == "VpcId" { "UniqVpcId" } else { "UniqSubnetId" };
    let (cdbs, redis) = (cdb::table(a.region), redis::table(a.region));
    let dbs = [cdbs, redis].into_iter().flat_map(|k| a.tables.table(&k).into_iter().flat_map(|t| t.iter()));
    let dbs = dbs.filter(|d| field_str(&d.fields, cdb_field) == Some(id)).map(|d| d.id.clone());
    let clusters = tke::clusters(a.tables, a.region, a.now_ms).into_iter().filter_map(|c| {
        let at = c.get("ClusterNetworkSettings").and_then(|n| n.get(field)).and_then(Value::as_str);
        (at == Some(id)).then(|| field_str(&c, "ClusterId").unwrap_or("").to_owned())
    });
    let users: Vec<String> = instances.chain(lbs).chain(dbs).chain(clusters).collect();
    if users.is_empty() {
        return Ok(());
    }
    Err(ApiError::new("ResourceInUse", format!("The {what} `{id}` is used by `{}`.", users.join("`, `"))))
}

/// Security groups: not deleted while an instance uses them.
pub(crate) struct SecurityGroups;

impl Behaviour for SecurityGroups {
    fn family(&self) -> (&'static str, &'static str) {
        ("vpc", "SecurityGroup")
    }

    fn delete(&self, a: &Acting<'_>, sg: &mut Resource) -> Result<Deletion, ApiError> {
        let users: Vec<String> = cvm::instances(a.tables, a.region, a.now_ms)
            .into_iter()
            .filter(|i| {
                i.get("SecurityGroupIds").and_then(Value::as_array).is_some_and(|ids| ids.iter().any(|s| s == &sg.id))
            })
            .filter_map(|i| field_str(&i, "InstanceId").map(str::to_owned))
            .collect();
        if !users.is_empty() {
            return Err(ApiError::new(
                "ResourceInUse",
                format!("The security group `{}` is used by the instance(s) `{}`.", sg.id, users.join("`, `")),
            ));
        }
        Ok(Deletion::Remove)
    }
}

/// Subnets: inside an existing VPC's CIDR, not overlapping its other subnets.
pub(crate) struct Subnets;

impl Behaviour for Subnets {
    fn family(&self) -> (&'static str, &'static str) {
        ("vpc", "Subnet")
    }

    fn delete(&self, a: &Acting<'_>, subnet: &mut Resource) -> Result<Deletion, ApiError> {
        in_use(a, "SubnetId", "subnet", &subnet.id)?;
        Ok(Deletion::Remove)
    }

    fn create(&self, tables: &Tables, region: &str, fields: &mut Map<String, Value>, _: i64) -> Result<(), ApiError> {
        let Some(vpc_id) = field_str(fields, "VpcId") else { return Ok(()) };
        let vpc = table(tables, region, "Vpc")
            .find(|v| v.id == vpc_id)
            .ok_or_else(|| ApiError::new("ResourceNotFound", format!("The VPC `{vpc_id}` does not exist.")))?;
        let Some(block) = field_str(fields, "CidrBlock") else { return Ok(()) };
        let cidr = Cidr::parse(block).ok_or_else(|| {
            ApiError::new("InvalidParameterValue.Malformed", format!("`{block}` is not an IPv4 CIDR block."))
        })?;
        if let Some(outer) = field_str(&vpc.fields, "CidrBlock").and_then(Cidr::parse)
            && !outer.contains(&cidr)
        {
            return Err(ApiError::new(
                "InvalidParameterValue.SubnetRange",
                format!(
                    "The subnet `{block}` is not inside the VPC's `{}`.",
                    field_str(&vpc.fields, "CidrBlock").unwrap_or("")
                ),
            ));
        }
        let same_vpc = table(tables, region, "Subnet").filter(|s| field_str(&s.fields, "VpcId") == Some(vpc_id));
        for other in same_vpc {
            if let Some(o) = field_str(&other.fields, "CidrBlock").and_then(Cidr::parse)
                && o.overlaps(&cidr)
            {
                return Err(ApiError::new(
                    "InvalidParameterValue.SubnetConflict",
                    format!("The subnet `{block}` overlaps the subnet `{}`.", other.id),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_blocks() {
        let vpc = Cidr::parse("10.0.0.0/16").unwrap();
        assert!(vpc.contains(&Cidr::parse("10.0.1.0/24").unwrap()));
        assert!(!vpc.contains(&Cidr::parse("10.1.0.0/24").unwrap()));
        assert!(!vpc.contains(&Cidr::parse("10.0.0.0/8").unwrap()));
        assert!(Cidr::parse("10.0.1.0/24").unwrap().overlaps(&Cidr::parse("10.0.1.128/25").unwrap()));
        assert!(!Cidr::parse("10.0.1.0/24").unwrap().overlaps(&Cidr::parse("10.0.2.0/24").unwrap()));
        assert_eq!(Cidr::parse("0.0.0.0/0").map(|c| c.net), Some(0));
        for bad in ["10.0.0.0", "10.0.0.0/33", "x/8", "10.0.0/8"] {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
    }
}
