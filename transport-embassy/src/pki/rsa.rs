//! RSA signature verification (RFC 8017) with no heap: RSASSA-PKCS1-v1_5 (certificate
//! signatures) and RSASSA-PSS (the TLS 1.3 CertificateVerify), moduli of 2048 to 4096 bits.
//!
//! Verification handles public data only (the key, the signature, the message), so the
//! arithmetic is variable-time, like BearSSL's `i31` public-key code: the signature is raised
//! to the public exponent by square-and-multiply over its bits, with Montgomery
//! multiplication (CIOS) over 32-bit words. Written here rather than taken from a crate: the
//! generic constant-time arithmetic of crypto-bigint costs 15-18 KB of flash on the firmware
//! target, the `rsa` crate needs a heap, and this is about 1.5 KB (README, "Size").
//!
//! Memory: four numbers of at most 4096 bits (512 bytes each) and the encoded message (512
//! bytes) on the stack, about 3 KB in all ([`verify`]); nothing else.

use sha2::digest::core_api::RtVariableCoreWrapper;
use sha2::digest::{Update, VariableOutput as _};
use sha2::{Digest as _, Sha256};

/// SHA-384 or SHA-512 (the output length given at run time).
type Sha512Rt = RtVariableCoreWrapper<sha2::Sha512VarCore>;

use super::der::{self, Reader};

/// Smallest modulus accepted, in octets (2048 bits, as in the Web PKI).
pub(crate) const MIN_BYTES: usize = 256;
/// Largest modulus accepted, in octets (4096 bits).
pub(crate) const MAX_BYTES: usize = 512;
/// 32-bit words of the largest modulus.
const MAX_WORDS: usize = MAX_BYTES / 4;

/// Why a public key is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyError {
    /// Not a DER `RSAPublicKey`, or not an RSA key (even modulus, `e` even, `e < 3`, `e >= n`).
    Malformed,
    /// A key outside the policy: modulus under 2048 or over 4096 bits, or whose length in
    /// bits is not a multiple of 8.
    Unsupported,
}

/// The signature does not verify (whatever the reason: length, value, padding, hash).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BadSignature;

/// The hash of a signature scheme (PSS uses it for MGF1 too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

/// The encoding of the signed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Padding {
    /// EMSA-PKCS1-v1_5 (RFC 8017 9.2), the DigestInfo with NULL parameters.
    Pkcs1v15,
    /// EMSA-PSS (RFC 8017 9.1) with MGF1 of the same hash and a salt as long as the hash, as
    /// TLS 1.3 requires (RFC 8446 4.2.3).
    Pss,
}

/// A digest of at most 64 bytes.
struct Digest {
    bytes: [u8; 64],
    len: usize,
}

impl Digest {
    fn as_slice(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

impl Hash {
    /// The hash of the concatenation of `parts`.
    fn digest(self, parts: &[&[u8]]) -> Option<Digest> {
        let mut out = Digest { bytes: [0; 64], len: self.len() };
        if self == Hash::Sha256 {
            // The SHA-256 the TLS stack and the signer use (the same code).
            let mut h = Sha256::new();
            for part in parts {
                sha2::Digest::update(&mut h, part);
            }
            out.bytes.get_mut(..32)?.copy_from_slice(&h.finalize());
        } else {
            // SHA-384 and SHA-512: one core, its output length chosen at run time (one copy
            // of the code for both).
            let mut h = Sha512Rt::new(self.len()).ok()?;
            for part in parts {
                Update::update(&mut h, part);
            }
            h.finalize_variable(out.bytes.get_mut(..self.len())?).ok()?;
        }
        Some(out)
    }

    const fn len(self) -> usize {
        match self {
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }

    /// The DER `DigestInfo` up to the digest (RFC 8017 9.2, note 1).
    const fn digest_info(self) -> &'static [u8; 19] {
        match self {
            Hash::Sha256 => &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
                0x04, 0x20,
            ],
            Hash::Sha384 => &[
                0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00,
                0x04, 0x30,
            ],
            Hash::Sha512 => &[
                0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00,
                0x04, 0x40,
            ],
        }
    }
}

/// An RSA public key that passed [`PublicKey::from_pkcs1`]'s checks: the modulus and the
/// exponent as big-endian octets without leading zeros.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PublicKey<'a> {
    n: &'a [u8],
    e: &'a [u8],
}

impl<'a> PublicKey<'a> {
    /// Reads a DER `RSAPublicKey` (`SEQUENCE { modulus INTEGER, publicExponent INTEGER }`,
    /// RFC 8017 A.1.1; positive, minimally encoded integers) and checks it (RFC 8017 3.1:
    /// `n` odd, `e` odd and `3 <= e < n`; the policy: 2048 to 4096 bits, a whole number of
    /// octets).
    pub(crate) fn from_pkcs1(der: &'a [u8]) -> Result<Self, KeyError> {
        let malformed = |_| KeyError::Malformed;
        let mut outer = Reader::new(der);
        let mut seq = Reader::new(outer.expect(der::SEQUENCE).map_err(malformed)?.value);
        outer.finish().map_err(malformed)?;
        let n = der::positive_integer(seq.expect(der::INTEGER).map_err(malformed)?.value).map_err(malformed)?;
        let e = der::positive_integer(seq.expect(der::INTEGER).map_err(malformed)?.value).map_err(malformed)?;
        seq.finish().map_err(malformed)?;
        Self::new(n, e)
    }

    /// A key from its modulus and exponent (big-endian, no leading zeros), checked as by
    /// [`PublicKey::from_pkcs1`].
    pub(crate) fn new(n: &'a [u8], e: &'a [u8]) -> Result<Self, KeyError> {
        match (n.first(), n.last(), e.first(), e.last()) {
            (Some(&top), Some(&low), Some(&e_top), Some(&e_low)) => {
                // The bit length a multiple of 8 (the top bit of the first octet set).
                if !(MIN_BYTES..=MAX_BYTES).contains(&n.len()) || top & 0x80 == 0 {
                    return Err(KeyError::Unsupported);
                }
                let e_below_n = e.len() < n.len() || (e.len() == n.len() && e < n);
                if low & 1 == 0 || e_low & 1 == 0 || e_top == 0 || (e.len() == 1 && e_low < 3) || !e_below_n {
                    return Err(KeyError::Malformed);
                }
                Ok(Self { n, e })
            }
            _ => Err(KeyError::Malformed),
        }
    }

    /// The modulus and the exponent (big-endian, no leading zeros).
    pub(crate) fn parts(&self) -> (&'a [u8], &'a [u8]) {
        (self.n, self.e)
    }

    /// Verifies `signature` over `message` (hashed here with `hash`).
    pub(crate) fn verify(
        &self,
        padding: Padding,
        hash: Hash,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), BadSignature> {
        verify(self, padding, hash, message, signature)
    }
}

/// RSASSA-PKCS1-V1_5-VERIFY (RFC 8017 8.2.2) or RSASSA-PSS-VERIFY (8.1.2).
#[inline(never)]
pub(crate) fn verify(
    key: &PublicKey<'_>,
    padding: Padding,
    hash: Hash,
    message: &[u8],
    signature: &[u8],
) -> Result<(), BadSignature> {
    let k = key.n.len();
    let mut em = [0u8; MAX_BYTES];
    let em = em.get_mut(..k).ok_or(BadSignature)?;
    // RSAVP1: s < n, s^e mod n (the length is checked first).
    if signature.len() != k || signature >= key.n {
        return Err(BadSignature);
    }
    public_op(key, signature, em);
    let m_hash = hash.digest(&[message]).ok_or(BadSignature)?;
    let m_hash = m_hash.as_slice();
    let ok = match padding {
        Padding::Pkcs1v15 => pkcs1v15_matches(em, hash, m_hash),
        Padding::Pss => pss_matches(em, hash, m_hash),
    };
    if ok { Ok(()) } else { Err(BadSignature) }
}

/// EMSA-PKCS1-v1_5: `em` must be `00 01 FF..FF 00 DigestInfo H`, at least 8 `FF` octets
/// (always so: the modulus has at least 256 octets).
fn pkcs1v15_matches(em: &[u8], hash: Hash, m_hash: &[u8]) -> bool {
    let info = hash.digest_info();
    let Some(ps_end) = em.len().checked_sub(info.len() + m_hash.len() + 1) else { return false };
    let (head, tail) = em.split_at(ps_end);
    match (head, tail) {
        ([0x00, 0x01, ps @ ..], [0x00, rest @ ..]) => {
            ps.len() >= 8
                && ps.iter().all(|&b| b == 0xff)
                && rest.get(..info.len()) == Some(info)
                && rest.get(info.len()..) == Some(m_hash)
        }
        _ => false,
    }
}

/// EMSA-PSS-VERIFY (RFC 8017 9.1.2) with `emBits = 8 * em.len() - 1` (the modulus length is a
/// multiple of 8 bits, so `emLen` is the modulus length and one leading bit must be zero),
/// MGF1 of `hash`, and a salt of `hash.len()` octets. Unmasks `em` in place.
fn pss_matches(em: &mut [u8], hash: Hash, m_hash: &[u8]) -> bool {
    let h_len = hash.len();
    // Steps 3, 4, 6: emLen >= hLen + sLen + 2 (always so here), the trailer, the leading bit.
    let (Some(db_len), Some(&0xbc), Some(&first)) = (em.len().checked_sub(h_len + 1), em.last(), em.first()) else {
        return false;
    };
    if first & 0x80 != 0 || db_len < h_len + 1 {
        return false;
    }
    // Step 5: maskedDB || H || 0xbc.
    let (db, rest) = em.split_at_mut(db_len);
    let Some(h) = rest.get(..h_len) else { return false };
    // Steps 7-9: DB = maskedDB xor MGF1(H), its leading bit cleared.
    for (counter, chunk) in (0u32..).zip(db.chunks_mut(h_len)) {
        let Some(mask) = hash.digest(&[h, &counter.to_be_bytes()]) else { return false };
        for (b, m) in chunk.iter_mut().zip(mask.as_slice()) {
            *b ^= m;
        }
    }
    if let Some(b) = db.first_mut() {
        *b &= 0x7f;
    }
    // Step 10: DB = 00..00 || 01 || salt, the salt hLen octets.
    let (ps, salt) = db.split_at(db_len - h_len);
    let Some((&one, zeros)) = ps.split_last() else { return false };
    if one != 0x01 || zeros.iter().any(|&b| b != 0) {
        return false;
    }
    // Steps 12-14: H = Hash(00 x 8 || mHash || salt).
    hash.digest(&[&[0u8; 8], m_hash, salt]).is_some_and(|d| d.as_slice() == h)
}

/// `em = s^e mod n`, big-endian, as long as the modulus. `s < n`.
fn public_op(key: &PublicKey<'_>, s: &[u8], em: &mut [u8]) {
    let mut n = [0u32; MAX_WORDS];
    let mut base = [0u32; MAX_WORDS];
    let mut acc = [0u32; MAX_WORDS];
    let mut tmp = [0u32; MAX_WORDS];
    let len = key.n.len().div_ceil(4);
    let (n, base) = (&mut n[..len], &mut base[..len]);
    let (mut x, mut t) = (&mut acc[..len], &mut tmp[..len]);
    decode(key.n, n);
    decode(s, base);
    let n: &[u32] = n;
    let n0 = neg_inv(n[0]);

    // R^2 mod n (R = 2^(32 len)), as the Montgomery form of 2^(32 len) (that is, of R): from
    // 2R mod n, square-and-double over the bits of 32 len.
    // 2^(8k - 1) < n (n is odd, its top bit set); doubled up to 2^(32 len + 1) mod n = 2R mod n.
    x.fill(0);
    let top_bit = key.n.len() * 8 - 1;
    x[top_bit / 32] = 1 << (top_bit % 32);
    for _ in top_bit..=32 * len {
        double(x, n);
    }
    let exp = 32 * len as u32;
    for i in (0..31 - exp.leading_zeros()).rev() {
        montmul(t, x, x, n, n0);
        core::mem::swap(&mut x, &mut t);
        if exp >> i & 1 == 1 {
            double(x, n);
        }
    }
    // base = s R mod n: the Montgomery form of s.
    montmul(t, base, x, n, n0);
    base.copy_from_slice(t);
    x.copy_from_slice(t);

    // Square-and-multiply, left to right, after the leading one bit of e.
    let mut started = false;
    for &byte in key.e {
        for i in (0..8).rev() {
            let bit = byte >> i & 1 == 1;
            if started {
                montmul(t, x, x, n, n0);
                core::mem::swap(&mut x, &mut t);
                if bit {
                    montmul(t, x, base, n, n0);
                    core::mem::swap(&mut x, &mut t);
                }
            }
            started |= bit;
        }
    }
    // Out of the Montgomery form: x * 1 / R.
    base.fill(0);
    base[0] = 1;
    montmul(t, x, base, n, n0);
    encode(t, em);
}

/// Big-endian octets into little-endian 32-bit words (`out` long enough, zeroed).
fn decode(bytes: &[u8], out: &mut [u32]) {
    for (i, &b) in bytes.iter().rev().enumerate() {
        if let Some(w) = out.get_mut(i / 4) {
            *w |= u32::from(b) << (8 * (i % 4));
        }
    }
}

/// Little-endian 32-bit words into big-endian octets (as many as `out` holds).
fn encode(words: &[u32], out: &mut [u8]) {
    for (i, b) in out.iter_mut().rev().enumerate() {
        *b = words.get(i / 4).map_or(0, |w| (w >> (8 * (i % 4))) as u8);
    }
}

/// `-1 / n0 mod 2^32` for odd `n0` (Newton's iteration: 3, 6, 12, 24, 48 correct bits).
fn neg_inv(n0: u32) -> u32 {
    let mut x = n0;
    for _ in 0..4 {
        x = x.wrapping_mul(2u32.wrapping_sub(n0.wrapping_mul(x)));
    }
    x.wrapping_neg()
}

/// Whether `a < b` (same length).
fn less(a: &[u32], b: &[u32]) -> bool {
    for (x, y) in a.iter().zip(b).rev() {
        if x != y {
            return x < y;
        }
    }
    false
}

/// `a -= b` (same length), wrapping.
fn sub(a: &mut [u32], b: &[u32]) {
    let mut borrow = false;
    for (x, &y) in a.iter_mut().zip(b) {
        let (d, b1) = x.overflowing_sub(y);
        let (d, b2) = d.overflowing_sub(u32::from(borrow));
        *x = d;
        borrow = b1 | b2;
    }
}

/// `x = 2x mod n` for `x < n`.
fn double(x: &mut [u32], n: &[u32]) {
    let mut carry = 0;
    for w in x.iter_mut() {
        let top = *w >> 31;
        *w = *w << 1 | carry;
        carry = top;
    }
    if carry != 0 || !less(x, n) {
        sub(x, n);
    }
}

/// `d = a b / R mod n` (Montgomery multiplication, CIOS), for `a, b < n`; `n0 = -1/n mod 2^32`.
fn montmul(d: &mut [u32], a: &[u32], b: &[u32], n: &[u32], n0: u32) {
    d.fill(0);
    let mut dh = 0u32;
    let (Some(&b0), Some(last)) = (b.first(), d.len().checked_sub(1)) else { return };
    for &ai in a {
        let f = d[0].wrapping_add(ai.wrapping_mul(b0)).wrapping_mul(n0);
        let (ai, f) = (u64::from(ai), u64::from(f));
        let (mut c1, mut c2) = (0u64, 0u64);
        for v in 0..d.len() {
            // Each sum fits in 64 bits: (2^32 - 1) + (2^32 - 1)^2 + (2^32 - 1) = 2^64 - 1.
            let z1 = u64::from(d[v]) + ai * u64::from(b[v]) + c1;
            c1 = z1 >> 32;
            let z2 = (z1 & 0xffff_ffff) + f * u64::from(n[v]) + c2;
            c2 = z2 >> 32;
            if v > 0 {
                d[v - 1] = z2 as u32;
            }
        }
        let z = u64::from(dh) + c1 + c2;
        d[last] = z as u32;
        dh = (z >> 32) as u32;
    }
    // d + dh R < 2n.
    if dh != 0 || !less(d, n) {
        sub(d, n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_and_words() {
        for n0 in [1u32, 3, 0xffff_ffff, 0x1234_5677, 0x8000_0001] {
            assert_eq!(n0.wrapping_mul(neg_inv(n0)), u32::MAX, "{n0:#x}");
        }
        let mut w = [0u32; 2];
        decode(&[1, 2, 3, 4, 5], &mut w);
        assert_eq!(w, [0x0203_0405, 1]);
        let mut b = [0u8; 5];
        encode(&w, &mut b);
        assert_eq!(b, [1, 2, 3, 4, 5]);
    }

    #[test]
    fn key_rules() {
        let mut n = [0xffu8; 256];
        let e = [1u8, 0, 1];
        assert!(PublicKey::new(&n, &e).is_ok());
        assert_eq!(PublicKey::new(&n[..255], &e), Err(KeyError::Unsupported));
        assert_eq!(PublicKey::new(&[0xff; 513], &e), Err(KeyError::Unsupported));
        assert!(PublicKey::new(&[0xff; 512], &e).is_ok());
        n[0] = 0x7f; // 2047 bits
        assert_eq!(PublicKey::new(&n, &e), Err(KeyError::Unsupported));
        n[0] = 0xff;
        n[255] = 0xfe; // even
        assert_eq!(PublicKey::new(&n, &e), Err(KeyError::Malformed));
        n[255] = 0xff;
        for bad in [&[1u8][..], &[2], &[1, 0], &[0, 3], &[]] {
            assert_eq!(PublicKey::new(&n, bad), Err(KeyError::Malformed), "{bad:?}");
        }
        assert!(PublicKey::new(&n, &[3]).is_ok());
        // e < n: n itself and anything longer are refused; n - 2 is fine.
        assert_eq!(PublicKey::new(&n, &n), Err(KeyError::Malformed));
        let mut below = n;
        below[255] = 0xfd;
        assert!(PublicKey::new(&n, &below).is_ok());
    }
}
