//! The RSA chains shaped like the real endpoint's (`TlsChain::Rsa`, `TlsChain::RsaCross`): the
//! certificates served, read with x509-parser, and verified by rustls (webpki) with one root as
//! the only trust anchor.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, ServerName};
use tencentcloud_emulator::{Emulator, RSA_OLD_ROOT_CERT_FILE, RSA_ROOT_CERT_FILE, RunningEmulator, TlsChain};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

/// One CA directory for every test run (RSA-4096 keys take seconds to generate): kept under
/// the target directory, shared with the other test binaries that use the RSA chains.
fn ca_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("emulator-rsa-chain-ca")
}

async fn start(chain: TlsChain) -> RunningEmulator {
    Emulator::builder().tls().tls_chain(chain).ca_dir(ca_dir()).start().await.unwrap()
}

/// A TLS 1.3 handshake trusting `anchor` only: the certificates the server sent, or the error.
async fn handshake(emu: &RunningEmulator, anchor: &[u8]) -> Result<Vec<Vec<u8>>, std::io::Error> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(anchor.to_vec())).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = TcpStream::connect(emu.addr()).await.unwrap();
    let mut tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await?;
    tls.write_all(b"GET /latest/meta-data/placement/region HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await?;
    let mut answer = Vec::new();
    tls.read_to_end(&mut answer).await?;
    assert!(answer.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&answer));
    Ok(tls.get_ref().1.peer_certificates().unwrap().iter().map(|c| c.to_vec()).collect())
}

/// (subject CN, issuer CN, RSA modulus bits, signature algorithm OID, cA)
fn shape(der: &[u8]) -> (String, String, usize, String, bool) {
    let (rest, cert) = X509Certificate::from_der(der).unwrap();
    assert!(rest.is_empty());
    let cn = |name: &x509_parser::x509::X509Name<'_>| {
        name.iter_common_name().next().and_then(|a| a.as_str().ok()).unwrap_or("").to_owned()
    };
    let bits = match cert.public_key().parsed().unwrap() {
        PublicKey::RSA(key) => key.key_size(),
        other => panic!("not an RSA key: {other:?}"),
    };
    let ca = cert.basic_constraints().unwrap().is_some_and(|b| b.critical && b.value.ca);
    (cn(cert.subject()), cn(cert.issuer()), bits, cert.signature_algorithm.algorithm.to_id_string(), ca)
}

const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";
const ROOT: &str = "tencentcloud-emulator Global Root G2 (test)";
const OLD_ROOT: &str = "tencentcloud-emulator Global Root CA (test)";
const INTERMEDIATE: &str = "tencentcloud-emulator TLS RSA4096 SHA256 CA1 (test)";

#[tokio::test]
async fn rsa_chain_is_shaped_like_the_real_endpoints() {
    let emu = start(TlsChain::Rsa).await;
    assert_eq!(emu.tls_chain(), TlsChain::Rsa);
    assert_eq!(emu.ca_path(), Some(ca_dir().join(RSA_ROOT_CERT_FILE)));
    assert_eq!(emu.old_root_der(), None);
    let root = emu.ca_der().unwrap();
    assert_eq!(shape(&root), (ROOT.into(), ROOT.into(), 2048, SHA256_WITH_RSA.into(), true));

    let sent = handshake(&emu, &root).await.expect("webpki verifies the chain up to the root");
    assert_eq!(sent.len(), 2, "the leaf and the intermediate");
    assert_eq!(shape(&sent[0]), ("localhost".into(), INTERMEDIATE.into(), 2048, SHA256_WITH_RSA.into(), false));
    assert_eq!(shape(&sent[1]), (INTERMEDIATE.into(), ROOT.into(), 4096, SHA256_WITH_RSA.into(), true));

    // The P-256 CA of the same directory is not this chain's anchor.
    let p256 = Emulator::builder().tls().ca_dir(ca_dir()).start().await.unwrap();
    assert!(handshake(&emu, &p256.ca_der().unwrap()).await.is_err());
    assert!(handshake(&p256, &root).await.is_err());
}

#[tokio::test]
async fn cross_signed_chain_verifies_with_either_root() {
    let emu = start(TlsChain::RsaCross).await;
    let (root, old_root) = (emu.ca_der().unwrap(), emu.old_root_der().unwrap());
    assert_eq!(emu.old_root_path(), Some(ca_dir().join(RSA_OLD_ROOT_CERT_FILE)));
    assert_eq!(shape(&old_root), (OLD_ROOT.into(), OLD_ROOT.into(), 2048, SHA256_WITH_RSA.into(), true));

    let sent = handshake(&emu, &old_root).await.expect("webpki verifies the chain up to the old root");
    assert_eq!(sent.len(), 3, "the leaf, the intermediate and the cross-signed root");
    assert_eq!(shape(&sent[1]).1, ROOT);
    assert_eq!(shape(&sent[2]), (ROOT.into(), OLD_ROOT.into(), 2048, SHA256_WITH_RSA.into(), true));
    // The cross-signed root carries the root's key.
    let key = |der: &[u8]| X509Certificate::from_der(der).unwrap().1.public_key().raw.to_vec();
    assert_eq!(key(&sent[2]), key(&root));
    assert_ne!(key(&root), key(&old_root));

    handshake(&emu, &root).await.expect("webpki verifies the chain up to the root");
    // The same root as the plain RSA chain's: a client trusting it needs no change.
    assert_eq!(start(TlsChain::Rsa).await.ca_der().unwrap(), root);
    // Without the cross-signed root sent, the old root vouches for nothing.
    assert!(handshake(&start(TlsChain::Rsa).await, &old_root).await.is_err());
}

#[tokio::test]
async fn rsa_keys_are_kept_private_and_reused() {
    let first = start(TlsChain::RsaCross).await;
    let second = start(TlsChain::RsaCross).await;
    assert_eq!(first.ca_pem(), second.ca_pem());
    assert_eq!(first.old_root_pem(), second.old_root_pem());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |f: &str| std::fs::metadata(ca_dir().join(f)).unwrap().permissions().mode() & 0o777;
        for key in ["rsa-root.key", "rsa-old-root.key", "rsa-intermediate.key", "rsa-leaf.key"] {
            assert_eq!(mode(key), 0o600, "{key}");
        }
        assert_eq!(mode(RSA_ROOT_CERT_FILE), 0o644);
        assert_eq!(mode(RSA_OLD_ROOT_CERT_FILE), 0o644);
    }
}

/// The proxy's tunnels serve the chain too: a leaf for the real name from the same intermediate.
#[tokio::test]
async fn proxy_tunnels_serve_the_rsa_chain() {
    let emu = Emulator::builder().proxy().tls_chain(TlsChain::Rsa).ca_dir(ca_dir()).start().await.unwrap();
    let mut tcp = TcpStream::connect(emu.proxy_addr().unwrap()).await.unwrap();
    let host = "cvm.tencentcloudapi.com";
    tcp.write_all(format!("CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n\r\n").as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(tcp.read_u8().await.unwrap());
    }
    assert!(head.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&head));
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(emu.ca_der().unwrap())).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from(host).unwrap(), tcp)
        .await
        .expect("webpki verifies the tunnel's chain up to the root");
    let sent: Vec<_> = tls.get_ref().1.peer_certificates().unwrap().iter().map(|c| shape(c)).collect();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0], (host.into(), INTERMEDIATE.into(), 2048, SHA256_WITH_RSA.into(), false));
    assert_eq!(sent[1].2, 4096);
}

#[test]
fn chain_names_round_trip() {
    for chain in [TlsChain::P256, TlsChain::Rsa, TlsChain::RsaCross] {
        assert_eq!(TlsChain::from_name(chain.name()), Some(chain));
    }
    assert_eq!(TlsChain::from_name("rsa4096"), None);
    assert_eq!(TlsChain::default(), TlsChain::P256);
}
