//! Credential providers, following the credential section of the official SDK README
//! ("凭证管理"): 1. environment variables, 2. profile file, 3. role (STS AssumeRole),
//! 4. CVM instance role, 5. TKE OIDC, 6. the provider chain (default and custom).
//!
//! `cargo run -p tencentcloud-examples --example credential_providers`
//!
//! First it asks the default chain what this machine has; if it finds credentials it
//! makes one real call with them. Then every provider is shown against the built-in
//! local emulator (its STS and instance-metadata endpoints, with in-memory environment
//! and files), so the example runs offline.

use std::time::Duration;

use tencentcloud_emulator::{Emulator, RunningEmulator, Verification, default_test_key};
use tencentcloud_transport_std::{
    AssumeRoleProvider, ChainProvider, Client, ClientProfile, CredentialProvider, Env, EnvProvider, Fs, HttpProfile,
    InstanceRoleProvider, ProfileFileProvider, StaticProvider, TkeProvider,
};

type BoxError = Box<dyn std::error::Error>;

/// Calls `DescribeRegions` on the emulator with `provider`, and says which key signed it.
async fn demo(emu: &RunningEmulator, title: &str, provider: impl CredentialProvider + 'static) -> Result<(), BoxError> {
    let profile = ClientProfile::new().http_profile(HttpProfile::new().endpoint(emu.endpoint()));
    let client = Client::builder().credential(provider).region("ap-guangzhou").profile(profile).build()?;
    let regions = client.call_json("cvm", "2017-03-12", "DescribeRegions", serde_json::json!({})).await?;
    let signed_by = match emu.requests().pop().map(|r| r.verification) {
        Some(Verification::Verified { secret_id, temporary: true }) => format!("temporary key {secret_id} + token"),
        Some(Verification::Verified { secret_id, .. }) => format!("permanent key {secret_id}"),
        other => format!("{other:?}"),
    };
    println!("{title}: {} regions, signed with a {signed_by}", regions["TotalCount"]);
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    // 0. What the default chain finds on this machine (environment, profile file, CVM
    //    instance role, TKE): the client's default credential source.
    let chain = ChainProvider::default_chain();
    match chain.credential().await {
        Ok(_) => {
            println!(
                "The default chain found credentials ({}): calling Tencent Cloud.",
                chain.selected().unwrap_or("?")
            );
            let client = Client::builder().credential(chain.clone()).region("ap-guangzhou").build()?;
            let regions = client.call_json("cvm", "2017-03-12", "DescribeRegions", serde_json::json!({})).await?;
            println!("Tencent Cloud: {} regions", regions["TotalCount"]);
        }
        // Nothing configured, or something configured but broken: the error says which
        // providers were tried and why.
        Err(e) => println!("The default chain has no credentials here: {e}"),
    }

    let emu = Emulator::builder().metadata_role("demo-cvm-role").start().await?;
    let (id, key) = default_test_key();
    println!("\nEvery provider against the local API emulator at {}:", emu.endpoint());

    // 1. Environment variables: TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY and the
    //    optional TENCENTCLOUD_SESSION_TOKEN. `EnvProvider::new()` reads the process
    //    environment; here an in-memory one.
    let env = Env::from_slice(&[("TENCENTCLOUD_SECRET_ID", id), ("TENCENTCLOUD_SECRET_KEY", key)]);
    demo(&emu, "1. environment", EnvProvider::with_env(env)).await?;

    // 2. Profile file: TENCENTCLOUD_CREDENTIALS_FILE, else ~/.tencentcloud/credentials,
    //    else /etc/tencentcloud/credentials; section [default] or TENCENTCLOUD_PROFILE.
    //    `ProfileFileProvider::new()` reads the real files.
    let ini = format!("[default]\nsecret_id = {id}\nsecret_key = {key}\n");
    let files = Fs::from_slice(&[("/home/demo/.tencentcloud/credentials", ini.as_str())]);
    let profile = ProfileFileProvider::with_env_fs(Env::from_slice(&[("HOME", "/home/demo")]), files);
    demo(&emu, "2. profile file", profile).await?;

    // 3. Role: STS AssumeRole with another provider's credentials; the temporary
    //    credentials are cached and refreshed before they expire.
    let role = AssumeRoleProvider::builder(
        StaticProvider::new(id, key),
        "qcs::cam::uin/100000000001:roleName/demo-role",
        "demo-session",
    )
    .duration(Duration::from_secs(900))
    .endpoint(emu.endpoint()) // default: sts.tencentcloudapi.com
    .build()?;
    demo(&emu, "3. role (AssumeRole)", role).await?;

    // 4. Instance role: the CAM role bound to this CVM instance, from the metadata
    //    service (the role name is discovered).
    let instance = InstanceRoleProvider::new().endpoint(emu.endpoint()); // default: http://metadata.tencentyun.com
    demo(&emu, "4. instance role", instance).await?;

    // 5. TKE OIDC: TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE, TKE_ROLE_ARN
    //    (set in the pod); the token file is read again on every refresh.
    let tke_env = Env::from_slice(&[
        ("TKE_REGION", "ap-guangzhou"),
        ("TKE_PROVIDER_ID", "tke-oidc-provider"),
        ("TKE_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/tke/token"),
        ("TKE_ROLE_ARN", "qcs::cam::uin/100000000001:roleName/demo-pod"),
    ]);
    let token = Fs::from_slice(&[("/var/run/secrets/tke/token", "eyJhbGciOiJSUzI1NiJ9.demo.token")]);
    demo(&emu, "5. TKE OIDC", TkeProvider::with_env_fs(tke_env, token).endpoint(emu.endpoint())).await?;

    // 6. The provider chain: environment -> profile file -> instance role -> TKE; the
    //    first configured provider wins ("not configured" moves on, "configured but
    //    broken" stops with an explanation).
    let default_chain = ChainProvider::default_builder()
        .env(Env::from_slice(&[]))
        .fs(Fs::from_slice(&[]))
        .instance_role(InstanceRoleProvider::new().endpoint(emu.endpoint()))
        .build();
    demo(&emu, "6. default chain", default_chain.clone()).await?;
    println!("   (it chose: {})", default_chain.selected().unwrap_or("?"));

    //    A custom chain, in your own order.
    let custom = ChainProvider::new()
        .with("instance role", InstanceRoleProvider::new().endpoint(emu.endpoint()))
        .with("environment", EnvProvider::new());
    demo(&emu, "6. custom chain", custom).await?;

    //    And what a chain says when it finds nothing.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let empty = ChainProvider::default_builder()
        .env(Env::from_slice(&[]))
        .fs(Fs::from_slice(&[]))
        .instance_role(InstanceRoleProvider::new().endpoint(format!("http://{closed}")))
        .build();
    if let Err(e) = empty.credential().await {
        println!("   an empty environment: {e}");
    }
    Ok(())
}
