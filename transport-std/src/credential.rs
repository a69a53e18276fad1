//! Owned credentials and the providers that hand them out: static, environment,
//! profile file, CVM instance role, STS `AssumeRole`, OIDC web identity and TKE, the
//! default chain, and the cache that refreshes temporary credentials once.

mod cache;
mod chain;
mod metadata;
mod profile_file;
mod sts;

use std::fmt;

use tencentcloud_core::provider::{Env, ProviderError, environment};

use crate::error::{CredentialErrorKind, Error};
use crate::provider::{CredentialFuture, CredentialProvider, Credentials};

pub use cache::{CacheConfig, CachedProvider};
pub use chain::{ChainProvider, DefaultChainBuilder};
pub use metadata::{DEFAULT_METADATA_ENDPOINT, InstanceRoleProvider};
pub use profile_file::ProfileFileProvider;
pub use sts::{
    AssumeRoleBuilder, AssumeRoleProvider, DEFAULT_STS_REGION, ENV_TKE_PROVIDER_ID, ENV_TKE_REGION, ENV_TKE_ROLE_ARN,
    ENV_TKE_WEB_IDENTITY_TOKEN_FILE, STS_VERSION, TkeProvider, WebIdentityBuilder, WebIdentityProvider,
};

/// Always the same credentials.
#[derive(Clone, Debug)]
pub struct StaticProvider {
    credentials: Credentials,
}

impl StaticProvider {
    /// Permanent credentials.
    pub fn new(secret_id: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Self { credentials: Credentials::new(secret_id, secret_key) }
    }

    /// Any credentials (e.g. with a token).
    pub fn from_credentials(credentials: Credentials) -> Self {
        Self { credentials }
    }
}

impl From<Credentials> for StaticProvider {
    fn from(credentials: Credentials) -> Self {
        Self::from_credentials(credentials)
    }
}

impl CredentialProvider for StaticProvider {
    fn credential(&self) -> CredentialFuture<'_> {
        let c = self.credentials.clone();
        Box::pin(async move { Ok(c) })
    }
}

pub use tencentcloud_core::provider::{ENV_SECRET_ID, ENV_SECRET_KEY, ENV_SESSION_TOKEN};

/// A core provider error as a client error (kind kept, message free of secrets).
pub(crate) fn from_provider_error(e: ProviderError) -> Error {
    match e {
        ProviderError::NotConfigured(why) => Error::credential(CredentialErrorKind::NotConfigured, why),
        ProviderError::Invalid(why) => Error::credential(CredentialErrorKind::Invalid, why),
    }
}

/// Credentials from `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY` and the optional
/// `TENCENTCLOUD_SESSION_TOKEN`, read on every call (by
/// [`tencentcloud_core::provider::environment`]). Both unset or empty means "not
/// configured" ([`CredentialErrorKind::NotConfigured`]); one without the other, or a
/// malformed value, is [`CredentialErrorKind::Invalid`] (a chain stops there rather
/// than silently using another source).
///
/// ```
/// use tencentcloud_transport_std::{Env, EnvProvider};
///
/// let p = EnvProvider::with_env(Env::from_slice(&[("TENCENTCLOUD_SECRET_ID", "AKID1"), ("TENCENTCLOUD_SECRET_KEY", "k")]));
/// # drop(p);
/// ```
#[derive(Clone)]
pub struct EnvProvider {
    env: Env,
}

impl EnvProvider {
    /// Reads the process environment.
    pub fn new() -> Self {
        Self::with_env(Env::real())
    }

    /// Reads variables through `env` (e.g. [`Env::from_slice`] in tests).
    pub fn with_env(env: Env) -> Self {
        Self { env }
    }

    fn read(&self) -> Result<Credentials, Error> {
        environment(&self.env).map_err(from_provider_error)
    }
}

impl Default for EnvProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for EnvProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EnvProvider")
    }
}

impl CredentialProvider for EnvProvider {
    fn credential(&self) -> CredentialFuture<'_> {
        let result = self.read();
        Box::pin(async move { result })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::error::ErrorKind;

    fn env(vars: &[(&str, &str)]) -> EnvProvider {
        EnvProvider::with_env(Env::from_slice(vars))
    }

    fn block<T>(f: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    }

    #[test]
    fn env_provider() {
        let c = block(env(&[(ENV_SECRET_ID, "AKID1"), (ENV_SECRET_KEY, "k1")]).credential()).unwrap();
        assert_eq!((c.secret_id(), c.secret_key(), c.token()), ("AKID1", "k1", None));

        let c = block(env(&[(ENV_SECRET_ID, "AKID1"), (ENV_SECRET_KEY, "k1"), (ENV_SESSION_TOKEN, "t")]).credential())
            .unwrap();
        assert_eq!(c.token(), Some("t"));

        let e = block(env(&[]).credential()).unwrap_err();
        assert!(e.is_not_configured());
        assert!(e.to_string().contains("TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY"), "{e}");

        // One without the other is configured but broken: a chain must stop there.
        let e = block(env(&[(ENV_SECRET_ID, "AKID1"), (ENV_SECRET_KEY, "")]).credential()).unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::Credential(CredentialErrorKind::Invalid));
        assert!(e.to_string().contains("TENCENTCLOUD_SECRET_KEY is not"), "{e}");

        let e = block(env(&[(ENV_SECRET_ID, "AKID1"), (ENV_SECRET_KEY, " padded-secret ")]).credential()).unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::Credential(CredentialErrorKind::Invalid));
        assert!(!e.to_string().contains("padded-secret"));
    }

    #[test]
    fn provider_is_object_safe() {
        let p: Arc<dyn CredentialProvider> = Arc::new(StaticProvider::new("AKID", "k"));
        let c = block(p.credential()).unwrap();
        assert_eq!(c.secret_id(), "AKID");
    }
}
