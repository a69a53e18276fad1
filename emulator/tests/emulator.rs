//! End-to-end tests of the emulator over real sockets, with a small independent TC3 signer.

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tencentcloud_emulator::{Emulator, Fault, RunningEmulator, Verification, default_test_key};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const ID: &str = "AKIDTESTTESTTESTTESTTESTTESTTEST0001";
const KEY: &str = "test-secret-key-0000000000000001";

// ---------------------------------------------------------------------------------------------
// A tiny, independent TC3 signer (deliberately not the emulator's `tc3` module).

fn hex_sha256(b: &[u8]) -> String {
    Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect()
}

fn hmac(key: &[u8], msg: &str) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(msg.as_bytes());
    m.finalize().into_bytes().to_vec()
}

fn utc_date(ts: i64) -> String {
    // Days-from-civil inverse by brute force over a small range: fine for a test.
    let days = ts.div_euclid(86_400);
    let (mut y, mut d) = (1970i64, days);
    loop {
        let len = if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 { 366 } else { 365 };
        if d < len {
            break;
        }
        d -= len;
        y += 1;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let months = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut m = 0;
    while d >= months[m] {
        d -= months[m];
        m += 1;
    }
    format!("{y:04}-{:02}-{:02}", m + 1, d + 1)
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

#[derive(Clone)]
struct Call {
    method: &'static str,
    service: &'static str,
    action: &'static str,
    version: &'static str,
    region: Option<&'static str>,
    content_type: &'static str,
    query: String,
    body: Vec<u8>,
    id: String,
    key: String,
    token: Option<String>,
    timestamp: i64,
    scope_date: Option<String>,
    unsigned_payload: bool,
    /// Extra headers (sent, not signed unless listed in `sign_extra`).
    extra: Vec<(String, String)>,
    sign_action: bool,
    authorization: Option<String>,
    omit: Vec<&'static str>,
}

impl Call {
    fn post(service: &'static str, action: &'static str, version: &'static str, body: Value) -> Self {
        Call {
            method: "POST",
            service,
            action,
            version,
            region: Some("ap-guangzhou"),
            content_type: "application/json; charset=utf-8",
            query: String::new(),
            body: body.to_string().into_bytes(),
            id: ID.into(),
            key: KEY.into(),
            token: None,
            timestamp: now(),
            scope_date: None,
            unsigned_payload: false,
            extra: Vec::new(),
            sign_action: false,
            authorization: None,
            omit: Vec::new(),
        }
    }

    fn echo(body: Value) -> Self {
        Call::post("cvm", "Echo", "2017-03-12", body)
    }

    fn creds(mut self, id: &str, key: &str, token: Option<&str>) -> Self {
        self.id = id.into();
        self.key = key.into();
        self.token = token.map(str::to_owned);
        self
    }

    fn bytes(&self, host: &str) -> Vec<u8> {
        let mut headers: Vec<(String, String)> = vec![
            ("Host".into(), host.into()),
            ("Content-Type".into(), self.content_type.into()),
            ("X-TC-Action".into(), self.action.into()),
            ("X-TC-Timestamp".into(), self.timestamp.to_string()),
            ("X-TC-Version".into(), self.version.into()),
        ];
        if let Some(r) = self.region {
            headers.push(("X-TC-Region".into(), r.into()));
        }
        if let Some(t) = &self.token {
            headers.push(("X-TC-Token".into(), t.clone()));
        }
        if self.unsigned_payload {
            headers.push(("X-TC-Content-SHA256".into(), "UNSIGNED-PAYLOAD".into()));
        }
        headers.extend(self.extra.iter().cloned());

        let payload_hash = if self.unsigned_payload {
            hex_sha256(b"UNSIGNED-PAYLOAD")
        } else if self.method == "GET" {
            hex_sha256(b"")
        } else {
            hex_sha256(&self.body)
        };
        let mut signed = vec!["content-type", "host"];
        if self.sign_action {
            signed.push("x-tc-action");
        }
        let canonical_headers: String = signed
            .iter()
            .map(|n| {
                let v = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).unwrap().1.trim().to_lowercase();
                format!("{n}:{v}\n")
            })
            .collect();
        let signed_headers = signed.join(";");
        let query = if self.method == "GET" { self.query.as_str() } else { "" };
        let creq = format!("{}\n/\n{query}\n{canonical_headers}\n{signed_headers}\n{payload_hash}", self.method);
        let date = self.scope_date.clone().unwrap_or_else(|| utc_date(self.timestamp));
        let scope = format!("{date}/{}/tc3_request", self.service);
        let sts = format!("TC3-HMAC-SHA256\n{}\n{scope}\n{}", self.timestamp, hex_sha256(creq.as_bytes()));
        let k = hmac(&hmac(&hmac(format!("TC3{}", self.key).as_bytes(), &date), self.service), "tc3_request");
        let sig: String = hmac(&k, &sts).iter().map(|x| format!("{x:02x}")).collect();
        let auth = self.authorization.clone().unwrap_or_else(|| {
            format!("TC3-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={sig}", self.id)
        });
        headers.push(("Authorization".into(), auth));
        headers.retain(|(k, _)| !self.omit.iter().any(|o| k.eq_ignore_ascii_case(o)));

        let target = if self.query.is_empty() { "/".to_owned() } else { format!("/?{}", self.query) };
        let mut out = format!("{} {target} HTTP/1.1\r\n", self.method);
        for (k, v) in &headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        if self.method == "POST" {
            out.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        out.push_str("\r\n");
        let mut bytes = out.into_bytes();
        if self.method == "POST" {
            bytes.extend_from_slice(&self.body);
        }
        bytes
    }
}

// ---------------------------------------------------------------------------------------------
// A tiny HTTP/1.1 response reader.

#[derive(Debug)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
    fn error_code(&self) -> Option<String> {
        self.json()["Response"]["Error"]["Code"].as_str().map(str::to_owned)
    }
}

/// Reads one response; `Ok(None)` if the connection closed before any byte.
async fn read_response<S: AsyncRead + Unpin>(r: &mut BufReader<S>) -> io::Result<Option<Resp>> {
    let mut line = String::new();
    if r.read_line(&mut line).await? == 0 {
        return Ok(None);
    }
    let status: u16 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut headers = Vec::new();
    loop {
        line.clear();
        r.read_line(&mut line).await?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':').unwrap();
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let find =
        |n: &str| headers.iter().find(|(k, _): &&(String, String)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.clone());
    let mut body = Vec::new();
    if let Some(len) = find("content-length") {
        body.resize(len.parse().unwrap(), 0);
        r.read_exact(&mut body).await?;
    } else if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            line.clear();
            r.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap(), 16).unwrap();
            let mut chunk = vec![0; size + 2];
            r.read_exact(&mut chunk).await?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        r.read_to_end(&mut body).await?;
    }
    Ok(Some(Resp { status, headers, body }))
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(stream: S, req: &[u8]) -> io::Result<Option<Resp>> {
    let mut r = BufReader::new(stream);
    r.get_mut().write_all(req).await?;
    read_response(&mut r).await
}

async fn send(emu: &RunningEmulator, call: &Call) -> Resp {
    let stream = TcpStream::connect(emu.addr()).await.unwrap();
    exchange(stream, &call.bytes(&emu.host())).await.unwrap().expect("a response")
}

async fn start() -> RunningEmulator {
    Emulator::builder().key(ID, KEY).start().await.unwrap()
}

fn assert_envelope_error(resp: &Resp, code: &str) {
    assert_eq!(resp.status, 200, "{resp:?}");
    let v = resp.json();
    assert_eq!(v["Response"]["Error"]["Code"], code, "{v}");
    assert!(v["Response"]["Error"]["Message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(v["Response"]["RequestId"].as_str().is_some_and(|id| id.len() == 36));
}

// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn hand_signed_echo_is_accepted() {
    let emu = start().await;
    let mut call = Call::echo(json!({"Foo": "bar", "N": [1, 2]}));
    call.extra = vec![
        ("X-TC-TraceId".into(), "trace-123".into()),
        ("X-TC-Language".into(), "en-US".into()),
        ("X-TC-RequestClient".into(), "tencentcloud-rs/0.1".into()),
    ];
    let resp = send(&emu, &call).await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-type"), Some("application/json"));
    let date = resp.header("date").expect("Date header");
    assert_eq!(resp.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case("date")).count(), 1);
    assert!(date.ends_with(" GMT") && date.len() == 29, "{date}");
    let v = resp.json();
    let r = &v["Response"];
    assert!(r.get("Error").is_none(), "{v}");
    assert_eq!(r["Params"], json!({"Foo": "bar", "N": [1, 2]}));
    assert_eq!(r["Action"], "Echo");
    assert_eq!(r["Service"], "cvm");
    assert_eq!(r["Region"], "ap-guangzhou");
    assert_eq!(r["Headers"]["X-TC-TraceId"], "trace-123");
    assert_eq!(r["Headers"]["X-TC-Language"], "en-US");
    assert_eq!(r["Headers"]["X-TC-RequestClient"], "tencentcloud-rs/0.1");
    assert_eq!(r["RequestId"].as_str().unwrap().len(), 36);

    let recs = emu.requests();
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].action.as_deref(), Some("Echo"));
    assert_eq!(recs[0].service.as_deref(), Some("cvm"));
    assert_eq!(recs[0].verification, Verification::Verified { secret_id: ID.into(), temporary: false });
    assert_eq!(recs[0].status, Some(200));
    assert_eq!(recs[0].request_id, r["RequestId"].as_str().unwrap());
    emu.shutdown().await;
}

#[tokio::test]
async fn extra_signed_headers_and_unsigned_payload() {
    let emu = start().await;
    let mut call = Call::echo(json!({}));
    call.sign_action = true;
    assert!(send(&emu, &call).await.error_code().is_none());

    let mut call = Call::echo(json!({"Big": "payload"}));
    call.unsigned_payload = true;
    assert!(send(&emu, &call).await.error_code().is_none());
    // The same signature does not cover a real body hash.
    let mut bad = call.clone();
    bad.unsigned_payload = false;
    bad.extra = vec![("X-TC-Content-SHA256".into(), "UNSIGNED-PAYLOAD".into())];
    let ok = send(&emu, &bad).await;
    assert_envelope_error(&ok, "AuthFailure.SignatureFailure");
}

#[tokio::test]
async fn default_key_is_accepted_without_configuration() {
    let (id, key) = default_test_key();
    assert_eq!(id.len(), 36);
    assert_eq!(key.len(), 32);
    let emu = Emulator::builder().start().await.unwrap();
    let resp = send(&emu, &Call::echo(json!({})).creds(id, key, None)).await;
    assert!(resp.error_code().is_none(), "{:?}", resp.json());
    assert_envelope_error(&send(&emu, &Call::echo(json!({}))).await, "AuthFailure.SecretIdNotFound");
}

#[tokio::test]
async fn auth_failures() {
    let emu = start().await;
    let base = Call::echo(json!({"A": 1}));

    let c = base.clone().creds("AKIDUNKNOWN", KEY, None);
    assert_envelope_error(&send(&emu, &c).await, "AuthFailure.SecretIdNotFound");

    let c = base.clone().creds(ID, "wrong-key", None);
    assert_envelope_error(&send(&emu, &c).await, "AuthFailure.SignatureFailure");

    let mut c = base.clone();
    c.timestamp -= 400;
    assert_envelope_error(&send(&emu, &c).await, "AuthFailure.SignatureExpire");
    let mut c = base.clone();
    c.timestamp += 400;
    assert_envelope_error(&send(&emu, &c).await, "AuthFailure.SignatureExpire");
    let mut c = base.clone();
    c.timestamp -= 200;
    assert!(send(&emu, &c).await.error_code().is_none());

    let mut c = base.clone();
    c.scope_date = Some(utc_date(c.timestamp + 86_400));
    assert_envelope_error(&send(&emu, &c).await, "AuthFailure.SignatureFailure");

    let mut c = base.clone();
    c.authorization = Some("TC3-HMAC-SHA256 Credential=garbage".into());
    assert_envelope_error(&send(&emu, &c).await, "AuthFailure.InvalidAuthorization");

    let mut c = base.clone();
    c.authorization = Some("SKIP".into());
    assert_envelope_error(&send(&emu, &c).await, "AuthFailure.InvalidAuthorization");

    for header in ["Authorization", "X-TC-Action", "X-TC-Timestamp", "X-TC-Version"] {
        let mut c = base.clone();
        c.omit = vec![header];
        assert_envelope_error(&send(&emu, &c).await, "MissingParameter");
    }

    // Tampered body after signing.
    let mut c = base.clone();
    let bytes = c.bytes(&emu.host());
    let tampered = String::from_utf8(bytes).unwrap().replace(r#"{"A":1}"#, r#"{"A":2}"#);
    let resp = exchange(TcpStream::connect(emu.addr()).await.unwrap(), tampered.as_bytes()).await.unwrap().unwrap();
    assert_envelope_error(&resp, "AuthFailure.SignatureFailure");
    c.action = "NoSuchThing";
    assert_envelope_error(&send(&emu, &c).await, "InvalidAction");

    let recs = emu.requests();
    let failed = recs.iter().filter(|r| !r.verification.is_verified()).count();
    assert_eq!(failed, 12);
    let detail = recs.iter().find_map(|r| match &r.verification {
        Verification::Failed { detail: Some(d), .. } => Some(d.clone()),
        _ => None,
    });
    assert!(detail.unwrap().contains("content-type;host"));
}

#[tokio::test]
async fn clock_offset_skews_the_emulator() {
    let emu = Emulator::builder().key(ID, KEY).clock_offset(1000).start().await.unwrap();
    let resp = send(&emu, &Call::echo(json!({}))).await;
    assert_envelope_error(&resp, "AuthFailure.SignatureExpire");
    // The Date header carries the emulator's (skewed) clock so a client can correct itself.
    let t = emu.now();
    assert!(t >= now() + 999);
    let date = resp.header("date").unwrap();
    assert!((t - 2..=t).any(|s| tencentcloud_emulator::clock::imf_fixdate(s) == date), "{date}");
    let mut c = Call::echo(json!({}));
    c.timestamp = emu.now();
    assert!(send(&emu, &c).await.error_code().is_none());
    emu.set_clock_offset(0);
    assert!(send(&emu, &Call::echo(json!({}))).await.error_code().is_none());
    emu.shutdown().await;
}

#[tokio::test]
async fn cvm_actions() {
    let emu = start().await;
    let resp = send(&emu, &Call::post("cvm", "DescribeInstances", "2017-03-12", json!({"Limit": 1}))).await;
    let v = resp.json();
    assert_eq!(v["Response"]["TotalCount"], 2, "{v}");
    let set = v["Response"]["InstanceSet"].as_array().unwrap();
    assert_eq!(set.len(), 1);
    for field in ["InstanceId", "InstanceName", "InstanceState", "CPU", "Memory"] {
        assert!(set[0].get(field).is_some(), "{field}");
    }
    assert_eq!(set[0]["Placement"]["Zone"], "ap-guangzhou-3");

    let resp = send(&emu, &Call::post("cvm", "DescribeInstances", "2017-03-12", json!({}))).await;
    assert_eq!(resp.json()["Response"]["InstanceSet"].as_array().unwrap().len(), 2);

    let filtered = json!({"Filters": [{"Name": "instance-name", "Values": ["emulator-db-1"]}]});
    let resp = send(&emu, &Call::post("cvm", "DescribeInstances", "2017-03-12", filtered)).await;
    assert_eq!(resp.json()["Response"]["TotalCount"], 1);

    let mut no_region = Call::post("cvm", "DescribeInstances", "2017-03-12", json!({}));
    no_region.region = None;
    assert_envelope_error(&send(&emu, &no_region).await, "MissingParameter");
    let wrong_version = Call::post("cvm", "DescribeInstances", "2017-03-13", json!({}));
    assert_envelope_error(&send(&emu, &wrong_version).await, "NoSuchVersion");

    let v = send(&emu, &Call::post("cvm", "DescribeRegions", "2017-03-12", json!({}))).await.json();
    assert!(v["Response"]["RegionSet"].as_array().unwrap().iter().any(|r| r["Region"] == "ap-guangzhou"));
    let v = send(&emu, &Call::post("cvm", "DescribeZones", "2017-03-12", json!({}))).await.json();
    assert_eq!(v["Response"]["ZoneSet"][0]["Zone"], "ap-guangzhou-3");
}

#[tokio::test]
async fn get_query_is_flattened_and_signed() {
    let emu = start().await;
    let mut c = Call::echo(json!({}));
    c.method = "GET";
    c.content_type = "application/x-www-form-urlencoded";
    c.body.clear();
    c.query = "Filters.0.Name=instance-name&Filters.0.Values.0=a%20b&Filters.0.Values.1=c&Limit=1".into();
    let v = send(&emu, &c).await.json();
    assert_eq!(
        v["Response"]["Params"],
        json!({"Filters": [{"Name": "instance-name", "Values": ["a b", "c"]}], "Limit": "1"}),
        "{v}"
    );
    assert_eq!(v["Response"]["Method"], "GET");

    let mut c = Call::post("cvm", "DescribeInstances", "2017-03-12", json!({}));
    c.method = "GET";
    c.content_type = "application/x-www-form-urlencoded";
    c.body.clear();
    c.query = "Limit=1&Offset=1".into();
    let v = send(&emu, &c).await.json();
    assert_eq!(v["Response"]["InstanceSet"][0]["InstanceId"], "ins-emu00002", "{v}");
}

async fn assume_role(emu: &RunningEmulator, body: Value) -> Value {
    send(emu, &Call::post("sts", "AssumeRole", "2018-08-13", body)).await.json()
}

#[tokio::test]
async fn sts_minted_credentials() {
    let emu = start().await;
    let v =
        assume_role(&emu, json!({"RoleArn": "qcs::cam::uin/100000000001:roleName/test", "RoleSessionName": "s"})).await;
    let r = &v["Response"];
    let (id, key, token) = (
        r["Credentials"]["TmpSecretId"].as_str().unwrap(),
        r["Credentials"]["TmpSecretKey"].as_str().unwrap(),
        r["Credentials"]["Token"].as_str().unwrap(),
    );
    let expired = r["ExpiredTime"].as_i64().unwrap();
    assert!((expired - now() - 7200).abs() <= 2, "{v}");
    assert!(r["Expiration"].as_str().unwrap().ends_with('Z'));

    let ok = send(&emu, &Call::echo(json!({})).creds(id, key, Some(token))).await;
    assert!(ok.error_code().is_none(), "{:?}", ok.json());
    assert_eq!(
        emu.requests().last().unwrap().verification,
        Verification::Verified { secret_id: id.into(), temporary: true }
    );
    let no_token = send(&emu, &Call::echo(json!({})).creds(id, key, None)).await;
    assert_envelope_error(&no_token, "AuthFailure.TokenFailure");
    let bad_token = send(&emu, &Call::echo(json!({})).creds(id, key, Some("nope"))).await;
    assert_envelope_error(&bad_token, "AuthFailure.TokenFailure");

    let v = assume_role(&emu, json!({"RoleArn": "r", "RoleSessionName": "s", "DurationSeconds": 60})).await;
    assert_eq!(v["Response"]["Error"]["Code"], "InvalidParameterValue");
    let v = assume_role(&emu, json!({"RoleSessionName": "s"})).await;
    assert_eq!(v["Response"]["Error"]["Code"], "MissingParameter");
}

#[tokio::test]
async fn sts_lifetime_override_expires_credentials() {
    let emu = Emulator::builder().key(ID, KEY).sts_lifetime(Duration::from_millis(1500)).start().await.unwrap();
    let v = assume_role(&emu, json!({"RoleArn": "r", "RoleSessionName": "s", "DurationSeconds": 3600})).await;
    let c = &v["Response"]["Credentials"];
    let (id, key, token) =
        (c["TmpSecretId"].as_str().unwrap(), c["TmpSecretKey"].as_str().unwrap(), c["Token"].as_str().unwrap());
    assert!(v["Response"]["ExpiredTime"].as_i64().unwrap() <= now() + 2);
    assert!(send(&emu, &Call::echo(json!({})).creds(id, key, Some(token))).await.error_code().is_none());
    tokio::time::sleep(Duration::from_millis(1700)).await;
    let expired = send(&emu, &Call::echo(json!({})).creds(id, key, Some(token))).await;
    assert_envelope_error(&expired, "AuthFailure.TokenFailure");
}

#[tokio::test]
async fn web_identity_with_skip() {
    let emu = start().await;
    let mut c = Call::post(
        "sts",
        "AssumeRoleWithWebIdentity",
        "2018-08-13",
        json!({"ProviderId": "OIDC", "WebIdentityToken": "jwt", "RoleArn": "r", "RoleSessionName": "s"}),
    );
    c.authorization = Some("SKIP".into());
    c.region = Some("ap-guangzhou");
    let v = send(&emu, &c).await.json();
    let cred = &v["Response"]["Credentials"];
    assert!(cred["TmpSecretId"].as_str().is_some(), "{v}");
    assert_eq!(emu.requests()[0].verification, Verification::Skipped);
    let ok = send(
        &emu,
        &Call::echo(json!({})).creds(
            cred["TmpSecretId"].as_str().unwrap(),
            cred["TmpSecretKey"].as_str().unwrap(),
            cred["Token"].as_str(),
        ),
    )
    .await;
    assert!(ok.error_code().is_none());
}

#[tokio::test]
async fn faults() {
    let emu = start().await;
    let call = Call::echo(json!({}));

    emu.push_fault(Fault::RateLimit);
    emu.push_fault(Fault::Http500);
    emu.push_fault(Fault::InternalError);
    emu.push_fault(Fault::DropConnection);
    emu.push_fault(Fault::Delay(Duration::from_millis(300)));
    emu.push_fault(Fault::HttpStatus(502));
    emu.push_fault(Fault::ApiError { code: "ResourceNotFound".into(), message: "gone".into() });
    assert_eq!(emu.pending_faults(), 7);

    assert_envelope_error(&send(&emu, &call).await, "RequestLimitExceeded");
    let r = send(&emu, &call).await;
    assert_eq!(r.status, 500);
    assert!(r.header("date").is_some());
    assert_envelope_error(&send(&emu, &call).await, "InternalError");

    let stream = TcpStream::connect(emu.addr()).await.unwrap();
    assert!(exchange(stream, &call.bytes(&emu.host())).await.unwrap_or(None).is_none(), "dropped without a response");

    let t = Instant::now();
    assert!(send(&emu, &call).await.error_code().is_none());
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(send(&emu, &call).await.status, 502);
    assert_envelope_error(&send(&emu, &call).await, "ResourceNotFound");
    assert!(send(&emu, &call).await.error_code().is_none());
    assert_eq!(emu.pending_faults(), 0);

    emu.push_fault(Fault::RateLimit);
    emu.set_down(true);
    for _ in 0..3 {
        assert_eq!(send(&emu, &call).await.status, 503);
    }
    emu.set_down(false);
    assert_envelope_error(&send(&emu, &call).await, "RequestLimitExceeded");

    let recs = emu.requests();
    assert_eq!(emu.request_count(), 12);
    assert_eq!(recs[3].fault, Some(Fault::DropConnection));
    assert_eq!(recs[3].status, None);
    assert!(recs[3].verification.is_verified(), "dropped requests are still recorded and verified");
    assert_eq!(recs[0].error_code.as_deref(), Some("RequestLimitExceeded"));
    assert_eq!(recs[9].fault, Some(Fault::HttpStatus(503)));
}

#[tokio::test]
async fn keep_alive_serves_several_requests_per_connection() {
    let emu = start().await;
    let mut r = BufReader::new(TcpStream::connect(emu.addr()).await.unwrap());
    for i in 0..3 {
        r.get_mut().write_all(&Call::echo(json!({"I": i})).bytes(&emu.host())).await.unwrap();
        let resp = read_response(&mut r).await.unwrap().unwrap();
        assert_eq!(resp.json()["Response"]["Params"]["I"], i);
    }
}

#[tokio::test]
async fn sse_chat_completions() {
    let emu = start().await;
    let body = json!({"Model": "hunyuan-lite", "Messages": [{"Role": "user", "Content": "hi there"}], "Stream": true});
    let resp = send(&emu, &Call::post("hunyuan", "ChatCompletions", "2023-09-01", body)).await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-type"), Some("text/event-stream"));
    assert_eq!(resp.header("transfer-encoding"), Some("chunked"));
    let text = String::from_utf8(resp.body).unwrap();
    assert!(text.ends_with("\n\n"));
    let events: Vec<Value> = text
        .split("\n\n")
        .filter(|e| !e.is_empty())
        .map(|e| serde_json::from_str(e.strip_prefix("data: ").unwrap()).unwrap())
        .collect();
    assert!(events.len() >= 3);
    let content: String =
        events.iter().map(|e| e["Choices"][0]["Delta"]["Content"].as_str().unwrap().to_owned()).collect();
    assert_eq!(content, "Hello from the emulator. You said: hi there");
    assert_eq!(events.last().unwrap()["Choices"][0]["FinishReason"], "stop");
    assert!(events.iter().all(|e| e["Id"].is_string()));

    let body = json!({"Messages": [{"Role": "user", "Content": "x"}], "Stream": false});
    let v = send(&emu, &Call::post("hunyuan", "ChatCompletions", "2023-09-01", body)).await.json();
    assert_eq!(v["Response"]["Choices"][0]["Message"]["Content"], "Hello from the emulator. You said: x");
}

#[tokio::test]
async fn octet_stream_in_and_out() {
    let emu = start().await;
    let payload: Vec<u8> = (0..10_000u32).map(|i| (i * 7) as u8).collect();
    let mut c = Call::post("cos", "UploadFile", "2020-01-01", json!({}));
    c.content_type = "application/octet-stream";
    c.body = payload.clone();
    let v = send(&emu, &c).await.json();
    assert_eq!(v["Response"]["Length"], 10_000, "{v}");
    assert_eq!(v["Response"]["Sha256"], hex_sha256(&payload));

    let resp = send(&emu, &Call::post("cos", "GetObjectBytes", "2020-01-01", json!({"Length": 3000}))).await;
    assert_eq!(resp.header("content-type"), Some("application/octet-stream"));
    assert_eq!(resp.body.len(), 3000);
    assert_eq!(resp.body[257], 1);
    assert_eq!(resp.header("content-length"), Some("3000"));

    // Chunked in pieces of `EmulatorChunkBytes`: the same bytes, no Content-Length.
    let chunked = json!({"Length": 3000, "EmulatorChunkBytes": 1000});
    let resp = send(&emu, &Call::post("cos", "GetObjectBytes", "2020-01-01", chunked)).await;
    assert_eq!(resp.header("transfer-encoding"), Some("chunked"));
    assert_eq!(resp.header("content-length"), None);
    assert_eq!(resp.body, (0..3000).map(|i| (i % 256) as u8).collect::<Vec<_>>());
    let zero = json!({"Length": 3, "EmulatorChunkBytes": 0});
    let v = send(&emu, &Call::post("cos", "GetObjectBytes", "2020-01-01", zero)).await.json();
    assert_eq!(v["Response"]["Error"]["Code"], "InvalidParameterValue", "{v}");
}

async fn http_get(emu: &RunningEmulator, path: &str) -> Resp {
    let req = format!("GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", emu.host());
    exchange(TcpStream::connect(emu.addr()).await.unwrap(), req.as_bytes()).await.unwrap().unwrap()
}

#[tokio::test]
async fn instance_metadata_credentials() {
    let emu = Emulator::builder().key(ID, KEY).metadata_role("my-role").start().await.unwrap();
    let list = http_get(&emu, "/latest/meta-data/cam/security-credentials/").await;
    assert_eq!(String::from_utf8(list.body).unwrap(), "my-role");
    let v = http_get(&emu, "/latest/meta-data/cam/security-credentials/my-role").await.json();
    assert_eq!(v["Code"], "Success");
    let ok = send(
        &emu,
        &Call::echo(json!({})).creds(
            v["TmpSecretId"].as_str().unwrap(),
            v["TmpSecretKey"].as_str().unwrap(),
            v["Token"].as_str(),
        ),
    )
    .await;
    assert!(ok.error_code().is_none());
    assert_eq!(http_get(&emu, "/latest/meta-data/cam/security-credentials/other").await.status, 404);
    emu.push_metadata_fault(Fault::Http500);
    assert_eq!(http_get(&emu, "/latest/meta-data/placement/region").await.status, 500);
    assert_eq!(http_get(&emu, "/latest/meta-data/placement/region").await.body, b"ap-guangzhou");
}

#[tokio::test]
async fn tls_with_generated_ca() {
    use rustls::pki_types::{CertificateDer, ServerName};

    let emu = Emulator::builder().key(ID, KEY).tls().start().await.unwrap();
    assert!(emu.endpoint().starts_with("https://localhost:"));
    assert!(emu.ca_pem().unwrap().starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(emu.tls_names().unwrap(), ["localhost", "127.0.0.1"]);

    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(emu.ca_der().unwrap())).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));

    for name in ["localhost", "127.0.0.1"] {
        let tcp = TcpStream::connect(emu.addr()).await.unwrap();
        let tls = connector.connect(ServerName::try_from(name.to_owned()).unwrap(), tcp).await.unwrap();
        let resp = exchange(tls, &Call::echo(json!({"Tls": name})).bytes(&emu.host())).await.unwrap().unwrap();
        assert_eq!(resp.json()["Response"]["Params"]["Tls"], name);
    }

    // A client without the CA is refused.
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    let tcp = TcpStream::connect(emu.addr()).await.unwrap();
    let refused = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await;
    assert!(refused.is_err());
    emu.shutdown().await;
}

#[tokio::test]
async fn shutdown_stops_listening() {
    let emu = start().await;
    let addr = emu.addr();
    let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    drop(emu);
    let emu = {
        let seen = seen.clone();
        Emulator::builder()
            .key(ID, KEY)
            .on_request(move |_| {
                seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            })
            .start()
            .await
            .unwrap()
    };
    assert!(send(&emu, &Call::echo(json!({}))).await.error_code().is_none());
    assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 1);
    let addr2 = emu.addr();
    emu.shutdown().await;
    assert!(TcpStream::connect(addr2).await.is_err());
    // The dropped (never shut down) first emulator also stops.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(TcpStream::connect(addr).await.is_err());
}
