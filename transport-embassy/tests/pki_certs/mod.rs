//! Certificates with every extension under the test's control (rcgen signs; the extensions
//! are DER written here), and the two verifiers to compare: ours and rustls-webpki.
#![allow(dead_code, missing_docs)]

use std::net::IpAddr;
use std::time::Duration;

use rcgen::{CertificateParams, CustomExtension, DistinguishedName, DnType, Issuer, KeyPair, SerialNumber};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tencentcloud_transport_embassy::CertError;
use tencentcloud_transport_embassy::pki::{TrustAnchor, Verifier};

/// 2025-06-15, the time every check runs at.
pub const NOW: u64 = 1_750_000_000;

pub const DIGITAL_SIGNATURE: u16 = 1;
pub const KEY_ENCIPHERMENT: u16 = 1 << 2;
pub const KEY_CERT_SIGN: u16 = 1 << 5;
pub const CRL_SIGN: u16 = 1 << 6;

const SERVER_AUTH: &[u8] = &[0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
const CLIENT_AUTH: &[u8] = &[0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02];
const ANY_EKU: &[u8] = &[0x06, 0x04, 0x55, 0x1d, 0x25, 0x00];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eku {
    ServerAuth,
    ClientAuth,
    Any,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum San {
    Dns(String),
    Ip(IpAddr),
    Email(String),
}

/// A name-constraints subtree: a dNSName, or an IP network (address and prefix length).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subtree {
    Dns(String),
    Ip(IpAddr, u8),
}

/// The contents of an authorityKeyIdentifier (RFC 5280 4.2.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aki {
    /// keyIdentifier: the issuer's subjectKeyIdentifier.
    KeyId,
    /// keyIdentifier: another one.
    OtherKeyId,
    /// keyIdentifier, authorityCertIssuer and authorityCertSerialNumber.
    WithIssuerSerial,
    /// authorityCertIssuer and authorityCertSerialNumber only.
    IssuerSerialOnly,
    /// keyIdentifier and authorityCertIssuer, without the serial number.
    IssuerWithoutSerial,
}

/// An authorityInfoAccess (RFC 5280 4.2.2.1): well-formed or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aia {
    /// OCSP and caIssuers URIs.
    Good,
    /// An empty list.
    Empty,
    /// An AccessDescription without its accessLocation.
    NoLocation,
    /// An accessLocation that is not a GeneralName ([9]).
    BadLocation,
    /// Not a SEQUENCE.
    NotSequence,
}

/// basicConstraints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bc {
    pub ca: bool,
    pub path_len: Option<u8>,
    pub critical: bool,
}

/// Everything about one certificate that a test varies.
#[derive(Clone, Debug)]
pub struct Spec {
    /// The subject CN; `None` is the empty name.
    pub cn: Option<String>,
    pub bc: Option<Bc>,
    /// keyUsage bits and criticality.
    pub ku: Option<(u16, bool)>,
    pub eku: Option<Vec<Eku>>,
    /// subjectAltName entries and criticality.
    pub san: Option<(Vec<San>, bool)>,
    /// nameConstraints: permitted, excluded, criticality.
    pub nc: Option<(Vec<Subtree>, Vec<Subtree>, bool)>,
    /// subjectKeyIdentifier / authorityKeyIdentifier, with their criticality.
    pub ski: Option<bool>,
    pub aki: Option<bool>,
    pub aki_form: Aki,
    /// authorityInfoAccess and its criticality.
    pub aia: Option<(Aia, bool)>,
    pub policy_constraints: Option<bool>,
    pub unknown_critical: bool,
    /// Validity in whole years (Jan 1st).
    pub years: (i32, i32),
    pub serial: Option<Vec<u8>>,
}

impl Spec {
    /// A well-formed CA certificate.
    pub fn ca(cn: &str) -> Self {
        Spec {
            cn: Some(cn.to_string()),
            bc: Some(Bc { ca: true, path_len: None, critical: true }),
            ku: Some((KEY_CERT_SIGN | CRL_SIGN, true)),
            eku: None,
            san: None,
            nc: None,
            ski: Some(false),
            aki: Some(false),
            aki_form: Aki::KeyId,
            aia: None,
            policy_constraints: None,
            unknown_critical: false,
            years: (2020, 2035),
            serial: None,
        }
    }

    /// A well-formed server certificate for `names` (DNS names or IP literals).
    pub fn leaf(names: &[&str]) -> Self {
        let san = names.iter().map(|n| n.parse().map(San::Ip).unwrap_or_else(|_| San::Dns(n.to_string()))).collect();
        Spec {
            cn: Some("server".to_string()),
            bc: None,
            ku: Some((DIGITAL_SIGNATURE, true)),
            eku: Some(vec![Eku::ServerAuth]),
            san: Some((san, false)),
            nc: None,
            ski: None,
            aki: Some(false),
            aki_form: Aki::KeyId,
            aia: None,
            policy_constraints: None,
            unknown_critical: false,
            years: (2024, 2027),
            serial: None,
        }
    }

    pub fn name(&self) -> DistinguishedName {
        let mut dn = DistinguishedName::new();
        if let Some(cn) = &self.cn {
            dn.push(DnType::CommonName, cn.as_str());
        }
        dn
    }

    /// Signs this certificate for `key`, by `issuer` (name and key) or by itself.
    pub fn issue(&self, key: &KeyPair, issuer: Option<(&DistinguishedName, &KeyPair)>) -> Vec<u8> {
        let mut p = CertificateParams::default();
        p.distinguished_name = self.name();
        p.not_before = rcgen::date_time_ymd(self.years.0, 1, 1);
        p.not_after = rcgen::date_time_ymd(self.years.1, 1, 1);
        p.serial_number = self.serial.clone().map(SerialNumber::from);
        p.custom_extensions = self.extensions(key, issuer.map_or(key, |(_, k)| k));
        match issuer {
            Some((name, issuer_key)) => {
                let mut ip = CertificateParams::default();
                ip.distinguished_name = name.clone();
                p.signed_by(key, &Issuer::new(ip, issuer_key)).unwrap().der().to_vec()
            }
            None => p.self_signed(key).unwrap().der().to_vec(),
        }
    }

    fn extensions(&self, key: &KeyPair, issuer_key: &KeyPair) -> Vec<CustomExtension> {
        let mut out = Vec::new();
        let mut ext = |oid: &[u64], content: Vec<u8>, critical: bool| {
            let mut e = CustomExtension::from_oid_content(oid, content);
            e.set_criticality(critical);
            out.push(e);
        };
        if let Some(bc) = self.bc {
            let mut body = Vec::new();
            if bc.ca {
                body.extend(tlv(0x01, &[0xff]));
            }
            if let Some(n) = bc.path_len {
                body.extend(integer(&[n]));
            }
            ext(&[2, 5, 29, 19], tlv(0x30, &body), bc.critical);
        }
        if let Some((bits, critical)) = self.ku {
            ext(&[2, 5, 29, 15], key_usage(bits), critical);
        }
        if let Some(ekus) = &self.eku {
            let body: Vec<u8> = ekus
                .iter()
                .flat_map(|e| match e {
                    Eku::ServerAuth => SERVER_AUTH,
                    Eku::ClientAuth => CLIENT_AUTH,
                    Eku::Any => ANY_EKU,
                })
                .copied()
                .collect();
            ext(&[2, 5, 29, 37], tlv(0x30, &body), false);
        }
        if let Some((names, critical)) = &self.san {
            let body: Vec<u8> = names
                .iter()
                .flat_map(|n| match n {
                    San::Dns(d) => tlv(0x82, d.as_bytes()),
                    San::Ip(ip) => tlv(0x87, &ip_bytes(ip)),
                    San::Email(e) => tlv(0x81, e.as_bytes()),
                })
                .collect();
            ext(&[2, 5, 29, 17], tlv(0x30, &body), *critical);
        }
        if let Some((permitted, excluded, critical)) = &self.nc {
            let mut body = Vec::new();
            for (tag, trees) in [(0xa0, permitted), (0xa1, excluded)] {
                if !trees.is_empty() {
                    let subtrees: Vec<u8> = trees.iter().flat_map(subtree).collect();
                    body.extend(tlv(tag, &subtrees));
                }
            }
            ext(&[2, 5, 29, 30], tlv(0x30, &body), *critical);
        }
        if let Some(critical) = self.ski {
            ext(&[2, 5, 29, 14], tlv(0x04, &key_id(key)), critical);
        }
        if let Some(critical) = self.aki {
            let mut id = key_id(issuer_key);
            // authorityCertIssuer { directoryName "CN=Root CA" }, authorityCertSerialNumber 1.
            let name = tlv(
                0x30,
                &tlv(0x31, &tlv(0x30, &[&[0x06, 0x03, 0x55, 0x04, 0x03][..], &tlv(0x0c, b"Root CA")].concat())),
            );
            let issuer_serial = [tlv(0xa1, &tlv(0xa4, &name)), tlv(0x82, &[1])].concat();
            let body = match self.aki_form {
                Aki::KeyId => tlv(0x80, &id),
                Aki::OtherKeyId => {
                    id[0] ^= 1;
                    tlv(0x80, &id)
                }
                Aki::WithIssuerSerial => [tlv(0x80, &id), issuer_serial].concat(),
                Aki::IssuerSerialOnly => issuer_serial,
                Aki::IssuerWithoutSerial => [tlv(0x80, &id), tlv(0xa1, &tlv(0xa4, &name))].concat(),
            };
            ext(&[2, 5, 29, 35], tlv(0x30, &body), critical);
        }
        if let Some((aia, critical)) = self.aia {
            const OCSP: &[u8] = &[0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01];
            const CA_ISSUERS: &[u8] = &[0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02];
            let uri = |method: &[u8], uri: &[u8]| tlv(0x30, &[method, &tlv(0x86, uri)].concat());
            let body = match aia {
                Aia::Good => tlv(
                    0x30,
                    &[uri(OCSP, b"http://ocsp.example.com"), uri(CA_ISSUERS, b"http://ca.example.com/ca.crt")].concat(),
                ),
                Aia::Empty => tlv(0x30, &[]),
                Aia::NoLocation => tlv(0x30, &tlv(0x30, OCSP)),
                Aia::BadLocation => tlv(0x30, &tlv(0x30, &[OCSP, &tlv(0x89, b"http://ocsp.example.com")].concat())),
                Aia::NotSequence => tlv(0x04, b"http://ocsp.example.com"),
            };
            ext(&[1, 3, 6, 1, 5, 5, 7, 1, 1], body, critical);
        }
        if let Some(critical) = self.policy_constraints {
            ext(&[2, 5, 29, 36], tlv(0x30, &tlv(0x80, &[0])), critical);
        }
        if self.unknown_critical {
            ext(&[1, 3, 6, 1, 4, 1, 99999, 1], vec![0x05, 0x00], true);
        }
        out
    }
}

/// A DER element.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match content.len() {
        n if n < 0x80 => out.push(n as u8),
        n if n < 0x100 => out.extend([0x81, n as u8]),
        n => out.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend(content);
    out
}

fn integer(be: &[u8]) -> Vec<u8> {
    if be.first().is_some_and(|b| b & 0x80 != 0) { tlv(0x02, &[&[0], be].concat()) } else { tlv(0x02, be) }
}

/// A keyUsage BIT STRING in DER (trailing zero bits dropped).
fn key_usage(bits: u16) -> Vec<u8> {
    let mut bytes = Vec::new();
    for i in 0..2 {
        let byte = (0..8).filter(|b| bits & (1 << (i * 8 + b)) != 0).fold(0u8, |acc, b| acc | (0x80 >> b));
        bytes.push(byte);
    }
    while bytes.last() == Some(&0) {
        bytes.pop();
    }
    let unused = bytes.last().map_or(0, |b| b.trailing_zeros() as u8);
    tlv(0x03, &[&[unused], &bytes[..]].concat())
}

fn ip_bytes(ip: &IpAddr) -> Vec<u8> {
    match ip {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    }
}

fn subtree(tree: &Subtree) -> Vec<u8> {
    let base = match tree {
        Subtree::Dns(d) => tlv(0x82, d.as_bytes()),
        Subtree::Ip(ip, prefix) => {
            let addr = ip_bytes(ip);
            let mut mask = vec![0u8; addr.len()];
            for bit in 0..usize::from(*prefix) {
                mask[bit / 8] |= 0x80 >> (bit % 8);
            }
            let net: Vec<u8> = addr.iter().zip(&mask).map(|(a, m)| a & m).collect();
            tlv(0x87, &[net, mask].concat())
        }
    };
    tlv(0x30, &base)
}

fn key_id(key: &KeyPair) -> Vec<u8> {
    key.public_key_raw().iter().rev().take(20).copied().collect()
}

pub fn key() -> KeyPair {
    KeyPair::generate().unwrap()
}

/// Our verifier: the chain as sent, `anchor`, `host`, at [`NOW`].
pub fn ours(anchor: &[u8], host: &str, chain: &[Vec<u8>]) -> Result<(), CertError> {
    let anchor = TrustAnchor::from_der(anchor)?;
    let chain: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
    Verifier::new(anchor, host, Some(NOW)).verify_chain(&chain)
}

/// rustls-webpki with the same anchor, host and time (intermediates: everything after the
/// leaf, in any order, as webpki builds paths itself).
pub fn webpki(anchor: &[u8], host: &str, chain: &[Vec<u8>]) -> Result<(), webpki::Error> {
    let anchor_der = CertificateDer::from(anchor);
    let anchor = webpki::anchor_from_trusted_cert(&anchor_der)?;
    let leaf = CertificateDer::from(chain[0].as_slice());
    let ee = webpki::EndEntityCert::try_from(&leaf)?;
    let intermediates: Vec<CertificateDer<'_>> =
        chain[1..].iter().map(|c| CertificateDer::from(c.as_slice())).collect();
    ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &[anchor],
        &intermediates,
        UnixTime::since_unix_epoch(Duration::from_secs(NOW)),
        webpki::KeyUsage::server_auth(),
        None,
        None,
    )?;
    let name = ServerName::try_from(host).map_err(|_| webpki::Error::MalformedDnsIdentifier)?;
    ee.verify_is_valid_for_subject_name(&name)
}
