//! The async client: signing, sending, retries, breaker, clock skew, logging.

use std::collections::HashMap;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use reqwest::Url;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tencentcloud_core::legacy_v1;
use tencentcloud_core::multipart::Multipart;
use tencentcloud_core::request::Body as CoreBody;
use tencentcloud_core::response::envelope::parse_envelope_json;
use tencentcloud_core::{Credential, Method, Request, Signer};
use tracing::Instrument;

use crate::breaker::{Breaker, BreakerState, Outcome, Ticket};
use crate::credential::{ChainProvider, CredentialProvider, Credentials};
use crate::error::{Error, ErrorKind};
use crate::http::{HttpRequest, HttpResponse, HttpSend, ReqwestSend, find_header, read_body};
use crate::profile::{ClientProfile, HttpMethod, Scheme, SignMethod};
use crate::redact;
use crate::retry::{has_client_token, is_read_only_action};
use crate::skew::{ClockSkew, compute_offset};
use crate::sse::{SseEvent, SseStream};

/// The header that carries a trace id per call.
pub const TRACE_ID_HEADER: &str = "X-TC-TraceId";
/// The response header some services put the request id in.
const REQUEST_ID_HEADER: &str = "X-TC-RequestId";

/// Per-call settings that override the client's.
///
/// ```
/// use std::time::Duration;
/// use tencentcloud_transport_std::CallOptions;
///
/// let opts = CallOptions::new()
///     .header("X-TC-TraceId", "my-trace-id")
///     .region("ap-shanghai")
///     .timeout(Duration::from_secs(5))
///     .idempotent(true);
/// # drop(opts);
/// ```
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    headers: Vec<(String, String)>,
    endpoint: Option<String>,
    timeout: Option<Duration>,
    region: Option<String>,
    idempotent: Option<bool>,
    skip_sign: bool,
}

impl CallOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a header (an `X-TC-TraceId` UUID is generated when none is given).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends this call to another endpoint (host or full URL; the region breaker and the
    /// API gateway do not apply to it).
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Another time limit per attempt.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Another region; an empty string sends none.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Declares whether the call is safe to repeat after a failure that may have
    /// reached the server (by default: read-only actions and calls with a `ClientToken`).
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = Some(idempotent);
        self
    }

    /// Sends `Authorization: SKIP` and no credential (e.g. `AssumeRoleWithWebIdentity`).
    pub fn skip_sign(mut self, skip: bool) -> Self {
        self.skip_sign = skip;
        self
    }
}

/// What an octet-stream call answered.
#[derive(Clone, Debug, PartialEq)]
pub enum OctetOutput {
    /// A JSON answer: the `Response` object.
    Json(serde_json::Value),
    /// A binary answer.
    Binary {
        /// The `Content-Type`, if any.
        content_type: Option<String>,
        /// The bytes.
        data: Bytes,
        /// The request id from the `X-TC-RequestId` header, if any.
        request_id: Option<String>,
    },
}

/// Builds a [`Client`].
#[must_use]
pub struct ClientBuilder {
    credential: Option<Arc<dyn CredentialProvider>>,
    region: Option<String>,
    profile: ClientProfile,
    http: Option<Arc<dyn HttpSend>>,
}

impl ClientBuilder {
    /// The credential source (default: [`ChainProvider::default_chain`]: environment,
    /// profile file, CVM instance role, TKE).
    pub fn credential(mut self, provider: impl CredentialProvider + 'static) -> Self {
        self.credential = Some(Arc::new(provider));
        self
    }

    /// A shared credential source.
    pub fn credential_provider(mut self, provider: Arc<dyn CredentialProvider>) -> Self {
        self.credential = Some(provider);
        self
    }

    /// The default region (`X-TC-Region`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into()).filter(|r| !r.is_empty());
        self
    }

    /// The profile.
    pub fn profile(mut self, profile: ClientProfile) -> Self {
        self.profile = profile;
        self
    }

    /// Sends through this instead of reqwest (tests, middleware).
    pub fn http_send(mut self, http: Arc<dyn HttpSend>) -> Self {
        self.http = Some(http);
        self
    }

    /// Checks the settings and builds the client (and its connection pool).
    pub fn build(self) -> Result<Client, Error> {
        let profile = self.profile;
        let http = &profile.http;
        if let Some(ep) = &http.endpoint {
            parse_endpoint(ep, http.scheme)?;
        }
        if let Some(gw) = &http.api_gateway {
            parse_endpoint(gw, http.scheme)?;
        }
        if let Some(b) = &profile.breaker {
            if b.backup_endpoint.contains("://") {
                parse_endpoint(&b.backup_endpoint, http.scheme)?;
            }
            if !(0.0..=1.0).contains(&b.failure_ratio) {
                return Err(Error::configuration("breaker failure ratio must be within 0..=1"));
            }
        }
        if http.timeout.is_zero() {
            return Err(Error::configuration("the request timeout must not be zero"));
        }
        let sender: Arc<dyn HttpSend> = match self.http {
            Some(h) => h,
            None => Arc::new(ReqwestSend::new(http)?),
        };
        let breaker = profile.breaker.clone().map(|cfg| Mutex::new(Breaker::new(cfg, Instant::now())));
        Ok(Client {
            inner: Arc::new(Inner {
                credential: self.credential.unwrap_or_else(|| Arc::new(ChainProvider::default_chain())),
                region: self.region,
                profile,
                http: sender,
                signer: Mutex::new(Signer::<8>::default()),
                targets: Mutex::new(HashMap::new()),
                skew: ClockSkew::default(),
                breaker,
            }),
        })
    }
}

struct Inner {
    credential: Arc<dyn CredentialProvider>,
    region: Option<String>,
    profile: ClientProfile,
    http: Arc<dyn HttpSend>,
    signer: Mutex<Signer<8>>,
    /// The parsed default endpoint of each service called so far (the profile is fixed).
    targets: Mutex<HashMap<String, Target>>,
    skew: ClockSkew,
    breaker: Option<Mutex<Breaker>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An async Tencent Cloud API 3.0 client for every service. Cheap to clone (shared
/// connection pool, signing-key cache, clock offset and breaker).
///
/// ```no_run
/// use tencentcloud_transport_std::{Client, StaticProvider};
///
/// # async fn demo() -> Result<(), tencentcloud_transport_std::Error> {
/// let client = Client::new(StaticProvider::new("AKID...", "secret"), "ap-guangzhou")?;
/// let zones = client.call_json("cvm", "2017-03-12", "DescribeZones", serde_json::json!({})).await?;
/// println!("{}", zones["TotalCount"]);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("region", &self.inner.region).field("profile", &self.inner.profile).finish()
    }
}

/// Where one attempt goes: the URL (without query) and the host it is signed for.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Target {
    url: String,
    host: String,
}

/// Parses a host or full URL into a target. The signed host keeps an explicit port.
fn parse_endpoint(endpoint: &str, scheme: Scheme) -> Result<Target, Error> {
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
    Ok(Target { url: format!("{}://{host}{}", url.scheme(), url.path()), host })
}

/// A random UUID v4 for `X-TC-TraceId` (from a fast per-thread generator: a trace id
/// needs uniqueness, not secrecy, and a system call per request would cost more than
/// the signature).
fn trace_id() -> String {
    let bytes = fastrand::u128(..).to_le_bytes();
    uuid::Builder::from_random_bytes(bytes).into_uuid().hyphenated().to_string()
}

/// The first letter upper-cased, as the API expects.
fn capitalize(action: &str) -> String {
    let mut c = action.chars();
    match c.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// The body of a prepared call, encoded once.
enum PreparedBody {
    Json(Bytes),
    Query(String),
    OctetStream(Bytes),
    Multipart {
        content_type: String,
        body: Bytes,
    },
    /// Legacy v1: the parameters, encoded per attempt (timestamp and nonce change).
    Legacy {
        params: serde_json::Value,
        method: legacy_v1::SignMethod,
    },
}

/// One call, ready to be signed for each attempt.
struct Prepared {
    service: String,
    version: String,
    action: String,
    region: Option<String>,
    headers: Vec<(String, String)>,
    body: PreparedBody,
    idempotent: bool,
    skip_sign: bool,
    timeout: Duration,
    endpoint: Option<String>,
}

/// Turns a response into the call's output.
trait Handler: Send + Sync {
    type Output;
    /// The output and the request id.
    fn handle(&self, resp: HttpResponse) -> impl Future<Output = Result<(Self::Output, Option<String>), Error>> + Send;
}

fn dump_response(status: u16, headers: &[(String, String)], body: &[u8]) {
    if tracing::enabled!(target: "tencentcloud::http", tracing::Level::DEBUG) {
        tracing::debug!(
            target: "tencentcloud::http",
            status,
            headers = %redact::headers(headers),
            body = %redact::body(find_header(headers, "Content-Type"), body),
            "response"
        );
    }
}

fn header_request_id(headers: &[(String, String)]) -> Option<String> {
    find_header(headers, REQUEST_ID_HEADER).map(str::to_owned).filter(|s| !s.is_empty())
}

/// Parses a JSON answer: the `Response` object as `T`, or the error it carries.
fn parse_json<T: DeserializeOwned>(
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<(T, Option<String>), Error> {
    let header_id = header_request_id(headers);
    if status != 200 {
        if let Ok(env) = parse_envelope_json::<serde::de::IgnoredAny>(body) {
            if let Err(api) = env.result {
                return Err(Error::from_api_error(&api));
            }
            let id = Some(env.request_id.to_string()).filter(|s| !s.is_empty()).or(header_id);
            return Err(Error::http_status(status, id));
        }
        return Err(Error::http_status(status, header_id));
    }
    let env = parse_envelope_json::<T>(body).map_err(|e| Error::from(e).with_request_id(header_id.clone()))?;
    if let Some(w) = &env.deprecated_warning {
        tracing::warn!(warning = %w.text, "the API reports a deprecation");
    }
    let id = Some(env.request_id.to_string()).filter(|s| !s.is_empty()).or(header_id);
    match env.result {
        Ok(v) => Ok((v, id)),
        Err(api) => Err(Error::from_api_error(&api)),
    }
}

struct JsonHandler<T>(PhantomData<fn() -> T>);

impl<T: DeserializeOwned> Handler for JsonHandler<T> {
    type Output = T;

    async fn handle(&self, resp: HttpResponse) -> Result<(T, Option<String>), Error> {
        let HttpResponse { status, headers, body } = resp;
        let body = read_body(body).await?;
        dump_response(status, &headers, &body);
        parse_json(status, &headers, &body)
    }
}

fn is_json(headers: &[(String, String)]) -> bool {
    media_type(headers).is_some_and(|m| m.eq_ignore_ascii_case("application/json"))
}

fn media_type(headers: &[(String, String)]) -> Option<&str> {
    find_header(headers, "Content-Type").map(|ct| ct.split(';').next().unwrap_or("").trim())
}

struct OctetHandler;

impl Handler for OctetHandler {
    type Output = OctetOutput;

    async fn handle(&self, resp: HttpResponse) -> Result<(OctetOutput, Option<String>), Error> {
        let HttpResponse { status, headers, body } = resp;
        let body = read_body(body).await?;
        dump_response(status, &headers, &body);
        if status != 200 || is_json(&headers) {
            let (v, id) = parse_json::<serde_json::Value>(status, &headers, &body)?;
            return Ok((OctetOutput::Json(v), id));
        }
        let request_id = header_request_id(&headers);
        let content_type = find_header(&headers, "Content-Type").map(str::to_owned);
        Ok((OctetOutput::Binary { content_type, data: body, request_id: request_id.clone() }, request_id))
    }
}

struct SseHandler {
    idle_timeout: Duration,
    max_event: usize,
}

impl Handler for SseHandler {
    type Output = SseStream;

    async fn handle(&self, resp: HttpResponse) -> Result<(SseStream, Option<String>), Error> {
        let HttpResponse { status, headers, body } = resp;
        let request_id = header_request_id(&headers);
        let is_stream = media_type(&headers).is_some_and(|m| m.eq_ignore_ascii_case("text/event-stream"));
        if status == 200 && is_stream {
            tracing::debug!(target: "tencentcloud::http", status, headers = %redact::headers(&headers), "event stream");
            return Ok((SseStream::new(body, self.idle_timeout, self.max_event, request_id.clone()), request_id));
        }
        // An error envelope (or a non-streamed answer) instead of a stream.
        let body = read_body(body).await?;
        dump_response(status, &headers, &body);
        let (response, id) = parse_json::<serde_json::Value>(status, &headers, &body)?;
        let event = SseEvent { event: "message".into(), data: response.to_string(), id: None, retry: None };
        Ok((SseStream::from_events(vec![Ok(event)], id.clone()), id))
    }
}

/// How an attempt went, for the breaker.
fn breaker_outcome<T>(result: &Result<T, Error>) -> Outcome {
    let Err(e) = result else { return Outcome::Success };
    match e.kind() {
        ErrorKind::Api { code, .. } if code == "InternalError" => Outcome::Failure,
        ErrorKind::Api { .. } => Outcome::Success,
        ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Decode => Outcome::Failure,
        ErrorKind::HttpStatus { status } if *status >= 500 => Outcome::Failure,
        ErrorKind::HttpStatus { .. } => Outcome::Success,
        _ => Outcome::Ignore,
    }
}

impl Client {
    /// A builder with the default profile.
    pub fn builder() -> ClientBuilder {
        ClientBuilder { credential: None, region: None, profile: ClientProfile::default(), http: None }
    }

    /// A client with the default profile.
    pub fn new(credential: impl CredentialProvider + 'static, region: impl Into<String>) -> Result<Self, Error> {
        Self::builder().credential(credential).region(region).build()
    }

    /// The default region.
    pub fn region(&self) -> Option<&str> {
        self.inner.region.as_deref()
    }

    /// The profile.
    pub fn profile(&self) -> &ClientProfile {
        &self.inner.profile
    }

    /// The learned clock offset (server minus local), in seconds.
    pub fn clock_offset(&self) -> i64 {
        self.inner.skew.offset()
    }

    /// The region breaker's state, if the breaker is on.
    pub fn breaker_state(&self) -> Option<BreakerState> {
        self.inner.breaker.as_ref().map(|b| lock(b).state(Instant::now()))
    }

    /// Calls any action with JSON parameters and returns the `Response` object
    /// (`RequestId` included).
    pub async fn call_json(
        &self,
        service: &str,
        version: &str,
        action: &str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, Error> {
        self.call_json_with(service, version, action, params, &CallOptions::default()).await
    }

    /// [`Client::call_json`] with per-call options.
    pub async fn call_json_with(
        &self,
        service: &str,
        version: &str,
        action: &str,
        params: serde_json::Value,
        opts: &CallOptions,
    ) -> Result<serde_json::Value, Error> {
        let p = self.prepare_json(service, version, action, params, opts)?;
        self.execute(p, JsonHandler(PhantomData)).await
    }

    /// Calls an action with typed parameters and a typed `Response`.
    pub async fn call<Req, Resp>(
        &self,
        service: &str,
        version: &str,
        action: &str,
        request: &Req,
    ) -> Result<Resp, Error>
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned,
    {
        self.call_with(service, version, action, request, &CallOptions::default()).await
    }

    /// [`Client::call`] with per-call options.
    pub async fn call_with<Req, Resp>(
        &self,
        service: &str,
        version: &str,
        action: &str,
        request: &Req,
        opts: &CallOptions,
    ) -> Result<Resp, Error>
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned,
    {
        let params = serde_json::to_value(request)
            .map_err(|e| Error::configuration(format!("cannot serialize the request: {e}")))?;
        let p = self.prepare_json(service, version, action, params, opts)?;
        self.execute(p, JsonHandler::<Resp>(PhantomData)).await
    }

    /// Calls an octet-stream action: `body` as the raw payload, the parameters as
    /// headers (e.g. `("X-TC-Name", "a.bin")`). The answer is JSON or bytes.
    pub async fn call_octet_stream(
        &self,
        service: &str,
        version: &str,
        action: &str,
        params: &[(&str, &str)],
        body: impl Into<Bytes>,
        opts: &CallOptions,
    ) -> Result<OctetOutput, Error> {
        let mut p = self.prepare(service, version, action, PreparedBody::OctetStream(body.into()), None, opts)?;
        p.headers.extend(params.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        self.execute(p, OctetHandler).await
    }

    /// Calls a `multipart/form-data` action (binary fields) and returns the `Response`.
    pub async fn call_multipart(
        &self,
        service: &str,
        version: &str,
        action: &str,
        mut form: Multipart,
        opts: &CallOptions,
    ) -> Result<serde_json::Value, Error> {
        let (content_type, body) = form.finish();
        let body = PreparedBody::Multipart { content_type, body: body.into() };
        let p = self.prepare(service, version, action, body, None, opts)?;
        self.execute(p, JsonHandler(PhantomData)).await
    }

    /// Calls a streaming action (e.g. hunyuan `ChatCompletions` with `Stream: true`) and
    /// returns its events as they arrive. An error answer instead of a stream is
    /// returned as an error; a non-streamed answer arrives as one event.
    pub async fn call_sse(
        &self,
        service: &str,
        version: &str,
        action: &str,
        params: serde_json::Value,
        opts: &CallOptions,
    ) -> Result<SseStream, Error> {
        let p = self.prepare_json(service, version, action, params, opts)?;
        let handler = SseHandler { idle_timeout: p.timeout, max_event: self.inner.profile.http.sse_max_event_size };
        self.execute(p, handler).await
    }

    fn prepare_json(
        &self,
        service: &str,
        version: &str,
        action: &str,
        params: serde_json::Value,
        opts: &CallOptions,
    ) -> Result<Prepared, Error> {
        let params = match params {
            serde_json::Value::Null => serde_json::Value::Object(Default::default()),
            v @ serde_json::Value::Object(_) => v,
            _ => return Err(Error::configuration("the parameters must be a JSON object")),
        };
        let profile = &self.inner.profile;
        let legacy = match profile.sign_method {
            SignMethod::Tc3HmacSha256 => None,
            SignMethod::HmacSha1 => Some(legacy_v1::SignMethod::HmacSha1),
            SignMethod::HmacSha256 => Some(legacy_v1::SignMethod::HmacSha256),
        };
        let client_token = has_client_token(&params);
        let body = match (legacy, profile.http.method) {
            (Some(method), _) if !opts.skip_sign => PreparedBody::Legacy { params, method },
            (_, HttpMethod::Get) => PreparedBody::Query(tencentcloud_core::query::flatten_json(&params)),
            (_, HttpMethod::Post) => {
                PreparedBody::Json(serde_json::to_vec(&params).map_err(|e| Error::configuration(e.to_string()))?.into())
            }
        };
        self.prepare(service, version, action, body, Some(client_token), opts)
    }

    fn prepare(
        &self,
        service: &str,
        version: &str,
        action: &str,
        body: PreparedBody,
        client_token: Option<bool>,
        opts: &CallOptions,
    ) -> Result<Prepared, Error> {
        let action = capitalize(action);
        let mut headers = opts.headers.clone();
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(TRACE_ID_HEADER)) {
            headers.push((TRACE_ID_HEADER.to_owned(), trace_id()));
        }
        let region = match &opts.region {
            Some(r) => Some(r.clone()).filter(|r| !r.is_empty()),
            None => self.inner.region.clone(),
        };
        let idempotent = opts.idempotent.unwrap_or_else(|| is_read_only_action(&action) || client_token == Some(true));
        Ok(Prepared {
            service: service.to_owned(),
            version: version.to_owned(),
            action,
            region,
            headers,
            body,
            idempotent,
            skip_sign: opts.skip_sign,
            timeout: opts.timeout.unwrap_or(self.inner.profile.http.timeout),
            endpoint: opts.endpoint.clone(),
        })
    }

    /// Where an attempt goes.
    fn target(&self, p: &Prepared, backup: bool) -> Result<Target, Error> {
        let http = &self.inner.profile.http;
        if let Some(ep) = &p.endpoint {
            return parse_endpoint(ep, http.scheme);
        }
        if let (true, Some(cfg)) = (backup, &self.inner.breaker) {
            let backup = lock(cfg).config().backup_endpoint.clone();
            if backup.contains("://") {
                return parse_endpoint(&backup, http.scheme);
            }
            return parse_endpoint(&format!("{}.{backup}", p.service), http.scheme);
        }
        if let Some(t) = lock(&self.inner.targets).get(&p.service) {
            return Ok(t.clone());
        }
        let service_target = match &http.endpoint {
            Some(ep) => parse_endpoint(ep, http.scheme)?,
            None => parse_endpoint(&format!("{}.{}", p.service, http.root_domain), http.scheme)?,
        };
        let target = match &http.api_gateway {
            Some(gw) => Target { url: parse_endpoint(gw, http.scheme)?.url, host: service_target.host },
            None => service_target,
        };
        let mut targets = lock(&self.inner.targets);
        // Bounded: one entry per service this client calls.
        if targets.len() < 1024 {
            targets.insert(p.service.clone(), target.clone());
        }
        Ok(target)
    }

    /// Signs the call for one attempt.
    fn build_request(
        &self,
        p: &Prepared,
        target: &Target,
        cred: Option<&Credentials>,
        timestamp: u64,
    ) -> Result<HttpRequest, Error> {
        let (body, bytes) = match &p.body {
            PreparedBody::Json(b) => (CoreBody::Json(b), b.clone()),
            PreparedBody::Query(q) => (CoreBody::Query(q), Bytes::new()),
            PreparedBody::OctetStream(b) => (CoreBody::OctetStream(b), b.clone()),
            PreparedBody::Multipart { content_type, body } => {
                (CoreBody::Multipart { content_type, body }, body.clone())
            }
            PreparedBody::Legacy { params, method } => {
                let cred = cred.ok_or_else(|| Error::configuration("the legacy signature cannot skip signing"))?;
                return self.build_legacy(p, params, *method, target, cred, timestamp);
            }
        };
        let profile = &self.inner.profile;
        let headers: Vec<(&str, &str)> = p.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let signed_names: Vec<&str> = profile.signed_headers.iter().map(String::as_str).collect();
        let mut req = Request::new(&p.service, &p.version, &p.action, body).host(&target.host).headers(&headers);
        if let Some(r) = p.region.as_deref() {
            req = req.region(r);
        }
        if let Some(l) = profile.language {
            req = req.language(l);
        }
        if let Some(tag) = profile.request_client.as_deref() {
            req = req.request_client(tag);
        }
        if !signed_names.is_empty() {
            req = req.sign_headers(&signed_names);
        }
        if p.skip_sign {
            req = req.skip_sign();
        } else if profile.unsigned_payload {
            req = req.unsigned_payload();
        }
        let core_cred = match cred {
            Some(c) => c.as_core()?,
            // Not sent: a skip-sign request carries no credential.
            None => Credential::new("SKIP", "SKIP").map_err(tencentcloud_core::Error::from)?,
        };
        let signed = lock(&self.inner.signer).sign(&req, &core_cred, timestamp)?;
        let headers = signed.headers().map(|h| (h.name.to_owned(), h.value.parts().concat())).collect();
        let [_, query] = signed.path_and_query();
        let url = if query.is_empty() { target.url.clone() } else { format!("{}?{query}", target.url) };
        Ok(HttpRequest { method: req.method(), url, headers, body: bytes })
    }

    fn build_legacy(
        &self,
        p: &Prepared,
        params: &serde_json::Value,
        method: legacy_v1::SignMethod,
        target: &Target,
        cred: &Credentials,
        timestamp: u64,
    ) -> Result<HttpRequest, Error> {
        let core_cred = cred.as_core()?;
        let profile = &self.inner.profile;
        let nonce = fastrand::u32(1..).to_string();
        let timestamp = timestamp.to_string();
        let mut common: Vec<(&str, &str)> = vec![
            ("Action", &p.action),
            ("Nonce", &nonce),
            ("Timestamp", &timestamp),
            ("Version", &p.version),
            ("SecretId", core_cred.secret_id()),
            ("SignatureMethod", method.as_str()),
        ];
        if let Some(r) = p.region.as_deref() {
            common.push(("Region", r));
        }
        if let Some(t) = core_cred.token() {
            common.push(("Token", t));
        }
        if let Some(l) = profile.language {
            common.push(("Language", l.as_str()));
        }
        if let Some(tag) = profile.request_client.as_deref() {
            common.push(("RequestClient", tag));
        }
        let pairs = tencentcloud_core::query::flatten_pairs(params);
        let mut all = common.clone();
        all.extend(
            pairs.iter().filter(|(k, _)| !common.iter().any(|(c, _)| c == k)).map(|(k, v)| (k.as_str(), v.as_str())),
        );
        let http_method = match profile.http.method {
            HttpMethod::Get => Method::Get,
            HttpMethod::Post => Method::Post,
        };
        let sig = legacy_v1::signature(core_cred.secret_key(), http_method.as_str(), &target.host, "/", &all, method);
        let mut buf = vec![0u8; legacy_v1::form_len(&all, &sig)];
        let form = legacy_v1::write_form(&all, &sig, &mut buf)
            .map_err(|_| Error::configuration("cannot encode the legacy form"))?
            .to_owned();
        let mut headers = vec![("Host".to_owned(), target.host.clone())];
        if http_method == Method::Post {
            headers.push(("Content-Type".to_owned(), "application/x-www-form-urlencoded".to_owned()));
        }
        headers.extend(p.headers.iter().cloned());
        let (url, body) = match http_method {
            Method::Get => (format!("{}?{form}", target.url), Bytes::new()),
            Method::Post => (target.url.clone(), Bytes::from(form)),
        };
        Ok(HttpRequest { method: http_method, url, headers, body })
    }

    /// Runs a call: attempts, retries, breaker, clock-skew correction, logging.
    async fn execute<H: Handler>(&self, p: Prepared, handler: H) -> Result<H::Output, Error> {
        let span = tracing::info_span!(
            "tencentcloud.call",
            service = %p.service,
            action = %p.action,
            region = p.region.as_deref().unwrap_or(""),
            request_id = tracing::field::Empty,
            attempts = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        self.execute_in_span(p, handler, span.clone()).instrument(span).await
    }

    async fn execute_in_span<H: Handler>(
        &self,
        p: Prepared,
        handler: H,
        span: tracing::Span,
    ) -> Result<H::Output, Error> {
        let inner = &*self.inner;
        let started = Instant::now();
        let mut counted = 0u32; // attempts that count against the retry policy
        let mut attempt = 0u32;
        let mut skew_corrected = false;
        loop {
            attempt += 1;
            counted += 1;
            let ticket: Option<Ticket> = match (&inner.breaker, &p.endpoint) {
                (Some(b), None) => Some(lock(b).before_request(Instant::now())),
                _ => None,
            };
            let backup = ticket.is_some_and(|t| t.backup);
            let attempt_span = tracing::debug_span!("attempt", attempt, backup);
            let (result, date) = self.attempt(&p, &handler, backup).instrument(attempt_span).await;
            if let (Some(t), Some(b)) = (ticket, &inner.breaker) {
                let mut b = lock(b);
                b.after_request(t, breaker_outcome(&result), Instant::now());
            }
            let err = match result {
                Ok((out, request_id)) => {
                    finish(&span, started, attempt, request_id.as_deref());
                    tracing::debug!(latency_ms = started.elapsed().as_millis() as u64, "call succeeded");
                    return Ok(out);
                }
                Err(e) => e,
            };
            let offset = date.as_deref().and_then(|d| compute_offset(d.as_bytes(), SystemTime::now()));
            if let (Some("AuthFailure.SignatureExpire"), false, Some(offset)) = (err.api_code(), skew_corrected, offset)
            {
                tracing::warn!(offset_secs = offset, "clock skew detected: correcting the signing time and retrying");
                inner.skew.set(offset);
                skew_corrected = true;
                counted -= 1;
                continue;
            }
            if let Some(delay) = inner.profile.retry.next_delay(&err, p.idempotent, counted) {
                tracing::debug!(error = %err, delay_ms = delay.as_millis() as u64, "retrying");
                tokio::time::sleep(delay).await;
                continue;
            }
            finish(&span, started, attempt, err.request_id());
            tracing::debug!(error = %err, "call failed");
            return Err(err);
        }
    }

    /// One attempt, with its `Date` response header (for the clock-skew correction).
    async fn attempt<H: Handler>(
        &self,
        p: &Prepared,
        handler: &H,
        backup: bool,
    ) -> (Result<(H::Output, Option<String>), Error>, Option<String>) {
        let request = match self.sign_attempt(p, backup).await {
            Ok(r) => r,
            Err(e) => return (Err(e), None),
        };
        if tracing::enabled!(target: "tencentcloud::http", tracing::Level::DEBUG) {
            tracing::debug!(
                target: "tencentcloud::http",
                method = request.method.as_str(),
                url = %redact::url(&request.url),
                headers = %redact::headers(&request.headers),
                body = %redact::body(request.header("Content-Type"), &request.body),
                "request"
            );
        }
        let mut date = None;
        let exchange = async {
            let resp = self.inner.http.send(request).await?;
            date = resp.header("Date").map(str::to_owned);
            handler.handle(resp).await
        };
        match tokio::time::timeout(p.timeout, exchange).await {
            Ok(result) => (result, date),
            Err(_) => (Err(Error::timeout(p.timeout)), None),
        }
    }

    async fn sign_attempt(&self, p: &Prepared, backup: bool) -> Result<HttpRequest, Error> {
        let target = self.target(p, backup)?;
        let cred = match p.skip_sign {
            true => None,
            false => Some(self.inner.credential.credential().await?),
        };
        self.build_request(p, &target, cred.as_ref(), self.inner.skew.now())
    }
}

fn finish(span: &tracing::Span, started: Instant, attempts: u32, request_id: Option<&str>) {
    span.record("attempts", attempts);
    span.record("latency_ms", started.elapsed().as_millis() as u64);
    if let Some(id) = request_id {
        span.record("request_id", id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        let t = parse_endpoint("http://127.0.0.1:8080", Scheme::Https).unwrap();
        assert_eq!(t, Target { url: "http://127.0.0.1:8080/".into(), host: "127.0.0.1:8080".into() });
        let t = parse_endpoint("cvm.ap-guangzhou.tencentcloudapi.com", Scheme::Https).unwrap();
        assert_eq!(t.url, "https://cvm.ap-guangzhou.tencentcloudapi.com/");
        assert_eq!(t.host, "cvm.ap-guangzhou.tencentcloudapi.com");
        let t = parse_endpoint("https://gw.example.com:443/release/", Scheme::Http).unwrap();
        assert_eq!((t.url.as_str(), t.host.as_str()), ("https://gw.example.com/release/", "gw.example.com"));
        let t = parse_endpoint("http://[::1]:9000", Scheme::Http).unwrap();
        assert_eq!(t.host, "[::1]:9000");
        assert!(parse_endpoint("ftp://x", Scheme::Http).is_err());
        assert!(parse_endpoint("http://x/?a=1", Scheme::Http).is_err());
        assert!(parse_endpoint("", Scheme::Http).is_err());
    }

    #[test]
    fn legacy_flattening() {
        let v = serde_json::json!({"Limit": 1, "Flag": true, "Skip": null, "Filters": [{"Name": "zone", "Values": ["a b"]}]});
        let pairs = tencentcloud_core::query::flatten_pairs(&v);
        let want = [("Limit", "1"), ("Flag", "True"), ("Filters.0.Name", "zone"), ("Filters.0.Values.0", "a b")];
        assert_eq!(pairs, want.map(|(k, v)| (k.to_owned(), v.to_owned())));
        assert_eq!(capitalize("describeZones"), "DescribeZones");
        assert_eq!(capitalize(""), "");
    }
}
