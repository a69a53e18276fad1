//! Shared pieces of the examples: where to send calls (Tencent Cloud when credentials
//! are set, else the built-in local emulator) and typed CVM models.
//!
//! Every example runs offline: without `TENCENTCLOUD_SECRET_ID`/`TENCENTCLOUD_SECRET_KEY`
//! it starts [`tencentcloud_emulator`] in-process, says so, and makes the same calls
//! through the real client against it.

use tencentcloud_emulator::{Emulator, RunningEmulator, default_test_key};
use tencentcloud_transport_std::{ClientProfile, CredentialProvider, EnvProvider, HttpProfile, StaticProvider};

pub mod cvm;

/// Where the example's calls go.
pub struct Target {
    /// The credential provider to use.
    pub credential: Box<dyn FnOnce() -> std::sync::Arc<dyn CredentialProvider>>,
    /// A profile pointing at the emulator when it is used (else the default endpoints).
    pub profile: ClientProfile,
    /// The emulator, if no credentials were set (kept alive for the example's duration).
    pub emulator: Option<RunningEmulator>,
}

/// Whether real credentials are configured in the environment.
pub fn has_env_credentials() -> bool {
    let set = |k: &str| std::env::var(k).is_ok_and(|v| !v.is_empty());
    set("TENCENTCLOUD_SECRET_ID") && set("TENCENTCLOUD_SECRET_KEY")
}

/// Tencent Cloud with the environment's credentials, or the local emulator.
pub async fn target(profile: ClientProfile) -> std::io::Result<Target> {
    if has_env_credentials() {
        println!("Using TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY: calling Tencent Cloud.");
        return Ok(Target {
            credential: Box::new(|| std::sync::Arc::new(EnvProvider::new())),
            profile,
            emulator: None,
        });
    }
    let emulator = Emulator::builder().start().await?;
    println!(
        "No TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY set: using the built-in local API emulator at {}.",
        emulator.endpoint()
    );
    let mut profile = profile;
    let http: &mut HttpProfile = profile.http_mut();
    *http = http.clone().endpoint(emulator.endpoint());
    let (id, key) = default_test_key();
    Ok(Target {
        credential: Box::new(move || std::sync::Arc::new(StaticProvider::new(id, key))),
        profile,
        emulator: Some(emulator),
    })
}
