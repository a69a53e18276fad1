//! The `DescribeInstances` (cvm 2017-03-12) and `DescribeVpcs` (vpc 2017-03-12) response
//! shapes with serde's derive, for the decode benchmark (`decode_bench.rs`): every object the
//! responses reach, every member an `Option` under its wire name, as a serde user would write
//! them. Written from the pinned specs by `decode_mirror.py`, not by tencentcloud-codegen: it
//! is the baseline, not our output.
#![allow(non_snake_case, dead_code)]
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct CvmDescribeInstancesResponse {
    #[serde(default)]
    pub TotalCount: Option<i64>,
    #[serde(default)]
    pub InstanceSet: Option<Vec<CvmInstance>>,
    #[serde(default)]
    pub RequestId: Option<String>,
}
#[derive(Debug, Deserialize)]
pub struct CvmInstance {
    #[serde(default)]
    pub Placement: Option<CvmPlacement>,
    #[serde(default)]
    pub InstanceId: Option<String>,
    #[serde(default)]
    pub InstanceType: Option<String>,
    #[serde(default)]
    pub CPU: Option<i64>,
    #[serde(default)]
    pub Memory: Option<i64>,
    #[serde(default)]
    pub RestrictState: Option<String>,
    #[serde(default)]
    pub InstanceName: Option<String>,
    #[serde(default)]
    pub InstanceChargeType: Option<String>,
    #[serde(default)]
    pub SystemDisk: Option<CvmSystemDisk>,
    #[serde(default)]
    pub DataDisks: Option<Vec<CvmDataDisk>>,
    #[serde(default)]
    pub PrivateIpAddresses: Option<Vec<String>>,
    #[serde(default)]
    pub PublicIpAddresses: Option<Vec<String>>,
    #[serde(default)]
    pub InternetAccessible: Option<CvmInternetAccessible>,
    #[serde(default)]
    pub VirtualPrivateCloud: Option<CvmVirtualPrivateCloud>,
    #[serde(default)]
    pub ImageId: Option<String>,
    #[serde(default)]
    pub RenewFlag: Option<String>,
    #[serde(default)]
    pub CreatedTime: Option<String>,
    #[serde(default)]
    pub ExpiredTime: Option<String>,
    #[serde(default)]
    pub OsName: Option<String>,
    #[serde(default)]
    pub SecurityGroupIds: Option<Vec<String>>,
    #[serde(default)]
    pub LoginSettings: Option<CvmLoginSettings>,
    #[serde(default)]
    pub InstanceState: Option<String>,
    #[serde(default)]
    pub Tags: Option<Vec<CvmTag>>,
    #[serde(default)]
    pub StopChargingMode: Option<String>,
    #[serde(default)]
    pub Uuid: Option<String>,
    #[serde(default)]
    pub LatestOperation: Option<String>,
    #[serde(default)]
    pub LatestOperationState: Option<String>,
    #[serde(default)]
    pub LatestOperationRequestId: Option<String>,
    #[serde(default)]
    pub DisasterRecoverGroupId: Option<String>,
    #[serde(default)]
    pub IPv6Addresses: Option<Vec<String>>,
    #[serde(default)]
    pub CamRoleName: Option<String>,
    #[serde(default)]
    pub HpcClusterId: Option<String>,
    #[serde(default)]
    pub RdmaIpAddresses: Option<Vec<String>>,
    #[serde(default)]
    pub DedicatedClusterId: Option<String>,
    #[serde(default)]
    pub IsolatedSource: Option<String>,
    #[serde(default)]
    pub DisasterRecoverGroupIds: Option<Vec<String>>,
    #[serde(default)]
    pub GPUInfo: Option<CvmGPUInfo>,
    #[serde(default)]
    pub LicenseType: Option<String>,
    #[serde(default)]
    pub DisableApiTermination: Option<bool>,
    #[serde(default)]
    pub HostName: Option<String>,
    #[serde(default)]
    pub DefaultLoginUser: Option<String>,
    #[serde(default)]
    pub DefaultLoginPort: Option<i64>,
    #[serde(default)]
    pub LatestOperationErrorMsg: Option<String>,
    #[serde(default)]
    pub EnableJumboFrame: Option<bool>,
    #[serde(default)]
    pub Metadata: Option<CvmMetadata>,
    #[serde(default)]
    pub PublicIPv6Addresses: Option<Vec<String>>,
    #[serde(default)]
    pub CpuTopology: Option<CvmCpuTopology>,
    #[serde(default)]
    pub PartitionNumber: Option<i64>,
}
#[derive(Debug, Deserialize)]
pub struct CvmPlacement {
    #[serde(default)]
    pub Zone: Option<String>,
    #[serde(default)]
    pub ProjectId: Option<i64>,
    #[serde(default)]
    pub HostIds: Option<Vec<String>>,
    #[serde(default)]
    pub HostId: Option<String>,
    #[serde(default)]
    pub DedicatedResourcePackTenancy: Option<String>,
    #[serde(default)]
    pub DedicatedResourcePackIds: Option<Vec<String>>,
    #[serde(default)]
    pub RackId: Option<String>,
}
#[derive(Debug, Deserialize)]
pub struct CvmSystemDisk {
    #[serde(default)]
    pub DiskType: Option<String>,
    #[serde(default)]
    pub DiskId: Option<String>,
    #[serde(default)]
    pub DiskSize: Option<i64>,
    #[serde(default)]
    pub CdcId: Option<String>,
    #[serde(default)]
    pub DiskName: Option<String>,
    #[serde(default)]
    pub Encrypt: Option<bool>,
    #[serde(default)]
    pub KmsKeyId: Option<String>,
}
#[derive(Debug, Deserialize)]
pub struct CvmDataDisk {
    #[serde(default)]
    pub DiskSize: Option<i64>,
    #[serde(default)]
    pub DiskType: Option<String>,
    #[serde(default)]
    pub DiskId: Option<String>,
    #[serde(default)]
    pub DeleteWithInstance: Option<bool>,
    #[serde(default)]
    pub SnapshotId: Option<String>,
    #[serde(default)]
    pub Encrypt: Option<bool>,
    #[serde(default)]
    pub KmsKeyId: Option<String>,
    #[serde(default)]
    pub ThroughputPerformance: Option<i64>,
    #[serde(default)]
    pub CdcId: Option<String>,
    #[serde(default)]
    pub BurstPerformance: Option<bool>,
    #[serde(default)]
    pub DiskName: Option<String>,
}
#[derive(Debug, Deserialize)]
pub struct CvmInternetAccessible {
    #[serde(default)]
    pub InternetChargeType: Option<String>,
    #[serde(default)]
    pub InternetMaxBandwidthOut: Option<i64>,
    #[serde(default)]
    pub PublicIpAssigned: Option<bool>,
    #[serde(default)]
    pub BandwidthPackageId: Option<String>,
    #[serde(default)]
    pub InternetServiceProvider: Option<String>,
    #[serde(default)]
    pub IPv4AddressType: Option<String>,
    #[serde(default)]
    pub IPv6AddressType: Option<String>,
    #[serde(default)]
    pub AntiDDoSPackageId: Option<String>,
}
#[derive(Debug, Deserialize)]
pub struct CvmVirtualPrivateCloud {
    #[serde(default)]
    pub VpcId: Option<String>,
    #[serde(default)]
    pub SubnetId: Option<String>,
    #[serde(default)]
    pub AsVpcGateway: Option<bool>,
    #[serde(default)]
    pub PrivateIpAddresses: Option<Vec<String>>,
    #[serde(default)]
    pub Ipv6AddressCount: Option<u64>,
}
#[derive(Debug, Deserialize)]
pub struct CvmLoginSettings {
    #[serde(default)]
    pub Password: Option<String>,
    #[serde(default)]
    pub KeyIds: Option<Vec<String>>,
    #[serde(default)]
    pub KeepImageLogin: Option<String>,
}
#[derive(Debug, Deserialize)]
pub struct CvmTag {
    #[serde(default)]
    pub Key: Option<String>,
    #[serde(default)]
    pub Value: Option<String>,
}
#[derive(Debug, Deserialize)]
pub struct CvmGPUInfo {
    #[serde(default)]
    pub GPUCount: Option<f64>,
    #[serde(default)]
    pub GPUId: Option<Vec<String>>,
    #[serde(default)]
    pub GPUType: Option<String>,
}
#[derive(Debug, Deserialize)]
pub struct CvmMetadata {
    #[serde(default)]
    pub Items: Option<Vec<CvmMetadataItem>>,
}
#[derive(Debug, Deserialize)]
pub struct CvmMetadataItem {
    #[serde(default)]
    pub Key: Option<String>,
    #[serde(default)]
    pub Value: Option<String>,
}
#[derive(Debug, Deserialize)]
pub struct CvmCpuTopology {
    #[serde(default)]
    pub CoreCount: Option<i64>,
    #[serde(default)]
    pub ThreadPerCore: Option<i64>,
}
#[derive(Debug, Deserialize)]
pub struct VpcDescribeVpcsResponse {
    #[serde(default)]
    pub TotalCount: Option<u64>,
    #[serde(default)]
    pub VpcSet: Option<Vec<VpcVpc>>,
    #[serde(default)]
    pub RequestId: Option<String>,
}
#[derive(Debug, Deserialize)]
pub struct VpcVpc {
    #[serde(default)]
    pub VpcName: Option<String>,
    #[serde(default)]
    pub VpcId: Option<String>,
    #[serde(default)]
    pub CidrBlock: Option<String>,
    #[serde(default)]
    pub IsDefault: Option<bool>,
    #[serde(default)]
    pub EnableMulticast: Option<bool>,
    #[serde(default)]
    pub CreatedTime: Option<String>,
    #[serde(default)]
    pub DnsServerSet: Option<Vec<String>>,
    #[serde(default)]
    pub DomainName: Option<String>,
    #[serde(default)]
    pub DhcpOptionsId: Option<String>,
    #[serde(default)]
    pub EnableDhcp: Option<bool>,
    #[serde(default)]
    pub Ipv6CidrBlock: Option<String>,
    #[serde(default)]
    pub TagSet: Option<Vec<VpcTag>>,
    #[serde(default)]
    pub AssistantCidrSet: Option<Vec<VpcAssistantCidr>>,
    #[serde(default)]
    pub EnableRouteVpcPublish: Option<bool>,
    #[serde(default)]
    pub Ipv6CidrBlockSet: Option<Vec<VpcISPIPv6CidrBlock>>,
    #[serde(default)]
    pub EnableRouteVpcPublishIpv6: Option<bool>,
    #[serde(default)]
    pub StackType: Option<String>,
}
#[derive(Debug, Deserialize)]
pub struct VpcTag {
    #[serde(default)]
    pub Key: Option<String>,
    #[serde(default)]
    pub Value: Option<String>,
}
#[derive(Debug, Deserialize)]
pub struct VpcAssistantCidr {
    #[serde(default)]
    pub VpcId: Option<String>,
    #[serde(default)]
    pub CidrBlock: Option<String>,
    #[serde(default)]
    pub AssistantType: Option<i64>,
    #[serde(default)]
    pub SubnetSet: Option<Vec<VpcSubnet>>,
}
#[derive(Debug, Deserialize)]
pub struct VpcSubnet {
    #[serde(default)]
    pub VpcId: Option<String>,
    #[serde(default)]
    pub SubnetId: Option<String>,
    #[serde(default)]
    pub SubnetName: Option<String>,
    #[serde(default)]
    pub CidrBlock: Option<String>,
    #[serde(default)]
    pub IsDefault: Option<bool>,
    #[serde(default)]
    pub EnableBroadcast: Option<bool>,
    #[serde(default)]
    pub Zone: Option<String>,
    #[serde(default)]
    pub RouteTableId: Option<String>,
    #[serde(default)]
    pub CreatedTime: Option<String>,
    #[serde(default)]
    pub AvailableIpAddressCount: Option<u64>,
    #[serde(default)]
    pub Ipv6CidrBlock: Option<String>,
    #[serde(default)]
    pub NetworkAclId: Option<String>,
    #[serde(default)]
    pub IsRemoteVpcSnat: Option<bool>,
    #[serde(default)]
    pub TotalIpAddressCount: Option<u64>,
    #[serde(default)]
    pub TagSet: Option<Vec<VpcTag>>,
    #[serde(default)]
    pub CdcId: Option<String>,
    #[serde(default)]
    pub IsCdcSubnet: Option<i64>,
    #[serde(default)]
    pub StackType: Option<String>,
}
#[derive(Debug, Deserialize)]
pub struct VpcISPIPv6CidrBlock {
    #[serde(default)]
    pub IPv6CidrBlock: Option<String>,
    #[serde(default)]
    pub ISPType: Option<String>,
    #[serde(default)]
    pub AddressType: Option<String>,
}
