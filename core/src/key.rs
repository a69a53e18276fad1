//! The TC3 signing key (`HMAC(HMAC(HMAC("TC3" + key, date), service), "tc3_request")`)
//! and the cache that keeps keyed HMACs per (secret id, key, date, service).

use core::fmt;

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::credential::Credential;
use crate::time::Date;

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// The derived TC3 signing key: `HMAC(HMAC(HMAC("TC3" + key, date), service), "tc3_request")`.
///
/// `Debug` never shows it.
#[derive(Clone)]
pub struct SigningKey([u8; 32]);

impl SigningKey {
    /// Derives the key for one secret key, UTC date and service (three HMACs).
    pub fn derive(secret_key: &str, date: &Date, service: &str) -> Self {
        let mut k = keyed_concat(b"TC3", secret_key.as_bytes());
        k.update(&date.as_str_bytes());
        let k_date = k.finalize().into_bytes();
        let k_service = hmac_once(&k_date, service.as_bytes());
        let k_signing = hmac_once(&k_service, b"tc3_request");
        Self(k_signing)
    }

    /// The raw key bytes (secret).
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// An HMAC-SHA256 keyed with this key, ready to take the string to sign.
    pub(crate) fn mac(&self) -> HmacSha256 {
        hmac_key(&self.0)
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

/// An HMAC-SHA256 keyed with `key`. HMAC takes keys of every length, so the error
/// branch never runs; it keeps the function total without a panic path.
pub(crate) fn hmac_key(key: &[u8]) -> HmacSha256 {
    <HmacSha256 as KeyInit>::new_from_slice(key).unwrap_or_else(|_| <HmacSha256 as KeyInit>::new(&Default::default()))
}

/// An HMAC keyed with `prefix + key`, concatenated on the stack (and wiped), or, past
/// one block, hashed by streaming first as RFC 2104 does for long keys.
fn keyed_concat(prefix: &[u8], key: &[u8]) -> HmacSha256 {
    let mut block = [0u8; 64];
    let total = prefix.len() + key.len();
    if total <= block.len() {
        let (head, tail) = block.split_at_mut(prefix.len().min(64));
        head.copy_from_slice(prefix);
        if let Some(dst) = tail.get_mut(..key.len()) {
            dst.copy_from_slice(key);
        }
        let mac = hmac_key(block.get(..total).unwrap_or(&[]));
        block.fill(0);
        mac
    } else {
        let mut h = Sha256::new();
        h.update(prefix);
        h.update(key);
        hmac_key(&h.finalize())
    }
}

fn hmac_once(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut mac = hmac_key(key);
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// A cache of keyed signing HMACs by (secret id, secret key, date, service), so repeated
/// calls skip the three-HMAC key derivation and the HMAC key setup. Holds `N` entries
/// and replaces them in turn.
pub struct SigningKeyCache<const N: usize = 4> {
    entries: [Option<CacheEntry>; N],
    next: usize,
}

struct CacheEntry {
    date: Date,
    service: heapless::String<32>,
    secret_id: heapless::String<128>,
    key_fingerprint: u64,
    mac: HmacSha256,
}

/// FNV-1a: tells keys apart for one secret id without storing the key.
fn fingerprint(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

impl<const N: usize> SigningKeyCache<N> {
    /// An empty cache.
    pub const fn new() -> Self {
        Self { entries: [const { None }; N], next: 0 }
    }

    /// Forgets every key.
    pub fn clear(&mut self) {
        self.entries = [const { None }; N];
    }

    /// The keyed HMAC for these inputs, derived and remembered on a miss.
    pub(crate) fn mac(&mut self, cred: &Credential<'_>, date: &Date, service: &str) -> HmacSha256 {
        let fp = fingerprint(cred.secret_key());
        let hit = self.entries.iter().flatten().find(|e| {
            e.date == *date && e.service == service && e.secret_id == cred.secret_id() && e.key_fingerprint == fp
        });
        if let Some(e) = hit {
            return e.mac.clone();
        }
        trace!("tc3: deriving the signing key for {}/{}", date, service);
        let mac = SigningKey::derive(cred.secret_key(), date, service).mac();
        let mut entry_service = heapless::String::new();
        let mut entry_id = heapless::String::new();
        if N > 0 && entry_service.push_str(service).is_ok() && entry_id.push_str(cred.secret_id()).is_ok() {
            if let Some(slot) = self.entries.get_mut(self.next) {
                *slot = Some(CacheEntry {
                    date: *date,
                    service: entry_service,
                    secret_id: entry_id,
                    key_fingerprint: fp,
                    mac: mac.clone(),
                });
            }
            self.next = (self.next + 1) % N;
        }
        mac
    }
}

impl<const N: usize> Default for SigningKeyCache<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> fmt::Debug for SigningKeyCache<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeyCache").field("entries", &self.entries.iter().flatten().count()).finish()
    }
}
