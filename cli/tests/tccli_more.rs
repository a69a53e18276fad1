//! What tcloud does beyond tccli, and tccli's waiter, against the emulator's stateful
//! resources: `--waiter` until a CVM instance is RUNNING (PENDING for `instance_boot`),
//! `--page-all` over seeded VPCs (text offsets) and run instances (numeric offsets), `--dry-run`
//! (the signed request, secrets masked, nothing sent).

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tencentcloud_emulator::Emulator;

const ID: &str = "AKIDCLI-TEST-0005";
const KEY: &str = "cli-test-secret-key-000000000005";

fn home() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tcloud-more-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn tcloud(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tcloud"));
    cmd.args(args).env("HOME", home()).env_remove("HTTPS_PROXY").env_remove("HTTP_PROXY").env_remove("RUST_LOG");
    for (k, _) in std::env::vars() {
        if k.starts_with("TENCENTCLOUD_") || k.starts_with("TKE_") || k.starts_with("TCCLI_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("TENCENTCLOUD_SECRET_ID", ID)
        .env("TENCENTCLOUD_SECRET_KEY", KEY)
        .env("TENCENTCLOUD_REGION", "ap-guangzhou");
    cmd.output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json_out(out: &Output) -> Value {
    assert!(out.status.success(), "{}", stderr(out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn waiter_polls_until_the_instance_runs() {
    let boot = Duration::from_millis(1500);
    let emu = Emulator::builder().key(ID, KEY).resources(true).instance_boot(boot).start().await.unwrap();
    let ep = emu.endpoint();
    let ran = json_out(&tcloud(&["cvm", "RunInstances", "--ImageId", "img-1", "--endpoint", &ep]));
    let id = ran["InstanceIdSet"][0].as_str().unwrap().to_owned();

    let started = Instant::now();
    let waiter = r#"{"expr": "InstanceSet[0].InstanceState", "to": "RUNNING", "interval": 0.3, "timeout": 20}"#;
    let out = tcloud(&["cvm", "DescribeInstances", "--InstanceIds", &id, "--waiter", waiter, "--endpoint", &ep]);
    let answer = json_out(&out);
    assert_eq!(answer["InstanceSet"][0]["InstanceState"], "RUNNING");
    let polls = emu.requests().iter().filter(|r| r.action.as_deref() == Some("DescribeInstances")).count();
    println!("waiter: RUNNING after {polls} calls in {:?}", started.elapsed());
    assert!(polls >= 2, "it was PENDING first: {polls} calls");
    assert!(stderr(&out).contains("Inquiry result is PENDING."), "{}", stderr(&out));

    // tccli's Python form, and the timeout (exit 4, tccli's words).
    let ran = json_out(&tcloud(&["cvm", "RunInstances", "--ImageId", "img-1", "--endpoint", &ep]));
    let id = ran["InstanceIdSet"][0].as_str().unwrap().to_owned();
    let waiter = "{'expr':'InstanceSet[0].InstanceState','to':'STOPPED','timeout':0.5,'interval':0.2}";
    let out = tcloud(&["cvm", "DescribeInstances", "--InstanceIds", &id, "--waiter", waiter, "--endpoint", &ep]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("Request timeout, wait `InstanceSet[0].InstanceState` to `STOPPED` timeout, last request is"),
        "{}",
        stderr(&out)
    );
    let out = tcloud(&["cvm", "DescribeInstances", "--waiter", r#"{"to": 1}"#, "--endpoint", &ep]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`expr` in `--waiter` must be defined"));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn page_all_merges_every_page() {
    let vpcs: Vec<Value> =
        (0..23).map(|i| json!({"VpcName": format!("vpc-{i:02}"), "CidrBlock": "10.0.0.0/16"})).collect();
    let emu = Emulator::builder().key(ID, KEY).seed(json!({"vpc": {"Vpc": vpcs}})).start().await.unwrap();
    let ep = emu.endpoint();

    // VPC's Offset and Limit are text: 5 pages of 5, one answer of 23.
    let all = json_out(&tcloud(&["vpc", "DescribeVpcs", "--Limit", "5", "--page-all", "--endpoint", &ep]));
    let names: Vec<&str> = all["VpcSet"].as_array().unwrap().iter().map(|v| v["VpcName"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 23);
    assert_eq!(names.iter().collect::<std::collections::HashSet<_>>().len(), 23, "each VPC once");
    assert_eq!(all["TotalCount"], 23);
    let offsets: Vec<Value> = emu
        .requests()
        .iter()
        .filter(|r| r.action.as_deref() == Some("DescribeVpcs"))
        .map(|r| r.params.clone().unwrap().get("Offset").cloned().unwrap_or(Value::Null))
        .collect();
    println!("page-all: DescribeVpcs offsets {offsets:?}");
    assert_eq!(offsets, [Value::Null, json!("5"), json!("10"), json!("15"), json!("20")]);

    // CVM instances: numeric offsets; the filter applies to the merged answer.
    json_out(&tcloud(&["cvm", "RunInstances", "--ImageId", "img-1", "--InstanceCount", "5", "--endpoint", &ep]));
    let out = tcloud(&[
        "cvm",
        "DescribeInstances",
        "--Limit",
        "2",
        "--page-all",
        "--filter",
        "length(InstanceSet)",
        "--endpoint",
        &ep,
    ]);
    assert_eq!(json_out(&out), json!(7), "two fixed instances and the five run");
    let out = tcloud(&["cvm", "DescribeRegions", "--page-all", "--endpoint", &ep]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does not page"), "{}", stderr(&out));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_prints_the_signed_request_masked() {
    let emu = Emulator::builder().key(ID, KEY).start().await.unwrap();
    let ep = emu.endpoint();
    let out = tcloud(&[
        "cvm",
        "DescribeInstances",
        "--Limit",
        "1",
        "--dry-run",
        "--endpoint",
        &ep,
        "--token",
        "session-token-abcd",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("POST / HTTP/1.1\n"), "{text}");
    assert!(
        text.contains("X-TC-Action: DescribeInstances\n") && text.contains("X-TC-Region: ap-guangzhou\n"),
        "{text}"
    );
    assert!(text.contains(&format!("Credential=****************{}/", &ID[ID.len() - 4..])), "{text}");
    assert!(text.contains("X-TC-Token: ****************abcd\n"), "{text}");
    assert!(text.ends_with("\n\n{\"Limit\":1}"), "{text}");
    assert!(!text.contains(ID) && !text.contains(KEY) && !text.contains("session-token"), "{text}");
    assert_eq!(emu.request_count(), 0, "nothing sent");
    emu.shutdown().await;
}
