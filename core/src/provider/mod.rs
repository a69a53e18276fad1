//! Credential sources that need no network (feature `std`): the environment and the
//! profile file. The environment and the file system are reached through the [`Env`]
//! and [`Fs`] traits, so tests use in-memory fakes.
//!
//! ```
//! use tencentcloud_core::provider::{MapEnv, MapFs, profile_file};
//!
//! let env = MapEnv::new(&[("HOME", "/home/dev")]);
//! let fs = MapFs::new(&[("/home/dev/.tencentcloud/credentials", "[default]\nsecret_id = AKIDEXAMPLE\nsecret_key = s3cret\n")]);
//! let cred = profile_file(&env, &fs)?;
//! assert_eq!(cred.secret_id(), "AKIDEXAMPLE");
//! assert!(!format!("{cred:?}").contains("s3cret"));
//! # Ok::<(), tencentcloud_core::provider::ProviderError>(())
//! ```

mod env;
mod profile;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::credential::{Credential, InvalidCredential};

pub use env::environment;
pub use profile::{MAX_FILE_LEN, MAX_LINE_LEN, ProfileError, parse_profile, profile_file};

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

/// Reads environment variables.
pub trait Env {
    /// The variable's value, if set and valid UTF-8.
    fn var(&self, key: &str) -> Option<String>;
}

/// The process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, key: &str) -> Option<String> {
        std::env::var(key).ok()
    }
}

/// An in-memory environment, for tests.
#[derive(Debug, Clone, Default)]
pub struct MapEnv(BTreeMap<String, String>);

impl MapEnv {
    /// An environment holding exactly these variables.
    pub fn new(vars: &[(&str, &str)]) -> Self {
        Self(vars.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect())
    }
}

impl Env for MapEnv {
    fn var(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
}

/// Reads files.
pub trait Fs {
    /// The file's bytes; `ErrorKind::NotFound` when it does not exist.
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>>;
}

/// The real file system. Reads at most [`MAX_FILE_LEN`]` + 1` bytes of a file, so a
/// huge (or endless) file is refused as too large instead of being read whole.
#[derive(Debug, Clone, Copy, Default)]
pub struct RealFs;

impl Fs for RealFs {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        use std::io::Read;
        let mut out = Vec::new();
        std::fs::File::open(path)?.take(MAX_FILE_LEN as u64 + 1).read_to_end(&mut out)?;
        Ok(out)
    }
}

/// An in-memory file system, for tests.
#[derive(Debug, Clone, Default)]
pub struct MapFs(BTreeMap<PathBuf, Vec<u8>>);

impl MapFs {
    /// A file system holding exactly these files.
    pub fn new(files: &[(&str, &str)]) -> Self {
        Self(files.iter().map(|(p, c)| (PathBuf::from(p), c.as_bytes().to_vec())).collect())
    }

    /// Adds or replaces a file with raw bytes.
    pub fn insert(&mut self, path: &str, bytes: &[u8]) {
        self.0.insert(PathBuf::from(path), bytes.to_vec());
    }
}

impl Fs for MapFs {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        self.0.get(path).cloned().ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    }
}

/// An owned credential: the key and token are wiped from memory on drop and never
/// shown by `Debug`.
#[derive(Clone)]
pub struct OwnedCredential {
    secret_id: String,
    secret_key: Zeroizing<String>,
    token: Option<Zeroizing<String>>,
}

impl OwnedCredential {
    /// Validates like [`Credential::new`]; an empty token means none.
    pub fn new(secret_id: &str, secret_key: &str, token: Option<&str>) -> Result<Self, InvalidCredential> {
        let c = Credential::new(secret_id, secret_key)?.with_token(token.unwrap_or(""))?;
        Ok(Self {
            secret_id: c.secret_id().into(),
            secret_key: Zeroizing::new(c.secret_key().into()),
            token: c.token().map(|t| Zeroizing::new(t.into())),
        })
    }

    /// The secret id.
    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    /// The secret key (never log it).
    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }

    /// The session token, if any.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref().map(String::as_str)
    }

    /// A borrowed [`Credential`] for signing.
    pub fn credential(&self) -> Credential<'_> {
        // Validated in `new`.
        Credential::validated(&self.secret_id, &self.secret_key, self.token())
    }
}

impl fmt::Debug for OwnedCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedCredential")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"<redacted>")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
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
