//! Server certificate verification for embedded-tls: the chain up to the firmware's trust
//! anchor, the host name, the validity dates, CA constraints, and the handshake signature.
//!
//! [`Verifier`] implements embedded-tls's `TlsVerifier` itself instead of wrapping its
//! `rustpki` `CertVerifier`, which accepts an intermediate that is not a CA, reads the time
//! through a static `TlsClock` (not the firmware's clock object), reports every failure as
//! the same error, copies the whole chain into RAM, and matches names by CN as well. It
//! never allocates and does a bounded amount of work (at most [`MAX_CHAIN`] certificates,
//! at most two signature checks per certificate).
//!
//! # Policy
//!
//! RFC 5280 path validation for a TLS 1.3 server, as a browser-grade verifier does it; where
//! RFC 5280 leaves a choice or the Web PKI (rustls-webpki) differs, the line says which way
//! this one goes. Every line has its own test in `tests/pki_policy.rs`.
//!
//! 1. **One parser for every certificate, the trust anchor included**: DER, version 3,
//!    serial number positive and at most 20 octets, the same AlgorithmIdentifier inside and
//!    outside byte for byte, known algorithms in their exact encodings (ECDSA P-256 SHA-256;
//!    P-384 SHA-384 with feature `p384`; RSA PKCS#1 v1.5 SHA-256/384/512, keys of 2048 bits
//!    or more, with feature `rsa`), uncompressed EC points, no unique identifiers, a
//!    non-empty issuer name, notBefore <= notAfter, each known extension at most once. (webpki accepts serial
//!    number 0 and non-minimal DER; so these rules refuse, as anchors, 11 of the 142 Mozilla
//!    roots: 9 with serial number 0, such as Go Daddy Root G2, and 2 Trustwave ECC roots with
//!    a non-minimal keyUsage. Anchor an intermediate of theirs instead; the roots of Tencent
//!    Cloud's endpoints, DigiCert's and GlobalSign's, all pass.)
//! 2. **Extensions**: an unknown critical extension is refused; authority/subject key
//!    identifiers must not be critical; policyConstraints is refused, critical or not
//!    (policies are not processed); keyUsage, extKeyUsage and subjectAltName must not be
//!    empty; pathLenConstraint only with cA.
//! 3. **Name constraints are refused wherever they appear, the trust anchor included**
//!    (fail closed: the CAs of Tencent Cloud's endpoints use none; checking dNSName and
//!    iPAddress subtrees was built and measured at +788 B of firmware flash, and is kept in
//!    the history). webpki checks them instead, so this verifier only ever rejects more.
//! 4. **Empty subject**: allowed only with a critical subjectAltName (RFC 5280 4.2.1.6).
//! 5. **Leaf**: not a CA; keyUsage, if present, includes digitalSignature (the key signs
//!    the TLS 1.3 CertificateVerify); extKeyUsage, if present, includes serverAuth
//!    (anyExtendedKeyUsage is not enough, as in the Web PKI).
//! 6. **Host name**: a subjectAltName dNSName (ASCII case-insensitive; `*` only as the
//!    whole left-most label, over at least two more labels) or, for an IPv4 or IPv6
//!    literal, an iPAddress entry; the subject CN is never used.
//! 7. **Issuers** (each intermediate, and the trust anchor when it signs): basicConstraints
//!    critical with cA; keyUsage, if present, includes keyCertSign; extKeyUsage, if
//!    present, includes serverAuth; a subjectKeyIdentifier (RFC 5280 4.2.1.2).
//! 8. **pathLenConstraint** of every issuer, the trust anchor's too (webpki ignores the
//!    anchor's), counting the intermediates below it that are not self-issued (RFC 5280
//!    6.1.4 (l); webpki counts self-issued ones too).
//! 9. **The trust anchor's validity is enforced** when it signs (RFC 5280 leaves it to the
//!    implementation; webpki ignores it): an expired root cannot vouch for anything.
//! 10. **Validity** of every certificate used, bounds included; with no clock, the
//!     intersection of the windows is kept for a check against the first `Date` learned.
//! 11. **Chain order**: the leaf first, then each certificate the issuer of the one before
//!     (RFC 8446 4.4.2); at most [`MAX_CHAIN`] certificates; the anchor may be sent;
//!     certificates after the path are ignored.
//! 12. **CA key rollover**: when a certificate's issuer name is the anchor's, the anchor is
//!     tried first, then the next certificate of the chain (a self-issued intermediate
//!     carrying the anchor's name, signed by the old or new key).
//! 13. **Pinning**: a leaf byte-identical to the trust anchor is trusted as is; the leaf
//!     rules apply, except that it may be a CA (a self-signed `CA:TRUE` server certificate;
//!     webpki refuses a CA as an end entity).
//! 14. **Handshake**: the TLS 1.3 CertificateVerify must verify with the leaf key in a
//!     scheme of that key's type; [`Verifier::finish`] fails if the server never sent it.
//! 15. **Not checked**: revocation (no CRL or OCSP on a device), certificate policies.

mod der;
mod host;
mod x509;

use embedded_tls::{Aes128GcmSha256, CertificateEntryRef, CertificateRef, CertificateVerifyRef, TlsError, TlsVerifier};
use p256::ecdsa::signature::Verifier as _;
use sha2::{Digest, Sha256};

use crate::error::CertError;
use host::Host;
use x509::{Cert, KeyKind, PublicKey, SigAlg};

/// Most certificates accepted in a server's chain (leaf included).
pub const MAX_CHAIN: usize = 6;

impl From<der::Malformed> for CertError {
    fn from(_: der::Malformed) -> Self {
        CertError::Malformed
    }
}

/// The certificate the firmware trusts (a root or intermediate CA, or the server's own
/// certificate to pin it), DER-encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustAnchor<'a> {
    der: &'a [u8],
}

impl<'a> TrustAnchor<'a> {
    /// Checks that `der` is a certificate this verifier can read (policy line 1; whether
    /// it may sign is checked when it does).
    pub fn from_der(der: &'a [u8]) -> Result<Self, CertError> {
        Cert::parse(der).map_err(|_| CertError::InvalidTrustAnchor)?;
        Ok(Self { der })
    }

    /// The DER bytes.
    pub fn der(&self) -> &'a [u8] {
        self.der
    }

    fn cert(&self) -> Result<Cert<'a>, CertError> {
        Cert::parse(self.der).map_err(|_| CertError::InvalidTrustAnchor)
    }
}

/// The leaf's key, kept from the Certificate message for the CertificateVerify one.
enum LeafKey {
    P256(p256::ecdsa::VerifyingKey),
    #[cfg(feature = "p384")]
    P384(p384::ecdsa::VerifyingKey),
    #[cfg(feature = "rsa")]
    Rsa(rsa::RsaPublicKey),
}

/// Verifies one TLS 1.3 server (see the [module docs](self)).
pub struct Verifier<'a> {
    anchor: TrustAnchor<'a>,
    host: &'a str,
    now: Option<u64>,
    leaf: Option<LeafKey>,
    transcript: Option<Sha256>,
    window: (u64, u64),
    signature_verified: bool,
    failure: Option<CertError>,
}

impl core::fmt::Debug for Verifier<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Verifier")
            .field("host", &self.host)
            .field("now", &self.now)
            .field("failure", &self.failure)
            .finish_non_exhaustive()
    }
}

impl<'a> Verifier<'a> {
    /// A verifier for `host` (DNS name or IP literal, no port) at `now` (unix seconds;
    /// `None` defers the validity check, see [`Verifier::finish`]).
    pub fn new(anchor: TrustAnchor<'a>, host: &'a str, now: Option<u64>) -> Self {
        Self {
            anchor,
            host,
            now,
            leaf: None,
            transcript: None,
            window: (0, u64::MAX),
            signature_verified: false,
            failure: None,
        }
    }

    /// Why the last check failed, if it did.
    pub fn failure(&self) -> Option<CertError> {
        self.failure
    }

    /// After a successful handshake: fails if the server never proved it holds the
    /// certificate's key. Returns the validity window (`not_before`, `not_after`) left to
    /// check when the time was unknown.
    pub fn finish(&self) -> Result<Option<(u64, u64)>, CertError> {
        if self.leaf.is_none() {
            return Err(CertError::NoCertificate);
        }
        if !self.signature_verified {
            return Err(CertError::MissingHandshakeSignature);
        }
        Ok(if self.now.is_none() { Some(self.window) } else { None })
    }

    /// Verifies a chain (leaf first), as received in the TLS Certificate message.
    pub fn verify_chain(&mut self, chain: &[&[u8]]) -> Result<(), CertError> {
        let result = self.check_chain(chain);
        if let Err(e) = result {
            self.failure = Some(e);
        }
        result
    }

    fn check_chain(&mut self, chain: &[&[u8]]) -> Result<(), CertError> {
        let leaf_der = *chain.first().ok_or(CertError::NoCertificate)?;
        if chain.len() > MAX_CHAIN {
            return Err(CertError::ChainTooLong);
        }
        let anchor = self.anchor.cert()?;
        let leaf = Cert::parse(leaf_der)?;
        let pinned = leaf_der == self.anchor.der;
        if !pinned && leaf.basic_constraints.is_some_and(|bc| bc.ca) {
            return Err(CertError::CaUsedAsLeaf);
        }
        if !leaf.allows_server_auth() || !leaf.allows_key_usage(x509::DIGITAL_SIGNATURE) {
            return Err(CertError::NotServerAuth);
        }
        if leaf.refused_extension {
            return Err(CertError::UnsupportedCriticalExtension);
        }
        let san = leaf.subject_alt_name.ok_or(CertError::HostnameMismatch)?;
        if !Host::parse(self.host).matches(san)? {
            return Err(CertError::HostnameMismatch);
        }
        self.validity(&leaf)?;
        let leaf_key = leaf_key(&leaf.key)?;
        if !pinned {
            self.walk(chain, leaf, &anchor)?;
        }
        self.leaf = Some(leaf_key);
        Ok(())
    }

    /// From the leaf up: each certificate is signed by the anchor (tried first when the
    /// names match) or by the next one in the chain.
    fn walk(&mut self, chain: &[&[u8]], leaf: Cert<'_>, anchor: &Cert<'_>) -> Result<(), CertError> {
        let mut child = leaf;
        // Intermediates below the current issuer that count against pathLenConstraint.
        let mut below = 0u8;
        let mut rest = chain.get(1..).unwrap_or_default().iter();
        loop {
            let mut anchor_failure = CertError::UnknownIssuer;
            if child.issuer == anchor.subject {
                match self.check_issuer(anchor, below).and_then(|()| verify_signed(&anchor.key, &child)) {
                    Ok(()) => return Ok(()),
                    Err(e) => anchor_failure = e,
                }
            }
            let issuer = match rest.next() {
                Some(der) if *der != self.anchor.der => Cert::parse(der)?,
                _ => return Err(anchor_failure),
            };
            if child.issuer != issuer.subject {
                return Err(anchor_failure);
            }
            self.check_issuer(&issuer, below)?;
            verify_signed(&issuer.key, &child)?;
            if !issuer.is_self_issued() {
                below += 1;
            }
            child = issuer;
        }
    }

    /// The rules for a certificate that signs another (policy lines 2, 3, 7, 8, 9).
    fn check_issuer(&mut self, cert: &Cert<'_>, below: u8) -> Result<(), CertError> {
        match cert.basic_constraints {
            Some(bc) if bc.ca && bc.critical => {
                if bc.path_len.is_some_and(|max| below > max) {
                    return Err(CertError::PathTooLong);
                }
            }
            _ => return Err(CertError::NotCa),
        }
        if !cert.allows_key_usage(x509::KEY_CERT_SIGN) {
            return Err(CertError::NotCertSigner);
        }
        if !cert.allows_server_auth() {
            return Err(CertError::NotServerAuth);
        }
        if cert.refused_extension {
            return Err(CertError::UnsupportedCriticalExtension);
        }
        if !cert.subject_key_id {
            return Err(CertError::Malformed);
        }
        self.validity(cert)
    }

    fn validity(&mut self, cert: &Cert<'_>) -> Result<(), CertError> {
        match self.now {
            Some(now) if now < cert.not_before => Err(CertError::NotYetValid),
            Some(now) if now > cert.not_after => Err(CertError::Expired),
            Some(_) => Ok(()),
            None => {
                self.window = (self.window.0.max(cert.not_before), self.window.1.min(cert.not_after));
                if self.window.0 > self.window.1 { Err(CertError::Expired) } else { Ok(()) }
            }
        }
    }

    /// Verifies the server's TLS 1.3 CertificateVerify signature over the transcript hash.
    fn check_handshake_signature(
        &mut self,
        transcript_hash: &[u8],
        scheme: embedded_tls::SignatureScheme,
        signature: &[u8],
    ) -> Result<(), CertError> {
        use embedded_tls::SignatureScheme as S;
        const CONTEXT: &[u8] = b"TLS 1.3, server CertificateVerify\x00";
        let mut message = [0x20u8; 64 + CONTEXT.len() + 64];
        let len = 64 + CONTEXT.len() + transcript_hash.len();
        let msg = message.get_mut(..len).ok_or(CertError::BadHandshakeSignature)?;
        msg.get_mut(64..64 + CONTEXT.len()).ok_or(CertError::BadHandshakeSignature)?.copy_from_slice(CONTEXT);
        msg.get_mut(64 + CONTEXT.len()..).ok_or(CertError::BadHandshakeSignature)?.copy_from_slice(transcript_hash);
        let msg: &[u8] = msg;
        let bad = |_| CertError::BadHandshakeSignature;
        match (self.leaf.as_ref().ok_or(CertError::NoCertificate)?, scheme) {
            (LeafKey::P256(key), S::EcdsaSecp256r1Sha256) => {
                let sig = p256_signature(signature).ok_or(CertError::BadHandshakeSignature)?;
                key.verify(msg, &sig).map_err(bad)
            }
            #[cfg(feature = "p384")]
            (LeafKey::P384(key), S::EcdsaSecp384r1Sha384) => {
                let sig = p384_signature(signature).ok_or(CertError::BadHandshakeSignature)?;
                key.verify(msg, &sig).map_err(bad)
            }
            #[cfg(feature = "rsa")]
            (LeafKey::Rsa(key), S::RsaPssRsaeSha256 | S::RsaPssRsaeSha384 | S::RsaPssRsaeSha512) => {
                use rsa::pss::{Signature, VerifyingKey};
                let sig = Signature::try_from(signature).map_err(bad)?;
                match scheme {
                    S::RsaPssRsaeSha256 => VerifyingKey::<Sha256>::new(key.clone()).verify(msg, &sig),
                    S::RsaPssRsaeSha384 => VerifyingKey::<sha2::Sha384>::new(key.clone()).verify(msg, &sig),
                    _ => VerifyingKey::<sha2::Sha512>::new(key.clone()).verify(msg, &sig),
                }
                .map_err(bad)
            }
            _ => Err(CertError::UnsupportedAlgorithm),
        }
    }
}

impl TlsVerifier<Aes128GcmSha256> for Verifier<'_> {
    fn set_hostname_verification(&mut self, _hostname: &str) -> Result<(), TlsError> {
        // The host was given to `Verifier::new` (it may be an IP literal, which is not sent
        // as SNI).
        Ok(())
    }

    fn verify_certificate(&mut self, transcript: &Sha256, cert: CertificateRef<'_>) -> Result<(), TlsError> {
        let mut chain: heapless::Vec<&[u8], MAX_CHAIN> = heapless::Vec::new();
        for entry in &cert.entries {
            let der = match entry {
                CertificateEntryRef::X509(der) => *der,
                CertificateEntryRef::RawPublicKey(_) => {
                    self.failure = Some(CertError::UnsupportedAlgorithm);
                    return Err(TlsError::InvalidCertificate);
                }
            };
            if chain.push(der).is_err() {
                self.failure = Some(CertError::ChainTooLong);
                return Err(TlsError::InvalidCertificate);
            }
        }
        self.verify_chain(&chain).map_err(|_| TlsError::InvalidCertificate)?;
        self.transcript = Some(transcript.clone());
        Ok(())
    }

    fn verify_signature(&mut self, verify: CertificateVerifyRef<'_>) -> Result<(), TlsError> {
        let Some(transcript) = self.transcript.take() else {
            self.failure = Some(CertError::NoCertificate);
            return Err(TlsError::InvalidSignature);
        };
        let hash = transcript.finalize();
        match self.check_handshake_signature(&hash, verify.signature_scheme, verify.signature) {
            Ok(()) => {
                self.signature_verified = true;
                Ok(())
            }
            Err(e) => {
                self.failure = Some(e);
                Err(TlsError::InvalidSignature)
            }
        }
    }
}

fn leaf_key(key: &PublicKey<'_>) -> Result<LeafKey, CertError> {
    match key.kind {
        KeyKind::P256 => {
            p256::ecdsa::VerifyingKey::from_sec1_bytes(key.bytes).map(LeafKey::P256).map_err(|_| CertError::Malformed)
        }
        #[cfg(feature = "p384")]
        KeyKind::P384 => {
            p384::ecdsa::VerifyingKey::from_sec1_bytes(key.bytes).map(LeafKey::P384).map_err(|_| CertError::Malformed)
        }
        #[cfg(feature = "rsa")]
        KeyKind::Rsa => rsa_key(key.bytes).map(LeafKey::Rsa),
        _ => Err(CertError::UnsupportedAlgorithm),
    }
}

#[cfg(feature = "rsa")]
fn rsa_key(pkcs1: &[u8]) -> Result<rsa::RsaPublicKey, CertError> {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::traits::PublicKeyParts;
    let key = rsa::RsaPublicKey::from_pkcs1_der(pkcs1).map_err(|_| CertError::Malformed)?;
    // Keys under 2048 bits are refused, as by the Web PKI.
    if key.size() < 256 {
        return Err(CertError::UnsupportedAlgorithm);
    }
    Ok(key)
}

/// A DER ECDSA P-256 signature (parsed here rather than by the `der` crate: smaller image).
fn p256_signature(der: &[u8]) -> Option<p256::ecdsa::Signature> {
    let rs = der::ecdsa_signature::<64>(der).ok()?;
    p256::ecdsa::Signature::from_slice(&rs).ok()
}

#[cfg(feature = "p384")]
fn p384_signature(der: &[u8]) -> Option<p384::ecdsa::Signature> {
    let rs = der::ecdsa_signature::<96>(der).ok()?;
    p384::ecdsa::Signature::from_slice(&rs).ok()
}

/// Checks that `issuer_key` signed `child`.
fn verify_signed(issuer_key: &PublicKey<'_>, child: &Cert<'_>) -> Result<(), CertError> {
    let bad = |_| CertError::BadSignature;
    match (issuer_key.kind, child.sig_alg) {
        (KeyKind::P256, SigAlg::EcdsaSha256) => {
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(issuer_key.bytes).map_err(|_| CertError::Malformed)?;
            let sig = p256_signature(child.signature).ok_or(CertError::BadSignature)?;
            key.verify(child.tbs, &sig).map_err(bad)
        }
        #[cfg(feature = "p384")]
        (KeyKind::P384, SigAlg::EcdsaSha384) => {
            let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(issuer_key.bytes).map_err(|_| CertError::Malformed)?;
            let sig = p384_signature(child.signature).ok_or(CertError::BadSignature)?;
            key.verify(child.tbs, &sig).map_err(bad)
        }
        #[cfg(feature = "rsa")]
        (KeyKind::Rsa, alg @ (SigAlg::RsaSha256 | SigAlg::RsaSha384 | SigAlg::RsaSha512)) => {
            use rsa::pkcs1v15::{Signature, VerifyingKey};
            let key = rsa_key(issuer_key.bytes)?;
            let sig = Signature::try_from(child.signature).map_err(bad)?;
            match alg {
                SigAlg::RsaSha256 => VerifyingKey::<Sha256>::new(key).verify(child.tbs, &sig),
                SigAlg::RsaSha384 => VerifyingKey::<sha2::Sha384>::new(key).verify(child.tbs, &sig),
                _ => VerifyingKey::<sha2::Sha512>::new(key).verify(child.tbs, &sig),
            }
            .map_err(bad)
        }
        _ => Err(CertError::UnsupportedAlgorithm),
    }
}

#[cfg(test)]
mod tests {
    use std::string::{String, ToString};
    use std::vec::Vec;

    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, CustomExtension, DnType, ExtendedKeyUsagePurpose, IsCa,
        KeyPair, KeyUsagePurpose,
    };

    use super::*;

    const NOW: u64 = 1_750_000_000; // 2025-06-15

    fn ca(name: &str, is_ca: IsCa, usages: Vec<KeyUsagePurpose>) -> CertifiedIssuer<'static, KeyPair> {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, name);
        p.is_ca = is_ca;
        p.key_usages = usages;
        CertifiedIssuer::self_signed(p, KeyPair::generate().unwrap()).unwrap()
    }

    fn sub_ca(
        name: &str,
        is_ca: IsCa,
        usages: Vec<KeyUsagePurpose>,
        issuer: &CertifiedIssuer<'static, KeyPair>,
    ) -> CertifiedIssuer<'static, KeyPair> {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, name);
        p.is_ca = is_ca;
        p.key_usages = usages;
        CertifiedIssuer::signed_by(p, KeyPair::generate().unwrap(), issuer).unwrap()
    }

    fn unconstrained() -> IsCa {
        IsCa::Ca(BasicConstraints::Unconstrained)
    }

    fn leaf(
        names: &[&str],
        issuer: &CertifiedIssuer<'static, KeyPair>,
        tweak: impl FnOnce(&mut CertificateParams),
    ) -> Vec<u8> {
        let mut p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        p.distinguished_name.push(DnType::CommonName, "leaf");
        tweak(&mut p);
        p.signed_by(&KeyPair::generate().unwrap(), issuer).unwrap().der().to_vec()
    }

    fn check(anchor: &[u8], host: &str, now: Option<u64>, chain: &[&[u8]]) -> Result<(), CertError> {
        let mut v = Verifier::new(TrustAnchor::from_der(anchor).unwrap(), host, now);
        v.verify_chain(chain)
    }

    #[test]
    fn chains() {
        let root = ca("root", unconstrained(), vec![KeyUsagePurpose::KeyCertSign]);
        let int = sub_ca("int", unconstrained(), vec![KeyUsagePurpose::KeyCertSign], &root);
        let anchor = root.der().to_vec();
        let (int_der, root_der) = (int.der().to_vec(), root.der().to_vec());
        let l = leaf(&["api.example.com"], &int, |_| {});
        // With and without the root in the chain.
        assert_eq!(check(&anchor, "api.example.com", Some(NOW), &[&l, &int_der]), Ok(()));
        assert_eq!(check(&anchor, "api.example.com", Some(NOW), &[&l, &int_der, &root_der]), Ok(()));
        // The intermediate is missing.
        assert_eq!(check(&anchor, "api.example.com", Some(NOW), &[&l]), Err(CertError::UnknownIssuer));
        // The intermediate as the trust anchor.
        assert_eq!(check(&int_der, "api.example.com", Some(NOW), &[&l]), Ok(()));
        // Names.
        assert_eq!(check(&anchor, "API.Example.com", Some(NOW), &[&l, &int_der]), Ok(()));
        assert_eq!(check(&anchor, "example.com", Some(NOW), &[&l, &int_der]), Err(CertError::HostnameMismatch));
        let ip = leaf(&["10.1.2.3"], &root, |_| {});
        assert_eq!(check(&anchor, "10.1.2.3", Some(NOW), &[&ip]), Ok(()));
        assert_eq!(check(&anchor, "10.1.2.4", Some(NOW), &[&ip]), Err(CertError::HostnameMismatch));
        let wild = leaf(&["*.example.com"], &root, |_| {});
        assert_eq!(check(&anchor, "cvm.example.com", Some(NOW), &[&wild]), Ok(()));
        assert_eq!(check(&anchor, "a.cvm.example.com", Some(NOW), &[&wild]), Err(CertError::HostnameMismatch));
        let cn_only = leaf(&[], &root, |p| p.distinguished_name.push(DnType::CommonName, "api.example.com"));
        assert_eq!(check(&anchor, "api.example.com", Some(NOW), &[&cn_only]), Err(CertError::HostnameMismatch));
        // Too long.
        let many: Vec<&[u8]> = core::iter::once(&l[..]).chain(core::iter::repeat_n(&int_der[..], MAX_CHAIN)).collect();
        assert_eq!(check(&anchor, "api.example.com", Some(NOW), &many), Err(CertError::ChainTooLong));
        assert_eq!(check(&anchor, "api.example.com", Some(NOW), &[]), Err(CertError::NoCertificate));
        assert_eq!(check(&anchor, "api.example.com", Some(NOW), &[b"junk"]), Err(CertError::Malformed));
        assert!(TrustAnchor::from_der(b"junk").is_err());
    }

    #[test]
    fn ca_constraints() {
        let root = ca("root", unconstrained(), vec![KeyUsagePurpose::KeyCertSign]);
        let anchor = root.der().to_vec();
        let host = "api.example.com";
        // Not a CA: no basicConstraints, or cA = FALSE.
        for is_ca in [IsCa::NoCa, IsCa::ExplicitNoCa] {
            let bad = sub_ca("bad", is_ca, Vec::new(), &root);
            let l = leaf(&[host], &bad, |_| {});
            assert_eq!(check(&anchor, host, Some(NOW), &[&l, bad.der()]), Err(CertError::NotCa));
        }
        // A CA whose key usage does not include keyCertSign.
        let no_sign = sub_ca("no sign", unconstrained(), vec![KeyUsagePurpose::DigitalSignature], &root);
        let l = leaf(&[host], &no_sign, |_| {});
        assert_eq!(check(&anchor, host, Some(NOW), &[&l, no_sign.der()]), Err(CertError::NotCertSigner));
        // pathLenConstraint 0 with an intermediate below it.
        let top = sub_ca("top", IsCa::Ca(BasicConstraints::Constrained(0)), Vec::new(), &root);
        let below = sub_ca("below", unconstrained(), Vec::new(), &top);
        let l = leaf(&[host], &below, |_| {});
        let chain = [&l[..], &below.der()[..], &top.der()[..]];
        assert_eq!(check(&anchor, host, Some(NOW), &chain), Err(CertError::PathTooLong));
        // A CA certificate as the leaf.
        let ca_leaf = leaf(&[host], &root, |p| p.is_ca = unconstrained());
        assert_eq!(check(&anchor, host, Some(NOW), &[&ca_leaf]), Err(CertError::CaUsedAsLeaf));
        // Extended key usage without serverAuth.
        let client = leaf(&[host], &root, |p| p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth]);
        assert_eq!(check(&anchor, host, Some(NOW), &[&client]), Err(CertError::NotServerAuth));
        let any = leaf(&[host], &root, |p| p.extended_key_usages = vec![ExtendedKeyUsagePurpose::Any]);
        assert_eq!(check(&anchor, host, Some(NOW), &[&any]), Err(CertError::NotServerAuth));
        // An unknown critical extension.
        let crit = leaf(&[host], &root, |p| {
            let mut ext = CustomExtension::from_oid_content(&[1, 2, 3, 4], vec![0x05, 0x00]);
            ext.set_criticality(true);
            p.custom_extensions = vec![ext];
        });
        assert_eq!(check(&anchor, host, Some(NOW), &[&crit]), Err(CertError::UnsupportedCriticalExtension));
        // Pinning the server's own self-signed certificate.
        let mut p = CertificateParams::new(vec![host.to_string()]).unwrap();
        p.distinguished_name.push(DnType::CommonName, host);
        let own = p.self_signed(&KeyPair::generate().unwrap()).unwrap().der().to_vec();
        assert_eq!(check(&own, host, Some(NOW), &[&own]), Ok(()));
    }

    #[test]
    fn dates_and_handshake_signature() {
        let root = ca("root", unconstrained(), Vec::new());
        let anchor = root.der().to_vec();
        let host = "api.example.com";
        let l = leaf(&[host], &root, |p| {
            p.not_before = rcgen::date_time_ymd(2025, 1, 1);
            p.not_after = rcgen::date_time_ymd(2026, 1, 1);
        });
        assert_eq!(check(&anchor, host, Some(NOW), &[&l]), Ok(()));
        assert_eq!(check(&anchor, host, Some(1_800_000_000), &[&l]), Err(CertError::Expired));
        assert_eq!(check(&anchor, host, Some(1_700_000_000), &[&l]), Err(CertError::NotYetValid));
        // Without a clock the window is handed back for later.
        let mut v = Verifier::new(TrustAnchor::from_der(&anchor).unwrap(), host, None);
        v.verify_chain(&[&l]).unwrap();
        // ...but only once the server proved it holds the key.
        assert_eq!(v.finish(), Err(CertError::MissingHandshakeSignature));
        v.signature_verified = true;
        let (not_before, not_after) = v.finish().unwrap().unwrap();
        assert_eq!((not_before, not_after), (1_735_689_600, 1_767_225_600));
        let fresh = Verifier::new(TrustAnchor::from_der(&anchor).unwrap(), host, None);
        assert_eq!(fresh.finish(), Err(CertError::NoCertificate));
    }
}
