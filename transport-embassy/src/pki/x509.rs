//! The parts of an X.509 v3 certificate (RFC 5280) that path validation needs.

use super::der::{self, Malformed, Reader, Tlv};

// Object identifiers, as the contents of an OID element.
pub(crate) const ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
#[cfg(feature = "p384")]
pub(crate) const ECDSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
#[cfg(feature = "rsa")]
pub(crate) const RSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
#[cfg(feature = "rsa")]
pub(crate) const RSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c];
#[cfg(feature = "rsa")]
pub(crate) const RSA_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d];
const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];
const KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];
const EXT_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25];
const SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11];
pub(crate) const SERVER_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
pub(crate) const ANY_EXT_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25, 0x00];

/// keyUsage bit 5.
pub(crate) const KEY_CERT_SIGN: u16 = 1 << 5;

/// The kind of a subject public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    /// An uncompressed or compressed SEC1 point on P-256.
    P256,
    /// A SEC1 point on P-384.
    P384,
    /// A PKCS#1 `RSAPublicKey`.
    Rsa,
    /// Anything else.
    Other,
}

/// A subject public key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PublicKey<'a> {
    pub(crate) kind: KeyKind,
    pub(crate) bytes: &'a [u8],
}

/// A parsed certificate, borrowing from its DER.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cert<'a> {
    /// The signed part, `tbsCertificate`, as encoded.
    pub(crate) tbs: &'a [u8],
    /// The OID of the signature algorithm.
    pub(crate) sig_alg: &'a [u8],
    /// The signature bytes.
    pub(crate) signature: &'a [u8],
    /// The issuer name, as encoded.
    pub(crate) issuer: &'a [u8],
    /// The subject name, as encoded.
    pub(crate) subject: &'a [u8],
    pub(crate) not_before: u64,
    pub(crate) not_after: u64,
    pub(crate) key: PublicKey<'a>,
    /// basicConstraints: (cA, pathLenConstraint), if present.
    pub(crate) basic_constraints: Option<(bool, Option<u8>)>,
    /// keyUsage bits (bit n of the BIT STRING is `1 << n`), if present.
    pub(crate) key_usage: Option<u16>,
    /// extKeyUsage: the contents of the SEQUENCE OF OID, if present.
    pub(crate) ext_key_usage: Option<&'a [u8]>,
    /// subjectAltName: the contents of GeneralNames, if present.
    pub(crate) subject_alt_name: Option<&'a [u8]>,
    /// A critical extension this parser does not process.
    pub(crate) unknown_critical: bool,
}

impl<'a> Cert<'a> {
    /// Parses a DER certificate.
    pub(crate) fn parse(der: &'a [u8]) -> Result<Self, Malformed> {
        let mut outer = Reader::new(der);
        let cert = outer.expect(der::SEQUENCE)?;
        outer.finish()?;
        let mut parts = Reader::new(cert.value);
        let tbs = parts.expect(der::SEQUENCE)?;
        let sig_alg = algorithm(&parts.expect(der::SEQUENCE)?)?;
        let signature = der::bit_string_bytes(parts.expect(der::BIT_STRING)?.value)?;
        parts.finish()?;

        let mut t = Reader::new(tbs.value);
        let version = match t.optional(0xa0)? {
            Some(v) => Reader::new(v.value).expect(der::INTEGER)?.value,
            None => &[0][..],
        };
        t.expect(der::INTEGER)?; // serial number
        let inner_alg = algorithm(&t.expect(der::SEQUENCE)?)?;
        if inner_alg != sig_alg {
            return Err(Malformed);
        }
        let issuer = t.expect(der::SEQUENCE)?.raw;
        let mut validity = Reader::new(t.expect(der::SEQUENCE)?.value);
        let not_before = der::time(&validity.read()?)?;
        let not_after = der::time(&validity.read()?)?;
        validity.finish()?;
        let subject = t.expect(der::SEQUENCE)?.raw;
        let key = public_key(&t.expect(der::SEQUENCE)?)?;
        t.optional(0x81)?; // issuerUniqueID
        t.optional(0x82)?; // subjectUniqueID
        let mut cert = Cert {
            tbs: tbs.raw,
            sig_alg,
            signature,
            issuer,
            subject,
            not_before,
            not_after,
            key,
            basic_constraints: None,
            key_usage: None,
            ext_key_usage: None,
            subject_alt_name: None,
            unknown_critical: false,
        };
        if let Some(exts) = t.optional(0xa3)? {
            if version != [2] {
                return Err(Malformed);
            }
            let mut seq = Reader::new(exts.value);
            let mut list = Reader::new(seq.expect(der::SEQUENCE)?.value);
            seq.finish()?;
            while !list.is_empty() {
                cert.extension(&list.expect(der::SEQUENCE)?)?;
            }
        }
        t.finish()?;
        Ok(cert)
    }

    fn extension(&mut self, ext: &Tlv<'a>) -> Result<(), Malformed> {
        let mut r = Reader::new(ext.value);
        let id = r.expect(der::OID)?.value;
        let critical = match r.optional(der::BOOLEAN)? {
            Some(b) => der::boolean(b.value)?,
            None => false,
        };
        let value = r.expect(der::OCTET_STRING)?.value;
        r.finish()?;
        let mut v = Reader::new(value);
        match id {
            BASIC_CONSTRAINTS => {
                let mut bc = Reader::new(v.expect(der::SEQUENCE)?.value);
                let ca = match bc.optional(der::BOOLEAN)? {
                    Some(b) => der::boolean(b.value)?,
                    None => false,
                };
                let path_len = match bc.optional(der::INTEGER)? {
                    Some(n) => Some(small_uint(n.value)?),
                    None => None,
                };
                bc.finish()?;
                dup(&mut self.basic_constraints, (ca, path_len))?;
            }
            KEY_USAGE => {
                let bits = v.expect(der::BIT_STRING)?.value;
                let (_unused, bytes) = bits.split_first().ok_or(Malformed)?;
                let mut usage = 0u16;
                for (i, byte) in bytes.iter().take(2).enumerate() {
                    for bit in 0..8 {
                        if byte & (0x80 >> bit) != 0 {
                            usage |= 1 << (i * 8 + bit);
                        }
                    }
                }
                dup(&mut self.key_usage, usage)?;
            }
            EXT_KEY_USAGE => dup(&mut self.ext_key_usage, v.expect(der::SEQUENCE)?.value)?,
            SUBJECT_ALT_NAME => dup(&mut self.subject_alt_name, v.expect(der::SEQUENCE)?.value)?,
            _ => {
                self.unknown_critical |= critical;
                return Ok(());
            }
        }
        v.finish()
    }

    /// Whether the extended key usage, if present, allows TLS server authentication.
    pub(crate) fn allows_server_auth(&self) -> Result<bool, Malformed> {
        let Some(list) = self.ext_key_usage else { return Ok(true) };
        let mut r = Reader::new(list);
        while !r.is_empty() {
            let oid = r.expect(der::OID)?.value;
            if oid == SERVER_AUTH || oid == ANY_EXT_KEY_USAGE {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// An extension may appear only once.
fn dup<T>(slot: &mut Option<T>, value: T) -> Result<(), Malformed> {
    if slot.is_some() {
        return Err(Malformed);
    }
    *slot = Some(value);
    Ok(())
}

fn small_uint(value: &[u8]) -> Result<u8, Malformed> {
    match value {
        [n] if *n < 0x80 => Ok(*n),
        [0, n] if *n >= 0x80 => Ok(*n),
        _ => Err(Malformed),
    }
}

/// The OID of an AlgorithmIdentifier (its parameters are implied by the OIDs used here).
fn algorithm<'a>(seq: &Tlv<'a>) -> Result<&'a [u8], Malformed> {
    Ok(Reader::new(seq.value).expect(der::OID)?.value)
}

fn public_key<'a>(spki: &Tlv<'a>) -> Result<PublicKey<'a>, Malformed> {
    let mut r = Reader::new(spki.value);
    let mut alg = Reader::new(r.expect(der::SEQUENCE)?.value);
    let bytes = der::bit_string_bytes(r.expect(der::BIT_STRING)?.value)?;
    r.finish()?;
    let kind = match alg.expect(der::OID)?.value {
        EC_PUBLIC_KEY => match alg.optional(der::OID)?.map(|c| c.value) {
            Some(P256) => KeyKind::P256,
            Some(P384) => KeyKind::P384,
            _ => KeyKind::Other,
        },
        RSA_ENCRYPTION => KeyKind::Rsa,
        _ => KeyKind::Other,
    };
    Ok(PublicKey { kind, bytes })
}

/// The dNSName and iPAddress entries of a GeneralNames value.
pub(crate) fn names(general_names: &[u8]) -> impl Iterator<Item = Result<Name<'_>, Malformed>> {
    let mut r = Reader::new(general_names);
    core::iter::from_fn(move || {
        if r.is_empty() {
            return None;
        }
        Some(r.read().map(|tlv| match tlv.tag {
            0x82 => Name::Dns(tlv.value),
            0x87 => Name::Ip(tlv.value),
            _ => Name::Other,
        }))
    })
}

/// One subjectAltName entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Name<'a> {
    /// dNSName.
    Dns(&'a [u8]),
    /// iPAddress (4 or 16 bytes).
    Ip(&'a [u8]),
    /// Another kind of name.
    Other,
}
