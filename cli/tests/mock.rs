//! `tcloud mock --state DIR` as a child process: killed with SIGKILL in the middle of a stream
//! of creates (made by `tcloud call` processes), it reloads every create it answered, at most
//! the one in flight more, and a torn record at the journal's end is cut off. `--seed` too;
//! `--tls-chain`.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

const ID: &str = "AKIDMOCK-TEST-0001";
const KEY: &str = "mock-test-secret-key-00000000001";

/// Starts `tcloud mock` with `args`; the lines it prints up to `press Ctrl-C to stop` (its
/// banner, which ends with that line).
fn mock_banner(args: &[&str]) -> (Child, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tcloud"))
        .args(["mock", "--key", &format!("{ID}:{KEY}")])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    let mut out = BufReader::new(child.stdout.as_mut().unwrap());
    loop {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 || line.starts_with("press Ctrl-C") {
            break;
        }
        lines.push(line.trim_end().to_owned());
    }
    drop(out);
    (child, lines)
}

/// Starts `tcloud mock` with `args`; its endpoint (from the banner's first line).
fn mock(args: &[&str]) -> (Child, String) {
    let (child, lines) = mock_banner(args);
    (child, endpoint(&lines))
}

/// The endpoint a banner's first line names.
fn endpoint(banner: &[String]) -> String {
    let first = banner.first().and_then(|l| l.strip_prefix("emulator listening on "));
    first.unwrap_or_else(|| panic!("{banner:?}")).to_owned()
}

/// `tcloud call vpc 2017-03-12 <action> <body>`: the `Response` object, or `None` on any failure.
fn call(endpoint: &str, action: &str, body: &Value) -> Option<Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_tcloud"))
        .args(["call", "vpc", "2017-03-12", action, &body.to_string(), "--region", "ap-guangzhou"])
        .args(["--endpoint", endpoint, "--timeout", "5"])
        .env("TENCENTCLOUD_SECRET_ID", ID)
        .env("TENCENTCLOUD_SECRET_KEY", KEY)
        .env_remove("TENCENTCLOUD_SESSION_TOKEN")
        .env_remove("HTTPS_PROXY")
        .env_remove("HTTP_PROXY")
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    serde_json::from_slice(&out.stdout).ok()
}

/// Every VPC id listed, page by page.
fn listed(endpoint: &str) -> Vec<String> {
    let mut ids = Vec::new();
    loop {
        let page = call(endpoint, "DescribeVpcs", &json!({"Offset": ids.len().to_string(), "Limit": "100"})).unwrap();
        let set = page["VpcSet"].as_array().unwrap();
        ids.extend(set.iter().map(|v| v["VpcId"].as_str().unwrap().to_owned()));
        if set.len() < 100 {
            assert_eq!(page["TotalCount"].as_u64().unwrap() as usize, ids.len());
            return ids;
        }
    }
}

fn kill(mut child: Child) {
    child.kill().unwrap(); // SIGKILL on Unix: no chance to flush anything
    child.wait().unwrap();
}

#[test]
fn kill_9_in_a_stream_of_creates_loses_at_most_the_request_in_flight() {
    let dir = std::env::temp_dir().join(format!("tcloud-mock-state-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let state = dir.to_str().unwrap();
    let answered = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut in_flight_lost = 0;
    for round in 0..3 {
        let (child, endpoint) = mock(&["--state", state]);
        // Two streams of creates; the server is killed while they run.
        let stop = Arc::new(AtomicBool::new(false));
        let streams: Vec<_> = (0..2)
            .map(|s| {
                let (endpoint, answered, stop) = (endpoint.clone(), answered.clone(), stop.clone());
                std::thread::spawn(move || {
                    let mut i = 0;
                    while !stop.load(Ordering::SeqCst) {
                        let body = json!({"VpcName": format!("r{round}-s{s}-{i}"), "CidrBlock": "10.0.0.0/16"});
                        match call(&endpoint, "CreateVpc", &body) {
                            Some(v) => answered.lock().unwrap().push(v["Vpc"]["VpcId"].as_str().unwrap().to_owned()),
                            None => return,
                        }
                        i += 1;
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(700 + 150 * round));
        kill(child);
        stop.store(true, Ordering::SeqCst);
        for s in streams {
            s.join().unwrap();
        }
        let (child, endpoint) = mock(&["--state", state]);
        let ids = listed(&endpoint);
        let answered = answered.lock().unwrap();
        for id in answered.iter() {
            assert!(ids.contains(id), "round {round}: {id} was answered but is gone after kill -9");
        }
        let extra = ids.len() - answered.len() - in_flight_lost;
        assert!(extra <= 2, "round {round}: {extra} more than answered (2 streams: at most one in flight each)");
        in_flight_lost += extra;
        println!("round {round}: {} answered in all, {} reloaded, {extra} in flight kept", answered.len(), ids.len());
        kill(child);
    }
    let kept = answered.lock().unwrap().len() + in_flight_lost;
    assert!(kept >= 6, "the streams made progress ({kept})");

    // A record torn at the journal's end (the process died in the middle of writing it).
    let journal = dir.join("resources.journal");
    std::fs::OpenOptions::new().append(true).open(&journal).unwrap().write_all(&[200, 0, 0, 0, 1, 2, 3]).unwrap();
    let (child, endpoint) = mock(&["--state", state]);
    assert_eq!(listed(&endpoint).len(), kept, "the torn record is dropped, the rest reloaded");
    assert!(call(&endpoint, "CreateVpc", &json!({"VpcName": "after", "CidrBlock": "10.0.0.0/16"})).is_some());
    kill(child);
    let (child, endpoint) = mock(&["--state", state]);
    assert_eq!(listed(&endpoint).len(), kept + 1, "written after the cut, read back");
    kill(child);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn seed_file_and_stateless() {
    let file = std::env::temp_dir().join(format!("tcloud-mock-seed-{}.json", std::process::id()));
    let vpcs: Vec<Value> =
        (0..3).map(|i| json!({"VpcId": format!("vpc-seed000{i}"), "VpcName": format!("s{i}")})).collect();
    std::fs::write(&file, json!({"vpc": {"Vpc": vpcs}}).to_string()).unwrap();
    let (child, endpoint) = mock(&["--seed", file.to_str().unwrap()]);
    assert_eq!(listed(&endpoint), ["vpc-seed0000", "vpc-seed0001", "vpc-seed0002"]);
    kill(child);

    std::fs::write(&file, r#"{"vpc": {"NoSuchKind": []}}"#).unwrap();
    let out =
        Command::new(env!("CARGO_BIN_EXE_tcloud")).args(["mock", "--seed", file.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no resource kind `NoSuchKind`"));
    std::fs::remove_file(&file).unwrap();

    // Stateless: the documented answer, whatever was created.
    let (child, endpoint) = mock(&["--stateless"]);
    call(&endpoint, "CreateVpc", &json!({"VpcName": "x", "CidrBlock": "10.0.0.0/16"})).unwrap();
    let doc = call(&endpoint, "DescribeVpcs", &json!({})).unwrap();
    assert!(doc["VpcSet"].as_array().is_some_and(|s| s.iter().all(|v| v["VpcName"] != "x")), "{doc}");
    kill(child);
}

/// `--tls-chain rsa-cross`: the roots' paths printed, and `tcloud call` (rustls, webpki)
/// reaches the endpoint trusting either one.
#[test]
fn tls_chain_rsa_cross_prints_both_roots_and_either_is_trusted() {
    // Shared with the emulator's tests: the RSA keys are generated once.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("emulator-rsa-chain-ca");
    let (child, lines) = mock_banner(&["--tls", "--tls-chain", "rsa-cross", "--ca-dir", dir.to_str().unwrap()]);
    let endpoint = endpoint(&lines);
    let root = format!("CA certificate: {}", dir.join("rsa-root.pem").display());
    let old_root = format!("old root certificate: {}", dir.join("rsa-old-root.pem").display());
    assert!(lines.contains(&root) && lines.contains(&old_root), "{lines:?}");
    assert!(lines.iter().any(|l| l.starts_with("TLS chain: rsa-cross (leaf RSA-2048 <- intermediate RSA-4096")));
    for anchor in ["rsa-root.pem", "rsa-old-root.pem"] {
        let out = Command::new(env!("CARGO_BIN_EXE_tcloud"))
            .args(["call", "cvm", "2017-03-12", "DescribeInstances", "{}", "--region", "ap-guangzhou"])
            .args(["--endpoint", &endpoint, "--timeout", "10", "--ca-file", dir.join(anchor).to_str().unwrap()])
            .env("TENCENTCLOUD_SECRET_ID", ID)
            .env("TENCENTCLOUD_SECRET_KEY", KEY)
            .env_remove("TENCENTCLOUD_SESSION_TOKEN")
            .env_remove("HTTPS_PROXY")
            .output()
            .unwrap();
        assert!(out.status.success(), "{anchor}: {}", String::from_utf8_lossy(&out.stderr));
    }
    kill(child);

    let out = Command::new(env!("CARGO_BIN_EXE_tcloud")).args(["mock", "--tls-chain", "rsa"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tls-chain rsa needs --tls or --proxy"));
}
