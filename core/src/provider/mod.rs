//! Owned [`Credentials`] and the credential sources that need no network (feature
//! `std`): the environment and the profile file. They read the environment and the file
//! system through the [`Env`] and [`Fs`] values, real or in-memory fakes.
//!
//! ```
//! use tencentcloud_core::provider::{Env, Fs, profile_file};
//!
//! let env = Env::from_slice(&[("HOME", "/home/dev")]);
//! let fs = Fs::from_slice(&[("/home/dev/.tencentcloud/credentials", "[default]\nsecret_id = AKIDEXAMPLE\nsecret_key = s3cret\n")]);
//! let cred = profile_file(&env, &fs)?;
//! assert_eq!(cred.secret_id(), "AKIDEXAMPLE");
//! assert!(!format!("{cred:?}").contains("s3cret"));
//! # Ok::<(), tencentcloud_core::provider::ProviderError>(())
//! ```

mod env;
mod profile;

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use zeroize::Zeroizing;

use crate::credential::{Credential, InvalidCredential};

pub use env::environment;
pub use profile::{MAX_FILE_LEN, MAX_LINE_LEN, ProfileError, parse_profile, profile_file, profile_file_section};

/// `TENCENTCLOUD_SECRET_ID`
pub const ENV_SECRET_ID: &str = "TENCENTCLOUD_SECRET_ID";
/// `TENCENTCLOUD_SECRET_KEY`
pub const ENV_SECRET_KEY: &str = "TENCENTCLOUD_SECRET_KEY";
/// `TENCENTCLOUD_SESSION_TOKEN`
pub const ENV_SESSION_TOKEN: &str = "TENCENTCLOUD_SESSION_TOKEN";
/// `TENCENTCLOUD_CREDENTIALS_FILE`: the profile file to read instead of the defaults.
pub const ENV_CREDENTIALS_FILE: &str = "TENCENTCLOUD_CREDENTIALS_FILE";
/// `TENCENTCLOUD_PROFILE`: the section to read instead of `default`.
pub const ENV_PROFILE: &str = "TENCENTCLOUD_PROFILE";

/// The environment the providers read: the process's ([`Env::real`]) or a fixed set of
/// variables ([`Env::from_slice`], for tests). Cheap to clone.
///
/// ```
/// use tencentcloud_core::provider::Env;
///
/// let env = Env::from_slice(&[("HOME", "/home/dev")]);
/// assert_eq!(env.get("HOME").as_deref(), Some("/home/dev"));
/// assert_eq!(env.get("PATH"), None);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Env(EnvSource);

#[derive(Clone, Debug, Default)]
enum EnvSource {
    #[default]
    Real,
    Fake(Arc<BTreeMap<String, String>>),
}

impl Env {
    /// The process environment.
    pub fn real() -> Self {
        Self(EnvSource::Real)
    }

    /// Exactly these variables (a later duplicate wins).
    pub fn from_slice(vars: &[(&str, &str)]) -> Self {
        Self(EnvSource::Fake(Arc::new(vars.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect())))
    }

    /// The variable's value, if set and valid UTF-8.
    pub fn get(&self, key: &str) -> Option<String> {
        match &self.0 {
            EnvSource::Real => std::env::var(key).ok(),
            EnvSource::Fake(vars) => vars.get(key).cloned(),
        }
    }
}

/// The file system the providers read: the real one ([`Fs::real`]) or a fixed set of
/// files ([`Fs::from_slice`], for tests). Cheap to clone.
///
/// The real one reads at most [`MAX_FILE_LEN`]` + 1` bytes of a file, so a huge (or
/// endless) file is refused as too large instead of being read whole.
///
/// ```
/// use tencentcloud_core::provider::Fs;
///
/// let fs = Fs::from_slice(&[("/etc/hosts", "127.0.0.1 localhost\n")]);
/// assert_eq!(fs.read("/etc/hosts".as_ref())?, b"127.0.0.1 localhost\n");
/// assert_eq!(fs.read("/etc/passwd".as_ref()).unwrap_err().kind(), std::io::ErrorKind::NotFound);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Fs(FsSource);

#[derive(Clone, Debug, Default)]
enum FsSource {
    #[default]
    Real,
    Fake(Arc<BTreeMap<PathBuf, Vec<u8>>>),
}

impl Fs {
    /// The real file system.
    pub fn real() -> Self {
        Self(FsSource::Real)
    }

    /// Exactly these text files.
    pub fn from_slice(files: &[(&str, &str)]) -> Self {
        Self::from_bytes(&files.iter().map(|(p, c)| (*p, c.as_bytes())).collect::<Vec<_>>())
    }

    /// Exactly these files, with any bytes.
    pub fn from_bytes(files: &[(&str, &[u8])]) -> Self {
        Self(FsSource::Fake(Arc::new(files.iter().map(|(p, c)| (PathBuf::from(p), c.to_vec())).collect())))
    }

    /// The file's bytes; `ErrorKind::NotFound` when it does not exist.
    pub fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        match &self.0 {
            FsSource::Real => {
                use std::io::Read;
                let mut out = Vec::new();
                std::fs::File::open(path)?.take(MAX_FILE_LEN as u64 + 1).read_to_end(&mut out)?;
                Ok(out)
            }
            FsSource::Fake(files) => {
                files.get(path).cloned().ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
            }
        }
    }
}

/// Owned credentials: a secret id, secret key, optional session token and optional
/// expiry. The key and the token are wiped from memory on drop and never shown by
/// `Debug`.
///
/// [`Credentials::new`] takes any strings (they are checked when a request is signed,
/// through [`Credentials::credential`]); [`Credentials::checked`] checks at once.
///
/// ```
/// use tencentcloud_core::provider::Credentials;
///
/// let c = Credentials::new("AKIDEXAMPLE", "secret-key").with_token("tok");
/// assert_eq!(c.secret_id(), "AKIDEXAMPLE");
/// assert_eq!(c.credential()?.token(), Some("tok"));
/// let shown = format!("{c:?}");
/// assert!(!shown.contains("secret-key") && !shown.contains("tok\""));
/// # Ok::<(), tencentcloud_core::InvalidCredential>(())
/// ```
#[derive(Clone)]
pub struct Credentials {
    secret_id: String,
    secret_key: Zeroizing<String>,
    token: Option<Zeroizing<String>>,
    expires_at: Option<SystemTime>,
}

impl Credentials {
    /// Permanent credentials (no token, no expiry), not yet checked.
    pub fn new(secret_id: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Self {
            secret_id: secret_id.into(),
            secret_key: Zeroizing::new(secret_key.into()),
            token: None,
            expires_at: None,
        }
    }

    /// Checked like [`Credential::new`]; an empty token means none.
    pub fn checked(secret_id: &str, secret_key: &str, token: Option<&str>) -> Result<Self, InvalidCredential> {
        let c = Credential::new(secret_id, secret_key)?.with_token(token.unwrap_or(""))?;
        Ok(Self::new(c.secret_id(), c.secret_key()).with_token(c.token().unwrap_or("")))
    }

    /// Adds a session token (temporary credentials); an empty token means none.
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        let token = Zeroizing::new(token.into());
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
        self.token.as_deref().map(String::as_str)
    }

    /// When the credentials expire, if they do.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// Whether the credentials expire within `margin` of `now` (never, without an expiry).
    /// A margin reaching past the last time `SystemTime` holds covers every expiry.
    pub fn expires_within(&self, now: SystemTime, margin: Duration) -> bool {
        self.expires_at.is_some_and(|at| now.checked_add(margin).is_none_or(|limit| at <= limit))
    }

    /// The checked borrowed [`Credential`] the signer takes.
    pub fn credential(&self) -> Result<Credential<'_>, InvalidCredential> {
        Credential::new(&self.secret_id, &self.secret_key)?.with_token(self.token().unwrap_or(""))
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

/// Why a provider gave no credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderError {
    /// The source is not set up at all (a chain moves on to the next provider).
    NotConfigured(String),
    /// The source is set up but unusable (a chain stops here).
    Invalid(String),
}

impl ProviderError {
    /// Whether a chain may move on to the next provider.
    pub fn is_not_configured(&self) -> bool {
        matches!(self, Self::NotConfigured(_))
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotConfigured(why) => write!(f, "not configured: {why}"),
            Self::Invalid(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for ProviderError {}
