//! [`ClientBuilder`]: credential, region, profile and HTTP stack of a [`Client`].

use std::sync::Arc;

use crate::client::Client;
use crate::credential::ChainProvider;
use crate::engine::Engine;
use crate::error::Error;
use crate::http::HttpSend;
use crate::profile::ClientProfile;
use crate::provider::CredentialProvider;

/// Builds a [`Client`].
#[must_use]
#[derive(Default)]
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
        let credential = self.credential.unwrap_or_else(|| Arc::new(ChainProvider::default_chain()));
        let engine = Engine::new(Some(credential), self.region, self.profile, self.http)?;
        Ok(Client::from_engine(engine))
    }
}
