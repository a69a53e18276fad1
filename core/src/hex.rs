//! Lower-case hex of SHA-256 digests, on the stack.

/// Lower-case hex of a 32-byte digest.
pub(crate) fn hex32(digest: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    // A 64-byte output always fits 32 input bytes, so this cannot fail.
    let _ = base16ct::lower::encode(digest, &mut out);
    out
}

/// The hex bytes as `&str` (they are always ASCII).
pub(crate) fn hex_str(hex: &[u8; 64]) -> &str {
    core::str::from_utf8(hex).unwrap_or("")
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes() {
        let mut d = [0u8; 32];
        d[0] = 0xab;
        d[31] = 0x0f;
        let h = super::hex32(&d);
        assert!(super::hex_str(&h).starts_with("ab00"));
        assert!(super::hex_str(&h).ends_with("000f"));
    }
}
