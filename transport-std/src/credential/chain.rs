//! Provider chains, and the default chain: environment, profile file, instance role,
//! TKE.

use std::fmt;
use std::sync::{Arc, Mutex};

use tencentcloud_core::provider::{Env, Fs};

use super::{EnvProvider, InstanceRoleProvider, ProfileFileProvider, TkeProvider};
use crate::error::{CredentialErrorKind, Error};
use crate::provider::{CredentialFuture, CredentialProvider, Credentials};
use crate::sync::lock;

type Named = (String, Arc<dyn CredentialProvider>);

/// Asks providers in order and uses the first that has a credential.
///
/// - Only "not configured" ([`Error::is_not_configured`]) moves on to the next
///   provider. A provider that is configured but fails (a malformed profile file, an
///   instance role whose credentials cannot be had, a partly set TKE environment...)
///   stops the chain with an error that lists every provider tried and why, so the
///   real cause is never hidden behind the last provider's complaint.
/// - Nothing configured at all is a [`CredentialErrorKind::NotConfigured`] error
///   listing every provider and why it is not configured.
/// - The provider that answered is remembered and asked directly afterwards (its own
///   errors come back named after it); if it later says "not configured", the chain is
///   walked again.
/// - It caches nothing itself: the providers that fetch over the network (instance
///   role, STS, TKE) cache behind a [`crate::CachedProvider`], which also makes
///   concurrent callers share one fetch.
///
/// ```
/// use tencentcloud_transport_std::{ChainProvider, EnvProvider, InstanceRoleProvider};
///
/// // The instance role first, then the environment.
/// let chain = ChainProvider::new().with("instance role", InstanceRoleProvider::new()).with("environment", EnvProvider::new());
/// # drop(chain);
/// ```
#[derive(Clone)]
pub struct ChainProvider {
    providers: Vec<Named>,
    /// The provider that answered last, shared by clones.
    selected: Arc<Mutex<Option<usize>>>,
}

impl fmt::Debug for ChainProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let selected = *lock(&self.selected);
        f.debug_struct("ChainProvider")
            .field("providers", &self.providers.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>())
            .field("selected", &selected.map(|i| self.providers[i].0.as_str()))
            .finish()
    }
}

impl Default for ChainProvider {
    fn default() -> Self {
        Self::new()
    }
}

fn credential_kind(e: &Error) -> CredentialErrorKind {
    e.credential_kind().unwrap_or(CredentialErrorKind::Unavailable)
}

impl ChainProvider {
    /// An empty chain.
    pub fn new() -> Self {
        Self { providers: Vec::new(), selected: Arc::default() }
    }

    /// Appends a provider, named for error messages.
    pub fn with(self, name: impl Into<String>, provider: impl CredentialProvider + 'static) -> Self {
        self.with_arc(name, Arc::new(provider))
    }

    /// Appends a shared provider.
    pub fn with_arc(mut self, name: impl Into<String>, provider: Arc<dyn CredentialProvider>) -> Self {
        self.providers.push((name.into(), provider));
        self.selected = Arc::default();
        self
    }

    /// The default chain: environment, profile file, CVM instance role, TKE OIDC, on the
    /// process environment and the real file system (see [`DefaultChainBuilder`]).
    pub fn default_chain() -> Self {
        Self::default_builder().build()
    }

    /// Builds the default chain with other settings (fakes in tests, a profile name, a
    /// metadata address...).
    pub fn default_builder() -> DefaultChainBuilder {
        DefaultChainBuilder { env: Env::real(), fs: Fs::real(), profile: None, instance_role: None, tke: None }
    }

    /// The names of the providers, in order.
    pub fn names(&self) -> Vec<&str> {
        self.providers.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The name of the provider that answered last, if any.
    pub fn selected(&self) -> Option<&str> {
        let i = (*lock(&self.selected))?;
        Some(self.providers[i].0.as_str())
    }

    fn set_selected(&self, value: Option<usize>, only_if: Option<usize>) {
        let mut sel = lock(&self.selected);
        if only_if.is_none() || *sel == only_if {
            *sel = value;
        }
    }

    /// Asks the chosen provider; its errors are named after it.
    async fn ask(&self, i: usize) -> Result<Credentials, Error> {
        let (name, provider) = &self.providers[i];
        provider
            .credential()
            .await
            .map_err(|e| Error::credential(credential_kind(&e), format!("{name}: {}", e.detail())))
    }

    async fn get(&self) -> Result<Credentials, Error> {
        let chosen = *lock(&self.selected);
        if let Some(i) = chosen {
            match self.ask(i).await {
                Err(e) if e.is_not_configured() => {
                    tracing::debug!(provider = %self.providers[i].0, "credential provider no longer configured: walking the chain again");
                    self.set_selected(None, Some(i));
                }
                other => return other,
            }
        }
        self.walk().await
    }

    /// Asks each provider in turn.
    async fn walk(&self) -> Result<Credentials, Error> {
        let mut tried: Vec<String> = Vec::with_capacity(self.providers.len());
        for (i, (name, provider)) in self.providers.iter().enumerate() {
            match provider.credential().await {
                Ok(creds) => {
                    tracing::debug!(provider = %name, "credential chain: using this provider");
                    self.set_selected(Some(i), None);
                    return Ok(creds);
                }
                Err(e) => {
                    tried.push(format!("{name}: {}", e.detail()));
                    if !e.is_not_configured() {
                        return Err(Error::credential(
                            credential_kind(&e),
                            format!(
                                "the credential chain stopped at {name} (configured but unusable); tried {}",
                                tried.join("; ")
                            ),
                        ));
                    }
                }
            }
        }
        let why = if tried.is_empty() { "the chain is empty".to_owned() } else { tried.join("; ") };
        Err(Error::credential(
            CredentialErrorKind::NotConfigured,
            format!("no provider of the credential chain is configured; tried {why}"),
        ))
    }
}

impl CredentialProvider for ChainProvider {
    fn credential(&self) -> CredentialFuture<'_> {
        Box::pin(self.get())
    }

    /// Told to every provider: the offset is the local clock's, whichever answers.
    fn observe_clock_offset(&self, offset_secs: i64) {
        for (_, provider) in &self.providers {
            provider.observe_clock_offset(offset_secs);
        }
    }

    /// Told to the provider that answered last.
    fn credential_rejected(&self, rejected: &Credentials) -> bool {
        let chosen = *lock(&self.selected);
        chosen.and_then(|i| self.providers.get(i)).is_some_and(|(_, p)| p.credential_rejected(rejected))
    }
}

/// Builds the default chain: [`EnvProvider`] ("environment"), [`ProfileFileProvider`]
/// ("profile file"), [`InstanceRoleProvider`] ("instance role") and [`TkeProvider`]
/// ("TKE OIDC"), in that order.
///
/// The instance role counts as not configured when the metadata service cannot be
/// reached within its short time limit or no role is bound (see
/// [`InstanceRoleProvider`]), so off CVM the chain moves on to TKE after at most that
/// time limit.
///
/// ```
/// use tencentcloud_transport_std::{ChainProvider, Env, Fs, InstanceRoleProvider};
///
/// let chain = ChainProvider::default_builder()
///     .env(Env::from_slice(&[("HOME", "/home/dev")]))
///     .fs(Fs::from_slice(&[]))
///     .profile("dev")
///     .instance_role(InstanceRoleProvider::new().endpoint("http://127.0.0.1:8080"))
///     .build();
/// assert_eq!(chain.names(), ["environment", "profile file", "instance role", "TKE OIDC"]);
/// ```
#[must_use]
pub struct DefaultChainBuilder {
    env: Env,
    fs: Fs,
    profile: Option<String>,
    instance_role: Option<InstanceRoleProvider>,
    tke: Option<TkeProvider>,
}

impl DefaultChainBuilder {
    /// Reads variables through `env` (the environment, profile-file and TKE providers).
    pub fn env(mut self, env: Env) -> Self {
        self.env = env;
        self
    }

    /// Reads files through `fs` (the profile file and the TKE token file).
    pub fn fs(mut self, fs: Fs) -> Self {
        self.fs = fs;
        self
    }

    /// The profile-file section to read (instead of `TENCENTCLOUD_PROFILE` or `default`).
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    /// The instance-role provider to use (e.g. another metadata address).
    pub fn instance_role(mut self, provider: InstanceRoleProvider) -> Self {
        self.instance_role = Some(provider);
        self
    }

    /// The TKE provider to use (e.g. another STS endpoint). It reads its own `Env` and
    /// `Fs`: give them to [`TkeProvider::with_env_fs`].
    pub fn tke(mut self, provider: TkeProvider) -> Self {
        self.tke = Some(provider);
        self
    }

    /// The chain.
    pub fn build(self) -> ChainProvider {
        let env = EnvProvider { env: self.env.clone() };
        let mut profile = ProfileFileProvider::from_shared(self.env.clone(), self.fs.clone());
        if let Some(name) = self.profile {
            profile = profile.profile(name);
        }
        let tke = self.tke.unwrap_or_else(|| TkeProvider::from_shared(self.env, self.fs));
        ChainProvider::new()
            .with("environment", env)
            .with("profile file", profile)
            .with("instance role", self.instance_role.unwrap_or_default())
            .with("TKE OIDC", tke)
    }
}

impl fmt::Debug for DefaultChainBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultChainBuilder").field("profile", &self.profile).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::StaticProvider;

    struct Counted<P>(P, Arc<AtomicUsize>);

    impl<P: CredentialProvider> CredentialProvider for Counted<P> {
        fn credential(&self) -> CredentialFuture<'_> {
            self.1.fetch_add(1, Ordering::SeqCst);
            self.0.credential()
        }
    }

    struct Fails(CredentialErrorKind, &'static str);

    impl CredentialProvider for Fails {
        fn credential(&self) -> CredentialFuture<'_> {
            let e = Error::credential(self.0, self.1);
            Box::pin(async move { Err(e) })
        }
    }

    /// A metadata address where nothing listens.
    fn closed_port() -> String {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    }

    fn chain(env: Env, fs: Fs) -> ChainProvider {
        ChainProvider::default_builder()
            .env(env.clone())
            .fs(fs.clone())
            .instance_role(InstanceRoleProvider::new().endpoint(closed_port()))
            .tke(TkeProvider::with_env_fs(env, fs))
            .build()
    }

    #[tokio::test]
    async fn nothing_configured_lists_every_provider() {
        let c = chain(Env::from_slice(&[("HOME", "/h")]), Fs::from_slice(&[]));
        let e = c.credential().await.unwrap_err();
        assert!(e.is_not_configured(), "{e}");
        let text = e.to_string();
        for part in [
            "no credential configured: no provider of the credential chain is configured; tried ",
            "environment: TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY are not set",
            "; profile file: no profile file (/h/.tencentcloud/credentials, /etc/tencentcloud/credentials)",
            "; instance role: the metadata service http://127.0.0.1:",
            "is unreachable (connection failed",
            "; TKE OIDC: TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE, TKE_ROLE_ARN are not set",
        ] {
            assert!(text.contains(part), "{part:?} missing from {text}");
        }
        assert_eq!(text.lines().count(), 1);
    }

    #[tokio::test]
    async fn broken_provider_stops_the_chain() {
        let fs = Fs::from_slice(&[("/h/.tencentcloud/credentials", "[default]\nsecret_id = AKID1\nsecret_key\n")]);
        let c = chain(Env::from_slice(&[("HOME", "/h"), ("TENCENTCLOUD_SECRET_KEY", "")]), fs);
        let e = c.credential().await.unwrap_err();
        assert_eq!(e.credential_kind(), Some(CredentialErrorKind::Invalid));
        let text = e.to_string();
        assert!(
            text.starts_with("credential error: the credential chain stopped at profile file (configured but unusable); tried environment: "),
            "{text}"
        );
        assert!(
            text.ends_with("; profile file: /h/.tencentcloud/credentials:3: expected `[section]` or `key = value`"),
            "{text}"
        );
        assert!(!text.contains("instance role") && !text.contains("TKE"), "{text}");

        // A partly set environment stops it too (instead of falling through to the file).
        let ok_file =
            Fs::from_slice(&[("/h/.tencentcloud/credentials", "[default]\nsecret_id = AKID1\nsecret_key = k\n")]);
        let c = chain(Env::from_slice(&[("HOME", "/h"), ("TENCENTCLOUD_SECRET_ID", "AKIDENV")]), ok_file.clone());
        let e = c.credential().await.unwrap_err();
        assert!(e.to_string().contains("stopped at environment"), "{e}");

        // And a well-formed file is used when the environment has nothing.
        let c = chain(Env::from_slice(&[("HOME", "/h")]), ok_file);
        assert_eq!(c.credential().await.unwrap().secret_id(), "AKID1");
        assert_eq!(c.selected(), Some("profile file"));
    }

    #[tokio::test]
    async fn selection_is_remembered() {
        let (a, b) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let c = ChainProvider::new()
            .with("none", Counted(Fails(CredentialErrorKind::NotConfigured, "nothing"), a.clone()))
            .with("static", Counted(StaticProvider::new("AKIDS", "k"), b.clone()));
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let c = c.clone();
                tokio::spawn(async move { c.credential().await.unwrap().secret_id().to_owned() })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), "AKIDS");
        }
        // One walk asked "none" once; everything else went straight to "static".
        assert_eq!(a.load(Ordering::SeqCst), 1);
        assert_eq!(b.load(Ordering::SeqCst), 100);
        assert_eq!(c.selected(), Some("static"));
        assert_eq!(format!("{c:?}"), r#"ChainProvider { providers: ["none", "static"], selected: Some("static") }"#);

        // Errors of the chosen provider come back named after it.
        let c = ChainProvider::new().with("flaky", Fails(CredentialErrorKind::Unavailable, "STS is down"));
        assert_eq!(
            c.credential().await.unwrap_err().to_string(),
            "credential error: the credential chain stopped at flaky (configured but unusable); tried flaky: STS is down"
        );
        let e = ChainProvider::new().credential().await.unwrap_err();
        assert!(e.is_not_configured() && e.to_string().contains("the chain is empty"), "{e}");
    }
}
