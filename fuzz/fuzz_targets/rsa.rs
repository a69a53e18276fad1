#![no_main]
//! RSA signature verification (`pki::verify_rsa`: the device's own heap-free arithmetic, as
//! the chain and CertificateVerify checks run it) on arbitrary keys, messages and signatures,
//! against the `rsa` crate: it must never panic, and whenever it accepts the key (policy line
//! 1 of `pki`: 2048 to 4096 bits, a multiple of 8, n odd, e odd, 3 <= e < n) it must accept
//! exactly the signatures the `rsa` crate accepts (PKCS#1 v1.5; PSS with a salt as long as
//! the hash, as TLS 1.3 requires).
//!
//! Input: a mode byte (bits 0-2: the scheme, `SCHEMES[b % 6]`; bit 7: the key is a DER
//! `RSAPublicKey` as given, else the modulus and then the exponent, big-endian, which the target
//! encodes), the key (each part prefixed by its length, 2 bytes big-endian), the message (so
//! prefixed), then the signature. `RSA_FUZZ_SEEDS=DIR cargo test -p
//! tencentcloud-transport-embassy --test rsa` writes valid signatures in this form.

use rsa::pkcs1::der::Decode;
use rsa::signature::Verifier as _;
use rsa::{BigUint, RsaPublicKey, pkcs1v15, pss};
use sha2::{Sha256, Sha384, Sha512};
use tencentcloud_transport_embassy::CertError;
use tencentcloud_transport_embassy::pki::{RsaScheme, verify_rsa};

const SCHEMES: [RsaScheme; 6] = [
    RsaScheme::Pkcs1v15Sha256,
    RsaScheme::Pkcs1v15Sha384,
    RsaScheme::Pkcs1v15Sha512,
    RsaScheme::PssSha256,
    RsaScheme::PssSha384,
    RsaScheme::PssSha512,
];

fn take<'a>(data: &mut &'a [u8]) -> Option<&'a [u8]> {
    let (len, rest) = data.split_at_checked(2)?;
    let (field, rest) = rest.split_at_checked(usize::from(u16::from_be_bytes([len[0], len[1]])))?;
    *data = rest;
    Some(field)
}

/// A DER INTEGER of the unsigned big-endian `digits` (minimal, positive).
fn integer(digits: &[u8]) -> Vec<u8> {
    let digits = &digits[digits.iter().take_while(|&&b| b == 0).count()..];
    let mut value = Vec::new();
    if digits.first().is_none_or(|b| b & 0x80 != 0) {
        value.push(0);
    }
    value.extend_from_slice(digits);
    tlv(0x02, &value)
}

fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match value.len() {
        len @ 0..0x80 => out.push(len as u8),
        len @ 0x80..0x100 => out.extend([0x81, len as u8]),
        len => out.extend([0x82, (len >> 8) as u8, len as u8]),
    }
    out.extend_from_slice(value);
    out
}

fn oracle(key: RsaPublicKey, scheme: RsaScheme, msg: &[u8], sig: &[u8]) -> bool {
    let (Ok(p), Ok(s)) = (pkcs1v15::Signature::try_from(sig), pss::Signature::try_from(sig)) else { return false };
    match scheme {
        RsaScheme::Pkcs1v15Sha256 => pkcs1v15::VerifyingKey::<Sha256>::new(key).verify(msg, &p).is_ok(),
        RsaScheme::Pkcs1v15Sha384 => pkcs1v15::VerifyingKey::<Sha384>::new(key).verify(msg, &p).is_ok(),
        RsaScheme::Pkcs1v15Sha512 => pkcs1v15::VerifyingKey::<Sha512>::new(key).verify(msg, &p).is_ok(),
        RsaScheme::PssSha256 => pss::VerifyingKey::<Sha256>::new(key).verify(msg, &s).is_ok(),
        RsaScheme::PssSha384 => pss::VerifyingKey::<Sha384>::new(key).verify(msg, &s).is_ok(),
        RsaScheme::PssSha512 => pss::VerifyingKey::<Sha512>::new(key).verify(msg, &s).is_ok(),
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&mode, mut data)) = data.split_first() else { return };
    let scheme = SCHEMES[usize::from(mode & 7) % 6];
    let (der, key) = if mode & 0x80 != 0 {
        let Some(der) = take(&mut data) else { return };
        // Read by the pkcs1 crate as it is (the `rsa` crate's own reader refuses e >= 2^33).
        let key = rsa::pkcs1::RsaPublicKey::from_der(der).ok().map(|k| {
            let (n, e) = (k.modulus.as_bytes(), k.public_exponent.as_bytes());
            RsaPublicKey::new_unchecked(BigUint::from_bytes_be(n), BigUint::from_bytes_be(e))
        });
        (der.to_vec(), key)
    } else {
        let (Some(n), Some(e)) = (take(&mut data), take(&mut data)) else { return };
        let der = tlv(0x30, &[integer(n), integer(e)].concat());
        (der, Some(RsaPublicKey::new_unchecked(BigUint::from_bytes_be(n), BigUint::from_bytes_be(e))))
    };
    let Some(msg) = take(&mut data) else { return };
    let ours = verify_rsa(&der, scheme, msg, data);
    match (ours, key) {
        // Refused keys, and DER the pkcs1 crate reads otherwise: nothing to compare.
        (Err(CertError::Malformed | CertError::UnsupportedAlgorithm), _) | (_, None) => {}
        (ours, Some(key)) => assert_eq!(ours.is_ok(), oracle(key, scheme, msg, data), "{scheme:?}"),
    }
});
