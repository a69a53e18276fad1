//! Client and HTTP settings, shaped like the official SDKs' `ClientProfile` and
//! `HttpProfile`.

use std::path::PathBuf;
use std::time::Duration;

use tencentcloud_core::Language;
use tencentcloud_core::request::DEFAULT_ROOT_DOMAIN;

use crate::breaker::BreakerConfig;
use crate::proxy::ProxyConfig;
use crate::retry::RetryPolicy;

/// How requests are signed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SignMethod {
    /// `TC3-HMAC-SHA256` (the default; required for octet-stream, multipart and SSE calls).
    #[default]
    Tc3HmacSha256,
    /// Legacy v1 `HmacSHA1`.
    HmacSha1,
    /// Legacy v1 `HmacSHA256`.
    HmacSha256,
}

/// `http` or `https`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP (tests, local emulators).
    Http,
    /// HTTPS (the default).
    #[default]
    Https,
}

impl Scheme {
    /// `"http"` or `"https"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
        }
    }
}

/// The HTTP method of JSON calls: POST with a JSON body (default) or GET with the
/// parameters flattened into the query string.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HttpMethod {
    /// POST (the default).
    #[default]
    Post,
    /// GET.
    Get,
}

/// Where requests go and how connections behave.
///
/// ```
/// use std::time::Duration;
/// use tencentcloud_transport_std::{HttpMethod, HttpProfile};
///
/// let http = HttpProfile::new()
///     .endpoint("http://127.0.0.1:8080")
///     .method(HttpMethod::Get)
///     .connect_timeout(Duration::from_secs(3))
///     .timeout(Duration::from_secs(30));
/// # drop(http);
/// ```
#[derive(Clone, Debug)]
pub struct HttpProfile {
    pub(crate) scheme: Scheme,
    pub(crate) endpoint: Option<String>,
    pub(crate) root_domain: String,
    pub(crate) api_gateway: Option<String>,
    pub(crate) method: HttpMethod,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) timeout: Duration,
    pub(crate) pool_idle_timeout: Option<Duration>,
    pub(crate) pool_max_idle_per_host: Option<usize>,
    pub(crate) tcp_keepalive: Option<Duration>,
    pub(crate) proxy: ProxyConfig,
    pub(crate) ca_files: Vec<PathBuf>,
    pub(crate) ca_pems: Vec<Vec<u8>>,
    pub(crate) accept_invalid_certs: bool,
    pub(crate) user_agent: Option<String>,
    pub(crate) sse_max_event_size: usize,
    pub(crate) max_response_size: usize,
}

impl Default for HttpProfile {
    fn default() -> Self {
        Self {
            scheme: Scheme::Https,
            endpoint: None,
            root_domain: DEFAULT_ROOT_DOMAIN.to_owned(),
            api_gateway: None,
            method: HttpMethod::Post,
            connect_timeout: None,
            timeout: Duration::from_secs(60),
            pool_idle_timeout: Some(Duration::from_secs(90)),
            pool_max_idle_per_host: None,
            tcp_keepalive: None,
            proxy: ProxyConfig::default(),
            ca_files: Vec::new(),
            ca_pems: Vec::new(),
            accept_invalid_certs: false,
            user_agent: None,
            sse_max_event_size: 1 << 20,
            max_response_size: crate::http::DEFAULT_MAX_RESPONSE_SIZE,
        }
    }
}

impl HttpProfile {
    /// The defaults: HTTPS to `<service>.tencentcloudapi.com`, POST, 60 s per request,
    /// answers up to 32 MiB, proxies from the environment.
    pub fn new() -> Self {
        Self::default()
    }

    /// `http` or `https` for endpoints given without a scheme.
    pub fn scheme(mut self, scheme: Scheme) -> Self {
        self.scheme = scheme;
        self
    }

    /// An explicit endpoint: a host (`cvm.ap-guangzhou.tencentcloudapi.com`) or a full
    /// URL (`http://127.0.0.1:8080`). The request is signed for its host (and port).
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The root domain of `<service>.<root domain>` (default `tencentcloudapi.com`), e.g.
    /// `internal.tencentcloudapi.com`.
    pub fn root_domain(mut self, root_domain: impl Into<String>) -> Self {
        self.root_domain = root_domain.into();
        self
    }

    /// An API gateway URL: requests are signed for the service host (the endpoint, or
    /// `<service>.<root domain>`) and sent to the gateway, with `Host` set to the
    /// service host.
    pub fn api_gateway(mut self, url: impl Into<String>) -> Self {
        self.api_gateway = Some(url.into());
        self
    }

    /// POST (default) or GET for JSON calls.
    pub fn method(mut self, method: HttpMethod) -> Self {
        self.method = method;
        self
    }

    /// The TCP (and TLS) connect time limit. Default: none besides the request timeout.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The time limit of one attempt, from sending to the last byte of the response
    /// (default 60 s). For SSE calls it bounds the wait for the response head and then
    /// each wait for more data.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long an idle pooled connection is kept (default 90 s; `None` keeps it forever).
    pub fn pool_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// The most idle connections kept per host.
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = Some(max);
        self
    }

    /// TCP keep-alive probes on connections.
    pub fn tcp_keepalive(mut self, interval: Duration) -> Self {
        self.tcp_keepalive = Some(interval);
        self
    }

    /// The proxy settings (default: from the environment).
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.proxy = proxy;
        self
    }

    /// Also trusts the CA certificates in this PEM file (read when the client is built).
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_files.push(path.into());
        self
    }

    /// Also trusts these PEM CA certificates.
    pub fn ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_pems.push(pem.into());
        self
    }

    /// **Dangerous**: accepts any server certificate, so anyone on the path can read and
    /// change the traffic, credentials included. For throwaway tests only.
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.accept_invalid_certs = accept;
        self
    }

    /// The `User-Agent` header (default `tencentcloud-rs/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The largest server-sent event accepted (default 1 MiB).
    pub fn sse_max_event_size(mut self, bytes: usize) -> Self {
        self.sse_max_event_size = bytes.max(64);
        self
    }

    /// The largest answer read, JSON or binary (octet-stream), in bytes (default 32 MiB:
    /// room for the base64 images and documents some actions return, while one
    /// answer can never take the memory of the process). A larger answer is a decode
    /// error naming the limit: a `Content-Length` above it is refused before any byte is
    /// read, a longer stream as soon as it passes it. Event streams are bounded per event
    /// instead ([`HttpProfile::sse_max_event_size`]).
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = bytes.max(1024);
        self
    }
}

/// The default time limit of a whole call ([`ClientProfile::deadline`]): 5 minutes.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(300);

/// Everything about how a client calls: signing, language, tags, retries, breaker, and
/// the [`HttpProfile`].
///
/// ```
/// use tencentcloud_transport_std::{ClientProfile, HttpProfile, Language, RetryPolicy, SignMethod};
///
/// let profile = ClientProfile::new()
///     .http_profile(HttpProfile::new().endpoint("cvm.ap-shanghai.tencentcloudapi.com"))
///     .sign_method(SignMethod::Tc3HmacSha256)
///     .language(Language::EnUs)
///     .retry(RetryPolicy::standard(3));
/// # drop(profile);
/// ```
#[derive(Clone, Debug)]
pub struct ClientProfile {
    pub(crate) http: HttpProfile,
    pub(crate) sign_method: SignMethod,
    pub(crate) language: Option<Language>,
    pub(crate) request_client: Option<String>,
    pub(crate) unsigned_payload: bool,
    pub(crate) signed_headers: Vec<String>,
    pub(crate) retry: RetryPolicy,
    pub(crate) breaker: Option<BreakerConfig>,
    pub(crate) deadline: Duration,
}

impl Default for ClientProfile {
    fn default() -> Self {
        Self {
            http: HttpProfile::default(),
            sign_method: SignMethod::default(),
            language: None,
            request_client: Some(concat!("SDK_RUST_", env!("CARGO_PKG_VERSION")).to_owned()),
            unsigned_payload: false,
            signed_headers: Vec::new(),
            retry: RetryPolicy::none(),
            breaker: None,
            deadline: DEFAULT_DEADLINE,
        }
    }
}

impl ClientProfile {
    /// The defaults: TC3, no language header, `X-TC-RequestClient: SDK_RUST_<version>`,
    /// no retries, no breaker, a 5-minute deadline per call.
    pub fn new() -> Self {
        Self::default()
    }

    /// The HTTP settings.
    pub fn http_profile(mut self, http: HttpProfile) -> Self {
        self.http = http;
        self
    }

    /// The HTTP settings, to change in place.
    pub fn http_mut(&mut self) -> &mut HttpProfile {
        &mut self.http
    }

    /// TC3 (default) or a legacy v1 method.
    pub fn sign_method(mut self, method: SignMethod) -> Self {
        self.sign_method = method;
        self
    }

    /// The language of error messages (`X-TC-Language`).
    pub fn language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }

    /// The `X-TC-RequestClient` tag (`^[0-9a-zA-Z-_,;.]+$`, at most 128 characters);
    /// `None` sends none.
    pub fn request_client(mut self, tag: Option<String>) -> Self {
        self.request_client = tag;
        self
    }

    /// Leaves the body out of the signature (`X-TC-Content-SHA256: UNSIGNED-PAYLOAD`),
    /// for large uploads.
    pub fn unsigned_payload(mut self, unsigned: bool) -> Self {
        self.unsigned_payload = unsigned;
        self
    }

    /// Signs these headers too, besides `content-type` and `host` (e.g. `X-TC-Action`).
    pub fn sign_headers<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.signed_headers = names.into_iter().map(Into::into).collect();
        self
    }

    /// The retry policy (default: none).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The time limit of a whole call: waiting for credentials (a provider that never
    /// answers), every attempt (each also bounded by [`HttpProfile::timeout`]) and the
    /// pauses between retries; past it the call fails with [`crate::ErrorKind::Timeout`].
    /// For an event stream it bounds the wait for the stream, not the stream. Default 5
    /// minutes ([`DEFAULT_DEADLINE`]): three 60 s attempts, a re-signed one and their
    /// backoff fit; a longer retry policy needs a longer deadline. Must not be zero.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Turns the region breaker on.
    pub fn region_breaker(mut self, config: BreakerConfig) -> Self {
        self.breaker = Some(config);
        self
    }
}
