//! The seam between the client logic and the HTTP stack: [`HttpSend`], implemented
//! by [`ReqwestSend`] by default, and by fakes in tests. Requests and responses carry
//! the `http` crate's header map and a parsed URL, so the reqwest path converts nothing.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use http_body::Body as _;

use crate::error::Error;
use crate::profile::HttpProfile;
use crate::proxy::reqwest_proxy;

/// A parsed URL.
pub use reqwest::Url;
/// Header names, values and maps (the `http` crate's, as reqwest uses them).
pub use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
/// `GET` or `POST`.
pub use tencentcloud_core::Method;

/// One HTTP request, signed and ready to send.
#[derive(Clone)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The full URL, e.g. `https://cvm.tencentcloudapi.com/`.
    pub url: Url,
    /// The headers, `Host` and `Authorization` included (but not `Content-Length`).
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl HttpRequest {
    /// The first value of a header (name case-insensitive), if it is visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        header_str(&self.headers, name)
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &crate::redact::url(self.url.as_str()))
            .field("headers", &crate::redact::headers(&self.headers))
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// The body of a response, as it arrives: a `Stream` of chunks.
pub struct ResponseBody(BodyKind);

enum BodyKind {
    /// Known in full (fakes).
    Full(Option<Bytes>),
    /// reqwest's body, read without boxing.
    Reqwest(reqwest::Body),
    /// Any other stream.
    Stream(Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>),
}

impl ResponseBody {
    /// A body known in full.
    pub fn from_bytes(body: impl Into<Bytes>) -> Self {
        let body: Bytes = body.into();
        Self(BodyKind::Full((!body.is_empty()).then_some(body)))
    }

    /// A body read from a stream of chunks.
    pub fn from_stream(stream: impl Stream<Item = Result<Bytes, Error>> + Send + 'static) -> Self {
        Self(BodyKind::Stream(Box::pin(stream)))
    }
}

impl Stream for ResponseBody {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match &mut self.0 {
            BodyKind::Full(bytes) => Poll::Ready(bytes.take().map(Ok)),
            BodyKind::Stream(s) => s.as_mut().poll_next(cx),
            BodyKind::Reqwest(body) => loop {
                let frame = match Pin::new(&mut *body).poll_frame(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(None) => return Poll::Ready(None),
                    Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(map_error(e)))),
                    Poll::Ready(Some(Ok(frame))) => frame,
                };
                // Trailers carry nothing the client reads.
                if let Ok(data) = frame.into_data() {
                    return Poll::Ready(Some(Ok(data)));
                }
            },
        }
    }
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResponseBody")
    }
}

/// One HTTP response; the body is read as needed.
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: ResponseBody,
}

impl HttpResponse {
    /// A response with a body known in full (for fakes).
    pub fn from_bytes(status: u16, headers: HeaderMap, body: impl Into<Bytes>) -> Self {
        Self { status, headers, body: ResponseBody::from_bytes(body) }
    }

    /// The first value of a header (name case-insensitive), if it is visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        header_str(&self.headers, name)
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse").field("status", &self.status).field("headers", &self.headers).finish()
    }
}

/// The first value of a header as text (`None` if absent or not visible ASCII).
pub(crate) fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
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

/// What a client sends through: reqwest called directly (no boxed future), or any
/// [`HttpSend`].
pub(crate) enum Sender {
    Reqwest(ReqwestSend),
    Custom(Arc<dyn HttpSend>),
}

impl Sender {
    pub(crate) async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        match self {
            Self::Reqwest(r) => r.exchange(request).await,
            Self::Custom(h) => h.send(request).await,
        }
    }
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

impl ReqwestSend {
    /// Sends `request` (the [`HttpSend`] impl without its box).
    pub(crate) async fn exchange(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        let HttpRequest { method, url, headers, body } = request;
        let method = match method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
        };
        let mut req = reqwest::Request::new(method, url);
        *req.headers_mut() = headers;
        *req.body_mut() = Some(body.into());
        let resp: http::Response<reqwest::Body> = self.client.execute(req).await.map_err(map_error)?.into();
        let (head, body) = resp.into_parts();
        Ok(HttpResponse {
            status: head.status.as_u16(),
            headers: head.headers,
            body: ResponseBody(BodyKind::Reqwest(body)),
        })
    }
}

impl HttpSend for ReqwestSend {
    fn send(&self, request: HttpRequest) -> SendFuture<'_> {
        Box::pin(self.exchange(request))
    }
}

/// The largest answer read by default: 32 MiB (see [`crate::HttpProfile::max_response_size`]).
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 32 << 20;

/// The error of an answer larger than `limit` bytes.
pub(crate) fn too_large(limit: usize) -> Error {
    Error::decode(format!("the answer is larger than the limit of {limit} bytes (HttpProfile::max_response_size)"))
}

/// Reads a whole body of at most `limit` bytes: a `Content-Length` above the limit is
/// refused before any byte is read, and a longer stream as soon as it passes the limit.
pub(crate) async fn read_body(headers: &HeaderMap, mut body: ResponseBody, limit: usize) -> Result<Bytes, Error> {
    let announced = header_str(headers, "Content-Length").and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit as u64) {
        return Err(too_large(limit));
    }
    let mut first: Option<Bytes> = None;
    let mut rest: Vec<u8> = Vec::new();
    let mut len = 0usize;
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        len = len.saturating_add(chunk.len());
        if len > limit {
            return Err(too_large(limit));
        }
        match &first {
            None if rest.is_empty() => first = Some(chunk),
            _ => {
                if let Some(f) = first.take() {
                    // What the head announced (within the limit), a MiB at most up front.
                    let hint = announced.map_or(0, |n| n.min(1 << 20) as usize).max(f.len() + chunk.len());
                    rest.reserve(hint);
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
