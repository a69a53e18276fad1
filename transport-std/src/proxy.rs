//! Proxy selection: an explicit proxy URL, or `HTTPS_PROXY` / `HTTP_PROXY` /
//! `NO_PROXY` from the environment, matched by this crate (reqwest's own environment
//! handling is turned off).

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use reqwest::Url;

use crate::error::Error;

/// Hosts that bypass the proxy, in the `NO_PROXY` syntax: comma-separated entries;
/// `*` matches every host; `example.com`, `.example.com` and `*.example.com` match
/// `example.com` and all its subdomains; IP addresses match exactly and `10.0.0.0/8`
/// style CIDR blocks match the addresses inside; ports are ignored; case is ignored.
///
/// ```
/// use tencentcloud_transport_std::NoProxy;
///
/// let np = NoProxy::parse("localhost, .internal.example.com, 10.0.0.0/8, api.example.org:8443");
/// assert!(np.matches("localhost"));
/// assert!(np.matches("a.internal.example.com:443"));
/// assert!(np.matches("internal.example.com"));
/// assert!(np.matches("10.1.2.3"));
/// assert!(np.matches("API.example.org"));
/// assert!(!np.matches("example.com"));
/// assert!(!np.matches("notinternal.example.com"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoProxy {
    all: bool,
    domains: Vec<String>,
    ips: Vec<IpAddr>,
    nets: Vec<(IpAddr, u8)>,
}

/// `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 literal, without the port
/// and the brackets.
fn strip_port(s: &str) -> &str {
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match s.rsplit_once(':') {
        // A single colon: host:port. More: a bare IPv6 literal.
        Some((host, _)) if !host.contains(':') => host,
        _ => s,
    }
}

fn normalize_host(host: &str) -> String {
    strip_port(host.trim()).trim_end_matches('.').to_ascii_lowercase()
}

impl NoProxy {
    /// Parses a `NO_PROXY` value. Malformed entries are ignored.
    pub fn parse(list: &str) -> Self {
        let mut np = Self::default();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if entry == "*" {
                np.all = true;
                continue;
            }
            if let Some((addr, bits)) = entry.split_once('/') {
                // `10.0.0.0./8`: a trailing dot does not make an address a name.
                let addr = addr.trim_start_matches('[').trim_end_matches(']').trim_end_matches('.');
                if let (Ok(ip), Ok(bits)) = (addr.parse::<IpAddr>(), bits.parse::<u8>()) {
                    let max = if ip.is_ipv4() { 32 } else { 128 };
                    if bits <= max {
                        np.nets.push((ip, bits));
                    }
                }
                continue;
            }
            let host = normalize_host(entry);
            if let Ok(ip) = host.parse::<IpAddr>() {
                np.ips.push(ip);
                continue;
            }
            let domain = host.trim_start_matches("*.").trim_start_matches('.');
            if !domain.is_empty() {
                np.domains.push(domain.to_owned());
            }
        }
        np
    }

    /// Whether requests to `host` (a host name or IP, optionally with a port) bypass
    /// the proxy.
    pub fn matches(&self, host: &str) -> bool {
        if self.all {
            return true;
        }
        let host = normalize_host(host);
        if host.is_empty() {
            return false;
        }
        if let Ok(ip) = host.parse::<IpAddr>() {
            return self.ips.contains(&ip) || self.nets.iter().any(|&(net, bits)| in_net(ip, net, bits));
        }
        self.domains.iter().any(|d| {
            host == *d
                || (host.len() > d.len()
                    && host.ends_with(d.as_str())
                    && host.as_bytes()[host.len() - d.len() - 1] == b'.')
        })
    }

    /// Whether no host bypasses the proxy.
    pub fn is_empty(&self) -> bool {
        !self.all && self.domains.is_empty() && self.ips.is_empty() && self.nets.is_empty()
    }
}

fn in_net(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
        let full = usize::from(bits / 8);
        let rest = bits % 8;
        if a.get(..full) != b.get(..full) {
            return false;
        }
        if rest == 0 {
            return true;
        }
        let mask = 0xffu8 << (8 - rest);
        matches!((a.get(full), b.get(full)), (Some(x), Some(y)) if x & mask == y & mask)
    }
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => prefix_eq(&a.octets(), &b.octets(), bits),
        (IpAddr::V6(a), IpAddr::V6(b)) => prefix_eq(&a.octets(), &b.octets(), bits),
        (IpAddr::V6(a), IpAddr::V4(b)) => a.to_ipv4_mapped().is_some_and(|a| prefix_eq(&a.octets(), &b.octets(), bits)),
        (IpAddr::V4(_), IpAddr::V6(_)) => false,
    }
}

/// How the client picks a proxy.
///
/// ```
/// use tencentcloud_transport_std::ProxyConfig;
///
/// let p = ProxyConfig::url("http://proxy.corp:3128")?.basic_auth("me", "pa55").no_proxy("localhost,.corp");
/// assert!(!format!("{p:?}").contains("pa55"));
/// # Ok::<(), tencentcloud_transport_std::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct ProxyConfig {
    mode: Mode,
}

#[derive(Clone, Default)]
enum Mode {
    /// Read `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`/`NO_PROXY` when the client is built.
    #[default]
    Env,
    /// Never use a proxy.
    Disabled,
    /// These proxies.
    Explicit(Box<Resolved>),
}

/// Proxies resolved for one client: by target scheme, with the bypass list.
#[derive(Clone, Default)]
pub(crate) struct Resolved {
    http: Option<Url>,
    https: Option<Url>,
    no_proxy: NoProxy,
}

impl Resolved {
    /// The proxy for a request to `target`, if one is used.
    pub(crate) fn proxy_for(&self, target: &Url) -> Option<Url> {
        let proxy = match target.scheme() {
            "https" => self.https.as_ref(),
            _ => self.http.as_ref(),
        }?;
        let host = target.host_str()?;
        if self.no_proxy.matches(host) {
            return None;
        }
        Some(proxy.clone())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.http.is_none() && self.https.is_none()
    }
}

/// Parses a proxy URL (`host:port` means `http://host:port`). The error never repeats
/// the value, which may hold a password.
fn parse_proxy_url(value: &str, what: &str) -> Result<Url, Error> {
    let value = value.trim();
    let with_scheme = if value.contains("://") { value.to_owned() } else { format!("http://{value}") };
    let url = Url::parse(&with_scheme).map_err(|_| Error::configuration(format!("{what} is not a valid proxy URL")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::configuration(format!("{what}: only http:// and https:// proxies are supported")));
    }
    Ok(url)
}

impl ProxyConfig {
    /// Use `HTTPS_PROXY` (for https targets), `HTTP_PROXY` (for http targets),
    /// `ALL_PROXY` (fallback) and `NO_PROXY`, lower-case names too, read when the
    /// client is built. The default.
    pub fn from_env() -> Self {
        Self { mode: Mode::Env }
    }

    /// Never use a proxy.
    pub fn none() -> Self {
        Self { mode: Mode::Disabled }
    }

    /// One proxy for every target, e.g. `http://user:password@proxy:3128` (the
    /// credentials, percent-encoded, are sent as `Proxy-Authorization: Basic`).
    pub fn url(url: &str) -> Result<Self, Error> {
        let url = parse_proxy_url(url, "the proxy")?;
        let r = Resolved { http: Some(url.clone()), https: Some(url), no_proxy: NoProxy::default() };
        Ok(Self { mode: Mode::Explicit(Box::new(r)) })
    }

    /// Resolves the environment-variable rules now, reading variables through
    /// `lookup` (e.g. a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        Ok(Self { mode: Mode::Explicit(Box::new(resolve_env(&lookup)?)) })
    }

    /// Sets proxy credentials (on an explicit proxy; ignored otherwise).
    pub fn basic_auth(mut self, username: &str, password: &str) -> Self {
        if let Mode::Explicit(r) = &mut self.mode {
            for url in [r.http.as_mut(), r.https.as_mut()].into_iter().flatten() {
                let _ = url.set_username(username);
                let _ = url.set_password(Some(password));
            }
        }
        self
    }

    /// Sets the bypass list of an explicit proxy (`NO_PROXY` syntax, see [`NoProxy`]).
    pub fn no_proxy(mut self, list: &str) -> Self {
        if let Mode::Explicit(r) = &mut self.mode {
            r.no_proxy = NoProxy::parse(list);
        }
        self
    }

    /// The proxies for one client (reads the environment in `Env` mode).
    pub(crate) fn resolve(&self) -> Result<Resolved, Error> {
        match &self.mode {
            Mode::Env => resolve_env(&|name| std::env::var(name).ok()),
            Mode::Disabled => Ok(Resolved::default()),
            Mode::Explicit(r) => Ok((**r).clone()),
        }
    }
}

fn resolve_env(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Resolved, Error> {
    let first =
        |names: &[&'static str]| names.iter().find_map(|n| lookup(n).filter(|v| !v.trim().is_empty()).map(|v| (*n, v)));
    let parse = |found: Option<(&str, String)>| found.map(|(name, v)| parse_proxy_url(&v, name)).transpose();
    let all = ["ALL_PROXY", "all_proxy"];
    // Lower-case `http_proxy` first: the upper-case one can be set by CGI servers from a
    // request header.
    let http = parse(first(&["http_proxy", "HTTP_PROXY"]).or_else(|| first(&all)))?;
    let https = parse(first(&["HTTPS_PROXY", "https_proxy"]).or_else(|| first(&all)))?;
    let no_proxy = first(&["NO_PROXY", "no_proxy"]).map(|(_, v)| NoProxy::parse(&v)).unwrap_or_default();
    Ok(Resolved { http, https, no_proxy })
}

/// A URL with its password hidden.
fn redacted(url: &Url) -> String {
    let mut u = url.clone();
    if u.password().is_some() {
        let _ = u.set_password(Some("<redacted>"));
    }
    u.to_string()
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.mode {
            Mode::Env => f.write_str("ProxyConfig::Env"),
            Mode::Disabled => f.write_str("ProxyConfig::None"),
            Mode::Explicit(r) => r.fmt(f),
        }
    }
}

impl fmt::Debug for Resolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("http", &self.http.as_ref().map(redacted))
            .field("https", &self.https.as_ref().map(redacted))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// Turns resolved proxies into a reqwest proxy that asks them per request.
pub(crate) fn reqwest_proxy(resolved: Resolved) -> Option<reqwest::Proxy> {
    if resolved.is_empty() {
        return None;
    }
    let resolved = Arc::new(resolved);
    Some(reqwest::Proxy::custom(move |url| resolved.proxy_for(url)))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn no_proxy_domains() {
        let np = NoProxy::parse("example.com, .corp.net ,*.svc.local,Mixed.CASE.org,");
        for yes in
            ["example.com", "a.example.com", "a.b.example.com", "EXAMPLE.COM", "example.com.", "example.com:8080"]
        {
            assert!(np.matches(yes), "{yes}");
        }
        for yes in ["corp.net", "x.corp.net", "svc.local", "a.svc.local", "mixed.case.org", "w.mixed.case.org:1"] {
            assert!(np.matches(yes), "{yes}");
        }
        for no in ["notexample.com", "example.com.evil", "com", "corp.network", "xcorp.net", "", "other.org"] {
            assert!(!np.matches(no), "{no}");
        }
    }

    #[test]
    fn no_proxy_ports_ignored() {
        let np = NoProxy::parse("api.internal:8443,[::1]:80,127.0.0.1:9000");
        assert!(np.matches("api.internal"));
        assert!(np.matches("api.internal:443"));
        assert!(np.matches("::1"));
        assert!(np.matches("[::1]:8080"));
        assert!(np.matches("127.0.0.1:1234"));
        assert!(!np.matches("127.0.0.2"));
    }

    #[test]
    fn no_proxy_wildcard_and_empty() {
        assert!(NoProxy::parse("*").matches("anything.example"));
        assert!(NoProxy::parse("a.com, *").matches("1.2.3.4"));
        let empty = NoProxy::parse(" , ,");
        assert!(empty.is_empty());
        assert!(!empty.matches("example.com"));
        // `*` inside a list entry is not a wildcard for everything.
        assert!(!NoProxy::parse("*.a.com").matches("b.com"));
    }

    #[test]
    fn no_proxy_ips_and_cidr() {
        let np = NoProxy::parse("10.0.0.0/8, 192.168.1.0/24, fd00::/8, 172.16.5.4, 0.0.0.0/33");
        assert!(np.matches("10.200.3.4"));
        assert!(np.matches("192.168.1.77:80"));
        assert!(!np.matches("192.168.2.1"));
        assert!(np.matches("[fd12::1]"));
        assert!(!np.matches("fe80::1"));
        assert!(np.matches("172.16.5.4"));
        assert!(!np.matches("172.16.5.5"));
        assert!(NoProxy::parse("10.0.0.0/8").matches("::ffff:10.1.1.1"));
        assert!(NoProxy::parse("0.0.0.0/0").matches("8.8.8.8"));
        assert!(NoProxy::parse("192.168.0.0/23").matches("192.168.1.255"));
        assert!(!NoProxy::parse("192.168.0.0/23").matches("192.168.2.0"));
    }

    /// A host with a trailing dot (`10.1.2.3.`) is an address, not a name, in the list
    /// and in what it is matched against; IPv6 literals with or without brackets too.
    #[test]
    fn trailing_dots_and_ipv6_literals_are_addresses() {
        let np = NoProxy::parse("10.1.2.3., 192.168.0.0./16, [fd00::1]:80");
        assert_eq!(np.ips, ["10.1.2.3".parse::<IpAddr>().unwrap(), "fd00::1".parse().unwrap()]);
        assert!(np.domains.is_empty(), "{np:?}");
        for yes in ["10.1.2.3", "10.1.2.3.", "10.1.2.3.:443", "192.168.7.7.", "[fd00::1]", "fd00::1", "[fd00::1]:8443"]
        {
            assert!(np.matches(yes), "{yes}");
        }
        assert!(NoProxy::parse("10.0.0.0/8").matches("10.1.2.3."));
        assert!(!NoProxy::parse("10.1.2.3.example").matches("10.1.2.3"));
        // The URL parser reads `10.1.2.3.` as the address (so it is never sent as a TLS
        // server name: rustls sends none for an address).
        let r = ProxyConfig::url("http://p:1").unwrap().no_proxy("10.1.2.3").resolve().unwrap();
        assert_eq!(url("https://10.1.2.3./").host_str(), Some("10.1.2.3"));
        assert!(r.proxy_for(&url("https://10.1.2.3./")).is_none());
        assert!(r.proxy_for(&url("https://10.1.2.4./")).is_some());
    }

    fn env(vars: &[(&str, &str)]) -> Resolved {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        resolve_env(&|k| map.get(k).cloned()).unwrap()
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn env_selection() {
        let r = env(&[("HTTPS_PROXY", "http://sp:1"), ("http_proxy", "hp:2"), ("NO_PROXY", ".internal,localhost")]);
        assert_eq!(r.proxy_for(&url("https://cvm.tencentcloudapi.com/")).unwrap().as_str(), "http://sp:1/");
        assert_eq!(r.proxy_for(&url("http://cvm.tencentcloudapi.com/")).unwrap().as_str(), "http://hp:2/");
        assert!(r.proxy_for(&url("https://a.internal/")).is_none());
        assert!(r.proxy_for(&url("http://localhost:8080/")).is_none());

        let r = env(&[("ALL_PROXY", "http://all:3"), ("no_proxy", "*")]);
        assert!(r.proxy_for(&url("https://x.com/")).is_none());
        let r = env(&[("all_proxy", "http://all:3")]);
        assert_eq!(r.proxy_for(&url("https://x.com/")).unwrap().as_str(), "http://all:3/");
        assert_eq!(r.proxy_for(&url("http://x.com/")).unwrap().as_str(), "http://all:3/");

        let r = env(&[("HTTPS_PROXY", "  ")]);
        assert!(r.is_empty());
        assert!(env(&[]).proxy_for(&url("https://x.com/")).is_none());
    }

    #[test]
    fn bad_proxy_url_does_not_leak() {
        let map: HashMap<&str, &str> = [("HTTPS_PROXY", "socks5://user:hunter2@h:1")].into();
        let e = resolve_env(&|k| map.get(k).map(|v| v.to_string())).unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(e.to_string().contains("HTTPS_PROXY"));
        let e = ProxyConfig::url("http://user:hunter2@[bad").unwrap_err();
        assert!(!e.to_string().contains("hunter2"));
    }

    #[test]
    fn explicit_proxy_with_auth() {
        let p = ProxyConfig::url("proxy.corp:3128").unwrap().basic_auth("me", "p@ss word").no_proxy("127.0.0.1");
        let dbg = format!("{p:?}");
        assert!(!dbg.contains("p@ss") && !dbg.contains("p%40ss"), "{dbg}");
        let r = p.resolve().unwrap();
        let chosen = r.proxy_for(&url("https://cvm.tencentcloudapi.com/")).unwrap();
        assert_eq!(chosen.username(), "me");
        assert_eq!(chosen.password(), Some("p%40ss%20word"));
        assert!(r.proxy_for(&url("http://127.0.0.1:8080/")).is_none());
        assert!(ProxyConfig::none().resolve().unwrap().is_empty());
    }
}
