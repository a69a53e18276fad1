//! Local Tencent Cloud API emulator.
//!
//! A real HTTP/1.1 server on `127.0.0.1` that behaves like the Tencent Cloud API 3.0 front door:
//! it verifies TC3-HMAC-SHA256 signatures with its **own** implementation ([`tc3`]), answers a few
//! canned actions with realistic JSON envelopes, mints STS temporary credentials it then accepts,
//! serves a CVM instance-metadata endpoint, streams SSE and octet-stream bodies, injects faults and
//! records every request so tests can assert what a client sent.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use tencentcloud_emulator::{Emulator, Fault, default_test_key};
//!
//! let (id, key) = default_test_key();
//! let emu = Emulator::builder().key(id, key).start().await?;
//! println!("endpoint: {}", emu.endpoint());
//! emu.push_fault(Fault::RateLimit); // the next request gets RequestLimitExceeded
//! // ... point a client at emu.endpoint() ...
//! assert!(emu.requests().iter().all(|r| r.verification.is_verified()));
//! emu.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Canned actions (dispatch on `X-TC-Action`, service = the credential scope's service):
//!
//! | service | action | answer |
//! | --- | --- | --- |
//! | any | `Echo` | `Params`, `Action`, `Service`, `Version`, `Region`, `Method`, `Headers` (X-TC-*, Content-Type, User-Agent) |
//! | `cvm` (2017-03-12) | `RunInstances`, `DescribeInstances`, `Start`/`Stop`/`Reboot`/`TerminateInstances` | two fixed instances per region plus those run; states with [`EmulatorBuilder::instance_boot`]; Limit/Offset/InstanceIds/Filters honoured |
//! | `cvm` (2017-03-12) | `DescribeRegions`, `DescribeZones` | realistic sets |
//! | `sts` (2018-08-13) | `AssumeRole`, `AssumeRoleWithWebIdentity` | `Credentials{Token,TmpSecretId,TmpSecretKey}`, `ExpiredTime`, `Expiration`; the key is then accepted |
//! | any | `ChatCompletions` | `text/event-stream` of `data: {"Choices":[{"Delta":{...}}],...}` events (JSON when `"Stream": false`) |
//! | any | `UploadFile` | `Length`, `Sha256`, `ContentType` of the (octet-stream) request body |
//! | any | `GetObjectBytes` | an `application/octet-stream` body (`Length` bytes, or the bytes of `Content`), chunked in pieces of `EmulatorChunkBytes` if given |
//!
//! Every other action of every service version in the pinned API specs (16,204 actions, from
//! `tencentcloud-schema`) is answered too: parameters are first checked against the action's
//! input shape (`UnknownParameter`, `InvalidParameter`, `InvalidParameterValue`,
//! `MissingParameter`, naming the parameter; the GET query form the same way), then the
//! documented example whose parameters match best is returned with a fresh `RequestId`, or, for
//! an action without one, a response synthesized from its output shape
//! ([`RecordedRequest::answer`] says which). An unknown action is `InvalidAction`, an unknown
//! version `NoSuchVersion`. [`EmulatorBuilder::rate_limit`] and [`EmulatorBuilder::latency`] make
//! it stricter and slower. `GET /latest/meta-data/cam/security-credentials/[role]` emulates the
//! CVM metadata service.
//!
//! With [`EmulatorBuilder::resources`] (or a [`EmulatorBuilder::state_dir`] or
//! [`EmulatorBuilder::seed`]), every resource family the specs pair ([`families`]: 871 across
//! 135 services) keeps its resources from create to delete, per region: ids in the documented
//! format, `ClientToken`, `Filters`, pages with a true total, the documented not-found codes;
//! VPCs and subnets check their CIDRs and references; CVM instances, VPC security groups, CBS
//! disks, CLB load balancers and listeners, CDB and Redis instances, TKE clusters, SSM secrets,
//! KMS keys and CAM users and roles keep the documented states, transitions and references of
//! the real services (`emulator/README.md` lists them with their codes).
//! [`RunningEmulator::reset`] (or `POST /emulator/reset`) forgets them,
//! [`RunningEmulator::seed`] (or `POST /emulator/seed`) adds some.
//!
//! With [`EmulatorBuilder::proxy`] it also stands in for the real endpoint names: a program
//! given only `HTTPS_PROXY` ([`RunningEmulator::proxy_url`]) and the CA
//! ([`RunningEmulator::ca_pem`], kept in [`EmulatorBuilder::ca_dir`]) reaches it unchanged
//! through `CONNECT cvm.tencentcloudapi.com:443`; other hosts are refused, never forwarded.
//! Signatures that differ from the published form only as official SDKs sign are accepted by
//! named rules ([`Leniency`]).
//!
//! Its TLS serves a leaf signed by its P-256 CA, or with [`EmulatorBuilder::tls_chain`] a chain
//! shaped like the real endpoint's ([`TlsChain::Rsa`]: RSA-2048 root, RSA-4096 intermediate,
//! RSA-2048 leaf; [`TlsChain::RsaCross`]: the root cross-signed by an older one).

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

// Layers, top-down: `server` (the front door: signature, common headers, faults, the request log)
// -> `dispatch` (schema lookup and validation) -> `backend` (one per service behaviour) ->
// `catalog` (stateless answers: documented examples, synthesized shapes); below them what all
// share: `request`, `error`, `record`, `state`, `fault`, `limits`, `ids`, `sync`, `clock`.
mod backend;
mod catalog;
pub mod clock;
mod dispatch;
mod error;
pub mod families;
mod fault;
mod ids;
mod journal;
mod limits;
mod metadata;
mod not_found;
pub mod params;
mod proxy;
mod record;
mod request;
mod server;
mod shape;
mod state;
mod store;
mod sync;
pub mod tc3;
mod tls;
mod tls_chain;

pub use fault::Fault;
pub use limits::DEFAULT_RATE_LIMIT;
pub use proxy::{MAX_HEAD as PROXY_MAX_HEAD, MAX_TUNNELS as PROXY_MAX_TUNNELS};
pub use record::{AnswerSource, RecordedRequest, Verification};
pub use state::TemporaryCredential;
pub use tc3::{AuthError, KeyInfo, Leniency, Verified};
pub use tls::{CA_CERT_FILE, CA_KEY_FILE, LEAF_NAMES};
pub use tls_chain::{RSA_OLD_ROOT_CERT_FILE, RSA_ROOT_CERT_FILE, TlsChain};

use server::Cloud;
use state::{Callback, State};
use store::Store;
use sync::lock;

/// The key pair accepted by an emulator built without any [`EmulatorBuilder::key`] call.
///
/// Used by the examples and `tcloud mock`.
pub fn default_test_key() -> (&'static str, &'static str) {
    ("AKIDEMULATOR000000000000000000000000", "EmulatorSecretKey000000000000000")
}

/// Entry point: see [`Emulator::builder`].
#[derive(Debug, Clone, Copy)]
pub struct Emulator;

impl Emulator {
    /// A builder with defaults: plain HTTP on `127.0.0.1:0`, no clock offset, the default test key.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder {
            keys: Vec::new(),
            tls: false,
            tls_chain: TlsChain::P256,
            proxy: false,
            proxy_bind: None,
            proxy_max_tunnels: proxy::MAX_TUNNELS,
            ca_dir: None,
            clock_offset: 0,
            sts_lifetime: None,
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            max_skew_secs: tc3::DEFAULT_MAX_SKEW_SECS,
            metadata_role: "emulator-role".to_owned(),
            on_request: None,
            rate_limit: None,
            latency: Duration::ZERO,
            max_body: server::MAX_BODY,
            state_dir: None,
            seed: None,
            resources: false,
            instance_boot: Duration::ZERO,
        }
    }
}

/// Configures and starts an emulator.
#[must_use]
pub struct EmulatorBuilder {
    keys: Vec<(String, String)>,
    tls: bool,
    tls_chain: TlsChain,
    proxy: bool,
    proxy_bind: Option<SocketAddr>,
    proxy_max_tunnels: usize,
    ca_dir: Option<PathBuf>,
    clock_offset: i64,
    sts_lifetime: Option<Duration>,
    bind: SocketAddr,
    max_skew_secs: i64,
    metadata_role: String,
    on_request: Option<Callback>,
    rate_limit: Option<u32>,
    latency: Duration,
    max_body: usize,
    state_dir: Option<PathBuf>,
    seed: Option<Value>,
    resources: bool,
    instance_boot: Duration,
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("secret_ids", &self.keys.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>())
            .field("tls", &self.tls)
            .field("tls_chain", &self.tls_chain)
            .field("proxy", &self.proxy)
            .field("proxy_bind", &self.proxy_bind)
            .field("proxy_max_tunnels", &self.proxy_max_tunnels)
            .field("ca_dir", &self.ca_dir)
            .field("clock_offset", &self.clock_offset)
            .field("sts_lifetime", &self.sts_lifetime)
            .field("bind", &self.bind)
            .field("max_skew_secs", &self.max_skew_secs)
            .field("metadata_role", &self.metadata_role)
            .field("rate_limit", &self.rate_limit)
            .field("latency", &self.latency)
            .field("max_body", &self.max_body)
            .field("state_dir", &self.state_dir)
            .field("resources", &self.resources)
            .field("instance_boot", &self.instance_boot)
            .finish_non_exhaustive()
    }
}

impl EmulatorBuilder {
    /// Accepts this permanent key pair (repeatable). Without any call, [`default_test_key`] is accepted.
    pub fn key(mut self, secret_id: &str, secret_key: &str) -> Self {
        self.keys.push((secret_id.to_owned(), secret_key.to_owned()));
        self
    }

    /// Serves HTTPS with a leaf certificate for `localhost` and `127.0.0.1` issued by the
    /// emulator's CA (generated for this run, or the one kept in [`EmulatorBuilder::ca_dir`]).
    pub fn tls(mut self) -> Self {
        self.tls = true;
        self
    }

    /// The chain the TLS endpoint and the proxy's tunnels serve (default [`TlsChain::P256`]).
    /// The RSA chains are shaped like the real endpoint's; their keys are kept in
    /// [`EmulatorBuilder::ca_dir`] ([`RSA_ROOT_CERT_FILE`], [`RSA_OLD_ROOT_CERT_FILE`] to
    /// trust), or without one generated once per process (a 4096-bit key takes seconds).
    pub fn tls_chain(mut self, chain: TlsChain) -> Self {
        self.tls_chain = chain;
        self
    }

    /// Also serves as an HTTP proxy standing in for the real endpoint names, so that a program
    /// reaches the local cloud unchanged with only `HTTPS_PROXY` set to
    /// [`RunningEmulator::proxy_url`] and the CA ([`RunningEmulator::ca_pem`]) trusted:
    /// `CONNECT <service>.tencentcloudapi.com:443` tunnels are answered with a certificate for
    /// that name issued on the fly by the emulator's CA (regional names such as
    /// `cvm.ap-guangzhou.tencentcloudapi.com` and `cvm.internal.tencentcloudapi.com` too), and
    /// requests in absolute form (`POST http://cvm.tencentcloudapi.com/`) are answered
    /// directly. The service is the host name's first label; a signature scoped to another
    /// service fails. Any other host is refused with HTTP 403 and the reason, never forwarded.
    /// The same keys, resources, faults and request log serve every way in.
    ///
    /// On the endpoint's own listener when it is plain HTTP; with [`EmulatorBuilder::tls`] on a
    /// second, plain, listener (an ephemeral port of the same address unless
    /// [`EmulatorBuilder::proxy_bind`]). At most [`PROXY_MAX_TUNNELS`] tunnels at once, request
    /// heads of at most [`PROXY_MAX_HEAD`] bytes, and every wait has a timeout.
    pub fn proxy(mut self) -> Self {
        self.proxy = true;
        self
    }

    /// Serves the proxy ([`EmulatorBuilder::proxy`], which this turns on) on a listener of its
    /// own at `addr`.
    pub fn proxy_bind(mut self, addr: SocketAddr) -> Self {
        self.proxy = true;
        self.proxy_bind = Some(addr);
        self
    }

    /// Most proxy tunnels open at once (default [`PROXY_MAX_TUNNELS`]); one more is answered
    /// 503 with the reason.
    pub fn proxy_max_tunnels(mut self, n: usize) -> Self {
        self.proxy_max_tunnels = n;
        self
    }

    /// Keeps the CA in `dir` (created if missing): [`CA_CERT_FILE`] (`ca.pem`, mode 0644) to
    /// trust, [`CA_KEY_FILE`] (`ca.key`, mode 0600) reused by every later start, so a client
    /// trusts it once; the RSA chains' keys and roots beside them ([`EmulatorBuilder::tls_chain`]).
    /// Without it a CA is generated for each run and written nowhere.
    pub fn ca_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.ca_dir = Some(dir.into());
        self
    }

    /// The emulator's clock is the system clock plus `secs` (simulates a skewed client).
    pub fn clock_offset(mut self, secs: i64) -> Self {
        self.clock_offset = secs;
        self
    }

    /// Overrides the lifetime of minted credentials (STS `DurationSeconds` and metadata).
    pub fn sts_lifetime(mut self, d: Duration) -> Self {
        self.sts_lifetime = Some(d);
        self
    }

    /// Listening address; default `127.0.0.1:0` (an ephemeral port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Tolerated difference between `X-TC-Timestamp` and the emulator clock; default 300 s.
    pub fn max_skew(mut self, secs: i64) -> Self {
        self.max_skew_secs = secs;
        self
    }

    /// The role name served by the metadata endpoint; default `emulator-role`.
    pub fn metadata_role(mut self, name: &str) -> Self {
        self.metadata_role = name.to_owned();
        self
    }

    /// Answers `RequestLimitExceeded` past `per_second` requests a second of one action (the real
    /// API's default is [`DEFAULT_RATE_LIMIT`]); off by default.
    pub fn rate_limit(mut self, per_second: u32) -> Self {
        self.rate_limit = Some(per_second);
        self
    }

    /// Waits this long before answering each API request (on top of any [`Fault::Delay`]).
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Largest request body read (default 32 MiB); a bigger one is answered
    /// `RequestSizeLimitExceeded` without being kept.
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// `true`: every resource family of the specs keeps its resources, from create to delete
    /// ([`families`]); `false` (the default): only the hand-written ones (CVM instances) do, and
    /// the other actions get the catalog's stateless answers (documented examples, shapes).
    /// [`EmulatorBuilder::state_dir`] and [`EmulatorBuilder::seed`] turn it on.
    pub fn resources(mut self, on: bool) -> Self {
        self.resources = on;
        self
    }

    /// How long a CVM instance stays `PENDING` (then `RUNNING`), and `STOPPING`, `STARTING` or
    /// `REBOOTING`; default zero (the next describe shows the end state).
    pub fn instance_boot(mut self, d: Duration) -> Self {
        self.instance_boot = d;
        self
    }

    /// Keeps the resources in `dir` (created if missing): reloaded at start, every change on disk
    /// before it is answered. Without it they live in memory only.
    pub fn state_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.state_dir = Some(dir.into());
        self.resources = true;
        self
    }

    /// Resources to start with when the state is empty: `{"<service>": {"<Kind>": [{fields}]}}`
    /// (the kind is the noun of the create action: `Vpc`, `Subnet`, `Instance`; a resource's
    /// `Region` field picks its region, default `ap-guangzhou`; without its id field it gets a new id).
    pub fn seed(mut self, doc: Value) -> Self {
        self.seed = Some(doc);
        self.resources = true;
        self
    }

    /// Calls `f` for every request once it has been answered (or dropped), e.g. to log it.
    pub fn on_request(mut self, f: impl Fn(&RecordedRequest) + Send + Sync + 'static) -> Self {
        self.on_request = Some(Arc::new(f));
        self
    }

    /// Binds and starts serving on the current tokio runtime.
    pub async fn start(self) -> io::Result<RunningEmulator> {
        let ca = if self.tls || self.proxy {
            Some(Arc::new(tls::Ca::for_chain(self.tls_chain, self.ca_dir.as_deref())?))
        } else {
            None
        };
        let acceptor = match (&ca, self.tls) {
            (Some(ca), true) => Some(ca.endpoint_acceptor()?),
            _ => None,
        };
        let listener = tokio::net::TcpListener::bind(self.bind).await?;
        let addr = listener.local_addr()?;
        // The proxy's own listener, when it has one.
        let proxy_listener = match (self.proxy, self.proxy_bind) {
            (true, Some(at)) => Some(tokio::net::TcpListener::bind(at).await?),
            (true, None) if self.tls => Some(tokio::net::TcpListener::bind(SocketAddr::new(addr.ip(), 0)).await?),
            _ => None,
        };
        let proxy_addr = match &proxy_listener {
            Some(l) => Some(l.local_addr()?),
            None => self.proxy.then_some(addr),
        };

        let mut keys = HashMap::new();
        if self.keys.is_empty() {
            let (id, key) = default_test_key();
            keys.insert(id.to_owned(), KeyInfo { secret_key: key.to_owned(), token: None, expires_at_ms: None });
        }
        for (id, key) in self.keys {
            keys.insert(id, KeyInfo { secret_key: key, token: None, expires_at_ms: None });
        }
        let state = State {
            keys: Mutex::new(keys),
            faults: Mutex::new(VecDeque::new()),
            metadata_faults: Mutex::new(VecDeque::new()),
            down: Mutex::new(None),
            clock_offset: AtomicI64::new(self.clock_offset),
            sts_lifetime: Mutex::new(self.sts_lifetime),
            requests: Mutex::new(Vec::new()),
            seq: AtomicU64::new(0),
            max_skew_secs: self.max_skew_secs,
            metadata_role: self.metadata_role,
            on_request: self.on_request,
            ids: Mutex::new(ids::IdGen::new()),
            realism: limits::Realism::new(self.rate_limit, self.latency, self.max_body),
        };
        let store = Arc::new(match &self.state_dir {
            Some(dir) => Store::open(dir)?,
            None => Store::memory(),
        });
        if let Some(doc) = &self.seed
            && store.read(|t| t.count() == 0)
        {
            backend::resources::seed(&store, &state.ids, doc, state.now_ms())
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("seed: {e}")))?;
        }
        let cloud =
            Arc::new(Cloud { state, backends: backend::all(store.clone(), self.resources, self.instance_boot), store });

        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let proxy_ctx = match (&ca, self.proxy) {
            (Some(ca), true) => Some(Arc::new(proxy::ProxyCtx {
                ca: ca.clone(),
                tunnels: Arc::new(Semaphore::new(self.proxy_max_tunnels)),
                shutdown: shutdown_rx.clone(),
            })),
            _ => None,
        };
        let mut tasks = Vec::new();
        let endpoint_proxy = if proxy_listener.is_none() { proxy_ctx.clone() } else { None };
        tasks.push(tokio::spawn(server::accept_loop(
            listener,
            cloud.clone(),
            acceptor,
            endpoint_proxy,
            shutdown_rx.clone(),
        )));
        if let Some(l) = proxy_listener {
            tasks.push(tokio::spawn(server::accept_loop(l, cloud.clone(), None, proxy_ctx, shutdown_rx)));
        }
        tracing::info!(%addr, tls = self.tls, proxy = ?proxy_addr, "tencentcloud emulator listening");
        Ok(RunningEmulator {
            inner: Arc::new(Inner {
                cloud,
                addr,
                tls: self.tls,
                tls_chain: self.tls_chain,
                proxy_addr,
                ca,
                shutdown_tx,
                tasks: Mutex::new(tasks),
            }),
        })
    }
}

struct Inner {
    cloud: Arc<Cloud>,
    addr: SocketAddr,
    tls: bool,
    tls_chain: TlsChain,
    proxy_addr: Option<SocketAddr>,
    ca: Option<Arc<tls::Ca>>,
    shutdown_tx: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let _ = self.shutdown_tx.send(true);
    }
}

/// A running emulator. Cheap to clone (all clones control the same server); the server stops on
/// [`RunningEmulator::shutdown`] or when the last clone is dropped.
#[derive(Clone)]
pub struct RunningEmulator {
    inner: Arc<Inner>,
}

impl fmt::Debug for RunningEmulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningEmulator").field("endpoint", &self.endpoint()).finish_non_exhaustive()
    }
}

impl RunningEmulator {
    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.inner.addr
    }

    /// `http://127.0.0.1:PORT`, or `https://localhost:PORT` with TLS.
    pub fn endpoint(&self) -> String {
        if self.is_tls() {
            format!("https://localhost:{}", self.inner.addr.port())
        } else {
            format!("http://{}", self.inner.addr)
        }
    }

    /// The `Host` value to use: `127.0.0.1:PORT`, or `localhost:PORT` with TLS.
    pub fn host(&self) -> String {
        if self.is_tls() { format!("localhost:{}", self.inner.addr.port()) } else { self.inner.addr.to_string() }
    }

    /// Whether HTTPS is served.
    pub fn is_tls(&self) -> bool {
        self.inner.tls
    }

    /// The proxy's address ([`EmulatorBuilder::proxy`]).
    pub fn proxy_addr(&self) -> Option<SocketAddr> {
        self.inner.proxy_addr
    }

    /// The proxy's URL, for `HTTPS_PROXY`/`HTTP_PROXY`: `http://127.0.0.1:PORT` ([`EmulatorBuilder::proxy`]).
    pub fn proxy_url(&self) -> Option<String> {
        self.inner.proxy_addr.map(|a| format!("http://{a}"))
    }

    /// The chain TLS serves ([`EmulatorBuilder::tls_chain`]).
    pub fn tls_chain(&self) -> TlsChain {
        self.inner.tls_chain
    }

    /// The CA certificate, PEM (with TLS or the proxy): the root of the chain.
    pub fn ca_pem(&self) -> Option<String> {
        self.inner.ca.as_ref().map(|c| c.pem().to_owned())
    }

    /// The CA certificate, DER (with TLS or the proxy).
    pub fn ca_der(&self) -> Option<Vec<u8>> {
        self.inner.ca.as_ref().map(|c| c.der().to_vec())
    }

    /// Where the CA certificate is kept ([`EmulatorBuilder::ca_dir`]`/ca.pem`, or
    /// [`RSA_ROOT_CERT_FILE`] for the RSA chains).
    pub fn ca_path(&self) -> Option<PathBuf> {
        self.inner.ca.as_ref().and_then(|c| c.path()).map(Path::to_path_buf)
    }

    /// The older root that cross-signed the CA ([`TlsChain::RsaCross`]), PEM: a client may
    /// trust it instead of the CA.
    pub fn old_root_pem(&self) -> Option<String> {
        self.inner.ca.as_ref().and_then(|c| c.old_root()).map(|r| r.pem.clone())
    }

    /// The older root ([`RunningEmulator::old_root_pem`]), DER.
    pub fn old_root_der(&self) -> Option<Vec<u8>> {
        self.inner.ca.as_ref().and_then(|c| c.old_root()).map(|r| r.der.clone())
    }

    /// Where the older root is kept ([`EmulatorBuilder::ca_dir`]`/`[`RSA_OLD_ROOT_CERT_FILE`]).
    pub fn old_root_path(&self) -> Option<PathBuf> {
        self.inner.ca.as_ref().and_then(|c| c.old_root()).and_then(|r| r.path.clone())
    }

    /// Names the leaf certificate is valid for (TLS only): `localhost`, `127.0.0.1`.
    pub fn tls_names(&self) -> Option<Vec<String>> {
        self.is_tls().then(|| LEAF_NAMES.iter().map(|s| (*s).to_owned()).collect())
    }

    /// Queues a fault; each API request consumes one (FIFO) before normal handling.
    pub fn push_fault(&self, f: Fault) {
        lock(&self.inner.cloud.state.faults).push_back(f);
    }

    /// Queues a fault for the next instance-metadata request (separate queue).
    pub fn push_metadata_fault(&self, f: Fault) {
        lock(&self.inner.cloud.state.metadata_faults).push_back(f);
    }

    /// Faults still queued for API requests.
    pub fn pending_faults(&self) -> usize {
        lock(&self.inner.cloud.state.faults).len()
    }

    /// `true`: every API request is answered HTTP 503 (the fault queue is not consumed) until `false`.
    pub fn set_down(&self, down: bool) {
        self.set_down_with(down.then_some(Fault::HttpStatus(503)));
    }

    /// Applies `fault` to every API request while `Some` (not consumed); `None` restores service.
    pub fn set_down_with(&self, fault: Option<Fault>) {
        *lock(&self.inner.cloud.state.down) = fault;
    }

    /// Changes the clock offset (emulator clock = system time + `secs`).
    pub fn set_clock_offset(&self, secs: i64) {
        self.inner.cloud.state.clock_offset.store(secs, std::sync::atomic::Ordering::SeqCst);
    }

    /// Changes (or with `None` clears) the minted-credential lifetime override.
    pub fn set_sts_lifetime(&self, d: Option<Duration>) {
        *lock(&self.inner.cloud.state.sts_lifetime) = d;
    }

    /// The emulator's clock, Unix seconds.
    pub fn now(&self) -> i64 {
        self.inner.cloud.state.now_ms().div_euclid(1000)
    }

    /// Accepts another permanent key pair from now on.
    pub fn add_key(&self, secret_id: &str, secret_key: &str) {
        lock(&self.inner.cloud.state.keys).insert(
            secret_id.to_owned(),
            KeyInfo { secret_key: secret_key.to_owned(), token: None, expires_at_ms: None },
        );
    }

    /// Mints temporary credentials (as STS would) valid for `lifetime` on the emulator clock.
    pub fn mint_temporary(&self, lifetime: Duration) -> TemporaryCredential {
        self.inner.cloud.state.mint(lifetime)
    }

    /// The requests received so far, in arrival order (the most recent 10,000 at most).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.inner.cloud.state.requests).clone()
    }

    /// Number of requests received so far.
    pub fn request_count(&self) -> usize {
        lock(&self.inner.cloud.state.requests).len()
    }

    /// Forgets every stored resource (fixtures come back at the next use of their region).
    pub fn reset(&self) -> io::Result<()> {
        self.inner.cloud.reset()
    }

    /// Adds resources from a seed document (see [`EmulatorBuilder::seed`]); how many.
    pub fn seed(&self, doc: &Value) -> io::Result<usize> {
        self.inner.cloud.seed(doc)
    }

    /// How many resources are stored (all services and regions).
    pub fn resource_count(&self) -> usize {
        self.inner.cloud.store.read(|t| t.count())
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        lock(&self.inner.cloud.state.requests).clear();
    }

    /// Stops accepting, lets in-flight exchanges finish (up to 2 s) and closes all connections.
    pub async fn shutdown(self) {
        let _ = self.inner.shutdown_tx.send(true);
        let tasks = std::mem::take(&mut *lock(&self.inner.tasks));
        for task in tasks {
            let _ = task.await;
        }
    }
}

/// Runs an emulator on a new tokio runtime until Ctrl-C (for `tcloud mock`).
///
/// `on_ready` is called once the server listens (e.g. to print [`RunningEmulator::endpoint`]).
pub fn run_blocking(builder: EmulatorBuilder, on_ready: impl FnOnce(&RunningEmulator)) -> io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(async move {
        let emu = builder.start().await?;
        on_ready(&emu);
        tokio::signal::ctrl_c().await?;
        emu.shutdown().await;
        Ok(())
    })
}
