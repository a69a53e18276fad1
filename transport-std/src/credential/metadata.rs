//! The CVM instance-role provider: temporary credentials from the instance metadata
//! service.

use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use futures_util::StreamExt;
use serde::Deserialize;

use super::{CacheConfig, CachedProvider};
use crate::error::{CredentialErrorKind, Error, ErrorKind};
use crate::http::{HeaderMap, HttpRequest, HttpSend, Method, ReqwestSend, Url};
use crate::profile::HttpProfile;
use crate::provider::{CredentialFuture, CredentialProvider, Credentials, signing_credential};
use crate::proxy::ProxyConfig;
use crate::sync::lock;

/// The CVM instance metadata service.
pub const DEFAULT_METADATA_ENDPOINT: &str = "http://metadata.tencentyun.com";
/// Where the role name and the role's credentials are, under the endpoint.
const CREDENTIALS_PATH: &str = "/latest/meta-data/cam/security-credentials/";
/// The largest metadata answer read.
const MAX_ANSWER: usize = 64 * 1024;

/// Temporary credentials of the CAM role bound to the CVM instance, from the instance
/// metadata service (`http://metadata.tencentyun.com/latest/meta-data/cam/security-credentials/<role>`),
/// cached and refreshed before they expire ([`CachedProvider`]).
///
/// The role is discovered (`GET .../security-credentials/`) when not given. Every
/// metadata request has a short time limit (1 s by default) and never goes through a
/// proxy.
///
/// **When it counts as "not configured"** (so a chain moves on): the metadata service
/// cannot be reached while discovering the role (connection refused, DNS failure, no
/// answer within the time limit: not a CVM instance), or it answers that no role is
/// bound (404 or an empty answer). Once a role is known, any failure (an HTTP error,
/// malformed JSON, `Code` other than `Success`) is [`CredentialErrorKind::Unavailable`]:
/// the instance has a role but its credentials cannot be had, and a chain stops there.
///
/// ```
/// use std::time::Duration;
/// use tencentcloud_transport_std::InstanceRoleProvider;
///
/// let provider = InstanceRoleProvider::new().role("my-cvm-role").timeout(Duration::from_millis(500));
/// # drop(provider);
/// ```
#[derive(Clone)]
pub struct InstanceRoleProvider {
    config: Arc<MetadataConfig>,
    cache: Arc<OnceLock<CachedProvider>>,
}

#[derive(Clone)]
struct MetadataConfig {
    endpoint: String,
    role: Option<String>,
    timeout: Duration,
    cache: CacheConfig,
    http: Option<Arc<dyn HttpSend>>,
}

impl InstanceRoleProvider {
    /// The instance's role, from `http://metadata.tencentyun.com`.
    pub fn new() -> Self {
        Self {
            config: Arc::new(MetadataConfig {
                endpoint: DEFAULT_METADATA_ENDPOINT.to_owned(),
                role: None,
                timeout: Duration::from_secs(1),
                cache: CacheConfig::default(),
                http: None,
            }),
            cache: Arc::default(),
        }
    }

    fn with(mut self, f: impl FnOnce(&mut MetadataConfig)) -> Self {
        f(Arc::make_mut(&mut self.config));
        self.cache = Arc::default();
        self
    }

    /// Another metadata service address, e.g. `http://127.0.0.1:8080` (the credentials
    /// path is appended; a URL already ending in `/security-credentials/` is used as is).
    pub fn endpoint(self, url: impl Into<String>) -> Self {
        let url = url.into();
        self.with(|c| c.endpoint = url)
    }

    /// Uses this role instead of discovering it.
    pub fn role(self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.with(|c| c.role = Some(name).filter(|n| !n.is_empty()))
    }

    /// The time limit of each metadata request (connecting included); default 1 s.
    pub fn timeout(self, timeout: Duration) -> Self {
        self.with(|c| c.timeout = timeout)
    }

    /// When to refresh the cached credentials.
    pub fn cache_config(self, config: CacheConfig) -> Self {
        self.with(|c| c.cache = config)
    }

    /// Sends the metadata requests through this instead of reqwest (tests, middleware).
    pub fn http_send(self, http: Arc<dyn HttpSend>) -> Self {
        self.with(|c| c.http = Some(http))
    }

    /// The metadata service address.
    pub fn endpoint_url(&self) -> &str {
        &self.config.endpoint
    }

    fn cache(&self) -> &CachedProvider {
        self.cache.get_or_init(|| {
            let fetch = MetadataFetch { config: Arc::clone(&self.config), http: Mutex::new(None) };
            CachedProvider::with_config(fetch, self.config.cache.clone())
        })
    }
}

impl Default for InstanceRoleProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for InstanceRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstanceRoleProvider")
            .field("endpoint", &self.config.endpoint)
            .field("role", &self.config.role)
            .field("timeout", &self.config.timeout)
            .finish_non_exhaustive()
    }
}

impl CredentialProvider for InstanceRoleProvider {
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

/// One fetch from the metadata service (what the cache refreshes with).
struct MetadataFetch {
    config: Arc<MetadataConfig>,
    http: Mutex<Option<Arc<dyn HttpSend>>>,
}

/// Why a metadata request gave no answer.
enum GetError {
    /// Nothing answered (connection refused, DNS, time limit).
    Unreachable(Error),
    /// Something answered, then failed.
    Failed(Error),
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MetadataCredentials {
    tmp_secret_id: String,
    tmp_secret_key: String,
    token: String,
    expired_time: i64,
    code: String,
}

fn unavailable(message: String) -> Error {
    Error::credential(CredentialErrorKind::Unavailable, message)
}

fn valid_role_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 128 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

impl MetadataFetch {
    fn base(&self) -> String {
        let ep = self.config.endpoint.trim().trim_end_matches('/');
        if ep.ends_with("/security-credentials") { format!("{ep}/") } else { format!("{ep}{CREDENTIALS_PATH}") }
    }

    fn sender(&self) -> Result<Arc<dyn HttpSend>, Error> {
        if let Some(h) = &self.config.http {
            return Ok(Arc::clone(h));
        }
        let mut slot = lock(&self.http);
        if let Some(h) = &*slot {
            return Ok(Arc::clone(h));
        }
        let profile = HttpProfile::new()
            .proxy(ProxyConfig::none())
            .connect_timeout(self.config.timeout)
            .pool_idle_timeout(Some(Duration::from_secs(30)));
        let h: Arc<dyn HttpSend> = Arc::new(ReqwestSend::new(&profile)?);
        *slot = Some(Arc::clone(&h));
        Ok(h)
    }

    /// `GET url`: the status and the (bounded) body.
    async fn get(&self, url: &str) -> Result<(u16, Bytes), GetError> {
        let http = self.sender().map_err(GetError::Failed)?;
        let url = Url::parse(url).map_err(|_| GetError::Failed(Error::configuration("invalid metadata URL")))?;
        let request = HttpRequest { method: Method::Get, url, headers: HeaderMap::new(), body: Bytes::new() };
        let timeout = self.config.timeout;
        let exchange = async {
            let resp = http.send(request).await.map_err(|e| match e.kind() {
                ErrorKind::Network | ErrorKind::Timeout => GetError::Unreachable(e),
                _ => GetError::Failed(e),
            })?;
            let mut body = resp.body;
            let mut out = Vec::new();
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(GetError::Failed)?;
                if out.len() + chunk.len() > MAX_ANSWER {
                    return Err(GetError::Failed(Error::decode(format!("answer larger than {MAX_ANSWER} bytes"))));
                }
                out.extend_from_slice(&chunk);
            }
            Ok((resp.status, Bytes::from(out)))
        };
        match tokio::time::timeout(timeout, exchange).await {
            Ok(r) => r,
            Err(_) => Err(GetError::Unreachable(Error::timeout(timeout))),
        }
    }

    /// The role bound to the instance.
    async fn discover(&self, base: &str) -> Result<String, Error> {
        let not_configured = |why: String| Error::credential(CredentialErrorKind::NotConfigured, why);
        let (status, body) = match self.get(base).await {
            Ok(answer) => answer,
            Err(GetError::Unreachable(e)) => {
                return Err(not_configured(format!("the metadata service {base} is unreachable ({})", e.detail())));
            }
            Err(GetError::Failed(e)) => {
                return Err(unavailable(format!("the metadata service {base} failed: {}", e.detail())));
            }
        };
        if status == 404 {
            return Err(not_configured(format!("no CAM role is bound to this instance ({base} answered 404)")));
        }
        if status != 200 {
            return Err(unavailable(format!("the metadata service {base} answered HTTP {status}")));
        }
        let text = String::from_utf8_lossy(&body);
        let role = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
        if role.is_empty() {
            return Err(not_configured(format!("no CAM role is bound to this instance ({base} answered no role)")));
        }
        if !valid_role_name(role) {
            return Err(unavailable(format!("the metadata service {base} answered an invalid role name")));
        }
        Ok(role.to_owned())
    }

    async fn fetch(&self) -> Result<Credentials, Error> {
        let base = self.base();
        let role = match &self.config.role {
            Some(role) => role.clone(),
            None => self.discover(&base).await?,
        };
        let url = format!("{base}{role}");
        let (status, body) = match self.get(&url).await {
            Ok(answer) => answer,
            Err(GetError::Unreachable(e) | GetError::Failed(e)) => {
                return Err(unavailable(format!("role {role}: the metadata service failed: {}", e.detail())));
            }
        };
        if status != 200 {
            return Err(unavailable(format!("role {role}: the metadata service answered HTTP {status}")));
        }
        let answer: MetadataCredentials = serde_json::from_slice(&body)
            .map_err(|e| unavailable(format!("role {role}: malformed metadata answer ({})", e.classify_name())))?;
        if answer.code != "Success" {
            // `Code` is a status word, never a secret.
            let code: String = answer.code.chars().filter(|c| c.is_ascii_graphic()).take(64).collect();
            return Err(unavailable(format!("role {role}: the metadata service answered Code {code:?}")));
        }
        let expiry = UNIX_EPOCH + Duration::from_secs(u64::try_from(answer.expired_time).unwrap_or(0));
        let creds = Credentials::new(answer.tmp_secret_id, answer.tmp_secret_key).with_token(answer.token);
        signing_credential(&creds)?;
        tracing::debug!(role = %role, expires_in_secs = ?expiry.duration_since(SystemTime::now()).ok().map(|d| d.as_secs()), "instance role credentials fetched");
        Ok(creds.with_expiry(expiry))
    }
}

/// The kind of a JSON error, without any of the input.
trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "I/O",
            serde_json::error::Category::Syntax => "not JSON",
            serde_json::error::Category::Data => "missing or mistyped fields",
            serde_json::error::Category::Eof => "truncated",
        }
    }
}

impl CredentialProvider for MetadataFetch {
    fn credential(&self) -> CredentialFuture<'_> {
        Box::pin(self.fetch())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_names() {
        let fetch = |ep: &str| MetadataFetch {
            config: Arc::new(MetadataConfig { endpoint: ep.into(), ..(*InstanceRoleProvider::new().config).clone() }),
            http: Mutex::new(None),
        };
        assert_eq!(
            fetch(DEFAULT_METADATA_ENDPOINT).base(),
            "http://metadata.tencentyun.com/latest/meta-data/cam/security-credentials/"
        );
        assert_eq!(
            fetch("http://127.0.0.1:9/").base(),
            "http://127.0.0.1:9/latest/meta-data/cam/security-credentials/"
        );
        assert_eq!(
            fetch("http://h/latest/meta-data/cam/security-credentials").base(),
            "http://h/latest/meta-data/cam/security-credentials/"
        );
        assert!(valid_role_name("my-role_1.x@y"));
        assert!(!valid_role_name("<html>"));
        assert!(!valid_role_name(""));
    }
}
