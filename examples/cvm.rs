//! Typed models of CVM `DescribeInstances` (2017-03-12), as the official SDKs generate.

use serde::{Deserialize, Serialize};

/// A filter: `Name` and the `Values` it matches.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Filter {
    /// Filter name, e.g. `zone`, `instance-name`.
    #[serde(rename = "Name")]
    pub name: String,
    /// Accepted values.
    #[serde(rename = "Values")]
    pub values: Vec<String>,
}

/// `DescribeInstances` request.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct DescribeInstancesRequest {
    /// Instance ids to describe.
    #[serde(rename = "InstanceIds", skip_serializing_if = "Option::is_none")]
    pub instance_ids: Option<Vec<String>>,
    /// Filters.
    #[serde(rename = "Filters", skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<Filter>>,
    /// Offset, default 0.
    #[serde(rename = "Offset", skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    /// Page size, default 20, at most 100.
    #[serde(rename = "Limit", skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
}

/// Where an instance runs.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Placement {
    /// Availability zone.
    #[serde(rename = "Zone", default)]
    pub zone: String,
}

/// One instance (the fields this example uses).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Instance {
    /// Instance id.
    #[serde(rename = "InstanceId", default)]
    pub instance_id: String,
    /// Instance name.
    #[serde(rename = "InstanceName", default)]
    pub instance_name: String,
    /// State, e.g. `RUNNING`.
    #[serde(rename = "InstanceState", default)]
    pub instance_state: String,
    /// Placement.
    #[serde(rename = "Placement", default)]
    pub placement: Placement,
    /// vCPUs.
    #[serde(rename = "CPU", default)]
    pub cpu: i64,
    /// Memory in GB.
    #[serde(rename = "Memory", default)]
    pub memory: i64,
}

/// `DescribeInstances` response.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct DescribeInstancesResponse {
    /// Instances matching, over all pages.
    #[serde(rename = "TotalCount", default)]
    pub total_count: i64,
    /// This page.
    #[serde(rename = "InstanceSet", default)]
    pub instance_set: Vec<Instance>,
    /// The request id.
    #[serde(rename = "RequestId", default)]
    pub request_id: String,
}
