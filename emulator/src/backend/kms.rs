//! KMS (2019-01-18): customer master keys, kept in the store per region (the specs pair no
//! family for them: keys are never deleted, only scheduled). `CreateKey` makes an `Enabled`
//! symmetric key (`ENCRYPT_DECRYPT`) with a unique `Alias`; `DisableKey`/`EnableKey`;
//! `ScheduleKeyDeletion` (a `Disabled` key, 7-30 days) -> `PendingDelete`, gone at its
//! `DeletionDate` unless `CancelKeyDeletion` brings it back `Disabled`; `DescribeKey`,
//! `DescribeKeys`, `ListKeys` (`Enabled` and `Disabled` keys, as documented).
//!
//! `Encrypt`/`Decrypt` use real cryptography: each key holds 32 random bytes (from the system's
//! generator, kept in the state like the rest) and seals with AES-256-GCM; the ciphertext blob
//! is base64 of `1 || key id (36) || nonce (12) || sealed`, the key id and the
//! `EncryptionContext` authenticated, so a blob under another key, tampered, or with another
//! context is refused (`InvalidParameterValue.InvalidCiphertext`). The codes are those the
//! official Go SDK documents for these actions.

use std::sync::Arc;

use base64ct::{Base64, Encoding};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{Map, Value, json};
use tencentcloud_schema::ActionRef;

use super::Stateful;
use crate::error::ApiError;
use crate::params::{field_str, need_text};
use crate::request::ApiRequest;
use crate::shape;
use crate::state::State;
use crate::store::{Change, Resource, Store, TableKey, Tables};

/// The hidden field holding a key's material (hex); never a member of an answer.
const MATERIAL: &str = "EmulatorKeyMaterial";
/// Largest plaintext `Encrypt` takes (4 KiB, as documented) and largest blob `Decrypt` reads.
const MAX_PLAINTEXT: usize = 4096;
const MAX_BLOB: usize = 8192;
const ID_LEN: usize = 36;
const DAY_MS: i64 = 86_400_000;

/// KMS keys (when the emulator keeps resources).
pub(crate) struct Kms {
    pub(crate) store: Arc<Store>,
}

fn err(code: &str, message: String) -> ApiError {
    ApiError::new(code, message)
}

fn state(fields: &Map<String, Value>) -> &str {
    field_str(fields, "KeyState").unwrap_or("Enabled")
}

/// Whether a key exists at `now_ms` (a `PendingDelete` one is gone at its `DeletionDate`).
fn exists(fields: &Map<String, Value>, now_ms: i64) -> bool {
    let due = fields.get("DeletionDate").and_then(Value::as_i64).unwrap_or(0).saturating_mul(1000);
    !(state(fields) == "PendingDelete" && now_ms >= due)
}

fn table(region: &str) -> TableKey {
    TableKey { service: "kms".into(), region: region.into(), kind: "Key".into() }
}

/// The key `id` names, or the documented code: a malformed id, else an unknown one.
fn key<'t>(tables: &'t Tables, region: &str, id: &str, now_ms: i64) -> Result<&'t Resource, ApiError> {
    let uuid = id.len() == ID_LEN && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    if !uuid {
        return Err(err("InvalidParameterValue.InvalidKeyId", format!("`{id}` is not a key id.")));
    }
    tables
        .table(&table(region))
        .and_then(|t| t.get(id))
        .filter(|r| exists(&r.fields, now_ms))
        .ok_or_else(|| err("ResourceUnavailable.CmkNotFound", format!("The key `{id}` does not exist.")))
}

fn sealing_key(r: &Resource) -> Result<LessSafeKey, ApiError> {
    let internal = || ApiError::new("InternalError", "The key's material is unreadable.");
    let bytes = hex::decode(field_str(&r.fields, MATERIAL).ok_or_else(internal)?).map_err(|_| internal())?;
    Ok(LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &bytes).map_err(|_| internal())?))
}

fn usable(r: &Resource) -> Result<(), ApiError> {
    match state(&r.fields) {
        "Enabled" => Ok(()),
        s => Err(err("ResourceUnavailable.CmkDisabled", format!("The key `{}` is {s}.", r.id))),
    }
}

fn aad(id: &str, context: &str) -> Vec<u8> {
    let mut a = id.as_bytes().to_vec();
    a.push(0);
    a.extend_from_slice(context.as_bytes());
    a
}

/// A key's `KeyMetadata`, every documented member present.
fn metadata(action: &ActionRef<'static>, r: &Resource) -> Value {
    let members = action.version.object("KeyMetadata").unwrap_or(&[]);
    let mut out = shape::blank(action.version, members);
    for (k, v) in r.fields.iter().filter(|(k, _)| k.as_str() != MATERIAL) {
        if members.iter().any(|m| &m.name == k) {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

impl Stateful for Kms {
    const SERVICE: &'static str = "kms";
    const VERSION: &'static str = "2019-01-18";
    const ACTIONS: &'static [&'static str] = &[
        "CreateKey",
        "DescribeKey",
        "DescribeKeys",
        "ListKeys",
        "EnableKey",
        "DisableKey",
        "ScheduleKeyDeletion",
        "CancelKeyDeletion",
        "Encrypt",
        "Decrypt",
    ];

    fn call(
        &self,
        st: &State,
        req: &ApiRequest<'_>,
        action: &ActionRef<'static>,
        p: &Map<String, Value>,
    ) -> Result<Map<String, Value>, ApiError> {
        let region = req.region.clone().unwrap_or_default();
        let now = req.now_ms;
        Ok(match req.action {
            "CreateKey" => self.create(p, &region, st.uuid(), now)?,
            "DescribeKey" => {
                let id = need_text(p, "KeyId")?;
                let r = self.store.read(|t| key(t, &region, id, now).cloned())?;
                obj([("KeyMetadata", metadata(action, &r))])
            }
            "DescribeKeys" => {
                let ids: Vec<&str> = p
                    .get("KeyIds")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .take(100)
                    .collect();
                let found: Vec<Value> = self.store.read(|t| {
                    ids.iter().filter_map(|id| key(t, &region, id, now).ok()).map(|r| metadata(action, r)).collect()
                });
                obj([("KeyMetadatas", Value::Array(found))])
            }
            "ListKeys" => {
                let n = |k: &str| p.get(k).and_then(Value::as_u64).map(|n| n as usize);
                let (offset, limit) = (n("Offset").unwrap_or(0), n("Limit").unwrap_or(10).clamp(1, 200));
                let ids: Vec<String> = self.store.read(|t| {
                    t.table(&table(&region))
                        .into_iter()
                        .flat_map(|t| t.iter())
                        .filter(|r| exists(&r.fields, now) && matches!(state(&r.fields), "Enabled" | "Disabled"))
                        .map(|r| r.id.clone())
                        .collect()
                });
                let page: Vec<Value> = ids.iter().skip(offset).take(limit).map(|id| json!({"KeyId": id})).collect();
                obj([("Keys", Value::Array(page)), ("TotalCount", Value::from(ids.len()))])
            }
            "Encrypt" => {
                let id = need_text(p, "KeyId")?;
                let plain = Base64::decode_vec(need_text(p, "Plaintext")?)
                    .ok()
                    .filter(|b| !b.is_empty() && b.len() <= MAX_PLAINTEXT)
                    .ok_or_else(|| {
                        err(
                            "InvalidParameterValue.InvalidPlaintext",
                            "`Plaintext` must be base64 of 1 to 4096 bytes.".into(),
                        )
                    })?;
                let r = self.store.read(|t| key(t, &region, id, now).cloned())?;
                usable(&r)?;
                let mut nonce = [0u8; NONCE_LEN];
                SystemRandom::new().fill(&mut nonce).map_err(|_| ApiError::new("InternalError", "No randomness."))?;
                let mut sealed = plain;
                let context = field_str(p, "EncryptionContext").unwrap_or("");
                sealing_key(&r)?
                    .seal_in_place_append_tag(
                        Nonce::assume_unique_for_key(nonce),
                        Aad::from(aad(id, context)),
                        &mut sealed,
                    )
                    .map_err(|_| ApiError::new("InternalError", "Sealing failed."))?;
                let mut blob = vec![1u8];
                blob.extend_from_slice(id.as_bytes());
                blob.extend_from_slice(&nonce);
                blob.extend_from_slice(&sealed);
                obj([("CiphertextBlob", Value::from(Base64::encode_string(&blob))), ("KeyId", Value::from(id))])
            }
            "Decrypt" => {
                let bad = || {
                    err("InvalidParameterValue.InvalidCiphertext", "The ciphertext is not one this KMS made.".into())
                };
                let text_blob = need_text(p, "CiphertextBlob")?;
                if text_blob.len() > MAX_BLOB * 2 {
                    return Err(bad());
                }
                let blob = Base64::decode_vec(text_blob).map_err(|_| bad())?;
                if blob.len() < 1 + ID_LEN + NONCE_LEN + AES_256_GCM.tag_len() || blob[0] != 1 {
                    return Err(bad());
                }
                let id = std::str::from_utf8(&blob[1..=ID_LEN]).map_err(|_| bad())?.to_owned();
                let nonce: [u8; NONCE_LEN] = blob[1 + ID_LEN..1 + ID_LEN + NONCE_LEN].try_into().map_err(|_| bad())?;
                let r = self.store.read(|t| key(t, &region, &id, now).cloned())?;
                usable(&r)?;
                let context = field_str(p, "EncryptionContext").unwrap_or("");
                let mut sealed = blob[1 + ID_LEN + NONCE_LEN..].to_vec();
                let plain = sealing_key(&r)?
                    .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(aad(&id, context)), &mut sealed)
                    .map_err(|_| bad())?;
                obj([("KeyId", Value::from(id)), ("Plaintext", Value::from(Base64::encode_string(plain)))])
            }
            other => self.change(other, p, &region, now)?,
        })
    }
}

fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

impl Kms {
    fn create(
        &self,
        p: &Map<String, Value>,
        region: &str,
        id: String,
        now: i64,
    ) -> Result<Map<String, Value>, ApiError> {
        let alias = need_text(p, "Alias")?.to_owned();
        let valid = alias.len() <= 60
            && alias.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            && !alias.to_ascii_uppercase().starts_with("KMS-");
        if !valid {
            return Err(err(
                "InvalidParameterValue.InvalidAlias",
                format!("`{alias}`: letters, digits, _ and - (at most 60), not starting KMS-."),
            ));
        }
        let usage = field_str(p, "KeyUsage").unwrap_or("ENCRYPT_DECRYPT").to_owned();
        let kind = p.get("Type").and_then(Value::as_u64).unwrap_or(1);
        if usage != "ENCRYPT_DECRYPT" || kind != 1 {
            return Err(err(
                "UnsupportedOperation.UnsupportedKeyUsageInCurrentRegion",
                format!(
                    "The emulator keeps symmetric keys only (KeyUsage ENCRYPT_DECRYPT, Type 1), not {usage}/{kind}."
                ),
            ));
        }
        let mut material = [0u8; 32];
        SystemRandom::new().fill(&mut material).map_err(|_| ApiError::new("InternalError", "No randomness."))?;
        let fields = self.store.update(|t| {
            let taken = t
                .table(&table(region))
                .into_iter()
                .flat_map(|t| t.iter())
                .any(|r| exists(&r.fields, now) && field_str(&r.fields, "Alias") == Some(alias.as_str()));
            if taken {
                return Err(err("InvalidParameterValue.AliasAlreadyExists", format!("The alias `{alias}` is taken.")));
            }
            if t.table(&table(region)).is_some_and(|t| t.get(&id).is_some()) {
                return Err(ApiError::new("InternalError", "A key id repeated; try again."));
            }
            let seq = t.next_seq();
            let mut fields = obj([
                ("KeyId", Value::from(id.clone())),
                ("Alias", Value::from(alias.clone())),
                ("CreateTime", Value::from(now.div_euclid(1000))),
                ("Description", Value::from(field_str(p, "Description").unwrap_or(""))),
                ("KeyState", Value::from("Enabled")),
                ("KeyUsage", Value::from(usage.clone())),
                ("Type", Value::from(1)),
                ("Origin", Value::from("TENCENT_KMS")),
                ("Owner", Value::from("user")),
                ("KeyRotationEnabled", Value::Bool(false)),
                ("DeletionDate", Value::from(0)),
            ]);
            let shown = fields.clone();
            fields.insert(MATERIAL.to_owned(), Value::from(hex::encode(material)));
            let resource = Resource { id, seq, created_ms: now, fields };
            Ok((vec![Change::Put { table: table(region), resource, token: None }], shown))
        })?;
        let mut out = fields;
        for k in ["Type", "Origin", "Owner", "KeyRotationEnabled", "DeletionDate"] {
            out.remove(k);
        }
        out.insert("TagCode".to_owned(), Value::from(0));
        out.insert("TagMsg".to_owned(), Value::from(""));
        out.insert("HsmClusterId".to_owned(), Value::from(""));
        Ok(out)
    }

    /// `EnableKey`, `DisableKey`, `ScheduleKeyDeletion`, `CancelKeyDeletion`.
    fn change(
        &self,
        action: &str,
        p: &Map<String, Value>,
        region: &str,
        now: i64,
    ) -> Result<Map<String, Value>, ApiError> {
        let id = need_text(p, "KeyId")?.to_owned();
        self.store.update(|t| {
            let mut r = key(t, region, &id, now)?.clone();
            let from = state(&r.fields).to_owned();
            let not =
                |why: &str| err("ResourceUnavailable.CmkStateNotSupport", format!("The key `{id}` is {from}; {why}."));
            let mut out = Map::new();
            let (to, deletion) = match action {
                "EnableKey" | "DisableKey" if from == "PendingDelete" => return Err(not("cancel its deletion first")),
                "EnableKey" => ("Enabled", 0),
                "DisableKey" => ("Disabled", 0),
                "ScheduleKeyDeletion" => {
                    let days = p.get("PendingWindowInDays").and_then(Value::as_i64).unwrap_or(0);
                    if !(7..=30).contains(&days) {
                        return Err(err(
                            "InvalidParameter.InvalidPendingWindowInDays",
                            "`PendingWindowInDays` must be 7 to 30.".into(),
                        ));
                    }
                    if from != "Disabled" {
                        return Err(err(
                            "ResourceUnavailable.CmkShouldBeDisabled",
                            format!("The key `{id}` is {from}; disable it first."),
                        ));
                    }
                    let date = now.saturating_add(days * DAY_MS).div_euclid(1000);
                    out.insert("DeletionDate".to_owned(), Value::from(date));
                    out.insert("KeyId".to_owned(), Value::from(id.clone()));
                    ("PendingDelete", date)
                }
                _ => {
                    if from != "PendingDelete" {
                        return Err(err(
                            "ResourceUnavailable.CmkNotPendingDelete",
                            format!("The key `{id}` is {from}, not PendingDelete."),
                        ));
                    }
                    out.insert("KeyId".to_owned(), Value::from(id.clone()));
                    ("Disabled", 0)
                }
            };
            r.fields.insert("KeyState".to_owned(), Value::from(to));
            r.fields.insert("DeletionDate".to_owned(), Value::from(deletion));
            Ok((vec![Change::Put { table: table(region), resource: r, token: None }], out))
        })
    }
}
