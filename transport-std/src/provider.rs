//! What credentials are and where they come from, below both the client and the
//! providers: the owned [`Credentials`] and the [`CredentialProvider`] trait. The engine
//! asks a provider before each attempt; the providers in [`crate::credential`] implement
//! it (some call STS through the engine). Nothing here knows either of them.

use crate::error::{CredentialErrorKind, Error};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Owned credentials (core's type): redacted `Debug`, key and token wiped on drop.
pub use tencentcloud_core::provider::Credentials;

/// The checked borrowed form the signer takes; a malformed credential is a
/// [`CredentialErrorKind::Invalid`] error (its message never shows a value).
pub(crate) fn signing_credential(c: &Credentials) -> Result<tencentcloud_core::Credential<'_>, Error> {
    c.credential().map_err(|e| Error::credential(CredentialErrorKind::Invalid, e.to_string()))
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

    /// The current credentials when they are at hand (no I/O, no refresh due), shared
    /// rather than copied; the client then skips [`CredentialProvider::credential`].
    /// `None` (the default) means "ask `credential`".
    fn credential_now(&self) -> Option<Arc<Credentials>> {
        None
    }

    /// The client learned that the API's clock is `offset_secs` ahead of the system
    /// clock (behind when negative), from a `Date` core's policy adopted. A provider
    /// whose credentials expire at the server's times (STS, the instance role) judges
    /// their expiry on the system clock corrected by it. Default: ignored.
    fn observe_clock_offset(&self, offset_secs: i64) {
        let _ = offset_secs;
    }

    /// The API refused `rejected`, a credential that expires, as expired or unknown
    /// (`AuthFailure.TokenFailure`, `AuthFailure.SecretIdNotFound`). Returns whether
    /// asking again may give another credential (a cache drops it, so the next
    /// [`CredentialProvider::credential`] refreshes); the client then retries the call
    /// once. Default: `false` (nothing to refresh).
    fn credential_rejected(&self, rejected: &Credentials) -> bool {
        let _ = rejected;
        false
    }
}

impl<T: CredentialProvider + ?Sized> CredentialProvider for Arc<T> {
    fn credential(&self) -> CredentialFuture<'_> {
        (**self).credential()
    }

    fn credential_now(&self) -> Option<Arc<Credentials>> {
        (**self).credential_now()
    }

    fn observe_clock_offset(&self, offset_secs: i64) {
        (**self).observe_clock_offset(offset_secs);
    }

    fn credential_rejected(&self, rejected: &Credentials) -> bool {
        (**self).credential_rejected(rejected)
    }
}

impl<T: CredentialProvider + ?Sized> CredentialProvider for Box<T> {
    fn credential(&self) -> CredentialFuture<'_> {
        (**self).credential()
    }

    fn credential_now(&self) -> Option<Arc<Credentials>> {
        (**self).credential_now()
    }

    fn observe_clock_offset(&self, offset_secs: i64) {
        (**self).observe_clock_offset(offset_secs);
    }

    fn credential_rejected(&self, rejected: &Credentials) -> bool {
        (**self).credential_rejected(rejected)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

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
