//! The `tcloud` binary end to end against the emulator.

use std::process::{Command, Output};

use tencentcloud_emulator::{Emulator, Verification};

const ID: &str = "AKIDCLI00000000000000000000000000001";
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
