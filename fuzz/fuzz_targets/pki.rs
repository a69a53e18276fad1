#![no_main]
//! The device's certificate verifier on arbitrary input: DER and X.509 parsing (the trust
//! anchor and every chain certificate), `Verifier::verify_chain`, and the TLS 1.3
//! CertificateVerify check, driven through embedded-tls's `TlsVerifier` as a handshake does.
//!
//! RSA chains included (feature `rsa`): PKCS#1 v1.5 certificate signatures, RSA keys under the
//! policy, and the PSS CertificateVerify (`fuzz_targets/rsa.rs` fuzzes the RSA arithmetic
//! alone, against the `rsa` crate).
//!
//! Input: `anchor`, a count byte, that many certificates, `host`, a scheme byte (0: ECDSA
//! P-256, 1: P-384, 2-4: RSA-PSS SHA-256/384/512, 5: RSA PKCS#1 SHA-256, which TLS 1.3
//! refuses here, else Ed25519), then the signature (each field but the last prefixed by its
//! length: 2 bytes big-endian, 1 for the host), signed over an empty transcript.
//! `PKI_FUZZ_SEEDS=DIR cargo test -p tencentcloud-transport-embassy --test pki_differential`
//! (P-256 chains) and `--test rsa` (RSA chains, valid CertificateVerify) write seeds in this form.

use embedded_tls::{CertificateEntryRef, CertificateRef, CertificateVerifyRef, SignatureScheme, TlsVerifier};
use sha2::{Digest, Sha256};
use tencentcloud_transport_embassy::pki::{TrustAnchor, Verifier};

/// 2025-06-15, the seeds' time.
const NOW: u64 = 1_750_000_000;

fn take<'a>(data: &mut &'a [u8], len_bytes: usize) -> Option<&'a [u8]> {
    let (len, rest) = data.split_at_checked(len_bytes)?;
    let len = len.iter().fold(0usize, |acc, &b| acc << 8 | usize::from(b));
    let (field, rest) = rest.split_at_checked(len)?;
    *data = rest;
    Some(field)
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut data = data;
    let Some(anchor) = take(&mut data, 2) else { return };
    let Some((&count, rest)) = data.split_first() else { return };
    data = rest;
    let chain: Vec<&[u8]> = (0..count).map_while(|_| take(&mut data, 2)).collect();
    let host = take(&mut data, 1).and_then(|h| core::str::from_utf8(h).ok()).unwrap_or("api.example.com");
    let scheme = match data.split_first() {
        Some((0, _)) | None => SignatureScheme::EcdsaSecp256r1Sha256,
        Some((1, _)) => SignatureScheme::EcdsaSecp384r1Sha384,
        Some((2, _)) => SignatureScheme::RsaPssRsaeSha256,
        Some((3, _)) => SignatureScheme::RsaPssRsaeSha384,
        Some((4, _)) => SignatureScheme::RsaPssRsaeSha512,
        Some((5, _)) => SignatureScheme::RsaPkcs1Sha256,
        Some(_) => SignatureScheme::Ed25519,
    };
    let signature = data.get(1..).unwrap_or_default();

    for cert in &chain {
        let _ = TrustAnchor::from_der(cert);
    }
    let Ok(anchor) = TrustAnchor::from_der(anchor) else { return };
    let _ = Verifier::new(anchor, host, None).verify_chain(&chain);

    let mut verifier = Verifier::new(anchor, host, Some(NOW));
    let mut certificate = CertificateRef::with_context(&[]);
    for cert in &chain {
        if certificate.entries.push(CertificateEntryRef::X509(cert)).is_err() {
            break;
        }
    }
    if verifier.verify_certificate(&Sha256::new(), certificate).is_ok() {
        let _ = verifier.verify_signature(CertificateVerifyRef { signature_scheme: scheme, signature });
    }
    let _ = verifier.finish();
});
