//! Typed calls with the generated CVM models (`tencentcloud-cvm`) against the emulator,
//! which verifies every signature: the request written from the typed struct, the typed
//! response read back, API errors and unreadable answers.

use serde_json::json;
use tencentcloud_cvm::v20170312::{DescribeInstancesRequest, Filter};
use tencentcloud_emulator::{Emulator, RunningEmulator, default_test_key};
use tencentcloud_transport_std::{
    CallOptions, Client, ClientProfile, ErrorKind, HttpProfile, ProxyConfig, StaticProvider,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn client_for(endpoint: String) -> Client {
    let (id, key) = default_test_key();
    let profile = ClientProfile::new().http_profile(HttpProfile::new().endpoint(endpoint).proxy(ProxyConfig::none()));
    Client::builder().credential(StaticProvider::new(id, key)).region("ap-guangzhou").profile(profile).build().unwrap()
}

fn zone_filter(name: &str, value: &str) -> DescribeInstancesRequest {
    let mut f = Filter::default();
    f.name = Some(name.into());
    f.values = Some(vec![value.into()]);
    let mut req = DescribeInstancesRequest::default();
    req.filters = Some(vec![f]);
    req.limit = Some(10);
    req
}

fn assert_verified(emu: &RunningEmulator) {
    assert!(!emu.requests().is_empty());
    for r in emu.requests() {
        assert!(r.verification.is_verified(), "request {} not verified: {:?}", r.seq, r.verification);
    }
}

#[tokio::test]
async fn typed_describe_instances_with_filters() {
    let emu = Emulator::builder().start().await.unwrap();
    let c = client_for(emu.endpoint());
    let resp = c.send(&zone_filter("zone", "ap-guangzhou-3")).await.unwrap();
    assert_eq!(resp.total_count, Some(1));
    let set = resp.instance_set.unwrap();
    assert_eq!(set.len(), 1);
    assert_eq!(set[0].instance_id.as_deref(), Some("ins-emu00001"));
    assert_eq!(set[0].cpu, Some(2));
    assert_eq!(set[0].placement.as_ref().and_then(|p| p.zone.as_deref()), Some("ap-guangzhou-3"));
    assert!(resp.request_id.is_some_and(|id| !id.is_empty()));
    let body: serde_json::Value = serde_json::from_slice(&emu.requests()[0].body).unwrap();
    assert_eq!(body, json!({"Filters": [{"Name": "zone", "Values": ["ap-guangzhou-3"]}], "Limit": 10}));
    assert_eq!(emu.requests()[0].action.as_deref(), Some("DescribeInstances"));
    assert_verified(&emu);

    // Per-call options apply to typed calls too.
    let other = c.send_with(&zone_filter("zone", "ap-guangzhou-4"), &CallOptions::new().region("ap-guangzhou")).await;
    assert_eq!(other.unwrap().total_count, Some(1));
}

#[tokio::test]
async fn typed_api_error_keeps_code_and_request_id() {
    let emu = Emulator::builder().start().await.unwrap();
    let err = client_for(emu.endpoint()).send(&zone_filter("bogus", "x")).await.unwrap_err();
    match err.kind() {
        ErrorKind::Api { code, request_id, .. } => {
            assert_eq!(code, "InvalidFilter");
            assert!(!request_id.is_empty());
        }
        k => panic!("{k:?}"),
    }
    assert_verified(&emu);
}

/// A server answering every request with `answer` (one connection at a time).
async fn canned(answer: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = vec![0u8; 64 * 1024];
            let _ = s.read(&mut buf).await;
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
            let _ = s.write_all(reply.as_bytes()).await;
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn unreadable_answer_names_action_path_and_request_id() {
    let url =
        canned(r#"{"Response": {"TotalCount": 1, "InstanceSet": [{"CPU": {"x": 1}}], "RequestId": "req-42"}}"#).await;
    let err = client_for(url).send(&DescribeInstancesRequest::default()).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Decode);
    assert_eq!(err.request_id(), Some("req-42"));
    let text = err.to_string();
    assert!(text.contains("DescribeInstances") && text.contains("Response.InstanceSet[0].CPU"), "{text}");
}

#[cfg(feature = "blocking")]
#[test]
fn blocking_typed_call() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let emu = rt.block_on(Emulator::builder().start()).unwrap();
    let c = tencentcloud_transport_std::blocking::Client::new(client_for(emu.endpoint())).unwrap();
    let resp = c.send(&zone_filter("instance-name", "emulator-db-1")).unwrap();
    assert_eq!(resp.instance_set.unwrap()[0].instance_id.as_deref(), Some("ins-emu00002"));
    assert_verified(&emu);
}
