//! One test per line of the policy table at the top of `src/pki/mod.rs`. Where a line
//! differs from rustls-webpki, the test shows webpki's answer next to ours.

mod pki_certs;

use embedded_tls::{CertificateEntryRef, CertificateRef, CertificateVerifyRef, SignatureScheme, TlsVerifier};
use pki_certs::*;
use rcgen::{KeyPair, SigningKey};
use sha2::{Digest, Sha256};
use tencentcloud_transport_embassy::CertError;
use tencentcloud_transport_embassy::pki::{MAX_CHAIN, TrustAnchor, Verifier};

const HOST: &str = "api.example.com";

/// A CA (or any certificate that signs): its spec, key and DER.
struct Node {
    spec: Spec,
    key: KeyPair,
    der: Vec<u8>,
}

fn root(spec: Spec) -> Node {
    let key = key();
    let der = spec.issue(&key, None);
    Node { spec, key, der }
}

fn issued(spec: Spec, by: &Node) -> Node {
    let key = key();
    let der = spec.issue(&key, Some((&by.spec.name(), &by.key)));
    Node { spec, key, der }
}

fn leaf(by: &Node, tweak: impl FnOnce(&mut Spec)) -> Vec<u8> {
    let mut spec = Spec::leaf(&[HOST]);
    tweak(&mut spec);
    issued(spec, by).der
}

fn ca(tweak: impl FnOnce(&mut Spec)) -> Spec {
    let mut spec = Spec::ca("Root CA");
    tweak(&mut spec);
    spec
}

fn both(anchor: &Node, chain: &[Vec<u8>]) -> (Result<(), CertError>, bool) {
    (ours(&anchor.der, HOST, chain), webpki(&anchor.der, HOST, chain).is_ok())
}

#[test]
fn line_01_one_parser_for_every_certificate() {
    let r = root(Spec::ca("Root CA"));
    // Serial numbers: 20 octets accepted, 21 or zero refused (webpki is lenient on both).
    assert_eq!(both(&r, &[leaf(&r, |s| s.serial = Some(vec![0x7f; 20]))]), (Ok(()), true));
    assert_eq!(both(&r, &[leaf(&r, |s| s.serial = Some(vec![0x7f; 21]))]), (Err(CertError::Malformed), true));
    assert_eq!(both(&r, &[leaf(&r, |s| s.serial = Some(vec![0]))]), (Err(CertError::Malformed), true));
    // The same rules for the anchor.
    let zero = root(ca(|s| s.serial = Some(vec![0])));
    assert_eq!(TrustAnchor::from_der(&zero.der), Err(CertError::InvalidTrustAnchor));
    let long = root(ca(|s| s.serial = Some(vec![0x11; 21])));
    assert_eq!(TrustAnchor::from_der(&long.der), Err(CertError::InvalidTrustAnchor));
    // The signed algorithm must be the outer one (both refuse).
    let good = leaf(&r, |_| {});
    let ecdsa_sha256 = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
    let at = good.windows(ecdsa_sha256.len()).position(|w| w == ecdsa_sha256).unwrap();
    let mut swapped = good.clone();
    swapped[at + ecdsa_sha256.len() - 1] = 0x03;
    assert_eq!(both(&r, &[swapped]), (Err(CertError::Malformed), false));
}

#[test]
fn line_02_extensions() {
    let r = root(Spec::ca("Root CA"));
    // Unknown critical extension: both refuse.
    assert_eq!(
        both(&r, &[leaf(&r, |s| s.unknown_critical = true)]),
        (Err(CertError::UnsupportedCriticalExtension), false)
    );
    // Critical key identifiers: malformed here; webpki refuses a critical AKI as unknown.
    assert_eq!(both(&r, &[leaf(&r, |s| s.aki = Some(true))]), (Err(CertError::Malformed), false));
    let crit_ski = root(ca(|s| s.ski = Some(true)));
    assert_eq!(TrustAnchor::from_der(&crit_ski.der), Err(CertError::InvalidTrustAnchor));
    // policyConstraints, even non-critical (webpki ignores it).
    let int = issued(ca(|s| (s.cn, s.policy_constraints) = (Some("Int".into()), Some(false))), &r);
    let l = leaf(&int, |_| {});
    assert_eq!(both(&r, &[l, int.der.clone()]), (Err(CertError::UnsupportedCriticalExtension), true));
    // An empty extKeyUsage (both refuse).
    assert_eq!(both(&r, &[leaf(&r, |s| s.eku = Some(vec![]))]), (Err(CertError::Malformed), false));
}

#[test]
fn line_03_name_constraints_refused_everywhere() {
    let permits = |critical| Some((vec![Subtree::Dns("example.com".into())], vec![], critical));
    for critical in [true, false] {
        // On the anchor: webpki applies them (the host is permitted), this verifier refuses.
        let r = root(ca(|s| s.nc = permits(critical)));
        assert_eq!(both(&r, &[leaf(&r, |_| {})]), (Err(CertError::UnsupportedCriticalExtension), true));
        // On an intermediate.
        let r = root(Spec::ca("Root CA"));
        let int = issued(ca(|s| (s.cn, s.nc) = (Some("Int".into()), permits(critical))), &r);
        let l = leaf(&int, |_| {});
        assert_eq!(both(&r, &[l, int.der.clone()]), (Err(CertError::UnsupportedCriticalExtension), true));
        // On the leaf.
        assert_eq!(both(&r, &[leaf(&r, |s| s.nc = permits(critical))]).0, Err(CertError::UnsupportedCriticalExtension));
    }
    // A host outside the constraint: both refuse.
    let r = root(ca(|s| s.nc = Some((vec![Subtree::Dns("example.org".into())], vec![], true))));
    assert_eq!(both(&r, &[leaf(&r, |_| {})]), (Err(CertError::UnsupportedCriticalExtension), false));
}

#[test]
fn line_04_empty_subject_needs_critical_san() {
    let r = root(Spec::ca("Root CA"));
    let critical = leaf(&r, |s| (s.cn, s.san.as_mut().unwrap().1) = (None, true));
    assert_eq!(both(&r, &[critical]), (Ok(()), true));
    let not_critical = leaf(&r, |s| s.cn = None);
    assert_eq!(both(&r, &[not_critical]), (Err(CertError::Malformed), true));
    let no_san = leaf(&r, |s| (s.cn, s.san) = (None, None));
    assert_eq!(both(&r, &[no_san]), (Err(CertError::Malformed), false));
    // The same rule for the anchor. With a critical subjectAltName its subject may be
    // empty, but not its issuer name (RFC 5280 4.1.2.4), so a CA with an empty name can
    // neither be self-signed nor issue anything (webpki takes it as an anchor).
    let nameless = root(ca(|s| s.cn = None));
    assert_eq!(TrustAnchor::from_der(&nameless.der), Err(CertError::InvalidTrustAnchor));
    let nameless = root(ca(|s| (s.cn, s.san) = (None, Some((vec![San::Dns("ca.example.com".into())], true)))));
    assert_eq!(both(&nameless, &[leaf(&nameless, |_| {})]), (Err(CertError::InvalidTrustAnchor), true));
}

#[test]
fn line_05_leaf() {
    let r = root(Spec::ca("Root CA"));
    let ca_leaf = leaf(&r, |s| s.bc = Some(Bc { ca: true, path_len: None, critical: true }));
    assert_eq!(both(&r, &[ca_leaf]), (Err(CertError::CaUsedAsLeaf), false));
    // keyUsage: digitalSignature needed (webpki does not read a leaf's keyUsage).
    let cert_sign_only = leaf(&r, |s| s.ku = Some((KEY_CERT_SIGN, true)));
    assert_eq!(both(&r, &[cert_sign_only]), (Err(CertError::NotServerAuth), true));
    let rsa_style = leaf(&r, |s| s.ku = Some((KEY_ENCIPHERMENT, true)));
    assert_eq!(both(&r, &[rsa_style]), (Err(CertError::NotServerAuth), true));
    let both_bits = leaf(&r, |s| s.ku = Some((DIGITAL_SIGNATURE | KEY_ENCIPHERMENT, false)));
    assert_eq!(both(&r, &[both_bits]), (Ok(()), true));
    assert_eq!(both(&r, &[leaf(&r, |s| s.ku = None)]), (Ok(()), true));
    // extKeyUsage.
    assert_eq!(both(&r, &[leaf(&r, |s| s.eku = None)]), (Ok(()), true));
    let client = leaf(&r, |s| s.eku = Some(vec![Eku::ClientAuth]));
    assert_eq!(both(&r, &[client]), (Err(CertError::NotServerAuth), false));
    let any = leaf(&r, |s| s.eku = Some(vec![Eku::Any]));
    assert_eq!(both(&r, &[any]), (Err(CertError::NotServerAuth), false));
    let server_and_client = leaf(&r, |s| s.eku = Some(vec![Eku::ClientAuth, Eku::ServerAuth]));
    assert_eq!(both(&r, &[server_and_client]), (Ok(()), true));
}

#[test]
fn line_06_host_names() {
    let r = root(Spec::ca("Root CA"));
    let l = issued(Spec::leaf(&["*.example.com", "10.1.2.3", "2001:db8::1", "exact.example.org"]), &r).der;
    let cases = [
        ("api.example.com", true),
        ("API.Example.COM", true),
        ("a.api.example.com", false),
        ("example.com", false),
        ("exact.example.org", true),
        ("other.example.org", false),
        ("10.1.2.3", true),
        ("10.1.2.4", false),
        ("2001:db8::1", true),
        ("2001:db8:0:0:0:0:0:1", true),
        ("2001:db8::2", false),
    ];
    for (host, ok) in cases {
        let ours = ours(&r.der, host, std::slice::from_ref(&l));
        assert_eq!(ours.is_ok(), ok, "{host}: {ours:?}");
        assert_eq!(webpki(&r.der, host, std::slice::from_ref(&l)).is_ok(), ok, "webpki, {host}");
    }
    // Bracketed IPv6 literal.
    assert_eq!(ours(&r.der, "[2001:db8::1]", std::slice::from_ref(&l)), Ok(()));
    // The subject CN is never used (nor by webpki).
    let cn_only = leaf(&r, |s| (s.cn, s.san) = (Some(HOST.into()), Some((vec![San::Email("a@b.c".into())], false))));
    assert_eq!(both(&r, &[cn_only]), (Err(CertError::HostnameMismatch), false));
    // Wildcards: over two labels at least, whole label only.
    for pattern in ["*.com", "a*.example.com", "*.*.example.com"] {
        let l = issued(Spec::leaf(&[pattern]), &r).der;
        let host = if pattern == "*.com" { "example.com" } else { "api.b.example.com" };
        assert_eq!(ours(&r.der, host, &[l]), Err(CertError::HostnameMismatch), "{pattern}");
    }
}

#[test]
fn line_07_issuers() {
    let r = root(Spec::ca("Root CA"));
    let check = |tweak: fn(&mut Spec), want: CertError, webpki_ok: bool| {
        let int = issued(ca(|s| (s.cn = Some("Int".into()), tweak(s)).1), &r);
        let l = leaf(&int, |_| {});
        assert_eq!(both(&r, &[l, int.der.clone()]), (Err(want), webpki_ok), "intermediate");
        // The same rule for the anchor when it signs.
        let a = root(ca(tweak));
        assert_eq!(both(&a, &[leaf(&a, |_| {})]).0, Err(want), "anchor");
    };
    check(|s| s.bc = Some(Bc { ca: true, path_len: None, critical: false }), CertError::NotCa, true);
    check(|s| s.bc = Some(Bc { ca: false, path_len: None, critical: true }), CertError::NotCa, false);
    check(|s| s.bc = None, CertError::NotCa, false);
    check(|s| s.ku = Some((CRL_SIGN | DIGITAL_SIGNATURE, true)), CertError::NotCertSigner, true);
    check(|s| s.eku = Some(vec![Eku::ClientAuth]), CertError::NotServerAuth, false);
    check(|s| s.ski = None, CertError::Malformed, true);
    check(|s| s.unknown_critical = true, CertError::UnsupportedCriticalExtension, false);
    // Without keyUsage, or with serverAuth in extKeyUsage, a CA may sign.
    let int = issued(ca(|s| (s.cn, s.ku, s.eku) = (Some("Int".into()), None, Some(vec![Eku::ServerAuth]))), &r);
    assert_eq!(both(&r, &[leaf(&int, |_| {}), int.der]), (Ok(()), true));
}

#[test]
fn line_08_path_len() {
    let r = root(Spec::ca("Root CA"));
    let zero =
        |cn: &str| ca(|s| (s.cn, s.bc) = (Some(cn.into()), Some(Bc { ca: true, path_len: Some(0), critical: true })));
    // pathLen 0, then a self-issued intermediate (same name, new key): not counted (RFC 5280),
    // webpki counts it.
    let a = issued(zero("A"), &r);
    let a2 = issued(Spec::ca("A"), &a);
    let chain = [leaf(&a2, |_| {}), a2.der.clone(), a.der.clone()];
    assert_eq!(both(&r, &chain), (Ok(()), false));
    // (webpki accepts the same chain when A has no pathLenConstraint.)
    let free = issued(Spec::ca("A"), &r);
    let a2 = issued(Spec::ca("A"), &free);
    assert_eq!(both(&r, &[leaf(&a2, |_| {}), a2.der.clone(), free.der.clone()]), (Ok(()), true));
    // A non-self-issued one is counted (both refuse).
    let b = issued(Spec::ca("B"), &a);
    let chain = [leaf(&b, |_| {}), b.der.clone(), a.der.clone()];
    assert_eq!(both(&r, &chain), (Err(CertError::PathTooLong), false));
    // The anchor's pathLen applies too (webpki ignores it).
    let tight = root(ca(|s| s.bc = Some(Bc { ca: true, path_len: Some(0), critical: true })));
    let int = issued(Spec::ca("Int"), &tight);
    assert_eq!(both(&tight, &[leaf(&int, |_| {}), int.der.clone()]), (Err(CertError::PathTooLong), true));
    assert_eq!(both(&tight, &[leaf(&tight, |_| {})]), (Ok(()), true));
}

#[test]
fn line_09_anchor_validity() {
    let expired = root(ca(|s| s.years = (2015, 2024)));
    assert_eq!(both(&expired, &[leaf(&expired, |_| {})]), (Err(CertError::Expired), true));
    let future = root(ca(|s| s.years = (2026, 2040)));
    assert_eq!(both(&future, &[leaf(&future, |_| {})]), (Err(CertError::NotYetValid), true));
}

#[test]
fn line_10_validity_of_every_certificate() {
    let r = root(Spec::ca("Root CA"));
    let old = issued(ca(|s| (s.cn, s.years) = (Some("Int".into()), (2015, 2024))), &r);
    assert_eq!(both(&r, &[leaf(&old, |_| {}), old.der.clone()]), (Err(CertError::Expired), false));
    let l = leaf(&r, |s| s.years = (2024, 2027));
    assert_eq!(both(&r, std::slice::from_ref(&l)), (Ok(()), true));
    // Bounds included: 2027-01-01T00:00:00Z is the leaf's notAfter.
    let at = |now| Verifier::new(TrustAnchor::from_der(&r.der).unwrap(), HOST, Some(now)).verify_chain(&[&l]);
    assert_eq!(at(1_798_761_600), Ok(()));
    assert_eq!(at(1_798_761_601), Err(CertError::Expired));
    assert_eq!(at(1_704_067_200), Ok(()));
    assert_eq!(at(1_704_067_199), Err(CertError::NotYetValid));
}

#[test]
fn line_11_chain_order() {
    let r = root(Spec::ca("Root CA"));
    let a = issued(Spec::ca("A"), &r);
    let b = issued(Spec::ca("B"), &a);
    let l = leaf(&b, |_| {});
    assert_eq!(both(&r, &[l.clone(), b.der.clone(), a.der.clone()]), (Ok(()), true));
    // The anchor sent too, or an unrelated certificate after the path.
    assert_eq!(both(&r, &[l.clone(), b.der.clone(), a.der.clone(), r.der.clone()]), (Ok(()), true));
    // Out of order: refused here, webpki builds the path itself.
    assert_eq!(both(&r, &[l.clone(), a.der.clone(), b.der.clone()]), (Err(CertError::UnknownIssuer), true));
    // Missing link.
    assert_eq!(both(&r, &[l.clone(), a.der.clone()]), (Err(CertError::UnknownIssuer), false));
    // Too many.
    let mut long = vec![l, b.der.clone(), a.der.clone()];
    long.resize(MAX_CHAIN + 1, r.der.clone());
    assert_eq!(ours(&r.der, HOST, &long), Err(CertError::ChainTooLong));
}

#[test]
fn line_12_ca_key_rollover() {
    // The old root (the device's anchor) and a self-issued certificate for the new key.
    let old = root(Spec::ca("Root CA"));
    let new_with_old = issued(Spec::ca("Root CA"), &old);
    let l = leaf(&new_with_old, |_| {});
    assert_eq!(both(&old, &[l.clone(), new_with_old.der.clone()]), (Ok(()), true));
    // Without it, the anchor's key does not verify the leaf.
    assert_eq!(both(&old, std::slice::from_ref(&l)), (Err(CertError::BadSignature), false));
    // The other way: a device that already trusts the new root, a server on the old key.
    let new = root(Spec::ca("Root CA"));
    let old_with_new = issued(Spec::ca("Root CA"), &new);
    let l = leaf(&old_with_new, |_| {});
    assert_eq!(both(&new, &[l, old_with_new.der]), (Ok(()), true));
}

#[test]
fn line_13_pinning() {
    // openssl's default self-signed certificate: CA:TRUE, used as the server's.
    let mut spec = Spec::leaf(&[HOST]);
    spec.bc = Some(Bc { ca: true, path_len: None, critical: true });
    let own = root(spec);
    assert_eq!(both(&own, std::slice::from_ref(&own.der)), (Ok(()), false));
    assert_eq!(webpki(&own.der, HOST, std::slice::from_ref(&own.der)), Err(webpki::Error::CaUsedAsEndEntity));
    // The other leaf rules still apply.
    assert_eq!(ours(&own.der, "other.example.com", std::slice::from_ref(&own.der)), Err(CertError::HostnameMismatch));
    let mut spec = Spec::leaf(&[HOST]);
    spec.ku = Some((KEY_CERT_SIGN, true));
    let no_ds = root(spec);
    assert_eq!(ours(&no_ds.der, HOST, std::slice::from_ref(&no_ds.der)), Err(CertError::NotServerAuth));
    let mut spec = Spec::leaf(&[HOST]);
    spec.years = (2015, 2024);
    let expired = root(spec);
    assert_eq!(both(&expired, std::slice::from_ref(&expired.der)), (Err(CertError::Expired), false));
}

/// The TLS 1.3 CertificateVerify signed content (RFC 8446 4.4.3).
fn signed_content(transcript: &Sha256) -> Vec<u8> {
    [&[0x20u8; 64][..], b"TLS 1.3, server CertificateVerify\x00", &transcript.clone().finalize()].concat()
}

#[test]
fn line_14_handshake_signature() {
    let r = root(Spec::ca("Root CA"));
    let key = key();
    let l = Spec::leaf(&[HOST]).issue(&key, Some((&r.spec.name(), &r.key)));
    let mut transcript = Sha256::new();
    transcript.update(b"ClientHello..Certificate");
    let run = |scheme, signature: &[u8], send_verify: bool| {
        let mut v = Verifier::new(TrustAnchor::from_der(&r.der).unwrap(), HOST, Some(NOW));
        let mut cert = CertificateRef::with_context(&[]);
        cert.entries.push(CertificateEntryRef::X509(&l)).unwrap();
        TlsVerifier::verify_certificate(&mut v, &transcript, cert).unwrap();
        if send_verify {
            let verify = CertificateVerifyRef { signature_scheme: scheme, signature };
            let _ = TlsVerifier::verify_signature(&mut v, verify);
        }
        v.finish().map(|_| ()).map_err(|e| v.failure().unwrap_or(e))
    };
    let good = key.sign(&signed_content(&transcript)).unwrap();
    assert_eq!(run(SignatureScheme::EcdsaSecp256r1Sha256, &good, true), Ok(()));
    // Another key, another transcript, a scheme of another key type, no signature at all.
    let other = self::key().sign(&signed_content(&transcript)).unwrap();
    assert_eq!(run(SignatureScheme::EcdsaSecp256r1Sha256, &other, true), Err(CertError::BadHandshakeSignature));
    let mut later = transcript.clone();
    later.update(b"more");
    let stale = key.sign(&signed_content(&later)).unwrap();
    assert_eq!(run(SignatureScheme::EcdsaSecp256r1Sha256, &stale, true), Err(CertError::BadHandshakeSignature));
    assert_eq!(run(SignatureScheme::RsaPssRsaeSha256, &good, true), Err(CertError::UnsupportedAlgorithm));
    assert_eq!(run(SignatureScheme::EcdsaSecp256r1Sha256, &good, false), Err(CertError::MissingHandshakeSignature));
}

#[test]
fn line_21_revocation_and_policies_not_checked() {
    // Non-critical certificatePolicies and cRLDistributionPoints are ignored; a critical
    // certificatePolicies is an unknown critical extension (both refuse it).
    let r = root(Spec::ca("Root CA"));
    let with = |critical: bool| {
        let key = key();
        let mut params = rcgen::CertificateParams::new(vec![HOST.to_string()]).unwrap();
        params.not_before = rcgen::date_time_ymd(2024, 1, 1);
        params.not_after = rcgen::date_time_ymd(2027, 1, 1);
        // certificatePolicies { anyPolicy }
        let mut policies = rcgen::CustomExtension::from_oid_content(
            &[2, 5, 29, 32],
            tlv(0x30, &tlv(0x30, &[0x06, 0x04, 0x55, 0x1d, 0x20, 0x00])),
        );
        policies.set_criticality(critical);
        params.custom_extensions = vec![policies];
        params.use_authority_key_identifier_extension = true;
        params.crl_distribution_points =
            vec![rcgen::CrlDistributionPoint { uris: vec!["http://crl.example.com/root.crl".into()] }];
        let mut ip = rcgen::CertificateParams::default();
        ip.distinguished_name = r.spec.name();
        params.signed_by(&key, &rcgen::Issuer::new(ip, &r.key)).unwrap().der().to_vec()
    };
    assert_eq!(both(&r, &[with(false)]), (Ok(()), true));
    assert_eq!(both(&r, &[with(true)]), (Err(CertError::UnsupportedCriticalExtension), false));
}

#[test]
fn line_15_authority_key_identifier() {
    let r = root(Spec::ca("Root CA"));
    // The leaf: none, or one without a keyIdentifier (webpki reads neither).
    assert_eq!(both(&r, &[leaf(&r, |s| s.aki = None)]), (Err(CertError::Malformed), true));
    assert_eq!(both(&r, &[leaf(&r, |s| s.aki_form = Aki::IssuerSerialOnly)]), (Err(CertError::Malformed), true));
    // A keyIdentifier with authorityCertIssuer and authorityCertSerialNumber is fine.
    assert_eq!(both(&r, &[leaf(&r, |s| s.aki_form = Aki::WithIssuerSerial)]), (Ok(()), true));
    // But not one of the two without the other, in any certificate.
    assert_eq!(both(&r, &[leaf(&r, |s| s.aki_form = Aki::IssuerWithoutSerial)]), (Err(CertError::Malformed), true));
    let odd = root(ca(|s| s.aki_form = Aki::IssuerWithoutSerial));
    assert_eq!(TrustAnchor::from_der(&odd.der), Err(CertError::InvalidTrustAnchor));
    // An intermediate, self-issued ones included.
    for cn in ["Int", "Root CA"] {
        let int = issued(ca(|s| (s.cn, s.aki) = (Some(cn.into()), None)), &r);
        assert_eq!(both(&r, &[leaf(&int, |_| {}), int.der.clone()]), (Err(CertError::Malformed), true), "{cn}");
        // The same intermediate as the trust anchor needs none.
        assert_eq!(both(&int, &[leaf(&int, |_| {})]), (Ok(()), true), "{cn} as the anchor");
    }
    // A root needs none, nor a pinned self-signed leaf.
    let bare = root(ca(|s| s.aki = None));
    assert_eq!(both(&bare, &[leaf(&bare, |_| {})]), (Ok(()), true));
    let mut spec = Spec::leaf(&[HOST]);
    spec.aki = None;
    let own = root(spec);
    assert_eq!(ours(&own.der, HOST, std::slice::from_ref(&own.der)), Ok(()));
}

#[test]
fn line_16_root_authority_key_identifier() {
    // None, or a keyIdentifier equal to the subjectKeyIdentifier: fine.
    for aki in [None, Some(false)] {
        let r = root(ca(|s| s.aki = aki));
        assert_eq!(both(&r, &[leaf(&r, |_| {})]), (Ok(()), true), "{aki:?}");
    }
    // Another keyIdentifier, authorityCertIssuer and serial number with or without one.
    for form in [Aki::OtherKeyId, Aki::WithIssuerSerial, Aki::IssuerSerialOnly] {
        let r = root(ca(|s| s.aki_form = form));
        assert_eq!(both(&r, &[leaf(&r, |_| {})]), (Err(CertError::InvalidTrustAnchor), true), "{form:?}");
        // Through an intermediate too.
        let int = issued(Spec::ca("Int"), &r);
        assert_eq!(both(&r, &[leaf(&int, |_| {}), int.der.clone()]).0, Err(CertError::InvalidTrustAnchor));
        // Only when it signs: a pinned leaf is not a root.
        assert!(TrustAnchor::from_der(&r.der).is_ok());
    }
    // An intermediate as the anchor is not a root: its keyIdentifiers differ.
    let r = root(Spec::ca("Root CA"));
    let int = issued(Spec::ca("Int"), &r);
    assert_eq!(both(&int, &[leaf(&int, |_| {})]), (Ok(()), true));
}

/// Real roots pass lines 16 and 17: DigiCert Global Root CA (its authorityKeyIdentifier
/// equal to its subjectKeyIdentifier) and Global Root G2 (none), the root of Tencent Cloud's
/// endpoints. A leaf naming one as its issuer, signed by another key, fails on its signature
/// only.
#[test]
fn real_roots_pass_the_root_profile() {
    use rcgen::{DnType, DnValue};
    for (der, cn) in [
        (&include_bytes!("data/digicert-global-root-ca.der")[..], "DigiCert Global Root CA"),
        (&include_bytes!("data/digicert-global-root-g2.der")[..], "DigiCert Global Root G2"),
    ] {
        let mut name = rcgen::DistinguishedName::new();
        for (ty, value) in [
            (DnType::CountryName, "US"),
            (DnType::OrganizationName, "DigiCert Inc"),
            (DnType::OrganizationalUnitName, "www.digicert.com"),
            (DnType::CommonName, cn),
        ] {
            name.push(ty, DnValue::PrintableString(value.try_into().unwrap()));
        }
        let rsa = KeyPair::from_pkcs8_pem_and_sign_algo(include_str!("data/rsa-ca.pk8.pem"), &rcgen::PKCS_RSA_SHA256);
        let l = Spec::leaf(&[HOST]).issue(&key(), Some((&name, &rsa.unwrap())));
        assert_eq!(ours(der, HOST, &[l]), Err(CertError::BadSignature), "{cn}");
    }
}

/// A real intermediate under Global Root G2, as Tencent's DigiCert chains have it (`DigiCert
/// Secure Site OV G2 TLS CN RSA4096 SHA256 2022 CA1`: authorityKeyIdentifier, OCSP and
/// caIssuers authorityInfoAccess, extKeyUsage serverAuth and clientAuth, pathLen 0) passes
/// the issuer rules and lines 15 and 19: a leaf in its name, signed by another key, fails on
/// its signature only, with the root or the intermediate as the anchor.
#[test]
fn a_real_intermediate_passes_the_profile() {
    use rcgen::{DnType, DnValue};
    let root = include_bytes!("data/digicert-global-root-g2.der");
    let int = include_bytes!("data/digicert-secure-site-ov-g2-cn-rsa4096-2022-ca1.der").to_vec();
    let mut name = rcgen::DistinguishedName::new();
    for (ty, value) in [
        (DnType::CountryName, "US"),
        (DnType::OrganizationName, "DigiCert, Inc."),
        (DnType::CommonName, "DigiCert Secure Site OV G2 TLS CN RSA4096 SHA256 2022 CA1"),
    ] {
        name.push(ty, DnValue::PrintableString(value.try_into().unwrap()));
    }
    let rsa = KeyPair::from_pkcs8_pem_and_sign_algo(include_str!("data/rsa-ca.pk8.pem"), &rcgen::PKCS_RSA_SHA256);
    let l = Spec::leaf(&[HOST]).issue(&key(), Some((&name, &rsa.unwrap())));
    assert_eq!(ours(root, HOST, &[l.clone(), int.clone()]), Err(CertError::BadSignature));
    assert_eq!(ours(&int, HOST, &[l]), Err(CertError::BadSignature));
}

#[test]
fn line_17_no_ext_key_usage_in_a_root() {
    let r = root(ca(|s| s.eku = Some(vec![Eku::ServerAuth])));
    assert_eq!(both(&r, &[leaf(&r, |_| {})]), (Err(CertError::InvalidTrustAnchor), true));
    // Without serverAuth it was refused already (line 7).
    let r = root(ca(|s| s.eku = Some(vec![Eku::ClientAuth])));
    assert_eq!(both(&r, &[leaf(&r, |_| {})]).0, Err(CertError::NotServerAuth));
    // An intermediate may have one (with serverAuth), so may an intermediate as the anchor,
    // and a pinned self-signed leaf.
    let r = root(Spec::ca("Root CA"));
    let int = issued(ca(|s| (s.cn, s.eku) = (Some("Int".into()), Some(vec![Eku::ServerAuth]))), &r);
    assert_eq!(both(&r, &[leaf(&int, |_| {}), int.der.clone()]), (Ok(()), true));
    assert_eq!(both(&int, &[leaf(&int, |_| {})]), (Ok(()), true));
    let own = root(Spec::leaf(&[HOST]));
    assert_eq!(ours(&own.der, HOST, std::slice::from_ref(&own.der)), Ok(()));
}

#[test]
fn line_18_key_cert_sign_only_in_a_ca() {
    let r = root(Spec::ca("Root CA"));
    let signer = leaf(&r, |s| s.ku = Some((DIGITAL_SIGNATURE | KEY_CERT_SIGN, true)));
    assert_eq!(both(&r, &[signer]), (Err(CertError::Malformed), true));
    // cA = FALSE said explicitly changes nothing.
    let explicit = leaf(&r, |s| {
        s.ku = Some((DIGITAL_SIGNATURE | KEY_CERT_SIGN, true));
        s.bc = Some(Bc { ca: false, path_len: None, critical: true });
    });
    assert_eq!(both(&r, &[explicit]), (Err(CertError::Malformed), true));
    // A pinned self-signed CA certificate may assert it.
    let mut spec = Spec::leaf(&[HOST]);
    spec.bc = Some(Bc { ca: true, path_len: None, critical: true });
    spec.ku = Some((DIGITAL_SIGNATURE | KEY_CERT_SIGN, true));
    let own = root(spec);
    assert_eq!(ours(&own.der, HOST, std::slice::from_ref(&own.der)), Ok(()));
    // Not a CA, pinned: refused.
    let mut spec = Spec::leaf(&[HOST]);
    spec.ku = Some((DIGITAL_SIGNATURE | KEY_CERT_SIGN, true));
    let own = root(spec);
    assert_eq!(ours(&own.der, HOST, std::slice::from_ref(&own.der)), Err(CertError::Malformed));
}

#[test]
fn line_19_authority_info_access() {
    let r = root(Spec::ca("Root CA"));
    let with = |aia| ca(|s| (s.cn, s.aia) = (Some("Int".into()), Some(aia)));
    // Well-formed, on the leaf and an intermediate (as real chains have it).
    let int = issued(with((Aia::Good, false)), &r);
    let l = leaf(&int, |s| s.aia = Some((Aia::Good, false)));
    assert_eq!(both(&r, &[l, int.der.clone()]), (Ok(()), true));
    // Malformed: refused here, ignored by webpki.
    for aia in [Aia::Empty, Aia::NoLocation, Aia::BadLocation, Aia::NotSequence] {
        assert_eq!(both(&r, &[leaf(&r, |s| s.aia = Some((aia, false)))]), (Err(CertError::Malformed), true), "{aia:?}");
        let int = issued(with((aia, false)), &r);
        assert_eq!(both(&r, &[leaf(&int, |_| {}), int.der.clone()]), (Err(CertError::Malformed), true), "{aia:?}");
        let bad_root = root(ca(|s| s.aia = Some((aia, false))));
        assert_eq!(TrustAnchor::from_der(&bad_root.der), Err(CertError::InvalidTrustAnchor), "{aia:?}");
    }
    // Critical: refused by both (webpki as an unknown critical extension).
    assert_eq!(both(&r, &[leaf(&r, |s| s.aia = Some((Aia::Good, true)))]), (Err(CertError::Malformed), false));
}

#[test]
fn line_20_san_critical_only_with_an_empty_subject() {
    let r = root(Spec::ca("Root CA"));
    let critical = leaf(&r, |s| s.san.as_mut().unwrap().1 = true);
    assert_eq!(both(&r, &[critical]), (Err(CertError::Malformed), true));
    // With an empty subject it must be critical (line 4).
    let nameless = leaf(&r, |s| (s.cn, s.san.as_mut().unwrap().1) = (None, true));
    assert_eq!(both(&r, &[nameless]), (Ok(()), true));
    // The anchor too.
    let anchor = root(ca(|s| s.san = Some((vec![San::Dns("ca.example.com".into())], true))));
    assert_eq!(TrustAnchor::from_der(&anchor.der), Err(CertError::InvalidTrustAnchor));
}
