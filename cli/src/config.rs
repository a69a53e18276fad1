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
        let cred_path = dir.join(format!("{name}.credential"));
        let credential = read_json(&cred_path)?;
        #[cfg(unix)]
        if credential.as_ref().is_some_and(|c| SECRET_KEYS.iter().any(|k| c.contains_key(*k))) {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&cred_path).map(|m| m.permissions().mode() & 0o777).unwrap_or(0o600);
            static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
            if mode & 0o077 != 0 && !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
                eprintln!(
                    "tcloud: warning: {} holds secrets and others can read it (mode {mode:o}): `chmod 600` it",
                    cred_path.display()
                );
            }
        }
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

/// tccli's first settings of a new `.configure` (`ConfigureCommand.init_configures`).
const INITIAL_SETTINGS: [(&str, &str); 4] =
    [("region", "ap-guangzhou"), ("output", "json"), ("arrayCount", "10"), ("warning", "off")];

/// The `.configure` sections tccli keeps for every service: its endpoint and default version
/// (`_init_configure`); missing ones are added, as tccli adds them.
fn fill_services(conf: &mut Map<String, Value>) {
    for entry in tencentcloud_schema::services() {
        let name = tccli::tccli_service_name(entry.name());
        if conf.get(name).is_some_and(Value::is_object) {
            continue;
        }
        let version = tccli::default_version(entry.name(), entry.versions()).unwrap_or_default();
        let mut section = Map::new();
        section.insert("endpoint".into(), Value::String(format!("{}.tencentcloudapi.com", entry.name())));
        section.insert("version".into(), Value::String(version.to_owned()));
        conf.insert(name.to_owned(), Value::Object(section));
    }
}

/// The usage of `tcloud configure`.
pub const CONFIGURE_USAGE: &str =
    "tcloud configure [--profile NAME]                 (asks for secretId, secretKey, region, output)
tcloud configure set KEY VALUE [KEY VALUE ...] [--profile NAME]
tcloud configure get KEY [KEY ...] [--profile NAME]
tcloud configure list [--profile NAME]
tcloud configure remove [--profile NAME]
tcloud configure set-root-domain DOMAIN [--profile NAME]

KEY: secretId, secretKey, token, role-arn, role-session-name, use-cvm-role (in ~/.tccli/NAME.credential);
     region, output, arrayCount, warning, language, request-client, <service>.version, <service>.endpoint,
     waiter.timeout, waiter.interval (in ~/.tccli/NAME.configure). The files are tccli's: one
     configuration serves tccli and tcloud. Written 0600.";

/// `tcloud configure ...`: tccli's `configure` command, on the same files.
pub fn configure(args: &[String]) -> Result<(), String> {
    let mut profile_flag = None;
    let mut words = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--profile" => profile_flag = Some(it.next().ok_or("--profile needs a name")?.clone()),
            p if p.starts_with("--profile=") => profile_flag = Some(p["--profile=".len()..].to_owned()),
            "help" | "--help" | "-h" => {
                crate::exec::print(&format!("{CONFIGURE_USAGE}\n"));
                return Ok(());
            }
            _ => words.push(a.clone()),
        }
    }
    let dir = dir().ok_or("no home directory (HOME is not set)")?;
    let name = profile_name(profile_flag.as_deref());
    let profile = Profile::load_from(&dir, &name, profile_flag.is_some())?;
    let conf_path = dir.join(format!("{name}.configure"));
    let cred_path = dir.join(format!("{name}.credential"));
    match words.split_first() {
        None => interactive(&profile, &conf_path, &cred_path),
        Some((cmd, rest)) => match cmd.as_str() {
            "set" => set(&profile, rest, &conf_path, &cred_path),
            "get" => get(&profile, rest),
            "list" if rest.is_empty() => {
                crate::exec::print(&list(&profile));
                Ok(())
            }
            "remove" if rest.is_empty() => remove(&conf_path, &cred_path),
            "set-root-domain" => match rest {
                [domain] => set_root_domain(&profile, domain, &conf_path),
                _ => {
                    Err("Unexpected format; expected: tcloud configure set-root-domain internal.tencentcloudapi.com"
                        .into())
                }
            },
            _ => Err(format!("Unknown options: {}\n{CONFIGURE_USAGE}", words.join(", "))),
        },
    }
}

/// The `.configure` to write: the one read, or tccli's initial one, with every service section.
fn configure_to_write(profile: &Profile) -> Map<String, Value> {
    let mut conf = profile.configure.clone();
    if !conf.contains_key(SYS_PARAM) {
        let mut sys = Map::new();
        if profile.configure.is_empty() {
            for (k, v) in INITIAL_SETTINGS {
                let value = if k == "arrayCount" { Value::from(10) } else { Value::String(v.to_owned()) };
                sys.insert(k.to_owned(), value);
            }
        }
        conf.insert(SYS_PARAM.to_owned(), Value::Object(sys));
    }
    // Settings tccli kept at the top level before 3.0.30 move under `_sys_param`.
    for key in SETTINGS {
        if let Some(v) = conf.get(key).filter(|v| !v.is_object()).cloned() {
            conf.remove(key);
            if let Some(Value::Object(sys)) = conf.get_mut(SYS_PARAM) {
                sys.insert(key.to_owned(), v);
            }
        }
    }
    fill_services(&mut conf);
    conf
}

fn set(profile: &Profile, rest: &[String], conf_path: &Path, cred_path: &Path) -> Result<(), String> {
    if rest.is_empty() || !rest.len().is_multiple_of(2) {
        return Err("Unexpected format; expected: tcloud configure set region ap-guangzhou [output json ...]".into());
    }
    let mut conf = configure_to_write(profile);
    let mut cred = profile.credential.clone();
    let mut cred_changed = false;
    for pair in rest.chunks(2) {
        let (key, value) = (pair[0].as_str(), pair[1].as_str());
        if CREDENTIAL_KEYS.contains(&key) {
            if key == "use-cvm-role" {
                let on = match value.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err("use-cvm-role must be true or false".into()),
                };
                cred.insert("type".into(), Value::String(if on { "cvm-role" } else { "default" }.into()));
            } else {
                cred.insert(key.to_owned(), Value::String(value.to_owned()));
            }
            cred_changed = true;
        } else if SETTINGS.contains(&key) {
            let value = match key {
                "output" if !["json", "text", "table"].contains(&value) => {
                    return Err(format!("output {value:?}: json, text or table"));
                }
                "language" if !["zh-CN", "en-US"].contains(&value) => {
                    return Err(format!("language {value:?}: zh-CN or en-US"));
                }
                "request-client" => {
                    crate::exec::request_client(value)?;
                    value
                }
                "arrayCount" => {
                    value.parse::<u32>().map_err(|_| format!("arrayCount {value:?}: a number"))?;
                    value
                }
                _ => value,
            };
            let v = if key == "arrayCount" {
                Value::from(value.parse::<u32>().unwrap_or(10))
            } else {
                Value::String(value.to_owned())
            };
            if let Some(Value::Object(sys)) = conf.get_mut(SYS_PARAM) {
                sys.insert(key.to_owned(), v);
            }
        } else if let Some((section, field)) = key.split_once('.') {
            let section = tccli::tccli_service_name(crate::tccli::service_name(section)).to_owned();
            if section == "waiter" {
                let n: f64 = value.parse().map_err(|_| format!("{key} {value:?}: seconds"))?;
                let entry = conf.entry("waiter").or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(w) = entry {
                    w.insert(field.to_owned(), serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number));
                }
            } else {
                if field == "version" {
                    check_version(&section, value)?;
                }
                let entry = conf.entry(section.clone()).or_insert_with(|| Value::Object(Map::new()));
                match entry {
                    Value::Object(m) => {
                        m.insert(field.to_owned(), Value::String(value.to_owned()));
                    }
                    _ => return Err(format!("{key}: `{section}` in the profile is not a section")),
                }
            }
        } else {
            return Err(format!(
                "Unexpected key `{key}`; valid input format eg. set cvm.version 2017-03-12\n{CONFIGURE_USAGE}"
            ));
        }
    }
    if conf != profile.configure {
        write_json(conf_path, &conf)?;
    }
    if cred_changed {
        write_json(cred_path, &cred)?;
    }
    Ok(())
}

fn check_version(tccli_section: &str, version: &str) -> Result<(), String> {
    let name = tccli::service_name(tccli_section);
    let Ok(Some(svc)) = tencentcloud_schema::service(name) else { return Ok(()) };
    if svc.version(version).is_none() {
        let known: Vec<&str> = svc.versions.iter().map(|v| v.version.as_str()).collect();
        return Err(format!(
            "Version: {version} is invalid in service: {tccli_section}, available versions: {}",
            known.join(" ")
        ));
    }
    Ok(())
}

fn get(profile: &Profile, keys: &[String]) -> Result<(), String> {
    if keys.is_empty() {
        return Err("Unexpected format; expected: tcloud configure get region [output ...]".into());
    }
    let mut out = String::new();
    for key in keys {
        let value = profile
            .setting(key)
            .filter(|_| {
                SETTINGS.contains(&key.as_str())
                    || profile.configure.get(SYS_PARAM).and_then(|s| s.get(key.as_str())).is_some()
            })
            .or_else(|| profile.credential(key))
            .or_else(|| {
                let (section, field) = key.split_once('.')?;
                match section {
                    "waiter" => profile.waiter_default(field).map(|n| n.to_string()),
                    _ => profile.service_setting(tccli::service_name(section), field),
                }
            })
            .ok_or_else(|| format!("{key} in {}.configure not exist", profile.name))?;
        let shown = if SECRET_KEYS.contains(&key.as_str()) { tccli::mask_secret(&value) } else { value };
        out.push_str(&format!("{key} = {shown}\n"));
    }
    crate::exec::print(&out);
    Ok(())
}

/// `configure list`: the credentials (secrets masked), the settings, every service's version
/// and endpoint.
fn list(profile: &Profile) -> String {
    let mut out = String::from("credential:\n");
    for key in CREDENTIAL_KEYS {
        let value = if key == "use-cvm-role" {
            profile.credential("type").filter(|t| t == "cvm-role").map(|_| "true".to_owned())
        } else {
            profile.credential(key)
        };
        if let Some(v) = value {
            let shown = if SECRET_KEYS.contains(&key) { tccli::mask_secret(&v) } else { v };
            out.push_str(&format!("{key} = {shown}\n"));
        }
    }
    out.push_str("configure:\n");
    for key in SETTINGS {
        if let Some(v) = profile.setting(key) {
            out.push_str(&format!("{key} = {v}\n"));
        }
    }
    let mut sections: Vec<(&String, &Map<String, Value>)> = profile
        .configure
        .iter()
        .filter(|(k, _)| *k != SYS_PARAM)
        .filter_map(|(k, v)| Some((k, v.as_object()?)))
        .collect();
    sections.sort_by(|a, b| a.0.cmp(b.0));
    for (name, section) in sections {
        for field in ["version", "endpoint", "timeout", "interval"] {
            if let Some(v) = section.get(field).and_then(text) {
                out.push_str(&format!("{name}.{field} = {v}\n"));
            }
        }
    }
    out
}

fn remove(conf_path: &Path, cred_path: &Path) -> Result<(), String> {
    for path in [conf_path, cred_path] {
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("profile `{}` is not exist", path.file_name().and_then(|n| n.to_str()).unwrap_or_default());
            }
            Err(e) => return Err(format!("cannot remove {}: {e}", path.display())),
        }
    }
    Ok(())
}

fn set_root_domain(profile: &Profile, domain: &str, conf_path: &Path) -> Result<(), String> {
    let mut conf = configure_to_write(profile);
    for entry in tencentcloud_schema::services() {
        let name = tccli::tccli_service_name(entry.name());
        if let Some(Value::Object(section)) = conf.get_mut(name) {
            section.insert("endpoint".into(), Value::String(format!("{}.{domain}", entry.name())));
        }
    }
    write_json(conf_path, &conf)
}

/// `tcloud configure`: asks for the SecretId, SecretKey, region and output, as tccli does
/// (empty answers keep what is there).
fn interactive(profile: &Profile, conf_path: &Path, cred_path: &Path) -> Result<(), String> {
    let stdin = std::io::stdin();
    let ask = |prompt: &str| -> Result<String, String> {
        crate::exec::print(prompt);
        let mut line = String::new();
        stdin.read_line(&mut line).map_err(|e| format!("cannot read the answer: {e}"))?;
        Ok(line.trim().to_owned())
    };
    let shown = |v: Option<String>| {
        v.map_or("None".to_owned(), |v| {
            format!("*{}", v.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect::<String>())
        })
    };
    let mut cred = profile.credential.clone();
    for (key, prompt) in [("secretId", "TencentCloud API secretId"), ("secretKey", "TencentCloud API secretKey")] {
        let answer = ask(&format!("{prompt}[{}]: ", shown(profile.credential(key))))?;
        if !answer.is_empty() {
            cred.insert(key.to_owned(), Value::String(answer));
        }
    }
    let mut conf = configure_to_write(profile);
    for (key, prompt, default) in
        [("region", "Default region name", "ap-guangzhou"), ("output", "Default output format", "json")]
    {
        let current = profile.setting(key).unwrap_or_else(|| default.to_owned());
        let answer = ask(&format!("{prompt}[{current}]: "))?;
        let mut value = if answer.is_empty() { current } else { answer };
        if key == "output" && !["json", "text", "table"].contains(&value.as_str()) {
            crate::exec::print("Output format must be json, text or table. Set as default: json\n");
            value = "json".into();
        }
        if let Some(Value::Object(sys)) = conf.get_mut(SYS_PARAM) {
            sys.insert(key.to_owned(), Value::String(value));
        }
    }
    if cred.get("type").and_then(Value::as_str).is_some_and(|t| t != "default") {
        cred.insert("type".into(), Value::String("default".into()));
    }
    write_json(conf_path, &conf)?;
    write_json(cred_path, &cred)?;
    let complete = ["secretId", "secretKey"].iter().all(|k| cred.get(*k).and_then(text).is_some());
    if complete {
        crate::exec::print("Configure saved successfully.\n");
    } else {
        crate::exec::print(&format!(
            "Warning: SecretId or SecretKey is empty. Subsequent API requests may fail authentication.\nRun `tcloud configure --profile {}` to update the credentials.\n",
            profile.name
        ));
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
