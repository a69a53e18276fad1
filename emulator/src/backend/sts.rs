//! STS (2018-08-13): `AssumeRole` and `AssumeRoleWithWebIdentity` mint temporary credentials the
//! front door then accepts.

use std::time::Duration;

use serde_json::json;
use tencentcloud_schema::ActionRef;

use super::{Backend, Check};
use crate::error::ApiError;
use crate::params::{obj, param_int, require_str};
use crate::request::{ApiRequest, Outcome};
use crate::state::State;

const DEFAULT_STS_SECS: i64 = 7200;

/// STS's role assumption.
pub(crate) struct Sts;

impl Backend for Sts {
    fn serves(&self, service: &str, action: &str, schema: Option<&ActionRef<'static>>) -> Option<Check> {
        let known = schema.is_some();
        let ours = matches!(action, "AssumeRole" | "AssumeRoleWithWebIdentity");
        (service == "sts" && known && ours).then_some(Check::Schema)
    }

    fn answer(&self, state: &State, req: &ApiRequest<'_>, _: Option<&ActionRef<'static>>) -> Result<Outcome, ApiError> {
        assume_role(state, req, req.action == "AssumeRoleWithWebIdentity")
    }
}

fn assume_role(state: &State, req: &ApiRequest<'_>, web_identity: bool) -> Result<Outcome, ApiError> {
    let p = &req.params;
    if web_identity {
        require_str(p, "ProviderId")?;
        require_str(p, "WebIdentityToken")?;
    }
    require_str(p, "RoleArn")?;
    require_str(p, "RoleSessionName")?;
    let secs = param_int(p, "DurationSeconds")?.unwrap_or(DEFAULT_STS_SECS);
    if !(900..=43_200).contains(&secs) {
        return Err(ApiError::invalid_value("DurationSeconds", "must be between 900 and 43200"));
    }
    let cred = state.mint(state.lifetime(Duration::from_secs(secs as u64)));
    Ok(Outcome::Json(obj(json!({
        "Credentials": {"Token": cred.token, "TmpSecretId": cred.secret_id, "TmpSecretKey": cred.secret_key},
        "ExpiredTime": cred.expired_time,
        "Expiration": cred.expiration,
    }))))
}
