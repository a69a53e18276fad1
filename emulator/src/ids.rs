//! Request ids and minted credentials: a SHA-256 counter-mode generator (test quality, not crypto).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use sha2::{Digest, Sha256};

pub(crate) struct IdGen {
    seed: [u8; 32],
    counter: u64,
}

impl IdGen {
    pub(crate) fn new() -> Self {
        let mut h = Sha256::new();
        for _ in 0..4 {
            let mut hasher = RandomState::new().build_hasher();
            hasher.write_u64(0);
            h.update(hasher.finish().to_le_bytes());
        }
        h.update(crate::clock::system_now_ms().to_le_bytes());
        h.update(std::process::id().to_le_bytes());
        IdGen { seed: h.finalize().into(), counter: 0 }
    }

    fn block(&mut self) -> [u8; 32] {
        self.counter += 1;
        let mut h = Sha256::new();
        h.update(self.seed);
        h.update(self.counter.to_le_bytes());
        h.finalize().into()
    }

    /// A random (version 4 layout) UUID, lower-case hyphenated.
    pub(crate) fn uuid(&mut self) -> String {
        let mut b = self.block();
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h = hex::encode(&b[..16]);
        format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
    }

    /// `n` random ASCII letters and digits.
    pub(crate) fn alnum(&mut self, n: usize) -> String {
        self.pick(n, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    }

    /// `n` random lower-case ASCII letters and digits (resource ids: `ins-` + 8 of these).
    pub(crate) fn lower_alnum(&mut self, n: usize) -> String {
        self.pick(n, b"abcdefghijklmnopqrstuvwxyz0123456789")
    }

    fn pick(&mut self, n: usize, chars: &[u8]) -> String {
        let mut out = String::with_capacity(n);
        while out.len() < n {
            for b in self.block() {
                if out.len() == n {
                    break;
                }
                out.push(chars[usize::from(b) % chars.len()] as char);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let mut g = IdGen::new();
        let u = g.uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_ne!(u, g.uuid());
        assert_eq!(g.alnum(100).len(), 100);
        let id = g.lower_alnum(8);
        assert!(id.len() == 8 && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    }
}
