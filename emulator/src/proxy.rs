//! The emulator as an HTTP proxy standing in for the real endpoint names: `CONNECT
//! <service>.tencentcloudapi.com:443` tunnels are answered with a certificate for that name
//! issued by the emulator's CA, plain requests in absolute form (`POST
//! http://cvm.tencentcloudapi.com/`) are answered directly. The service comes from the host
//! name, as on the real cloud. Any other host is refused (HTTP 403, the reason in the body):
//! nothing is ever forwarded anywhere.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::Uri;
use tokio::sync::{Semaphore, watch};

use crate::tls::Ca;

/// The root every accepted API host ends with.
pub const API_ROOT: &str = "tencentcloudapi.com";
/// The instance-metadata host, answered for `GET http://metadata.tencentyun.com/latest/...`.
pub const METADATA_HOST: &str = "metadata.tencentyun.com";
/// Most tunnels open at once; one more is answered 503.
pub const MAX_TUNNELS: usize = 256;
/// Largest request head (request line and headers) read on a proxy connection or in a tunnel;
/// past it the answer is 431.
pub const MAX_HEAD: usize = 64 * 1024;
/// Longest a tunnel stays open (then it is closed between requests; clients reconnect).
pub const TUNNEL_MAX_LIFETIME: Duration = Duration::from_secs(600);
/// Longest wait for the client to start using an accepted tunnel.
pub(crate) const UPGRADE_TIMEOUT: Duration = Duration::from_secs(10);
/// Most labels before the root: `cvm`, `cvm.ap-guangzhou`, `cvm.ap-guangzhou.internal`.
const MAX_LABELS: usize = 3;

/// What every proxy connection shares.
pub(crate) struct ProxyCtx {
    pub(crate) ca: Arc<Ca>,
    pub(crate) tunnels: Arc<Semaphore>,
    pub(crate) shutdown: watch::Receiver<bool>,
}

/// A Tencent Cloud API host name as the proxy accepts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiHost {
    /// The name, lower-case, without a trailing dot or a port.
    pub(crate) name: String,
    /// Its first label: the service (`cvm` for `cvm.ap-guangzhou.tencentcloudapi.com`).
    pub(crate) service: String,
}

/// Where a request in absolute form goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A Tencent Cloud API endpoint.
    Api(ApiHost),
    /// The instance-metadata service.
    Metadata,
    /// The emulator's own address: served as if sent to it directly.
    Local,
}

/// `host` as an API host, or why it is not one.
pub(crate) fn api_host(host: &str) -> Result<ApiHost, String> {
    let name = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    let not_api = || format!("`{host}` is not a Tencent Cloud API endpoint (<service>.{API_ROOT})");
    let prefix = name.strip_suffix(API_ROOT).and_then(|p| p.strip_suffix('.')).ok_or_else(not_api)?;
    if name.len() > 253 {
        return Err(not_api());
    }
    let labels: Vec<&str> = prefix.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if labels.len() > MAX_LABELS || !labels.iter().all(label_ok) {
        return Err(not_api());
    }
    Ok(ApiHost { service: labels[0].to_owned(), name })
}

/// Splits `host[:port]` (`[v6]:port` too); `None` for a port that is not a number.
pub(crate) fn split_authority(authority: &str) -> Option<(&str, Option<u16>)> {
    if let Some(rest) = authority.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        return match after {
            "" => Some((v6, None)),
            _ => Some((v6, Some(after.strip_prefix(':')?.parse().ok()?))),
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => Some((host, Some(port.parse().ok()?))),
        Some(_) => None,
        None => Some((authority, None)),
    }
}

/// The target of `CONNECT authority`: an API host on 443 (TLS, with a leaf for the name) or 80
/// (plain HTTP); `Err` is the reason for the 403.
pub(crate) fn connect_target(authority: &str) -> Result<(ApiHost, u16), String> {
    let (host, port) = split_authority(authority).ok_or_else(|| format!("`{authority}` is not host:port"))?;
    let host = api_host(host)?;
    match port {
        Some(p @ (443 | 80)) => Ok((host, p)),
        Some(p) => Err(format!("port {p} of `{}` is not served (443 or 80)", host.name)),
        None => Err(format!("`{authority}` names no port")),
    }
}

/// The target of a request in absolute form (`POST http://cvm.tencentcloudapi.com/`) that
/// reached the listener at `local`; `Err` is the reason for the 403.
pub(crate) fn absolute_target(uri: &Uri, local: SocketAddr) -> Result<Target, String> {
    let authority = uri.authority().map(|a| a.as_str()).unwrap_or("");
    let (host, port) = split_authority(authority).ok_or_else(|| format!("`{authority}` is not host[:port]"))?;
    let is_local_host =
        host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if is_local_host && port == Some(local.port()) {
        return Ok(Target::Local);
    }
    let target = if host.eq_ignore_ascii_case(METADATA_HOST) { Target::Metadata } else { Target::Api(api_host(host)?) };
    if uri.scheme_str() != Some("http") {
        return Err(format!("only http:// targets are served in absolute form (use CONNECT for https): `{uri}`"));
    }
    if let Some(p) = port.filter(|p| *p != 80) {
        return Err(format!("port {p} of `{host}` is not served (80)"));
    }
    Ok(target)
}

/// The body of a refusal: what was refused and why, and that nothing is forwarded.
pub(crate) fn refusal(what: &str, reason: &str) -> String {
    format!(
        "tencentcloud-emulator proxy: refused {what}: {reason}. The emulator answers only Tencent Cloud API \
         endpoints (<service>.{API_ROOT}, e.g. cvm.tencentcloudapi.com or cvm.ap-guangzhou.tencentcloudapi.com) \
         and never forwards a request anywhere.\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_hosts() {
        for (host, service) in [
            ("cvm.tencentcloudapi.com", "cvm"),
            ("CVM.TencentCloudAPI.com", "cvm"),
            ("cvm.tencentcloudapi.com.", "cvm"),
            ("cvm.ap-guangzhou.tencentcloudapi.com", "cvm"),
            ("cvm.internal.tencentcloudapi.com", "cvm"),
            ("sts.ap-guangzhou.internal.tencentcloudapi.com", "sts"),
            ("tke-cloud-gw.tencentcloudapi.com", "tke-cloud-gw"),
        ] {
            assert_eq!(api_host(host).map(|h| h.service), Ok(service.to_owned()), "{host}");
        }
        for host in [
            "tencentcloudapi.com",
            ".tencentcloudapi.com",
            "cvm.tencentcloudapi.com.evil.com",
            "cvmtencentcloudapi.com",
            "example.com",
            "127.0.0.1",
            "a.b.c.d.tencentcloudapi.com",
            "-cvm.tencentcloudapi.com",
            "cv_m.tencentcloudapi.com",
            "cvm..tencentcloudapi.com",
        ] {
            assert!(api_host(host).is_err(), "{host}");
        }
    }

    #[test]
    fn connect_targets() {
        assert_eq!(connect_target("cvm.tencentcloudapi.com:443").unwrap().1, 443);
        assert_eq!(connect_target("vpc.tencentcloudapi.com:80").unwrap().0.service, "vpc");
        for refused in [
            "cvm.tencentcloudapi.com:22",
            "cvm.tencentcloudapi.com",
            "example.com:443",
            "127.0.0.1:443",
            "[::1]:443",
            "x:y",
        ] {
            assert!(connect_target(refused).is_err(), "{refused}");
        }
        assert!(connect_target("example.com:443").unwrap_err().contains("not a Tencent Cloud API endpoint"));
    }

    #[test]
    fn absolute_targets() {
        let local: SocketAddr = "127.0.0.1:4566".parse().unwrap();
        let t = |u: &str| absolute_target(&u.parse::<Uri>().unwrap(), local);
        assert_eq!(
            t("http://cvm.tencentcloudapi.com/").unwrap(),
            Target::Api(api_host("cvm.tencentcloudapi.com").unwrap())
        );
        assert_eq!(
            t("http://cvm.tencentcloudapi.com:80/").unwrap(),
            Target::Api(api_host("cvm.tencentcloudapi.com").unwrap())
        );
        assert_eq!(t("http://metadata.tencentyun.com/latest/meta-data/").unwrap(), Target::Metadata);
        assert_eq!(t("http://127.0.0.1:4566/emulator/reset").unwrap(), Target::Local);
        assert_eq!(t("http://localhost:4566/").unwrap(), Target::Local);
        for refused in [
            "http://example.com/",
            "http://127.0.0.1:9999/",
            "https://cvm.tencentcloudapi.com/",
            "http://cvm.tencentcloudapi.com:8080/",
            "http://10.0.0.1/",
        ] {
            assert!(t(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn authorities() {
        assert_eq!(split_authority("a:1"), Some(("a", Some(1))));
        assert_eq!(split_authority("a"), Some(("a", None)));
        assert_eq!(split_authority("[::1]:443"), Some(("::1", Some(443))));
        assert_eq!(split_authority("[::1]"), Some(("::1", None)));
        assert_eq!(split_authority("a:x"), None);
        assert_eq!(split_authority("::1"), None);
    }
}
