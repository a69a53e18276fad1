//! The `tcloud` binary end to end against the emulator.

use std::process::{Command, Output};

use tencentcloud_emulator::{Emulator, RunningEmulator, Verification};

const ID: &str = "AKIDCLI-TEST-0001";
const KEY: &str = "cli-test-secret-key-000000000001";

fn tcloud(args: &[&str], key: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tcloud"))
        .args(args)
        .env("TENCENTCLOUD_SECRET_ID", ID)
        .env("TENCENTCLOUD_SECRET_KEY", key)
        .env_remove("TENCENTCLOUD_SESSION_TOKEN")
        .env_remove("HTTPS_PROXY")
        .env_remove("HTTP_PROXY")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn call_prints_the_response_and_errors_cleanly() {
    let emu = Emulator::builder().key(ID, KEY).start().await.unwrap();
    let ep = emu.endpoint();

    let out = tcloud(
        &[
            "call",
            "cvm",
            "2017-03-12",
            "DescribeInstances",
            r#"{"Limit":1}"#,
            "--region",
            "ap-guangzhou",
            "--endpoint",
            &ep,
        ],
        KEY,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["InstanceSet"].as_array().unwrap().len(), 1);
    assert!(v["RequestId"].is_string());

    let out = tcloud(&["call", "cvm", "2017-03-12", "DescribeInstances", "--endpoint", &ep], "wrong-key");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("AuthFailure.SignatureFailure: ") && err.contains("(RequestId: "), "{err}");
    assert!(!err.contains("wrong-key"));

    let out = tcloud(&["call", "cvm", "2017-03-12", "DescribeInstances", "not json", "--endpoint", &ep], KEY);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8(out.stderr).unwrap().lines().count(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_prints_bytes_the_emulator_accepts() {
    let emu = Emulator::builder().key(ID, KEY).start().await.unwrap();
    let ep = emu.endpoint();
    let out = tcloud(
        &[
            "sign",
            "cvm",
            "2017-03-12",
            "Echo",
            r#"{"Name":"a b"}"#,
            "--method",
            "GET",
            "--endpoint",
            &ep,
            "--sign-header",
            "X-TC-Action",
            "--header",
            "X-TC-TraceId:t-1",
        ],
        KEY,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.starts_with(b"GET /?Name=a+b HTTP/1.1\r\n"));
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut sock = tokio::net::TcpStream::connect(emu.addr()).await.unwrap();
    sock.write_all(&out.stdout).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = sock.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    let last = emu.requests().pop().unwrap();
    assert!(matches!(last.verification, Verification::Verified { .. }), "{:?}", last.verification);
    assert_eq!(last.header("x-tc-traceid"), Some("t-1"));

    // A fixed timestamp gives the same bytes every time.
    let fixed =
        |_: ()| tcloud(&["sign", "cvm", "2017-03-12", "DescribeZones", "--timestamp", "1551113065"], KEY).stdout;
    assert_eq!(fixed(()), fixed(()));
}

// ---- credentials: the default chain, --profile, --use-instance-role, --role-arn ----

/// Runs `tcloud` in a clean credential environment: no TENCENTCLOUD_* or TKE_*
/// variables, HOME an empty directory, plus `env`.
fn tcloud_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let home = std::env::temp_dir().join(format!("tcloud-cli-test-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tcloud"));
    cmd.args(args).env("HOME", &home).env_remove("HTTPS_PROXY").env_remove("HTTP_PROXY");
    for (k, _) in std::env::vars() {
        if k.starts_with("TENCENTCLOUD_") || k.starts_with("TKE_") {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn last_call(emu: &RunningEmulator) -> Verification {
    let r = emu.requests().into_iter().rev().find(|r| r.action.as_deref() == Some("DescribeZones")).unwrap();
    r.verification
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const ROLE: &str = "qcs::cam::uin/100000000001:roleName/cli";

#[tokio::test(flavor = "multi_thread")]
async fn call_assumes_a_role_with_the_chain_credentials() {
    let emu = Emulator::builder().key(ID, KEY).start().await.unwrap();
    let ep = emu.endpoint();
    let out = tcloud_env(
        &[
            "call",
            "cvm",
            "2017-03-12",
            "DescribeZones",
            "--region",
            "ap-guangzhou",
            "--endpoint",
            &ep,
            "--role-arn",
            ROLE,
            "--role-session-name",
            "cli-session",
            "--sts-endpoint",
            &ep,
        ],
        &[("TENCENTCLOUD_SECRET_ID", ID), ("TENCENTCLOUD_SECRET_KEY", KEY)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let sts: Vec<_> = emu.requests().into_iter().filter(|r| r.action.as_deref() == Some("AssumeRole")).collect();
    assert_eq!(sts.len(), 1);
    assert_eq!(sts[0].verification, Verification::Verified { secret_id: ID.into(), temporary: false });
    assert_eq!(sts[0].params.as_ref().unwrap()["RoleSessionName"], "cli-session");
    assert!(matches!(last_call(&emu), Verification::Verified { temporary: true, .. }), "{:?}", last_call(&emu));

    // A session name is required with a role.
    let out = tcloud_env(&["call", "cvm", "2017-03-12", "DescribeZones", "--role-arn", ROLE], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--role-session-name"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn call_with_the_instance_role() {
    let emu = Emulator::builder().metadata_role("cli-cvm-role").start().await.unwrap();
    let ep = emu.endpoint();
    let args = ["call", "cvm", "2017-03-12", "DescribeZones", "--region", "ap-guangzhou", "--endpoint", &ep];
    let out = tcloud_env(&[&args[..], &["--use-instance-role", "--metadata-endpoint", &ep]].concat(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(matches!(last_call(&emu), Verification::Verified { temporary: true, .. }));
    let paths: Vec<String> =
        emu.requests().into_iter().filter(|r| r.path.starts_with("/latest/")).map(|r| r.path).collect();
    assert_eq!(paths.last().map(String::as_str), Some("/latest/meta-data/cam/security-credentials/cli-cvm-role"));

    // The default chain reaches the instance role too when nothing else is configured.
    let out = tcloud_env(&[&args[..], &["--metadata-endpoint", &ep]].concat(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn call_with_a_profile_file_section() {
    let emu = Emulator::builder().key(ID, KEY).start().await.unwrap();
    let ep = emu.endpoint();
    let file = std::env::temp_dir().join(format!("tcloud-cli-test-credentials-{}", std::process::id()));
    std::fs::write(
        &file,
        format!("[default]\nsecret_id = {ID}\nsecret_key = wrong-key\n\n[cli]\nsecret_id = {ID}\nsecret_key = {KEY}\n"),
    )
    .unwrap();
    let env = [("TENCENTCLOUD_CREDENTIALS_FILE", file.to_str().unwrap())];
    let args = ["call", "cvm", "2017-03-12", "DescribeZones", "--region", "ap-guangzhou", "--endpoint", &ep];

    let out = tcloud_env(&[&args[..], &["--profile", "cli"]].concat(), &env);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(last_call(&emu), Verification::Verified { secret_id: ID.into(), temporary: false });

    // Without --profile the default chain reads [default] (whose key is wrong here).
    let out = tcloud_env(&args, &env);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("AuthFailure.SignatureFailure"), "{}", stderr(&out));

    let out = tcloud_env(&[&args[..], &["--profile", "prod"]].concat(), &env);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no [prod] section"), "{}", stderr(&out));
    std::fs::remove_file(&file).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_default_chain_explains_itself() {
    let emu = Emulator::builder().start().await.unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let metadata = format!("http://{closed}");
    let args =
        ["call", "cvm", "2017-03-12", "DescribeZones", "--endpoint", &emu.endpoint(), "--metadata-endpoint", &metadata];
    let out = tcloud_env(&args, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    for part in ["no credential configured", "environment: ", "; profile file: ", "; instance role: ", "; TKE OIDC: "] {
        assert!(err.contains(part), "{part:?} missing: {err}");
    }
    assert_eq!(emu.request_count(), 0);

    // A broken profile file stops the chain with its file and line.
    let file = std::env::temp_dir().join(format!("tcloud-cli-test-broken-{}", std::process::id()));
    std::fs::write(&file, "[default]\nsecret_id = AKID1\nsecret_key\n").unwrap();
    let out = tcloud_env(&args, &[("TENCENTCLOUD_CREDENTIALS_FILE", file.to_str().unwrap())]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("stopped at profile file") && err.contains(&format!("{}:3:", file.display())), "{err}");
    assert!(!err.contains("instance role"), "{err}");
    std::fs::remove_file(&file).unwrap();

    // `sign` uses the same chain.
    let out = tcloud_env(&["sign", "cvm", "2017-03-12", "DescribeZones", "--metadata-endpoint", &metadata], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no credential configured"), "{}", stderr(&out));
}
