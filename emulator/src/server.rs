//! The front door: accept loop, connections, the request's signature and common headers, faults,
//! the request log and the HTTP answer. What the request asks for is answered by [`dispatch`].

use std::convert::Infallible;
use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Frame, Incoming};
use hyper::header::{CONTENT_TYPE, DATE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::backend::{Backends, resources};
use crate::clock::imf_fixdate;
use crate::dispatch::dispatch;
use crate::error::ApiError;
use crate::fault::Fault;
use crate::metadata::metadata;
use crate::params::parse_body;
use crate::proxy::{self, ApiHost, ProxyCtx, Target};
use crate::record::{RecordedRequest, Verification};
use crate::request::{ApiRequest, Outcome};
use crate::state::State;
use crate::store::{Change, Store};
use crate::sync::lock;
use crate::tc3::{self, AuthError, VerifyInput, find_header};

/// Largest request body read by default (bigger ones get `RequestSizeLimitExceeded`).
pub(crate) const MAX_BODY: usize = 32 * 1024 * 1024;
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);
pub(crate) const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest wait for a request's head (also how long an idle keep-alive connection stays).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest wait for a request's body, once its head is in.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(60);

pub(crate) type Body = BoxBody<Bytes, Infallible>;

/// Everything a request reaches: the front door's state, the backends behind it and the
/// resources they keep.
pub(crate) struct Cloud {
    pub(crate) state: State,
    pub(crate) backends: Backends,
    pub(crate) store: Arc<Store>,
}

impl Cloud {
    /// Forgets every stored resource.
    pub(crate) fn reset(&self) -> io::Result<()> {
        self.store.update(|_| Ok((vec![Change::Reset], ()))).map_err(|e| io::Error::other(e.message))
    }

    /// Adds resources from a seed document.
    pub(crate) fn seed(&self, doc: &Value) -> io::Result<usize> {
        resources::seed(&self.store, &self.state.ids, doc, self.state.now_ms())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
    }
}

/// Error returned by the service to make hyper close the connection without answering.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl fmt::Display for DropConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl StdError for DropConnection {}

/// How a connection's requests reached the emulator.
#[derive(Clone)]
pub(crate) enum Ingress {
    /// The endpoint: requests in origin form (`POST /`).
    Endpoint,
    /// A listener that is also the proxy: `CONNECT` and requests in absolute form too.
    Proxy { ctx: Arc<ProxyCtx>, local: SocketAddr },
    /// Inside a `CONNECT` tunnel to this host.
    Tunnel(Arc<ApiHost>),
}

pub(crate) async fn accept_loop(
    listener: TcpListener,
    cloud: Arc<Cloud>,
    tls: Option<TlsAcceptor>,
    proxy: Option<Arc<ProxyCtx>>,
    mut shutdown: watch::Receiver<bool>,
) {
    let ingress = match (proxy, listener.local_addr()) {
        (Some(ctx), Ok(local)) => Ingress::Proxy { ctx, local },
        _ => Ingress::Endpoint,
    };
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            () = wait_shutdown(&mut shutdown) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let cloud = cloud.clone();
                    let shutdown = shutdown.clone();
                    let tls = tls.clone();
                    let ingress = ingress.clone();
                    conns.spawn(async move {
                        match tls {
                            None => serve_conn(stream, cloud, ingress, shutdown, None).await,
                            Some(acceptor) => {
                                match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                                    Ok(Ok(tls_stream)) => serve_conn(tls_stream, cloud, ingress, shutdown, None).await,
                                    Ok(Err(e)) => tracing::debug!(%peer, "TLS handshake failed: {e}"),
                                    Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                                }
                            }
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async { while conns.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        conns.abort_all();
        while conns.join_next().await.is_some() {}
    }
}

/// Serves one connection until it closes, the emulator shuts down or `max_life` passes (then
/// it is closed between requests, in-flight ones given [`SHUTDOWN_GRACE`]).
pub(crate) async fn serve_conn<S>(
    io: S,
    cloud: Arc<Cloud>,
    ingress: Ingress,
    mut shutdown: watch::Receiver<bool>,
    max_life: Option<Duration>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let bounded_head = !matches!(ingress, Ingress::Endpoint);
    let svc = service_fn(move |req| handle(cloud.clone(), ingress.clone(), req));
    let mut builder = http1::Builder::new();
    // Every response carries its own `Date` (emulator clock); hyper then adds none of its own.
    builder.keep_alive(true).timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
    if bounded_head {
        builder.max_header_size(proxy::MAX_HEAD);
    }
    let conn = builder.serve_connection(TokioIo::new(io), svc).with_upgrades();
    tokio::pin!(conn);
    let lifetime = async move {
        match max_life {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        res = conn.as_mut() => {
            if let Err(e) = res {
                tracing::debug!("connection closed: {e}");
            }
            return;
        }
        () = wait_shutdown(&mut shutdown) => {}
        () = lifetime => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, conn).await;
}

async fn wait_shutdown(rx: &mut watch::Receiver<bool>) {
    // An error means the sender is gone, which also means shutdown.
    let _ = rx.wait_for(|&s| s).await;
}

/// Response body streaming frames from a channel (SSE, pieces of bytes): chunked.
struct ChannelBody {
    rx: mpsc::Receiver<Bytes>,
}

impl hyper::body::Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.get_mut().rx.poll_recv(cx).map(|o| o.map(|b| Ok(Frame::data(b))))
    }
}

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed()
}

fn response(now_ms: i64, status: u16, content_type: &str, body: Body) -> Response<Body> {
    let mut resp = Response::new(body);
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("text/plain")));
    if let Ok(v) = HeaderValue::from_str(&imf_fixdate(now_ms.div_euclid(1000))) {
        h.insert(DATE, v);
    }
    resp
}

fn json_response(now_ms: i64, value: &Value) -> Response<Body> {
    response(now_ms, 200, "application/json", full(value.to_string()))
}

pub(crate) fn error_envelope(code: &str, message: &str, request_id: &str) -> Value {
    json!({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}})
}

fn status_page(now_ms: i64, status: u16) -> Response<Body> {
    let reason = StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error");
    let html = format!(
        "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<hr><center>tencentcloud-emulator</center>\r\n</body>\r\n</html>\r\n"
    );
    response(now_ms, status, "text/html", full(html))
}

/// What a fault turns into, unless it lets normal handling proceed.
enum FaultAction {
    Proceed,
    Drop,
    Respond(Response<Body>, Option<String>),
}

/// Applies a request's fault and records the outcome: `Ok(None)` means answer normally.
async fn inject_fault(
    state: &State,
    seq: u64,
    fault: Option<&Fault>,
    now_ms: i64,
    request_id: &str,
) -> Result<Option<Response<Body>>, DropConnection> {
    match apply_fault(fault, now_ms, request_id).await {
        FaultAction::Proceed => Ok(None),
        FaultAction::Drop => {
            state.finish(seq, None, None);
            Err(DropConnection)
        }
        FaultAction::Respond(resp, code) => {
            state.finish(seq, Some(resp.status().as_u16()), code);
            Ok(Some(resp))
        }
    }
}

async fn apply_fault(fault: Option<&Fault>, now_ms: i64, request_id: &str) -> FaultAction {
    let envelope = |code: &str, message: &str| {
        FaultAction::Respond(json_response(now_ms, &error_envelope(code, message, request_id)), Some(code.to_owned()))
    };
    match fault {
        None => FaultAction::Proceed,
        Some(Fault::Delay(d)) => {
            tokio::time::sleep(*d).await;
            FaultAction::Proceed
        }
        Some(Fault::DropConnection) => FaultAction::Drop,
        Some(Fault::Http500) => FaultAction::Respond(status_page(now_ms, 500), None),
        Some(Fault::HttpStatus(s)) => FaultAction::Respond(status_page(now_ms, *s), None),
        Some(Fault::RateLimit) => envelope(
            "RequestLimitExceeded",
            "Your current request times equals to `20` in a second, which exceeds the frequency limit `20` for a second. Please reduce the frequency of calls.",
        ),
        Some(Fault::InternalError) => envelope(
            "InternalError",
            "An internal error has occurred. Retry your request, but if the problem persists, contact us.",
        ),
        Some(Fault::ApiError { code, message }) => envelope(code, message),
    }
}

struct Received {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Bytes,
    too_large: bool,
    /// The API host a proxied request was for (absolute form or tunnel).
    proxied: Option<Arc<ApiHost>>,
}

impl Received {
    /// The request log's entry for this request, before it is routed: nothing of an API
    /// call (action, service, parameters) and its signature not checked.
    fn recorded(&self, received_at_ms: i64, request_id: &str, fault: Option<Fault>) -> RecordedRequest {
        RecordedRequest {
            seq: 0,
            received_at_ms,
            request_id: request_id.to_owned(),
            method: self.method.clone(),
            path: self.path.clone(),
            query: self.query.clone(),
            headers: self.headers.clone(),
            body: self.body.to_vec(),
            action: None,
            service: None,
            version: None,
            region: None,
            params: None,
            verification: Verification::NotChecked,
            fault,
            status: None,
            error_code: None,
            answer: None,
            proxied_host: self.proxied.as_ref().map(|h| h.name.clone()),
            leniency: Vec::new(),
        }
    }
}

async fn handle(cloud: Arc<Cloud>, ingress: Ingress, req: Request<Incoming>) -> Result<Response<Body>, DropConnection> {
    // Where the request goes: the emulator itself, or (as a proxy) a named API host.
    let mut proxied = None;
    let mut metadata_only = false;
    match &ingress {
        Ingress::Endpoint if req.method() == Method::CONNECT => {
            let what = format!("CONNECT {}", req.uri());
            return Ok(refuse(
                &cloud,
                &req,
                405,
                &what,
                "this address is the emulator's endpoint, not a proxy (start it with `tcloud mock --proxy` or `EmulatorBuilder::proxy`)",
            ));
        }
        Ingress::Endpoint => {}
        Ingress::Proxy { ctx, .. } if req.method() == Method::CONNECT => return Ok(connect(&cloud, ctx, req)),
        Ingress::Proxy { local, .. } if req.uri().authority().is_some() => {
            match proxy::absolute_target(req.uri(), *local) {
                Ok(Target::Api(host)) => proxied = Some(Arc::new(host)),
                Ok(Target::Metadata) => metadata_only = true,
                Ok(Target::Local) => {}
                Err(reason) => {
                    let what = format!("{} {}", req.method(), req.uri());
                    return Ok(refuse(&cloud, &req, 403, &what, &reason));
                }
            }
        }
        Ingress::Proxy { .. } => {}
        Ingress::Tunnel(host) => proxied = Some(host.clone()),
    }
    if let Some(host) = &proxied
        && let Some(sent) = req.headers().get(hyper::header::HOST).and_then(|v| v.to_str().ok())
        && let Some((name, _)) = proxy::split_authority(sent.trim())
        && !name.strip_suffix('.').unwrap_or(name).eq_ignore_ascii_case(&host.name)
    {
        let what = format!("{} {} (Host: {sent})", req.method(), req.uri());
        let reason = format!("the Host header names another host than `{}`, where the request was sent", host.name);
        return Ok(refuse(&cloud, &req, 421, &what, &reason));
    }

    let state = &cloud.state;
    let (parts, body) = req.into_parts();
    let collected = tokio::time::timeout(BODY_READ_TIMEOUT, Limited::new(body, state.realism.max_body).collect()).await;
    let (body, too_large) = match collected {
        Ok(Ok(collected)) => (collected.to_bytes(), false),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => (Bytes::new(), true),
        // The client went away mid-body, or stalled: nothing to answer.
        Ok(Err(_)) | Err(_) => return Err(DropConnection),
    };
    let rx = Received {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or("").to_owned(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body,
        too_large,
        proxied,
    };
    if metadata_only {
        return handle_metadata(state, rx).await;
    }
    if rx.proxied.is_some() {
        return handle_api(&cloud, rx).await;
    }
    if rx.method == "GET" && rx.path.starts_with("/latest/") {
        return handle_metadata(state, rx).await;
    }
    if rx.path.starts_with("/emulator/") {
        return Ok(handle_control(&cloud, rx));
    }
    handle_api(&cloud, rx).await
}

/// Answers a request the proxy does not serve (`status`, the reason as text) and logs it.
fn refuse(cloud: &Cloud, req: &Request<Incoming>, status: u16, what: &str, reason: &str) -> Response<Body> {
    let state = &cloud.state;
    let now_ms = state.now_ms();
    let request_id = state.uuid();
    let rx = Received {
        method: req.method().as_str().to_owned(),
        path: req.uri().to_string(),
        query: String::new(),
        headers: req
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: Bytes::new(),
        too_large: false,
        proxied: None,
    };
    let seq = state.record(rx.recorded(now_ms, &request_id, None));
    tracing::info!(what, reason, "emulator proxy refused a request");
    state.finish(seq, Some(status), None);
    let mut resp = response(now_ms, status, "text/plain; charset=utf-8", full(proxy::refusal(what, reason)));
    resp.headers_mut().insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    resp
}

/// `CONNECT host:port`: an API host gets a tunnel (TLS with a leaf for the name on 443, plain on
/// 80), served like the endpoint; anything else a 403. At most [`proxy::MAX_TUNNELS`] at once.
fn connect(cloud: &Arc<Cloud>, ctx: &Arc<ProxyCtx>, req: Request<Incoming>) -> Response<Body> {
    let authority = req.uri().authority().map(|a| a.as_str().to_owned()).unwrap_or_default();
    let what = format!("CONNECT {authority}");
    let (host, port) = match proxy::connect_target(&authority) {
        Ok(t) => t,
        Err(reason) => return refuse(cloud, &req, 403, &what, &reason),
    };
    let Ok(permit) = ctx.tunnels.clone().try_acquire_owned() else {
        let reason = format!("{} tunnels are open already, the most the emulator keeps", proxy::MAX_TUNNELS);
        return refuse(cloud, &req, 503, &what, &reason);
    };
    let acceptor = if port == 443 {
        match ctx.ca.host_acceptor(&host.name, cloud.state.now_ms()) {
            Ok(a) => Some(a),
            Err(e) => return refuse(cloud, &req, 500, &what, &format!("no certificate for `{}`: {e}", host.name)),
        }
    } else {
        None
    };
    let now_ms = cloud.state.now_ms();
    let cloud = cloud.clone();
    let shutdown = ctx.shutdown.clone();
    let host = Arc::new(host);
    tokio::spawn(async move {
        let _permit = permit;
        let upgraded = match tokio::time::timeout(proxy::UPGRADE_TIMEOUT, hyper::upgrade::on(req)).await {
            Ok(Ok(u)) => TokioIo::new(u),
            Ok(Err(e)) => return tracing::debug!("tunnel to {} not taken up: {e}", host.name),
            Err(_) => return tracing::debug!("tunnel to {} not taken up in time", host.name),
        };
        let life = Some(proxy::TUNNEL_MAX_LIFETIME);
        match acceptor {
            None => serve_conn(upgraded, cloud, Ingress::Tunnel(host), shutdown, life).await,
            Some(acceptor) => match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(upgraded)).await {
                Ok(Ok(tls)) => serve_conn(tls, cloud, Ingress::Tunnel(host), shutdown, life).await,
                Ok(Err(e)) => tracing::debug!("TLS handshake in the tunnel to {} failed: {e}", host.name),
                Err(_) => tracing::debug!("TLS handshake in the tunnel to {} timed out", host.name),
            },
        }
    });
    let mut resp = Response::new(full(Bytes::new()));
    if let Ok(v) = HeaderValue::from_str(&imf_fixdate(now_ms.div_euclid(1000))) {
        resp.headers_mut().insert(DATE, v);
    }
    resp
}

/// Common headers checked before the signature: method, Action, Version.
fn preflight(rx: &Received) -> Result<(String, String), AuthError> {
    if rx.method != "GET" && rx.method != "POST" {
        return Err(AuthError::new(
            "UnsupportedProtocol",
            format!("HTTP method `{}` is not supported; use GET or POST.", rx.method),
        ));
    }
    let get = |name: &str, param: &str| {
        find_header(&rx.headers, name).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned).ok_or_else(|| {
            AuthError::new("MissingParameter", format!("The request is missing a required parameter `{param}`."))
        })
    };
    Ok((get("x-tc-action", "Action")?, get("x-tc-version", "Version")?))
}

/// Best-effort service name for requests that did not verify.
fn service_hint(headers: &[(String, String)], proxied: Option<&ApiHost>) -> Option<String> {
    if let Some(host) = proxied {
        return Some(host.service.clone());
    }
    if let Some(auth) = find_header(headers, "authorization")
        && let Some(cred) = auth.split("Credential=").nth(1)
        && let Some(service) = cred.split('/').nth(2)
        && !service.is_empty()
    {
        return Some(service.to_owned());
    }
    let host = find_header(headers, "host")?;
    let host = host.split(':').next().unwrap_or(host);
    let (label, rest) = host.split_once('.')?;
    rest.ends_with("tencentcloudapi.com").then(|| label.to_owned())
}

struct Authenticated {
    service: String,
    verification: Verification,
    leniency: Vec<tc3::Leniency>,
}

fn authenticate(state: &State, rx: &Received, action: &str, now_ms: i64) -> Result<Authenticated, AuthError> {
    let auth = find_header(&rx.headers, "authorization").map(str::trim);
    if auth == Some("SKIP") {
        if action == "AssumeRoleWithWebIdentity" {
            return Ok(Authenticated {
                service: "sts".to_owned(),
                verification: Verification::Skipped,
                leniency: Vec::new(),
            });
        }
        return Err(AuthError::new(
            "AuthFailure.InvalidAuthorization",
            "`Authorization: SKIP` is only accepted for AssumeRoleWithWebIdentity.",
        ));
    }
    let input = VerifyInput { method: &rx.method, query: &rx.query, headers: &rx.headers, body: &rx.body };
    let v = tc3::verify(&input, now_ms, state.max_skew_secs, |id| lock(&state.keys).get(id).cloned())?;
    // Through the proxy the service is the host's, as on the real cloud: a scope naming another
    // service was signed for another endpoint.
    if let Some(host) = rx.proxied.as_deref()
        && host.service != v.service
    {
        return Err(AuthError::new(
            "AuthFailure.SignatureFailure",
            format!(
                "The credential scope names the service `{}`, but the request was sent to `{}` (service `{}`).",
                v.service, host.name, host.service
            ),
        ));
    }
    if !v.leniency.is_empty() {
        let rules: Vec<&str> = v.leniency.iter().map(|l| l.name()).collect();
        tracing::debug!(?rules, "signature matched by leniency rules");
    }
    Ok(Authenticated {
        service: v.service,
        verification: Verification::Verified { secret_id: v.secret_id, temporary: v.temporary },
        leniency: v.leniency,
    })
}

async fn handle_api(cloud: &Cloud, rx: Received) -> Result<Response<Body>, DropConnection> {
    let state = &cloud.state;
    let now_ms = state.now_ms();
    let request_id = state.uuid();
    let header = |name: &str| find_header(&rx.headers, name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());

    let checked: Result<(String, String, Authenticated), AuthError> = if rx.too_large {
        Err(AuthError::new(
            "RequestSizeLimitExceeded",
            format!("The request body exceeds the emulator's limit of {} bytes.", state.realism.max_body),
        ))
    } else {
        preflight(&rx).and_then(|(action, version)| {
            let a = authenticate(state, &rx, &action, now_ms)?;
            Ok((action, version, a))
        })
    };
    let params = parse_body(&rx.method, &rx.query, &rx.headers, &rx.body);
    let (service, verification, leniency) = match &checked {
        Ok((_, _, a)) => (Some(a.service.clone()), a.verification.clone(), a.leniency.clone()),
        Err(e) => (
            service_hint(&rx.headers, rx.proxied.as_deref()),
            Verification::Failed { code: e.code.to_owned(), message: e.message.clone(), detail: e.detail.clone() },
            Vec::new(),
        ),
    };
    if let Verification::Failed { code, detail, .. } = &verification {
        tracing::debug!(code, detail = detail.as_deref().unwrap_or(""), "emulator rejected a request");
    }

    let fault = state.take_fault();
    let seq = state.record(RecordedRequest {
        action: header("x-tc-action"),
        service: service.clone(),
        version: header("x-tc-version"),
        region: header("x-tc-region"),
        params: params.as_ref().ok().cloned(),
        verification,
        leniency,
        ..rx.recorded(now_ms, &request_id, fault.clone())
    });

    if let Some(resp) = inject_fault(state, seq, fault.as_ref(), now_ms, &request_id).await? {
        return Ok(resp);
    }
    // A delay may have passed: answer with the clock as it is now.
    let now_ms = state.now_ms();

    if !state.realism.latency.is_zero() {
        tokio::time::sleep(state.realism.latency).await;
    }
    let mut source = None;
    let outcome = match checked {
        Err(e) => Err(ApiError::new(e.code, e.message)),
        Ok((action, _, auth)) if let Err(e) = state.realism.admit(&auth.service, &action, now_ms) => Err(e),
        Ok((action, version, auth)) => params.and_then(|params| {
            let req = ApiRequest {
                action: &action,
                service: &auth.service,
                version: &version,
                region: header("x-tc-region"),
                params,
                method: &rx.method,
                headers: &rx.headers,
                body: &rx.body,
                now_ms,
                request_id: &request_id,
            };
            let (outcome, from) = dispatch(state, &cloud.backends, &req);
            source = Some(from);
            outcome
        }),
    };
    let (resp, code) = render(now_ms, &request_id, outcome);
    state.finish_with(seq, Some(resp.status().as_u16()), code, source);
    Ok(resp)
}

fn render(now_ms: i64, request_id: &str, outcome: Result<Outcome, ApiError>) -> (Response<Body>, Option<String>) {
    match outcome {
        Err(e) => (json_response(now_ms, &error_envelope(&e.code, &e.message, request_id)), Some(e.code)),
        Ok(Outcome::Json(mut obj)) => {
            obj.insert("RequestId".to_owned(), Value::String(request_id.to_owned()));
            (json_response(now_ms, &json!({ "Response": obj })), None)
        }
        Ok(Outcome::Bytes(bytes)) => {
            let mut resp = response(now_ms, 200, "application/octet-stream", full(bytes));
            if let Ok(v) = HeaderValue::from_str(request_id) {
                resp.headers_mut().insert("x-tc-requestid", v);
            }
            (resp, None)
        }
        Ok(Outcome::ByteStream { bytes, piece }) => {
            let (tx, rx) = mpsc::channel::<Bytes>(4);
            let bytes = Bytes::from(bytes);
            tokio::spawn(async move {
                for start in (0..bytes.len()).step_by(piece.max(1)) {
                    let end = bytes.len().min(start + piece.max(1));
                    if tx.send(bytes.slice(start..end)).await.is_err() {
                        break;
                    }
                }
            });
            let mut resp = response(now_ms, 200, "application/octet-stream", ChannelBody { rx }.boxed());
            if let Ok(v) = HeaderValue::from_str(request_id) {
                resp.headers_mut().insert("x-tc-requestid", v);
            }
            (resp, None)
        }
        Ok(Outcome::Sse { events, delay }) => {
            let (tx, rx) = mpsc::channel::<Bytes>(4);
            tokio::spawn(async move {
                for (i, event) in events.into_iter().enumerate() {
                    if i > 0 && !delay.is_zero() {
                        tokio::time::sleep(delay).await;
                    }
                    if tx.send(Bytes::from(format!("data: {event}\n\n"))).await.is_err() {
                        break;
                    }
                }
            });
            let mut resp = response(now_ms, 200, "text/event-stream", ChannelBody { rx }.boxed());
            let h = resp.headers_mut();
            h.insert("cache-control", HeaderValue::from_static("no-cache"));
            if let Ok(v) = HeaderValue::from_str(request_id) {
                h.insert("x-tc-requestid", v);
            }
            (resp, None)
        }
    }
}

/// `POST /emulator/reset` forgets every resource; `POST /emulator/seed` adds a seed document's
/// (answers `{"Added": n}`). Not API calls: no signature, recorded like metadata requests.
fn handle_control(cloud: &Cloud, rx: Received) -> Response<Body> {
    let state = &cloud.state;
    let now_ms = state.now_ms();
    let request_id = state.uuid();
    let seq = state.record(rx.recorded(now_ms, &request_id, None));
    let result = match (rx.method.as_str(), rx.path.as_str()) {
        ("POST", "/emulator/reset") => cloud.reset().map(|()| json!({})),
        ("POST", "/emulator/seed") => serde_json::from_slice::<Value>(&rx.body)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("the seed is not JSON: {e}")))
            .and_then(|doc| cloud.seed(&doc))
            .map(|n| json!({"Added": n})),
        _ => {
            state.finish(seq, Some(404), None);
            return response(now_ms, 404, "text/plain", full("404 Not Found"));
        }
    };
    let (status, body) = match result {
        Ok(v) => (200, v),
        Err(e) => (400, json!({"Error": e.to_string()})),
    };
    state.finish(seq, Some(status), None);
    response(now_ms, status, "application/json", full(body.to_string()))
}

async fn handle_metadata(state: &State, rx: Received) -> Result<Response<Body>, DropConnection> {
    let now_ms = state.now_ms();
    let request_id = state.uuid();
    let fault = lock(&state.metadata_faults).pop_front();
    let seq = state.record(rx.recorded(now_ms, &request_id, fault.clone()));
    if let Some(resp) = inject_fault(state, seq, fault.as_ref(), now_ms, &request_id).await? {
        return Ok(resp);
    }
    let now_ms = state.now_ms();
    let (status, content_type, body) = metadata(state, &rx.path);
    let resp = response(now_ms, status, content_type, full(body));
    state.finish(seq, Some(status), None);
    Ok(resp)
}
