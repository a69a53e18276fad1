//! Differential test of the device's RSA verification (`pki::verify_rsa`: the code the chain
//! and CertificateVerify checks run, heap-free) against the `rsa` crate, the oracle.
//!
//! Keys (`data/rsa-keys.txt`): 2048 (two), 2056, 2304, 3072 and 4096 bits with e = 65537,
//! 2048, 3072 and 4096 bits with e = 3, 2048 and 4096 bits with e = 2^32 + 15 (33 bits, the
//! oracle's largest), a 2048-bit key whose public exponent is 2048 bits long (a key's `d` and
//! `e` swapped), and 2040, 2052 and 4104 bits, which the policy refuses (under 2048, not a
//! multiple of 8, over 4096) while the oracle accepts them. For every key: valid signatures of
//! every scheme (PKCS#1 v1.5 and PSS, SHA-256/384/512) on random messages, each also checked
//! bit-flipped, one octet short, one octet long, plus the modulus, on another message and
//! under other schemes; encoded messages crafted wrong (one padding rule broken each) and
//! signed raw; PSS salts of other lengths than the hash's (TLS 1.3 allows only that one);
//! signatures >= n; a signature with a leading zero octet. Then DigiCert's RSA roots (real
//! signatures), key encodings the DER rules refuse, random keys and signatures (no panic),
//! and whole RSA chains through `Verifier` with a PSS CertificateVerify, shaped as Tencent
//! Cloud's endpoints serve them (RSA-2048 root, RSA-4096 intermediate, RSA-2048 leaf).
//!
//! `RSA_DIFF_MESSAGES` (default 4) messages per key and scheme; `RSA_DIFF_SEED` (default
//! 2026). Run with `--nocapture` for the tally. `PKI_FUZZ_SEEDS=DIR` writes the chains into
//! DIR as inputs of the `pki` fuzz target, `RSA_FUZZ_SEEDS=DIR` the valid signatures as inputs
//! of the `rsa` one.

use std::time::Instant;

use embedded_tls::{CertificateEntryRef, CertificateRef, CertificateVerifyRef, SignatureScheme, TlsVerifier};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyUsagePurpose,
    PublicKeyData, SignatureAlgorithm, SigningKey,
};
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::rand_core::{CryptoRng, RngCore};
use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer, Verifier as _};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256, Sha384, Sha512};
use tencentcloud_transport_embassy::CertError;
use tencentcloud_transport_embassy::pki::{RsaScheme, TrustAnchor, Verifier, verify_rsa};

/// 2025-06-15: every generated certificate is valid then.
const NOW: u64 = 1_750_000_000;
const HOST: &str = "cvm.tencentcloudapi.com";

/// splitmix64, seeded: the test's only randomness (salts and blinding included).
struct Rng(u64);

impl RngCore for Rng {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            *b = self.next_u64() as u8;
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rsa::rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for Rng {}

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut v = vec![0; len];
        self.fill_bytes(&mut v);
        v
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha256 => Sha256::digest(data).to_vec(),
            Hash::Sha384 => Sha384::digest(data).to_vec(),
            Hash::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    fn len(self) -> usize {
        self.digest(b"").len()
    }

    /// The DER DigestInfo up to the digest (RFC 8017 9.2 note 1), written out here.
    fn digest_info(self) -> Vec<u8> {
        let (total, id, len) = match self {
            Hash::Sha256 => (0x31, 1, 0x20),
            Hash::Sha384 => (0x41, 2, 0x30),
            Hash::Sha512 => (0x51, 3, 0x40),
        };
        vec![
            0x30, total, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, id, 0x05, 0x00, 0x04,
            len,
        ]
    }
}

const SCHEMES: [RsaScheme; 6] = [
    RsaScheme::Pkcs1v15Sha256,
    RsaScheme::Pkcs1v15Sha384,
    RsaScheme::Pkcs1v15Sha512,
    RsaScheme::PssSha256,
    RsaScheme::PssSha384,
    RsaScheme::PssSha512,
];

fn parts(scheme: RsaScheme) -> (bool, Hash) {
    match scheme {
        RsaScheme::Pkcs1v15Sha256 => (false, Hash::Sha256),
        RsaScheme::Pkcs1v15Sha384 => (false, Hash::Sha384),
        RsaScheme::Pkcs1v15Sha512 => (false, Hash::Sha512),
        RsaScheme::PssSha256 => (true, Hash::Sha256),
        RsaScheme::PssSha384 => (true, Hash::Sha384),
        RsaScheme::PssSha512 => (true, Hash::Sha512),
    }
}

/// A test key: the public half (any exponent), the private exponent to sign raw with, and the
/// oracle's private key when it can hold it (exponents up to 2^33 - 1).
struct Key {
    name: String,
    public: RsaPublicKey,
    /// `d`, or 65537 for the key whose `d` and `e` were swapped.
    private_exponent: BigUint,
    oracle: Option<RsaPrivateKey>,
}

impl Key {
    fn from_primes(p: &BigUint, q: &BigUint, e: u64, name: &str) -> Key {
        let private = RsaPrivateKey::from_p_q(p.clone(), q.clone(), BigUint::from(e)).unwrap();
        Key {
            name: format!("{}-bit e={e}{name}", private.n().bits()),
            public: private.to_public_key(),
            private_exponent: private.d().clone(),
            oracle: Some(private),
        }
    }

    /// The public exponent becomes `d` (2048 bits or so), the private one 65537.
    fn swapped(key: &Key) -> Key {
        let private = key.oracle.as_ref().unwrap();
        Key {
            name: format!("{}-bit e of {} bits", private.n().bits(), private.d().bits()),
            public: RsaPublicKey::new_unchecked(private.n().clone(), private.d().clone()),
            private_exponent: private.e().clone(),
            oracle: None,
        }
    }

    fn bits(&self) -> usize {
        self.public.n().bits()
    }

    /// The signature length (the modulus's).
    fn k(&self) -> usize {
        self.bits().div_ceil(8)
    }

    fn der(&self) -> Vec<u8> {
        self.public.to_pkcs1_der().unwrap().as_bytes().to_vec()
    }

    /// Whether the policy accepts the key: 2048 to 4096 bits, a multiple of 8.
    fn allowed(&self) -> bool {
        (2048..=4096).contains(&self.bits()) && self.bits().is_multiple_of(8)
    }

    /// `em^d mod n`, `k` octets (the oracle's own RSADP when it holds the key).
    fn raw_sign(&self, em: &[u8]) -> Vec<u8> {
        let m = BigUint::from_bytes_be(em);
        assert!(&m < self.public.n());
        let s = match &self.oracle {
            Some(private) => rsa::hazmat::rsa_decrypt_and_check(private, None::<&mut Rng>, &m).unwrap(),
            None => m.modpow(&self.private_exponent, self.public.n()),
        };
        left_pad(&s.to_bytes_be(), self.k())
    }

    /// A valid signature: the oracle's signer when it holds the key, else an encoding of this
    /// file signed raw.
    fn sign(&self, scheme: RsaScheme, msg: &[u8], rng: &mut Rng) -> Vec<u8> {
        use rsa::{pkcs1v15, pss};
        let Some(private) = self.oracle.clone() else {
            let (pss, hash) = parts(scheme);
            let em = if pss {
                pss_encode(self.bits(), hash, hash, msg, &rng.bytes(hash.len()), 0x01, 0xbc)
            } else {
                pkcs1_encode(self.k(), &[&hash.digest_info(), &hash.digest(msg)])
            };
            return self.raw_sign(&em);
        };
        match scheme {
            RsaScheme::Pkcs1v15Sha256 => pkcs1v15::SigningKey::<Sha256>::new(private).sign(msg).to_vec(),
            RsaScheme::Pkcs1v15Sha384 => pkcs1v15::SigningKey::<Sha384>::new(private).sign(msg).to_vec(),
            RsaScheme::Pkcs1v15Sha512 => pkcs1v15::SigningKey::<Sha512>::new(private).sign(msg).to_vec(),
            RsaScheme::PssSha256 => pss::SigningKey::<Sha256>::new(private).sign_with_rng(rng, msg).to_vec(),
            RsaScheme::PssSha384 => pss::SigningKey::<Sha384>::new(private).sign_with_rng(rng, msg).to_vec(),
            RsaScheme::PssSha512 => pss::SigningKey::<Sha512>::new(private).sign_with_rng(rng, msg).to_vec(),
        }
    }
}

fn left_pad(bytes: &[u8], len: usize) -> Vec<u8> {
    let mut out = vec![0; len.saturating_sub(bytes.len())];
    out.extend_from_slice(bytes);
    out
}

/// `00 01 FF.. 00 T` filling `k` octets, `T` the concatenation of `t`.
fn pkcs1_encode(k: usize, t: &[&[u8]]) -> Vec<u8> {
    let t = t.concat();
    let mut em = vec![0x00, 0x01];
    em.resize(k - t.len() - 1, 0xff);
    em.push(0x00);
    em.extend_from_slice(&t);
    em
}

/// MGF1 (RFC 8017 B.2.1).
fn mgf1(hash: Hash, seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for counter in 0u32.. {
        if out.len() >= len {
            break;
        }
        out.extend(hash.digest(&[seed, &counter.to_be_bytes()].concat()));
    }
    out.truncate(len);
    out
}

/// EMSA-PSS-ENCODE (RFC 8017 9.1.1) with `emBits = bits - 1`, left-padded to the modulus
/// length; `separator` (0x01) and `trailer` (0xbc) as given, to craft wrong ones.
fn pss_encode(bits: usize, hash: Hash, mgf: Hash, msg: &[u8], salt: &[u8], separator: u8, trailer: u8) -> Vec<u8> {
    let em_bits = bits - 1;
    let em_len = em_bits.div_ceil(8);
    let m_hash = hash.digest(msg);
    let h = hash.digest(&[&[0u8; 8][..], &m_hash, salt].concat());
    let db_len = em_len - h.len() - 1;
    let mut db = vec![0u8; db_len - salt.len() - 1];
    db.push(separator);
    db.extend_from_slice(salt);
    for (b, m) in db.iter_mut().zip(mgf1(mgf, &h, db_len)) {
        *b ^= m;
    }
    db[0] &= 0xff >> (8 * em_len - em_bits);
    let em = [&db[..], &h, &[trailer]].concat();
    left_pad(&em, bits.div_ceil(8))
}

/// The oracle's verdict: the `rsa` crate's verifying keys (PSS with a salt as long as the hash).
fn oracle(key: &RsaPublicKey, scheme: RsaScheme, msg: &[u8], sig: &[u8]) -> bool {
    oracle_with_salt(key, scheme, msg, sig, None)
}

fn oracle_with_salt(key: &RsaPublicKey, scheme: RsaScheme, msg: &[u8], sig: &[u8], salt: Option<usize>) -> bool {
    use rsa::{pkcs1v15, pss};
    let key = key.clone();
    let (Ok(p), Ok(s)) = (pkcs1v15::Signature::try_from(sig), pss::Signature::try_from(sig)) else { return false };
    let pss_key = |len: usize| salt.unwrap_or(len);
    match scheme {
        RsaScheme::Pkcs1v15Sha256 => pkcs1v15::VerifyingKey::<Sha256>::new(key).verify(msg, &p).is_ok(),
        RsaScheme::Pkcs1v15Sha384 => pkcs1v15::VerifyingKey::<Sha384>::new(key).verify(msg, &p).is_ok(),
        RsaScheme::Pkcs1v15Sha512 => pkcs1v15::VerifyingKey::<Sha512>::new(key).verify(msg, &p).is_ok(),
        RsaScheme::PssSha256 => {
            pss::VerifyingKey::<Sha256>::new_with_salt_len(key, pss_key(32)).verify(msg, &s).is_ok()
        }
        RsaScheme::PssSha384 => {
            pss::VerifyingKey::<Sha384>::new_with_salt_len(key, pss_key(48)).verify(msg, &s).is_ok()
        }
        RsaScheme::PssSha512 => {
            pss::VerifyingKey::<Sha512>::new_with_salt_len(key, pss_key(64)).verify(msg, &s).is_ok()
        }
    }
}

/// Counts the cases where the device and the oracle agree; fails on the first disagreement.
#[derive(Default)]
struct Tally {
    agreed: usize,
    accepted: usize,
}

impl Tally {
    /// Ours must accept exactly what the oracle accepts under a key the policy allows; a key
    /// outside the policy is refused as `UnsupportedAlgorithm` whatever the signature.
    fn check(&mut self, key: &Key, der: &[u8], scheme: RsaScheme, msg: &[u8], sig: &[u8], what: &str) -> bool {
        let theirs = oracle(&key.public, scheme, msg, sig);
        let ours = verify_rsa(der, scheme, msg, sig);
        let want = if !key.allowed() {
            Err(CertError::UnsupportedAlgorithm)
        } else if theirs {
            Ok(())
        } else {
            Err(CertError::BadSignature)
        };
        assert_eq!(ours, want, "{} {scheme:?} {what}: oracle {theirs}", key.name);
        self.agreed += 1;
        self.accepted += usize::from(ours.is_ok());
        theirs
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn keys() -> Vec<Key> {
    let text = include_str!("data/rsa-keys.txt");
    let mut keys = Vec::new();
    let mut primes = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let f: Vec<&str> = line.split(' ').collect();
        let (e, p, q) = (f[1].parse().unwrap(), hex(f[2]), hex(f[3]));
        let suffix =
            if keys.iter().any(|k: &Key| k.name.starts_with(&format!("{}-bit e={e}", f[0]))) { " (b)" } else { "" };
        let key = Key::from_primes(&p, &q, e, suffix);
        assert_eq!(key.bits().to_string(), f[0]);
        primes.push((key.bits(), p, q));
        keys.push(key);
    }
    // e = 2^32 + 15 (prime): the largest exponents the oracle takes are 33 bits.
    for bits in [2048, 4096] {
        let (_, p, q) = primes.iter().find(|(b, ..)| *b == bits).unwrap();
        keys.push(Key::from_primes(p, q, (1 << 32) + 15, ""));
    }
    let first = keys.iter().find(|k| k.bits() == 2048).unwrap();
    keys.push(Key::swapped(first));
    keys
}

fn hex(s: &str) -> BigUint {
    BigUint::parse_bytes(s.as_bytes(), 16).unwrap()
}

#[test]
fn rsa_differential() {
    let started = Instant::now();
    let messages = env_usize("RSA_DIFF_MESSAGES", 4);
    let mut rng = Rng(env_usize("RSA_DIFF_SEED", 2026) as u64);
    let keys = keys();
    let mut tally = Tally::default();
    let seeds = std::env::var_os("RSA_FUZZ_SEEDS").map(std::path::PathBuf::from);
    let mut seeded = 0;
    for key in &keys {
        let der = key.der();
        let k = key.k();
        let n = key.public.n().to_bytes_be();
        // The large exponent costs 2048 squarings a check (debug build): fewer of them.
        let (schemes, messages) = if key.oracle.is_none() { (&SCHEMES[..4], 1) } else { (&SCHEMES[..], messages) };
        for _ in 0..messages {
            for &scheme in schemes {
                let len = rng.below(300);
                let msg = rng.bytes(len);
                let sig = key.sign(scheme, &msg, &mut rng);
                assert!(
                    tally.check(key, &der, scheme, &msg, &sig, "valid"),
                    "{} {scheme:?}: the oracle refused its own",
                    key.name
                );
                if let Some(dir) = &seeds {
                    write_rsa_seed(dir, seeded, key, scheme, &msg, &sig);
                    seeded += 1;
                }
                let mut flipped = sig.clone();
                let bit = rng.below(8 * k);
                flipped[bit / 8] ^= 0x80 >> (bit % 8);
                tally.check(key, &der, scheme, &msg, &flipped, "a bit flipped");
                tally.check(key, &der, scheme, &[&msg[..], b"."].concat(), &sig, "another message");
                let other = SCHEMES[(SCHEMES.iter().position(|&s| s == scheme).unwrap() + 1 + rng.below(5)) % 6];
                tally.check(key, &der, other, &msg, &sig, "another scheme");
                tally.check(key, &der, scheme, &msg, &sig[1..], "one octet short");
                tally.check(key, &der, scheme, &msg, &[&[0][..], &sig].concat(), "a zero octet before");
                tally.check(key, &der, scheme, &msg, &[&sig[..], &[0]].concat(), "a zero octet after");
                // s + n names the same residue: refused as >= n (when it fits in k octets).
                let plus_n = BigUint::from_bytes_be(&sig) + key.public.n();
                if plus_n.bits() <= 8 * k {
                    tally.check(key, &der, scheme, &msg, &left_pad(&plus_n.to_bytes_be(), k), "plus n");
                }
            }
        }
        // Signatures out of range.
        let msg = b"out of range";
        for (what, sig) in [
            ("n", left_pad(&n, k)),
            ("n + 1", left_pad(&(key.public.n() + 1u32).to_bytes_be(), k)),
            ("all ones", vec![0xff; k]),
            ("zero", vec![0; k]),
            ("one", left_pad(&[1], k)),
            ("n - 1", left_pad(&(key.public.n() - 1u32).to_bytes_be(), k)),
            ("empty", vec![]),
        ] {
            tally.check(key, &der, RsaScheme::Pkcs1v15Sha256, msg, &sig, what);
            tally.check(key, &der, RsaScheme::PssSha256, msg, &sig, what);
        }
        if key.oracle.is_some() {
            // One hash a key, in turn.
            let i = keys.iter().position(|k| std::ptr::eq(k, key)).unwrap();
            crafted(key, &der, [Hash::Sha256, Hash::Sha384, Hash::Sha512][i % 3], &mut rng, &mut tally);
        }
    }
    leading_zero(&keys, &mut rng, &mut tally);
    let sizes: Vec<String> = keys.iter().map(|k| k.name.clone()).collect();
    println!(
        "rsa differential: {} signatures agreed ({} accepted; {} keys: {}) in {:.1?}",
        tally.agreed,
        tally.accepted,
        keys.len(),
        sizes.join(", "),
        started.elapsed()
    );
}

/// An input of the `rsa` fuzz target (fuzz/fuzz_targets/rsa.rs): the key as DER every other
/// one, else as its modulus and exponent.
fn write_rsa_seed(dir: &std::path::Path, i: usize, key: &Key, scheme: RsaScheme, msg: &[u8], sig: &[u8]) {
    let field = |out: &mut Vec<u8>, data: &[u8]| {
        out.extend_from_slice(&(data.len() as u16).to_be_bytes());
        out.extend_from_slice(data);
    };
    let as_der = i % 2 == 1;
    let mut out = vec![SCHEMES.iter().position(|&s| s == scheme).unwrap() as u8 | if as_der { 0x80 } else { 0 }];
    if as_der {
        field(&mut out, &key.der());
    } else {
        field(&mut out, &key.public.n().to_bytes_be());
        field(&mut out, &key.public.e().to_bytes_be());
    }
    field(&mut out, msg);
    out.extend_from_slice(sig);
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(format!("rsa-{i}")), out).unwrap();
}

/// Encoded messages with one rule broken each, signed raw: the oracle and ours must refuse
/// them all (the untouched encodings are accepted by both).
fn crafted(key: &Key, der: &[u8], hash: Hash, rng: &mut Rng, tally: &mut Tally) {
    let k = key.k();
    let msg = rng.bytes(40);
    {
        let scheme = SCHEMES[[Hash::Sha256, Hash::Sha384, Hash::Sha512].iter().position(|&h| h == hash).unwrap()];
        let (info, digest) = (hash.digest_info(), hash.digest(&msg));
        let good = pkcs1_encode(k, &[&info, &digest]);
        let mut cases: Vec<(&str, Vec<u8>)> = vec![("PKCS#1 as is", good.clone())];
        let mut with = |what, f: &dyn Fn(&mut Vec<u8>)| {
            let mut em = good.clone();
            f(&mut em);
            cases.push((what, em));
        };
        with("first octet 01", &|em| em[0] = 0x01);
        with("block type 02", &|em| em[1] = 0x02);
        with("block type 00", &|em| em[1] = 0x00);
        with("a padding octet FE", &|em| {
            let at = 2 + (em.len() - 70) / 2;
            em[at] = 0xfe;
        });
        with("no zero separator", &|em| {
            let at = em.len() - info.len() - digest.len() - 1;
            em[at] = 0xff;
        });
        with("digest flipped", &|em| *em.last_mut().unwrap() ^= 1);
        with("DigestInfo tag flipped", &|em| {
            let at = em.len() - info.len() - digest.len();
            em[at] ^= 0x20;
        });
        cases.push(("DigestInfo without NULL", {
            // 30 (len-2) 30 0b 06 09 OID 04 len H: parameters absent (RFC 8017 allows only NULL here).
            let mut t = info.clone();
            t.drain(15..17);
            t[1] -= 2;
            t[3] -= 2;
            pkcs1_encode(k, &[&t, &digest])
        }));
        cases.push(("a short padding and a trailing octet", {
            let mut em = pkcs1_encode(k, &[&info, &digest, &[0]]);
            em.truncate(k);
            em
        }));
        cases.push(("another hash's DigestInfo", {
            let other = if hash == Hash::Sha256 { Hash::Sha512 } else { Hash::Sha256 };
            pkcs1_encode(k, &[&other.digest_info(), &digest])
        }));
        for (what, em) in cases {
            let ok = tally.check(key, der, scheme, &msg, &key.raw_sign(&em), what);
            assert_eq!(ok, what == "PKCS#1 as is", "{} {hash:?} {what}", key.name);
        }

        let pss = SCHEMES[3 + [Hash::Sha256, Hash::Sha384, Hash::Sha512].iter().position(|&h| h == hash).unwrap()];
        let salt = rng.bytes(hash.len());
        let bits = key.bits();
        let other = if hash == Hash::Sha256 { Hash::Sha384 } else { Hash::Sha256 };
        let mut cases = vec![
            ("PSS as is", pss_encode(bits, hash, hash, &msg, &salt, 0x01, 0xbc)),
            ("trailer BB", pss_encode(bits, hash, hash, &msg, &salt, 0x01, 0xbb)),
            ("separator 02", pss_encode(bits, hash, hash, &msg, &salt, 0x02, 0xbc)),
            ("separator 00", pss_encode(bits, hash, hash, &msg, &salt, 0x00, 0xbc)),
            ("MGF1 of another hash", pss_encode(bits, hash, other, &msg, &salt, 0x01, 0xbc)),
            ("another message's hash", pss_encode(bits, hash, hash, b"other", &salt, 0x01, 0xbc)),
        ];
        let good = cases[0].1.clone();
        let mut h_flipped = good.clone();
        h_flipped[k - 2] ^= 1;
        cases.push(("H flipped", h_flipped));
        let mut masked_flipped = good.clone();
        masked_flipped[5] ^= 0x10;
        cases.push(("a padding octet changed", masked_flipped));
        let mut top = good.clone();
        top[0] |= 0x80;
        if BigUint::from_bytes_be(&top) < *key.public.n() {
            cases.push(("the leading bit set", top));
        }
        for (what, em) in cases {
            let ok = tally.check(key, der, pss, &msg, &key.raw_sign(&em), what);
            assert_eq!(ok, what == "PSS as is", "{} {hash:?} {what}", key.name);
        }
        // Salts of other lengths: valid PSS signatures the oracle accepts with that length,
        // and ours (and the oracle held to TLS 1.3's length) refuses.
        let private = key.oracle.clone().unwrap();
        let max = k - hash.len() - 2;
        for salt_len in [0, 1, 20, hash.len() - 1, hash.len() + 1, max] {
            let sig = match hash {
                Hash::Sha256 => rsa::pss::SigningKey::<Sha256>::new_with_salt_len(private.clone(), salt_len)
                    .sign_with_rng(rng, &msg)
                    .to_vec(),
                Hash::Sha384 => rsa::pss::SigningKey::<Sha384>::new_with_salt_len(private.clone(), salt_len)
                    .sign_with_rng(rng, &msg)
                    .to_vec(),
                Hash::Sha512 => rsa::pss::SigningKey::<Sha512>::new_with_salt_len(private.clone(), salt_len)
                    .sign_with_rng(rng, &msg)
                    .to_vec(),
            };
            assert!(oracle_with_salt(&key.public, pss, &msg, &sig, Some(salt_len)), "{} salt {salt_len}", key.name);
            assert!(!tally.check(key, der, pss, &msg, &sig, "another salt length"), "{} salt {salt_len}", key.name);
        }
    }
}

/// A valid signature whose first octet is zero (about one in 256): accepted as is by both,
/// refused by both with that octet left out.
fn leading_zero(keys: &[Key], rng: &mut Rng, tally: &mut Tally) {
    for key in keys.iter().filter(|k| k.allowed() && k.bits() == 2048 && k.oracle.is_some()).take(1) {
        let der = key.der();
        let (sig, msg) = (0..4096)
            .map(|i| {
                let msg = format!("leading zero {i}").into_bytes();
                (key.sign(RsaScheme::PssSha256, &msg, rng), msg)
            })
            .find(|(sig, _)| sig[0] == 0)
            .expect("no signature with a leading zero octet in 4096 tries");
        assert!(tally.check(key, &der, RsaScheme::PssSha256, &msg, &sig, "a leading zero octet"));
        assert!(!tally.check(key, &der, RsaScheme::PssSha256, &msg, &sig[1..], "the leading zero left out"));
    }
}

/// DigiCert's RSA roots (Tencent Cloud's endpoints chain to Global Root G2): their own
/// signatures, real PKCS#1 v1.5 SHA-256 and SHA-384 ones, verify; each root is a trust anchor.
#[test]
fn digicert_roots_verify_themselves() {
    for (der, scheme, bits) in [
        (&include_bytes!("data/digicert-global-root-g2.der")[..], RsaScheme::Pkcs1v15Sha256, 2048),
        (&include_bytes!("data/digicert-tls-rsa4096-root-g5.der")[..], RsaScheme::Pkcs1v15Sha384, 4096),
    ] {
        let (tbs, key, sig) = cert_parts(der);
        assert_eq!(verify_rsa(key, scheme, tbs, sig), Ok(()));
        let public = <RsaPublicKey as rsa::pkcs1::DecodeRsaPublicKey>::from_pkcs1_der(key).unwrap();
        assert_eq!(public.n().bits(), bits);
        assert!(oracle(&public, scheme, tbs, sig));
        let mut bad = sig.to_vec();
        bad[100] ^= 4;
        assert_eq!(verify_rsa(key, scheme, tbs, &bad), Err(CertError::BadSignature));
        assert_eq!(verify_rsa(key, RsaScheme::PssSha256, tbs, sig), Err(CertError::BadSignature));
        assert!(TrustAnchor::from_der(der).is_ok());
    }
}

/// One DER element: (tag, contents, the rest).
fn tlv(data: &[u8]) -> (u8, &[u8], &[u8]) {
    let (tag, first) = (data[0], data[1]);
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let count = usize::from(first & 0x7f);
        (data[2..2 + count].iter().fold(0, |a, &b| a << 8 | usize::from(b)), 2 + count)
    };
    (tag, &data[header..header + len], &data[header + len..])
}

/// A certificate's tbsCertificate (whole), RSA public key (PKCS#1) and signature.
fn cert_parts(der: &[u8]) -> (&[u8], &[u8], &[u8]) {
    let (_, cert, _) = tlv(der);
    let (_, tbs_value, rest) = tlv(cert);
    let tbs = &cert[..cert.len() - rest.len()];
    let (_, _, rest) = tlv(rest);
    let (_, sig, _) = tlv(rest);
    // version, serial, signature, issuer, validity, subject, subjectPublicKeyInfo
    let mut t = tbs_value;
    for _ in 0..6 {
        t = tlv(t).2;
    }
    let (_, spki, _) = tlv(t);
    let (_, key, _) = tlv(tlv(spki).2);
    (tbs, &key[1..], &sig[1..])
}

/// Keys the rules refuse: DER (non-minimal, negative, trailing data), RFC 8017 (even modulus,
/// e even, 1 or >= n) and the policy (sizes).
#[test]
fn key_encodings() {
    fn int(v: &[u8]) -> Vec<u8> {
        let mut out = vec![0x02];
        out.extend(der_len(v.len()));
        out.extend_from_slice(v);
        out
    }
    fn seq(parts: &[&[u8]]) -> Vec<u8> {
        let body = parts.concat();
        let mut out = vec![0x30];
        out.extend(der_len(body.len()));
        out.extend(body);
        out
    }
    let mut n = vec![0u8];
    n.extend(std::iter::repeat_n(0xc5, 255));
    n.push(0x01); // 00 || 2048 bits, odd
    let e = [1u8, 0, 1];
    let sig = vec![1u8; 256];
    let check = |der: &[u8]| verify_rsa(der, RsaScheme::Pkcs1v15Sha256, b"m", &sig);
    assert_eq!(check(&seq(&[&int(&n), &int(&e)])), Err(CertError::BadSignature));
    let bad = CertError::Malformed;
    assert_eq!(check(&seq(&[&int(&[&[0][..], &n].concat()), &int(&e)])), Err(bad), "non-minimal n");
    assert_eq!(check(&seq(&[&int(&n[1..]), &int(&e)])), Err(bad), "negative n");
    assert_eq!(check(&seq(&[&int(&n), &int(&[0, 1, 0, 1])])), Err(bad), "non-minimal e");
    assert_eq!(check(&seq(&[&int(&n), &int(&[0x81])])), Err(bad), "negative e");
    assert_eq!(check(&seq(&[&int(&n), &int(&e), &int(&e)])), Err(bad), "a third integer");
    assert_eq!(check(&[seq(&[&int(&n), &int(&e)]), vec![0]].concat()), Err(bad), "trailing data");
    assert_eq!(check(&seq(&[&int(&n)])), Err(bad), "no exponent");
    let mut even = n.clone();
    *even.last_mut().unwrap() = 2;
    assert_eq!(check(&seq(&[&int(&even), &int(&e)])), Err(bad), "even modulus");
    for e in [&[1u8][..], &[2], &[0], &[1, 0, 0]] {
        assert_eq!(check(&seq(&[&int(&n), &int(e)])), Err(bad), "e = {e:?}");
    }
    assert_eq!(check(&seq(&[&int(&n), &int(&n)])), Err(bad), "e = n");
    let mut n_minus_2 = n.clone();
    *n_minus_2.last_mut().unwrap() = 0xff;
    *n_minus_2.iter_mut().rev().nth(1).unwrap() = 0xc4;
    assert_eq!(check(&seq(&[&int(&n), &int(&n_minus_2)])), Err(CertError::BadSignature), "e = n - 2");
    assert_eq!(check(&seq(&[&int(&n), &int(&[3])])), Err(CertError::BadSignature), "e = 3");
    // Sizes: 2047 bits (not a multiple of 8, and under 2048), 2040, 4104.
    let unsupported = CertError::UnsupportedAlgorithm;
    let mut small = n.clone();
    small[1] = 0x45;
    assert_eq!(check(&seq(&[&int(&small[1..]), &int(&e)])), Err(unsupported), "2047 bits");
    assert_eq!(check(&seq(&[&int(&n[..256]), &int(&e)])), Err(unsupported), "2040 bits");
    let big = [&[0u8][..], &[0xc5; 512], &[1]].concat();
    assert_eq!(check(&seq(&[&int(&big), &int(&e)])), Err(unsupported), "4104 bits");
    assert_eq!(check(b"junk"), Err(bad));
}

fn der_len(len: usize) -> Vec<u8> {
    match len {
        0..0x80 => vec![len as u8],
        0x80..0x100 => vec![0x81, len as u8],
        _ => vec![0x82, (len >> 8) as u8, len as u8],
    }
}

/// Random keys, exponents and signatures: refused, never a panic (the arithmetic on
/// arbitrary numbers, as the fuzz target runs it).
#[test]
fn random_keys_never_panic() {
    let mut rng = Rng(7);
    let mut count = 0;
    for _ in 0..150 {
        let k = [256, 257, 300, 384, 511, 512][rng.below(6)];
        let mut n = rng.bytes(k);
        n[0] |= 0x80;
        n[k - 1] |= 1;
        let e_len = [1, 3, 4, 9][rng.below(4)];
        let mut e = rng.bytes(e_len);
        e[0] |= 1;
        e[e_len - 1] |= 1;
        let key = RsaPublicKey::new_unchecked(BigUint::from_bytes_be(&n), BigUint::from_bytes_be(&e));
        let der = key.to_pkcs1_der().unwrap().as_bytes().to_vec();
        let mut sig = rng.bytes(k);
        sig[0] &= 0x7f;
        let scheme = SCHEMES[rng.below(6)];
        let ours = verify_rsa(&der, scheme, b"random", &sig);
        let e_ok = e != [1];
        assert!(ours.is_err(), "{n:02x?} {e:02x?}");
        if e_ok {
            assert_eq!(ours, Err(CertError::BadSignature));
            assert!(!oracle(&key, scheme, b"random", &sig));
        }
        // Arbitrary bytes as the key.
        let len = rng.below(40);
        let junk = rng.bytes(len);
        let _ = verify_rsa(&junk, scheme, b"random", &sig);
        count += 1;
    }
    println!("rsa random keys: {count} refused, no panic");
}

// ---------------------------------------------------------------------------------------
// Whole chains through `Verifier`, the TLS 1.3 CertificateVerify included.

/// An oracle-held RSA key as an rcgen key: signs certificates with PKCS#1 v1.5 and the
/// hash of `alg`, whatever its exponent.
struct CertKey<'a> {
    key: &'a Key,
    der: Vec<u8>,
    alg: &'static SignatureAlgorithm,
}

impl<'a> CertKey<'a> {
    fn new(key: &'a Key, alg: &'static SignatureAlgorithm) -> Self {
        Self { key, der: key.der(), alg }
    }
}

impl PublicKeyData for CertKey<'_> {
    fn der_bytes(&self) -> &[u8] {
        &self.der
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        self.alg
    }
}

impl SigningKey for CertKey<'_> {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        let hash = if self.alg == &rcgen::PKCS_RSA_SHA384 {
            Hash::Sha384
        } else if self.alg == &rcgen::PKCS_RSA_SHA512 {
            Hash::Sha512
        } else {
            Hash::Sha256
        };
        Ok(self.key.raw_sign(&pkcs1_encode(self.key.k(), &[&hash.digest_info(), &hash.digest(msg)])))
    }
}

fn ca_params(name: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, name);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.use_authority_key_identifier_extension = true;
    p
}

fn leaf_params() -> CertificateParams {
    let mut p = CertificateParams::new(vec![HOST.to_string()]).unwrap();
    p.distinguished_name.push(DnType::CommonName, HOST);
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    p.use_authority_key_identifier_extension = true;
    p
}

/// root -> intermediate -> leaf, each signing with its `alg`: (anchor, chain).
fn chain(keys: [(&Key, &'static SignatureAlgorithm); 3]) -> (Vec<u8>, Vec<Vec<u8>>) {
    let [(root, root_alg), (int, int_alg), (leaf, leaf_alg)] = keys;
    let root = CertifiedIssuer::self_signed(ca_params("RSA root"), CertKey::new(root, root_alg)).unwrap();
    let int = CertifiedIssuer::signed_by(ca_params("RSA intermediate"), CertKey::new(int, int_alg), &root).unwrap();
    let leaf = leaf_params().signed_by(&CertKey::new(leaf, leaf_alg), &int).unwrap();
    (root.der().to_vec(), vec![leaf.der().to_vec(), int.der().to_vec()])
}

/// Runs a handshake's two checks: the chain, then the CertificateVerify signed by `leaf`
/// with `scheme` (PSS salt of `salt_len`) over `transcript`; what `finish` says.
fn handshake(
    anchor: &[u8],
    chain: &[Vec<u8>],
    leaf: &Key,
    scheme: SignatureScheme,
    salt_len: Option<usize>,
    rng: &mut Rng,
) -> (Result<(), CertError>, Vec<u8>) {
    let mut transcript = Sha256::new();
    transcript.update(b"ClientHello..Certificate");
    let signature = certificate_verify(leaf, scheme, salt_len, &transcript, rng);
    let mut v = Verifier::new(TrustAnchor::from_der(anchor).unwrap(), HOST, Some(NOW));
    let mut cert = CertificateRef::with_context(&[]);
    for der in chain {
        cert.entries.push(CertificateEntryRef::X509(der)).unwrap();
    }
    if TlsVerifier::verify_certificate(&mut v, &transcript, cert).is_ok() {
        let _ = TlsVerifier::verify_signature(
            &mut v,
            CertificateVerifyRef { signature_scheme: scheme, signature: &signature },
        );
    }
    (v.finish().map(|_| ()).map_err(|e| v.failure().unwrap_or(e)), signature)
}

/// The CertificateVerify signature of `leaf` over `transcript` (RFC 8446 4.4.3).
fn certificate_verify(
    leaf: &Key,
    scheme: SignatureScheme,
    salt_len: Option<usize>,
    transcript: &Sha256,
    rng: &mut Rng,
) -> Vec<u8> {
    let content =
        [&[0x20u8; 64][..], b"TLS 1.3, server CertificateVerify\x00", &transcript.clone().finalize()].concat();
    let hash = match scheme {
        SignatureScheme::RsaPssRsaeSha384 => Hash::Sha384,
        SignatureScheme::RsaPssRsaeSha512 => Hash::Sha512,
        _ => Hash::Sha256,
    };
    let salt = rng.bytes(salt_len.unwrap_or(hash.len()));
    match scheme {
        SignatureScheme::RsaPkcs1Sha256 => leaf.sign(RsaScheme::Pkcs1v15Sha256, &content, rng),
        _ => leaf.raw_sign(&pss_encode(leaf.bits(), hash, hash, &content, &salt, 0x01, 0xbc)),
    }
}

#[test]
fn rsa_chains() {
    let keys = keys();
    let find = |name: &str| keys.iter().find(|k| k.name == name).unwrap_or_else(|| panic!("{name}"));
    let mut rng = Rng(11);
    let (sha256, sha384, sha512) = (&rcgen::PKCS_RSA_SHA256, &rcgen::PKCS_RSA_SHA384, &rcgen::PKCS_RSA_SHA512);
    let (r2048, r2048b, r4096) = (find("2048-bit e=65537"), find("2048-bit e=65537 (b)"), find("4096-bit e=65537"));
    let seeds = std::env::var_os("PKI_FUZZ_SEEDS").map(std::path::PathBuf::from);
    let mut seeded = 0;

    // As Tencent Cloud's endpoints: RSA-2048 root, RSA-4096 intermediate, RSA-2048 leaf, SHA-256.
    let (anchor, c) = chain([(r2048, sha256), (r4096, sha256), (r2048b, sha256)]);
    for scheme in
        [SignatureScheme::RsaPssRsaeSha256, SignatureScheme::RsaPssRsaeSha384, SignatureScheme::RsaPssRsaeSha512]
    {
        let (result, _) = handshake(&anchor, &c, r2048b, scheme, None, &mut rng);
        assert_eq!(result, Ok(()), "{scheme:?}");
        if let Some(dir) = &seeds {
            write_seed(dir, &format!("rsa-chain-{seeded}"), &anchor, &c, r2048b, scheme, &mut rng);
            seeded += 1;
        }
    }
    // The intermediate missing; the leaf alone under the intermediate as anchor.
    let (result, _) = handshake(&anchor, &c[..1], r2048b, SignatureScheme::RsaPssRsaeSha256, None, &mut rng);
    assert_eq!(result, Err(CertError::UnknownIssuer));
    let (result, _) = handshake(&c[1], &c[..1], r2048b, SignatureScheme::RsaPssRsaeSha256, None, &mut rng);
    assert_eq!(result, Ok(()));
    // TLS 1.3 allows PSS only, its salt as long as the hash; PKCS#1 v1.5 is for certificates.
    let (result, _) = handshake(&anchor, &c, r2048b, SignatureScheme::RsaPkcs1Sha256, None, &mut rng);
    assert_eq!(result, Err(CertError::UnsupportedAlgorithm));
    let (result, _) = handshake(&anchor, &c, r2048b, SignatureScheme::RsaPssRsaeSha256, Some(20), &mut rng);
    assert_eq!(result, Err(CertError::BadHandshakeSignature));
    let (result, _) = handshake(&anchor, &c, r2048, SignatureScheme::RsaPssRsaeSha256, None, &mut rng);
    assert_eq!(result, Err(CertError::BadHandshakeSignature), "signed by another key");
    // A signature of the chain broken.
    let mut broken = c.clone();
    let last = broken[1].len() - 1;
    broken[1][last] ^= 1;
    let (result, _) = handshake(
        &anchor,
        &[c[0].clone(), broken[1].clone()],
        r2048b,
        SignatureScheme::RsaPssRsaeSha256,
        None,
        &mut rng,
    );
    assert_eq!(result, Err(CertError::BadSignature));
    let mut broken_leaf = c[0].clone();
    let last = broken_leaf.len() - 1;
    broken_leaf[last] ^= 1;
    let (result, _) =
        handshake(&anchor, &[broken_leaf, c[1].clone()], r2048b, SignatureScheme::RsaPssRsaeSha256, None, &mut rng);
    assert_eq!(result, Err(CertError::BadSignature));

    // Other sizes, hashes and exponents: a 4096-bit e=3 root signing with SHA-384, a 3072-bit
    // intermediate with SHA-512, a 2304-bit leaf.
    let (anchor, c) =
        chain([(find("4096-bit e=3"), sha384), (find("3072-bit e=65537"), sha512), (find("2304-bit e=65537"), sha256)]);
    let (result, _) =
        handshake(&anchor, &c, find("2304-bit e=65537"), SignatureScheme::RsaPssRsaeSha384, None, &mut rng);
    assert_eq!(result, Ok(()));
    if let Some(dir) = &seeds {
        write_seed(
            dir,
            "rsa-chain-sizes",
            &anchor,
            &c,
            find("2304-bit e=65537"),
            SignatureScheme::RsaPssRsaeSha384,
            &mut rng,
        );
        seeded += 1;
    }
    // Large exponents: a 2048-bit one on the intermediate and on the leaf (kept for the
    // CertificateVerify: modulus and exponent fit the verifier's 516 octets), and a 33-bit one
    // on a 4096-bit intermediate; a 4096-bit leaf with a 33-bit exponent does not fit.
    let swapped = keys.iter().find(|k| k.oracle.is_none()).unwrap();
    let (e33_2048, e33_4096) = (find("2048-bit e=4294967311"), find("4096-bit e=4294967311"));
    let (anchor, c) = chain([(r2048, sha256), (swapped, sha256), (swapped, sha256)]);
    assert_eq!(handshake(&anchor, &c, swapped, SignatureScheme::RsaPssRsaeSha256, None, &mut rng).0, Ok(()));
    let (anchor, c) = chain([(r2048, sha256), (e33_4096, sha256), (e33_2048, sha256)]);
    assert_eq!(handshake(&anchor, &c, e33_2048, SignatureScheme::RsaPssRsaeSha512, None, &mut rng).0, Ok(()));
    let (anchor, c) = chain([(r2048, sha256), (r2048b, sha256), (e33_4096, sha256)]);
    let (result, _) = handshake(&anchor, &c, e33_4096, SignatureScheme::RsaPssRsaeSha256, None, &mut rng);
    assert_eq!(result, Err(CertError::UnsupportedAlgorithm));
    // Keys outside the policy anywhere in the chain.
    for bad in ["2052-bit e=65537", "2040-bit e=65537", "4104-bit e=65537"] {
        let (anchor, c) = chain([(r2048, sha256), (find(bad), sha256), (r2048b, sha256)]);
        let (result, _) = handshake(&anchor, &c, r2048b, SignatureScheme::RsaPssRsaeSha256, None, &mut rng);
        assert_eq!(result, Err(CertError::UnsupportedAlgorithm), "{bad} intermediate");
        let (anchor, c) = chain([(r2048, sha256), (r2048b, sha256), (find(bad), sha256)]);
        let (result, _) = handshake(&anchor, &c, find(bad), SignatureScheme::RsaPssRsaeSha256, None, &mut rng);
        assert_eq!(result, Err(CertError::UnsupportedAlgorithm), "{bad} leaf");
    }
    if let Some(dir) = &seeds {
        println!("rsa chains: {seeded} fuzz seeds written to {}", dir.display());
    }
}

/// An input of the `pki` fuzz target (fuzz/fuzz_targets/pki.rs): anchor, chain, host, scheme,
/// CertificateVerify signature, over the target's transcript (the hash of nothing).
fn write_seed(
    dir: &std::path::Path,
    name: &str,
    anchor: &[u8],
    chain: &[Vec<u8>],
    leaf: &Key,
    scheme: SignatureScheme,
    rng: &mut Rng,
) {
    let signature = certificate_verify(leaf, scheme, None, &Sha256::new(), rng);
    let mut out = Vec::new();
    let field = |out: &mut Vec<u8>, data: &[u8]| {
        out.extend_from_slice(&(data.len() as u16).to_be_bytes());
        out.extend_from_slice(data);
    };
    field(&mut out, anchor);
    out.push(chain.len() as u8);
    for cert in chain {
        field(&mut out, cert);
    }
    out.push(HOST.len() as u8);
    out.extend_from_slice(HOST.as_bytes());
    out.push(match scheme {
        SignatureScheme::RsaPssRsaeSha256 => 2,
        SignatureScheme::RsaPssRsaeSha384 => 3,
        SignatureScheme::RsaPssRsaeSha512 => 4,
        _ => 5,
    });
    out.extend_from_slice(&signature);
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(name), out).unwrap();
}
