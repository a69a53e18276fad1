//! Where `tcloud` gets its credentials: the default chain (environment, profile file,
//! CVM instance role, TKE), or a profile, or the instance role; optionally a role
//! assumed with them.

use std::path::Path;
use std::sync::Arc;

use clap::Args;
use tencentcloud_transport_std::{
    AssumeRoleProvider, ChainProvider, ClientProfile, CredentialProvider, DEFAULT_STS_REGION, Error, HttpProfile,
    InstanceRoleProvider, ProfileFileProvider,
};

/// The credential flags shared by `tcloud call` and `tcloud sign`.
#[derive(Debug, Args)]
pub struct CredentialArgs {
    /// Use this section of the profile file (TENCENTCLOUD_CREDENTIALS_FILE or
    /// ~/.tencentcloud/credentials) instead of the default chain.
    #[arg(long, value_name = "NAME", conflicts_with = "use_instance_role")]
    pub profile: Option<String>,
    /// Use the CVM instance role (from the metadata service) instead of the default chain.
    #[arg(long)]
    pub use_instance_role: bool,
    /// The instance metadata service address (default http://metadata.tencentyun.com);
    /// also used by the default chain's instance role.
    #[arg(long, value_name = "URL")]
    pub metadata_endpoint: Option<String>,
    /// Assume this CAM role with the credentials found, then call with its temporary
    /// credentials and token.
    #[arg(long, value_name = "ARN", requires = "role_session_name")]
    pub role_arn: Option<String>,
    /// The session name of the assumed role.
    #[arg(long, value_name = "NAME", requires = "role_arn")]
    pub role_session_name: Option<String>,
    /// The STS endpoint for --role-arn (default https://sts.tencentcloudapi.com).
    #[arg(long, value_name = "URL", requires = "role_arn")]
    pub sts_endpoint: Option<String>,
}

impl CredentialArgs {
    /// The provider these flags describe. `region` is the STS region for `--role-arn`
    /// (default ap-guangzhou); `ca_file` is trusted by the STS client too.
    pub fn provider(&self, region: Option<&str>, ca_file: Option<&Path>) -> Result<Arc<dyn CredentialProvider>, Error> {
        let mut instance_role = InstanceRoleProvider::new();
        if let Some(ep) = &self.metadata_endpoint {
            instance_role = instance_role.endpoint(ep.clone());
        }
        let base: Arc<dyn CredentialProvider> = if self.use_instance_role {
            Arc::new(instance_role)
        } else if let Some(name) = &self.profile {
            Arc::new(ProfileFileProvider::new().profile(name.clone()))
        } else {
            Arc::new(ChainProvider::default_builder().instance_role(instance_role).build())
        };
        let (Some(arn), Some(session)) = (&self.role_arn, &self.role_session_name) else {
            return Ok(base);
        };
        let mut http = HttpProfile::new();
        if let Some(path) = ca_file {
            http = http.ca_file(path);
        }
        let mut role = AssumeRoleProvider::builder_arc(base, arn.clone(), session.clone())
            .region(region.unwrap_or(DEFAULT_STS_REGION))
            .client_profile(ClientProfile::new().http_profile(http));
        if let Some(ep) = &self.sts_endpoint {
            role = role.endpoint(ep.clone());
        }
        Ok(Arc::new(role.build()?))
    }
}
