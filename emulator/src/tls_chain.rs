//! The RSA chains shaped like the real endpoint's ([`TlsChain`]): an RSA-2048 root, an
//! RSA-4096 intermediate signing an RSA-2048 leaf, and for [`TlsChain::RsaCross`] an older
//! RSA-2048 root that cross-signed the root, as DigiCert Global Root CA (G1) cross-signs
//! DigiCert Global Root G2 in the chains `*.tencentcloudapi.com` serves. Every signature is
//! PKCS#1 v1.5 SHA-256; the leaf's key signs the TLS 1.3 CertificateVerify with RSA-PSS.
//!
//! RSA keys take long to generate (ring, rcgen's backend, cannot; the `rsa` crate does): kept
//! in the CA directory (0600) when there is one, else generated once per process.

use std::collections::HashMap;
use std::io;
use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivatePkcs8KeyDer};

use crate::sync::lock;
use crate::tls::{Root, err, load_or_create_key, open_root};

/// The certificate chain the emulator's TLS serves (the endpoint's and the proxy's leaves).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsChain {
    /// The emulator's P-256 CA signs the leaf (P-256) directly; the CA is [`CA_CERT_FILE`](crate::CA_CERT_FILE).
    #[default]
    P256,
    /// Shaped like the real endpoint's: leaf (RSA-2048) <- intermediate (RSA-4096) <- root
    /// (RSA-2048, [`RSA_ROOT_CERT_FILE`]). The server sends the leaf and the intermediate.
    Rsa,
    /// [`TlsChain::Rsa`] with the root cross-signed by an older RSA-2048 root
    /// ([`RSA_OLD_ROOT_CERT_FILE`]): the server sends the leaf, the intermediate and the
    /// cross-signed root, so a client may trust either root.
    RsaCross,
}

impl TlsChain {
    /// The chain's name on the command line: `p256`, `rsa`, `rsa-cross`.
    pub fn name(self) -> &'static str {
        match self {
            TlsChain::P256 => "p256",
            TlsChain::Rsa => "rsa",
            TlsChain::RsaCross => "rsa-cross",
        }
    }

    /// The chain named `name` ([`TlsChain::name`]).
    pub fn from_name(name: &str) -> Option<TlsChain> {
        [TlsChain::P256, TlsChain::Rsa, TlsChain::RsaCross].into_iter().find(|c| c.name() == name)
    }
}

/// The RSA root's certificate in a CA directory (PEM, 0644; its key `rsa-root.key`, 0600).
pub const RSA_ROOT_CERT_FILE: &str = "rsa-root.pem";
/// The older RSA root that cross-signs it, in a CA directory (PEM, 0644; `rsa-old-root.key`).
pub const RSA_OLD_ROOT_CERT_FILE: &str = "rsa-old-root.pem";
const RSA_ROOT_KEY_FILE: &str = "rsa-root.key";
const RSA_OLD_ROOT_KEY_FILE: &str = "rsa-old-root.key";
const RSA_INTERMEDIATE_KEY_FILE: &str = "rsa-intermediate.key";
const RSA_LEAF_KEY_FILE: &str = "rsa-leaf.key";

/// An RSA chain's CA side.
pub(crate) struct RsaChain {
    /// The intermediate, which signs the leaves.
    pub(crate) issuer: Issuer<'static, KeyPair>,
    pub(crate) root: Root,
    pub(crate) old_root: Option<Root>,
    /// The intermediate, then (cross) the root cross-signed by the old root.
    pub(crate) chain: Vec<CertificateDer<'static>>,
    pub(crate) leaf_key: KeyPair,
}

fn named(cn: &str) -> io::Result<CertificateParams> {
    let mut p = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    p.distinguished_name.push(DnType::OrganizationName, "tencentcloud-emulator");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    Ok(p)
}

/// The root (DigiCert Global Root G2's place). Always the same parameters: a certificate
/// re-made from the kept key is the one clients already trust.
fn root_params() -> io::Result<CertificateParams> {
    let mut p = named("tencentcloud-emulator Global Root G2 (test)")?;
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    Ok(p)
}

/// The older root (DigiCert Global Root CA's place).
fn old_root_params() -> io::Result<CertificateParams> {
    let mut p = named("tencentcloud-emulator Global Root CA (test)")?;
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    Ok(p)
}

/// The intermediate: path length 0 and serverAuth/clientAuth, as DigiCert's TLS CAs.
fn intermediate_params() -> io::Result<CertificateParams> {
    let mut p = named("tencentcloud-emulator TLS RSA4096 SHA256 CA1 (test)")?;
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
    p.use_authority_key_identifier_extension = true;
    Ok(p)
}

/// A new RSA key of `bits` (PKCS#8, PKCS#1 v1.5 SHA-256 for rcgen), its time logged.
fn generate_rsa(bits: usize) -> io::Result<KeyPair> {
    use rsa::pkcs8::EncodePrivateKey;
    let start = Instant::now();
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, bits).map_err(err)?;
    let der = key.to_pkcs8_der().map_err(err)?;
    tracing::info!(bits, ms = start.elapsed().as_millis() as u64, "generated an RSA key for the emulator's chain");
    KeyPair::from_pkcs8_der_and_sign_algo(&PrivatePkcs8KeyDer::from(der.as_bytes()), &rcgen::PKCS_RSA_SHA256)
        .map_err(err)
}

/// The roots' and the leaf's keys.
fn generate_2048() -> io::Result<KeyPair> {
    generate_rsa(2048)
}

/// The intermediate's key.
fn generate_4096() -> io::Result<KeyPair> {
    generate_rsa(4096)
}

/// Keys generated by this process for CAs kept nowhere, by file name: generated once.
fn process_key(file: &'static str, generate: fn() -> io::Result<KeyPair>) -> io::Result<KeyPair> {
    static KEYS: OnceLock<Mutex<HashMap<&'static str, String>>> = OnceLock::new();
    let keys = KEYS.get_or_init(|| Mutex::new(HashMap::new()));
    let mut keys = lock(keys);
    if let Some(pem) = keys.get(file) {
        return KeyPair::from_pem(pem).map_err(err);
    }
    let key = generate()?;
    keys.insert(file, key.serialize_pem());
    Ok(key)
}

/// The RSA chain (`cross`: with the old root), its keys and roots kept in `dir` when given.
pub(crate) fn rsa(cross: bool, dir: Option<&Path>) -> io::Result<RsaChain> {
    let key = |file: &'static str, generate: fn() -> io::Result<KeyPair>| match dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| io::Error::new(e.kind(), format!("CA directory {}: {e}", dir.display())))?;
            load_or_create_key(&dir.join(file), generate)
        }
        None => process_key(file, generate),
    };
    let root = |key_file: &'static str, cert_file: &str, params: &CertificateParams| match dir {
        Some(dir) => open_root(dir, key_file, cert_file, params, generate_2048),
        None => {
            let key = process_key(key_file, generate_2048)?;
            let cert = params.self_signed(&key).map_err(err)?;
            Ok((key, Root { pem: cert.pem(), der: cert.der().to_vec(), path: None }))
        }
    };
    let (root_key, root_cert) = root(RSA_ROOT_KEY_FILE, RSA_ROOT_CERT_FILE, &root_params()?)?;
    let intermediate_key = key(RSA_INTERMEDIATE_KEY_FILE, generate_4096)?;
    let leaf_key = key(RSA_LEAF_KEY_FILE, generate_2048)?;

    let root_issuer = Issuer::new(root_params()?, root_key);
    let intermediate = intermediate_params()?.signed_by(&intermediate_key, &root_issuer).map_err(err)?;
    let mut chain = vec![intermediate.der().clone()];
    let old_root = if cross {
        let (old_key, old_cert) = root(RSA_OLD_ROOT_KEY_FILE, RSA_OLD_ROOT_CERT_FILE, &old_root_params()?)?;
        // The root's subject and key, issued by the old root.
        let mut params = root_params()?;
        params.use_authority_key_identifier_extension = true;
        let cross_signed =
            params.signed_by(root_issuer.key(), &Issuer::new(old_root_params()?, old_key)).map_err(err)?;
        chain.push(cross_signed.der().clone());
        Some(old_cert)
    } else {
        None
    };
    Ok(RsaChain {
        issuer: Issuer::new(intermediate_params()?, intermediate_key),
        root: root_cert,
        old_root,
        chain,
        leaf_key,
    })
}
