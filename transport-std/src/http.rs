//! The seam between the client logic and the HTTP stack: [`HttpSend`], implemented
//! by [`ReqwestSend`] by default, and by fakes in tests.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;

use crate::error::Error;
use crate::profile::HttpProfile;
use crate::proxy::reqwest_proxy;

/// `GET` or `POST`.
pub use tencentcloud_core::Method;

/// One HTTP request, signed and ready to send.
#[derive(Clone)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The full URL, e.g. `https://cvm.tencentcloudapi.com/`.
    pub url: String,
    /// The headers, `Host` and `Authorization` included (but not `Content-Length`).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
}

impl HttpRequest {
    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &crate::redact::url(&self.url))
            .field("headers", &crate::redact::headers(&self.headers))
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// The body of a response, as it arrives.
pub type ResponseBody = Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>;

/// One HTTP response; the body is read as needed.
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: ResponseBody,
}

impl HttpResponse {
    /// A response with a body known in full (for fakes).
    pub fn from_bytes(status: u16, headers: Vec<(String, String)>, body: impl Into<Bytes>) -> Self {
        let body: Bytes = body.into();
        Self { status, headers, body: Box::pin(futures_util::stream::iter((!body.is_empty()).then_some(Ok(body)))) }
    }

    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse").field("status", &self.status).field("headers", &self.headers).finish()
    }
}

pub(crate) fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// The future [`HttpSend::send`] returns.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<HttpResponse, Error>> + Send + 'a>>;

/// Sends one HTTP request and returns the response head, with the body to read.
///
/// Errors should be [`Error::connect`] when the request never left (so it may always be
/// retried), [`Error::network`] otherwise. Dropping the future must cancel the request.
pub trait HttpSend: Send + Sync {
    /// Sends `request`.
    fn send(&self, request: HttpRequest) -> SendFuture<'_>;
}

/// [`HttpSend`] over a `reqwest::Client` (rustls, connection pool, proxies).
#[derive(Clone, Debug)]
pub struct ReqwestSend {
    client: reqwest::Client,
}

impl ReqwestSend {
    /// A client configured from the profile: timeouts, pool, proxies (reqwest's own
    /// environment handling is off; this crate's rules pick the proxy), CA certificates.
    pub fn new(profile: &HttpProfile) -> Result<Self, Error> {
        let user_agent = profile
            .user_agent
            .clone()
            .unwrap_or_else(|| concat!("tencentcloud-rs/", env!("CARGO_PKG_VERSION")).to_owned());
        let mut b = reqwest::Client::builder()
            .use_rustls_tls()
            .user_agent(user_agent)
            .no_proxy()
            .pool_idle_timeout(profile.pool_idle_timeout)
            .tcp_nodelay(true)
            .redirect(reqwest::redirect::Policy::none())
            // The client's own policy decides every retry (a write must never be
            // re-sent behind its back); this also spares cloning each request.
            .retry(reqwest::retry::never().max_retries_per_request(0));
        if let Some(d) = profile.connect_timeout {
            b = b.connect_timeout(d);
        }
        if let Some(n) = profile.pool_max_idle_per_host {
            b = b.pool_max_idle_per_host(n);
        }
        if let Some(d) = profile.tcp_keepalive {
            b = b.tcp_keepalive(d);
        }
        if let Some(proxy) = reqwest_proxy(profile.proxy.resolve()?) {
            b = b.proxy(proxy);
        }
        let mut pems: Vec<Vec<u8>> = profile.ca_pems.clone();
        for path in &profile.ca_files {
            let pem = std::fs::read(path).map_err(|e| {
                Error::configuration(format!("cannot read the CA file {}", path.display())).with_source(e)
            })?;
            pems.push(pem);
        }
        for pem in &pems {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| Error::configuration("invalid PEM CA certificate").with_source(e))?;
            if certs.is_empty() {
                return Err(Error::configuration("the CA PEM holds no certificate"));
            }
            for cert in certs {
                b = b.add_root_certificate(cert);
            }
        }
        if profile.accept_invalid_certs {
            tracing::warn!("TLS certificate verification is disabled (danger_accept_invalid_certs)");
            b = b.danger_accept_invalid_certs(true);
        }
        let client = b.build().map_err(|e| Error::configuration("cannot build the HTTP client").with_source(e))?;
        Ok(Self { client })
    }

    /// Wraps an existing `reqwest::Client` (its own settings apply).
    pub fn from_client(client: reqwest::Client) -> Self {
        Self { client }
    }
}

/// Maps a reqwest error, without its URL (a legacy GET URL holds the signature).
fn map_error(e: reqwest::Error) -> Error {
    let connect = e.is_connect();
    let e = e.without_url();
    if connect { Error::connect(e) } else { Error::network(e) }
}

impl HttpSend for ReqwestSend {
    fn send(&self, request: HttpRequest) -> SendFuture<'_> {
        Box::pin(async move {
            let method = match request.method {
                Method::Get => reqwest::Method::GET,
                Method::Post => reqwest::Method::POST,
            };
            let mut headers = reqwest::header::HeaderMap::with_capacity(request.headers.len());
            for (name, value) in &request.headers {
                let name = match known_header(name) {
                    Some(known) => known,
                    None => reqwest::header::HeaderName::from_bytes(name.as_bytes())
                        .map_err(|_| Error::configuration(format!("invalid header name {name:?}")))?,
                };
                let value = reqwest::header::HeaderValue::from_str(value)
                    .map_err(|_| Error::configuration(format!("invalid value for header {name}")))?;
                headers.append(name, value);
            }
            let url = reqwest::Url::parse(&request.url).map_err(|_| Error::configuration("invalid request URL"))?;
            let resp =
                self.client.request(method, url).headers(headers).body(request.body).send().await.map_err(map_error)?;
            let status = resp.status().as_u16();
            let headers = resp
                .headers()
                .iter()
                .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect();
            let body = futures_util::stream::unfold(Some(resp), |resp| async move {
                let mut resp = resp?;
                match resp.chunk().await {
                    Ok(Some(chunk)) => Some((Ok(chunk), Some(resp))),
                    Ok(None) => None,
                    Err(e) => Some((Err(map_error(e)), None)),
                }
            });
            Ok(HttpResponse { status, headers, body: body.boxed() })
        })
    }
}

/// The headers every call sends, as static names (no allocation to lower-case them).
fn known_header(name: &str) -> Option<reqwest::header::HeaderName> {
    use reqwest::header::HeaderName;
    const KNOWN: [&str; 11] = [
        "host",
        "content-type",
        "authorization",
        "x-tc-action",
        "x-tc-timestamp",
        "x-tc-version",
        "x-tc-region",
        "x-tc-token",
        "x-tc-language",
        "x-tc-requestclient",
        "x-tc-traceid",
    ];
    KNOWN.iter().find(|k| k.eq_ignore_ascii_case(name)).map(|k| HeaderName::from_static(k))
}

/// Reads a whole body.
pub(crate) async fn read_body(mut body: ResponseBody) -> Result<Bytes, Error> {
    let mut first: Option<Bytes> = None;
    let mut rest: Vec<u8> = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        match &first {
            None if rest.is_empty() => first = Some(chunk),
            _ => {
                if let Some(f) = first.take() {
                    rest.extend_from_slice(&f);
                }
                rest.extend_from_slice(&chunk);
            }
        }
    }
    Ok(match first {
        Some(f) => f,
        None => Bytes::from(rest),
    })
}
