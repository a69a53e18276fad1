//! Resources from create to delete through the signed front door: a VPC and its subnet,
//! idempotent creates, regions, filters and pages over seeded resources, the request log, the
//! state on disk, reset, and 8 clients at once.

mod common;

use std::collections::HashSet;
use std::time::Instant;

use serde_json::{Value, json};
use tencentcloud_emulator::{AnswerSource, Emulator, RunningEmulator, default_test_key};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use common::{Answer, Client};

const V: &str = "2017-03-12";

async fn client(emu: &RunningEmulator) -> Client {
    let (id, key) = default_test_key();
    Client::connect(emu.addr(), id, key).await.unwrap()
}

async fn vpc(c: &mut Client, action: &str, region: &str, body: Value) -> Answer {
    c.call("vpc", V, action, Some(region), &body).await.unwrap()
}

async fn ok(c: &mut Client, action: &str, body: Value) -> Value {
    vpc(c, action, "ap-guangzhou", body).await.unwrap_or_else(|e| panic!("{action}: {e:?}"))
}

#[tokio::test]
async fn a_vpc_and_its_subnet_from_create_to_delete() {
    let emu = Emulator::builder().resources(true).start().await.unwrap();
    let mut c = client(&emu).await;
    let v = ok(&mut c, "CreateVpc", json!({"VpcName": "web", "CidrBlock": "10.0.0.0/16"})).await;
    let vpc_id = v["Vpc"]["VpcId"].as_str().unwrap().to_owned();
    assert!(vpc_id.starts_with("vpc-") && vpc_id.len() == 12, "{vpc_id}");
    assert!(vpc_id[4..].bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    assert_eq!(v["Vpc"]["VpcName"], "web");
    assert_eq!(v["Vpc"]["CidrBlock"], "10.0.0.0/16");

    let s = ok(
        &mut c,
        "CreateSubnet",
        json!({"VpcId": vpc_id, "SubnetName": "a", "CidrBlock": "10.0.1.0/24", "Zone": "ap-guangzhou-3"}),
    )
    .await;
    let subnet_id = s["Subnet"]["SubnetId"].as_str().unwrap().to_owned();
    assert!(subnet_id.starts_with("subnet-"), "{subnet_id}");

    let list = ok(&mut c, "DescribeVpcs", json!({})).await;
    assert_eq!(list["TotalCount"], 1);
    assert_eq!(list["VpcSet"][0]["VpcId"], vpc_id.as_str());
    assert_eq!(list["VpcSet"][0]["VpcName"], "web");
    let by_vpc = json!({"Filters": [{"Name": "vpc-id", "Values": [vpc_id]}]});
    let subnets = ok(&mut c, "DescribeSubnets", by_vpc.clone()).await;
    assert_eq!(subnets["TotalCount"], 1);
    assert_eq!(subnets["SubnetSet"][0]["SubnetId"], subnet_id.as_str());
    assert_eq!(subnets["SubnetSet"][0]["VpcId"], vpc_id.as_str());
    let none = json!({"Filters": [{"Name": "vpc-id", "Values": ["vpc-00000000"]}]});
    assert_eq!(ok(&mut c, "DescribeSubnets", none).await["TotalCount"], 0);

    ok(&mut c, "ModifyVpcAttribute", json!({"VpcId": vpc_id, "VpcName": "web-2"})).await;
    let list = ok(&mut c, "DescribeVpcs", json!({"VpcIds": [vpc_id]})).await;
    assert_eq!(list["VpcSet"][0]["VpcName"], "web-2");

    ok(&mut c, "DeleteSubnet", json!({"SubnetId": subnet_id})).await;
    ok(&mut c, "DeleteVpc", json!({"VpcId": vpc_id})).await;
    assert_eq!(ok(&mut c, "DescribeVpcs", json!({})).await["TotalCount"], 0);
    assert_eq!(ok(&mut c, "DescribeSubnets", by_vpc).await["SubnetSet"], json!([]));
    let gone = vpc(&mut c, "DeleteVpc", "ap-guangzhou", json!({"VpcId": vpc_id})).await.unwrap_err();
    assert_eq!(gone.0, "ResourceNotFound", "{gone:?}");

    // CVM's documented code for an unknown instance.
    let e = c
        .call("cvm", V, "TerminateInstances", Some("ap-guangzhou"), &json!({"InstanceIds": ["ins-00000000"]}))
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(e.0, "InvalidInstanceId.NotFound");
    emu.shutdown().await;
}

#[tokio::test]
async fn subnets_live_inside_their_vpc() {
    let emu = Emulator::builder().resources(true).start().await.unwrap();
    let mut c = client(&emu).await;
    let subnet =
        |vpc: &Value, cidr: &str| json!({"VpcId": vpc, "SubnetName": "s", "CidrBlock": cidr, "Zone": "ap-guangzhou-3"});
    let err = |r: Answer| r.unwrap_err().0;
    let nowhere = json!("vpc-00000000");
    assert_eq!(
        err(vpc(&mut c, "CreateSubnet", "ap-guangzhou", subnet(&nowhere, "10.0.1.0/24")).await),
        "ResourceNotFound"
    );
    let id = ok(&mut c, "CreateVpc", json!({"VpcName": "v", "CidrBlock": "10.0.0.0/16"})).await["Vpc"]["VpcId"].clone();
    let outside = subnet(&id, "10.1.0.0/24");
    assert_eq!(err(vpc(&mut c, "CreateSubnet", "ap-guangzhou", outside).await), "InvalidParameterValue.SubnetRange");
    let other_region = vpc(&mut c, "CreateSubnet", "ap-shanghai", subnet(&id, "10.0.1.0/24")).await;
    assert_eq!(err(other_region), "ResourceNotFound", "the VPC is in ap-guangzhou");
    let first = ok(&mut c, "CreateSubnet", subnet(&id, "10.0.1.0/24")).await["Subnet"]["SubnetId"].clone();
    let overlap = subnet(&id, "10.0.1.128/25");
    assert_eq!(err(vpc(&mut c, "CreateSubnet", "ap-guangzhou", overlap).await), "InvalidParameterValue.SubnetConflict");
    // Several at once, each its own resource.
    let two = json!({"VpcId": id, "Subnets": [
        {"SubnetName": "b", "CidrBlock": "10.0.2.0/24", "Zone": "ap-guangzhou-3"},
        {"SubnetName": "c", "CidrBlock": "10.0.3.0/24", "Zone": "ap-guangzhou-4"}]});
    let made = ok(&mut c, "CreateSubnets", two).await;
    let set = made["SubnetSet"].as_array().unwrap();
    assert_eq!(set.len(), 2);
    assert_eq!(set[1]["CidrBlock"], "10.0.3.0/24");
    assert!(set.iter().all(|s| s["SubnetId"].as_str().is_some_and(|i| i.starts_with("subnet-"))));
    assert_eq!(ok(&mut c, "DescribeSubnets", json!({})).await["TotalCount"], 3);

    assert_eq!(err(vpc(&mut c, "DeleteVpc", "ap-guangzhou", json!({"VpcId": id})).await), "ResourceInUse");
    ok(&mut c, "DeleteSubnet", json!({"SubnetId": first})).await;
    for s in set {
        ok(&mut c, "DeleteSubnet", json!({"SubnetId": s["SubnetId"]})).await;
    }
    ok(&mut c, "DeleteVpc", json!({"VpcId": id})).await;
    emu.shutdown().await;
}

#[tokio::test]
async fn instances_move_through_their_states() {
    let boot = std::time::Duration::from_millis(300);
    let emu = Emulator::builder().instance_boot(boot).start().await.unwrap();
    let mut c = client(&emu).await;
    let mut cvm =
        async |action: &str, body: Value| c.call("cvm", V, action, Some("ap-guangzhou"), &body).await.unwrap();
    let ran = cvm("RunInstances", json!({"ImageId": "img-1"})).await.unwrap();
    let id = ran["InstanceIdSet"][0].clone();
    let describe = json!({"InstanceIds": [id]});
    let now = cvm("DescribeInstances", describe.clone()).await.unwrap();
    assert_eq!(now["InstanceSet"][0]["InstanceState"], "PENDING");
    assert_eq!(
        cvm("StopInstances", json!({"InstanceIds": [id]})).await.unwrap_err().0,
        "UnsupportedOperation.InstanceStatePending"
    );
    tokio::time::sleep(boot).await;
    assert_eq!(cvm("DescribeInstances", describe.clone()).await.unwrap()["InstanceSet"][0]["InstanceState"], "RUNNING");
    assert_eq!(
        cvm("StartInstances", json!({"InstanceIds": [id]})).await.unwrap_err().0,
        "UnsupportedOperation.InstanceStateRunning"
    );
    cvm("StopInstances", json!({"InstanceIds": [id]})).await.unwrap();
    assert_eq!(
        cvm("DescribeInstances", describe.clone()).await.unwrap()["InstanceSet"][0]["InstanceState"],
        "STOPPING"
    );
    tokio::time::sleep(boot).await;
    let stopped = json!({"Filters": [{"Name": "instance-state", "Values": ["STOPPED"]}]});
    let listed = cvm("DescribeInstances", stopped).await.unwrap();
    assert!(listed["InstanceSet"].as_array().unwrap().iter().any(|i| i["InstanceId"] == id), "{listed}");
    cvm("StartInstances", json!({"InstanceIds": [id]})).await.unwrap();
    let starting = cvm("TerminateInstances", json!({"InstanceIds": [id]})).await.unwrap_err();
    assert_eq!(starting.0, "UnsupportedOperation.InstanceStateStarting");
    tokio::time::sleep(boot).await;
    // Terminated: TERMINATING for the delay, then gone.
    cvm("TerminateInstances", json!({"InstanceIds": [id]})).await.unwrap();
    let now = cvm("DescribeInstances", describe.clone()).await.unwrap();
    assert_eq!(now["InstanceSet"][0]["InstanceState"], "TERMINATING");
    assert_eq!(now["InstanceSet"][0]["LatestOperation"], "TerminateInstances");
    assert_eq!(now["InstanceSet"][0]["LatestOperationState"], "OPERATING");
    let terminating = cvm("StartInstances", json!({"InstanceIds": [id]})).await.unwrap_err();
    assert_eq!(terminating.0, "UnsupportedOperation.InstanceStateTerminating");
    tokio::time::sleep(boot).await;
    assert_eq!(cvm("DescribeInstances", describe.clone()).await.unwrap()["TotalCount"], 0);
    let gone = cvm("StartInstances", json!({"InstanceIds": [id]})).await.unwrap_err();
    assert_eq!(gone.0, "InvalidInstanceId.NotFound");
    let again = cvm("TerminateInstances", json!({"InstanceIds": [id]})).await.unwrap_err();
    assert_eq!(again.0, "InvalidInstanceId.NotFound");
    emu.shutdown().await;
}

#[tokio::test]
async fn client_token_regions_and_the_request_log() {
    let emu = Emulator::builder().resources(true).start().await.unwrap();
    let mut c = client(&emu).await;
    ok(&mut c, "CreateVpc", json!({"VpcName": "a", "CidrBlock": "10.0.0.0/16"})).await;
    let sh = vpc(&mut c, "DescribeVpcs", "ap-shanghai", json!({})).await.unwrap();
    assert_eq!(sh["TotalCount"], 0, "a VPC of ap-guangzhou is not in ap-shanghai");
    vpc(&mut c, "CreateVpc", "ap-shanghai", json!({"VpcName": "b", "CidrBlock": "10.1.0.0/16"})).await.unwrap();
    assert_eq!(ok(&mut c, "DescribeVpcs", json!({})).await["TotalCount"], 1);

    // RunInstances makes InstanceCount instances, listed after the two fixed ones; the same
    // ClientToken answers the same ones.
    let run =
        json!({"ImageId": "img-1", "InstanceCount": 3, "Placement": {"Zone": "ap-guangzhou-3"}, "ClientToken": "once"});
    let ran = c.call("cvm", V, "RunInstances", Some("ap-guangzhou"), &run).await.unwrap().unwrap();
    let ids = ran["InstanceIdSet"].as_array().unwrap();
    assert_eq!(ids.len(), 3);
    let again = c.call("cvm", V, "RunInstances", Some("ap-guangzhou"), &run).await.unwrap().unwrap();
    assert_eq!(again["InstanceIdSet"], ran["InstanceIdSet"]);
    assert!(ids.iter().all(|i| i.as_str().is_some_and(|i| i.starts_with("ins-") && i.len() == 12)));
    let all = c.call("cvm", V, "DescribeInstances", Some("ap-guangzhou"), &json!({"Limit": 100})).await.unwrap();
    assert_eq!(all.unwrap()["TotalCount"], 5);

    ok(&mut c, "DescribeVpcLimits", json!({"LimitTypes": ["appid-max-vpcs"]})).await;
    let sources: Vec<(String, Option<AnswerSource>)> =
        emu.requests().iter().map(|r| (r.action.clone().unwrap_or_default(), r.answer)).collect();
    assert!(sources.iter().any(|(a, s)| a == "CreateVpc" && *s == Some(AnswerSource::Stateful)));
    assert!(
        sources.iter().any(|(a, s)| a == "DescribeVpcLimits" && matches!(s, Some(AnswerSource::Example(_)))),
        "{sources:?}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn seeded_resources_page_and_filter() {
    let vpcs: Vec<Value> = (0..250)
        .map(|i| {
            let env = if i % 5 == 0 { "prod" } else { "dev" };
            json!({"VpcName": format!("vpc-{i:03}"), "CidrBlock": "10.0.0.0/16", "Tags": [{"Key": "env", "Value": env}]})
        })
        .collect();
    let seed = json!({"vpc": {"Vpc": vpcs}});
    let emu = Emulator::builder().seed(seed).start().await.unwrap();
    assert_eq!(emu.resource_count(), 250);
    let mut c = client(&emu).await;
    let mut seen = HashSet::new();
    for page in 0..3 {
        let v = ok(&mut c, "DescribeVpcs", json!({"Offset": (page * 100).to_string(), "Limit": "100"})).await;
        assert_eq!(v["TotalCount"], 250);
        let set = v["VpcSet"].as_array().unwrap();
        assert_eq!(set.len(), if page < 2 { 100 } else { 50 });
        seen.extend(set.iter().map(|x| x["VpcId"].as_str().unwrap().to_owned()));
    }
    assert_eq!(seen.len(), 250, "every VPC once across the pages");
    let prod = json!({"Filters": [{"Name": "tag:env", "Values": ["prod"]}], "Limit": "100"});
    assert_eq!(ok(&mut c, "DescribeVpcs", prod).await["TotalCount"], 50);
    let named = json!({"Filters": [{"Name": "vpc-name", "Values": ["vpc-007"]}]});
    assert_eq!(ok(&mut c, "DescribeVpcs", named).await["VpcSet"][0]["VpcName"], "vpc-007");

    // The reset endpoint (unsigned, local), then the seed endpoint.
    let post = |path: &'static str, body: &'static str| {
        let addr = emu.addr();
        async move {
            let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
            let req = format!(
                "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            s.write_all(req.as_bytes()).await.unwrap();
            let mut out = String::new();
            s.read_to_string(&mut out).await.unwrap();
            out
        }
    };
    assert!(post("/emulator/reset", "").await.starts_with("HTTP/1.1 200"));
    assert_eq!(emu.resource_count(), 0);
    let added =
        post("/emulator/seed", r#"{"vpc": {"Subnet": [{"SubnetId": "subnet-seed0001", "VpcId": "vpc-x"}]}}"#).await;
    assert!(added.ends_with(r#"{"Added":1}"#), "{added}");
    let bad = post("/emulator/seed", r#"{"vpc": {"Nothing": []}}"#).await;
    assert!(bad.starts_with("HTTP/1.1 400") && bad.contains("has no resource kind"), "{bad}");
    let subnets = ok(&mut c, "DescribeSubnets", json!({"SubnetIds": ["subnet-seed0001"]})).await;
    assert_eq!(subnets["SubnetSet"][0]["VpcId"], "vpc-x");
    emu.shutdown().await;
}

#[tokio::test]
async fn the_state_on_disk_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!("tce-restart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let emu = Emulator::builder().state_dir(&dir).start().await.unwrap();
    let mut c = client(&emu).await;
    let id =
        ok(&mut c, "CreateVpc", json!({"VpcName": "kept", "CidrBlock": "10.0.0.0/16"})).await["Vpc"]["VpcId"].clone();
    let gone =
        ok(&mut c, "CreateVpc", json!({"VpcName": "gone", "CidrBlock": "10.0.0.0/16"})).await["Vpc"]["VpcId"].clone();
    ok(&mut c, "DeleteVpc", json!({"VpcId": gone})).await;
    emu.shutdown().await;

    let emu = Emulator::builder().state_dir(&dir).start().await.unwrap();
    let mut c = client(&emu).await;
    let v = ok(&mut c, "DescribeVpcs", json!({})).await;
    assert_eq!(v["TotalCount"], 1);
    assert_eq!(v["VpcSet"][0]["VpcId"], id);
    assert_eq!(v["VpcSet"][0]["VpcName"], "kept");
    emu.reset().unwrap();
    emu.shutdown().await;
    let emu = Emulator::builder().state_dir(&dir).start().await.unwrap();
    assert_eq!(emu.resource_count(), 0, "a reset is durable too");
    emu.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Resources per client (8 clients); `EMULATOR_LOAD` raises it (10,000 in all: 1250).
fn per_client() -> usize {
    std::env::var("EMULATOR_LOAD").ok().and_then(|v| v.parse().ok()).unwrap_or(100)
}

/// 8 clients create, list and delete at once: no id twice, exactly the undeleted ones remain,
/// and every listing's TotalCount equals what it lists.
async fn load(emu: &RunningEmulator, what: &str) {
    let n = per_client();
    let started = Instant::now();
    let tasks: Vec<_> = (0..8)
        .map(|k| {
            let addr = emu.addr();
            tokio::spawn(async move {
                let (id, key) = default_test_key();
                let mut c = Client::connect(addr, id, key).await.unwrap();
                let (mut kept, mut deleted) = (Vec::new(), Vec::new());
                for i in 0..n {
                    let body = json!({"VpcName": format!("load-{k}-{i}"), "CidrBlock": "10.0.0.0/16"});
                    let v = vpc(&mut c, "CreateVpc", "ap-guangzhou", body).await.unwrap();
                    let id = v["Vpc"]["VpcId"].as_str().unwrap().to_owned();
                    if i % 3 == 0 {
                        vpc(&mut c, "DeleteVpc", "ap-guangzhou", json!({"VpcId": id})).await.unwrap();
                        deleted.push(id);
                    } else {
                        kept.push(id);
                    }
                    if i % 10 == 0 {
                        // One listing is one consistent view: its page is its total's first 100.
                        let page = vpc(&mut c, "DescribeVpcs", "ap-guangzhou", json!({"Limit": "100"})).await.unwrap();
                        let total = page["TotalCount"].as_u64().unwrap() as usize;
                        let listed = page["VpcSet"].as_array().unwrap().len();
                        assert_eq!(listed, total.min(100), "TotalCount {total} but {listed} listed");
                    }
                }
                (kept, deleted)
            })
        })
        .collect();
    let (mut kept, mut deleted) = (Vec::new(), Vec::new());
    for t in tasks {
        let (k, d) = t.await.unwrap();
        kept.extend(k);
        deleted.extend(d);
    }
    let secs = started.elapsed().as_secs_f64();
    let creates = 8 * n;
    let all: HashSet<&String> = kept.iter().chain(&deleted).collect();
    assert_eq!(all.len(), creates, "no id issued twice");
    let mut c = client(emu).await;
    let mut listed = HashSet::new();
    let mut offset = 0;
    loop {
        let page = ok(&mut c, "DescribeVpcs", json!({"Offset": offset.to_string(), "Limit": "100"})).await;
        assert_eq!(page["TotalCount"].as_u64().unwrap() as usize, kept.len());
        let set = page["VpcSet"].as_array().unwrap();
        listed.extend(set.iter().map(|v| v["VpcId"].as_str().unwrap().to_owned()));
        offset += 100;
        if set.len() < 100 {
            break;
        }
    }
    assert_eq!(listed, kept.iter().cloned().collect::<HashSet<_>>(), "exactly the VPCs not deleted");
    println!(
        "load ({what}): 8 clients, {creates} creates + {} deletes + {} listings in {secs:.2} s: {:.0} creates/s, {} left",
        deleted.len(),
        8 * n.div_ceil(10),
        creates as f64 / secs,
        kept.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_clients_at_once_in_memory_and_on_disk() {
    let emu = Emulator::builder().resources(true).start().await.unwrap();
    load(&emu, "memory").await;
    emu.shutdown().await;
    let dir = std::env::temp_dir().join(format!("tce-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let emu = Emulator::builder().state_dir(&dir).start().await.unwrap();
    load(&emu, "state on disk").await;
    emu.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
