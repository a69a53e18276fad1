//! Test support: certificates (rcgen), a rustls TLS 1.3 front on loopback in front of the
//! emulator's plain HTTP port (optionally re-chunking or truncating its responses), and a
//! device that calls through the real embassy-net stack.
#![allow(dead_code, missing_docs)]

use std::net::SocketAddr;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, SignatureAlgorithm,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tencentcloud_core::{Credential, Request};
use tencentcloud_embassy_host::{HostNet, OsRandom};
use tencentcloud_emulator::{Emulator, RunningEmulator, default_test_key};
use tencentcloud_transport_embassy::net::{Buffers, Connector};
use tencentcloud_transport_embassy::pki::TrustAnchor;
use tencentcloud_transport_embassy::{Client, Clock, Config, Error};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

pub const REGION: &str = "ap-guangzhou";
pub const BODY: &[u8] = br#"{"Limit":2}"#;

/// The device's request: DescribeInstances to `localhost` (resolved by the gateway's DNS).
pub fn describe_instances() -> Request<'static> {
    Request::post_json("cvm", "2017-03-12", "DescribeInstances", BODY).region(REGION).host("localhost")
}

pub fn credential() -> Credential<'static> {
    let (id, key) = default_test_key();
    Credential::new(id, key).unwrap()
}

pub async fn emulator(tls: bool) -> RunningEmulator {
    let b = Emulator::builder();
    let b = if tls { b.tls() } else { b };
    b.start().await.unwrap()
}

/// A CA (P-256 unless `alg` says otherwise).
pub struct Ca {
    pub issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Ca {
    pub fn new(name: &str) -> Self {
        Self::with_key(name, KeyPair::generate().unwrap())
    }

    pub fn with_key(name: &str, key: KeyPair) -> Self {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, name);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        Self { issuer: CertifiedIssuer::self_signed(p, key).unwrap() }
    }

    pub fn der(&self) -> Vec<u8> {
        self.issuer.der().to_vec()
    }

    /// An intermediate signed by this CA; `is_ca: false` makes a (bad) non-CA one.
    pub fn intermediate(&self, name: &str, is_ca: bool) -> Ca {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, name);
        p.is_ca = if is_ca { IsCa::Ca(BasicConstraints::Unconstrained) } else { IsCa::NoCa };
        if is_ca {
            p.key_usages = vec![KeyUsagePurpose::KeyCertSign];
        }
        p.use_authority_key_identifier_extension = true;
        Ca { issuer: CertifiedIssuer::signed_by(p, KeyPair::generate().unwrap(), &self.issuer).unwrap() }
    }

    /// A server certificate for `names`; `tweak` adjusts it (dates, ...).
    pub fn leaf(&self, names: &[&str], key: KeyPair, tweak: impl FnOnce(&mut CertificateParams)) -> Leaf {
        let mut p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        p.distinguished_name.push(DnType::CommonName, names.first().copied().unwrap_or("leaf"));
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        p.use_authority_key_identifier_extension = true;
        tweak(&mut p);
        let cert = p.signed_by(&key, &self.issuer).unwrap();
        Leaf { chain: vec![cert.der().clone()], key }
    }
}

/// A server certificate chain and its key.
pub struct Leaf {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: KeyPair,
}

impl Leaf {
    pub fn with_intermediate(mut self, ca: &Ca) -> Self {
        self.chain.push(ca.issuer.der().clone());
        self
    }

    pub fn server_config(&self, tls13: bool) -> Arc<rustls::ServerConfig> {
        let version: &'static rustls::SupportedProtocolVersion =
            if tls13 { &rustls::version::TLS13 } else { &rustls::version::TLS12 };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.serialize_der()));
        Arc::new(
            rustls::ServerConfig::builder_with_provider(provider)
                .with_protocol_versions(&[version])
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(self.chain.clone(), key)
                .unwrap(),
        )
    }
}

pub fn rsa_key(pem: &str) -> KeyPair {
    let alg: &'static SignatureAlgorithm = &rcgen::PKCS_RSA_SHA256;
    KeyPair::from_pkcs8_pem_and_sign_algo(pem, alg).unwrap()
}

/// What the TLS front does with the emulator's responses.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    /// Pass bytes through.
    Proxy,
    /// Re-send each response with `Transfer-Encoding: chunked`, in chunks of this size.
    Rechunk(usize),
    /// Send only the first half of each response, then close.
    Truncate,
}

/// A rustls server on 127.0.0.1 in front of `backend` (plain HTTP). Returns its address.
pub async fn tls_front(config: Arc<rustls::ServerConfig>, backend: SocketAddr, mode: Mode) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A refused handshake (the device rejects the certificate) ends here.
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                let Ok(mut upstream) = tokio::net::TcpStream::connect(backend).await else { return };
                match mode {
                    Mode::Proxy => {
                        let _ = tokio::io::copy_bidirectional(&mut tls, &mut upstream).await;
                    }
                    Mode::Rechunk(size) => {
                        let (mut from_client, mut from_server) = (Vec::new(), Vec::new());
                        while let Some(request) = read_message(&mut tls, &mut from_client).await {
                            upstream.write_all(&request).await.unwrap();
                            let Some(response) = read_message(&mut upstream, &mut from_server).await else { return };
                            tls.write_all(&rechunk(&response, size)).await.unwrap();
                        }
                    }
                    Mode::Truncate => {
                        let (mut from_client, mut from_server) = (Vec::new(), Vec::new());
                        if let Some(request) = read_message(&mut tls, &mut from_client).await {
                            upstream.write_all(&request).await.unwrap();
                            if let Some(response) = read_message(&mut upstream, &mut from_server).await {
                                tls.write_all(&response[..response.len() / 2]).await.unwrap();
                            }
                        }
                        let _ = tls.shutdown().await;
                    }
                }
            });
        }
    });
    addr
}

/// Reads one HTTP/1.1 message with a `Content-Length` body (or none).
async fn read_message<R: AsyncRead + Unpin>(r: &mut R, pending: &mut Vec<u8>) -> Option<Vec<u8>> {
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&pending[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse::<usize>().unwrap());
            let total = end + 4 + len;
            while pending.len() < total {
                let n = r.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                pending.extend_from_slice(&chunk[..n]);
            }
            return Some(pending.drain(..total).collect());
        }
        let n = r.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        pending.extend_from_slice(&chunk[..n]);
    }
}

fn rechunk(response: &[u8], size: usize) -> Vec<u8> {
    let end = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&response[..end]);
    let mut out = Vec::new();
    for line in head.split("\r\n").filter(|l| !l.to_ascii_lowercase().starts_with("content-length:")) {
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
    for c in response[end + 4..].chunks(size) {
        out.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
        out.extend_from_slice(c);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// A test clock: fixed offset from the host clock, or unknown; remembers what it was told.
#[derive(Debug, Clone, Copy)]
pub struct TestClock {
    pub offset: Option<i64>,
    pub set_to: Option<u64>,
}

impl TestClock {
    pub fn system() -> Self {
        Self { offset: Some(0), set_to: None }
    }

    pub fn unknown() -> Self {
        Self { offset: None, set_to: None }
    }

    pub fn skewed(secs: i64) -> Self {
        Self { offset: Some(secs), set_to: None }
    }
}

pub fn system_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

impl Clock for TestClock {
    fn now_unix(&mut self) -> Option<u64> {
        if let Some(t) = self.set_to {
            return Some(t);
        }
        self.offset.map(|o| system_now().saturating_add_signed(o))
    }

    fn set_unix(&mut self, unix: u64) {
        self.set_to = Some(unix);
    }
}

/// The device's memory: socket and TLS buffers, as firmware would size them.
pub struct DeviceBuffers {
    tcp_rx: Vec<u8>,
    tcp_tx: Vec<u8>,
    tls_read: Vec<u8>,
    tls_write: Vec<u8>,
}

impl DeviceBuffers {
    pub fn new() -> Self {
        Self { tcp_rx: vec![0; 4096], tcp_tx: vec![0; 4096], tls_read: vec![0; 16640], tls_write: vec![0; 4096] }
    }

    pub fn buffers(&mut self) -> Buffers<'_> {
        Buffers {
            tcp_rx: &mut self.tcp_rx,
            tcp_tx: &mut self.tcp_tx,
            tls_read: &mut self.tls_read,
            tls_write: &mut self.tls_write,
        }
    }
}

/// One `call_raw` from the device to `localhost:443` through the gateway, over TLS
/// with `ca_der` as the trust anchor. Returns the response body.
pub async fn device_call(
    net: &HostNet,
    ca_der: &[u8],
    clock: &mut TestClock,
    config: Config,
    response: usize,
) -> Result<Vec<u8>, Error> {
    let mut bufs = DeviceBuffers::new();
    let mut rng = OsRandom::new().unwrap();
    let anchor = TrustAnchor::from_der(ca_der).unwrap();
    let mut connector = Connector::new(net.device, bufs.buffers(), anchor, &mut rng);
    let mut client: Client<'_, &mut TestClock> = Client::with_config(credential(), clock, config);
    let mut buf = vec![0u8; response];
    let req = describe_instances();
    client.call_raw(&mut connector, &req, &mut buf).await.map(<[u8]>::to_vec)
}

/// Fast retries for tests.
pub fn quick_config() -> Config {
    let mut c = Config::new();
    c.backoff = embassy_time::Duration::from_millis(100);
    c.max_backoff = embassy_time::Duration::from_millis(400);
    c
}

/// A TCP relay on 127.0.0.1 to `target` that keeps every byte each connection's client
/// sent (one entry per connection). Returns its address and the record.
pub async fn recording_relay(target: SocketAddr) -> (SocketAddr, Arc<std::sync::Mutex<Vec<Vec<u8>>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = tokio::net::TcpStream::connect(target).await else { return };
            let index = {
                let mut seen = record.lock().unwrap();
                seen.push(Vec::new());
                seen.len() - 1
            };
            let record = record.clone();
            let (mut client_rx, mut client_tx) = client.into_split();
            let (mut server_rx, mut server_tx) = server.into_split();
            tokio::spawn(async move {
                let mut chunk = [0u8; 4096];
                while let Ok(n @ 1..) = client_rx.read(&mut chunk).await {
                    record.lock().unwrap()[index].extend_from_slice(&chunk[..n]);
                    if server_tx.write_all(&chunk[..n]).await.is_err() {
                        break;
                    }
                }
                let _ = server_tx.shutdown().await;
            });
            tokio::spawn(async move {
                let _ = tokio::io::copy(&mut server_rx, &mut client_tx).await;
                let _ = client_tx.shutdown().await;
            });
        }
    });
    (addr, seen)
}

/// The server name (SNI) in the TLS ClientHello at the start of `bytes`: `Ok(None)` when
/// it has no server_name extension, `Err` when `bytes` does not start with a ClientHello.
pub fn client_hello_sni(bytes: &[u8]) -> Result<Option<String>, &'static str> {
    fn take<'a>(b: &mut &'a [u8], n: usize) -> Result<&'a [u8], &'static str> {
        let (head, rest) = b.split_at_checked(n).ok_or("truncated")?;
        *b = rest;
        Ok(head)
    }
    fn len(b: &mut &[u8], width: usize) -> Result<usize, &'static str> {
        Ok(take(b, width)?.iter().fold(0, |n, &d| n << 8 | usize::from(d)))
    }
    let mut b = bytes;
    if take(&mut b, 1)? != [0x16] {
        return Err("not a handshake record");
    }
    take(&mut b, 2)?; // record version
    let record = len(&mut b, 2)?;
    let mut b = take(&mut b, record)?;
    if take(&mut b, 1)? != [0x01] {
        return Err("not a ClientHello");
    }
    let body = len(&mut b, 3)?;
    let mut b = take(&mut b, body)?;
    take(&mut b, 2 + 32)?; // version, random
    for width in [1, 2, 1] {
        // session id, cipher suites, compression methods
        let n = len(&mut b, width)?;
        take(&mut b, n)?;
    }
    let extensions = len(&mut b, 2)?;
    let mut b = take(&mut b, extensions)?;
    while !b.is_empty() {
        let kind = len(&mut b, 2)?;
        let n = len(&mut b, 2)?;
        let mut data = take(&mut b, n)?;
        if kind == 0 {
            // server_name_list: (name_type, host_name) entries; the first host_name.
            len(&mut data, 2)?;
            take(&mut data, 1)?;
            let n = len(&mut data, 2)?;
            return Ok(Some(String::from_utf8_lossy(take(&mut data, n)?).into_owned()));
        }
    }
    Ok(None)
}
