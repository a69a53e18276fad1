//! CAM (2019-01-16), one account-wide directory (no region). Sub-users, which the specs pair no
//! family for (`AddUser`, `GetUser`, `ListUsers`, `DeleteUser`): a name of letters, digits and
//! `+=,.@-_` (at most 64) used once; `UseApi` 1 answers a new API key pair once, and a user
//! with keys is deleted only with `Force` 1. Roles add to the generic family (`CreateRole`,
//! `DescribeRoleList`, `DeleteRole`): a valid, unused `RoleName`, a `PolicyDocument` that is a
//! JSON object with a `statement`; `GetRole` by id. The codes are those the official Go SDK
//! documents for these actions (`InvalidParameter.SubUserNameInUse`,
//! `InvalidParameter.UserNameIllegal`, `ResourceNotFound.UserNotExist`, `OperationDenied.HaveKeys`,
//! `InvalidParameter.RoleNameInUse`, `InvalidParameter.RoleNameError`,
//! `InvalidParameter.PolicyDocumentError`, `InvalidParameter.RoleNotExist`).

use std::sync::{Arc, Mutex};

use serde_json::{Map, Value, json};
use tencentcloud_schema::ActionRef;

use super::Stateful;
use super::resources::{Acting, Behaviour};
use crate::error::ApiError;
use crate::ids::IdGen;
use crate::params::field_str;
use crate::request::ApiRequest;
use crate::shape;
use crate::state::State;
use crate::store::{Change, Resource, Store, TableKey, Tables};
use crate::sync::lock;

/// The hidden field saying a user has API keys (the keys themselves are never kept).
const HAS_KEYS: &str = "EmulatorHasKeys";
/// The account's own uin; sub-users' uins follow it.
const OWNER_UIN: u64 = 100_000_000_001;

fn named(name: &str, max: usize, extra: &str) -> bool {
    (1..=max).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
}

fn users() -> TableKey {
    TableKey { service: "cam".into(), region: String::new(), kind: "User".into() }
}

/// CAM sub-users (when the emulator keeps resources).
pub(crate) struct Users {
    pub(crate) store: Arc<Store>,
}

impl Stateful for Users {
    const SERVICE: &'static str = "cam";
    const VERSION: &'static str = "2019-01-16";
    const ACTIONS: &'static [&'static str] = &["AddUser", "GetUser", "ListUsers", "DeleteUser"];

    fn call(
        &self,
        st: &State,
        req: &ApiRequest<'_>,
        action: &ActionRef<'static>,
        p: &Map<String, Value>,
    ) -> Result<Map<String, Value>, ApiError> {
        let missing = || ApiError::new("ResourceNotFound.UserNotExist", "The user does not exist.");
        Ok(match req.action {
            "AddUser" => self.add(st, p, req.now_ms)?,
            "GetUser" => {
                let name = field_str(p, "Name").ok_or_else(|| ApiError::missing("Name"))?;
                let r =
                    self.store.read(|t| t.table(&users()).and_then(|t| t.get(name)).cloned()).ok_or_else(missing)?;
                fill(action, action.output(), &r)
            }
            "ListUsers" => {
                let members = action.version.object("SubAccountInfo").unwrap_or(&[]);
                let all: Vec<Value> = self.store.read(|t| {
                    let list = t.table(&users()).into_iter().flat_map(|t| t.iter());
                    list.map(|r| Value::Object(fill(action, members, r))).collect()
                });
                [("Data".to_owned(), Value::Array(all))].into_iter().collect()
            }
            _ => {
                let name = field_str(p, "Name").ok_or_else(|| ApiError::missing("Name"))?.to_owned();
                let force = p.get("Force").and_then(Value::as_u64) == Some(1);
                self.store.update(|t| {
                    let r = t.table(&users()).and_then(|t| t.get(&name)).ok_or_else(missing)?;
                    if r.fields.get(HAS_KEYS) == Some(&Value::Bool(true)) && !force {
                        let msg = format!("The user `{name}` has API keys; delete them or pass Force 1.");
                        return Err(ApiError::new("OperationDenied.HaveKeys", msg));
                    }
                    Ok((vec![Change::Remove { table: users(), ids: vec![name.clone()] }], ()))
                })?;
                Map::new()
            }
        })
    }
}

/// `members` of the answer filled from a stored user (never the hidden fields).
fn fill(action: &ActionRef<'static>, members: &[tencentcloud_schema::Member], r: &Resource) -> Map<String, Value> {
    let mut out = shape::blank(action.version, members);
    for m in members {
        if let Some(v) = r.fields.get(&m.name) {
            out.insert(m.name.clone(), v.clone());
        }
    }
    out.remove("RequestId");
    out
}

impl Users {
    fn add(&self, st: &State, p: &Map<String, Value>, now_ms: i64) -> Result<Map<String, Value>, ApiError> {
        let name = field_str(p, "Name").ok_or_else(|| ApiError::missing("Name"))?.to_owned();
        if !named(&name, 64, "+=,.@-_") {
            let msg = format!("`{name}`: letters, digits and +=,.@-_ (at most 64).");
            return Err(ApiError::new("InvalidParameter.UserNameIllegal", msg));
        }
        let api = p.get("UseApi").and_then(Value::as_u64) == Some(1);
        let keys = api.then(|| key_pair(&st.ids));
        let created = crate::clock::rfc3339(now_ms.div_euclid(1000));
        self.store.update(|t| {
            if t.table(&users()).is_some_and(|t| t.get(&name).is_some()) {
                let msg = format!("The user name `{name}` is in use.");
                return Err(ApiError::new("InvalidParameter.SubUserNameInUse", msg));
            }
            let seq = t.next_seq();
            let mut fields: Map<String, Value> = ["Remark", "ConsoleLogin", "PhoneNum", "CountryCode", "Email"]
                .into_iter()
                .filter_map(|k| Some((k.to_owned(), p.get(k)?.clone())))
                .collect();
            fields.insert("Name".to_owned(), Value::from(name.clone()));
            fields.insert("Uin".to_owned(), Value::from(OWNER_UIN + 1 + seq));
            fields.insert("Uid".to_owned(), Value::from(1 + seq));
            fields.insert("CreateTime".to_owned(), Value::from(created.replace('T', " ").trim_end_matches('Z')));
            fields.insert(HAS_KEYS.to_owned(), Value::Bool(keys.is_some()));
            let mut out = json!({
                "Uin": fields["Uin"], "Uid": fields["Uid"], "Name": name,
                "Password": field_str(p, "Password").unwrap_or(""), "PhoneNumVerifyLink": "",
            });
            let (id, key) = keys.clone().unwrap_or_default();
            out["SecretId"] = Value::from(id);
            out["SecretKey"] = Value::from(key);
            let resource = Resource { id: name.clone(), seq, created_ms: now_ms, fields };
            let out = out.as_object().cloned().unwrap_or_default();
            Ok((vec![Change::Put { table: users(), resource, token: None }], out))
        })
    }
}

/// A new API key pair in Tencent Cloud's shape (`AKID` and 32 characters; 32 characters).
fn key_pair(ids: &Mutex<IdGen>) -> (String, String) {
    let mut ids = lock(ids);
    (format!("AKID{}", ids.alnum(32)), ids.alnum(32))
}

/// CAM roles: a valid, unused name and a policy document that is a policy.
pub(crate) struct Roles;

impl Behaviour for Roles {
    fn family(&self) -> (&'static str, &'static str) {
        ("cam", "Role")
    }

    fn global(&self) -> bool {
        true
    }

    fn create(&self, tables: &Tables, region: &str, f: &mut Map<String, Value>, now_ms: i64) -> Result<(), ApiError> {
        let name = field_str(f, "RoleName").ok_or_else(|| ApiError::missing("RoleName"))?.to_owned();
        if !named(&name, 128, "+=,.@-_") {
            let msg = format!("`{name}`: letters, digits and +=,.@-_ (at most 128).");
            return Err(ApiError::new("InvalidParameter.RoleNameError", msg));
        }
        let key = TableKey { service: "cam".into(), region: region.into(), kind: "Role".into() };
        let mut roles = tables.table(&key).into_iter().flat_map(|t| t.iter());
        if roles.any(|r| field_str(&r.fields, "RoleName") == Some(&name)) {
            return Err(ApiError::new("InvalidParameter.RoleNameInUse", format!("The role `{name}` exists.")));
        }
        let doc = field_str(f, "PolicyDocument").unwrap_or("");
        let policy: Option<Value> = serde_json::from_str(doc).ok();
        if !policy.as_ref().is_some_and(|p| p.get("statement").is_some_and(|s| s.is_array() || s.is_object())) {
            let msg = "`PolicyDocument` must be a JSON policy with a `statement`.";
            return Err(ApiError::new("InvalidParameter.PolicyDocumentError", msg));
        }
        let time = crate::clock::rfc3339(now_ms.div_euclid(1000));
        let time = time.replace('T', " ");
        f.insert("AddTime".to_owned(), Value::from(time.trim_end_matches('Z')));
        f.insert("UpdateTime".to_owned(), Value::from(time.trim_end_matches('Z')));
        f.insert("RoleType".to_owned(), Value::from("user"));
        f.insert("RoleArn".to_owned(), Value::from(format!("qcs::cam::uin/{OWNER_UIN}:roleName/{name}")));
        Ok(())
    }

    fn verbs(&self) -> &'static [&'static str] {
        &["GetRole"]
    }

    fn act(&self, _: &Acting<'_>, r: &mut Resource) -> Result<Option<Map<String, Value>>, ApiError> {
        let mut info = r.fields.clone();
        info.insert("RoleId".to_owned(), Value::from(r.id.clone()));
        Ok(Some([("RoleInfo".to_owned(), Value::Object(info))].into_iter().collect()))
    }
}
