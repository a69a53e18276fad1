//! `tcloud <service> <Action> --Param value` (the tccli form) end to end against the emulator:
//! calls, local validation before anything is sent, `--filter`/`--output`, help, `--debug`, and
//! the completion scripts run by a real bash.

use std::process::{Command, Output};

use tencentcloud_emulator::{Emulator, RunningEmulator};

const ID: &str = "AKIDCLI-TEST-0002";
const KEY: &str = "cli-test-secret-key-000000000002";

fn tcloud_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tcloud"));
    cmd.args(args)
        .env("TENCENTCLOUD_SECRET_ID", ID)
        .env("TENCENTCLOUD_SECRET_KEY", KEY)
        .env_remove("TENCENTCLOUD_SESSION_TOKEN")
        .env_remove("RUST_LOG")
        .env_remove("HTTPS_PROXY")
        .env_remove("HTTP_PROXY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn tcloud(args: &[&str]) -> Output {
    tcloud_with(args, &[])
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn emulator() -> RunningEmulator {
    Emulator::builder().key(ID, KEY).start().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn tccli_form_calls_any_action() {
    let emu = emulator().await;
    let ep = emu.endpoint();
    let base = ["--region", "ap-guangzhou", "--endpoint", ep.as_str()];

    let out = tcloud(&[&["cvm", "DescribeInstances", "--Limit", "1"][..], &base].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["InstanceSet"].as_array().unwrap().len(), 1, "{v}");

    // Nested values as JSON, lists as several values, GET with the query form, filter and text output.
    let filters = r#"[{"Name":"instance-name","Values":["emulator-db-1"]}]"#;
    let args = [&["cvm", "DescribeInstances", "--Filters", filters, "--method", "GET"][..], &base].concat();
    let out = tcloud(&[&args[..], &["--filter", "InstanceSet[].InstanceId", "--output", "text"]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "ins-emu00002");
    let out =
        tcloud(&[&["cvm", "DescribeInstances", "--InstanceIds", "ins-emu00001", "ins-emu00002"][..], &base].concat());
    assert_eq!(stdout(&out).matches("\"InstanceId\"").count(), 2, "{}", stderr(&out));

    // An action the emulator knows from the schema only: the documented answer, as a table.
    let out = tcloud(&[&["vpc", "DescribeVpcs", "--output", "table", "--filter", "VpcSet"][..], &base].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).lines().nth(1).is_some_and(|l| l.contains("VpcId")), "{}", stdout(&out));

    // Parameters from a file; flags override its members.
    let file = std::env::temp_dir().join(format!("tcloud-input-{}.json", std::process::id()));
    std::fs::write(&file, r#"{"Limit": 2, "Offset": 0}"#).unwrap();
    let file_arg = file.to_str().unwrap();
    let out =
        tcloud(&[&["cvm", "DescribeInstances", "--cli-input-json", file_arg, "--Limit", "1"][..], &base].concat());
    std::fs::remove_file(&file).unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(emu.requests().last().unwrap().params, Some(serde_json::json!({"Limit": 1, "Offset": 0})));

    // The version is the latest unless told; an unknown one is refused locally.
    assert_eq!(emu.requests().last().unwrap().version.as_deref(), Some("2017-03-12"));
    let out = tcloud(&[&["cvm", "DescribeInstances", "--version", "2001-01-01"][..], &base].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("versions: 2017-03-12"), "{}", stderr(&out));

    // API errors come back as before (exit 1, code first).
    let out = tcloud(&[&["cvm", "DescribeInstances", "--Limit", "1000"][..], &base].concat());
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("InvalidParameterValue: "), "{}", stderr(&out));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn parameters_are_checked_before_anything_is_sent() {
    let emu = emulator().await;
    let ep = emu.endpoint();
    let base = ["--endpoint", ep.as_str()];
    let cases: [(&[&str], &[&str]); 6] = [
        (
            &["cvm", "DescribeInstances", "--Limt", "1"],
            &["unknown parameter `--Limt`", "accepted: InstanceIds, Filters, Offset, Limit"],
        ),
        (&["cvm", "DescribeInstances", "--Limit", "one"], &["argument --Limit: invalid int64 value: 'one'"]),
        (&["cvm", "DescribeInstances", "--Limit", "[1]"], &["argument --Limit: invalid int64 value: '[1]'"]),
        (
            &["cvm", "DescribeInstances", "--Filters", r#"[{"Nam":"zone"}]"#],
            &["`Filters.0.Nam`", "accepted: Name, Values"],
        ),
        (&["vpc", "CreateVpc", "--CidrBlock", "10.0.0.0/16"], &["missing a required parameter `VpcName`"]),
        (&["cvm", "DescribeInstancez"], &["no action `DescribeInstancez`", "did you mean: DescribeInstances"]),
    ];
    for (args, expected) in cases {
        let out = tcloud(&[args, &base[..]].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        for e in expected {
            assert!(stderr(&out).contains(e), "{args:?}: {e} not in {}", stderr(&out));
        }
    }
    let out = tcloud(&["nosuchservice", "DescribeInstances"]);
    assert!(stderr(&out).contains("unknown service `nosuchservice`"), "{}", stderr(&out));
    let out = tcloud(&["cvm", "DescribeInstances", "--filter", "InstanceSet[", "--endpoint", &ep]);
    assert!(stderr(&out).starts_with("tcloud: --filter: "), "{}", stderr(&out));
    assert_eq!(emu.request_count(), 0, "nothing was sent");
    emu.shutdown().await;
}

#[test]
fn listings_and_help() {
    let out = tcloud(&["services"]);
    assert!(stdout(&out).lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["cvm", "2017-03-12"]));
    assert!(stdout(&out).lines().any(|l| l.starts_with("as ")), "the autoscaling service is `as`");
    assert_eq!(stdout(&out).lines().count(), 262);

    let out = tcloud(&["cvm"]);
    assert!(stdout(&out).starts_with("cvm 2017-03-12 (云服务器): "), "{}", stdout(&out));
    assert!(
        stdout(&out).lines().any(|l| l.trim_start().starts_with("DescribeInstances ") && l.contains("查看实例列表"))
    );

    let out = tcloud(&["cvm", "DescribeInstances", "--help"]);
    let help = stdout(&out);
    assert!(help.lines().any(|l| l.split_whitespace().take(3).collect::<Vec<_>>() == ["--Limit", "int64", "optional"]));
    assert!(help.lines().any(|l| l.split_whitespace().take(3).collect::<Vec<_>>() == ["Name", "string", "required"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn debug_shows_the_exchange_without_secrets() {
    let emu = emulator().await;
    let ep = emu.endpoint();
    let out = tcloud(&["--debug", "cvm", "DescribeRegions", "--endpoint", &ep, "--region", "ap-guangzhou"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let log = stderr(&out);
    assert!(log.contains("request") && log.contains("DescribeRegions") && log.contains("response"), "{log}");
    assert!(log.contains("latency_ms") || log.contains("time.busy"), "timings: {log}");
    assert!(!log.contains(KEY), "the secret key leaked: {log}");
    let out = tcloud_with(&["cvm", "DescribeRegions", "--endpoint", &ep], &[("RUST_LOG", "tencentcloud=debug")]);
    assert!(stderr(&out).contains("DescribeRegions"), "RUST_LOG alone: {}", stderr(&out));
    let quiet = tcloud(&["cvm", "DescribeRegions", "--endpoint", &ep]);
    assert!(stderr(&quiet).is_empty(), "{}", stderr(&quiet));
    emu.shutdown().await;
}

#[test]
fn completion_scripts_complete_services_actions_and_parameters() {
    for shell in ["bash", "zsh", "fish"] {
        let out = tcloud(&["completions", shell]);
        assert!(out.status.success() && stdout(&out).contains("tcloud __complete"), "{shell}");
    }
    assert_eq!(tcloud(&["completions", "tcsh"]).status.code(), Some(2));
    if Command::new("bash").arg("--version").output().is_err() {
        panic!("bash is needed to run the bash completion script");
    }
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_tcloud")).parent().unwrap();
    let complete = |line: &[&str]| {
        let words: Vec<String> = line.iter().map(|w| format!("{w:?}")).collect();
        let script = format!(
            "source <(tcloud completions bash)\nCOMP_WORDS=({})\nCOMP_CWORD={}\n_tcloud\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"",
            words.join(" "),
            line.len() - 1
        );
        let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
        let out = Command::new("bash").arg("-c").arg(script).env("PATH", path).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out).lines().map(str::to_owned).collect::<Vec<_>>()
    };
    assert!(complete(&["tcloud", "cv"]).contains(&"cvm".to_owned()));
    assert_eq!(complete(&["tcloud", "cvm", "DescribeInstancesSta"]), ["DescribeInstancesStatus"]);
    let params = complete(&["tcloud", "cvm", "DescribeInstances", "--Fil"]);
    assert_eq!(params, ["--Filters"]);
    assert!(complete(&["tcloud", "cvm", "DescribeInstances", "--"]).contains(&"--output".to_owned()));
}
