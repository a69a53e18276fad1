//! tccli's configuration, read and written as tccli keeps it: `~/.tccli/<profile>.configure`
//! (settings: `_sys_param` holds `region`, `output`, `language`, `arrayCount`, `warning`,
//! `request-client`; one section per service holds its `version` and `endpoint`; `waiter`
//! holds the waiter's `timeout` and `interval`) and `~/.tccli/<profile>.credential` (`secretId`,
//! `secretKey`, `token`, `role-arn`, `role-session-name`, `type`), both JSON.
//!
//! The profile is `--profile`, else `TCCLI_PROFILE`, else `default` (`tccli/configure.py`,
//! `_get_profile_name`). Files are written 0600 in a 0700 directory, atomically (a temporary
//! file renamed over the old one), as tccli's `Utils.dump_json_msg` does (which leaves the mode
//! to the umask; `tcloud` never does).

// The credentials, `tcloud configure` and the waiter read the rest (next commits).
#![allow(dead_code)]

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::tccli;

/// `_sys_param`: the key of the general settings in a `.configure` file.
pub const SYS_PARAM: &str = "_sys_param";

/// The general settings (`_sys_param` keys) `tccli configure set` takes.
pub const SETTINGS: [&str; 6] = ["region", "output", "arrayCount", "warning", "language", "request-client"];

/// The credential keys `tccli configure set` takes (stored in `.credential`).
pub const CREDENTIAL_KEYS: [&str; 6] =
    ["secretId", "secretKey", "token", "role-arn", "role-session-name", "use-cvm-role"];

/// The credential keys that are secrets (masked when shown).
pub const SECRET_KEYS: [&str; 3] = ["secretId", "secretKey", "token"];

/// Where tccli keeps its files: `$HOME/.tccli` (`%USERPROFILE%` on Windows when `HOME` is unset).
pub fn dir() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty()).or_else(|| std::env::var_os("USERPROFILE"))?;
    Some(PathBuf::from(home).join(".tccli"))
}

/// The profile's name: `--profile`, else `TCCLI_PROFILE`, else `default`.
pub fn profile_name(flag: Option<&str>) -> String {
    match flag {
        Some(p) => p.to_owned(),
        None => std::env::var("TCCLI_PROFILE").ok().filter(|p| !p.is_empty()).unwrap_or_else(|| "default".to_owned()),
    }
}

/// One profile's two files, as read (absent files read as empty).
#[derive(Debug, Default, Clone)]
pub struct Profile {
    /// The profile's name.
    pub name: String,
    /// Whether it was named by `--profile` (tccli then ignores the environment's credentials
    /// and region).
    pub explicit: bool,
    /// `<name>.configure`.
    pub configure: Map<String, Value>,
    /// `<name>.credential`.
    pub credential: Map<String, Value>,
    /// Whether either file exists.
    pub exists: bool,
}

fn read_json(path: &Path) -> Result<Option<Map<String, Value>>, String> {
    const MAX: u64 = 4 * 1024 * 1024;
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    if meta.len() > MAX {
        return Err(format!("{}: larger than {MAX} bytes", path.display()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => Ok(Some(map)),
        Ok(_) => Err(format!("file: {} is not json format (not an object)", path.display())),
        Err(e) => Err(format!("file: {} is not json format: {e}", path.display())),
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Profile {
    /// Reads the profile `--profile` (or `TCCLI_PROFILE`, or `default`) names.
    pub fn load(flag: Option<&str>) -> Result<Profile, String> {
        let name = profile_name(flag);
        let Some(dir) = dir() else {
            return Ok(Profile { name, explicit: flag.is_some(), ..Profile::default() });
        };
        Profile::load_from(&dir, &name, flag.is_some())
    }

    /// Reads `<dir>/<name>.configure` and `.credential`.
    pub fn load_from(dir: &Path, name: &str, explicit: bool) -> Result<Profile, String> {
        if name.is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
            return Err(format!("profile {name:?}: not a profile name"));
        }
        let configure = read_json(&dir.join(format!("{name}.configure")))?;
        let credential = read_json(&dir.join(format!("{name}.credential")))?;
        Ok(Profile {
            name: name.to_owned(),
            explicit,
            exists: configure.is_some() || credential.is_some(),
            configure: configure.unwrap_or_default(),
            credential: credential.unwrap_or_default(),
        })
    }

    /// A general setting (`_sys_param.<key>`): `region`, `output`, `language`, ...
    pub fn setting(&self, key: &str) -> Option<String> {
        // tccli before 3.0.30 kept them at the top level; its `configure` moves them.
        let sys = self.configure.get(SYS_PARAM).and_then(Value::as_object);
        sys.and_then(|s| s.get(key)).or_else(|| self.configure.get(key).filter(|v| !v.is_object())).and_then(text)
    }

    /// A service's setting (`<service>.version`, `<service>.endpoint`); `service` is the
    /// schema's name (`as` is kept under `autoscaling`).
    pub fn service_setting(&self, service: &str, key: &str) -> Option<String> {
        let section = self.configure.get(tccli::tccli_service_name(service)).and_then(Value::as_object)?;
        section.get(key).and_then(text)
    }

    /// A credential (`secretId`, `secretKey`, `token`, `role-arn`, `role-session-name`, `type`).
    pub fn credential(&self, key: &str) -> Option<String> {
        self.credential.get(key).and_then(text)
    }

    /// A waiter default (`waiter.timeout`, `waiter.interval`), in seconds.
    pub fn waiter_default(&self, key: &str) -> Option<f64> {
        self.configure.get("waiter").and_then(|w| w.get(key)).and_then(|v| match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        })
    }
}

/// Writes `value` as `path`'s JSON (2-space indent, sorted keys, as tccli writes it): mode 0600
/// in a directory made 0700, through a temporary file renamed over the old one.
pub fn write_json(path: &Path, value: &Map<String, Value>) -> Result<(), String> {
    let dir = path.parent().ok_or_else(|| format!("{}: no directory", path.display()))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir).map_err(|e| format!("{}: {e}", dir.display()))?.permissions().mode();
        if mode & 0o777 != 0o700 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| format!("{}: {e}", dir.display()))?;
        }
    }
    // Sorted keys at every level (serde_json's map keeps insertion order here).
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                Value::Object(keys.into_iter().map(|k| (k.clone(), sorted(&m[k]))).collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    let text = serde_json::to_string_pretty(&sorted(&Value::Object(value.clone())))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("tccli");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let result = options
        .open(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("cannot write {}: {e}", path.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn temp_dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("tcloud-config-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn reads_tccli_files() {
        let dir = temp_dir("read");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("dev.configure"),
            r#"{"_sys_param":{"region":"ap-shanghai","output":"table","arrayCount":10},"autoscaling":{"version":"2018-04-19","endpoint":"as.tencentcloudapi.com"},"waiter":{"timeout":30}}"#,
        )
        .unwrap();
        std::fs::write(dir.join("dev.credential"), r#"{"secretId":"AKID1","secretKey":"k"}"#).unwrap();
        let p = Profile::load_from(&dir, "dev", true).unwrap();
        assert!(p.exists);
        assert_eq!(p.setting("region").as_deref(), Some("ap-shanghai"));
        assert_eq!(p.setting("arrayCount").as_deref(), Some("10"));
        assert_eq!(p.service_setting("as", "version").as_deref(), Some("2018-04-19"));
        assert_eq!(p.credential("secretId").as_deref(), Some("AKID1"));
        assert_eq!(p.waiter_default("timeout"), Some(30.0));
        assert!(!Profile::load_from(&dir, "none", false).unwrap().exists);
        assert!(Profile::load_from(&dir, "../x", false).is_err());
        std::fs::write(dir.join("bad.configure"), "{").unwrap();
        assert!(Profile::load_from(&dir, "bad", false).unwrap_err().contains("not json format"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn writes_0600_in_a_0700_directory() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = temp_dir("write");
        let path = dir.join("default.credential");
        let Value::Object(m) = json!({"secretKey": "k", "secretId": "id"}) else { unreachable!() };
        write_json(&path, &m).unwrap();
        write_json(&path, &m).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.find("secretId") < text.find("secretKey"), "sorted: {text}");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temporary file left");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
