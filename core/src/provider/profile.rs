//! The profile file: a strict, bounded INI reader.
//!
//! ```text
//! [default]
//! secret_id = AKID...
//! secret_key = ...
//! token = ...        ; optional
//! ```

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use std::path::PathBuf;

use super::{Credentials, ENV_CREDENTIALS_FILE, ENV_PROFILE, Env, Fs, ProviderError};

/// The largest profile file read.
pub const MAX_FILE_LEN: usize = 64 * 1024;
/// The longest line accepted.
pub const MAX_LINE_LEN: usize = 4096;

/// What is wrong with a profile file: the file, the line (1-based) when there is one,
/// and the problem. Never holds a secret value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileError {
    /// The file's path as given.
    pub file: String,
    /// The 1-based line, if the problem is on one line.
    pub line: Option<usize>,
    /// What is wrong.
    pub problem: String,
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.problem),
            None => write!(f, "{}: {}", self.file, self.problem),
        }
    }
}

impl std::error::Error for ProfileError {}

struct Section<'t> {
    name: &'t str,
    entries: Vec<(&'t str, &'t str, usize)>,
}

/// Parses a whole profile file strictly (every line must be a section header, a
/// `key = value` pair, a comment or blank) and returns the credential of `section`.
///
/// ```
/// use tencentcloud_core::provider::parse_profile;
///
/// let text = b"\xEF\xBB\xBF[default]\r\nsecret_id = AKID1\r\nsecret_key = k\r\n";
/// assert_eq!(parse_profile(text, "credentials", "default")?.secret_id(), "AKID1");
/// let err = parse_profile(b"[default]\nsecret_id AKID1\n", "credentials", "default").unwrap_err();
/// assert_eq!(err.to_string(), "credentials:2: expected `[section]` or `key = value`");
/// # Ok::<(), tencentcloud_core::provider::ProfileError>(())
/// ```
pub fn parse_profile(bytes: &[u8], file: &str, section: &str) -> Result<Credentials, ProfileError> {
    let err = |line: Option<usize>, problem: String| ProfileError { file: file.into(), line, problem };
    if bytes.len() > MAX_FILE_LEN {
        return Err(err(None, format!("larger than {MAX_FILE_LEN} bytes")));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = core::str::from_utf8(bytes).map_err(|e| {
        let line = bytes.get(..e.valid_up_to()).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count()) + 1;
        err(Some(line), "not valid UTF-8".into())
    })?;

    let mut sections: Vec<Section<'_>> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let n = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.len() > MAX_LINE_LEN {
            return Err(err(Some(n), format!("line longer than {MAX_LINE_LEN} bytes")));
        }
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        if let Some(rest) = t.strip_prefix('[') {
            let name = rest.strip_suffix(']').map(str::trim).filter(|s| !s.is_empty() && !s.contains(['[', ']']));
            let Some(name) = name else {
                return Err(err(Some(n), "malformed section header, expected `[name]`".into()));
            };
            if sections.iter().any(|s| s.name == name) {
                return Err(err(Some(n), format!("section [{name}] appears twice")));
            }
            sections.push(Section { name, entries: Vec::new() });
            continue;
        }
        let Some((key, value)) = t.split_once('=') else {
            return Err(err(Some(n), "expected `[section]` or `key = value`".into()));
        };
        let key = key.trim();
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b)) {
            return Err(err(Some(n), "malformed key".into()));
        }
        let Some(current) = sections.last_mut() else {
            return Err(err(Some(n), format!("`{key}` is outside any section")));
        };
        if current.entries.iter().any(|(k, _, _)| *k == key) {
            return Err(err(Some(n), format!("`{key}` appears twice in [{}]", current.name)));
        }
        current.entries.push((key, value.trim(), n));
    }

    let Some(found) = sections.iter().find(|s| s.name == section) else {
        return Err(err(None, format!("no [{section}] section")));
    };
    let get = |key: &str| found.entries.iter().find(|(k, _, _)| *k == key).map(|(_, v, n)| (*v, *n));
    let required = |key: &str| match get(key) {
        None => Err(err(None, format!("[{section}] has no `{key}`"))),
        Some(("", n)) => Err(err(Some(n), format!("`{key}` is empty"))),
        Some((v, _)) => Ok(v),
    };
    let (id, key) = (required("secret_id")?, required("secret_key")?);
    let token = get("token").map(|(v, _)| v).filter(|v| !v.is_empty());
    Credentials::checked(id, key, token).map_err(|e| err(None, format!("[{section}]: {e}")))
}

/// The profile file provider: `TENCENTCLOUD_CREDENTIALS_FILE` if set (then it must
/// exist), else the first of `~/.tencentcloud/credentials` and
/// `/etc/tencentcloud/credentials` that exists; section `TENCENTCLOUD_PROFILE` or
/// `default`. No file is "not configured"; a file that cannot be used is an error
/// naming the file and line.
pub fn profile_file(env: &Env, fs: &Fs) -> Result<Credentials, ProviderError> {
    profile_file_section(env, fs, None)
}

/// [`profile_file`] reading `section` if given (instead of `TENCENTCLOUD_PROFILE` or
/// `default`).
pub fn profile_file_section(env: &Env, fs: &Fs, section: Option<&str>) -> Result<Credentials, ProviderError> {
    let section = section
        .map(String::from)
        .or_else(|| env.get(ENV_PROFILE))
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "default".into());
    let explicit = env.get(ENV_CREDENTIALS_FILE).filter(|p| !p.is_empty());
    let candidates: Vec<PathBuf> = match &explicit {
        Some(path) => Vec::from([PathBuf::from(path)]),
        None => {
            let mut c = Vec::new();
            if let Some(home) = env.get("HOME").filter(|h| !h.is_empty()) {
                c.push(PathBuf::from(home).join(".tencentcloud").join("credentials"));
            }
            c.push(PathBuf::from("/etc/tencentcloud/credentials"));
            c
        }
    };
    for path in &candidates {
        let shown = path.display().to_string();
        match fs.read(path) {
            Ok(bytes) => {
                // The file holds the key: wipe the buffer once parsed.
                let bytes = zeroize::Zeroizing::new(bytes);
                return parse_profile(&bytes, &shown, section.trim())
                    .map_err(|e| ProviderError::Invalid(e.to_string()));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if explicit.is_some() {
                    return Err(ProviderError::Invalid(format!("{ENV_CREDENTIALS_FILE}: {shown} does not exist")));
                }
            }
            Err(e) => return Err(ProviderError::Invalid(format!("{shown}: cannot read: {}", e.kind()))),
        }
    }
    Err(ProviderError::NotConfigured(format!(
        "no profile file ({})",
        candidates.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )))
}
