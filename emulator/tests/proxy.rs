//! The emulator as a proxy for the real endpoint names, driven by a hand-written client (its
//! own TC3 signing, raw HTTP/1.1): CONNECT tunnels with certificates issued for the name, plain
//! requests in absolute form, the service taken from the host, one state for every way in,
//! refusals (never forwarded), bounds, and the Node.js SDK's host signed without its port.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tencentcloud_emulator::{Emulator, Leniency, RunningEmulator, Verification};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const ID: &str = "AKIDPROXYTEST000000000000000000000001";
const KEY: &str = "proxy-test-secret-key-0000000000001";

fn hex_sha256(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn hmac(key: &[u8], msg: &str) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(msg.as_bytes());
    m.finalize().into_bytes().to_vec()
}

/// One API call, signed as a client would.
struct Call<'a> {
    /// The `Host` header sent.
    host: &'a str,
    /// The `host` value signed (`None`: the header as sent).
    signed_host: Option<&'a str>,
    /// The credential scope's service.
    service: &'a str,
    version: &'a str,
    action: &'a str,
    body: Value,
    key: &'a str,
    /// The request target: `/`, or an absolute URL through the proxy.
    target: &'a str,
}

impl<'a> Call<'a> {
    fn new(host: &'a str, service: &'a str, version: &'a str, action: &'a str, body: Value) -> Self {
        Call { host, signed_host: None, service, version, action, body, key: KEY, target: "/" }
    }

    fn bytes(&self) -> Vec<u8> {
        let body = self.body.to_string();
        let ts = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
        let date = tencentcloud_emulator::clock::utc_date(ts);
        let ct = "application/json";
        let canonical = format!(
            "POST\n/\n\ncontent-type:{ct}\nhost:{}\n\ncontent-type;host\n{}",
            self.signed_host.unwrap_or(self.host),
            hex_sha256(body.as_bytes())
        );
        let scope = format!("{date}/{}/tc3_request", self.service);
        let to_sign = format!("TC3-HMAC-SHA256\n{ts}\n{scope}\n{}", hex_sha256(canonical.as_bytes()));
        let k = hmac(&hmac(&hmac(format!("TC3{}", self.key).as_bytes(), &date), self.service), "tc3_request");
        let sig = hex::encode(hmac(&k, &to_sign));
        format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: {ct}\r\nX-TC-Action: {}\r\nX-TC-Version: {}\r\nX-TC-Region: ap-guangzhou\r\nX-TC-Timestamp: {ts}\r\nAuthorization: TC3-HMAC-SHA256 Credential={ID}/{scope}, SignedHeaders=content-type;host, Signature={sig}\r\nContent-Length: {}\r\n\r\n{body}",
            self.target,
            self.host,
            self.action,
            self.version,
            body.len()
        )
        .into_bytes()
    }
}

/// A response: status, head (lower-cased), body.
struct Answer {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    /// The `Response` object, or panics with the error.
    fn ok(&self) -> Value {
        let r = self.json()["Response"].clone();
        assert!(r.get("Error").is_none(), "{r}");
        r
    }

    fn error_code(&self) -> String {
        self.json()["Response"]["Error"]["Code"].as_str().unwrap_or("").to_owned()
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Reads one response head byte by byte (nothing past it is consumed), then its body.
async fn read_answer<S: AsyncRead + Unpin>(s: &mut S, with_body: bool) -> Answer {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut b = [0u8; 1];
        let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut b)).await.expect("answer in time").unwrap();
        assert!(n == 1, "connection closed after {:?}", String::from_utf8_lossy(&head));
        head.push(b[0]);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap();
    let len = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse::<usize>().unwrap())
        .unwrap_or(0);
    let mut body = vec![0u8; if with_body { len } else { 0 }];
    s.read_exact(&mut body).await.unwrap();
    Answer { status, head, body }
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(s: &mut S, request: &[u8]) -> Answer {
    s.write_all(request).await.unwrap();
    read_answer(s, true).await
}

async fn emulator() -> RunningEmulator {
    Emulator::builder().key(ID, KEY).proxy().resources(true).start().await.unwrap()
}

/// `CONNECT host:443` through the proxy, then TLS trusting only the emulator's CA.
async fn tunnel(
    proxy: std::net::SocketAddr,
    host: &str,
    ca_der: Vec<u8>,
) -> tokio_rustls::client::TlsStream<TcpStream> {
    let mut tcp = TcpStream::connect(proxy).await.unwrap();
    tcp.write_all(format!("CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n\r\n").as_bytes()).await.unwrap();
    let answer = read_answer(&mut tcp, false).await;
    assert_eq!(answer.status, 200, "{}", answer.head);
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(ca_der)).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from(host.to_owned()).unwrap(), tcp)
        .await
        .expect("the leaf names the host and chains to the emulator's CA")
}

#[tokio::test]
async fn tunnels_to_real_names_answer_as_their_service() {
    let emu = emulator().await;
    let proxy = emu.proxy_addr().unwrap();
    assert_eq!(proxy, emu.addr(), "plain endpoint: the proxy shares its listener");
    assert_eq!(emu.proxy_url().unwrap(), format!("http://{proxy}"));
    for host in ["cvm.tencentcloudapi.com", "cvm.ap-guangzhou.tencentcloudapi.com", "cvm.internal.tencentcloudapi.com"]
    {
        let mut tls = tunnel(proxy, host, emu.ca_der().unwrap()).await;
        // Two calls on one tunnel (keep-alive).
        let regions =
            exchange(&mut tls, &Call::new(host, "cvm", "2017-03-12", "DescribeRegions", json!({})).bytes()).await;
        assert!(regions.ok()["TotalCount"].as_u64().unwrap() > 0);
        let zones = exchange(&mut tls, &Call::new(host, "cvm", "2017-03-12", "DescribeZones", json!({})).bytes()).await;
        assert!(!zones.ok()["ZoneSet"].as_array().unwrap().is_empty());
    }
    let recs = emu.requests();
    assert_eq!(recs.len(), 6);
    for r in &recs {
        assert!(r.verification.is_verified(), "{:?}", r.verification);
        assert_eq!(r.service.as_deref(), Some("cvm"));
        assert!(r.proxied_host.as_deref().unwrap().starts_with("cvm."), "{:?}", r.proxied_host);
        assert!(r.leniency.is_empty());
    }
}

#[tokio::test]
async fn one_state_for_the_endpoint_the_tunnel_and_absolute_form() {
    let emu = emulator().await;
    let addr = emu.addr();
    let host = "vpc.tencentcloudapi.com";
    // Created through a tunnel...
    let mut tls = tunnel(addr, host, emu.ca_der().unwrap()).await;
    let create = Call::new(host, "vpc", "2017-03-12", "CreateVpc", json!({"VpcName": "p", "CidrBlock": "10.8.0.0/16"}));
    let vpc_id = exchange(&mut tls, &create.bytes()).await.ok()["Vpc"]["VpcId"].as_str().unwrap().to_owned();
    // ...listed through plain absolute form...
    let mut plain = TcpStream::connect(addr).await.unwrap();
    let list = Call {
        target: "http://vpc.tencentcloudapi.com/",
        ..Call::new(host, "vpc", "2017-03-12", "DescribeVpcs", json!({}))
    };
    let listed = exchange(&mut plain, &list.bytes()).await.ok();
    assert!(listed["VpcSet"].as_array().unwrap().iter().any(|v| v["VpcId"] == vpc_id.as_str()), "{listed}");
    // ...and through the endpoint, by its own address.
    let own = addr.to_string();
    let mut direct = TcpStream::connect(addr).await.unwrap();
    let listed = exchange(&mut direct, &Call::new(&own, "vpc", "2017-03-12", "DescribeVpcs", json!({})).bytes()).await;
    assert!(listed.ok()["VpcSet"].as_array().unwrap().iter().any(|v| v["VpcId"] == vpc_id.as_str()));
    // Deleted through the endpoint: gone for the tunnel too.
    let delete = Call::new(&own, "vpc", "2017-03-12", "DeleteVpc", json!({"VpcId": vpc_id}));
    exchange(&mut direct, &delete.bytes()).await.ok();
    let listed =
        exchange(&mut tls, &Call::new(host, "vpc", "2017-03-12", "DescribeVpcs", json!({})).bytes()).await.ok();
    assert!(listed["VpcSet"].as_array().unwrap().iter().all(|v| v["VpcId"] != vpc_id.as_str()));
    let via: Vec<Option<String>> = emu.requests().iter().map(|r| r.proxied_host.clone()).collect();
    let tunnel_host = Some(host.to_owned());
    assert_eq!(via, [tunnel_host.clone(), tunnel_host.clone(), None, None, tunnel_host]);
}

#[tokio::test]
async fn other_hosts_are_refused_and_never_reached() {
    let emu = emulator().await;
    // A server the proxy must never reach.
    let bystander = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let b = bystander.local_addr().unwrap();
    for (request, reason) in [
        (
            "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n".to_owned(),
            "not a Tencent Cloud API endpoint",
        ),
        (format!("CONNECT {b} HTTP/1.1\r\nHost: {b}\r\n\r\n"), "not a Tencent Cloud API endpoint"),
        (format!("GET http://{b}/ HTTP/1.1\r\nHost: {b}\r\n\r\n"), "not a Tencent Cloud API endpoint"),
        (
            "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n".to_owned(),
            "not a Tencent Cloud API endpoint",
        ),
        (
            "CONNECT cvm.tencentcloudapi.com:22 HTTP/1.1\r\nHost: cvm.tencentcloudapi.com:22\r\n\r\n".to_owned(),
            "port 22",
        ),
        (
            "CONNECT cvm.tencentcloudapi.com.evil.example:443 HTTP/1.1\r\nHost: x\r\n\r\n".to_owned(),
            "not a Tencent Cloud API endpoint",
        ),
    ] {
        let mut s = TcpStream::connect(emu.addr()).await.unwrap();
        let answer = exchange(&mut s, request.as_bytes()).await;
        assert_eq!(answer.status, 403, "{request}");
        assert!(answer.text().contains(reason), "{}", answer.text());
        assert!(answer.text().contains("never forwards"), "{}", answer.text());
    }
    let reached = tokio::time::timeout(Duration::from_millis(200), bystander.accept()).await;
    assert!(reached.is_err(), "the proxy connected to another host");
    let refused: Vec<Option<u16>> = emu.requests().iter().map(|r| r.status).collect();
    assert_eq!(refused, [Some(403); 6], "refusals are in the request log");
}

#[tokio::test]
async fn the_service_is_the_hosts_and_keys_still_count() {
    let emu = emulator().await;
    let host = "cvm.tencentcloudapi.com";
    let mut tls = tunnel(emu.addr(), host, emu.ca_der().unwrap()).await;
    // Signed for vpc, sent to cvm.
    let scoped = Call::new(host, "vpc", "2017-03-12", "DescribeVpcs", json!({}));
    let answer = exchange(&mut tls, &scoped.bytes()).await;
    assert_eq!(answer.error_code(), "AuthFailure.SignatureFailure");
    assert!(answer.json()["Response"]["Error"]["Message"].as_str().unwrap().contains("cvm.tencentcloudapi.com"));
    // A wrong key through the proxy.
    let wrong = Call { key: "not-the-key", ..Call::new(host, "cvm", "2017-03-12", "DescribeRegions", json!({})) };
    assert_eq!(exchange(&mut tls, &wrong.bytes()).await.error_code(), "AuthFailure.SignatureFailure");
    // The Host header must name the tunnel's host.
    let other = Call::new("vpc.tencentcloudapi.com", "vpc", "2017-03-12", "DescribeVpcs", json!({}));
    let answer = exchange(&mut tls, &other.bytes()).await;
    assert_eq!(answer.status, 421, "{}", answer.text());
    let recs = emu.requests();
    assert_eq!(recs[0].service.as_deref(), Some("cvm"));
    assert!(matches!(&recs[0].verification, Verification::Failed { .. }));
}

#[tokio::test]
async fn bounded_heads_and_tunnels() {
    let emu = Emulator::builder().key(ID, KEY).proxy().proxy_max_tunnels(2).start().await.unwrap();
    let ca = emu.ca_der().unwrap();
    // A head past the bound: 431, nothing read further.
    let mut s = TcpStream::connect(emu.addr()).await.unwrap();
    let big = format!(
        "GET http://cvm.tencentcloudapi.com/ HTTP/1.1\r\nHost: cvm.tencentcloudapi.com\r\nX-Big: {}\r\n\r\n",
        "a".repeat(tencentcloud_emulator::PROXY_MAX_HEAD + 1)
    );
    let _ = s.write_all(big.as_bytes()).await;
    let answer = read_answer(&mut s, false).await;
    assert_eq!(answer.status, 431, "{}", answer.head);
    // Two tunnels open: the third is 503 with the reason, until one closes.
    let t1 = tunnel(emu.addr(), "cvm.tencentcloudapi.com", ca.clone()).await;
    let _t2 = tunnel(emu.addr(), "vpc.tencentcloudapi.com", ca.clone()).await;
    let mut s = TcpStream::connect(emu.addr()).await.unwrap();
    let answer =
        exchange(&mut s, b"CONNECT sts.tencentcloudapi.com:443 HTTP/1.1\r\nHost: sts.tencentcloudapi.com:443\r\n\r\n")
            .await;
    assert_eq!(answer.status, 503);
    assert!(answer.text().contains("tunnels are open"), "{}", answer.text());
    drop(t1);
    let mut reopened = None;
    for _ in 0..50 {
        let mut s = TcpStream::connect(emu.addr()).await.unwrap();
        s.write_all(b"CONNECT sts.tencentcloudapi.com:443 HTTP/1.1\r\nHost: sts.tencentcloudapi.com:443\r\n\r\n")
            .await
            .unwrap();
        if read_answer(&mut s, false).await.status == 200 {
            reopened = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(reopened.is_some(), "a closed tunnel frees its place");
}

#[tokio::test]
async fn proxy_beside_a_tls_endpoint_and_metadata() {
    let dir = std::env::temp_dir().join(format!("emulator-proxy-ca-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let emu = Emulator::builder().key(ID, KEY).tls().proxy().ca_dir(&dir).start().await.unwrap();
    let proxy = emu.proxy_addr().unwrap();
    assert_ne!(proxy, emu.addr(), "a TLS endpoint: the proxy listens on its own plain port");
    assert_eq!(emu.ca_path().unwrap(), dir.join("ca.pem"));
    assert_eq!(std::fs::read_to_string(dir.join("ca.pem")).unwrap(), emu.ca_pem().unwrap());
    let mut tls = tunnel(proxy, "cvm.tencentcloudapi.com", emu.ca_der().unwrap()).await;
    let host = "cvm.tencentcloudapi.com";
    exchange(&mut tls, &Call::new(host, "cvm", "2017-03-12", "DescribeRegions", json!({})).bytes()).await.ok();
    // The instance-metadata host, in absolute form.
    let mut s = TcpStream::connect(proxy).await.unwrap();
    let md = exchange(
        &mut s,
        b"GET http://metadata.tencentyun.com/latest/meta-data/cam/security-credentials/ HTTP/1.1\r\nHost: metadata.tencentyun.com\r\n\r\n",
    )
    .await;
    assert_eq!((md.status, md.text().as_str()), (200, "emulator-role"));
    // The same CA at the next start.
    let again = Emulator::builder().tls().proxy().ca_dir(&dir).start().await.unwrap();
    assert_eq!(again.ca_pem(), emu.ca_pem());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_endpoint_without_the_proxy_says_so() {
    let emu = Emulator::builder().key(ID, KEY).start().await.unwrap();
    assert_eq!(emu.proxy_addr(), None);
    let mut s = TcpStream::connect(emu.addr()).await.unwrap();
    let answer =
        exchange(&mut s, b"CONNECT cvm.tencentcloudapi.com:443 HTTP/1.1\r\nHost: cvm.tencentcloudapi.com:443\r\n\r\n")
            .await;
    assert_eq!(answer.status, 405);
    assert!(answer.text().contains("--proxy"), "{}", answer.text());
}

/// The Node.js SDK signs `host:127.0.0.1` while sending `Host: 127.0.0.1:PORT`: accepted by the
/// named rule (and recorded), still refused with a wrong key.
#[tokio::test]
async fn node_sdk_host_without_port_at_the_endpoint() {
    let emu = Emulator::builder().key(ID, KEY).start().await.unwrap();
    let own = emu.addr().to_string();
    let mut s = TcpStream::connect(emu.addr()).await.unwrap();
    let node =
        Call { signed_host: Some("127.0.0.1"), ..Call::new(&own, "cvm", "2017-03-12", "DescribeRegions", json!({})) };
    exchange(&mut s, &node.bytes()).await.ok();
    let wrong = Call { key: "wrong", ..node };
    assert_eq!(exchange(&mut s, &wrong.bytes()).await.error_code(), "AuthFailure.SignatureFailure");
    let recs = emu.requests();
    assert_eq!(recs[0].leniency, [Leniency::HostWithoutPort]);
    assert!(recs[0].verification.is_verified());
    assert!(!recs[1].verification.is_verified());
}
