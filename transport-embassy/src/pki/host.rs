//! The server's name as the firmware asked for it, matched against a certificate's
//! subjectAltName (RFC 6125; the subject CN is never used).

use super::der::Malformed;
use super::x509::{self, Name};

/// A host: an IP literal (IPv4, or IPv6 with or without brackets) or a DNS name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Host<'a> {
    /// The address's bytes: 4 (IPv4, a trailing dot allowed) or 16 (IPv6) of them.
    Ip([u8; 16], usize),
    /// A syntactically valid DNS name, without a trailing dot.
    Dns(&'a [u8]),
    /// Neither: matches nothing.
    Invalid,
}

impl<'a> Host<'a> {
    pub(crate) fn parse(host: &'a str) -> Self {
        let literal = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
        let mut ip = [0u8; 16];
        // A trailing dot ends a fully qualified name: `10.1.2.3.` is still that address.
        if ipv4(literal.strip_suffix('.').unwrap_or(literal).as_bytes(), &mut ip).is_some() {
            return Host::Ip(ip, 4);
        }
        if ipv6(literal.as_bytes(), &mut ip).is_some() {
            return Host::Ip(ip, 16);
        }
        let name = host.strip_suffix('.').unwrap_or(host).as_bytes();
        if is_dns_name(name) { Host::Dns(name) } else { Host::Invalid }
    }

    /// Whether a GeneralNames value names this host: a dNSName for a DNS name, an
    /// iPAddress for an IP literal.
    pub(crate) fn matches(&self, general_names: &[u8]) -> Result<bool, Malformed> {
        for name in x509::names(general_names) {
            let hit = match (name?, self) {
                (Name::Ip(bytes), Host::Ip(ip, len)) => ip.get(..*len) == Some(bytes),
                (Name::Dns(pattern), Host::Dns(host)) => dns_name_matches(pattern, host),
                _ => false,
            };
            if hit {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

// IP literals are parsed here rather than by `core::net` (1.2 KB less flash); the tests
// compare both parsers on random strings.

/// A dotted-quad IPv4 address (decimal, no leading zeros) into `out[..4]`.
fn ipv4(s: &[u8], out: &mut [u8]) -> Option<()> {
    let mut parts = s.split(|&b| b == b'.');
    for byte in out.get_mut(..4)? {
        *byte = match parts.next()? {
            [d] if d.is_ascii_digit() => d - b'0',
            digits @ ([b'1'..=b'9', _] | [b'1'..=b'9', _, _]) => {
                let n =
                    digits.iter().try_fold(0u16, |n, &d| d.is_ascii_digit().then(|| n * 10 + u16::from(d - b'0')))?;
                u8::try_from(n).ok()?
            }
            _ => return None,
        };
    }
    parts.next().is_none().then_some(())
}

/// An IPv6 address (RFC 4291 2.2: hex groups, one `::`, an IPv4 tail) into `out`.
fn ipv6(s: &[u8], out: &mut [u8; 16]) -> Option<()> {
    let (head, tail) = match s.windows(2).position(|w| w == b"::") {
        Some(at) => (s.get(..at)?, Some(s.get(at + 2..)?)),
        None => (s, None),
    };
    let mut front = [0u8; 16];
    let n = groups(head, &mut front)?;
    match tail {
        None if n == 16 => *out = front,
        Some(tail) => {
            let mut back = [0u8; 16];
            let m = groups(tail, &mut back)?;
            if n + m > 14 {
                return None;
            }
            *out = [0; 16];
            out.get_mut(..n)?.copy_from_slice(front.get(..n)?);
            out.get_mut(16 - m..)?.copy_from_slice(back.get(..m)?);
        }
        _ => return None,
    }
    Some(())
}

/// Colon-separated hex groups (an empty string is none), the last one possibly a dotted
/// quad, into `out`; returns the number of bytes.
fn groups(s: &[u8], out: &mut [u8; 16]) -> Option<usize> {
    if s.is_empty() {
        return Some(0);
    }
    let mut len = 0;
    let mut parts = s.split(|&b| b == b':').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() && part.contains(&b'.') {
            ipv4(part, out.get_mut(len..len + 4)?)?;
            return Some(len + 4);
        }
        if part.is_empty() || part.len() > 4 {
            return None;
        }
        let group = part.iter().try_fold(0u16, |g, &h| Some(g << 4 | u16::from((h as char).to_digit(16)? as u8)))?;
        out.get_mut(len..len + 2)?.copy_from_slice(&group.to_be_bytes());
        len += 2;
    }
    Some(len)
}

/// Letters, digits and hyphens in labels of 1 to 63 bytes that neither start nor end with
/// a hyphen, 253 bytes at most.
fn is_dns_name(name: &[u8]) -> bool {
    name.len() <= 253
        && name.split(|&b| b == b'.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
                && label.first() != Some(&b'-')
                && label.last() != Some(&b'-')
        })
}

/// ASCII case-insensitive; a `*` is allowed only as the whole left-most label of a name
/// with at least three labels, and matches exactly one label. `host` is a valid DNS name,
/// so a pattern that matches it is one too (a trailing dot in a pattern never matches).
fn dns_name_matches(pattern: &[u8], host: &[u8]) -> bool {
    match pattern.strip_prefix(b"*.") {
        Some(suffix) => {
            suffix.contains(&b'.')
                && host
                    .iter()
                    .position(|&b| b == b'.')
                    .and_then(|dot| host.get(dot + 1..))
                    .is_some_and(|rest| rest.eq_ignore_ascii_case(suffix))
        }
        None => pattern.eq_ignore_ascii_case(host),
    }
}

#[cfg(test)]
mod tests {
    use std::string::{String, ToString};
    use std::vec::Vec;

    use super::*;

    fn matches(pattern: &[u8], host: &str) -> bool {
        match Host::parse(host) {
            Host::Dns(h) => dns_name_matches(pattern, h),
            _ => false,
        }
    }

    #[test]
    fn dns_names() {
        assert!(matches(b"localhost", "LocalHost"));
        assert!(matches(b"cvm.tencentcloudapi.com", "cvm.tencentcloudapi.com."));
        assert!(matches(b"*.tencentcloudapi.com", "cvm.tencentcloudapi.com"));
        assert!(!matches(b"cvm.tencentcloudapi.com.", "cvm.tencentcloudapi.com"));
        assert!(!matches(b"*.tencentcloudapi.com", "a.cvm.tencentcloudapi.com"));
        assert!(!matches(b"*.tencentcloudapi.com", "tencentcloudapi.com"));
        assert!(!matches(b"*.com", "example.com"));
        assert!(!matches(b"c*.example.com", "cvm.example.com"));
        assert!(!matches(b"*.*.example.com", "a.b.example.com"));
        assert!(!matches(b"example.com", "example.org"));
        assert!(!matches(b"exa mple.com", "exa mple.com"));
        assert!(!matches(b"a..b", "a..b"));
        assert!(!matches(b"-a.b", "-a.b"));
    }

    /// The IP literal parsers agree with `core::net` on random strings over their alphabet.
    #[test]
    fn ip_parsers_agree_with_core() {
        let mut state = 0x1234_5678_9abc_def0u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let fixed = [
            "::",
            "::1",
            "1::",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8:9",
            "::ffff:1.2.3.4",
            "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4",
            "1::1.2.3.4",
            "1.2.3.4",
            "01.2.3.4",
            "256.1.1.1",
            "1.2.3",
            "1.2.3.4.5",
            ":::",
            "1:::2",
            "::1::",
            "12345::",
            "1:2",
            "0.0.0.0",
            "255.255.255.255",
        ];
        // Mostly well-formed pieces, sometimes a stray one.
        let pieces = ["0", "1", "ff", "ABCD", "12345", "255", "256", "01", ":", "::", ".", "g"];
        let numbers = ["0", "1", "9", "10", "99", "100", "255", "256", "300", "01", "", "a", "1000"];
        let random: Vec<String> = (0..200_000)
            .map(|i| match i % 2 {
                0 => (0..next() % 12).map(|_| pieces[(next() % pieces.len() as u64) as usize]).collect(),
                _ => {
                    let quad: Vec<&str> =
                        (0..3 + next() % 3).map(|_| numbers[(next() % numbers.len() as u64) as usize]).collect();
                    let prefix = ["", "::", "::ffff:", "1:2:3:4:5:6:", "1:"][(next() % 5) as usize];
                    format!("{prefix}{}", quad.join("."))
                }
            })
            .collect();
        let (mut v4, mut v6) = (0, 0);
        for s in fixed.iter().map(|s| s.to_string()).chain(random) {
            let mut ip = [0u8; 16];
            let ours = if ipv4(s.as_bytes(), &mut ip).is_some() {
                Some(ip[..4].to_vec())
            } else if ipv6(s.as_bytes(), &mut ip).is_some() {
                Some(ip.to_vec())
            } else {
                None
            };
            let core = s.parse::<std::net::IpAddr>().ok().map(|ip| match ip {
                std::net::IpAddr::V4(v4) => v4.octets().to_vec(),
                std::net::IpAddr::V6(v6) => v6.octets().to_vec(),
            });
            assert_eq!(ours, core, "{s:?}");
            match ours.map(|o| o.len()) {
                Some(4) => v4 += 1,
                Some(_) => v6 += 1,
                None => {}
            }
        }
        // Not vacuous: valid literals of both kinds came up.
        assert!(v4 >= 200 && v6 >= 1000, "{v4} IPv4, {v6} IPv6");
    }

    #[test]
    fn ip_literals() {
        let v6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        let san = |tag: u8, bytes: &[u8]| [&[tag, bytes.len() as u8][..], bytes].concat();
        assert_eq!(Host::parse("2001:db8::1").matches(&san(0x87, &v6)), Ok(true));
        assert_eq!(Host::parse("[2001:DB8::1]").matches(&san(0x87, &v6)), Ok(true));
        assert_eq!(Host::parse("2001:db8::2").matches(&san(0x87, &v6)), Ok(false));
        // An IPv4 host never matches its IPv4-mapped IPv6 form, nor a dNSName.
        assert_eq!(Host::parse("10.1.2.3").matches(&san(0x87, &[10, 1, 2, 3])), Ok(true));
        let mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3];
        assert_eq!(Host::parse("10.1.2.3").matches(&san(0x87, &mapped)), Ok(false));
        assert_eq!(Host::parse("10.1.2.3").matches(&san(0x82, b"10.1.2.3")), Ok(false));
        // A trailing dot does not make an IPv4 address a DNS name.
        assert_eq!(Host::parse("10.1.2.3."), Host::Ip([10, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 4));
        assert_eq!(Host::parse("10.1.2.3.").matches(&san(0x87, &[10, 1, 2, 3])), Ok(true));
        assert_eq!(Host::parse("10.1.2.3.").matches(&san(0x82, b"10.1.2.3")), Ok(false));
        assert_eq!(Host::parse("10.1.2.3.."), Host::Invalid);
        assert_eq!(Host::parse("::1."), Host::Invalid);
        assert_eq!(Host::parse("bad host").matches(&san(0x82, b"bad host")), Ok(false));
        assert_eq!(Host::parse("x.example").matches(&[0x82, 5]), Err(Malformed));
    }
}
