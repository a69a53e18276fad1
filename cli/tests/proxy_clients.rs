//! Official clients, unchanged, against `tcloud mock --proxy`: the official Python SDK
//! (`tencentcloud-sdk-python-*` from PyPI, in a virtualenv this test makes and keeps under
//! target/), tccli (`--https-proxy`), the official Node.js SDK (from npm), our own `tcloud`
//! (`HTTPS_PROXY`) and transport-std (its `HTTPS_PROXY` rules). Each is given only the proxy
//! (its usual variable or option) and the emulator's CA; none is told an endpoint. A client
//! that cannot be installed here is skipped with the reason printed, never passed silently.
//!
//! Prints `proxy clients: <client> <passed>/<made> ...` (see it with `--nocapture`).

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ID: &str = "AKIDPROXYCLIENTS00000000000000000001";
const KEY: &str = "proxy-clients-secret-key-000000001";
/// The VPC the Python SDK creates and leaves for the other clients to see.
const SHARED_VPC: &str = "made-by-python-sdk";

/// Where the virtualenv, the npm packages and the CA are kept between runs.
fn work_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
}

/// What one client did.
#[derive(Debug, Default)]
struct Tally {
    made: usize,
    passed: usize,
    failures: Vec<String>,
}

impl Tally {
    fn record(&mut self, call: &str, result: Result<String, String>) {
        self.made += 1;
        match result {
            Ok(_) => self.passed += 1,
            Err(e) => self.failures.push(format!("{call}: {e}")),
        }
    }
}

/// `tcloud mock --proxy` as a child process.
struct Mock {
    child: Child,
    proxy: String,
    ca: PathBuf,
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_mock() -> Mock {
    let ca_dir = work_dir().join("proxy-ca");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tcloud"))
        .args(["mock", "--proxy", "--key", &format!("{ID}:{KEY}"), "--ca-dir"])
        .arg(&ca_dir)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut proxy, mut ca) = (None, None);
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("proxy: HTTPS_PROXY=") {
            proxy = rest.split_whitespace().next().map(str::to_owned);
        }
        if let Some(path) = line.strip_prefix("CA certificate: ") {
            ca = Some(PathBuf::from(path));
        }
        if line.starts_with("press Ctrl-C") {
            break;
        }
    }
    // Keep reading (and dropping) whatever else it prints.
    std::thread::spawn(move || lines.for_each(drop));
    let mock = Mock { child, proxy: proxy.expect("the proxy line"), ca: ca.expect("the CA line") };
    assert_eq!(mock.ca, ca_dir.join("ca.pem"));
    mock
}

/// Runs `cmd` with its output collected, killed past `limit`.
fn run(cmd: &mut Command, limit: Duration) -> Result<(ExitStatus, String, String), String> {
    let mut child =
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().map_err(|e| e.to_string())?;
    let drain = |r: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(mut r) = r {
                let _ = r.read_to_string(&mut s);
            }
            s
        })
    };
    let out = drain(child.stdout.take().map(|r| Box::new(r) as Box<dyn Read + Send>));
    let err = drain(child.stderr.take().map(|r| Box::new(r) as Box<dyn Read + Send>));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("timed out after {}s", limit.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Ok((status, out.join().unwrap_or_default(), err.join().unwrap_or_default()))
}

/// The last lines of a command's error output, for a skip reason.
fn tail(s: &str) -> String {
    let lines: Vec<&str> = s.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(3)..].join(" | ")
}

/// Runs `cmd`; `Ok` if it exited 0, else the reason.
fn ok(cmd: &mut Command, limit: Duration, what: &str) -> Result<String, String> {
    match run(cmd, limit) {
        Ok((status, out, _)) if status.success() => Ok(out),
        Ok((status, out, err)) => Err(format!("{what} failed ({status}): {}", tail(&format!("{out}\n{err}")))),
        Err(e) => Err(format!("{what}: {e}")),
    }
}

// ---------------------------------------------------------------------------------------------
// Python: the official SDK and tccli in one virtualenv.

const PY_SDK_PACKAGES: [&str; 3] =
    ["tencentcloud-sdk-python-common", "tencentcloud-sdk-python-cvm", "tencentcloud-sdk-python-vpc"];

fn pip_install(python: &Path, packages: &[&str], limit: Duration) -> Result<String, String> {
    let mut cmd = Command::new(python);
    cmd.args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--retries", "1", "--timeout", "30"]);
    ok(cmd.args(packages), limit, &format!("pip install {}", packages.join(" ")))
}

fn python_imports(python: &Path, modules: &str) -> bool {
    run(Command::new(python).args(["-c", &format!("import {modules}")]), Duration::from_secs(60))
        .is_ok_and(|(s, _, _)| s.success())
}

/// The virtualenv's python with the SDK installed (made in a scratch directory and moved into
/// place whole, so a run never sees half of one), or why there is none.
fn python_sdk() -> Result<PathBuf, String> {
    let venv = work_dir().join("proxy-venv");
    let python = venv.join("bin").join("python");
    let sdk = "tencentcloud.common, tencentcloud.cvm.v20170312, tencentcloud.vpc.v20170312";
    if python.exists() && python_imports(&python, sdk) {
        return Ok(python);
    }
    let _ = std::fs::remove_dir_all(&venv);
    let scratch = work_dir().join(format!("proxy-venv.{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let made =
        ok(Command::new("python3").args(["-m", "venv"]).arg(&scratch), Duration::from_secs(120), "python3 -m venv");
    if let Err(e) = made {
        let _ = std::fs::remove_dir_all(&scratch);
        return Err(format!(
            "{e} (python3 with venv and ensurepip is needed; on Debian: apt-get install python3-venv)"
        ));
    }
    let scratch_python = scratch.join("bin").join("python");
    if let Err(e) = pip_install(&scratch_python, &PY_SDK_PACKAGES, Duration::from_secs(240)) {
        let _ = std::fs::remove_dir_all(&scratch);
        return Err(e);
    }
    if std::fs::rename(&scratch, &venv).is_err() {
        // Another run put one in place meanwhile.
        let _ = std::fs::remove_dir_all(&scratch);
    }
    if python_imports(&python, sdk) { Ok(python) } else { Err("the virtualenv does not import the SDK".into()) }
}

/// tccli in the same virtualenv (installed there on first use), or why not.
fn tccli(python: &Path) -> Result<(), String> {
    if python_imports(python, "tccli.main") {
        return Ok(());
    }
    pip_install(python, &["tccli"], Duration::from_secs(400))?;
    if python_imports(python, "tccli.main") { Ok(()) } else { Err("tccli installed but does not import".into()) }
}

/// Trusts the emulator's CA where requests-based clients look by default: the virtualenv's
/// certifi bundle (the Python SDK and tccli pass it to requests explicitly, so
/// `REQUESTS_CA_BUNDLE` does not reach them).
fn trust_in_certifi(python: &Path, ca: &Path) -> Result<(), String> {
    let out = ok(Command::new(python).args(["-m", "certifi"]), Duration::from_secs(60), "python -m certifi")?;
    let bundle = PathBuf::from(out.trim());
    let pem = std::fs::read_to_string(ca).map_err(|e| format!("{}: {e}", ca.display()))?;
    let current = std::fs::read_to_string(&bundle).map_err(|e| format!("{}: {e}", bundle.display()))?;
    if !current.contains(pem.trim()) {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().append(true).open(&bundle).map_err(|e| e.to_string())?;
        write!(f, "\n# tencentcloud-emulator (tcloud mock) CA\n{pem}").map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Application code as its users write it: no endpoint, no proxy, no certificate in the code.
/// It prints one JSON list of `{"call", "ok", "detail"}` as its last line.
const PYTHON_APP: &str = r#"
import json, os, sys
from tencentcloud.common import credential
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.cvm.v20170312 import cvm_client, models as cvm_models
from tencentcloud.vpc.v20170312 import vpc_client, models as vpc_models

results = []
def check(name, fn):
    try:
        results.append({"call": name, "ok": True, "detail": str(fn())[:300]})
    except Exception as e:
        results.append({"call": name, "ok": False, "detail": repr(e)[:600]})

cred = credential.EnvironmentVariableCredential().get_credential()
cvm = cvm_client.CvmClient(cred, "ap-guangzhou")
vpc = vpc_client.VpcClient(cred, "ap-guangzhou")

def regions():
    r = cvm.DescribeRegions(cvm_models.DescribeRegionsRequest())
    assert r.TotalCount > 0 and any(x.Region == "ap-guangzhou" for x in r.RegionSet), r.to_json_string()
    return r.TotalCount
check("cvm.DescribeRegions", regions)

def zones():
    r = cvm.DescribeZones(cvm_models.DescribeZonesRequest())
    assert r.TotalCount > 0 and all(z.Zone.startswith("ap-guangzhou") for z in r.ZoneSet), r.to_json_string()
    return [z.Zone for z in r.ZoneSet]
check("cvm.DescribeZones", zones)

def instances():
    r = cvm.DescribeInstances(cvm_models.DescribeInstancesRequest())
    assert r.TotalCount == len(r.InstanceSet), r.to_json_string()
    return r.TotalCount
check("cvm.DescribeInstances", instances)

def run_and_describe():
    req = cvm_models.RunInstancesRequest()
    req.from_json_string(json.dumps({"Placement": {"Zone": "ap-guangzhou-3"}, "ImageId": "img-pi0ii46r",
                                     "InstanceType": "S5.MEDIUM2", "InstanceName": "py-sdk"}))
    ids = cvm.RunInstances(req).InstanceIdSet
    d = cvm_models.DescribeInstancesRequest()
    d.InstanceIds = ids
    r = cvm.DescribeInstances(d)
    assert [i.InstanceId for i in r.InstanceSet] == ids and r.InstanceSet[0].InstanceName == "py-sdk", r.to_json_string()
    return ids
check("cvm.RunInstances+DescribeInstances", run_and_describe)

state = {}
def create_vpc():
    req = vpc_models.CreateVpcRequest()
    req.VpcName = "py-sdk-vpc"
    req.CidrBlock = "10.40.0.0/16"
    state["vpc"] = vpc.CreateVpc(req).Vpc.VpcId
    return state["vpc"]
check("vpc.CreateVpc", create_vpc)

def describe_vpc():
    req = vpc_models.DescribeVpcsRequest()
    req.VpcIds = [state["vpc"]]
    r = vpc.DescribeVpcs(req)
    assert r.TotalCount == 1 and r.VpcSet[0].VpcName == "py-sdk-vpc" and r.VpcSet[0].CidrBlock == "10.40.0.0/16", r.to_json_string()
    return r.VpcSet[0].VpcId
check("vpc.DescribeVpcs shows it", describe_vpc)

def subnet():
    req = vpc_models.CreateSubnetRequest()
    req.from_json_string(json.dumps({"VpcId": state["vpc"], "SubnetName": "a", "CidrBlock": "10.40.1.0/24", "Zone": "ap-guangzhou-3"}))
    sid = vpc.CreateSubnet(req).Subnet.SubnetId
    d = vpc_models.DescribeSubnetsRequest()
    d.from_json_string(json.dumps({"Filters": [{"Name": "vpc-id", "Values": [state["vpc"]]}]}))
    r = vpc.DescribeSubnets(d)
    assert [s.SubnetId for s in r.SubnetSet] == [sid], r.to_json_string()
    state["subnet"] = sid
    return sid
check("vpc.CreateSubnet+DescribeSubnets", subnet)

def in_use():
    req = vpc_models.DeleteVpcRequest()
    req.VpcId = state["vpc"]
    try:
        vpc.DeleteVpc(req)
    except TencentCloudSDKException as e:
        assert e.code == "ResourceInUse", e
        return e.code
    raise AssertionError("a VPC with a subnet was deleted")
check("vpc.DeleteVpc refused while in use", in_use)

def delete_all():
    req = vpc_models.DeleteSubnetRequest()
    req.SubnetId = state["subnet"]
    vpc.DeleteSubnet(req)
    req = vpc_models.DeleteVpcRequest()
    req.VpcId = state["vpc"]
    vpc.DeleteVpc(req)
    r = vpc.DescribeVpcs(vpc_models.DescribeVpcsRequest())
    assert all(v.VpcId != state["vpc"] for v in r.VpcSet), r.to_json_string()
    return "gone"
check("vpc.DeleteSubnet+DeleteVpc", delete_all)

def shared():
    req = vpc_models.CreateVpcRequest()
    req.VpcName = os.environ["SHARED_VPC"]
    req.CidrBlock = "10.50.0.0/16"
    return vpc.CreateVpc(req).Vpc.VpcId
check("vpc.CreateVpc (left for the other clients)", shared)

def regional():
    hp = HttpProfile(endpoint="cvm.ap-shanghai.tencentcloudapi.com")
    c = cvm_client.CvmClient(cred, "ap-shanghai", ClientProfile(httpProfile=hp))
    r = c.DescribeZones(cvm_models.DescribeZonesRequest())
    assert all(z.Zone.startswith("ap-shanghai") for z in r.ZoneSet), r.to_json_string()
    return r.TotalCount
check("cvm.DescribeZones at cvm.ap-shanghai.tencentcloudapi.com", regional)

def get_method():
    c = cvm_client.CvmClient(cred, "ap-guangzhou", ClientProfile(httpProfile=HttpProfile(reqMethod="GET")))
    return c.DescribeRegions(cvm_models.DescribeRegionsRequest()).TotalCount
check("cvm.DescribeRegions as GET (form content type)", get_method)

def common_client():
    c = CommonClient("sts", "2018-08-13", cred, "ap-guangzhou")
    r = c.call_json("GetCallerIdentity", {})
    assert "Response" in r and "Error" not in r["Response"], r
    return sorted(r["Response"])
check("sts.GetCallerIdentity (CommonClient)", common_client)

def own_options():
    # The SDK's own options instead of the environment.
    hp = HttpProfile(proxy=os.environ["PROXY_URL"], certification=os.environ["EMULATOR_CA"])
    c = cvm_client.CvmClient(cred, "ap-guangzhou", ClientProfile(httpProfile=hp))
    return c.DescribeRegions(cvm_models.DescribeRegionsRequest()).TotalCount
check("cvm.DescribeRegions with HttpProfile(proxy=, certification=)", own_options)

def wrong_key():
    bad = credential.Credential(cred.secretId, "not-the-key")
    try:
        cvm_client.CvmClient(bad, "ap-guangzhou").DescribeRegions(cvm_models.DescribeRegionsRequest())
    except TencentCloudSDKException as e:
        assert e.code == "AuthFailure.SignatureFailure", e
        return e.code
    raise AssertionError("a wrong key was accepted")
check("a wrong key is refused (AuthFailure.SignatureFailure)", wrong_key)

print(json.dumps(results))
"#;

fn python_clients(mock: &Mock, python: &Path, tally: &mut Tally) {
    let script = work_dir().join("proxy_clients_app.py");
    std::fs::write(&script, PYTHON_APP).unwrap();
    let mut cmd = Command::new(python);
    cmd.arg(&script)
        .env("HTTPS_PROXY", &mock.proxy)
        .env("TENCENTCLOUD_SECRET_ID", ID)
        .env("TENCENTCLOUD_SECRET_KEY", KEY)
        .env("SHARED_VPC", SHARED_VPC)
        .env("PROXY_URL", &mock.proxy)
        .env("EMULATOR_CA", &mock.ca);
    clean_env(&mut cmd, &["HTTPS_PROXY"]);
    let out = match ok(&mut cmd, Duration::from_secs(120), "the Python app") {
        Ok(out) => out,
        Err(e) => return tally.record("the Python app", Err(e)),
    };
    let results: Vec<Value> = serde_json::from_str(out.lines().last().unwrap_or("")).unwrap_or_default();
    assert!(!results.is_empty(), "the Python app printed no results: {out}");
    for r in results {
        let call = r["call"].as_str().unwrap_or("?");
        let detail = r["detail"].as_str().unwrap_or("").to_owned();
        tally.record(call, if r["ok"] == true { Ok(detail) } else { Err(detail) });
    }
}

fn tccli_clients(mock: &Mock, python: &Path, tally: &mut Tally) {
    let home = work_dir().join("proxy-tccli-home");
    let _ = std::fs::create_dir_all(&home);
    let tccli = |args: &[&str]| -> Result<Value, String> {
        let mut cmd = Command::new(python);
        cmd.args(["-m", "tccli.main"])
            .args(args)
            .args(["--region", "ap-guangzhou", "--https-proxy", &mock.proxy])
            .env("HOME", &home)
            .env("TENCENTCLOUD_SECRET_ID", ID)
            .env("TENCENTCLOUD_SECRET_KEY", KEY);
        clean_env(&mut cmd, &[]);
        let out = ok(&mut cmd, Duration::from_secs(60), &format!("tccli {}", args.join(" ")))?;
        serde_json::from_str(&out).map_err(|e| format!("not JSON ({e}): {out}"))
    };
    let check = |v: Result<Value, String>, f: &dyn Fn(&Value) -> bool| match v {
        Ok(v) if f(&v) => Ok(v.to_string()),
        Ok(v) => Err(format!("unexpected: {v}")),
        Err(e) => Err(e),
    };
    let r = tccli(&["cvm", "DescribeRegions"]);
    tally.record("tccli cvm DescribeRegions", check(r, &|v| v["TotalCount"].as_u64() > Some(0)));
    let r = tccli(&["cvm", "DescribeZones"]);
    tally.record("tccli cvm DescribeZones", check(r, &|v| !v["ZoneSet"].as_array().is_none_or(Vec::is_empty)));
    let r = tccli(&["vpc", "CreateVpc", "--VpcName", "tccli-vpc", "--CidrBlock", "10.60.0.0/16"]);
    let vpc_id = r.as_ref().ok().and_then(|v| v["Vpc"]["VpcId"].as_str().map(str::to_owned));
    tally.record("tccli vpc CreateVpc", check(r, &|v| v["Vpc"]["VpcId"].is_string()));
    let ids = json!([vpc_id.clone().unwrap_or_default()]).to_string();
    let r = tccli(&["vpc", "DescribeVpcs", "--VpcIds", &ids]);
    tally.record(
        "tccli vpc DescribeVpcs shows it",
        check(r, &|v| v["VpcSet"][0]["VpcName"] == "tccli-vpc" && v["TotalCount"] == 1),
    );
    let r = tccli(&["vpc", "DescribeVpcs"]);
    tally.record(
        "tccli vpc DescribeVpcs shows the Python SDK's",
        check(r, &|v| v["VpcSet"].as_array().is_some_and(|s| s.iter().any(|x| x["VpcName"] == SHARED_VPC))),
    );
    let r = tccli(&["vpc", "DeleteVpc", "--VpcId", &vpc_id.unwrap_or_default()]);
    tally.record("tccli vpc DeleteVpc", check(r, &|v| v["RequestId"].is_string()));
}

// ---------------------------------------------------------------------------------------------
// Node.js: the official SDK.

/// `node_modules` with the official Node.js SDK (moved into place whole), or why not.
fn node_sdk() -> Result<PathBuf, String> {
    let dir = work_dir().join("proxy-node");
    let marker = dir.join("node_modules").join("tencentcloud-sdk-nodejs-cvm").join("package.json");
    if marker.exists() {
        return Ok(dir);
    }
    ok(Command::new("node").arg("--version"), Duration::from_secs(30), "node --version")?;
    let scratch = work_dir().join(format!("proxy-node.{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    std::fs::write(scratch.join("package.json"), r#"{"private": true}"#).map_err(|e| e.to_string())?;
    let installed = ok(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent"])
            .args(["tencentcloud-sdk-nodejs-common@4", "tencentcloud-sdk-nodejs-cvm@4"])
            .current_dir(&scratch),
        Duration::from_secs(240),
        "npm install tencentcloud-sdk-nodejs-common tencentcloud-sdk-nodejs-cvm",
    );
    if let Err(e) = installed {
        let _ = std::fs::remove_dir_all(&scratch);
        return Err(e);
    }
    let _ = std::fs::remove_dir_all(&dir);
    if std::fs::rename(&scratch, &dir).is_err() {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    if marker.exists() { Ok(dir) } else { Err("npm installed nothing".into()) }
}

/// Application code as its users write it. The Node.js SDK signs the host without its port
/// and takes the service from the endpoint's first label: through the proxy both are right.
const NODE_APP: &str = r#"
const { CommonClient } = require("tencentcloud-sdk-nodejs-common");
const tencentcloud = require("tencentcloud-sdk-nodejs-cvm");
const results = [];
async function check(call, fn) {
  try { results.push({ call, ok: true, detail: JSON.stringify(await fn()).slice(0, 300) }); }
  catch (e) { results.push({ call, ok: false, detail: String(e && (e.code || "") + " " + (e.message || e)).slice(0, 600) }); }
}
function assert(c, what) { if (!c) throw new Error("assertion failed: " + JSON.stringify(what)); }
(async () => {
  const credential = { secretId: process.env.TENCENTCLOUD_SECRET_ID, secretKey: process.env.TENCENTCLOUD_SECRET_KEY };
  const cvm = new tencentcloud.cvm.v20170312.Client({ credential, region: "ap-guangzhou", profile: {} });
  const vpc = new CommonClient("vpc.tencentcloudapi.com", "2017-03-12", { credential, region: "ap-guangzhou", profile: {} });
  await check("cvm.DescribeRegions", async () => { const r = await cvm.DescribeRegions({}); assert(r.TotalCount > 0, r); return r.TotalCount; });
  await check("cvm.DescribeZones", async () => { const r = await cvm.DescribeZones({}); assert(r.ZoneSet.length > 0, r); return r.TotalCount; });
  await check("cvm.DescribeInstances", async () => { const r = await cvm.DescribeInstances({}); assert(r.TotalCount === r.InstanceSet.length, r); return r.TotalCount; });
  let id;
  await check("vpc.CreateVpc (CommonClient)", async () => { const r = await vpc.request("CreateVpc", { VpcName: "node-vpc", CidrBlock: "10.70.0.0/16" }); id = r.Vpc.VpcId; return id; });
  await check("vpc.DescribeVpcs shows it and the Python SDK's", async () => {
    const r = await vpc.request("DescribeVpcs", {});
    const shared = process.env.SHARED_VPC;
    assert(r.VpcSet.some(v => v.VpcId === id) && (!shared || r.VpcSet.some(v => v.VpcName === shared)), r);
    return r.TotalCount;
  });
  await check("vpc.DeleteVpc", async () => (await vpc.request("DeleteVpc", { VpcId: id })).RequestId);
  // Not through the proxy: an endpoint with a port. The SDK sends `Host: cvm.tencentcloudapi.com:PORT`
  // and signs `host:cvm.tencentcloudapi.com` (the rule host-without-port); the agent only
  // routes the connection to the emulator, as a hosts-file entry would.
  await check("cvm.DescribeRegions at cvm.tencentcloudapi.com:PORT (host signed without its port)", async () => {
    const http = require("http"), net = require("net");
    const agent = new http.Agent();
    agent.createConnection = (opts, cb) => net.connect(Number(process.env.EMULATOR_PORT), "127.0.0.1", cb);
    const profile = { httpProfile: { protocol: "http://", endpoint: "cvm.tencentcloudapi.com:" + process.env.EMULATOR_PORT, agent } };
    const direct = new tencentcloud.cvm.v20170312.Client({ credential, region: "ap-guangzhou", profile });
    const r = await direct.DescribeRegions({});
    assert(r.TotalCount > 0, r);
    return r.TotalCount;
  });
  console.log(JSON.stringify(results));
})();
"#;

fn node_clients(mock: &Mock, dir: &Path, shared: Option<&str>, tally: &mut Tally) {
    std::fs::write(dir.join("app.js"), NODE_APP).unwrap();
    let mut cmd = Command::new("node");
    cmd.arg("app.js")
        .current_dir(dir)
        // The Node.js SDK reads `http_proxy` (for https endpoints too) or its `profile.httpProfile.proxy`.
        .env("http_proxy", &mock.proxy)
        .env("NODE_EXTRA_CA_CERTS", &mock.ca)
        .env("TENCENTCLOUD_SECRET_ID", ID)
        .env("TENCENTCLOUD_SECRET_KEY", KEY)
        .env("SHARED_VPC", shared.unwrap_or(""))
        .env("EMULATOR_PORT", mock.proxy.rsplit(':').next().unwrap_or(""));
    clean_env(&mut cmd, &["http_proxy"]);
    let out = match ok(&mut cmd, Duration::from_secs(120), "the Node.js app") {
        Ok(out) => out,
        Err(e) => return tally.record("the Node.js app", Err(e)),
    };
    let results: Vec<Value> = serde_json::from_str(out.lines().last().unwrap_or("")).unwrap_or_default();
    assert!(!results.is_empty(), "the Node.js app printed no results: {out}");
    for r in results {
        let call = r["call"].as_str().unwrap_or("?");
        let detail = r["detail"].as_str().unwrap_or("").to_owned();
        tally.record(call, if r["ok"] == true { Ok(detail) } else { Err(detail) });
    }
}

// ---------------------------------------------------------------------------------------------
// Ours: tcloud and transport-std.

fn tcloud_clients(mock: &Mock, shared: Option<&str>, tally: &mut Tally) {
    let tcloud = |service: &str, action: &str, params: Value| -> Result<Value, String> {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tcloud"));
        cmd.args(["call", service, "2017-03-12", action, &params.to_string(), "--region", "ap-guangzhou"])
            .arg("--ca-file")
            .arg(&mock.ca)
            .env("HTTPS_PROXY", &mock.proxy)
            .env("TENCENTCLOUD_SECRET_ID", ID)
            .env("TENCENTCLOUD_SECRET_KEY", KEY);
        clean_env(&mut cmd, &["HTTPS_PROXY"]);
        let out = ok(&mut cmd, Duration::from_secs(60), &format!("tcloud call {service} {action}"))?;
        serde_json::from_str(&out).map_err(|e| format!("not JSON ({e}): {out}"))
    };
    let expect = |r: Result<Value, String>, f: &dyn Fn(&Value) -> bool| match r {
        Ok(v) if f(&v) => Ok(v.to_string()),
        Ok(v) => Err(format!("unexpected: {v}")),
        Err(e) => Err(e),
    };
    let r = tcloud("cvm", "DescribeRegions", json!({}));
    tally.record("tcloud cvm DescribeRegions", expect(r, &|v| v["TotalCount"].as_u64() > Some(0)));
    let r = tcloud("cvm", "DescribeZones", json!({}));
    tally.record("tcloud cvm DescribeZones", expect(r, &|v| v["ZoneSet"].as_array().is_some_and(|z| !z.is_empty())));
    let r = tcloud("vpc", "CreateVpc", json!({"VpcName": "tcloud-vpc", "CidrBlock": "10.80.0.0/16"}));
    let id = r.as_ref().ok().and_then(|v| v["Vpc"]["VpcId"].as_str().map(str::to_owned)).unwrap_or_default();
    tally.record("tcloud vpc CreateVpc", expect(r, &|v| v["Vpc"]["VpcId"].is_string()));
    let r = tcloud("vpc", "DescribeVpcs", json!({}));
    tally.record(
        "tcloud vpc DescribeVpcs shows it (and the Python SDK's)",
        expect(r, &|v| {
            let set = v["VpcSet"].as_array().cloned().unwrap_or_default();
            set.iter().any(|x| x["VpcId"] == id.as_str())
                && shared.is_none_or(|n| set.iter().any(|x| x["VpcName"] == n))
        }),
    );
    let r = tcloud("vpc", "DeleteVpc", json!({"VpcId": id}));
    tally.record("tcloud vpc DeleteVpc", expect(r, &|v| v["RequestId"].is_string()));
}

fn transport_std_clients(mock: &Mock, shared: Option<&str>, tally: &mut Tally) {
    use tencentcloud_transport_std::{Client, ClientProfile, HttpProfile, ProxyConfig, StaticProvider};
    let proxy = mock.proxy.clone();
    // transport-std's environment rules, fed a map instead of the process environment.
    let from_env = ProxyConfig::from_lookup(move |name| (name == "HTTPS_PROXY").then(|| proxy.clone())).unwrap();
    let http = HttpProfile::new().proxy(from_env).ca_file(&mock.ca);
    let client = Client::builder()
        .credential(StaticProvider::new(ID, KEY))
        .region("ap-guangzhou")
        .profile(ClientProfile::new().http_profile(http))
        .build()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let call = |service: &str, action: &str, params: Value| {
        rt.block_on(client.call_json(service, "2017-03-12", action, params)).map_err(|e| e.to_string())
    };
    let expect = |r: Result<Value, String>, f: &dyn Fn(&Value) -> bool| match r {
        Ok(v) if f(&v) => Ok(v.to_string()),
        Ok(v) => Err(format!("unexpected: {v}")),
        Err(e) => Err(e),
    };
    let r = call("cvm", "DescribeRegions", json!({}));
    tally.record("transport-std cvm DescribeRegions", expect(r, &|v| v["TotalCount"].as_u64() > Some(0)));
    let r = call("cvm", "DescribeInstances", json!({"Limit": 1}));
    tally.record("transport-std cvm DescribeInstances", expect(r, &|v| v["InstanceSet"].is_array()));
    let r = call("vpc", "CreateVpc", json!({"VpcName": "std-vpc", "CidrBlock": "10.90.0.0/16"}));
    let id = r.as_ref().ok().and_then(|v| v["Vpc"]["VpcId"].as_str().map(str::to_owned)).unwrap_or_default();
    tally.record("transport-std vpc CreateVpc", expect(r, &|v| v["Vpc"]["VpcId"].is_string()));
    let r = call("vpc", "DescribeVpcs", json!({"VpcIds": [id]}));
    tally.record("transport-std vpc DescribeVpcs shows it", expect(r, &|v| v["VpcSet"][0]["VpcName"] == "std-vpc"));
    if let Some(name) = shared {
        let r = call("vpc", "DescribeVpcs", json!({}));
        tally.record(
            "transport-std vpc DescribeVpcs shows the Python SDK's",
            expect(r, &|v| v["VpcSet"].as_array().is_some_and(|s| s.iter().any(|x| x["VpcName"] == name))),
        );
    }
    let r = call("vpc", "DeleteVpc", json!({"VpcId": id}));
    tally.record("transport-std vpc DeleteVpc", expect(r, &|v| v["RequestId"].is_string()));
}

/// Takes away the proxy and CA variables the machine may have (keeping `keep`).
fn clean_env(cmd: &mut Command, keep: &[&str]) {
    for name in [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
        "SSL_CERT_FILE",
        "TENCENTCLOUD_SESSION_TOKEN",
        "TENCENTCLOUD_REGION",
    ] {
        if !keep.contains(&name) {
            cmd.env_remove(name);
        }
    }
}

#[test]
fn official_and_own_clients_through_the_proxy() {
    let started = Instant::now();
    let mock = start_mock();
    let mut ran: Vec<(&str, Tally)> = Vec::new();
    let mut skipped: Vec<(&str, String)> = Vec::new();

    // The Python SDK first: it leaves a VPC that every later client must see.
    match python_sdk() {
        Ok(python) => {
            match trust_in_certifi(&python, &mock.ca) {
                Ok(()) => {
                    let mut t = Tally::default();
                    python_clients(&mock, &python, &mut t);
                    ran.push(("python-sdk", t));
                }
                Err(e) => skipped.push(("python-sdk", e)),
            }
            match tccli(&python) {
                Ok(()) => {
                    let mut t = Tally::default();
                    tccli_clients(&mock, &python, &mut t);
                    ran.push(("tccli", t));
                }
                Err(e) => skipped.push(("tccli", e)),
            }
        }
        Err(e) => {
            skipped.push(("python-sdk", e.clone()));
            skipped.push(("tccli", format!("no Python virtualenv: {e}")));
        }
    }
    // What the others check for when the Python SDK ran (one state for every client).
    let shared = ran.iter().any(|(c, _)| *c == "python-sdk").then_some(SHARED_VPC);
    match node_sdk() {
        Ok(dir) => {
            let mut t = Tally::default();
            node_clients(&mock, &dir, shared, &mut t);
            ran.push(("node-sdk", t));
        }
        Err(e) => skipped.push(("node-sdk", e)),
    }
    // Ours need nothing from outside: they always run.
    let mut t = Tally::default();
    tcloud_clients(&mock, shared, &mut t);
    ran.push(("tcloud", t));
    let mut t = Tally::default();
    transport_std_clients(&mock, shared, &mut t);
    ran.push(("transport-std", t));

    let summary: Vec<String> = ran.iter().map(|(c, t)| format!("{c} {}/{}", t.passed, t.made)).collect();
    println!(
        "proxy clients: {} (calls passed/made; {:.0}s)",
        if summary.is_empty() { "none ran".to_owned() } else { summary.join(", ") },
        started.elapsed().as_secs_f64()
    );
    for (c, reason) in &skipped {
        println!("proxy clients: SKIPPED {c}: {reason}");
    }
    let failures: Vec<String> =
        ran.iter().flat_map(|(c, t)| t.failures.iter().map(move |f| format!("{c}: {f}"))).collect();
    assert!(failures.is_empty(), "calls through the proxy failed:\n{}", failures.join("\n"));
}
