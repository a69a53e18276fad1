//! TLS material: the emulator's CA (generated for one run, or kept in a directory so that a
//! client can trust it once), the endpoint's leaf for `localhost` and `127.0.0.1`, and the
//! leaves the proxy issues on the fly for `*.tencentcloudapi.com` names, cached per name.
//! The CA is a P-256 root signing the leaves, or one of the RSA chains of [`TlsChain`].

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

use crate::clock::civil_from_days;
use crate::sync::lock;
use crate::tls_chain::{self, TlsChain};

/// Names the endpoint's leaf certificate is valid for.
pub const LEAF_NAMES: [&str; 2] = ["localhost", "127.0.0.1"];

/// The CA certificate's file name in a CA directory (PEM, mode 0644).
pub const CA_CERT_FILE: &str = "ca.pem";
/// The CA key's file name in a CA directory (PKCS#8 PEM, mode 0600).
pub const CA_KEY_FILE: &str = "ca.key";

/// Most proxy leaves kept; past it the cache starts over (names are cheap to issue again).
const MAX_CACHED_LEAVES: usize = 512;
/// How long a reader waits for another process that is writing the same CA directory.
const CA_DIR_WAIT: Duration = Duration::from_secs(2);

pub(crate) fn err(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("emulator TLS setup: {e}"))
}

/// The CA's parameters. Always the same, so that a certificate re-made from a kept key has
/// the subject and key identifier of the one clients already trust.
fn ca_params() -> io::Result<CertificateParams> {
    let mut p = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    p.distinguished_name.push(DnType::CommonName, "tencentcloud-emulator test CA");
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    Ok(p)
}

/// A root certificate a client trusts.
pub(crate) struct Root {
    pub(crate) pem: String,
    pub(crate) der: Vec<u8>,
    /// Its path when the CA is kept in a directory.
    pub(crate) path: Option<PathBuf>,
}

/// The emulator's certificate authority.
pub(crate) struct Ca {
    /// Signs the leaves: the root of the P-256 chain, the intermediate of the RSA ones.
    issuer: Issuer<'static, KeyPair>,
    /// What a client trusts; the chain's root.
    root: Root,
    /// The older root that cross-signed `root` ([`TlsChain::RsaCross`]).
    old_root: Option<Root>,
    /// Sent after the leaf: the intermediate, then the cross-signed root.
    chain: Vec<CertificateDer<'static>>,
    /// The RSA chains' leaf key, one for every leaf (a P-256 key per leaf otherwise).
    leaf_key: Option<KeyPair>,
    leaves: Mutex<HashMap<String, TlsAcceptor>>,
}

impl Ca {
    /// A new CA for this run only (nothing written).
    pub(crate) fn generate() -> io::Result<Ca> {
        let key = KeyPair::generate().map_err(err)?;
        let cert = ca_params()?.self_signed(&key).map_err(err)?;
        Ca::new(key, Root { pem: cert.pem(), der: cert.der().to_vec(), path: None })
    }

    /// The CA of `chain`, kept in `dir` when given (see [`Ca::open`] and [`tls_chain`]).
    pub(crate) fn for_chain(chain: TlsChain, dir: Option<&Path>) -> io::Result<Ca> {
        match (chain, dir) {
            (TlsChain::P256, Some(dir)) => Ca::open(dir),
            (TlsChain::P256, None) => Ca::generate(),
            (TlsChain::Rsa | TlsChain::RsaCross, dir) => {
                let c = tls_chain::rsa(chain == TlsChain::RsaCross, dir)?;
                Ok(Ca {
                    issuer: c.issuer,
                    root: c.root,
                    old_root: c.old_root,
                    chain: c.chain,
                    leaf_key: Some(c.leaf_key),
                    leaves: Mutex::new(HashMap::new()),
                })
            }
        }
    }

    /// The CA kept in `dir` (created if missing): `ca.key` (0600) and `ca.pem` (0644). A key
    /// already there is reused, so a client that trusted `ca.pem` once keeps trusting it.
    pub(crate) fn open(dir: &Path) -> io::Result<Ca> {
        let (key, root) = open_root(dir, CA_KEY_FILE, CA_CERT_FILE, &ca_params()?, generate_p256)?;
        Ca::new(key, root)
    }

    fn new(key: KeyPair, root: Root) -> io::Result<Ca> {
        Ok(Ca {
            issuer: Issuer::new(ca_params()?, key),
            root,
            old_root: None,
            chain: Vec::new(),
            leaf_key: None,
            leaves: Mutex::new(HashMap::new()),
        })
    }

    pub(crate) fn pem(&self) -> &str {
        &self.root.pem
    }

    pub(crate) fn der(&self) -> &[u8] {
        &self.root.der
    }

    pub(crate) fn path(&self) -> Option<&Path> {
        self.root.path.as_deref()
    }

    pub(crate) fn old_root(&self) -> Option<&Root> {
        self.old_root.as_ref()
    }

    /// The endpoint's acceptor: a leaf for [`LEAF_NAMES`].
    pub(crate) fn endpoint_acceptor(&self) -> io::Result<TlsAcceptor> {
        let mut params =
            CertificateParams::new(LEAF_NAMES.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()).map_err(err)?;
        params.distinguished_name.push(DnType::CommonName, "localhost");
        self.acceptor(params)
    }

    /// An acceptor presenting a leaf for `host` (a name the proxy accepted), valid from a day
    /// before `now_ms` for a year; issued once per name and kept.
    pub(crate) fn host_acceptor(&self, host: &str, now_ms: i64) -> io::Result<TlsAcceptor> {
        if let Some(a) = lock(&self.leaves).get(host) {
            return Ok(a.clone());
        }
        let mut params = CertificateParams::new(vec![host.to_owned()]).map_err(err)?;
        params.distinguished_name.push(DnType::CommonName, host);
        let today = now_ms.div_euclid(86_400_000);
        let (y, m, d) = ymd(today - 1);
        params.not_before = rcgen::date_time_ymd(y, m, d);
        let (y, m, d) = ymd(today + 365);
        params.not_after = rcgen::date_time_ymd(y, m, d);
        let acceptor = self.acceptor(params)?;
        let mut leaves = lock(&self.leaves);
        if leaves.len() >= MAX_CACHED_LEAVES {
            leaves.clear();
        }
        Ok(leaves.entry(host.to_owned()).or_insert(acceptor).clone())
    }

    fn acceptor(&self, mut params: CertificateParams) -> io::Result<TlsAcceptor> {
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let fresh;
        let leaf_key = match &self.leaf_key {
            Some(key) => key,
            None => {
                fresh = KeyPair::generate().map_err(err)?;
                &fresh
            }
        };
        let leaf = params.signed_by(leaf_key, &self.issuer).map_err(err)?;
        let mut certs = vec![leaf.der().clone()];
        certs.extend(self.chain.iter().cloned());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(err)?
            .with_no_client_auth()
            .with_single_cert(certs, PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())))
            .map_err(err)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

fn ymd(days: i64) -> (i32, u8, u8) {
    let (y, m, d) = civil_from_days(days);
    (i32::try_from(y).unwrap_or(2000), u8::try_from(m).unwrap_or(1), u8::try_from(d).unwrap_or(1))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// The root kept in `dir` (created if missing) as `key_file` (0600) and `cert_file` (0644): a
/// key already there is reused, and a lost certificate made again from it with `params` (the
/// same subject and key identifier, so old copies still verify); a certificate of another key
/// is refused.
pub(crate) fn open_root(
    dir: &Path,
    key_file: &str,
    cert_file: &str,
    params: &CertificateParams,
    generate: fn() -> io::Result<KeyPair>,
) -> io::Result<(KeyPair, Root)> {
    fs::create_dir_all(dir).map_err(|e| io::Error::new(e.kind(), format!("CA directory {}: {e}", dir.display())))?;
    let key_path = dir.join(key_file);
    let cert_path = dir.join(cert_file);
    let key = load_or_create_key(&key_path, generate)?;
    let (pem, der) = match fs::read(&cert_path) {
        Ok(bytes) => {
            let der = CertificateDer::from_pem_slice(&bytes)
                .map_err(|e| err(format!("{} is not a PEM certificate: {e}", cert_path.display())))?;
            if !contains(der.as_ref(), key.public_key_raw()) {
                return Err(err(format!(
                    "{} was not made from {}: remove both to start over with a new CA",
                    cert_path.display(),
                    key_path.display()
                )));
            }
            (String::from_utf8_lossy(&bytes).into_owned(), der.to_vec())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let cert = params.self_signed(&key).map_err(err)?;
            write_replace(&cert_path, cert.pem().as_bytes(), 0o644)?;
            (cert.pem(), cert.der().to_vec())
        }
        Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", cert_path.display()))),
    };
    Ok((key, Root { pem, der, path: Some(cert_path) }))
}

fn generate_p256() -> io::Result<KeyPair> {
    KeyPair::generate().map_err(err)
}

/// Reads `path`'s key, or creates it with `generate`: written whole to a temporary file first
/// and linked into place only if no other process got there first (a reader never sees half a
/// key).
pub(crate) fn load_or_create_key(path: &Path, generate: fn() -> io::Result<KeyPair>) -> io::Result<KeyPair> {
    let read = |path: &Path| -> io::Result<Option<KeyPair>> {
        match fs::read_to_string(path) {
            Ok(text) => KeyPair::from_pem(&text)
                .map(Some)
                .map_err(|e| err(format!("{} is not a PEM private key: {e}", path.display()))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
        }
    };
    if let Some(key) = read(path)? {
        restrict(path, 0o600);
        return Ok(key);
    }
    let key = generate()?;
    let tmp = temp_name(path);
    write_mode(&tmp, key.serialize_pem().as_bytes(), 0o600)?;
    let linked = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(key),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            // Another process created it meanwhile: use theirs.
            let start = std::time::Instant::now();
            loop {
                match read(path) {
                    Ok(Some(key)) => return Ok(key),
                    Ok(None) | Err(_) if start.elapsed() < CA_DIR_WAIT => {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    Ok(None) => return Err(err(format!("{} vanished while being read", path.display()))),
                    Err(e) => return Err(e),
                }
            }
        }
        Err(e) => Err(io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
    }
}

fn temp_name(path: &Path) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("ca");
    path.with_file_name(format!(".{name}.{}.{nanos}.tmp", std::process::id()))
}

/// Writes `path` whole (a temporary file renamed over it), with `mode` on Unix.
fn write_replace(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let tmp = temp_name(path);
    write_mode(&tmp, bytes, mode)?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        io::Error::new(e.kind(), format!("{}: {e}", path.display()))
    })
}

fn write_mode(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    use std::io::Write;
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, mode);
    let mut f = opts.open(path).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    // The umask may have taken bits away: the mode is what was asked for.
    restrict(path, mode);
    Ok(())
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = fs::set_permissions(path, fs::Permissions::from_mode(mode));
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("emulator-ca-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn a_kept_ca_is_reused_with_its_modes() {
        let d = dir("reuse");
        let first = Ca::open(&d).unwrap();
        let second = Ca::open(&d).unwrap();
        assert_eq!(first.pem(), second.pem());
        assert_eq!(first.path(), Some(d.join(CA_CERT_FILE).as_path()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |f: &str| fs::metadata(d.join(f)).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(CA_CERT_FILE), 0o644);
            assert_eq!(mode(CA_KEY_FILE), 0o600);
        }
        // A lost ca.pem is made again from the key (same subject and key: old copies still verify).
        fs::remove_file(d.join(CA_CERT_FILE)).unwrap();
        let third = Ca::open(&d).unwrap();
        assert!(contains(third.der(), first.issuer.key().public_key_raw()));
        // A ca.pem of another key is refused, not silently replaced.
        fs::write(d.join(CA_CERT_FILE), Ca::generate().unwrap().pem()).unwrap();
        let e = Ca::open(&d).err().unwrap().to_string();
        assert!(e.contains("remove both"), "{e}");
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn host_leaves_are_cached_per_name() {
        let ca = Ca::generate().unwrap();
        let now = crate::clock::system_now_ms();
        let a = ca.host_acceptor("cvm.tencentcloudapi.com", now).unwrap();
        let b = ca.host_acceptor("cvm.tencentcloudapi.com", now).unwrap();
        assert!(Arc::ptr_eq(a.config(), b.config()));
        let c = ca.host_acceptor("vpc.tencentcloudapi.com", now).unwrap();
        assert!(!Arc::ptr_eq(a.config(), c.config()));
    }
}
