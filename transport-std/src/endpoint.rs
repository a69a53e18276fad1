//! Where a call goes: endpoint parsing and the per-service target of each attempt
//! (profile endpoint, API gateway, the breaker's backup endpoint, a per-call override).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::error::Error;
use crate::http::{HeaderValue, Url};
use crate::profile::{HttpProfile, Scheme};
use crate::sync::lock;

/// Where one attempt goes: the URL (without query) and the host it is signed for
/// (also as a ready `Host` header value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) url: Url,
    pub(crate) host: String,
    pub(crate) host_value: HeaderValue,
}

impl Target {
    fn new(url: &str, host: String) -> Result<Self, Error> {
        let bad = || Error::configuration(format!("invalid endpoint {url:?}"));
        let host_value = HeaderValue::from_str(&host).map_err(|_| bad())?;
        Ok(Self { url: Url::parse(url).map_err(|_| bad())?, host, host_value })
    }
}

/// Parses a host or full URL into a target. The signed host keeps an explicit port.
pub(crate) fn parse_endpoint(endpoint: &str, scheme: Scheme) -> Result<Target, Error> {
    let endpoint = endpoint.trim();
    let full = if endpoint.contains("://") { endpoint.to_owned() } else { format!("{}://{endpoint}", scheme.as_str()) };
    let bad = || Error::configuration(format!("invalid endpoint {endpoint:?}"));
    let url = Url::parse(&full).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.query().is_some() || url.fragment().is_some() {
        return Err(bad());
    }
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(bad)?;
    let host = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    Target::new(&format!("{}://{host}{}", url.scheme(), url.path()), host)
}

/// Which endpoint an attempt uses.
pub(crate) enum Route<'a> {
    /// The call's own endpoint ([`crate::CallOptions::endpoint`]).
    Override(&'a str),
    /// The breaker's backup endpoint: a full URL, or a root domain after the service.
    Backup(&'a str),
    /// The profile's endpoint (or `<service>.<root domain>`), through the API gateway if set.
    Default,
}

/// The parsed default target of each service called so far (the profile is fixed).
#[derive(Default)]
pub(crate) struct Targets {
    cache: Mutex<HashMap<String, Arc<Target>>>,
}

impl Targets {
    /// Where an attempt for `service` goes.
    pub(crate) fn resolve(&self, http: &HttpProfile, service: &str, route: Route<'_>) -> Result<Arc<Target>, Error> {
        match route {
            Route::Override(ep) => return parse_endpoint(ep, http.scheme).map(Arc::new),
            Route::Backup(backup) if backup.contains("://") => {
                return parse_endpoint(backup, http.scheme).map(Arc::new);
            }
            Route::Backup(backup) => return parse_endpoint(&format!("{service}.{backup}"), http.scheme).map(Arc::new),
            Route::Default => {}
        }
        if let Some(t) = lock(&self.cache).get(service) {
            return Ok(Arc::clone(t));
        }
        let service_target = match &http.endpoint {
            Some(ep) => parse_endpoint(ep, http.scheme)?,
            None => parse_endpoint(&format!("{service}.{}", http.root_domain), http.scheme)?,
        };
        let target = Arc::new(match &http.api_gateway {
            Some(gw) => Target { url: parse_endpoint(gw, http.scheme)?.url, ..service_target },
            None => service_target,
        });
        let mut cache = lock(&self.cache);
        // Bounded: one entry per service this client calls.
        if cache.len() < 1024 {
            cache.insert(service.to_owned(), Arc::clone(&target));
        }
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        let t = parse_endpoint("http://127.0.0.1:8080", Scheme::Https).unwrap();
        assert_eq!((t.url.as_str(), t.host.as_str()), ("http://127.0.0.1:8080/", "127.0.0.1:8080"));
        assert_eq!(t.host_value, "127.0.0.1:8080");
        let t = parse_endpoint("cvm.ap-guangzhou.tencentcloudapi.com", Scheme::Https).unwrap();
        assert_eq!(t.url.as_str(), "https://cvm.ap-guangzhou.tencentcloudapi.com/");
        assert_eq!(t.host, "cvm.ap-guangzhou.tencentcloudapi.com");
        let t = parse_endpoint("https://gw.example.com:443/release/", Scheme::Http).unwrap();
        assert_eq!((t.url.as_str(), t.host.as_str()), ("https://gw.example.com/release/", "gw.example.com"));
        let t = parse_endpoint("http://[::1]:9000", Scheme::Http).unwrap();
        assert_eq!(t.host, "[::1]:9000");
        // An address with a trailing dot is the address (signed and sent as such).
        let t = parse_endpoint("https://10.1.2.3.:8443", Scheme::Https).unwrap();
        assert_eq!((t.url.as_str(), t.host.as_str()), ("https://10.1.2.3:8443/", "10.1.2.3:8443"));
        let t = parse_endpoint("[fd00::1]", Scheme::Https).unwrap();
        assert_eq!((t.url.as_str(), t.host.as_str()), ("https://[fd00::1]/", "[fd00::1]"));
        assert!(parse_endpoint("ftp://x", Scheme::Http).is_err());
        assert!(parse_endpoint("http://x/?a=1", Scheme::Http).is_err());
        assert!(parse_endpoint("", Scheme::Http).is_err());
    }
}
