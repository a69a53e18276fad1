//! End to end through the real embassy-net stack: the device's DNS query, TCP connection,
//! TLS 1.3 handshake and HTTP exchange all cross an in-memory link to a gateway stack that
//! bridges to the API emulator on loopback (TLS by the emulator itself, or by a rustls front
//! with certificates made here). The emulator checks every TC3 signature independently.

mod support;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde::Deserialize;
use support::*;
use tencentcloud_embassy_host::{HostNet, OsRandom, block_on};
use tencentcloud_emulator::{Fault, Verification};
use tencentcloud_transport_embassy::net::{Buffers, Connector};
use tencentcloud_transport_embassy::pki::TrustAnchor;
use tencentcloud_transport_embassy::{CertError, Client, Connect, Error, Phase, ResponseError, TlsFailure};

#[derive(Debug, Deserialize)]
struct Instances<'a> {
    #[serde(rename = "TotalCount")]
    total: u32,
    #[serde(rename = "RequestId")]
    request_id: &'a str,
}

fn verified(v: &Verification) -> bool {
    v.is_verified()
}

#[test]
fn describe_instances_over_tls_verified_by_the_emulator() {
    block_on(async {
        let emu = emulator(true).await;
        let net = HostNet::start(None).await;
        let accepted = net.forward(443, emu.addr()).await;
        let ca = emu.ca_der().unwrap();

        let mut bufs = DeviceBuffers::new();
        let mut rng = OsRandom::new().unwrap();
        let mut connector = Connector::new(net.device, bufs.buffers(), TrustAnchor::from_der(&ca).unwrap(), &mut rng);
        let mut clock = TestClock::system();
        let mut client: Client<'_, _> = Client::new(credential(), &mut clock);
        let mut buf = [0u8; 8192];
        let reply: Instances<'_> = client.call(&mut connector, &describe_instances(), &mut buf).await.unwrap();

        let requests = emu.requests();
        assert_eq!(requests.len(), 1);
        let r = &requests[0];
        assert!(verified(&r.verification), "{:?}", r.verification);
        assert_eq!(r.action.as_deref(), Some("DescribeInstances"));
        assert_eq!(r.region.as_deref(), Some(REGION));
        assert_eq!(r.header("host"), Some("localhost"));
        assert_eq!(r.body, BODY);
        assert_eq!(reply.request_id, r.request_id);
        assert!(reply.total > 0);
        assert_eq!(accepted.load(Ordering::SeqCst), 1);
        assert!(net.stats.sent.load(Ordering::Relaxed) > 10);
    });
}

#[test]
fn firmware_sized_buffers_work() {
    // The firmware example's memory: 1 KiB TCP buffers each way, a 512 B TLS write buffer, a
    // 3 KiB response buffer (and the full 16 640-byte TLS read buffer).
    block_on(async {
        let emu = emulator(true).await;
        let net = HostNet::start(None).await;
        net.forward(443, emu.addr()).await;
        let ca = emu.ca_der().unwrap();
        let (mut tcp_rx, mut tcp_tx, mut tls_read, mut tls_write) =
            ([0u8; 1024], [0u8; 1024], [0u8; 16640], [0u8; 512]);
        let buffers =
            Buffers { tcp_rx: &mut tcp_rx, tcp_tx: &mut tcp_tx, tls_read: &mut tls_read, tls_write: &mut tls_write };
        let mut rng = OsRandom::new().unwrap();
        let mut connector = Connector::new(net.device, buffers, TrustAnchor::from_der(&ca).unwrap(), &mut rng);
        let mut client: Client<'_, _> = Client::new(credential(), tencentcloud_transport_embassy::NoRtc);
        let mut response = [0u8; 3072];
        // The firmware asks for one instance (`Limit: 1`), as a device with a 3 KiB buffer must.
        let one = tencentcloud_core::Request::post_json("cvm", "2017-03-12", "DescribeInstances", br#"{"Limit":1}"#)
            .region(REGION)
            .host("localhost");
        let reply: Instances<'_> = client.call(&mut connector, &one, &mut response).await.unwrap();
        assert!(reply.total > 0);
        assert_eq!(emu.requests().len(), 2, "no RTC: SignatureExpire first");
    });
}

#[test]
fn kept_alive_connection_is_reused() {
    block_on(async {
        let emu = emulator(true).await;
        let net = HostNet::start(None).await;
        let accepted = net.forward(443, emu.addr()).await;
        let ca = emu.ca_der().unwrap();
        let mut bufs = DeviceBuffers::new();
        let mut rng = OsRandom::new().unwrap();
        let mut connector = Connector::new(net.device, bufs.buffers(), TrustAnchor::from_der(&ca).unwrap(), &mut rng);
        let mut client: Client<'_, _> = Client::new(credential(), TestClock::system());
        let now = client.now();
        let mut conn = connector.connect("localhost", None, now).await.unwrap();
        for i in 0..3 {
            let mut buf = [0u8; 8192];
            let reply: Instances<'_> = client.call_on(&mut conn, &describe_instances(), &mut buf).await.unwrap();
            assert!(reply.total > 0, "call {i}");
            assert!(conn.is_reusable());
        }
        assert_eq!(conn.exchanges(), 3);
        drop(conn);
        assert_eq!(accepted.load(Ordering::SeqCst), 1, "one TCP connection for three calls");
        assert_eq!(emu.requests().iter().filter(|r| verified(&r.verification)).count(), 3);
    });
}

#[test]
fn rate_limit_is_retried_with_backoff_on_the_same_connection() {
    block_on(async {
        let emu = emulator(true).await;
        emu.push_fault(Fault::RateLimit);
        emu.push_fault(Fault::RateLimit);
        let net = HostNet::start(None).await;
        let accepted = net.forward(443, emu.addr()).await;
        let started = Instant::now();
        let body = device_call(&net, &emu.ca_der().unwrap(), &mut TestClock::system(), quick_config(), 8192).await;
        assert!(body.is_ok(), "{body:?}");
        // Backoffs: [50, 100] ms then [100, 200] ms.
        assert!(started.elapsed() >= Duration::from_millis(150));
        let requests = emu.requests();
        assert_eq!(requests.len(), 3);
        assert_eq!(requests[0].error_code.as_deref(), Some("RequestLimitExceeded"));
        assert!(verified(&requests[2].verification));
        assert_eq!(accepted.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn rate_limit_gives_up_after_the_configured_retries() {
    block_on(async {
        let emu = emulator(true).await;
        for _ in 0..4 {
            emu.push_fault(Fault::RateLimit);
        }
        let net = HostNet::start(None).await;
        net.forward(443, emu.addr()).await;
        let mut config = quick_config();
        config.rate_limit_retries = 1;
        let err = device_call(&net, &emu.ca_der().unwrap(), &mut TestClock::system(), config, 8192).await.unwrap_err();
        assert_eq!(err.api_code(), Some("RequestLimitExceeded"));
        assert_eq!(emu.requests().len(), 2);
    });
}

#[test]
fn only_the_rate_limit_family_is_retried() {
    block_on(async {
        let emu = emulator(true).await;
        let fault = |code: &str| Fault::ApiError { code: code.into(), message: "m".into() };
        // A sub-code of the family is retried; a code that merely starts the same is final.
        emu.push_fault(fault("RequestLimitExceeded.UinLimitExceeded"));
        emu.push_fault(fault("RequestLimitExceededX"));
        let net = HostNet::start(None).await;
        net.forward(443, emu.addr()).await;
        let err = device_call(&net, &emu.ca_der().unwrap(), &mut TestClock::system(), quick_config(), 8192)
            .await
            .unwrap_err();
        assert_eq!(err.api_code(), Some("RequestLimitExceededX"));
        let codes: Vec<_> = emu.requests().iter().map(|r| r.error_code.clone()).collect();
        assert_eq!(
            codes,
            [Some("RequestLimitExceeded.UinLimitExceeded".to_owned()), Some("RequestLimitExceededX".to_owned())],
            "not retried after RequestLimitExceededX"
        );
    });
}

#[test]
fn device_without_clock_learns_the_time_from_date() {
    block_on(async {
        let emu = emulator(true).await;
        let net = HostNet::start(None).await;
        net.forward(443, emu.addr()).await;
        let mut clock = TestClock::unknown();
        let body = device_call(&net, &emu.ca_der().unwrap(), &mut clock, quick_config(), 8192).await;
        assert!(body.is_ok(), "{body:?}");
        let requests = emu.requests();
        assert_eq!(requests.len(), 2, "one SignatureExpire, then the retry");
        assert_eq!(requests[0].verification.error_code(), Some("AuthFailure.SignatureExpire"));
        assert!(verified(&requests[1].verification));
        let learned = clock.set_to.expect("the clock was told the time");
        assert!(learned.abs_diff(system_now()) <= 2, "learned {learned}");
    });
}

#[test]
fn skewed_device_clock_is_corrected_once() {
    block_on(async {
        let emu = emulator(true).await;
        let net = HostNet::start(None).await;
        net.forward(443, emu.addr()).await;
        // An hour slow: still inside the certificate's validity, outside the API's 300 s.
        let mut clock = TestClock::skewed(-3600);
        let body = device_call(&net, &emu.ca_der().unwrap(), &mut clock, quick_config(), 8192).await;
        assert!(body.is_ok(), "{body:?}");
        let requests = emu.requests();
        assert_eq!(requests.len(), 2);
        assert_eq!(requests[0].verification.error_code(), Some("AuthFailure.SignatureExpire"));
        assert!(verified(&requests[1].verification));
    });
}

#[test]
fn api_error_envelope_is_returned() {
    block_on(async {
        let emu = emulator(true).await;
        emu.push_fault(Fault::ApiError {
            code: "ResourceNotFound.NoInstance".into(),
            message: "no such \"vm\"".into(),
        });
        let net = HostNet::start(None).await;
        net.forward(443, emu.addr()).await;
        let err = device_call(&net, &emu.ca_der().unwrap(), &mut TestClock::system(), quick_config(), 8192).await;
        let Err(Error::Api(api)) = err else { panic!("{err:?}") };
        assert_eq!(api.code, "ResourceNotFound.NoInstance");
        assert_eq!(api.message, "no such \"vm\"");
        assert_eq!(api.request_id, emu.requests()[0].request_id.as_str());
    });
}

#[test]
fn http_error_status_and_dropped_connection() {
    block_on(async {
        let emu = emulator(true).await;
        emu.push_fault(Fault::Http500);
        emu.push_fault(Fault::DropConnection);
        let net = HostNet::start(None).await;
        net.forward(443, emu.addr()).await;
        let ca = emu.ca_der().unwrap();
        let err = device_call(&net, &ca, &mut TestClock::system(), quick_config(), 8192).await.unwrap_err();
        assert_eq!(err, Error::Response(ResponseError::HttpStatus { status: 500 }));
        let err = device_call(&net, &ca, &mut TestClock::system(), quick_config(), 8192).await.unwrap_err();
        assert_eq!(err, Error::ConnectionClosed);
    });
}

#[test]
fn slow_server_times_out() {
    block_on(async {
        let emu = emulator(true).await;
        emu.push_fault(Fault::Delay(Duration::from_secs(5)));
        let net = HostNet::start(None).await;
        net.forward(443, emu.addr()).await;
        let mut config = quick_config();
        config.io_timeout = embassy_time::Duration::from_millis(700);
        let started = Instant::now();
        let err = device_call(&net, &emu.ca_der().unwrap(), &mut TestClock::system(), config, 8192).await.unwrap_err();
        assert_eq!(err, Error::Timeout(Phase::Read));
        assert!(started.elapsed() < Duration::from_secs(4));
    });
}

#[test]
fn oversize_response_is_an_error_with_the_size() {
    block_on(async {
        let emu = emulator(true).await;
        let net = HostNet::start(None).await;
        net.forward(443, emu.addr()).await;
        let ca = emu.ca_der().unwrap();
        let full = device_call(&net, &ca, &mut TestClock::system(), quick_config(), 16384).await.unwrap();
        let err = device_call(&net, &ca, &mut TestClock::system(), quick_config(), 512).await.unwrap_err();
        assert_eq!(err, Error::Response(ResponseError::BodyTooLarge { needed: full.len() as u64 }));
    });
}

#[test]
fn chunked_response_is_decoded() {
    block_on(async {
        let emu = emulator(false).await;
        let ca = Ca::new("front CA");
        let leaf = ca.leaf(&["localhost"], rcgen::KeyPair::generate().unwrap(), |_| {});
        let front = tls_front(leaf.server_config(true), emu.addr(), Mode::Rechunk(61)).await;
        let net = HostNet::start(None).await;
        net.forward(443, front).await;
        let body = device_call(&net, &ca.der(), &mut TestClock::system(), quick_config(), 8192).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(v["Response"]["TotalCount"].as_u64().unwrap() > 0);
        assert!(verified(&emu.requests()[0].verification));
        // Chunk framing needs more room than the body: a buffer just over the body still works.
        let body2 = device_call(&net, &ca.der(), &mut TestClock::system(), quick_config(), body.len() + 64).await;
        assert!(body2.is_ok(), "{body2:?}");
    });
}

#[test]
fn truncated_response_is_an_error() {
    block_on(async {
        let emu = emulator(false).await;
        let ca = Ca::new("front CA");
        let leaf = ca.leaf(&["localhost"], rcgen::KeyPair::generate().unwrap(), |_| {});
        let front = tls_front(leaf.server_config(true), emu.addr(), Mode::Truncate).await;
        let net = HostNet::start(None).await;
        net.forward(443, front).await;
        let err = device_call(&net, &ca.der(), &mut TestClock::system(), quick_config(), 8192).await.unwrap_err();
        assert_eq!(err, Error::Response(ResponseError::UnexpectedEnd));
    });
}

/// Serves `leaf` on a rustls front and returns the device's result with `anchor`.
async fn with_certificate(
    leaf: &support::Leaf,
    anchor: &[u8],
    tls13: bool,
    clock: TestClock,
) -> Result<Vec<u8>, Error> {
    let emu = emulator(false).await;
    let front = tls_front(leaf.server_config(tls13), emu.addr(), Mode::Proxy).await;
    let net = HostNet::start(None).await;
    net.forward(443, front).await;
    let mut clock = clock;
    device_call(&net, anchor, &mut clock, quick_config(), 8192).await
}

fn key() -> rcgen::KeyPair {
    rcgen::KeyPair::generate().unwrap()
}

#[test]
fn certificate_from_another_ca_is_rejected() {
    block_on(async {
        let (ca, other) = (Ca::new("trusted"), Ca::new("someone else"));
        let leaf = other.leaf(&["localhost"], key(), |_| {});
        let err = with_certificate(&leaf, &ca.der(), true, TestClock::system()).await.unwrap_err();
        assert_eq!(err, Error::Certificate(CertError::UnknownIssuer));
        // Same subject name as the trusted CA, different key: the signature check catches it.
        let impostor = Ca::new("trusted");
        let leaf = impostor.leaf(&["localhost"], key(), |_| {});
        let err = with_certificate(&leaf, &ca.der(), true, TestClock::system()).await.unwrap_err();
        assert_eq!(err, Error::Certificate(CertError::BadSignature));
    });
}

#[test]
fn certificate_for_another_host_is_rejected() {
    block_on(async {
        let ca = Ca::new("trusted");
        let leaf = ca.leaf(&["cvm.tencentcloudapi.com", "127.0.0.1"], key(), |p| {
            p.distinguished_name.push(rcgen::DnType::CommonName, "localhost");
        });
        let err = with_certificate(&leaf, &ca.der(), true, TestClock::system()).await.unwrap_err();
        assert_eq!(err, Error::Certificate(CertError::HostnameMismatch));
    });
}

/// SNI carries a DNS name only (RFC 6066): never an IP literal, IPv4 (a trailing dot
/// too: `10.0.0.1.` is that address, matched against the certificate's iPAddress) or IPv6.
#[test]
fn an_ip_literal_is_never_sent_as_the_server_name() {
    block_on(async {
        let emu = emulator(false).await;
        let ca = Ca::new("trusted");
        let ca_der = ca.der();
        let gateway = Some(embassy_net::IpAddress::Ipv4(tencentcloud_embassy_host::GATEWAY_IP));
        // (the request's host, the certificate's name, an address to connect to, the SNI)
        let cases = [
            ("localhost", "localhost", None, Some("localhost")),
            ("localhost.", "localhost", None, Some("localhost")),
            ("10.0.0.1", "10.0.0.1", None, None),
            ("10.0.0.1.", "10.0.0.1", None, None),
            ("[::1]", "::1", gateway, None),
        ];
        for (host, name, address, sni) in cases {
            let leaf = ca.leaf(&[name], key(), |_| {});
            let front = tls_front(leaf.server_config(true), emu.addr(), Mode::Proxy).await;
            let (relay, seen) = recording_relay(front).await;
            let net = HostNet::start(None).await;
            net.forward(443, relay).await;
            let mut bufs = DeviceBuffers::new();
            let mut rng = OsRandom::new().unwrap();
            let anchor = TrustAnchor::from_der(&ca_der).unwrap();
            let mut connector = Connector::new(net.device, bufs.buffers(), anchor, &mut rng);
            connector.set_address(address);
            let mut client: Client<'_, _> = Client::with_config(credential(), TestClock::system(), quick_config());
            let req = tencentcloud_core::Request::post_json("cvm", "2017-03-12", "DescribeInstances", BODY)
                .region(REGION)
                .host(host);
            let mut buf = [0u8; 8192];
            let reply = client.call_raw(&mut connector, &req, &mut buf).await;
            assert!(reply.is_ok(), "{host}: {reply:?}");
            let seen = seen.lock().unwrap();
            assert_eq!(client_hello_sni(&seen[0]), Ok(sni.map(str::to_owned)), "{host}");
        }
    });
}

#[test]
fn expired_certificate_is_rejected_with_and_without_a_clock() {
    block_on(async {
        let ca = Ca::new("trusted");
        let leaf = ca.leaf(&["localhost"], key(), |p| {
            p.not_before = rcgen::date_time_ymd(2020, 1, 1);
            p.not_after = rcgen::date_time_ymd(2021, 1, 1);
        });
        let err = with_certificate(&leaf, &ca.der(), true, TestClock::system()).await.unwrap_err();
        assert_eq!(err, Error::Certificate(CertError::Expired));
        // No clock: the handshake cannot check dates, the first `Date` learned does.
        let err = with_certificate(&leaf, &ca.der(), true, TestClock::unknown()).await.unwrap_err();
        assert_eq!(err, Error::Certificate(CertError::Expired));
        let future = ca.leaf(&["localhost"], key(), |p| p.not_before = rcgen::date_time_ymd(2999, 1, 1));
        let err = with_certificate(&future, &ca.der(), true, TestClock::system()).await.unwrap_err();
        assert_eq!(err, Error::Certificate(CertError::NotYetValid));
    });
}

#[test]
fn intermediate_must_be_a_ca() {
    block_on(async {
        let root = Ca::new("root");
        let good = root.intermediate("issuing CA", true);
        let leaf = good.leaf(&["localhost"], key(), |_| {}).with_intermediate(&good);
        let ok = with_certificate(&leaf, &root.der(), true, TestClock::system()).await;
        assert!(ok.is_ok(), "{ok:?}");

        let not_ca = root.intermediate("just a server", false);
        let leaf = not_ca.leaf(&["localhost"], key(), |_| {}).with_intermediate(&not_ca);
        let err = with_certificate(&leaf, &root.der(), true, TestClock::system()).await.unwrap_err();
        assert_eq!(err, Error::Certificate(CertError::NotCa));
    });
}

#[test]
fn tls12_only_server_is_refused_clearly() {
    block_on(async {
        let ca = Ca::new("trusted");
        let leaf = ca.leaf(&["localhost"], key(), |_| {});
        let err = with_certificate(&leaf, &ca.der(), false, TestClock::system()).await.unwrap_err();
        assert_eq!(err, Error::Tls(TlsFailure::ProtocolVersion));
        assert_eq!(err.to_string(), "the server does not support TLS 1.3");
    });
}

#[test]
fn rsa_chain_is_verified() {
    block_on(async {
        let ca = Ca::with_key("RSA root", rsa_key(include_str!("data/rsa-ca.pk8.pem")));
        let leaf = ca.leaf(&["localhost"], rsa_key(include_str!("data/rsa-leaf.pk8.pem")), |_| {});
        let ok = with_certificate(&leaf, &ca.der(), true, TestClock::system()).await;
        assert!(ok.is_ok(), "{ok:?}");
        // An ECDSA leaf under the RSA root (mixed chain).
        let mixed = ca.leaf(&["localhost"], key(), |_| {});
        let ok = with_certificate(&mixed, &ca.der(), true, TestClock::system()).await;
        assert!(ok.is_ok(), "{ok:?}");
    });
}

/// The emulator's chains shaped like the real endpoint's (RSA-2048 leaf <- RSA-4096
/// intermediate <- RSA-2048 root, PSS CertificateVerify), and the cross-signed variant, with
/// the device anchored on either root. The keys are kept under the target directory (shared
/// with the emulator's tests: a 4096-bit key takes seconds to generate).
#[test]
fn real_endpoint_shaped_rsa_chains_verify_with_either_root() {
    use tencentcloud_emulator::{Emulator, TlsChain};
    let ca_dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("emulator-rsa-chain-ca");
    block_on(async {
        for chain in [TlsChain::Rsa, TlsChain::RsaCross] {
            let emu = Emulator::builder().tls().tls_chain(chain).ca_dir(&ca_dir).start().await.unwrap();
            let net = HostNet::start(None).await;
            net.forward(443, emu.addr()).await;
            let root = emu.ca_der().unwrap();
            let body = device_call(&net, &root, &mut TestClock::system(), quick_config(), 8192).await;
            assert!(body.is_ok(), "{chain:?} anchored on the root: {body:?}");
            if chain == TlsChain::RsaCross {
                let old_root = emu.old_root_der().unwrap();
                let body = device_call(&net, &old_root, &mut TestClock::system(), quick_config(), 8192).await;
                assert!(body.is_ok(), "anchored on the old root: {body:?}");
            }
            assert!(emu.requests().iter().all(|r| verified(&r.verification)));
        }
        // Without the cross-signed root sent, the old root vouches for nothing.
        let old_root = Emulator::builder().tls().tls_chain(TlsChain::RsaCross).ca_dir(&ca_dir).start().await.unwrap();
        let emu = Emulator::builder().tls().tls_chain(TlsChain::Rsa).ca_dir(&ca_dir).start().await.unwrap();
        let net = HostNet::start(None).await;
        net.forward(443, emu.addr()).await;
        let err = device_call(&net, &old_root.old_root_der().unwrap(), &mut TestClock::system(), quick_config(), 8192)
            .await
            .unwrap_err();
        assert_eq!(err, Error::Certificate(CertError::UnknownIssuer));
    });
}

#[test]
fn plain_http_only_by_opt_in() {
    block_on(async {
        let emu = emulator(false).await;
        let net = HostNet::start(None).await;
        net.forward(80, emu.addr()).await;
        let (mut rx, mut tx) = ([0u8; 4096], [0u8; 4096]);
        let buffers = Buffers { tcp_rx: &mut rx, tcp_tx: &mut tx, tls_read: &mut [], tls_write: &mut [] };
        let mut connector = Connector::insecure_plain_http(net.device, buffers);
        let mut client: Client<'_, _> = Client::new(credential(), TestClock::system());
        let mut buf = [0u8; 8192];
        let reply: Instances<'_> = client.call(&mut connector, &describe_instances(), &mut buf).await.unwrap();
        assert!(reply.total > 0);
        assert!(verified(&emu.requests()[0].verification));
    });
}

/// A sink that checks the emulator's object bytes (byte `i` is `i % 256`) as they arrive.
#[derive(Default)]
struct ObjectCheck {
    len: usize,
    writes: usize,
    wrong: Option<usize>,
}

impl embedded_io_async::ErrorType for ObjectCheck {
    type Error = embedded_io::ErrorKind;
}

impl embedded_io_async::Write for ObjectCheck {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, embedded_io::ErrorKind> {
        for (i, &b) in buf.iter().enumerate() {
            if b != ((self.len + i) % 256) as u8 {
                self.wrong.get_or_insert(self.len + i);
            }
        }
        self.len += buf.len();
        self.writes += 1;
        Ok(buf.len())
    }

    async fn flush(&mut self) -> Result<(), embedded_io::ErrorKind> {
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
struct ChatChunk<'a> {
    #[serde(rename = "Choices", borrow)]
    choices: heapless::Vec<ChatChoice<'a>, 1>,
}

#[derive(Debug, Deserialize)]
struct ChatChoice<'a> {
    #[serde(rename = "Delta")]
    delta: ChatDelta<'a>,
    #[serde(rename = "FinishReason")]
    finish: &'a str,
}

#[derive(Debug, Deserialize)]
struct ChatDelta<'a> {
    #[serde(rename = "Content")]
    content: &'a str,
}

/// hunyuan `ChatCompletions` with `"Stream": true` over TLS through the firmware's 3 KiB
/// buffer: the emulator streams a word an event (chunked), each handed over as it arrives.
#[test]
fn chat_events_stream_through_a_3_kib_buffer() {
    block_on(async {
        let emu = emulator(true).await;
        let net = HostNet::start(None).await;
        net.forward(443, emu.addr()).await;
        let ca = emu.ca_der().unwrap();
        let mut bufs = DeviceBuffers::new();
        let mut rng = OsRandom::new().unwrap();
        let mut connector = Connector::new(net.device, bufs.buffers(), TrustAnchor::from_der(&ca).unwrap(), &mut rng);
        let mut client: Client<'_, _> = Client::new(credential(), TestClock::system());
        let prompt: Vec<String> = (0..50).map(|i| format!("w{i}")).collect();
        let body = format!(
            r#"{{"Model":"hunyuan-lite","Stream":true,"EmulatorEventDelayMs":0,"Messages":[{{"Role":"user","Content":"{}"}}]}}"#,
            prompt.join(" ")
        );
        let req = tencentcloud_core::Request::post_json("hunyuan", "2023-09-01", "ChatCompletions", body.as_bytes())
            .region(REGION)
            .host("localhost");
        let mut buf = [0u8; 3072];
        let (mut text, mut finishes) = (String::new(), Vec::new());
        let streamed = client
            .call_stream(&mut connector, &req, &mut buf, |event| {
                let chunk =
                    tencentcloud_core::response::parse_event_data::<ChatChunk<'_>>(event.data.as_bytes(), &mut [])
                        .unwrap()
                        .unwrap();
                text.push_str(chunk.choices[0].delta.content);
                finishes.push(chunk.choices[0].finish.to_owned());
            })
            .await
            .unwrap();
        let want = format!("Hello from the emulator. You said: {}", prompt.join(" "));
        assert_eq!(text, want);
        assert_eq!(streamed.events as usize, want.split_inclusive(' ').count());
        assert!(streamed.events >= 50, "{streamed:?}");
        assert!(streamed.bytes > 50 * 100, "{streamed:?}");
        assert_eq!(finishes.last().map(String::as_str), Some("stop"));
        assert!(finishes.iter().rev().skip(1).all(String::is_empty));
        let requests = emu.requests();
        assert_eq!(requests.len(), 1);
        assert!(verified(&requests[0].verification));
    });
}

/// A 1 MiB body over TLS through a 3 KiB buffer into a sink, with `Content-Length` and
/// chunked, on one kept-alive connection; then the connection carries a normal call.
#[test]
fn a_megabyte_reaches_the_sink_through_a_3_kib_buffer() {
    block_on(async {
        let emu = emulator(true).await;
        let net = HostNet::start(None).await;
        let accepted = net.forward(443, emu.addr()).await;
        let ca = emu.ca_der().unwrap();
        let mut bufs = DeviceBuffers::new();
        let mut rng = OsRandom::new().unwrap();
        let mut connector = Connector::new(net.device, bufs.buffers(), TrustAnchor::from_der(&ca).unwrap(), &mut rng);
        let mut client: Client<'_, _> = Client::new(credential(), TestClock::system());
        let now = client.now();
        let mut conn = connector.connect("localhost", None, now).await.unwrap();
        let mut buf = [0u8; 3072];
        for body in [&br#"{"Length":1048576}"#[..], br#"{"Length":1048576,"EmulatorChunkBytes":5000}"#] {
            let req = tencentcloud_core::Request::post_json("cvm", "2017-03-12", "GetObjectBytes", body)
                .region(REGION)
                .host("localhost");
            let mut sink = ObjectCheck::default();
            let len = client.call_into_on(&mut conn, &req, &mut buf, &mut sink).await.unwrap();
            assert_eq!((len, sink.len, sink.wrong), (1_048_576, 1_048_576, None));
            assert!(sink.writes >= 1_048_576 / 3072);
            assert!(conn.is_reusable());
        }
        let one = tencentcloud_core::Request::post_json("cvm", "2017-03-12", "DescribeInstances", br#"{"Limit":1}"#)
            .region(REGION)
            .host("localhost");
        let reply: Instances<'_> = client.call_on(&mut conn, &one, &mut buf).await.unwrap();
        assert!(reply.total > 0);
        drop(conn);
        assert_eq!(accepted.load(Ordering::SeqCst), 1);
        let requests = emu.requests();
        assert_eq!(requests.len(), 3);
        assert!(requests.iter().all(|r| verified(&r.verification)));
    });
}
