//! tccli's command lines and defaults, end to end against the emulator: the service's other
//! name, the default version and region, booleans as tccli writes them, the usage lines.
//!
//! Every run gets its own `HOME`, so `~/.tccli` is the test's.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};
use tencentcloud_emulator::{Emulator, RunningEmulator};

const ID: &str = "AKIDCLI-TEST-0003";
const KEY: &str = "cli-test-secret-key-000000000003";

/// A `HOME` of its own, removed when dropped.
struct Home(PathBuf);

impl Home {
    fn new(tag: &str) -> Home {
        let dir = std::env::temp_dir().join(format!("tcloud-home-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Home(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn write(&self, name: &str, value: &Value) {
        let dir = self.0.join(".tccli");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), serde_json::to_string_pretty(value).unwrap()).unwrap();
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tcloud(home: &Home, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tcloud"));
    cmd.args(args).env("HOME", home.path()).env("TENCENTCLOUD_SECRET_ID", ID).env("TENCENTCLOUD_SECRET_KEY", KEY);
    for var in [
        "TENCENTCLOUD_SESSION_TOKEN",
        "TENCENTCLOUD_TOKEN",
        "TENCENTCLOUD_REGION",
        "TCCLI_PROFILE",
        "TENCENTCLOUD_CREDENTIALS_FILE",
        "RUST_LOG",
        "HTTPS_PROXY",
        "HTTP_PROXY",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn emulator() -> RunningEmulator {
    Emulator::builder().key(ID, KEY).start().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn tcclis_defaults_version_region_and_other_name() {
    let emu = emulator().await;
    let ep = emu.endpoint();
    let home = Home::new("defaults");

    // es: tccli's default is 2018-04-16 (90 actions), not the newest 2025-01-01 (10).
    let out = tcloud(&home, &["es", "DescribeInstances", "--endpoint", &ep, "--region", "ap-guangzhou"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let last = emu.requests().last().cloned().unwrap();
    assert_eq!((last.service.as_deref(), last.version.as_deref()), (Some("es"), Some("2018-04-16")));
    // `autoscaling` is tccli's name of `as`.
    let out = tcloud(&home, &["autoscaling", "DescribeAutoScalingGroups", "--endpoint", &ep], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let last = emu.requests().last().cloned().unwrap();
    assert_eq!((last.service.as_deref(), last.action.as_deref()), (Some("as"), Some("DescribeAutoScalingGroups")));

    // No region anywhere: none sent. TENCENTCLOUD_REGION: sent. The profile's region: sent,
    // below the environment unless --profile names the profile.
    assert_eq!(emu.requests().last().unwrap().region, None);
    let region_of = |args: &[&str], env: &[(&str, &str)]| {
        let out = tcloud(&home, &[&["cvm", "DescribeRegions", "--endpoint", &ep][..], args].concat(), env);
        assert!(out.status.success(), "{}", stderr(&out));
        emu.requests().last().unwrap().region.clone()
    };
    assert_eq!(region_of(&[], &[("TENCENTCLOUD_REGION", "ap-beijing")]).as_deref(), Some("ap-beijing"));
    home.write("default.configure", &json!({"_sys_param": {"region": "ap-shanghai", "output": "json"}}));
    home.write("dev.configure", &json!({"_sys_param": {"region": "ap-chengdu"}, "cvm": {"version": "2017-03-12"}}));
    assert_eq!(region_of(&[], &[]).as_deref(), Some("ap-shanghai"));
    assert_eq!(region_of(&[], &[("TENCENTCLOUD_REGION", "ap-beijing")]).as_deref(), Some("ap-beijing"));
    assert_eq!(
        region_of(&["--profile", "dev"], &[("TENCENTCLOUD_REGION", "ap-beijing")]).as_deref(),
        Some("ap-chengdu"),
        "--profile: the profile's region over the environment's"
    );
    assert_eq!(region_of(&[], &[("TCCLI_PROFILE", "dev")]).as_deref(), Some("ap-chengdu"));
    assert_eq!(region_of(&["--region", "ap-hongkong"], &[]).as_deref(), Some("ap-hongkong"));

    // A version the profile pins for the service is used.
    home.write("dev.configure", &json!({"_sys_param": {"region": "ap-chengdu"}, "es": {"version": "2025-01-01"}}));
    let out = tcloud(&home, &["es", "DescribeInstances", "--endpoint", &ep], &[("TCCLI_PROFILE", "dev")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no action `DescribeInstances`"), "{}", stderr(&out));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn no_region_is_said_when_the_api_refuses() {
    let emu = Emulator::builder().key(ID, KEY).start().await.unwrap();
    let ep = emu.endpoint();
    let home = Home::new("noregion");
    emu.push_fault(tencentcloud_emulator::Fault::ApiError {
        code: "MissingParameter".into(),
        message: "The request is missing a required parameter `Region`.".into(),
    });
    let out = tcloud(&home, &["cvm", "DescribeInstances", "--endpoint", &ep], &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("no region was sent") && err.contains("tcloud configure set region"), "{err}");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn booleans_and_numbers_as_tccli_reads_them() {
    let emu = emulator().await;
    let ep = emu.endpoint();
    let home = Home::new("bools");
    for (text, sent) in [("True", true), ("true", true), ("1", true), ("t", true), ("False", false), ("0", false)] {
        let args = [
            "cvm",
            "StopInstances",
            "--InstanceIds",
            "ins-1",
            "--ForceStop",
            text,
            "--endpoint",
            &ep,
            "--region",
            "ap-guangzhou",
        ];
        let out = tcloud(&home, &args, &[]);
        // Sent (the emulator then answers that ins-1 does not exist).
        assert!(stderr(&out).contains("InvalidInstanceId.NotFound"), "{text}: {}", stderr(&out));
        assert_eq!(
            emu.requests().last().unwrap().params,
            Some(json!({"InstanceIds": ["ins-1"], "ForceStop": sent})),
            "{text}"
        );
    }
    let out = tcloud(
        &home,
        &["cvm", "StopInstances", "--InstanceIds", "ins-1", "--ForceStop", "yes", "--endpoint", &ep],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("invalid bool value: 'yes'"), "{}", stderr(&out));
    let out = tcloud(
        &home,
        &["cvm", "DescribeInstances", "--Limit", "007", "--endpoint", &ep],
        &[("TENCENTCLOUD_REGION", "ap-guangzhou")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(emu.requests().last().unwrap().params, Some(json!({"Limit": 7})));
    emu.shutdown().await;
}

#[test]
fn usage_says_tcloud_and_messages_end_with_a_newline() {
    let home = Home::new("usage");
    let out = tcloud(&home, &["cvm", "DescribeInstances", "--no-such-option"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("Usage: tcloud "), "{}", stderr(&out));
    assert!(!stderr(&out).contains("tencentcloud-cli"), "{}", stderr(&out));
    let out = tcloud(&home, &["cvm", "DescribeInstancez"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).ends_with('\n'), "{:?}", stderr(&out));
    assert!(stdout(&out).is_empty());
}

/// The documented example of `dc CreateCloudAttachService` leaves out `Data.Remarks`, which the
/// spec marks required: warned about and sent, by tcloud and accepted by the emulator (one rule in
/// the schema crate); `tsf DeployContainerApplication`'s example likewise.
#[tokio::test(flavor = "multi_thread")]
async fn what_the_documented_example_sends_is_warned_about_and_sent() {
    let emu = emulator().await;
    let ep = emu.endpoint();
    let home = Home::new("documented");
    let data = r#"{"Name":"测试线路名","IdcAddress":"湖北省武汉市","IdcType":"CUCC","Bandwidth":100,"Telephone":"13888888888"}"#;
    let out = tcloud(
        &home,
        &["dc", "CreateCloudAttachService", "--Data", data, "--endpoint", &ep, "--region", "ap-guangzhou"],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: dc CreateCloudAttachService: `Data.Remarks` is marked required, but the documented example leaves it out too"),
        "{}",
        stderr(&out)
    );
    assert_eq!(emu.requests().last().unwrap().action.as_deref(), Some("CreateCloudAttachService"));
    // Not what no example does: a required member the example sends is still refused locally.
    let out = tcloud(&home, &["dc", "CreateCloudAttachService", "--Data", r#"{"Name":"x"}"#, "--endpoint", &ep], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing a required parameter `Data.IdcAddress`"), "{}", stderr(&out));

    let svc = tencentcloud_schema::service("tsf").unwrap().unwrap();
    let action = svc.latest().action("DeployContainerApplication").unwrap();
    let example = action.examples()[0].input.as_ref().unwrap().get().to_owned();
    let file = home.path().join("deploy.json");
    std::fs::write(&file, &example).unwrap();
    let input = format!("file://{}", file.display());
    let out = tcloud(
        &home,
        &[
            "tsf",
            "DeployContainerApplication",
            "--cli-input-json",
            &input,
            "--endpoint",
            &ep,
            "--region",
            "ap-guangzhou",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`HealthCheckSettings.ReadinessProbe.ActionType` is marked required"),
        "{}",
        stderr(&out)
    );
    emu.shutdown().await;
}

fn json_file(home: &Home, name: &str, text: &str) -> String {
    let path = home.path().join(name);
    std::fs::write(&path, text).unwrap();
    format!("file://{}", path.display())
}

/// tccli's forms and options: `--cli-unfold-argument`, `--cli-input-json file://`,
/// `--generate-cli-skeleton`, `help` after the action, `--detail`, `--request-client`,
/// `--language`, `--timeout`, `--warning`, options before the service.
#[tokio::test(flavor = "multi_thread")]
async fn tcclis_forms_and_options() {
    let emu = Emulator::builder().key(ID, KEY).start().await.unwrap();
    let ep = emu.endpoint();
    let home = Home::new("forms");
    let env = [("TENCENTCLOUD_REGION", "ap-guangzhou")];
    let last_params = || emu.requests().last().unwrap().params.clone().unwrap();

    // The unfolded form, as the API Explorer prints it.
    let out = tcloud(
        &home,
        &[
            "cvm",
            "DescribeInstances",
            "--cli-unfold-argument",
            "--Filters.0.Name",
            "zone",
            "--Filters.0.Values",
            "ap-guangzhou-3",
            "ap-guangzhou-4",
            "--Limit",
            "1",
            "--endpoint",
            &ep,
        ],
        &env,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        last_params(),
        json!({"Filters": [{"Name": "zone", "Values": ["ap-guangzhou-3", "ap-guangzhou-4"]}], "Limit": 1})
    );
    let out = tcloud(&home, &["cvm", "DescribeInstances", "--Filters.1.Name", "zone", "--endpoint", &ep], &env);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("The index of the array parameter: --Filters must start from 0, and the step size is 1")
    );

    // --generate-cli-skeleton, filled in, then --cli-input-json file:// (~ expanded).
    let out = tcloud(&home, &["cvm", "DescribeInstances", "--generate-cli-skeleton"], &env);
    assert!(out.status.success(), "{}", stderr(&out));
    let skeleton: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(skeleton["Filters"][0]["Values"], json!(["String"]));
    assert_eq!(skeleton["Limit"], "Integer");
    let out = tcloud(&home, &["cvm", "DescribeInstances", "--generate-cli-skeleton", "output"], &env);
    let skeleton: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(skeleton["InstanceSet"][0]["InstanceId"], "String");
    assert_eq!(emu.request_count(), 1, "the index error and the skeletons send nothing");
    json_file(&home, "req.json", r#"{"Limit": 2, "InstanceIds": ["ins-emu00001"]}"#);
    let out =
        tcloud(&home, &["cvm", "DescribeInstances", "--cli-input-json", "file://~/req.json", "--endpoint", &ep], &env);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(last_params(), json!({"Limit": 2, "InstanceIds": ["ins-emu00001"]}));
    let out = tcloud(&home, &["cvm", "DescribeInstances", "--cli-input-json", "file:///nonexistent/x.json"], &env);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("Unable to load paramfile /nonexistent/x.json"), "{}", stderr(&out));

    // help after the action, with --detail the examples.
    let out = tcloud(&home, &["cvm", "DescribeInstances", "help"], &env);
    assert!(out.status.success() && stdout(&out).contains("Parameters:"), "{}", stderr(&out));
    let out = tcloud(&home, &["cvm", "DescribeInstances", "help", "--detail"], &env);
    assert!(stdout(&out).contains("tcloud cvm DescribeInstances --cli-unfold-argument"), "{}", stdout(&out));
    let out = tcloud(&home, &["cvm", "help"], &env);
    assert!(stdout(&out).contains("DescribeInstances"));

    // --request-client and --language in the headers; options before the service.
    let out = tcloud(
        &home,
        &[
            "--region",
            "ap-beijing",
            "cvm",
            "DescribeRegions",
            "--request-client",
            "my-tool_1",
            "--language",
            "en-US",
            "--endpoint",
            &ep,
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let last = emu.requests().last().cloned().unwrap();
    let header = |name: &str| last.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    assert!(header("x-tc-requestclient").unwrap().ends_with(";my-tool_1"), "{:?}", header("x-tc-requestclient"));
    assert_eq!(header("x-tc-language").as_deref(), Some("en-US"));
    assert_eq!(last.region.as_deref(), Some("ap-beijing"));
    let out = tcloud(&home, &["cvm", "DescribeRegions", "--request-client", "a b", "--endpoint", &ep], &env);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--request-client"), "{}", stderr(&out));

    // --warning: a deprecated action says so.
    let out = tcloud(&home, &["cbs", "GetSnapOverview", "--warning", "--endpoint", &ep], &env);
    assert!(stderr(&out).contains("warning: cbs GetSnapOverview is deprecated"), "{}", stderr(&out));
    let out = tcloud(&home, &["cbs", "GetSnapOverview", "--endpoint", &ep], &env);
    assert!(!stderr(&out).contains("deprecated"), "{}", stderr(&out));
    emu.shutdown().await;
}

/// `--timeout` bounds a request; `--https-proxy` sends through the proxy given.
#[tokio::test(flavor = "multi_thread")]
async fn timeout_and_https_proxy() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let emu = Emulator::builder().key(ID, KEY).latency(std::time::Duration::from_secs(5)).start().await.unwrap();
    let ep = emu.endpoint();
    let home = Home::new("proxy");
    let env = [("TENCENTCLOUD_REGION", "ap-guangzhou")];
    let started = std::time::Instant::now();
    let out = tcloud(&home, &["cvm", "DescribeRegions", "--timeout", "1", "--endpoint", &ep], &env);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(started.elapsed() < std::time::Duration::from_secs(4), "{:?}", started.elapsed());

    // A proxy that answers itself: the request reached it, in the proxy form.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = listener.local_addr().unwrap();
    let seen = tokio::spawn(async move {
        let (mut conn, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 65536];
        let mut got = Vec::new();
        while !got.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = conn.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        let body = r#"{"Response":{"RegionSet":[],"TotalCount":0,"RequestId":"via-proxy"}}"#;
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        conn.write_all(answer.as_bytes()).await.unwrap();
        String::from_utf8_lossy(&got).lines().next().unwrap_or_default().to_owned()
    });
    let proxy_arg = proxy.to_string();
    let out = tcloud(&home, &["cvm", "DescribeRegions", "--https-proxy", &proxy_arg, "--endpoint", &ep], &env);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("via-proxy"), "{}", stdout(&out));
    let first_line = seen.await.unwrap();
    assert!(first_line.starts_with(&format!("POST {ep}/")), "{first_line}");
    emu.shutdown().await;
}
