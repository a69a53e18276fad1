//! Integration tests against the local API emulator (`tencentcloud-emulator`): every call
//! kind, every fault, clock skew, TLS, proxies and timeouts, over real sockets.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};
use tencentcloud_emulator::{Emulator, Fault, RunningEmulator, default_test_key};
use tencentcloud_transport_std::{
    BreakerConfig, BreakerState, CallOptions, Client, ClientProfile, Credentials, ErrorKind, HttpMethod, HttpProfile,
    Language, Multipart, OctetOutput, ProxyConfig, RetryPolicy, StaticProvider,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const CVM: (&str, &str) = ("cvm", "2017-03-12");

async fn emulator() -> RunningEmulator {
    Emulator::builder().start().await.expect("emulator starts")
}

fn profile_for(emu: &RunningEmulator) -> ClientProfile {
    ClientProfile::new().http_profile(HttpProfile::new().endpoint(emu.endpoint()).proxy(ProxyConfig::none()))
}

fn client_with(profile: ClientProfile) -> Client {
    let (id, key) = default_test_key();
    Client::builder().credential(StaticProvider::new(id, key)).region("ap-guangzhou").profile(profile).build().unwrap()
}

fn client(emu: &RunningEmulator) -> Client {
    client_with(profile_for(emu))
}

fn fast_retry(n: u32) -> RetryPolicy {
    RetryPolicy::standard(n).base_delay(Duration::from_millis(5)).max_delay(Duration::from_millis(20))
}

fn assert_all_verified(emu: &RunningEmulator) {
    for r in emu.requests() {
        assert!(r.verification.is_verified(), "request {} not verified: {:?}", r.seq, r.verification);
    }
}

#[tokio::test]
async fn json_calls_post_and_get() {
    let emu = emulator().await;
    let c = client_with(profile_for(&emu).language(Language::EnUs));
    let regions = c.call_json(CVM.0, CVM.1, "DescribeRegions", json!({})).await.unwrap();
    assert!(regions["TotalCount"].as_u64().unwrap() > 0, "{regions}");
    assert!(regions["RequestId"].is_string());

    let zones = c.call_json(CVM.0, CVM.1, "describeZones", Value::Null).await.unwrap();
    assert!(zones["ZoneSet"].as_array().is_some_and(|z| !z.is_empty()), "{zones}");

    let instances = c.call_json(CVM.0, CVM.1, "DescribeInstances", json!({"Limit": 1})).await.unwrap();
    assert_eq!(instances["InstanceSet"].as_array().unwrap().len(), 1, "{instances}");

    // GET, with nested parameters flattened into the query string.
    let get = client_with(
        profile_for(&emu).http_profile(HttpProfile::new().endpoint(emu.endpoint()).method(HttpMethod::Get)),
    );
    let filtered = get
        .call_json(
            CVM.0,
            CVM.1,
            "DescribeInstances",
            json!({"Filters": [{"Name": "instance-id", "Values": ["ins-emu00001"]}]}),
        )
        .await
        .unwrap();
    assert_eq!(filtered["TotalCount"], 1, "{filtered}");
    let last = emu.requests().pop().unwrap();
    assert_eq!(last.method, "GET");
    assert!(last.query.contains("Filters.0.Name=instance-id"), "{}", last.query);
    assert_all_verified(&emu);
}

#[tokio::test]
async fn typed_call_echo_and_headers() {
    #[derive(serde::Serialize)]
    struct EchoReq<'a> {
        #[serde(rename = "Name")]
        name: &'a str,
        #[serde(rename = "Tags")]
        tags: Vec<u32>,
    }
    #[derive(serde::Deserialize, Debug)]
    struct EchoResp {
        #[serde(rename = "Params")]
        params: Value,
        #[serde(rename = "Headers")]
        headers: Value,
        #[serde(rename = "Region")]
        region: Option<String>,
        #[serde(rename = "RequestId")]
        request_id: String,
    }
    let emu = emulator().await;
    let c = client(&emu);
    let opts = CallOptions::new().region("ap-beijing").header("X-TC-TraceId", "trace-123");
    let resp: EchoResp =
        c.call_with("demo", "2020-01-01", "Echo", &EchoReq { name: "x y", tags: vec![1, 2] }, &opts).await.unwrap();
    assert_eq!(resp.params, json!({"Name": "x y", "Tags": [1, 2]}));
    assert_eq!(resp.region.as_deref(), Some("ap-beijing"));
    assert_eq!(resp.headers["X-TC-TraceId"], "trace-123");
    assert!(resp.headers["X-TC-RequestClient"].as_str().unwrap().starts_with("SDK_RUST_"));
    assert!(!resp.request_id.is_empty());

    // A generated trace id when none is given.
    let resp: EchoResp = c.call("demo", "2020-01-01", "Echo", &json!({})).await.unwrap();
    let trace = resp.headers["X-TC-TraceId"].as_str().unwrap();
    assert_eq!(trace.len(), 36, "{trace}");
    assert_eq!(resp.region.as_deref(), Some("ap-guangzhou"));
    assert_all_verified(&emu);
}

#[tokio::test]
async fn temporary_credentials_and_skip_sign() {
    let emu = emulator().await;
    let tmp = emu.mint_temporary(Duration::from_secs(600));
    let creds = Credentials::new(&tmp.secret_id, &tmp.secret_key).with_token(&tmp.token);
    let c = Client::builder()
        .credential(StaticProvider::from_credentials(creds))
        .profile(profile_for(&emu))
        .build()
        .unwrap();
    c.call_json(CVM.0, CVM.1, "DescribeRegions", json!({})).await.unwrap();
    assert!(matches!(
        &emu.requests()[0].verification,
        tencentcloud_emulator::Verification::Verified { temporary: true, .. }
    ));

    // AssumeRoleWithWebIdentity is sent unsigned.
    let opts = CallOptions::new().skip_sign(true);
    let params = json!({"ProviderId": "OIDC", "WebIdentityToken": "jwt", "RoleArn": "qcs::cam::uin/1:roleName/r", "RoleSessionName": "s"});
    let resp = c.call_json_with("sts", "2018-08-13", "AssumeRoleWithWebIdentity", params, &opts).await.unwrap();
    assert!(resp["Credentials"]["TmpSecretKey"].is_string(), "{resp}");
    assert_eq!(emu.requests()[1].verification, tencentcloud_emulator::Verification::Skipped);
}

#[tokio::test]
async fn octet_stream_in_and_out() {
    let emu = emulator().await;
    let c = client_with(profile_for(&emu).unsigned_payload(true));
    let data: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    let out = c
        .call_octet_stream(
            "demo",
            "2020-01-01",
            "UploadFile",
            &[("X-TC-FileName", "a.bin")],
            data.clone(),
            &CallOptions::new(),
        )
        .await
        .unwrap();
    let OctetOutput::Json(resp) = out else { panic!("expected JSON: {out:?}") };
    assert_eq!(resp["Length"], 10_000);
    assert_eq!(resp["ContentType"], "application/octet-stream");
    let req = emu.requests().pop().unwrap();
    assert_eq!(req.header("x-tc-filename"), Some("a.bin"));
    assert_eq!(req.header("x-tc-content-sha256"), Some("UNSIGNED-PAYLOAD"));

    let out = c.call_octet_stream("demo", "2020-01-01", "GetObjectBytes", &[], Vec::new(), &CallOptions::new()).await;
    let OctetOutput::Binary { data, content_type, request_id } = out.unwrap() else { panic!("expected bytes") };
    assert_eq!(data.len(), 1024);
    assert_eq!(data[..4], [0, 1, 2, 3]);
    assert_eq!(content_type.as_deref(), Some("application/octet-stream"));
    assert!(request_id.is_some());

    // An API error through the octet path.
    emu.push_fault(Fault::ApiError { code: "ResourceNotFound".into(), message: "no such object".into() });
    let e = c.call_octet_stream("demo", "2020-01-01", "GetObjectBytes", &[], Vec::new(), &CallOptions::new()).await;
    assert_eq!(e.unwrap_err().api_code(), Some("ResourceNotFound"));
    assert_all_verified(&emu);
}

#[tokio::test]
async fn multipart_upload() {
    let emu = emulator().await;
    let c = client(&emu);
    let mut form = Multipart::new("tc-test-boundary-7f3a");
    form.text("Name", "demo").file("File", "a.bin", "application/octet-stream", &[0, 1, 2, 255]);
    let resp = c.call_multipart("demo", "2020-01-01", "UploadFile", form, &CallOptions::new()).await.unwrap();
    assert_eq!(resp["ContentType"], "multipart/form-data; boundary=tc-test-boundary-7f3a");
    assert!(resp["Length"].as_u64().unwrap() > 4);
    assert_all_verified(&emu);
}

#[tokio::test]
async fn sse_stream_and_errors() {
    let emu = emulator().await;
    let c = client(&emu);
    let params = json!({"Messages": [{"Role": "user", "Content": "hi there"}], "EmulatorEventDelayMs": 5});
    let stream = c.call_sse("hunyuan", "2023-09-01", "ChatCompletions", params, &CallOptions::new()).await.unwrap();
    assert!(stream.request_id().is_some());
    let mut text = String::new();
    let mut n = 0;
    let mut stream = stream;
    while let Some(ev) = stream.next().await {
        let ev: Value = ev.unwrap().json().unwrap();
        text.push_str(ev["Choices"][0]["Delta"]["Content"].as_str().unwrap());
        n += 1;
    }
    assert!(n > 3);
    assert_eq!(text, "Hello from the emulator. You said: hi there");

    // An error envelope instead of a stream surfaces as an API error.
    let e = c.call_sse("hunyuan", "2023-09-01", "ChatCompletions", json!({}), &CallOptions::new()).await.unwrap_err();
    assert_eq!(e.api_code(), Some("MissingParameter"), "{e}");
    assert!(e.request_id().is_some());

    // Stream: false answers JSON: one event.
    let params = json!({"Messages": [{"Role": "user", "Content": "x"}], "Stream": false});
    let s = c.call_sse("hunyuan", "2023-09-01", "ChatCompletions", params, &CallOptions::new()).await.unwrap();
    let events: Vec<_> = s.collect().await;
    assert_eq!(events.len(), 1);
    let v: Value = events[0].as_ref().unwrap().json().unwrap();
    assert!(v["Choices"][0]["Message"]["Content"].as_str().unwrap().ends_with("You said: x"));

    // A stream that stalls longer than the timeout ends with a timeout error.
    let params = json!({"Messages": [{"Role": "user", "Content": "a b c"}], "EmulatorEventDelayMs": 2000});
    let opts = CallOptions::new().timeout(Duration::from_millis(300));
    let s = c.call_sse("hunyuan", "2023-09-01", "ChatCompletions", params, &opts).await.unwrap();
    let events: Vec<_> = s.collect().await;
    assert!(events[0].is_ok());
    assert_eq!(events.last().unwrap().as_ref().unwrap_err().kind(), &ErrorKind::Timeout);
    assert_all_verified(&emu);
}

#[tokio::test]
async fn faults_without_retries() {
    let emu = emulator().await;
    let c = client(&emu);
    let call = || c.call_json(CVM.0, CVM.1, "DescribeRegions", json!({}));

    emu.push_fault(Fault::RateLimit);
    let e = call().await.unwrap_err();
    assert_eq!(e.api_code(), Some("RequestLimitExceeded"));
    assert!(e.is_retryable());
    assert!(e.to_string().starts_with("RequestLimitExceeded: "), "{e}");
    assert!(e.to_string().ends_with(&format!("(RequestId: {})", e.request_id().unwrap())));

    emu.push_fault(Fault::Http500);
    let e = call().await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::HttpStatus { status: 500 });

    emu.push_fault(Fault::DropConnection);
    let e = call().await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Network, "{e}");

    emu.push_fault(Fault::InternalError);
    let e = call().await.unwrap_err();
    assert_eq!(e.api_code(), Some("InternalError"));
    assert!(!e.is_retryable());

    emu.push_fault(Fault::Delay(Duration::from_millis(50)));
    call().await.unwrap();

    emu.push_fault(Fault::Delay(Duration::from_secs(3)));
    let started = Instant::now();
    let opts = CallOptions::new().timeout(Duration::from_millis(200));
    let e = c.call_json_with(CVM.0, CVM.1, "DescribeRegions", json!({}), &opts).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Timeout);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(emu.request_count(), 6);
}

#[tokio::test]
async fn faults_with_retries() {
    let emu = emulator().await;
    let c = client_with(profile_for(&emu).retry(fast_retry(3)));

    // Reads: every transient fault is retried.
    for fault in [Fault::RateLimit, Fault::Http500, Fault::DropConnection] {
        emu.clear_requests();
        emu.push_fault(fault.clone());
        c.call_json(CVM.0, CVM.1, "DescribeZones", json!({})).await.unwrap_or_else(|e| panic!("{fault:?}: {e}"));
        assert_eq!(emu.request_count(), 2, "{fault:?}");
    }
    emu.clear_requests();
    emu.push_fault(Fault::Delay(Duration::from_secs(2)));
    let opts = CallOptions::new().timeout(Duration::from_millis(200));
    c.call_json_with(CVM.0, CVM.1, "DescribeZones", json!({}), &opts).await.unwrap();
    assert_eq!(emu.request_count(), 2);

    // Writes: only the rate limit is retried; a dropped connection or a 500 may have
    // executed the write.
    for (fault, attempts) in [(Fault::RateLimit, 2), (Fault::Http500, 1), (Fault::DropConnection, 1)] {
        emu.clear_requests();
        emu.push_fault(fault.clone());
        let r = c.call_json("demo", "2020-01-01", "Echo", json!({})).await;
        assert_eq!(emu.request_count(), attempts, "{fault:?}");
        assert_eq!(r.is_ok(), attempts == 2, "{fault:?}");
    }
    // Unless it carries a ClientToken.
    emu.clear_requests();
    emu.push_fault(Fault::DropConnection);
    c.call_json("demo", "2020-01-01", "Echo", json!({"ClientToken": "tok-1"})).await.unwrap();
    assert_eq!(emu.request_count(), 2);

    // Gives up after max attempts with the last error.
    emu.clear_requests();
    for _ in 0..3 {
        emu.push_fault(Fault::RateLimit);
    }
    let e = c.call_json(CVM.0, CVM.1, "DescribeZones", json!({})).await.unwrap_err();
    assert_eq!(e.api_code(), Some("RequestLimitExceeded"));
    assert_eq!(emu.request_count(), 3);
    // Each attempt was signed anew and verified.
    assert_all_verified(&emu);
}

#[tokio::test]
async fn connection_refused_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let c = client_with(
        ClientProfile::new()
            .http_profile(HttpProfile::new().endpoint(format!("http://{addr}")).proxy(ProxyConfig::none())),
    );
    let e = c.call_json("demo", "2020-01-01", "Echo", json!({})).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Network);
    assert!(e.is_connect(), "{e:?}");
}

#[tokio::test]
async fn clock_skew_corrected() {
    let emu = Emulator::builder().clock_offset(3600).start().await.unwrap();
    let c = client(&emu);
    let resp = c.call_json(CVM.0, CVM.1, "DescribeRegions", json!({})).await.unwrap();
    assert!(resp["RequestId"].is_string());
    let reqs = emu.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].verification.error_code(), Some("AuthFailure.SignatureExpire"));
    assert!(reqs[1].verification.is_verified());
    assert!((c.clock_offset() - 3600).abs() <= 2, "{}", c.clock_offset());

    // Kept for later calls: one request each.
    c.call_json(CVM.0, CVM.1, "DescribeZones", json!({})).await.unwrap();
    assert_eq!(emu.request_count(), 3);

    // The clock moves back: corrected again.
    emu.set_clock_offset(-1800);
    c.call_json(CVM.0, CVM.1, "DescribeZones", json!({})).await.unwrap();
    assert_eq!(emu.request_count(), 5);
    assert!((c.clock_offset() + 1800).abs() <= 2);
}

/// The issue's case: a device clock 10 minutes behind the server.
#[tokio::test]
async fn clock_ten_minutes_behind_is_corrected_once_and_kept() {
    let emu = Emulator::builder().clock_offset(600).start().await.unwrap();
    let c = client(&emu);
    c.call_json(CVM.0, CVM.1, "DescribeZones", json!({})).await.unwrap();
    let reqs = emu.requests();
    assert_eq!(reqs.len(), 2, "one refused attempt, one corrected retry");
    assert_eq!(reqs[0].verification.error_code(), Some("AuthFailure.SignatureExpire"));
    assert!(reqs[1].verification.is_verified());
    assert!((c.clock_offset() - 600).abs() <= 2, "{}", c.clock_offset());
    for _ in 0..3 {
        c.call_json(CVM.0, CVM.1, "DescribeZones", json!({})).await.unwrap();
    }
    assert_eq!(emu.request_count(), 5, "later calls use the kept offset");
}

#[tokio::test]
async fn region_breaker_fails_over_to_backup() {
    let primary = emulator().await;
    let backup = emulator().await;
    let breaker = BreakerConfig::default()
        .backup_endpoint(backup.endpoint())
        .open_duration(Duration::from_millis(300))
        .half_open_successes(2);
    let c = client_with(profile_for(&primary).region_breaker(breaker));
    primary.set_down(true);
    for _ in 0..5 {
        let e = c.call_json(CVM.0, CVM.1, "DescribeZones", json!({})).await.unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::HttpStatus { status: 503 });
    }
    assert_eq!(c.breaker_state(), Some(BreakerState::Open));
    // Open: to the backup region.
    c.call_json(CVM.0, CVM.1, "DescribeZones", json!({})).await.unwrap();
    assert_eq!(backup.request_count(), 1);
    assert_all_verified(&backup);
    assert_eq!(primary.request_count(), 5);

    // Backup down too: its error surfaces, it is not swallowed.
    backup.push_fault(Fault::DropConnection);
    let e = c.call_json(CVM.0, CVM.1, "DescribeZones", json!({})).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Network);

    // The region recovers: after the open period, probes close the breaker.
    primary.set_down(false);
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(c.breaker_state(), Some(BreakerState::HalfOpen));
    for _ in 0..2 {
        c.call_json(CVM.0, CVM.1, "DescribeZones", json!({})).await.unwrap();
    }
    assert_eq!(c.breaker_state(), Some(BreakerState::Closed));
    assert_eq!(primary.request_count(), 7);
    assert_eq!(backup.request_count(), 2);
}

#[tokio::test]
async fn tls_with_custom_ca() {
    let emu = Emulator::builder().tls().start().await.unwrap();
    let other = Emulator::builder().tls().start().await.unwrap();
    let pem = emu.ca_pem().unwrap();
    let http = || HttpProfile::new().endpoint(emu.endpoint()).proxy(ProxyConfig::none());

    // The right CA: accepted.
    let c = client_with(ClientProfile::new().http_profile(http().ca_pem(pem.clone().into_bytes())));
    c.call_json(CVM.0, CVM.1, "DescribeRegions", json!({})).await.unwrap();

    // The CA from a file works too.
    let dir = std::env::temp_dir().join(format!("tc-ca-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("ca.pem");
    std::fs::write(&path, &pem).unwrap();
    let c = client_with(ClientProfile::new().http_profile(http().ca_file(&path)));
    c.call_json(CVM.0, CVM.1, "DescribeRegions", json!({})).await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);

    // No CA, or another CA: refused before anything is sent.
    for profile in [http(), http().ca_pem(other.ca_pem().unwrap().into_bytes())] {
        let c = client_with(ClientProfile::new().http_profile(profile));
        let e = c.call_json(CVM.0, CVM.1, "DescribeRegions", json!({})).await.unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::Network, "{e}");
        assert!(e.is_connect(), "{e:?}");
    }
    assert_eq!(emu.request_count(), 2);

    // Verification off, explicitly.
    let c = client_with(ClientProfile::new().http_profile(http().danger_accept_invalid_certs(true)));
    c.call_json(CVM.0, CVM.1, "DescribeRegions", json!({})).await.unwrap();
    assert_eq!(emu.request_count(), 3);
    assert_all_verified(&emu);
}

/// What the test proxy saw.
#[derive(Clone, Debug)]
struct ProxyHit {
    method: String,
    target: String,
    auth: Option<String>,
}

/// A minimal HTTP proxy: `CONNECT` tunnels and absolute-form forwarding.
struct TestProxy {
    url: String,
    hits: Arc<Mutex<Vec<ProxyHit>>>,
}

async fn start_proxy() -> TestProxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits: Arc<Mutex<Vec<ProxyHit>>> = Arc::default();
    let log = hits.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            tokio::spawn(proxy_conn(sock, log.clone()));
        }
    });
    TestProxy { url, hits }
}

async fn proxy_conn(mut client: TcpStream, hits: Arc<Mutex<Vec<ProxyHit>>>) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        let n = client.read(&mut tmp).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&tmp[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let first = lines.next().unwrap_or_default().to_owned();
    let mut parts = first.split(' ');
    let (method, target) = (parts.next().unwrap_or_default().to_owned(), parts.next().unwrap_or_default().to_owned());
    let auth = lines
        .clone()
        .find_map(|l| l.split_once(':').filter(|(n, _)| n.eq_ignore_ascii_case("proxy-authorization")))
        .map(|(_, v)| v.trim().to_owned());
    hits.lock().unwrap().push(ProxyHit { method: method.clone(), target: target.clone(), auth });
    if method == "CONNECT" {
        let mut upstream = TcpStream::connect(target.as_str()).await?;
        client.write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n").await?;
        upstream.write_all(&buf[head_end..]).await?;
        tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    } else {
        let rest = target.strip_prefix("http://").unwrap_or(&target);
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let path = if path.is_empty() { "/" } else { path };
        let mut upstream = TcpStream::connect(authority).await?;
        let mut out = format!("{method} {path} {}\r\n", parts.next().unwrap_or("HTTP/1.1"));
        for l in lines.filter(|l| !l.to_ascii_lowercase().starts_with("proxy-")) {
            out.push_str(l);
            out.push_str("\r\n");
        }
        // `lines` ended with the two empty strings of the blank line: trim to one CRLF.
        let out = out.trim_end_matches("\r\n").to_owned() + "\r\n\r\n";
        upstream.write_all(out.as_bytes()).await?;
        upstream.write_all(&buf[head_end..]).await?;
        tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    }
    Ok(())
}

#[tokio::test]
async fn explicit_proxy_forward_and_connect() {
    let proxy = start_proxy().await;
    // Plain HTTP: forwarded, with proxy credentials.
    let emu = emulator().await;
    let p = ProxyConfig::url(&proxy.url).unwrap().basic_auth("user", "p@ss");
    let c = client_with(ClientProfile::new().http_profile(HttpProfile::new().endpoint(emu.endpoint()).proxy(p)));
    c.call_json(CVM.0, CVM.1, "DescribeRegions", json!({})).await.unwrap();
    let hits = proxy.hits.lock().unwrap().clone();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].method, "POST");
    assert_eq!(hits[0].target, format!("{}/", emu.endpoint()));
    // base64("user:p@ss")
    assert_eq!(hits[0].auth.as_deref(), Some("Basic dXNlcjpwQHNz"));
    assert_all_verified(&emu);

    // HTTPS: tunnelled with CONNECT (credentials in the URL this time).
    let tls = Emulator::builder().tls().start().await.unwrap();
    let with_creds = proxy.url.replace("http://", "http://u2:secret2@");
    let http = HttpProfile::new()
        .endpoint(tls.endpoint())
        .ca_pem(tls.ca_pem().unwrap().into_bytes())
        .proxy(ProxyConfig::url(&with_creds).unwrap());
    let c = client_with(ClientProfile::new().http_profile(http));
    c.call_json(CVM.0, CVM.1, "DescribeRegions", json!({})).await.unwrap();
    let hits = proxy.hits.lock().unwrap().clone();
    assert_eq!(hits.len(), 2, "{hits:?}");
    assert_eq!(hits[1].method, "CONNECT");
    assert_eq!(hits[1].target, tls.host());
    assert_eq!(hits[1].auth.as_deref(), Some("Basic dTI6c2VjcmV0Mg=="));
    assert_all_verified(&tls);

    // A proxy that is down: a connect error, never a silent direct connection.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let http = HttpProfile::new().endpoint(emu.endpoint()).proxy(ProxyConfig::url(&dead_url).unwrap());
    let e = client_with(ClientProfile::new().http_profile(http))
        .call_json(CVM.0, CVM.1, "DescribeRegions", json!({}))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Network);
    assert_eq!(emu.request_count(), 1);
}

#[tokio::test]
async fn env_style_proxy_and_no_proxy() {
    let proxy = start_proxy().await;
    let emu = emulator().await;
    let vars = |no_proxy: &'static str| {
        let url = proxy.url.clone();
        ProxyConfig::from_lookup(move |name| match name {
            "HTTP_PROXY" | "HTTPS_PROXY" => Some(url.clone()),
            "NO_PROXY" => Some(no_proxy.to_owned()),
            _ => None,
        })
        .unwrap()
    };
    let call = |p: ProxyConfig| {
        let c = client_with(ClientProfile::new().http_profile(HttpProfile::new().endpoint(emu.endpoint()).proxy(p)));
        async move { c.call_json(CVM.0, CVM.1, "DescribeRegions", json!({})).await.unwrap() }
    };
    // NO_PROXY matching the emulator's address (port ignored): direct.
    call(vars("example.com, 127.0.0.1:1")).await;
    call(vars("*")).await;
    call(vars("10.0.0.0/8,127.0.0.0/8")).await;
    assert!(proxy.hits.lock().unwrap().is_empty());
    assert_eq!(emu.request_count(), 3);
    // Not matching: through the proxy.
    call(vars("example.com,.127.0.0.1.nip.io")).await;
    assert_eq!(proxy.hits.lock().unwrap().len(), 1);
    // An explicit proxy with its own bypass list.
    call(ProxyConfig::url(&proxy.url).unwrap().no_proxy("127.0.0.1")).await;
    assert_eq!(proxy.hits.lock().unwrap().len(), 1);
    assert_eq!(emu.request_count(), 5);
    assert_all_verified(&emu);
}

#[tokio::test]
async fn dropping_the_call_cancels_it() {
    let emu = emulator().await;
    let c = client(&emu);
    emu.push_fault(Fault::Delay(Duration::from_millis(500)));
    let r =
        tokio::time::timeout(Duration::from_millis(100), c.call_json("demo", "2020-01-01", "Echo", json!({}))).await;
    assert!(r.is_err());
    // The client goes on working, and nothing was sent again behind our back.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(emu.request_count(), 1);
    c.call_json("demo", "2020-01-01", "Echo", json!({})).await.unwrap();
    assert_eq!(emu.request_count(), 2);
}

#[cfg(feature = "blocking")]
#[test]
fn blocking_client() {
    use tencentcloud_transport_std::blocking;

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let emu = rt.block_on(emulator());
    let c = blocking::Client::new(client(&emu)).unwrap();
    let regions = c.call_json(CVM.0, CVM.1, "DescribeRegions", json!({})).unwrap();
    assert!(regions["TotalCount"].as_u64().unwrap() > 0);
    let params = json!({"Messages": [{"Role": "user", "Content": "sync"}], "EmulatorEventDelayMs": 0});
    let events: Vec<Value> = c
        .call_sse("hunyuan", "2023-09-01", "ChatCompletions", params, &CallOptions::new())
        .unwrap()
        .map(|e| e.unwrap().json().unwrap())
        .collect();
    assert!(events.len() > 3);
    let out =
        c.call_octet_stream("demo", "2020-01-01", "UploadFile", &[], vec![1u8, 2, 3], &CallOptions::new()).unwrap();
    assert!(matches!(out, OctetOutput::Json(ref v) if v["Length"] == 3));
    emu.push_fault(Fault::RateLimit);
    let e = c.call_json(CVM.0, CVM.1, "DescribeRegions", json!({})).unwrap_err();
    assert_eq!(e.api_code(), Some("RequestLimitExceeded"));
    assert_all_verified(&emu);
}
