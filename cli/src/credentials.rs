//! Where `tcloud` gets its credentials: first as tccli does (its flags, its environment, its
//! profile files `~/.tccli/<profile>.credential`), then tcloud's own default chain
//! (environment, `~/.tencentcloud/credentials`, CVM instance role, TKE OIDC).
//!
//! tccli's order (`tccli/services/*/..._client.py`, `parse_global_arg` and the client it makes),
//! field by field: `--secretId`/`--secretKey`/`--token`; else, unless `--profile` names the
//! profile, `TENCENTCLOUD_SECRET_ID` + `TENCENTCLOUD_SECRET_KEY` (+ `TENCENTCLOUD_TOKEN`); else
//! the profile's `.credential`. The role likewise: `--role-arn`/`--role-session-name`, else
//! `TENCENTCLOUD_ROLE_ARN` + `TENCENTCLOUD_ROLE_SESSION_NAME`, else the `.credential`'s
//! `role-arn`/`role-session-name`. Then the first that applies: the CVM role (`--use-cvm-role`,
//! or `"type": "cvm-role"` in the `.credential` when no secret is given), the role assumed with
//! the secret, TKE OIDC (`TKE_*` set), the secret. Where tccli stops with `secretId is invalid`,
//! tcloud asks its default chain.

use std::path::Path;
use std::sync::Arc;

use clap::Args;
use tencentcloud_transport_std::{
    AssumeRoleProvider, ChainProvider, ClientProfile, CredentialProvider, Credentials, DEFAULT_STS_REGION, Error,
    HttpProfile, InstanceRoleProvider, ProfileFileProvider, StaticProvider, TkeProvider,
};

use crate::config::Profile;

/// The credential flags shared by the service commands, `tcloud call` and `tcloud sign`.
#[derive(Debug, Args)]
pub struct CredentialArgs {
    /// The tccli profile `~/.tccli/NAME.credential` and `.configure` (default `TCCLI_PROFILE`,
    /// else `default`); when it has no such files, this section of the profile file
    /// (TENCENTCLOUD_CREDENTIALS_FILE or ~/.tencentcloud/credentials).
    #[arg(long, value_name = "NAME", conflicts_with = "use_instance_role")]
    pub profile: Option<String>,
    /// The SecretId (tccli's `--secretId`).
    #[arg(long = "secretId", value_name = "ID")]
    pub secret_id: Option<String>,
    /// The SecretKey (tccli's `--secretKey`).
    #[arg(long = "secretKey", value_name = "KEY")]
    pub secret_key: Option<String>,
    /// The token of temporary credentials (tccli's `--token`).
    #[arg(long = "token", value_name = "TOKEN")]
    pub token: Option<String>,
    /// Use the CVM instance role (from the metadata service); tccli's `--use-cvm-role`.
    #[arg(long, visible_alias = "use-cvm-role")]
    pub use_instance_role: bool,
    /// The instance metadata service address (default http://metadata.tencentyun.com);
    /// also used by the default chain's instance role.
    #[arg(long, value_name = "URL")]
    pub metadata_endpoint: Option<String>,
    /// Assume this CAM role with the credentials found, then call with its temporary
    /// credentials and token (default: TENCENTCLOUD_ROLE_ARN, else the profile's `role-arn`).
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// The session name of the assumed role (default: TENCENTCLOUD_ROLE_SESSION_NAME, else the
    /// profile's `role-session-name`).
    #[arg(long, value_name = "NAME")]
    pub role_session_name: Option<String>,
    /// The STS endpoint for the role (default: the profile's `sts.endpoint`, else
    /// https://sts.tencentcloudapi.com).
    #[arg(long, value_name = "URL")]
    pub sts_endpoint: Option<String>,
}

/// The credentials tccli's sources give, before anything is fetched.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TccliCredentials {
    /// SecretId, SecretKey, token, and where they came from.
    pub secret: Option<(String, String, Option<String>, &'static str)>,
    /// Role ARN and session name.
    pub role: Option<(String, String)>,
    /// The CVM instance role.
    pub cvm_role: bool,
}

/// Reads tccli's sources in its order (see the module docs); `env` reads a variable.
pub fn tccli_credentials(
    args: &CredentialArgs,
    profile: &Profile,
    env: &dyn Fn(&str) -> Option<String>,
) -> TccliCredentials {
    let env = |name: &str| env(name).filter(|v| !v.is_empty());
    let from_env = !profile.explicit;
    let env_secret =
        from_env.then(|| (env("TENCENTCLOUD_SECRET_ID"), env("TENCENTCLOUD_SECRET_KEY"))).and_then(|pair| match pair {
            (Some(id), Some(key)) => {
                Some((id, key, env("TENCENTCLOUD_TOKEN").or_else(|| env("TENCENTCLOUD_SESSION_TOKEN"))))
            }
            _ => None,
        });
    let file = |key: &str| profile.credential(key);
    let (file_id, file_key, file_token, where_) = match &env_secret {
        Some((id, key, token)) => (Some(id.clone()), Some(key.clone()), token.clone(), "environment"),
        None => (file("secretId"), file("secretKey"), file("token"), "tccli profile"),
    };
    let id = args.secret_id.clone().or(file_id);
    let key = args.secret_key.clone().or(file_key);
    let token = args.token.clone().or(file_token);
    let source = if args.secret_id.is_some() || args.secret_key.is_some() { "flags" } else { where_ };
    let secret = match (id, key) {
        (Some(id), Some(key)) => Some((id, key, token, source)),
        _ => None,
    };
    let env_role =
        from_env.then(|| (env("TENCENTCLOUD_ROLE_ARN"), env("TENCENTCLOUD_ROLE_SESSION_NAME"))).and_then(|pair| {
            match pair {
                (Some(a), Some(s)) => Some((a, s)),
                _ => None,
            }
        });
    let arn = args.role_arn.clone().or_else(|| env_role.as_ref().map(|r| r.0.clone())).or_else(|| file("role-arn"));
    let session = args
        .role_session_name
        .clone()
        .or_else(|| env_role.as_ref().map(|r| r.1.clone()))
        .or_else(|| file("role-session-name"));
    let role = match (arn, session) {
        (Some(a), Some(s)) => Some((a, s)),
        _ => None,
    };
    let secret_given = args.secret_id.is_some()
        || args.secret_key.is_some()
        || args.role_arn.is_some()
        || args.role_session_name.is_some()
        || env_secret.is_some();
    let cvm_role = args.use_instance_role || (!secret_given && file("type").as_deref() == Some("cvm-role"));
    TccliCredentials { secret, role, cvm_role }
}

/// tccli's `sso` and `oauth` logins keep temporary keys with their `expiresAt` (Unix seconds) in
/// the `.credential`; tccli refreshes them, tcloud uses them while they last and says when not.
fn expired_login(profile: &Profile) -> Option<String> {
    let kind = profile.credential("type").filter(|t| t == "sso" || t == "oauth")?;
    let expires: f64 = profile.credential("expiresAt")?.parse().ok()?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
    (expires <= now).then(|| {
        let login = if kind == "sso" { "tccli sso login" } else { "tccli auth login" };
        format!(
            "the {kind} credential of tccli profile `{}` expired; tccli refreshes it (`{login}`), tcloud does not",
            profile.name
        )
    })
}

fn tke_configured() -> bool {
    ["TKE_REGION", "TKE_PROVIDER_ID", "TKE_WEB_IDENTITY_TOKEN_FILE", "TKE_ROLE_ARN"]
        .iter()
        .all(|v| std::env::var(v).is_ok_and(|s| !s.is_empty()))
}

impl CredentialArgs {
    /// The provider these flags, tccli's sources and the default chain describe. `region` is the
    /// STS region for a role (default ap-guangzhou); `ca_file` is trusted by the STS client too.
    pub fn provider(&self, region: Option<&str>, ca_file: Option<&Path>) -> Result<Arc<dyn CredentialProvider>, Error> {
        let profile = Profile::load(self.profile.as_deref()).map_err(Error::configuration)?;
        let found = tccli_credentials(self, &profile, &|name| std::env::var(name).ok());
        if self.role_arn.is_some() != self.role_session_name.is_some() && found.role.is_none() {
            return Err(Error::configuration(
                "--role-arn and --role-session-name go together (or set TENCENTCLOUD_ROLE_SESSION_NAME, or `role-session-name` in the profile)",
            ));
        }
        let mut instance_role = InstanceRoleProvider::new();
        if let Some(ep) = &self.metadata_endpoint {
            instance_role = instance_role.endpoint(ep.clone());
        }
        if found.cvm_role {
            return Ok(Arc::new(instance_role));
        }
        if let Some((_, _, _, "tccli profile")) = &found.secret {
            expired_login(&profile).map_or(Ok(()), |e| Err(Error::configuration(e)))?;
        }
        let secret = found.secret.map(|(id, key, token, _)| {
            let c = Credentials::new(id, key);
            let c = match token {
                Some(t) => c.with_token(t),
                None => c,
            };
            Arc::new(StaticProvider::from_credentials(c)) as Arc<dyn CredentialProvider>
        });
        let chain = || -> Arc<dyn CredentialProvider> {
            if let (Some(name), false) = (&self.profile, profile.exists) {
                // Not a tccli profile: a section of tcloud's own profile file.
                return Arc::new(ProfileFileProvider::new().profile(name.clone()));
            }
            Arc::new(ChainProvider::default_builder().instance_role(instance_role.clone()).build())
        };
        let Some((arn, session)) = found.role else {
            if tke_configured() && self.secret_id.is_none() {
                return Ok(Arc::new(TkeProvider::new()));
            }
            return Ok(secret.unwrap_or_else(chain));
        };
        let base = secret.unwrap_or_else(chain);
        let mut http = HttpProfile::new();
        if let Some(path) = ca_file {
            http = http.ca_file(path);
        }
        let mut role = AssumeRoleProvider::builder_arc(base, arn, session)
            .region(region.unwrap_or(DEFAULT_STS_REGION))
            .client_profile(ClientProfile::new().http_profile(http));
        if let Some(ep) = self.sts_endpoint.clone().or_else(|| profile.service_setting("sts", "endpoint")) {
            role = role.endpoint(ep);
        }
        Ok(Arc::new(role.build()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn args(flags: &[(&str, &str)], cvm: bool) -> CredentialArgs {
        let get = |k: &str| flags.iter().find(|(n, _)| *n == k).map(|(_, v)| (*v).to_owned());
        CredentialArgs {
            profile: get("profile"),
            secret_id: get("secretId"),
            secret_key: get("secretKey"),
            token: get("token"),
            use_instance_role: cvm,
            metadata_endpoint: None,
            role_arn: get("role-arn"),
            role_session_name: get("role-session-name"),
            sts_endpoint: None,
        }
    }

    fn profile(explicit: bool, cred: serde_json::Value) -> Profile {
        let serde_json::Value::Object(credential) = cred else { unreachable!() };
        Profile { name: "p".into(), explicit, credential, exists: true, ..Profile::default() }
    }

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn tcclis_order() {
        let file = json!({"secretId": "FILE", "secretKey": "fk", "token": "ft"});
        let vars: &[(&str, &str)] = &[("TENCENTCLOUD_SECRET_ID", "ENV"), ("TENCENTCLOUD_SECRET_KEY", "ek")];
        // Flags first, the environment next (unless --profile), the profile's file last.
        let c = tccli_credentials(
            &args(&[("secretId", "FLAG"), ("secretKey", "k")], false),
            &profile(false, file.clone()),
            &env(vars),
        );
        assert_eq!(c.secret, Some(("FLAG".into(), "k".into(), None, "flags")));
        let c = tccli_credentials(&args(&[], false), &profile(false, file.clone()), &env(vars));
        assert_eq!(c.secret, Some(("ENV".into(), "ek".into(), None, "environment")));
        let c = tccli_credentials(&args(&[], false), &profile(true, file.clone()), &env(vars));
        assert_eq!(c.secret, Some(("FILE".into(), "fk".into(), Some("ft".into()), "tccli profile")));
        // Field by field: a flag's SecretId with the file's SecretKey.
        let c = tccli_credentials(&args(&[("secretId", "FLAG")], false), &profile(true, file.clone()), &env(&[]));
        assert_eq!(c.secret, Some(("FLAG".into(), "fk".into(), Some("ft".into()), "flags")));
        // TENCENTCLOUD_TOKEN is tccli's token variable.
        let vars: &[(&str, &str)] =
            &[("TENCENTCLOUD_SECRET_ID", "ENV"), ("TENCENTCLOUD_SECRET_KEY", "ek"), ("TENCENTCLOUD_TOKEN", "et")];
        let c = tccli_credentials(&args(&[], false), &profile(false, json!({})), &env(vars));
        assert_eq!(c.secret, Some(("ENV".into(), "ek".into(), Some("et".into()), "environment")));
        // Nothing: the default chain's turn.
        assert_eq!(
            tccli_credentials(&args(&[], false), &profile(false, json!({})), &env(&[])),
            TccliCredentials::default()
        );
    }

    #[test]
    fn expired_tccli_logins_are_named() {
        let p = profile(true, json!({"type": "oauth", "secretId": "a", "secretKey": "b", "expiresAt": 1}));
        assert!(expired_login(&p).unwrap().contains("tccli auth login"));
        let p =
            profile(true, json!({"type": "sso", "secretId": "a", "secretKey": "b", "expiresAt": 99_999_999_999u64}));
        assert_eq!(expired_login(&p), None);
        assert_eq!(expired_login(&profile(true, json!({"secretId": "a"}))), None);
    }

    #[test]
    fn roles_and_the_cvm_role() {
        let file = json!({"role-arn": "arn:file", "role-session-name": "s-file", "type": "cvm-role"});
        let c = tccli_credentials(&args(&[], false), &profile(false, file.clone()), &env(&[]));
        assert_eq!(c.role, Some(("arn:file".into(), "s-file".into())));
        assert!(c.cvm_role, "type cvm-role, no secret given");
        let vars: &[(&str, &str)] =
            &[("TENCENTCLOUD_ROLE_ARN", "arn:env"), ("TENCENTCLOUD_ROLE_SESSION_NAME", "s-env")];
        let c = tccli_credentials(&args(&[], false), &profile(false, file.clone()), &env(vars));
        assert_eq!(c.role, Some(("arn:env".into(), "s-env".into())));
        let c =
            tccli_credentials(&args(&[("secretId", "x"), ("secretKey", "y")], false), &profile(false, file), &env(&[]));
        assert!(!c.cvm_role, "a secret given wins over the file's cvm-role type");
        assert!(tccli_credentials(&args(&[], true), &profile(false, json!({})), &env(&[])).cvm_role);
    }
}
