//! SSM (2019-09-23): what its secrets add to the generic family (`CreateSecret`,
//! `DescribeSecret`, `DeleteSecret`), as the action documents say: the client names a secret
//! (letters, digits, `-` and `_`, at most 128);
//! each keeps its versions (`CreateSecret`'s, default `SSM_Current`; `PutSecretValue` adds one,
//! at most 10; `UpdateSecret` replaces one's value), each exactly one of `SecretString` and
//! `SecretBinary` (at most 32 KiB); `GetSecretValue` answers the named version;
//! `ListSecretVersionIds` lists them. `Status` is `Enabled`, `Disabled` (`DisableSecret`,
//! `EnableSecret`) or `PendingDelete`: `DeleteSecret` takes a disabled secret only, at once
//! (`RecoveryWindowInDays` 0, the default) or after 1-30 days, until when `RestoreSecret`
//! brings it back `Disabled`. The codes are those the official Go SDK documents for these
//! actions (`ResourceInUse.SecretExists`, `ResourceInUse.VersionIdExists`,
//! `ResourceUnavailable.ResourceDisabled`, `ResourceUnavailable.ResourcePendingDeleted`,
//! `ResourceNotFound`, `LimitExceeded`, `FailedOperation` for a secret in the wrong state).

use serde_json::{Map, Value, json};

use super::resources::{Acting, Behaviour, Deletion};
use crate::error::ApiError;
use crate::params::{field_str, field_text};
use crate::store::{Resource, TableKey, Tables};

/// The hidden field holding the versions: `[{VersionId, SecretString|SecretBinary, CreateTime}]`
/// (not a member of any answer, so never listed).
const VERSIONS: &str = "EmulatorVersions";
/// Most versions a secret keeps, and the largest value.
const MAX_VERSIONS: usize = 10;
const MAX_VALUE: usize = 32 * 1024;
const DAY_MS: i64 = 86_400_000;

/// SSM secrets.
pub(crate) struct Secrets;

fn status(fields: &Map<String, Value>) -> &str {
    field_str(fields, "Status").unwrap_or("Enabled")
}

fn failed(name: &str, why: &str) -> ApiError {
    ApiError::new("FailedOperation", format!("The secret `{name}` {why}."))
}

/// The one value a request gives: `SecretString` or `SecretBinary` (bounded).
fn value(p: &Map<String, Value>) -> Result<(&'static str, Value), ApiError> {
    let given: Vec<(&'static str, &str)> =
        ["SecretString", "SecretBinary"].into_iter().filter_map(|k| field_text(p, k).map(|v| (k, v))).collect();
    match given.as_slice() {
        [(k, v)] if v.len() <= MAX_VALUE => Ok((k, Value::from(*v))),
        [(k, _)] => Err(ApiError::invalid_value(k, "longer than 32 KiB")),
        _ => {
            Err(ApiError::new("InvalidParameterValue", "Exactly one of `SecretString` and `SecretBinary` must be set."))
        }
    }
}

fn versions(fields: &Map<String, Value>) -> Vec<Map<String, Value>> {
    let list = fields.get(VERSIONS).and_then(Value::as_array).into_iter().flatten();
    list.filter_map(Value::as_object).cloned().collect()
}

fn version_id(p: &Map<String, Value>) -> Result<&str, ApiError> {
    let id = field_str(p, "VersionId").ok_or_else(|| ApiError::missing("VersionId"))?;
    let ok = id.len() <= 64
        && id.starts_with(|c: char| c.is_ascii_alphanumeric())
        && id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if ok { Ok(id) } else { Err(ApiError::invalid_value("VersionId", "letters, digits, - _ . (at most 64)")) }
}

fn version(id: &str, kind: &str, v: Value, now_ms: i64) -> Value {
    json!({"VersionId": id, kind: v, "CreateTime": now_ms.div_euclid(1000)})
}

/// Whether the secret's value may change (`Enabled` or `Disabled`).
fn changeable(r: &Resource) -> Result<(), ApiError> {
    match status(&r.fields) {
        "Enabled" | "Disabled" => Ok(()),
        s => Err(failed(&r.id, &format!("is {s}; only an Enabled or Disabled secret changes"))),
    }
}

impl Behaviour for Secrets {
    fn family(&self) -> (&'static str, &'static str) {
        ("ssm", "Secret")
    }

    fn chosen_id(&self, fields: &Map<String, Value>) -> Option<String> {
        field_text(fields, "SecretName").map(str::to_owned)
    }

    fn create(&self, tables: &Tables, region: &str, f: &mut Map<String, Value>, now_ms: i64) -> Result<(), ApiError> {
        let name = field_str(f, "SecretName").ok_or_else(|| ApiError::missing("SecretName"))?.to_owned();
        let valid = (1..=128).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_alphanumeric())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
        if !valid {
            return Err(ApiError::invalid_value(
                "SecretName",
                "letters, digits, - and _, starting alphanumeric (at most 128)",
            ));
        }
        let key = TableKey { service: "ssm".into(), region: region.into(), kind: "Secret".into() };
        if let Some(old) = tables.table(&key).and_then(|t| t.get(&name))
            && self.exists(tables, region, &old.fields, now_ms)
        {
            return Err(ApiError::new("ResourceInUse.SecretExists", format!("The secret `{name}` already exists.")));
        }
        let (kind, v) = value(f)?;
        let id = if f.contains_key("VersionId") { version_id(f)?.to_owned() } else { "SSM_Current".to_owned() };
        f.remove("SecretString");
        f.remove("SecretBinary");
        f.insert(VERSIONS.to_owned(), Value::Array(vec![version(&id, kind, v, now_ms)]));
        f.insert("VersionId".to_owned(), Value::from(id));
        f.insert("Status".to_owned(), Value::from("Enabled"));
        f.insert("DeleteTime".to_owned(), Value::from(0));
        f.entry("SecretType").or_insert(Value::from(0));
        Ok(())
    }

    fn verbs(&self) -> &'static [&'static str] {
        &[
            "GetSecretValue",
            "PutSecretValue",
            "UpdateSecret",
            "ListSecretVersionIds",
            "EnableSecret",
            "DisableSecret",
            "RestoreSecret",
            "UpdateDescription",
        ]
    }

    fn act(&self, a: &Acting<'_>, r: &mut Resource) -> Result<Option<Map<String, Value>>, ApiError> {
        let mut out = Map::new();
        out.insert("SecretName".to_owned(), Value::from(r.id.clone()));
        let mut all = versions(&r.fields);
        let state = status(&r.fields).to_owned();
        match a.action {
            "GetSecretValue" => {
                match state.as_str() {
                    "Disabled" => {
                        let msg = format!("The secret `{}` is Disabled.", r.id);
                        return Err(ApiError::new("ResourceUnavailable.ResourceDisabled", msg));
                    }
                    "PendingDelete" => {
                        let msg = format!("The secret `{}` is PendingDelete.", r.id);
                        return Err(ApiError::new("ResourceUnavailable.ResourcePendingDeleted", msg));
                    }
                    _ => {}
                }
                let id = version_id(a.params)?;
                let v = all.iter().find(|v| field_str(v, "VersionId") == Some(id)).ok_or_else(|| {
                    ApiError::new("ResourceNotFound", format!("The secret `{}` has no version `{id}`.", r.id))
                })?;
                out.insert("VersionId".to_owned(), Value::from(id));
                for k in ["SecretString", "SecretBinary"] {
                    out.insert(k.to_owned(), v.get(k).cloned().unwrap_or(Value::from("")));
                }
            }
            "PutSecretValue" | "UpdateSecret" => {
                changeable(r)?;
                let id = version_id(a.params)?.to_owned();
                let (kind, v) = value(a.params)?;
                let at = all.iter().position(|v| field_str(v, "VersionId") == Some(&id));
                let new = version(&id, kind, v, a.now_ms);
                match (a.action, at) {
                    ("PutSecretValue", Some(_)) => {
                        let msg = format!("The secret `{}` already has a version `{id}`.", r.id);
                        return Err(ApiError::new("ResourceInUse.VersionIdExists", msg));
                    }
                    ("PutSecretValue", None) if all.len() >= MAX_VERSIONS => {
                        let msg = format!("The secret `{}` has {MAX_VERSIONS} versions already.", r.id);
                        return Err(ApiError::new("LimitExceeded", msg));
                    }
                    ("PutSecretValue", None) => all.push(new.as_object().cloned().unwrap_or_default()),
                    (_, Some(i)) => all[i] = new.as_object().cloned().unwrap_or_default(),
                    (_, None) => {
                        let msg = format!("The secret `{}` has no version `{id}`.", r.id);
                        return Err(ApiError::new("ResourceNotFound", msg));
                    }
                }
                r.fields.insert(VERSIONS.to_owned(), Value::Array(all.into_iter().map(Value::Object).collect()));
                out.insert("VersionId".to_owned(), Value::from(id));
            }
            "ListSecretVersionIds" => {
                let list = all
                    .iter()
                    .map(|v| json!({"VersionId": v.get("VersionId"), "CreateTime": v.get("CreateTime")}))
                    .collect();
                out.insert("Versions".to_owned(), Value::Array(list));
            }
            "EnableSecret" | "DisableSecret" => {
                if state == "PendingDelete" {
                    return Err(failed(&r.id, "is PendingDelete; restore it first (RestoreSecret)"));
                }
                let to = if a.action == "EnableSecret" { "Enabled" } else { "Disabled" };
                r.fields.insert("Status".to_owned(), Value::from(to));
            }
            "RestoreSecret" => {
                if state != "PendingDelete" {
                    return Err(failed(&r.id, &format!("is {state}, not PendingDelete")));
                }
                r.fields.insert("Status".to_owned(), Value::from("Disabled"));
                r.fields.insert("DeleteTime".to_owned(), Value::from(0));
            }
            _ => {
                let d = field_str(a.params, "Description").ok_or_else(|| ApiError::missing("Description"))?;
                r.fields.insert("Description".to_owned(), Value::from(d));
            }
        }
        Ok(Some(out))
    }

    /// `DeleteSecret`: a `Disabled` secret only; at once, or `PendingDelete` for the days asked.
    fn delete(&self, a: &Acting<'_>, r: &mut Resource) -> Result<Deletion, ApiError> {
        let state = status(&r.fields);
        if state != "Disabled" {
            return Err(failed(&r.id, &format!("is {state}; disable it (DisableSecret) before deleting it")));
        }
        let days = match a.params.get("RecoveryWindowInDays") {
            None | Some(Value::Null) => 0,
            Some(v) => v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())).unwrap_or(-1),
        };
        if !(0..=30).contains(&days) {
            return Err(ApiError::invalid_value("RecoveryWindowInDays", "must be 0 to 30"));
        }
        if days == 0 {
            return Ok(Deletion::Remove);
        }
        let at = a.now_ms.saturating_add(days * DAY_MS);
        r.fields.insert("Status".to_owned(), Value::from("PendingDelete"));
        r.fields.insert("DeleteTime".to_owned(), Value::from(at.div_euclid(1000)));
        Ok(Deletion::Keep)
    }

    fn exists(&self, _: &Tables, _: &str, fields: &Map<String, Value>, now_ms: i64) -> bool {
        let due = fields.get("DeleteTime").and_then(Value::as_i64).unwrap_or(0).saturating_mul(1000);
        !(status(fields) == "PendingDelete" && now_ms >= due)
    }
}
