//! Helpers shared by the device examples (`embassy_host`, `firmware_qemu`): the endpoint and
//! the trust anchor as given on their command lines, and the loopback address to bridge to.

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

/// `https://host[:port][/]` into (tls, host, port, authority as sent in `Host`).
pub fn parse_endpoint(endpoint: &str) -> Result<(bool, String, u16, String), String> {
    let (tls, rest) = match endpoint.split_once("://") {
        Some(("https", rest)) => (true, rest),
        Some(("http", rest)) => (false, rest),
        _ => return Err(format!("endpoint {endpoint:?}: expected https://HOST[:PORT]")),
    };
    let authority = rest.trim_end_matches('/');
    let default_port = if tls { 443 } else { 80 };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.ends_with(']') => {
            (h.trim_matches(|c| c == '[' || c == ']'), p.parse().map_err(|_| format!("bad port in {endpoint:?}"))?)
        }
        _ => (authority, default_port),
    };
    Ok((tls, host.to_owned(), port, authority.to_owned()))
}

/// DER, or the first certificate of a PEM file.
pub fn read_ca(path: &str) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let Some(text) = std::str::from_utf8(&bytes).ok().filter(|t| t.contains("-----BEGIN CERTIFICATE-----")) else {
        return Ok(bytes);
    };
    let b64: String = text
        .split("-----BEGIN CERTIFICATE-----")
        .nth(1)
        .and_then(|t| t.split("-----END CERTIFICATE-----").next())
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64_decode(&b64).ok_or_else(|| format!("{path}: bad PEM"))
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for &c in s.trim_end_matches('=').as_bytes() {
        acc = (acc << 6) | u32::from(value(c)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// The address to bridge an emulated board's connection to: the first address of `addr` in
/// 127.0.0.0/8 that accepts a connection. Anything else is refused: the emulated board
/// reaches this machine's loopback only.
pub fn loopback_target(addr: &str) -> Result<SocketAddr, String> {
    let addrs: Vec<SocketAddr> = addr.to_socket_addrs().map_err(|e| format!("{addr}: {e}"))?.collect();
    let loopback: Vec<SocketAddr> =
        addrs.iter().copied().filter(|a| matches!(a, SocketAddr::V4(v4) if v4.ip().is_loopback())).collect();
    if loopback.is_empty() {
        return Err(format!("{addr} is not in 127.0.0.0/8: the emulated board reaches loopback only (see --connect)"));
    }
    loopback
        .into_iter()
        .find(|a| std::net::TcpStream::connect_timeout(a, Duration::from_secs(3)).is_ok())
        .ok_or_else(|| format!("nothing accepts connections on {addr}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_v4_is_bridged() {
        for addr in ["10.0.0.1:443", "192.0.2.1:443", "[::1]:443", "0.0.0.0:443"] {
            let e = loopback_target(addr).unwrap_err();
            assert!(e.contains("not in 127.0.0.0/8"), "{addr}: {e}");
        }
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        assert_eq!(loopback_target(&addr.to_string()).unwrap(), addr);
        drop(listener);
        assert!(loopback_target(&addr.to_string()).unwrap_err().contains("nothing accepts"));
    }
}
