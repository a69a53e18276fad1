//! The server's name as the firmware asked for it, matched against a certificate's
//! subjectAltName (RFC 6125; the subject CN is never used).

use core::net::IpAddr;

use super::der::Malformed;
use super::x509::{self, Name};

/// A host: an IP literal (IPv4, or IPv6 with or without brackets) or a DNS name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Host<'a> {
    Ip(IpAddr),
    /// A syntactically valid DNS name, without a trailing dot.
    Dns(&'a [u8]),
    /// Neither: matches nothing.
    Invalid,
}

impl<'a> Host<'a> {
    pub(crate) fn parse(host: &'a str) -> Self {
        let literal = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
        if let Ok(ip) = literal.parse() {
            return Host::Ip(ip);
        }
        let name = host.strip_suffix('.').unwrap_or(host).as_bytes();
        if is_dns_name(name) { Host::Dns(name) } else { Host::Invalid }
    }

    /// Whether a GeneralNames value names this host: a dNSName for a DNS name, an
    /// iPAddress for an IP literal.
    pub(crate) fn matches(&self, general_names: &[u8]) -> Result<bool, Malformed> {
        for name in x509::names(general_names) {
            let hit = match (name?, self) {
                (Name::Ip(bytes), Host::Ip(IpAddr::V4(v4))) => bytes == v4.octets(),
                (Name::Ip(bytes), Host::Ip(IpAddr::V6(v6))) => bytes == v6.octets(),
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
        assert_eq!(Host::parse("bad host").matches(&san(0x82, b"bad host")), Ok(false));
        assert_eq!(Host::parse("x.example").matches(&[0x82, 5]), Err(Malformed));
    }
}
