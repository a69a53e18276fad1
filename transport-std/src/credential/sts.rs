//! Providers that call STS: `AssumeRole` (with another provider's credentials) and
//! `AssumeRoleWithWebIdentity` (OIDC, unsigned), and the TKE provider built on it.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tencentcloud_core::provider::{Env, Fs};
use zeroize::Zeroizing;

use super::{CacheConfig, CachedProvider};
use crate::clock::Clock;
use crate::engine::Engine;
use crate::error::{CredentialErrorKind, Error};
use crate::http::HttpSend;
use crate::options::CallOptions;
use crate::prepare::Call;
use crate::profile::ClientProfile;
use crate::provider::{CredentialFuture, CredentialProvider, Credentials, signing_credential};
use crate::skew::ClockSkew;
use crate::sync::lock;

/// The STS API version.
pub const STS_VERSION: &str = "2018-08-13";
/// The region STS is called in unless told otherwise.
pub const DEFAULT_STS_REGION: &str = "ap-guangzhou";
/// `TKE_REGION`: the region of the TKE cluster.
pub const ENV_TKE_REGION: &str = "TKE_REGION";
/// `TKE_PROVIDER_ID`: the OIDC identity provider id.
pub const ENV_TKE_PROVIDER_ID: &str = "TKE_PROVIDER_ID";
/// `TKE_WEB_IDENTITY_TOKEN_FILE`: the file holding the pod's (rotating) OIDC token.
pub const ENV_TKE_WEB_IDENTITY_TOKEN_FILE: &str = "TKE_WEB_IDENTITY_TOKEN_FILE";
/// `TKE_ROLE_ARN`: the role to assume.
pub const ENV_TKE_ROLE_ARN: &str = "TKE_ROLE_ARN";

const DEFAULT_DURATION: Duration = Duration::from_secs(7200);
const DURATION_RANGE: std::ops::RangeInclusive<u64> = 900..=43_200;
/// The largest token file read.
const MAX_TOKEN_FILE: usize = 64 * 1024;

fn configuration(message: String) -> Error {
    Error::configuration(message)
}

fn check_duration(d: Duration) -> Result<u64, Error> {
    let secs = d.as_secs();
    if d.subsec_nanos() != 0 || !DURATION_RANGE.contains(&secs) {
        return Err(configuration(format!("the role duration must be 900..=43200 whole seconds, not {d:?}")));
    }
    Ok(secs)
}

fn check_arn(arn: &str) -> Result<(), Error> {
    if arn.trim().is_empty() || arn.trim() != arn {
        return Err(configuration("the role ARN must not be empty or padded".into()));
    }
    Ok(())
}

/// `RoleSessionName`: 2 to 128 of letters, digits and `_+=,.@-`.
fn check_session_name(name: &str) -> Result<(), Error> {
    let ok =
        (2..=128).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b));
    if !ok {
        return Err(configuration(format!(
            "invalid role session name {name:?}: 2 to 128 letters, digits or `_+=,.@-`"
        )));
    }
    Ok(())
}

/// A session name unique enough per process: `tencentcloud-rs-<unix micros>`.
fn default_session_name() -> String {
    let micros = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros()).unwrap_or(0);
    format!("tencentcloud-rs-{micros}")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StsAnswer {
    credentials: StsCredentials,
    expired_time: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StsCredentials {
    token: String,
    tmp_secret_id: String,
    tmp_secret_key: String,
}

impl StsAnswer {
    fn into_credentials(self) -> Result<Credentials, Error> {
        let expiry = UNIX_EPOCH + Duration::from_secs(u64::try_from(self.expired_time).unwrap_or(0));
        let c = self.credentials;
        let creds = Credentials::new(c.tmp_secret_id, c.tmp_secret_key).with_token(c.token).with_expiry(expiry);
        signing_credential(&creds)?;
        Ok(creds)
    }
}

/// An STS failure as a credential error: a credential error of the source keeps its
/// kind (a source that is not configured stays "not configured"); anything else is
/// [`CredentialErrorKind::Unavailable`], its text kept (free of secrets).
fn sts_error(action: &str, role_arn: &str, e: Error) -> Error {
    let kind = e.credential_kind().unwrap_or(CredentialErrorKind::Unavailable);
    Error::credential(kind, format!("STS {action} for {role_arn}: {}", e.detail()))
}

// ---- AssumeRole ----

/// Builds an [`AssumeRoleProvider`].
#[must_use]
pub struct AssumeRoleBuilder {
    source: Arc<dyn CredentialProvider>,
    role_arn: String,
    session_name: String,
    duration: Duration,
    region: String,
    endpoint: Option<String>,
    policy: Option<String>,
    external_id: Option<String>,
    profile: ClientProfile,
    cache: CacheConfig,
    http: Option<Arc<dyn HttpSend>>,
}

impl AssumeRoleBuilder {
    /// How long the temporary credentials live: 900..=43200 s (default 7200 s).
    pub fn duration(mut self, d: Duration) -> Self {
        self.duration = d;
        self
    }

    /// The region STS is called in (default `ap-guangzhou`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// Another STS endpoint (host or URL; default `sts.tencentcloudapi.com`).
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// A policy (JSON) narrowing the role's permissions.
    pub fn policy(mut self, policy: impl Into<String>) -> Self {
        self.policy = Some(policy.into());
        self
    }

    /// The role's external id, if its trust policy requires one.
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }

    /// The profile of the STS client (proxy, CA, timeouts, retries...).
    pub fn client_profile(mut self, profile: ClientProfile) -> Self {
        self.profile = profile;
        self
    }

    /// When to refresh the cached credentials.
    pub fn cache_config(mut self, config: CacheConfig) -> Self {
        self.cache = config;
        self
    }

    /// Sends the STS requests through this instead of reqwest (tests, middleware).
    pub fn http_send(mut self, http: Arc<dyn HttpSend>) -> Self {
        self.http = Some(http);
        self
    }

    /// Checks the settings (role ARN, session name, duration 900..=43200 s) and builds
    /// the provider (and its STS client).
    pub fn build(self) -> Result<AssumeRoleProvider, Error> {
        check_arn(&self.role_arn)?;
        check_session_name(&self.session_name)?;
        let duration_secs = check_duration(self.duration)?;
        let region = Some(self.region.clone()).filter(|r| !r.is_empty());
        // The STS client and the cache share the clock offset: what one learns from the
        // API's Date, the other judges the credential's expiry by.
        let skew = Arc::<ClockSkew>::default();
        let engine =
            Engine::new(Some(Arc::clone(&self.source)), region, self.profile, self.http)?.with_skew(Arc::clone(&skew));
        let fetch = AssumeRoleFetch {
            engine,
            endpoint: self.endpoint.clone(),
            role_arn: self.role_arn.clone(),
            session_name: self.session_name,
            duration_secs,
            policy: self.policy,
            external_id: self.external_id,
        };
        Ok(AssumeRoleProvider {
            role_arn: self.role_arn,
            endpoint: self.endpoint,
            cache: CachedProvider::sharing_skew(Arc::new(fetch), self.cache, Clock::system(), skew),
        })
    }
}

/// Temporary credentials of a CAM role, from STS `AssumeRole` called with another
/// provider's credentials, cached and refreshed before they expire ([`CachedProvider`]).
///
/// ```no_run
/// use std::time::Duration;
/// use tencentcloud_transport_std::{AssumeRoleProvider, Client, EnvProvider};
///
/// # fn demo() -> Result<(), tencentcloud_transport_std::Error> {
/// let role = AssumeRoleProvider::builder(EnvProvider::new(), "qcs::cam::uin/100000000001:roleName/reader", "my-app")
///     .duration(Duration::from_secs(3600))
///     .build()?;
/// let client = Client::new(role, "ap-guangzhou")?;
/// # drop(client); Ok(()) }
/// ```
#[derive(Clone)]
pub struct AssumeRoleProvider {
    role_arn: String,
    endpoint: Option<String>,
    cache: CachedProvider,
}

impl AssumeRoleProvider {
    /// Assumes `role_arn` as session `session_name`, with `source`'s credentials.
    pub fn builder(
        source: impl CredentialProvider + 'static,
        role_arn: impl Into<String>,
        session_name: impl Into<String>,
    ) -> AssumeRoleBuilder {
        Self::builder_arc(Arc::new(source), role_arn, session_name)
    }

    /// [`AssumeRoleProvider::builder`] with a shared source.
    pub fn builder_arc(
        source: Arc<dyn CredentialProvider>,
        role_arn: impl Into<String>,
        session_name: impl Into<String>,
    ) -> AssumeRoleBuilder {
        AssumeRoleBuilder {
            source,
            role_arn: role_arn.into(),
            session_name: session_name.into(),
            duration: DEFAULT_DURATION,
            region: DEFAULT_STS_REGION.to_owned(),
            endpoint: None,
            policy: None,
            external_id: None,
            profile: ClientProfile::default(),
            cache: CacheConfig::default(),
            http: None,
        }
    }

    /// The cache (e.g. to see how many refreshes ran).
    pub fn cache(&self) -> &CachedProvider {
        &self.cache
    }
}

impl fmt::Debug for AssumeRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssumeRoleProvider")
            .field("role_arn", &self.role_arn)
            .field("endpoint", &self.endpoint)
            .field("cache", &self.cache)
            .finish()
    }
}

impl CredentialProvider for AssumeRoleProvider {
    fn credential(&self) -> CredentialFuture<'_> {
        self.cache.credential()
    }
    fn credential_now(&self) -> Option<Arc<Credentials>> {
        self.cache.credential_now()
    }
    fn observe_clock_offset(&self, offset_secs: i64) {
        self.cache.observe_clock_offset(offset_secs);
    }
    fn credential_rejected(&self, rejected: &Credentials) -> bool {
        self.cache.credential_rejected(rejected)
    }
}

struct AssumeRoleFetch {
    engine: Engine,
    endpoint: Option<String>,
    role_arn: String,
    session_name: String,
    duration_secs: u64,
    policy: Option<String>,
    external_id: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AssumeRoleParams<'a> {
    role_arn: &'a str,
    role_session_name: &'a str,
    duration_seconds: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<&'a str>,
}

impl AssumeRoleFetch {
    async fn fetch(&self) -> Result<Credentials, Error> {
        let params = AssumeRoleParams {
            role_arn: &self.role_arn,
            role_session_name: &self.session_name,
            duration_seconds: self.duration_secs,
            policy: self.policy.as_deref(),
            external_id: self.external_id.as_deref(),
        };
        let mut opts = CallOptions::new();
        if let Some(ep) = &self.endpoint {
            opts = opts.endpoint(ep.clone());
        }
        let call = Call { service: "sts", version: STS_VERSION, action: "AssumeRole", opts: &opts };
        let answer: StsAnswer =
            self.engine.call(call, &params).await.map_err(|e| sts_error("AssumeRole", &self.role_arn, e))?;
        let creds = answer.into_credentials()?;
        tracing::debug!(role_arn = %self.role_arn, "assumed role");
        Ok(creds)
    }
}

impl CredentialProvider for AssumeRoleFetch {
    fn credential(&self) -> CredentialFuture<'_> {
        Box::pin(self.fetch())
    }
}

// ---- AssumeRoleWithWebIdentity ----

/// Where the OIDC token comes from.
#[derive(Clone)]
enum TokenSource {
    Fixed(Arc<Zeroizing<String>>),
    /// Read on every refresh (the token rotates).
    File(PathBuf),
}

/// Reads a token file: bounded, trimmed, not empty. The buffers are wiped.
fn read_token_file(fs: &Fs, path: &std::path::Path) -> Result<Zeroizing<String>, Error> {
    let shown = path.display();
    let bytes = Zeroizing::new(fs.read(path).map_err(|e| {
        Error::credential(CredentialErrorKind::Unavailable, format!("cannot read the token file {shown}: {}", e.kind()))
    })?);
    if bytes.len() > MAX_TOKEN_FILE {
        return Err(Error::credential(
            CredentialErrorKind::Invalid,
            format!("the token file {shown} is larger than {MAX_TOKEN_FILE} bytes"),
        ));
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Error::credential(CredentialErrorKind::Invalid, format!("the token file {shown} is not UTF-8")))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(Error::credential(CredentialErrorKind::Invalid, format!("the token file {shown} is empty")));
    }
    Ok(Zeroizing::new(token.to_owned()))
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct WebIdentityParams<'a> {
    provider_id: &'a str,
    web_identity_token: &'a str,
    role_arn: &'a str,
    role_session_name: &'a str,
    duration_seconds: u64,
}

/// What one `AssumeRoleWithWebIdentity` call needs.
struct WebIdentityCall<'a> {
    region: &'a str,
    provider_id: &'a str,
    token: &'a str,
    role_arn: &'a str,
    session_name: &'a str,
    duration_secs: u64,
    endpoint: Option<&'a str>,
}

/// Calls `AssumeRoleWithWebIdentity`, unsigned (`Authorization: SKIP`).
async fn assume_role_with_web_identity(engine: &Engine, call: WebIdentityCall<'_>) -> Result<Credentials, Error> {
    let params = WebIdentityParams {
        provider_id: call.provider_id,
        web_identity_token: call.token,
        role_arn: call.role_arn,
        role_session_name: call.session_name,
        duration_seconds: call.duration_secs,
    };
    let mut opts = CallOptions::new().skip_sign(true).region(call.region);
    if let Some(ep) = call.endpoint {
        opts = opts.endpoint(ep);
    }
    let sts = Call { service: "sts", version: STS_VERSION, action: "AssumeRoleWithWebIdentity", opts: &opts };
    let answer: StsAnswer =
        engine.call(sts, &params).await.map_err(|e| sts_error("AssumeRoleWithWebIdentity", call.role_arn, e))?;
    let creds = answer.into_credentials()?;
    tracing::debug!(role_arn = %call.role_arn, "assumed role with web identity");
    Ok(creds)
}

/// An STS engine without a credential (web identity calls are unsigned), built on
/// first use.
struct LazyEngine {
    profile: ClientProfile,
    engine: Mutex<Option<Arc<Engine>>>,
}

impl LazyEngine {
    fn new(profile: ClientProfile) -> Self {
        Self { profile, engine: Mutex::new(None) }
    }

    fn get(&self) -> Result<Arc<Engine>, Error> {
        let mut slot = lock(&self.engine);
        if let Some(e) = &*slot {
            return Ok(Arc::clone(e));
        }
        let e = Arc::new(Engine::new(None, None, self.profile.clone(), None)?);
        *slot = Some(Arc::clone(&e));
        Ok(e)
    }
}

/// Builds a [`WebIdentityProvider`].
#[must_use]
pub struct WebIdentityBuilder {
    region: String,
    provider_id: String,
    role_arn: String,
    token: Option<TokenSource>,
    fs: Fs,
    session_name: Option<String>,
    duration: Duration,
    endpoint: Option<String>,
    profile: ClientProfile,
    cache: CacheConfig,
}

impl WebIdentityBuilder {
    /// The OIDC token (a JWT). Kept wiped on drop, never shown.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(TokenSource::Fixed(Arc::new(Zeroizing::new(token.into()))));
        self
    }

    /// A file holding the OIDC token, read again on every refresh (it rotates).
    pub fn token_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.token = Some(TokenSource::File(path.into()));
        self
    }

    /// Reads the token file through `fs` (tests).
    pub fn fs(mut self, fs: Fs) -> Self {
        self.fs = fs;
        self
    }

    /// The session name (default `tencentcloud-rs-<unix micros>`).
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = Some(name.into());
        self
    }

    /// How long the temporary credentials live: 900..=43200 s (default 7200 s).
    pub fn duration(mut self, d: Duration) -> Self {
        self.duration = d;
        self
    }

    /// Another STS endpoint (host or URL; default `sts.tencentcloudapi.com`).
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The profile of the STS client.
    pub fn client_profile(mut self, profile: ClientProfile) -> Self {
        self.profile = profile;
        self
    }

    /// When to refresh the cached credentials.
    pub fn cache_config(mut self, config: CacheConfig) -> Self {
        self.cache = config;
        self
    }

    /// Checks the settings and builds the provider.
    pub fn build(self) -> Result<WebIdentityProvider, Error> {
        if self.region.trim().is_empty() || self.provider_id.trim().is_empty() {
            return Err(configuration("the region and the OIDC provider id must not be empty".into()));
        }
        check_arn(&self.role_arn)?;
        let session_name = self.session_name.unwrap_or_else(default_session_name);
        check_session_name(&session_name)?;
        let duration_secs = check_duration(self.duration)?;
        let token = self.token.ok_or_else(|| configuration("no OIDC token or token file given".into()))?;
        let fetch = WebIdentityFetch {
            region: self.region,
            provider_id: self.provider_id,
            role_arn: self.role_arn.clone(),
            token,
            fs: self.fs,
            session_name,
            duration_secs,
            endpoint: self.endpoint,
            engine: LazyEngine::new(self.profile),
        };
        Ok(WebIdentityProvider { role_arn: self.role_arn, cache: CachedProvider::with_config(fetch, self.cache) })
    }
}

/// Temporary credentials of a CAM role for an OIDC identity, from STS
/// `AssumeRoleWithWebIdentity` (sent unsigned, `Authorization: SKIP`), cached and
/// refreshed before they expire. The token is given, or read from a file on every
/// refresh.
///
/// ```no_run
/// use tencentcloud_transport_std::WebIdentityProvider;
///
/// # fn demo() -> Result<(), tencentcloud_transport_std::Error> {
/// let provider = WebIdentityProvider::builder("ap-guangzhou", "my-oidc-provider", "qcs::cam::uin/100000000001:roleName/pod")
///     .token_file("/var/run/secrets/tke/token")
///     .build()?;
/// # drop(provider); Ok(()) }
/// ```
#[derive(Clone)]
pub struct WebIdentityProvider {
    role_arn: String,
    cache: CachedProvider,
}

impl WebIdentityProvider {
    /// Assumes `role_arn` for the identity of `provider_id`, calling STS in `region`.
    pub fn builder(
        region: impl Into<String>,
        provider_id: impl Into<String>,
        role_arn: impl Into<String>,
    ) -> WebIdentityBuilder {
        WebIdentityBuilder {
            region: region.into(),
            provider_id: provider_id.into(),
            role_arn: role_arn.into(),
            token: None,
            fs: Fs::real(),
            session_name: None,
            duration: DEFAULT_DURATION,
            endpoint: None,
            profile: ClientProfile::default(),
            cache: CacheConfig::default(),
        }
    }

    /// The cache.
    pub fn cache(&self) -> &CachedProvider {
        &self.cache
    }
}

impl fmt::Debug for WebIdentityProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebIdentityProvider").field("role_arn", &self.role_arn).field("cache", &self.cache).finish()
    }
}

impl CredentialProvider for WebIdentityProvider {
    fn credential(&self) -> CredentialFuture<'_> {
        self.cache.credential()
    }
    fn credential_now(&self) -> Option<Arc<Credentials>> {
        self.cache.credential_now()
    }
    fn observe_clock_offset(&self, offset_secs: i64) {
        self.cache.observe_clock_offset(offset_secs);
    }
    fn credential_rejected(&self, rejected: &Credentials) -> bool {
        self.cache.credential_rejected(rejected)
    }
}

struct WebIdentityFetch {
    region: String,
    provider_id: String,
    role_arn: String,
    token: TokenSource,
    fs: Fs,
    session_name: String,
    duration_secs: u64,
    endpoint: Option<String>,
    engine: LazyEngine,
}

impl WebIdentityFetch {
    async fn fetch(&self) -> Result<Credentials, Error> {
        let token = match &self.token {
            TokenSource::Fixed(t) => Arc::clone(t),
            TokenSource::File(path) => Arc::new(read_token_file(&self.fs, path)?),
        };
        let engine = self.engine.get()?;
        assume_role_with_web_identity(
            &engine,
            WebIdentityCall {
                region: &self.region,
                provider_id: &self.provider_id,
                token: &token,
                role_arn: &self.role_arn,
                session_name: &self.session_name,
                duration_secs: self.duration_secs,
                endpoint: self.endpoint.as_deref(),
            },
        )
        .await
    }
}

impl CredentialProvider for WebIdentityFetch {
    fn credential(&self) -> CredentialFuture<'_> {
        Box::pin(self.fetch())
    }
}

// ---- TKE ----

/// The TKE OIDC provider: [`WebIdentityProvider`] configured from `TKE_REGION`,
/// `TKE_PROVIDER_ID`, `TKE_WEB_IDENTITY_TOKEN_FILE` and `TKE_ROLE_ARN`, read (with the
/// token file) on every refresh, so a rotated token is picked up.
///
/// None of the four variables set is "not configured"; some but not all, or a token
/// file that cannot be read, is an error (a chain stops there).
///
/// ```
/// use tencentcloud_transport_std::{Env, Fs, TkeProvider};
///
/// let env = Env::from_slice(&[
///     ("TKE_REGION", "ap-guangzhou"),
///     ("TKE_PROVIDER_ID", "tke-oidc"),
///     ("TKE_WEB_IDENTITY_TOKEN_FILE", "/var/run/token"),
///     ("TKE_ROLE_ARN", "qcs::cam::uin/100000000001:roleName/pod"),
/// ]);
/// let provider = TkeProvider::with_env_fs(env, Fs::from_slice(&[("/var/run/token", "eyJ...")]));
/// # drop(provider);
/// ```
#[derive(Clone)]
pub struct TkeProvider {
    config: Arc<TkeConfig>,
    cache: Arc<std::sync::OnceLock<CachedProvider>>,
}

#[derive(Clone)]
struct TkeConfig {
    env: Env,
    fs: Fs,
    session_name: Option<String>,
    duration: Duration,
    endpoint: Option<String>,
    profile: ClientProfile,
    cache: CacheConfig,
}

impl TkeProvider {
    /// Reads the process environment and the real file system.
    pub fn new() -> Self {
        Self::with_env_fs(Env::real(), Fs::real())
    }

    /// Reads through `env` and `fs` (tests).
    pub fn with_env_fs(env: Env, fs: Fs) -> Self {
        Self::from_shared(env, fs)
    }

    pub(crate) fn from_shared(env: Env, fs: Fs) -> Self {
        Self {
            config: Arc::new(TkeConfig {
                env,
                fs,
                session_name: None,
                duration: DEFAULT_DURATION,
                endpoint: None,
                profile: ClientProfile::default(),
                cache: CacheConfig::default(),
            }),
            cache: Arc::default(),
        }
    }

    fn with(mut self, f: impl FnOnce(&mut TkeConfig)) -> Self {
        f(Arc::make_mut(&mut self.config));
        self.cache = Arc::default();
        self
    }

    /// The session name (default `tencentcloud-rs-<unix micros>`).
    pub fn session_name(self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.with(|c| c.session_name = Some(name))
    }

    /// How long the temporary credentials live: 900..=43200 s (default 7200 s; checked
    /// when fetching).
    pub fn duration(self, d: Duration) -> Self {
        self.with(|c| c.duration = d)
    }

    /// Another STS endpoint (host or URL; default `sts.tencentcloudapi.com`).
    pub fn endpoint(self, endpoint: impl Into<String>) -> Self {
        let endpoint = endpoint.into();
        self.with(|c| c.endpoint = Some(endpoint))
    }

    /// The profile of the STS client.
    pub fn client_profile(self, profile: ClientProfile) -> Self {
        self.with(|c| c.profile = profile)
    }

    /// When to refresh the cached credentials.
    pub fn cache_config(self, config: CacheConfig) -> Self {
        self.with(|c| c.cache = config)
    }

    fn cache(&self) -> &CachedProvider {
        self.cache.get_or_init(|| {
            let fetch = TkeFetch {
                config: Arc::clone(&self.config),
                engine: LazyEngine::new(self.config.profile.clone()),
                session_name: self.config.session_name.clone().unwrap_or_else(default_session_name),
            };
            CachedProvider::with_config(fetch, self.config.cache.clone())
        })
    }
}

impl Default for TkeProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for TkeProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TkeProvider").field("endpoint", &self.config.endpoint).finish_non_exhaustive()
    }
}

impl CredentialProvider for TkeProvider {
    fn credential(&self) -> CredentialFuture<'_> {
        self.cache().credential()
    }
    fn credential_now(&self) -> Option<Arc<Credentials>> {
        self.cache().credential_now()
    }
    fn observe_clock_offset(&self, offset_secs: i64) {
        self.cache().observe_clock_offset(offset_secs);
    }
    fn credential_rejected(&self, rejected: &Credentials) -> bool {
        self.cache().credential_rejected(rejected)
    }
}

struct TkeFetch {
    config: Arc<TkeConfig>,
    engine: LazyEngine,
    session_name: String,
}

impl TkeFetch {
    async fn fetch(&self) -> Result<Credentials, Error> {
        let names = [ENV_TKE_REGION, ENV_TKE_PROVIDER_ID, ENV_TKE_WEB_IDENTITY_TOKEN_FILE, ENV_TKE_ROLE_ARN];
        let values = names.map(|n| self.config.env.get(n).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()));
        let missing: Vec<&str> = names.iter().zip(&values).filter(|(_, v)| v.is_none()).map(|(n, _)| *n).collect();
        if missing.len() == names.len() {
            return Err(Error::credential(
                CredentialErrorKind::NotConfigured,
                format!("{} are not set", names.join(", ")),
            ));
        }
        let [Some(region), Some(provider_id), Some(token_file), Some(role_arn)] = values else {
            return Err(Error::credential(
                CredentialErrorKind::Invalid,
                format!("TKE OIDC is partly configured: {} not set", missing.join(", ")),
            ));
        };
        let duration_secs = check_duration(self.config.duration)?;
        check_session_name(&self.session_name)?;
        let token = read_token_file(&self.config.fs, std::path::Path::new(&token_file))?;
        let engine = self.engine.get()?;
        assume_role_with_web_identity(
            &engine,
            WebIdentityCall {
                region: &region,
                provider_id: &provider_id,
                token: &token,
                role_arn: &role_arn,
                session_name: &self.session_name,
                duration_secs,
                endpoint: self.config.endpoint.as_deref(),
            },
        )
        .await
    }
}

impl CredentialProvider for TkeFetch {
    fn credential(&self) -> CredentialFuture<'_> {
        Box::pin(self.fetch())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        assert!(check_duration(Duration::from_secs(900)).is_ok());
        assert!(check_duration(Duration::from_secs(43_200)).is_ok());
        for bad in [899, 43_201, 0] {
            let e = check_duration(Duration::from_secs(bad)).unwrap_err();
            assert!(e.to_string().contains("900..=43200"), "{e}");
        }
        assert!(check_duration(Duration::from_millis(900_500)).is_err());
        assert!(check_session_name("my-app.1@x").is_ok());
        assert!(check_session_name("a").is_err());
        assert!(check_session_name("has space").is_err());
        assert!(check_session_name(&"x".repeat(129)).is_err());
        assert!(check_session_name(&default_session_name()).is_ok());
        assert!(check_arn("").is_err() && check_arn(" qcs").is_err());

        let build = |d: u64| {
            AssumeRoleProvider::builder(crate::StaticProvider::new("a", "b"), "qcs::cam::uin/1:roleName/r", "s1")
                .duration(Duration::from_secs(d))
                .build()
        };
        assert!(build(900).is_ok());
        assert_eq!(build(60).unwrap_err().kind(), &crate::ErrorKind::Configuration);
        let e = WebIdentityProvider::builder("ap-guangzhou", "p", "qcs::cam::uin/1:roleName/r").build().unwrap_err();
        assert!(e.to_string().contains("no OIDC token"), "{e}");
    }

    #[test]
    fn token_files() {
        let fs = Fs::from_slice(&[("/t", " jwt-1\n"), ("/empty", "\n")]);
        assert_eq!(read_token_file(&fs, "/t".as_ref()).unwrap().as_str(), "jwt-1");
        let e = read_token_file(&fs, "/empty".as_ref()).unwrap_err();
        assert_eq!(e.credential_kind(), Some(CredentialErrorKind::Invalid));
        let e = read_token_file(&fs, "/missing".as_ref()).unwrap_err();
        assert_eq!(e.credential_kind(), Some(CredentialErrorKind::Unavailable));
        assert!(e.to_string().contains("/missing"), "{e}");
    }

    #[tokio::test]
    async fn tke_configuration_states() {
        let p = TkeProvider::with_env_fs(Env::from_slice(&[]), Fs::from_slice(&[]));
        let e = p.credential().await.unwrap_err();
        assert!(e.is_not_configured(), "{e}");
        assert!(e.to_string().contains("TKE_REGION, TKE_PROVIDER_ID"), "{e}");

        let p = TkeProvider::with_env_fs(Env::from_slice(&[("TKE_REGION", "ap-guangzhou")]), Fs::from_slice(&[]));
        let e = p.credential().await.unwrap_err();
        assert_eq!(e.credential_kind(), Some(CredentialErrorKind::Invalid));
        assert!(e.to_string().contains("TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE, TKE_ROLE_ARN not set"), "{e}");

        let env = Env::from_slice(&[
            ("TKE_REGION", "ap-guangzhou"),
            ("TKE_PROVIDER_ID", "p"),
            ("TKE_WEB_IDENTITY_TOKEN_FILE", "/nope"),
            ("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/r"),
        ]);
        let e = TkeProvider::with_env_fs(env, Fs::from_slice(&[])).credential().await.unwrap_err();
        assert_eq!(e.credential_kind(), Some(CredentialErrorKind::Unavailable));
        assert!(e.to_string().contains("cannot read the token file /nope"), "{e}");
    }
}
