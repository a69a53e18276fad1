//! Owned credentials and the providers that hand them out: static, environment,
//! profile file, CVM instance role, STS `AssumeRole`, OIDC web identity and TKE, the
//! default chain, and the cache that refreshes temporary credentials once.

mod cache;
mod chain;
mod metadata;
mod profile_file;
mod sts;

use std::fmt;
use std::sync::Arc;

use tencentcloud_core::provider::{Env, Fs, OwnedCredential, ProcessEnv, ProviderError, environment};

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

/// A thread-safe [`Env`], as the providers hold it.
pub(crate) type SharedEnv = Arc<dyn Env + Send + Sync>;
/// A thread-safe [`Fs`], as the providers hold it.
pub(crate) type SharedFs = Arc<dyn Fs + Send + Sync>;

/// An [`Env`] over a closure.
struct FnEnv<F>(F);

impl<F: Fn(&str) -> Option<String>> Env for FnEnv<F> {
    fn var(&self, key: &str) -> Option<String> {
        (self.0)(key)
    }
}

/// Borrows a shared [`Env`] where core wants `&impl Env`, optionally overriding one
/// variable (e.g. `TENCENTCLOUD_PROFILE` for an explicit profile name).
pub(crate) struct EnvRef<'a> {
    pub(crate) env: &'a (dyn Env + Send + Sync),
    pub(crate) set: Option<(&'a str, &'a str)>,
}

impl Env for EnvRef<'_> {
    fn var(&self, key: &str) -> Option<String> {
        match self.set {
            Some((k, v)) if k == key => Some(v.to_owned()),
            _ => self.env.var(key),
        }
    }
}

/// Borrows a shared [`Fs`] where core wants `&impl Fs`.
pub(crate) struct FsRef<'a>(pub(crate) &'a (dyn Fs + Send + Sync));

impl Fs for FsRef<'_> {
    fn read(&self, path: &std::path::Path) -> std::io::Result<Vec<u8>> {
        self.0.read(path)
    }
}

/// A core provider error as a client error (kind kept, message free of secrets).
pub(crate) fn from_provider_error(e: ProviderError) -> Error {
    match e {
        ProviderError::NotConfigured(why) => Error::credential(CredentialErrorKind::NotConfigured, why),
        ProviderError::Invalid(why) => Error::credential(CredentialErrorKind::Invalid, why),
    }
}

impl From<&OwnedCredential> for Credentials {
    fn from(c: &OwnedCredential) -> Self {
        let creds = Credentials::new(c.secret_id(), c.secret_key());
        match c.token() {
            Some(t) => creds.with_token(t),
            None => creds,
        }
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
/// use tencentcloud_transport_std::{EnvProvider, MapEnv};
///
/// let p = EnvProvider::with_env(MapEnv::new(&[("TENCENTCLOUD_SECRET_ID", "AKID1"), ("TENCENTCLOUD_SECRET_KEY", "k")]));
/// # drop(p);
/// ```
#[derive(Clone)]
pub struct EnvProvider {
    env: SharedEnv,
}

impl EnvProvider {
    /// Reads the process environment.
    pub fn new() -> Self {
        Self::with_env(ProcessEnv)
    }

    /// Reads variables through `env` (e.g. a [`MapEnv`](crate::MapEnv) in tests).
    pub fn with_env(env: impl Env + Send + Sync + 'static) -> Self {
        Self { env: Arc::new(env) }
    }

    /// Reads variables through `lookup` instead of the process environment (for
    /// tests, or configuration kept elsewhere).
    pub fn with_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self::with_env(FnEnv(lookup))
    }

    fn read(&self) -> Result<Credentials, Error> {
        let owned = environment(&EnvRef { env: &*self.env, set: None }).map_err(from_provider_error)?;
        Ok(Credentials::from(&owned))
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
    use std::collections::HashMap;

    use super::*;
    use crate::error::ErrorKind;

    fn env(vars: &[(&str, &str)]) -> EnvProvider {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        EnvProvider::with_lookup(move |k| map.get(k).cloned())
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
