//! The parts of an X.509 v3 certificate (RFC 5280) that path validation needs, read with
//! the rules every certificate must meet (the trust anchor included): anything else is
//! [`Malformed`].

use super::der::{self, Malformed, Reader, Tlv};

// AlgorithmIdentifiers, whole (tag, length, OID and parameters): only these exact
// encodings are accepted (RFC 5758: ECDSA without parameters; RFC 4055: RSA with NULL).
const ECDSA_SHA256: &[u8] = &[0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
#[cfg(feature = "p384")]
const ECDSA_SHA384: &[u8] = &[0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
#[cfg(feature = "rsa")]
const RSA_SHA256: &[u8] = &[0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00];
#[cfg(feature = "rsa")]
const RSA_SHA384: &[u8] = &[0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c, 0x05, 0x00];
#[cfg(feature = "rsa")]
const RSA_SHA512: &[u8] = &[0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d, 0x05, 0x00];
const EC_P256_KEY: &[u8] = &[
    0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03,
    0x01, 0x07,
];
#[cfg(feature = "p384")]
const EC_P384_KEY: &[u8] =
    &[0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];
#[cfg(feature = "rsa")]
const RSA_KEY: &[u8] = &[0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];

// Extension OIDs (id-ce-*), as the contents of an OID element.
const SUBJECT_KEY_ID: &[u8] = &[0x55, 0x1d, 0x0e];
const KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];
const SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11];
const BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];
const NAME_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x1e];
const AUTHORITY_KEY_ID: &[u8] = &[0x55, 0x1d, 0x23];
const POLICY_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x24];
const EXT_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25];
const SERVER_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
/// id-pe-authorityInfoAccess.
const INFO_ACCESS: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01];

/// keyUsage digitalSignature (bit 0: named bit n is `0x8000 >> n`).
pub(crate) const DIGITAL_SIGNATURE: u16 = 0x8000;
/// keyUsage keyCertSign (bit 5).
pub(crate) const KEY_CERT_SIGN: u16 = 0x8000 >> 5;

/// A signature algorithm (those of disabled features are `Other`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SigAlg {
    EcdsaSha256,
    #[cfg(feature = "p384")]
    EcdsaSha384,
    #[cfg(feature = "rsa")]
    RsaSha256,
    #[cfg(feature = "rsa")]
    RsaSha384,
    #[cfg(feature = "rsa")]
    RsaSha512,
    Other,
}

/// The kind of a subject public key (those of disabled features are `Other`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    /// An uncompressed SEC1 point on P-256.
    P256,
    /// An uncompressed SEC1 point on P-384.
    #[cfg(feature = "p384")]
    P384,
    /// A PKCS#1 `RSAPublicKey`.
    #[cfg(feature = "rsa")]
    Rsa,
    /// Anything else (compressed points included).
    Other,
}

/// A subject public key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PublicKey<'a> {
    pub(crate) kind: KeyKind,
    pub(crate) bytes: &'a [u8],
}

/// basicConstraints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BasicConstraints {
    pub(crate) ca: bool,
    pub(crate) path_len: Option<u8>,
    pub(crate) critical: bool,
}

/// A parsed certificate, borrowing from its DER.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cert<'a> {
    /// The signed part, `tbsCertificate`, as encoded.
    pub(crate) tbs: &'a [u8],
    pub(crate) sig_alg: SigAlg,
    /// The signature bytes.
    pub(crate) signature: &'a [u8],
    /// The issuer name, as encoded.
    pub(crate) issuer: &'a [u8],
    /// The subject name, as encoded.
    pub(crate) subject: &'a [u8],
    pub(crate) not_before: u64,
    pub(crate) not_after: u64,
    pub(crate) key: PublicKey<'a>,
    pub(crate) basic_constraints: Option<BasicConstraints>,
    /// keyUsage: the first two bytes of the BIT STRING, big-endian, if present.
    pub(crate) key_usage: Option<u16>,
    /// extKeyUsage: the contents of the SEQUENCE OF OID, if present.
    pub(crate) ext_key_usage: Option<&'a [u8]>,
    /// subjectAltName: the contents of GeneralNames, if present.
    pub(crate) subject_alt_name: Option<&'a [u8]>,
    /// subjectKeyIdentifier: the key identifier, if present.
    pub(crate) subject_key_id: Option<&'a [u8]>,
    /// authorityKeyIdentifier: the contents of its SEQUENCE, if present.
    pub(crate) authority_key_id: Option<&'a [u8]>,
    /// Whether an authorityInfoAccess is present (read for its syntax only).
    pub(crate) info_access: Option<()>,
    /// An extension this verifier refuses: nameConstraints, policyConstraints, or an unknown
    /// critical one.
    pub(crate) refused_extension: bool,
}

impl<'a> Cert<'a> {
    /// Parses a DER certificate.
    pub(crate) fn parse(der: &'a [u8]) -> Result<Self, Malformed> {
        let mut outer = Reader::new(der);
        let cert = outer.expect(der::SEQUENCE)?;
        outer.finish()?;
        let mut parts = Reader::new(cert.value);
        let tbs = parts.expect(der::SEQUENCE)?;
        let outer_alg = parts.expect(der::SEQUENCE)?.raw;
        let signature = der::bit_string_bytes(parts.expect(der::BIT_STRING)?.value)?;
        parts.finish()?;

        let mut t = Reader::new(tbs.value);
        // Version 3 only (extensions need it; v1 CAs cannot say they are CAs).
        if Reader::new(t.expect(0xa0)?.value).expect(der::INTEGER)?.value != [2] {
            return Err(Malformed);
        }
        serial_number(t.expect(der::INTEGER)?.value)?;
        // The signed algorithm must be the outer one, byte for byte.
        if t.expect(der::SEQUENCE)?.raw != outer_alg {
            return Err(Malformed);
        }
        let sig_alg = match outer_alg {
            ECDSA_SHA256 => SigAlg::EcdsaSha256,
            #[cfg(feature = "p384")]
            ECDSA_SHA384 => SigAlg::EcdsaSha384,
            #[cfg(feature = "rsa")]
            RSA_SHA256 => SigAlg::RsaSha256,
            #[cfg(feature = "rsa")]
            RSA_SHA384 => SigAlg::RsaSha384,
            #[cfg(feature = "rsa")]
            RSA_SHA512 => SigAlg::RsaSha512,
            _ => SigAlg::Other,
        };
        let issuer = t.expect(der::SEQUENCE)?;
        let mut validity = Reader::new(t.expect(der::SEQUENCE)?.value);
        let not_before = der::time(&validity.read()?)?;
        let not_after = der::time(&validity.read()?)?;
        validity.finish()?;
        let subject = t.expect(der::SEQUENCE)?.raw;
        let key = public_key(&t.expect(der::SEQUENCE)?)?;
        // No issuerUniqueID / subjectUniqueID (RFC 5280 4.1.2.8: CAs MUST NOT generate them).
        if issuer.value.is_empty() || not_before > not_after {
            return Err(Malformed);
        }
        let mut cert = Cert {
            tbs: tbs.raw,
            sig_alg,
            signature,
            issuer: issuer.raw,
            subject,
            not_before,
            not_after,
            key,
            basic_constraints: None,
            key_usage: None,
            ext_key_usage: None,
            subject_alt_name: None,
            subject_key_id: None,
            authority_key_id: None,
            info_access: None,
            refused_extension: false,
        };
        let mut san_critical = false;
        if let Some(exts) = t.optional(0xa3)? {
            let mut seq = Reader::new(exts.value);
            let mut list = Reader::new(non_empty(seq.expect(der::SEQUENCE)?.value)?);
            seq.finish()?;
            while !list.is_empty() {
                san_critical |= cert.extension(&list.expect(der::SEQUENCE)?)?;
            }
        }
        t.finish()?;
        // An empty subject needs a critical subjectAltName (RFC 5280 4.1.2.6, 4.2.1.6), and a
        // critical one an empty subject (CA/Browser Forum Baseline Requirements 7.1.2.7.12).
        if cert.has_empty_subject() != san_critical {
            return Err(Malformed);
        }
        Ok(cert)
    }

    /// Reads one extension; returns whether it is a critical subjectAltName.
    fn extension(&mut self, ext: &Tlv<'a>) -> Result<bool, Malformed> {
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
                    // pathLenConstraint only with cA (RFC 5280 4.2.1.9).
                    Some(n) if ca => Some(small_uint(n.value)?),
                    Some(_) => return Err(Malformed),
                    None => None,
                };
                bc.finish()?;
                once(&mut self.basic_constraints, BasicConstraints { ca, path_len, critical })?;
            }
            KEY_USAGE => once(&mut self.key_usage, key_usage(v.expect(der::BIT_STRING)?.value)?)?,
            EXT_KEY_USAGE => {
                let list = non_empty(v.expect(der::SEQUENCE)?.value)?;
                let mut oids = Reader::new(list);
                while !oids.is_empty() {
                    oids.expect(der::OID)?;
                }
                once(&mut self.ext_key_usage, list)?;
            }
            SUBJECT_ALT_NAME => {
                once(&mut self.subject_alt_name, non_empty(v.expect(der::SEQUENCE)?.value)?)?;
                v.finish()?;
                return Ok(critical);
            }
            // Key identifiers and authorityInfoAccess MUST NOT be critical (RFC 5280 4.2.1.1,
            // 4.2.1.2, 4.2.2.1).
            SUBJECT_KEY_ID | AUTHORITY_KEY_ID | INFO_ACCESS if critical => return Err(Malformed),
            SUBJECT_KEY_ID => once(&mut self.subject_key_id, v.expect(der::OCTET_STRING)?.value)?,
            AUTHORITY_KEY_ID => {
                // keyIdentifier [0], authorityCertIssuer [1], authorityCertSerialNumber [2]:
                // the last two both or neither.
                let aki = v.expect(der::SEQUENCE)?.value;
                let mut r = Reader::new(aki);
                r.optional(0x80)?;
                if r.optional(0xa1)?.is_some() != r.optional(0x82)?.is_some() {
                    return Err(Malformed);
                }
                r.finish()?;
                once(&mut self.authority_key_id, aki)?;
            }
            INFO_ACCESS => {
                // SEQUENCE SIZE (1..MAX) OF SEQUENCE { accessMethod OID, accessLocation GeneralName }.
                let mut list = Reader::new(non_empty(v.expect(der::SEQUENCE)?.value)?);
                while !list.is_empty() {
                    let mut access = Reader::new(list.expect(der::SEQUENCE)?.value);
                    access.expect(der::OID)?;
                    // [0] to [8], constructed for otherName, x400Address, directoryName and
                    // ediPartyName (RFC 5280 4.2.1.6).
                    if !matches!(access.read()?.tag, 0xa0 | 0x81 | 0x82 | 0xa3 | 0xa4 | 0xa5 | 0x86 | 0x87 | 0x88) {
                        return Err(Malformed);
                    }
                    access.finish()?;
                }
                once(&mut self.info_access, ())?;
            }
            NAME_CONSTRAINTS | POLICY_CONSTRAINTS => {
                self.refused_extension = true;
                return Ok(false);
            }
            _ => {
                self.refused_extension |= critical;
                return Ok(false);
            }
        }
        v.finish()?;
        Ok(false)
    }

    /// Whether the subject is the empty name.
    pub(crate) fn has_empty_subject(&self) -> bool {
        self.subject == [der::SEQUENCE, 0]
    }

    /// Whether the issuer and subject names are the same (RFC 5280 6.1: self-issued).
    pub(crate) fn is_self_issued(&self) -> bool {
        self.issuer == self.subject
    }

    /// Whether the extended key usage, if present, lists TLS server authentication
    /// (anyExtendedKeyUsage is not enough, as in the Web PKI).
    pub(crate) fn allows_server_auth(&self) -> bool {
        let Some(list) = self.ext_key_usage else { return true };
        let mut r = Reader::new(list);
        while let Ok(oid) = r.read() {
            if oid.value == SERVER_AUTH {
                return true;
            }
        }
        false
    }

    /// Whether the authorityKeyIdentifier is present with a keyIdentifier (RFC 5280 4.2.1.1:
    /// in every certificate but a self-signed one).
    pub(crate) fn has_authority_key_id(&self) -> bool {
        self.authority_key_id.is_some_and(|aki| aki.first() == Some(&0x80))
    }

    /// The root profile's authorityKeyIdentifier (CA/Browser Forum Baseline Requirements
    /// 7.1.2.1.3): absent, or a keyIdentifier equal to the subjectKeyIdentifier and nothing
    /// else.
    pub(crate) fn has_root_authority_key_id(&self) -> bool {
        let Some(aki) = self.authority_key_id else { return true };
        let mut r = Reader::new(aki);
        r.expect(0x80).is_ok_and(|id| Some(id.value) == self.subject_key_id) && r.is_empty()
    }

    /// Whether the key usage, if present, includes `bit`.
    pub(crate) fn allows_key_usage(&self, bit: u16) -> bool {
        self.key_usage.is_none_or(|ku| ku & bit != 0)
    }
}

/// An extension may appear only once.
fn once<T>(slot: &mut Option<T>, value: T) -> Result<(), Malformed> {
    if slot.is_some() {
        return Err(Malformed);
    }
    *slot = Some(value);
    Ok(())
}

fn non_empty(value: &[u8]) -> Result<&[u8], Malformed> {
    if value.is_empty() { Err(Malformed) } else { Ok(value) }
}

/// RFC 5280 4.1.2.2: a positive (so non-zero) integer of at most 20 octets, minimally encoded.
fn serial_number(value: &[u8]) -> Result<(), Malformed> {
    match value {
        [] | [0] => Err(Malformed),
        [first, ..] if first & 0x80 != 0 => Err(Malformed),
        [0, second, ..] if second & 0x80 == 0 => Err(Malformed),
        _ if value.len() > 20 => Err(Malformed),
        _ => Ok(()),
    }
}

/// A keyUsage BIT STRING in DER: at least one bit set, no trailing zero bits.
fn key_usage(bits: &[u8]) -> Result<u16, Malformed> {
    let (&unused, bytes) = bits.split_first().ok_or(Malformed)?;
    let last = *bytes.last().ok_or(Malformed)?;
    if bytes.len() > 2 || unused > 7 || last == 0 || last & ((1u8 << unused) - 1) != 0 || last & (1u8 << unused) == 0 {
        return Err(Malformed);
    }
    Ok(u16::from_be_bytes([bytes.first().copied().unwrap_or(0), bytes.get(1).copied().unwrap_or(0)]))
}

fn small_uint(value: &[u8]) -> Result<u8, Malformed> {
    match value {
        [n] if *n < 0x80 => Ok(*n),
        [0, n] if *n >= 0x80 => Ok(*n),
        _ => Err(Malformed),
    }
}

fn public_key<'a>(spki: &Tlv<'a>) -> Result<PublicKey<'a>, Malformed> {
    let mut r = Reader::new(spki.value);
    let alg = r.expect(der::SEQUENCE)?.raw;
    let bytes = der::bit_string_bytes(r.expect(der::BIT_STRING)?.value)?;
    r.finish()?;
    let kind = match (alg, bytes.first(), bytes.len()) {
        (EC_P256_KEY, Some(4), 65) => KeyKind::P256,
        #[cfg(feature = "p384")]
        (EC_P384_KEY, Some(4), 97) => KeyKind::P384,
        #[cfg(feature = "rsa")]
        (RSA_KEY, _, _) => KeyKind::Rsa,
        _ => KeyKind::Other,
    };
    Ok(PublicKey { kind, bytes })
}

/// The entries of a GeneralNames value.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_numbers() {
        assert_eq!(serial_number(&[1]), Ok(()));
        assert_eq!(serial_number(&[0, 0x80]), Ok(()));
        assert_eq!(serial_number(&[0x7f; 20]), Ok(()));
        for bad in [&[][..], &[0], &[0x80], &[0xff, 1], &[0, 1], &[0x7f; 21]] {
            assert_eq!(serial_number(bad), Err(Malformed), "{bad:02x?}");
        }
    }

    #[test]
    fn key_usage_bits() {
        // digitalSignature: one used bit, 7 unused.
        assert_eq!(key_usage(&[7, 0x80]), Ok(DIGITAL_SIGNATURE));
        // keyCertSign + cRLSign (bits 5, 6): 1 unused bit.
        assert_eq!(key_usage(&[1, 0x06]), Ok(KEY_CERT_SIGN | 0x8000 >> 6));
        // decipherOnly (bit 8).
        assert_eq!(key_usage(&[7, 0, 0x80]), Ok(0x8000 >> 8));
        // Empty, no bit set, a set bit counted as unused, a trailing zero bit, too long.
        for bad in [&[0][..], &[0, 0], &[7, 0x81], &[0, 0x80], &[6, 0x80], &[0, 1, 1, 1], &[8, 0x80]] {
            assert_eq!(key_usage(bad), Err(Malformed), "{bad:02x?}");
        }
    }
}
