//! Server certificate verification for embedded-tls: the chain up to the firmware's trust
//! anchor, the host name, the validity dates, CA constraints, and the handshake signature.
//!
//! [`Verifier`] implements embedded-tls's `TlsVerifier` itself instead of wrapping its
//! `rustpki` `CertVerifier`, which accepts an intermediate that is not a CA, reads the time
//! through a static `TlsClock` (not the firmware's clock object), reports every failure as
//! the same error, copies the whole chain into RAM, and matches names by CN as well. It
//! never allocates and does a bounded amount of work (at most [`MAX_CHAIN`] certificates,
//! at most two signature checks per certificate). RSA signatures are checked by its own
//! arithmetic (`rsa.rs`: no heap, about 3 KB of stack while a signature is checked).
//!
//! # Policy
//!
//! RFC 5280 path validation for a TLS 1.3 server, as a browser-grade verifier does it; where
//! RFC 5280 leaves a choice or the Web PKI (rustls-webpki) differs, the line says which way
//! this one goes. Every line has its own test in `tests/pki_policy.rs` (the RSA rules in
//! `tests/rsa.rs`, against the `rsa` crate).
//!
//! 1. **One parser for every certificate, the trust anchor included**: DER, version 3,
//!    serial number positive and at most 20 octets, the same AlgorithmIdentifier inside and
//!    outside byte for byte, known algorithms in their exact encodings (ECDSA P-256 SHA-256;
//!    P-384 SHA-384 with feature `p384`; RSA PKCS#1 v1.5 SHA-256/384/512 with feature `rsa`,
//!    on by default), uncompressed EC points, no unique identifiers, a non-empty issuer name,
//!    notBefore <= notAfter, each known extension at most once. (webpki accepts serial
//!    number 0 and non-minimal DER; so these rules refuse, as anchors, 11 of the 142 Mozilla
//!    roots: 9 with serial number 0, such as Go Daddy Root G2, and 2 Trustwave ECC roots with
//!    a non-minimal keyUsage. Anchor an intermediate of theirs instead; the roots of Tencent
//!    Cloud's endpoints, DigiCert's and GlobalSign's, all pass.)
//!    **RSA keys**, when one signs: a DER `RSAPublicKey` (positive, minimal integers), a
//!    modulus of 2048 to 4096 bits whose length is a multiple of 8 (CA/Browser Forum Baseline
//!    Requirements 6.1.5; webpki takes 2048 to 8192 bits of any length), odd, and a public
//!    exponent odd with 3 <= e < n (RFC 8017 3.1; webpki, through ring, takes e < 2^33 only):
//!    others are `UnsupportedAlgorithm` (size) or `Malformed`. The leaf's key is kept for the
//!    CertificateVerify in 516 octets, modulus and exponent together: a 4096-bit leaf key with
//!    an exponent over 32 bits is refused (any exponent fits with a 2048-bit modulus).
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
//!     scheme of that key's type (RSA: RSASSA-PSS with SHA-256, SHA-384 or SHA-512, MGF1 of
//!     the same hash and a salt as long as the hash, RFC 8446 4.2.3; PKCS#1 v1.5 there is
//!     `UnsupportedAlgorithm`); [`Verifier::finish`] fails if the server never sent it.
//!
//! Certificate profile rules (RFC 5280 and the CA/Browser Forum Baseline Requirements, "BR"),
//! on fields the parser reads anyway; webpki checks none of them, so each only rejects more:
//!
//! 15. **Authority key identifier** in every certificate of the path but the trust anchor
//!     (the leaf, unless pinned, and each intermediate, self-issued ones included), with a
//!     keyIdentifier (RFC 5280 4.2.1.1); authorityCertIssuer and authorityCertSerialNumber
//!     both or neither, in any certificate. Else `Malformed`.
//! 16. **A root's authority key identifier** (BR 7.1.2.1.3): a self-issued trust anchor
//!     that signs is taken as a root (its signature is not checked: it is trusted); if it
//!     has one, it is only a keyIdentifier equal to its subjectKeyIdentifier (DigiCert Global
//!     Root G2 has none, Global Root CA one equal to it). Else `InvalidTrustAnchor`: of the
//!     Mozilla roots, Certigna and QuoVadis Root CA 2 and 3 name their issuer and serial
//!     number in it (and 2 that line 1 refuses already). Anchor an intermediate of theirs.
//! 17. **No extKeyUsage in a root** (BR 7.1.2.1.2), the same root as line 16: else
//!     `InvalidTrustAnchor` (one without serverAuth is already `NotServerAuth`, line 7). No
//!     Mozilla root has one; lines 15, 19 and 20 refuse none as an anchor either.
//! 18. **keyCertSign only with cA** (RFC 5280 4.2.1.3) in the leaf (an intermediate without
//!     cA is `NotCa` already, line 7): else `Malformed`.
//! 19. **authorityInfoAccess** (RFC 5280 4.2.2.1), in any certificate: not critical, a
//!     non-empty list of accessMethod OID and accessLocation GeneralName (of one of the nine
//!     kinds, tagged as RFC 5280 4.2.1.6 says), at most once. Else `Malformed`.
//! 20. **subjectAltName critical only with an empty subject** (BR 7.1.2.7.12; RFC 5280
//!     4.2.1.6 says SHOULD), in any certificate: the other half of line 4. Else `Malformed`.
//! 21. **Not checked**: revocation (no CRL or OCSP on a device), certificate policies.

mod der;
mod host;
#[cfg(feature = "rsa")]
mod rsa;
mod x509;

use embedded_tls::{Aes128GcmSha256, CertificateEntryRef, CertificateRef, CertificateVerifyRef, TlsError, TlsVerifier};
use p256::ecdsa::signature::Verifier as _;
use sha2::{Digest, Sha256};

use crate::error::CertError;
pub(crate) use host::Host;
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

/// Room for the leaf's key: an RSA modulus of up to 4096 bits and its exponent (the two
/// together at most 516 octets: any exponent with a 2048-bit modulus, up to 32 bits with a
/// 4096-bit one), or an uncompressed EC point.
#[cfg(feature = "rsa")]
const LEAF_KEY_BYTES: usize = rsa::MAX_BYTES + 4;
#[cfg(all(not(feature = "rsa"), feature = "p384"))]
const LEAF_KEY_BYTES: usize = 97;
#[cfg(all(not(feature = "rsa"), not(feature = "p384")))]
const LEAF_KEY_BYTES: usize = 65;

/// The leaf's key, copied from the Certificate message for the CertificateVerify one (the
/// certificate is gone by then), checked as it was copied: a SEC1 point (`bytes[..len]`),
/// or an RSA modulus (`bytes[..split]`) and exponent (`bytes[split..len]`).
struct LeafKey {
    kind: KeyKind,
    split: u16,
    len: u16,
    bytes: [u8; LEAF_KEY_BYTES],
}

impl LeafKey {
    /// A copy of the parts, if they fit.
    fn copy(kind: KeyKind, first: &[u8], second: &[u8]) -> Option<Self> {
        let mut bytes = [0u8; LEAF_KEY_BYTES];
        let (a, b) = bytes.split_at_mut_checked(first.len())?;
        a.copy_from_slice(first);
        b.get_mut(..second.len())?.copy_from_slice(second);
        let split = u16::try_from(first.len()).ok()?;
        Some(Self { kind, split, len: split + u16::try_from(second.len()).ok()?, bytes })
    }

    fn parts(&self) -> (&[u8], &[u8]) {
        let key = self.bytes.get(..usize::from(self.len)).unwrap_or_default();
        key.split_at_checked(usize::from(self.split)).unwrap_or_default()
    }
}

/// Verifies one TLS 1.3 server (see the [module docs](self)).
///
/// Its state is small (under 600 bytes with RSA, most of it the leaf's key) because it lives
/// in the connection's future, in the firmware's static RAM.
pub struct Verifier<'a> {
    state: State<'a>,
    /// The validity window every certificate used so far includes: `[now, now]` when the
    /// time is known (`clock`), else the intersection of their windows, checked later.
    window: (u64, u64),
    clock: bool,
    failure: Option<CertError>,
}

/// Where the handshake is. The anchor and host are needed only until the chain is verified,
/// the leaf's key only after: they share their room.
enum State<'a> {
    /// Waiting for the server's certificates.
    Chain { anchor: TrustAnchor<'a>, host: &'a str },
    /// The chain verified: the leaf's key, and the transcript hash through the Certificate
    /// message (set by the handshake, taken by the CertificateVerify).
    Leaf { key: LeafKey, transcript: Option<[u8; 32]> },
    /// The CertificateVerify verified.
    Verified,
}

impl core::fmt::Debug for Verifier<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut d = f.debug_struct("Verifier");
        if let State::Chain { host, .. } = &self.state {
            d.field("host", host);
        }
        d.field("window", &self.window)
            .field("clock", &self.clock)
            .field("failure", &self.failure)
            .finish_non_exhaustive()
    }
}

impl<'a> Verifier<'a> {
    /// A verifier for `host` (DNS name or IP literal, no port) at `now` (unix seconds;
    /// `None` defers the validity check, see [`Verifier::finish`]).
    pub fn new(anchor: TrustAnchor<'a>, host: &'a str, now: Option<u64>) -> Self {
        let window = now.map_or((0, u64::MAX), |now| (now, now));
        Self { state: State::Chain { anchor, host }, window, clock: now.is_some(), failure: None }
    }

    /// Why the last check failed, if it did.
    pub fn failure(&self) -> Option<CertError> {
        self.failure
    }

    /// After a successful handshake: fails if the server never proved it holds the
    /// certificate's key. Returns the validity window (`not_before`, `not_after`) left to
    /// check when the time was unknown.
    pub fn finish(&self) -> Result<Option<(u64, u64)>, CertError> {
        match self.state {
            State::Chain { .. } => Err(CertError::NoCertificate),
            State::Leaf { .. } => Err(CertError::MissingHandshakeSignature),
            State::Verified => Ok((!self.clock).then_some(self.window)),
        }
    }

    /// Verifies a chain (leaf first), as received in the TLS Certificate message. Once per
    /// verifier (a TLS 1.3 server sends one): after a chain verified, another one is refused
    /// ([`CertError::ChainTooLong`]).
    pub fn verify_chain(&mut self, chain: &[&[u8]]) -> Result<(), CertError> {
        let result = match self.state {
            State::Chain { anchor, host } => self.check_chain(anchor, host, chain),
            _ => Err(CertError::ChainTooLong),
        };
        match result {
            Ok(key) => {
                self.state = State::Leaf { key, transcript: None };
                Ok(())
            }
            Err(e) => {
                self.failure = Some(e);
                Err(e)
            }
        }
    }

    fn check_chain(&mut self, anchor: TrustAnchor<'_>, host: &str, chain: &[&[u8]]) -> Result<LeafKey, CertError> {
        let leaf_der = *chain.first().ok_or(CertError::NoCertificate)?;
        if chain.len() > MAX_CHAIN {
            return Err(CertError::ChainTooLong);
        }
        let anchor_der = anchor.der;
        let anchor = anchor.cert()?;
        let leaf = Cert::parse(leaf_der)?;
        let pinned = leaf_der == anchor_der;
        let leaf_ca = leaf.basic_constraints.is_some_and(|bc| bc.ca);
        if !pinned && leaf_ca {
            return Err(CertError::CaUsedAsLeaf);
        }
        if !leaf.allows_server_auth() || !leaf.allows_key_usage(x509::DIGITAL_SIGNATURE) {
            return Err(CertError::NotServerAuth);
        }
        if leaf.refused_extension {
            return Err(CertError::UnsupportedCriticalExtension);
        }
        // Policy lines 15 (an authority key identifier) and 18 (keyCertSign only in a CA).
        let cert_sign = leaf.key_usage.is_some_and(|ku| ku & x509::KEY_CERT_SIGN != 0);
        if (!pinned && !leaf.has_authority_key_id()) || (cert_sign && !leaf_ca) {
            return Err(CertError::Malformed);
        }
        let san = leaf.subject_alt_name.ok_or(CertError::HostnameMismatch)?;
        if !Host::parse(host).matches(san)? {
            return Err(CertError::HostnameMismatch);
        }
        self.validity(&leaf)?;
        let leaf_key = leaf_key(&leaf.key)?;
        if !pinned {
            self.walk(chain, leaf, &anchor, anchor_der)?;
        }
        Ok(leaf_key)
    }

    /// From the leaf up: each certificate is signed by the anchor (tried first when the
    /// names match) or by the next one in the chain.
    fn walk(&mut self, chain: &[&[u8]], leaf: Cert<'_>, anchor: &Cert<'_>, anchor_der: &[u8]) -> Result<(), CertError> {
        let mut child = leaf;
        // Intermediates below the current issuer that count against pathLenConstraint.
        let mut below = 0u8;
        let mut rest = chain.get(1..).unwrap_or_default().iter();
        loop {
            let mut anchor_failure = CertError::UnknownIssuer;
            if child.issuer == anchor.subject {
                match self
                    .check_issuer(anchor, below)
                    .and_then(|()| check_root(anchor))
                    .and_then(|()| verify_signed(&anchor.key, &child))
                {
                    Ok(()) => return Ok(()),
                    Err(e) => anchor_failure = e,
                }
            }
            let issuer = match rest.next() {
                Some(der) if *der != anchor_der => Cert::parse(der)?,
                _ => return Err(anchor_failure),
            };
            if child.issuer != issuer.subject {
                return Err(anchor_failure);
            }
            // Policy line 15.
            if !issuer.has_authority_key_id() {
                return Err(CertError::Malformed);
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
        if cert.subject_key_id.is_none() {
            return Err(CertError::Malformed);
        }
        self.validity(cert)
    }

    fn validity(&mut self, cert: &Cert<'_>) -> Result<(), CertError> {
        let (from, until) = (self.window.0.max(cert.not_before), self.window.1.min(cert.not_after));
        if from > until {
            // With a clock: `now` is before the window or after it; without, they do not meet.
            return Err(if self.clock && self.window.1 < cert.not_before {
                CertError::NotYetValid
            } else {
                CertError::Expired
            });
        }
        self.window = (from, until);
        Ok(())
    }

    /// Verifies the server's TLS 1.3 CertificateVerify signature over the transcript hash.
    fn check_handshake_signature(
        key: &LeafKey,
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
        match (key.kind, scheme) {
            (KeyKind::P256, S::EcdsaSecp256r1Sha256) => {
                let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(key.parts().0).map_err(bad)?;
                let sig = p256_signature(signature).ok_or(CertError::BadHandshakeSignature)?;
                key.verify(msg, &sig).map_err(bad)
            }
            #[cfg(feature = "p384")]
            (KeyKind::P384, S::EcdsaSecp384r1Sha384) => {
                let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(key.parts().0).map_err(bad)?;
                let sig = p384_signature(signature).ok_or(CertError::BadHandshakeSignature)?;
                key.verify(msg, &sig).map_err(bad)
            }
            #[cfg(feature = "rsa")]
            (KeyKind::Rsa, S::RsaPssRsaeSha256 | S::RsaPssRsaeSha384 | S::RsaPssRsaeSha512) => {
                let hash = match scheme {
                    S::RsaPssRsaeSha256 => rsa::Hash::Sha256,
                    S::RsaPssRsaeSha384 => rsa::Hash::Sha384,
                    _ => rsa::Hash::Sha512,
                };
                let (n, e) = key.parts();
                let key = rsa::PublicKey::new(n, e).map_err(|_| CertError::BadHandshakeSignature)?;
                key.verify(rsa::Padding::Pss, hash, msg, signature).map_err(|_| CertError::BadHandshakeSignature)
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
        // The transcript already covers the Certificate message: the CertificateVerify signs
        // its hash as it is now.
        if let State::Leaf { transcript: slot, .. } = &mut self.state {
            *slot = Some(transcript.clone().finalize().into());
        }
        Ok(())
    }

    fn verify_signature(&mut self, verify: CertificateVerifyRef<'_>) -> Result<(), TlsError> {
        let State::Leaf { key, transcript: slot } = &mut self.state else {
            self.failure = Some(CertError::NoCertificate);
            return Err(TlsError::InvalidSignature);
        };
        let Some(transcript) = slot.take() else {
            self.failure = Some(CertError::NoCertificate);
            return Err(TlsError::InvalidSignature);
        };
        match Self::check_handshake_signature(key, &transcript, verify.signature_scheme, verify.signature) {
            Ok(()) => {
                self.state = State::Verified;
                Ok(())
            }
            Err(e) => {
                self.failure = Some(e);
                Err(TlsError::InvalidSignature)
            }
        }
    }
}

/// The root profile (policy lines 16 and 17) of a self-issued trust anchor that signs.
fn check_root(anchor: &Cert<'_>) -> Result<(), CertError> {
    if anchor.is_self_issued() && (!anchor.has_root_authority_key_id() || anchor.ext_key_usage.is_some()) {
        return Err(CertError::InvalidTrustAnchor);
    }
    Ok(())
}

/// The leaf's key, checked (a point on the curve, an RSA key under the policy) and copied.
fn leaf_key(key: &PublicKey<'_>) -> Result<LeafKey, CertError> {
    match key.kind {
        KeyKind::P256 => {
            p256::ecdsa::VerifyingKey::from_sec1_bytes(key.bytes).map_err(|_| CertError::Malformed)?;
        }
        #[cfg(feature = "p384")]
        KeyKind::P384 => {
            p384::ecdsa::VerifyingKey::from_sec1_bytes(key.bytes).map_err(|_| CertError::Malformed)?;
        }
        #[cfg(feature = "rsa")]
        KeyKind::Rsa => {
            let (n, e) = rsa_key(key.bytes)?.parts();
            return LeafKey::copy(KeyKind::Rsa, n, e).ok_or(CertError::UnsupportedAlgorithm);
        }
        _ => return Err(CertError::UnsupportedAlgorithm),
    }
    LeafKey::copy(key.kind, key.bytes, &[]).ok_or(CertError::Malformed)
}

/// An RSA key under the policy (line 1).
#[cfg(feature = "rsa")]
fn rsa_key(pkcs1: &[u8]) -> Result<rsa::PublicKey<'_>, CertError> {
    rsa::PublicKey::from_pkcs1(pkcs1).map_err(|e| match e {
        rsa::KeyError::Malformed => CertError::Malformed,
        rsa::KeyError::Unsupported => CertError::UnsupportedAlgorithm,
    })
}

/// An RSA signature scheme, for [`verify_rsa`].
#[cfg(feature = "rsa")]
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RsaScheme {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (certificates).
    Pkcs1v15Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    Pkcs1v15Sha384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    Pkcs1v15Sha512,
    /// RSASSA-PSS with SHA-256, MGF1 SHA-256, a 32-octet salt (TLS 1.3 `rsa_pss_rsae_sha256`).
    PssSha256,
    /// RSASSA-PSS with SHA-384, MGF1 SHA-384, a 48-octet salt.
    PssSha384,
    /// RSASSA-PSS with SHA-512, MGF1 SHA-512, a 64-octet salt.
    PssSha512,
}

/// Verifies an RSA signature over `message` with a DER `RSAPublicKey`, under the key rules of
/// policy line 1, with the code the chain and CertificateVerify checks run. Not a stable API:
/// it is public for the differential tests (`tests/rsa.rs`) and the fuzz targets. Errors:
/// `Malformed` (not an RSA key), `UnsupportedAlgorithm` (a key outside the policy),
/// `BadSignature`.
#[cfg(feature = "rsa")]
#[doc(hidden)]
pub fn verify_rsa(rsa_public_key: &[u8], scheme: RsaScheme, message: &[u8], signature: &[u8]) -> Result<(), CertError> {
    use rsa::{Hash, Padding};
    let (padding, hash) = match scheme {
        RsaScheme::Pkcs1v15Sha256 => (Padding::Pkcs1v15, Hash::Sha256),
        RsaScheme::Pkcs1v15Sha384 => (Padding::Pkcs1v15, Hash::Sha384),
        RsaScheme::Pkcs1v15Sha512 => (Padding::Pkcs1v15, Hash::Sha512),
        RsaScheme::PssSha256 => (Padding::Pss, Hash::Sha256),
        RsaScheme::PssSha384 => (Padding::Pss, Hash::Sha384),
        RsaScheme::PssSha512 => (Padding::Pss, Hash::Sha512),
    };
    rsa_key(rsa_public_key)?.verify(padding, hash, message, signature).map_err(|_| CertError::BadSignature)
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
            let hash = match alg {
                SigAlg::RsaSha256 => rsa::Hash::Sha256,
                SigAlg::RsaSha384 => rsa::Hash::Sha384,
                _ => rsa::Hash::Sha512,
            };
            rsa_key(issuer_key.bytes)?
                .verify(rsa::Padding::Pkcs1v15, hash, child.tbs, child.signature)
                .map_err(|_| CertError::BadSignature)
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
        p.use_authority_key_identifier_extension = true;
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
        p.use_authority_key_identifier_extension = true;
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
        v.state = State::Verified;
        let (not_before, not_after) = v.finish().unwrap().unwrap();
        assert_eq!((not_before, not_after), (1_735_689_600, 1_767_225_600));
        let fresh = Verifier::new(TrustAnchor::from_der(&anchor).unwrap(), host, None);
        assert_eq!(fresh.finish(), Err(CertError::NoCertificate));
    }
}
