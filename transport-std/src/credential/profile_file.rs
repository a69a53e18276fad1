//! The profile-file provider: core's strict INI reader behind a [`CredentialProvider`].

use std::fmt;

use tencentcloud_core::provider::{Env, Fs, profile_file_section};

use super::from_provider_error;
use crate::error::Error;
use crate::provider::{CredentialFuture, CredentialProvider, Credentials};

/// Credentials from the profile file (see [`tencentcloud_core::provider::profile_file`]):
/// `TENCENTCLOUD_CREDENTIALS_FILE` if set, else `~/.tencentcloud/credentials`, else
/// `/etc/tencentcloud/credentials`; section `[default]`, or the one named by
/// `TENCENTCLOUD_PROFILE`, or the one given to [`ProfileFileProvider::profile`].
///
/// No file is "not configured"; a file that cannot be used (a malformed line, a missing
/// section or key, ...) is an error naming the file and the line. The file is read on
/// every call (a bounded read of a small local file), so an edited file is picked up.
///
/// ```
/// use tencentcloud_transport_std::{Env, Fs, ProfileFileProvider};
///
/// let env = Env::from_slice(&[("HOME", "/home/dev")]);
/// let fs = Fs::from_slice(&[("/home/dev/.tencentcloud/credentials", "[dev]\nsecret_id = AKID1\nsecret_key = k\n")]);
/// let provider = ProfileFileProvider::with_env_fs(env, fs).profile("dev");
/// # drop(provider);
/// ```
#[derive(Clone)]
pub struct ProfileFileProvider {
    env: Env,
    fs: Fs,
    profile: Option<String>,
}

impl ProfileFileProvider {
    /// Reads the process environment and the real file system.
    pub fn new() -> Self {
        Self::with_env_fs(Env::real(), Fs::real())
    }

    /// Reads through `env` and `fs` (e.g. [`Env::from_slice`] and [`Fs::from_slice`] in
    /// tests).
    pub fn with_env_fs(env: Env, fs: Fs) -> Self {
        Self::from_shared(env, fs)
    }

    pub(crate) fn from_shared(env: Env, fs: Fs) -> Self {
        Self { env, fs, profile: None }
    }

    /// Reads this section instead of `TENCENTCLOUD_PROFILE` or `default`.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into()).filter(|n| !n.trim().is_empty());
        self
    }

    fn read(&self) -> Result<Credentials, Error> {
        profile_file_section(&self.env, &self.fs, self.profile.as_deref()).map_err(from_provider_error)
    }
}

impl Default for ProfileFileProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ProfileFileProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileFileProvider").field("profile", &self.profile).finish_non_exhaustive()
    }
}

impl CredentialProvider for ProfileFileProvider {
    fn credential(&self) -> CredentialFuture<'_> {
        let result = self.read();
        Box::pin(async move { result })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{CredentialErrorKind, ErrorKind};

    fn get(p: &ProfileFileProvider) -> Result<Credentials, Error> {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(p.credential())
    }

    #[test]
    fn sections_and_errors() {
        let file =
            "[default]\nsecret_id = AKID1\nsecret_key = k1\n\n[dev]\nsecret_id = AKID2\nsecret_key = k2\ntoken = t2\n";
        let env = Env::from_slice(&[("TENCENTCLOUD_CREDENTIALS_FILE", "/c")]);
        let p = ProfileFileProvider::with_env_fs(env.clone(), Fs::from_slice(&[("/c", file)]));
        assert_eq!(get(&p).unwrap().secret_id(), "AKID1");
        let dev = get(&p.clone().profile("dev")).unwrap();
        assert_eq!((dev.secret_id(), dev.token()), ("AKID2", Some("t2")));

        // TENCENTCLOUD_PROFILE, and the explicit name winning over it.
        let env2 = Env::from_slice(&[("TENCENTCLOUD_CREDENTIALS_FILE", "/c"), ("TENCENTCLOUD_PROFILE", "dev")]);
        let p2 = ProfileFileProvider::with_env_fs(env2, Fs::from_slice(&[("/c", file)]));
        assert_eq!(get(&p2).unwrap().secret_id(), "AKID2");
        assert_eq!(get(&p2.profile("default")).unwrap().secret_id(), "AKID1");

        let e = get(&p.clone().profile("prod")).unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::Credential(CredentialErrorKind::Invalid));
        assert_eq!(e.to_string(), "credential error: /c: no [prod] section");

        let bad = ProfileFileProvider::with_env_fs(env, Fs::from_slice(&[("/c", "[default]\nsecret_id AKID1\n")]));
        assert_eq!(get(&bad).unwrap_err().to_string(), "credential error: /c:2: expected `[section]` or `key = value`");

        let none = ProfileFileProvider::with_env_fs(Env::from_slice(&[("HOME", "/h")]), Fs::from_slice(&[]));
        let e = get(&none).unwrap_err();
        assert!(e.is_not_configured(), "{e}");
        assert!(e.to_string().contains("/h/.tencentcloud/credentials"), "{e}");
        assert!(!format!("{p:?}").contains("k1"));
    }
}
