//! The CVM instance-metadata endpoint (`GET /latest/meta-data/...`): placement, instance id and
//! the role's temporary credentials.

use std::time::Duration;

use serde_json::json;

use crate::clock::rfc3339;
use crate::state::State;

const METADATA_LIFETIME: Duration = Duration::from_secs(7200);

/// Answers `GET /latest/...`: `(status, content type, body)`.
pub(crate) fn metadata(state: &State, path: &str) -> (u16, &'static str, String) {
    const CREDS: &str = "/latest/meta-data/cam/security-credentials";
    let text = |s: &str| (200, "text/plain", s.to_owned());
    match path {
        "/latest/meta-data/placement/region" => text("ap-guangzhou"),
        "/latest/meta-data/placement/zone" => text("ap-guangzhou-3"),
        "/latest/meta-data/instance-id" => text("ins-emu00001"),
        p if p == CREDS || p == format!("{CREDS}/") => text(&state.metadata_role),
        p if p.strip_prefix(CREDS).and_then(|r| r.strip_prefix('/')).map(|r| r.trim_end_matches('/'))
            == Some(state.metadata_role.as_str()) =>
        {
            let cred = state.mint(state.lifetime(METADATA_LIFETIME));
            let body = json!({
                "TmpSecretId": cred.secret_id,
                "TmpSecretKey": cred.secret_key,
                "Token": cred.token,
                "ExpiredTime": cred.expired_time,
                "Expiration": rfc3339(cred.expired_time),
                "Code": "Success",
            });
            (200, "application/json", body.to_string())
        }
        _ => (404, "text/plain", "404 Not Found".to_owned()),
    }
}
