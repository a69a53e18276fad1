//! What credentials are and where they come from, below both the client and the
//! providers: the owned [`Credentials`] and the [`CredentialProvider`] trait. The engine
//! asks a provider before each attempt; the providers in [`crate::credential`] implement
//! it (some call STS through the engine). Nothing here knows either of them.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use zeroize::Zeroize;

use crate::error::{CredentialErrorKind, Error};

/// A secret id, secret key, optional session token and optional expiry, owned.
///
/// The secret key and the token are wiped from memory when the value is dropped, and
/// `Debug` never shows them.
///
/// ```
/// use tencentcloud_transport_std::Credentials;
///
/// let c = Credentials::new("AKIDEXAMPLE", "secret-key").with_token("tok");
/// assert_eq!(c.secret_id(), "AKIDEXAMPLE");
/// let shown = format!("{c:?}");
/// assert!(!shown.contains("secret-key") && !shown.contains("tok\""));
/// ```
#[derive(Clone)]
pub struct Credentials {
    secret_id: String,
    secret_key: String,
    token: Option<String>,
    expires_at: Option<SystemTime>,
}

impl Credentials {
    /// Permanent credentials (no token, no expiry).
    pub fn new(secret_id: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Self { secret_id: secret_id.into(), secret_key: secret_key.into(), token: None, expires_at: None }
    }

    /// Adds a session token (temporary credentials); an empty token means none.
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        let token: String = token.into();
        if let Some(mut old) = self.token.take() {
            old.zeroize();
        }
        self.token = (!token.is_empty()).then_some(token);
        self
    }

    /// Sets when the credentials stop working.
    pub fn with_expiry(mut self, expires_at: SystemTime) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// The secret id (sent in the clear in `Authorization`).
    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    /// The secret key. Never log it.
    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }

    /// The session token, if any. Never log it.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// When the credentials expire, if they do.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// Whether the credentials expire within `margin` of `now` (never, without an expiry).
    pub fn expires_within(&self, now: SystemTime, margin: Duration) -> bool {
        self.expires_at.is_some_and(|at| at <= now + margin)
    }

    /// The validated borrowed form the core signer takes.
    pub(crate) fn as_core(&self) -> Result<tencentcloud_core::Credential<'_>, Error> {
        let c = tencentcloud_core::Credential::new(&self.secret_id, &self.secret_key)
            .and_then(|c| c.with_token(self.token.as_deref().unwrap_or("")))
            .map_err(|e| Error::credential(CredentialErrorKind::Invalid, e.to_string()))?;
        Ok(c)
    }
}

impl Drop for Credentials {
    fn drop(&mut self) {
        self.secret_key.zeroize();
        if let Some(t) = self.token.as_mut() {
            t.zeroize();
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"<redacted>")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// The future a [`CredentialProvider`] returns.
pub type CredentialFuture<'a> = Pin<Box<dyn Future<Output = Result<Credentials, Error>> + Send + 'a>>;

/// A source of credentials, asked before every attempt (so a provider that refreshes
/// temporary credentials is honoured across retries).
///
/// The method returns a boxed future so `Arc<dyn CredentialProvider>` works. A source
/// that holds nothing returns a [`CredentialErrorKind::NotConfigured`] error, so a chain
/// can tell "not configured, try the next" from "configured but failed".
///
/// ```
/// use tencentcloud_transport_std::{CredentialFuture, CredentialProvider, Credentials};
///
/// struct Fixed;
/// impl CredentialProvider for Fixed {
///     fn credential(&self) -> CredentialFuture<'_> {
///         Box::pin(async { Ok(Credentials::new("AKIDEXAMPLE", "secret")) })
///     }
/// }
/// let p: std::sync::Arc<dyn CredentialProvider> = std::sync::Arc::new(Fixed);
/// # drop(p);
/// ```
pub trait CredentialProvider: Send + Sync {
    /// The current credentials.
    fn credential(&self) -> CredentialFuture<'_>;
}

impl<T: CredentialProvider + ?Sized> CredentialProvider for Arc<T> {
    fn credential(&self) -> CredentialFuture<'_> {
        (**self).credential()
    }
}

impl<T: CredentialProvider + ?Sized> CredentialProvider for Box<T> {
    fn credential(&self) -> CredentialFuture<'_> {
        (**self).credential()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_expiry() {
        let now = SystemTime::now();
        let c = Credentials::new("AKID", "very-secret").with_token("session-token").with_expiry(now);
        let d = format!("{c:?}");
        assert!(!d.contains("very-secret") && !d.contains("session-token"), "{d}");
        assert!(c.expires_within(now, Duration::ZERO));
        assert!(!Credentials::new("a", "b").expires_within(now, Duration::from_secs(3600)));
        assert_eq!(Credentials::new("a", "b").with_token("").token(), None);
    }
}
