//! The credential providers against the emulator's STS and instance-metadata
//! endpoints: AssumeRole, web identity / TKE, the instance role, the default chain, and
//! the cache (expiry-driven refresh, a failing refresh while the old credential is still
//! valid, a token file that changes between refreshes).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde_json::json;
use tencentcloud_emulator::{Emulator, Fault, RecordedRequest, RunningEmulator, Verification, default_test_key};
use tencentcloud_transport_std::{
    AssumeRoleBuilder, AssumeRoleProvider, CacheConfig, ChainProvider, Client, ClientProfile, CredentialErrorKind,
    CredentialFuture, CredentialProvider, Credentials, Env, Fs, HttpProfile, InstanceRoleProvider, ProxyConfig,
    StaticProvider, TkeProvider, WebIdentityProvider,
};

const ROLE_ARN: &str = "qcs::cam::uin/100000000001:roleName/test-role";

fn no_proxy() -> ClientProfile {
    ClientProfile::new().http_profile(HttpProfile::new().proxy(ProxyConfig::none()))
}

fn api_client(emu: &RunningEmulator, provider: impl CredentialProvider + 'static) -> Client {
    let profile =
        ClientProfile::new().http_profile(HttpProfile::new().endpoint(emu.endpoint()).proxy(ProxyConfig::none()));
    Client::builder().credential(provider).region("ap-guangzhou").profile(profile).build().unwrap()
}

/// Calls `DescribeRegions` and returns the SecretId the emulator saw (verified).
async fn call(emu: &RunningEmulator, client: &Client) -> String {
    client.call_json("cvm", "2017-03-12", "DescribeRegions", json!({})).await.unwrap();
    let last = emu.requests().into_iter().rev().find(|r| r.action.as_deref() == Some("DescribeRegions")).unwrap();
    match last.verification {
        Verification::Verified { secret_id, temporary: true } => secret_id,
        other => panic!("not verified as temporary: {other:?}"),
    }
}

fn by_action(emu: &RunningEmulator, action: &str) -> Vec<RecordedRequest> {
    emu.requests().into_iter().filter(|r| r.action.as_deref() == Some(action)).collect()
}

fn metadata_requests(emu: &RunningEmulator) -> Vec<RecordedRequest> {
    emu.requests().into_iter().filter(|r| r.path.starts_with("/latest/")).collect()
}

fn fast_cache() -> CacheConfig {
    CacheConfig::new().jitter(Duration::ZERO).failure_backoff(Duration::from_millis(100))
}

/// Sleeps until `at` (wall clock).
async fn sleep_until(at: SystemTime) {
    if let Ok(d) = at.duration_since(SystemTime::now()) {
        tokio::time::sleep(d).await;
    }
}

fn temp_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("tencentcloud-rs-test-{}-{name}", std::process::id()))
}

#[tokio::test]
async fn assume_role_signs_with_the_source_and_caches() {
    let emu = Emulator::builder().start().await.unwrap();
    let (id, key) = default_test_key();
    let role = AssumeRoleProvider::builder(StaticProvider::new(id, key), ROLE_ARN, "session-1")
        .duration(Duration::from_secs(900))
        .endpoint(emu.endpoint())
        .client_profile(no_proxy())
        .build()
        .unwrap();
    let client = api_client(&emu, role.clone());
    let first = call(&emu, &client).await;
    assert_eq!(call(&emu, &client).await, first, "cached: the same temporary key");

    let sts = by_action(&emu, "AssumeRole");
    assert_eq!(sts.len(), 1);
    let r = &sts[0];
    assert_eq!(r.verification, Verification::Verified { secret_id: id.into(), temporary: false });
    assert_eq!(r.version.as_deref(), Some("2018-08-13"));
    assert_eq!(r.region.as_deref(), Some("ap-guangzhou"));
    assert_eq!(
        r.params.as_ref().unwrap(),
        &json!({"RoleArn": ROLE_ARN, "RoleSessionName": "session-1", "DurationSeconds": 900})
    );
    assert_eq!(role.cache().refresh_count(), 1);
    let debug = format!("{role:?}");
    assert!(debug.contains(ROLE_ARN) && debug.contains(&first), "{debug}");

    // STS refusing the source credential: a credential error naming the role, not the key.
    let bad = AssumeRoleProvider::builder(StaticProvider::new(id, "wrong-secret-key"), ROLE_ARN, "session-1")
        .endpoint(emu.endpoint())
        .client_profile(no_proxy())
        .build()
        .unwrap();
    let e = api_client(&emu, bad).call_json("cvm", "2017-03-12", "DescribeRegions", json!({})).await.unwrap_err();
    assert_eq!(e.credential_kind(), Some(CredentialErrorKind::Unavailable));
    let text = e.to_string();
    assert!(
        text.starts_with(&format!("credential error: STS AssumeRole for {ROLE_ARN}: AuthFailure.SignatureFailure")),
        "{text}"
    );
    assert!(!text.contains("wrong-secret-key"));
}

/// The role through the emulator's STS, refreshed on the fast test schedule.
fn cached_role(emu: &RunningEmulator, builder: AssumeRoleBuilder) -> AssumeRoleProvider {
    builder.endpoint(emu.endpoint()).client_profile(no_proxy()).cache_config(fast_cache()).build().unwrap()
}

#[tokio::test]
async fn expiry_driven_refresh() {
    // Minted keys live 2 s (ExpiredTime is rounded down: 1 to 2 s as seen).
    let emu = Emulator::builder().sts_lifetime(Duration::from_secs(2)).start().await.unwrap();
    let (id, key) = default_test_key();
    let role = cached_role(&emu, AssumeRoleProvider::builder(StaticProvider::new(id, key), ROLE_ARN, "refresh"));
    let client = api_client(&emu, role.clone());
    let a = call(&emu, &client).await;
    let expiry = role.cache().expires_at().unwrap();

    // Past the expiry, the next call waits for a new key.
    sleep_until(expiry).await;
    let b = call(&emu, &client).await;
    assert_ne!(a, b);

    // Calls every 100 ms for 2.5 s: a background refresh half-way through each life.
    let mut used = vec![b];
    for _ in 0..25 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let id = call(&emu, &client).await;
        if used.last() != Some(&id) {
            used.push(id);
        }
    }
    let sts = by_action(&emu, "AssumeRole");
    assert!(used.len() >= 2, "{used:?}");
    // Every refresh produced a key that was used (at most the last one not yet), and
    // refreshes are spaced by at least half a life: exactly one refresh per expiry.
    assert!(
        sts.len() == used.len() + 1 || sts.len() == used.len() + 2,
        "{} refreshes, {} keys used",
        sts.len(),
        used.len()
    );
    for pair in sts.windows(2) {
        let gap = pair[1].received_at_ms - pair[0].received_at_ms;
        assert!(gap >= 450, "refreshes {gap} ms apart");
    }
}

/// A source whose credentials can be swapped (to make STS refuse them for a while).
struct Switchable(Mutex<Credentials>);

impl CredentialProvider for Switchable {
    fn credential(&self) -> CredentialFuture<'_> {
        let c = self.0.lock().unwrap().clone();
        Box::pin(async move { Ok(c) })
    }
}

#[tokio::test]
async fn failing_sts_refresh_keeps_the_valid_credential() {
    let emu = Emulator::builder().sts_lifetime(Duration::from_secs(4)).start().await.unwrap();
    let (id, key) = default_test_key();
    let source = Arc::new(Switchable(Mutex::new(Credentials::new(id, key))));
    let role = cached_role(&emu, AssumeRoleProvider::builder_arc(source.clone(), ROLE_ARN, "failing"));
    let client = api_client(&emu, role.clone());
    let a = call(&emu, &client).await;
    let expiry = role.cache().expires_at().unwrap();

    // STS now refuses the source: refreshes fail, calls keep using `a` while it is valid.
    *source.0.lock().unwrap() = Credentials::new(id, "revoked-secret-key");
    sleep_until(expiry - Duration::from_millis(1500)).await; // past half-life, still usable
    for _ in 0..6 {
        assert_eq!(call(&emu, &client).await, a);
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    let refused: Vec<_> = by_action(&emu, "AssumeRole").into_iter().skip(1).collect();
    assert!(!refused.is_empty(), "a refresh was attempted");
    assert!(refused.iter().all(|r| r.error_code.as_deref() == Some("AuthFailure.SignatureFailure")), "{refused:?}");
    // Backoff: not one refresh per call.
    assert!(refused.len() <= 4, "{} refreshes for 6 calls", refused.len());

    // STS accepts the source again: the next refresh succeeds, before `a` expires.
    *source.0.lock().unwrap() = Credentials::new(id, key);
    tokio::time::sleep(Duration::from_millis(150)).await;
    call(&emu, &client).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let b = call(&emu, &client).await;
    assert_ne!(a, b);
    assert!(SystemTime::now() < expiry, "the refresh happened before the old key expired");
}

#[tokio::test]
async fn instance_role_discovery_refresh_and_faults() {
    let emu = Emulator::builder().metadata_role("cvm-role").sts_lifetime(Duration::from_secs(4)).start().await.unwrap();
    let provider = InstanceRoleProvider::new().endpoint(emu.endpoint()).cache_config(fast_cache());
    let client = api_client(&emu, provider.clone());
    let a = call(&emu, &client).await;
    let paths: Vec<String> = metadata_requests(&emu).into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        ["/latest/meta-data/cam/security-credentials/", "/latest/meta-data/cam/security-credentials/cvm-role"]
    );
    assert_eq!(call(&emu, &client).await, a);
    assert_eq!(metadata_requests(&emu).len(), 2, "cached");

    // A failing refresh (the metadata service answers 500) while `a` is still valid.
    sleep_until(SystemTime::now() + Duration::from_millis(2100)).await; // past half of the (3..4 s) life
    emu.push_metadata_fault(Fault::Http500);
    emu.push_metadata_fault(Fault::Http500);
    for _ in 0..5 {
        assert_eq!(call(&emu, &client).await, a);
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    let faulted = metadata_requests(&emu).into_iter().filter(|r| r.fault.is_some()).count();
    assert_eq!(faulted, 2, "two failed refreshes");
    // Faults used up: the next refresh succeeds before `a` expires.
    let mut b = a.clone();
    for _ in 0..10 {
        b = call(&emu, &client).await;
        if b != a {
            break;
        }
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    assert_ne!(a, b);

    // An explicit role skips discovery; an unknown one is an error, not "not configured".
    emu.clear_requests();
    let explicit = InstanceRoleProvider::new().endpoint(emu.endpoint()).role("cvm-role");
    call(&emu, &api_client(&emu, explicit)).await;
    assert_eq!(metadata_requests(&emu).len(), 1);
    let unknown = InstanceRoleProvider::new().endpoint(emu.endpoint()).role("other-role");
    let e = unknown.credential().await.unwrap_err();
    assert_eq!(e.credential_kind(), Some(CredentialErrorKind::Unavailable));
    assert!(e.to_string().contains("role other-role: the metadata service answered HTTP 404"), "{e}");

    // Discovery failing with 500 is "unavailable" (there is a metadata service).
    emu.push_metadata_fault(Fault::Http500);
    let e = InstanceRoleProvider::new().endpoint(emu.endpoint()).credential().await.unwrap_err();
    assert_eq!(e.credential_kind(), Some(CredentialErrorKind::Unavailable), "{e}");

    // Nothing listening: not configured. A stalled answer too, after the time limit.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let e = InstanceRoleProvider::new().endpoint(format!("http://{closed}")).credential().await.unwrap_err();
    assert!(e.is_not_configured(), "{e}");
    emu.push_metadata_fault(Fault::Delay(Duration::from_secs(2)));
    let started = std::time::Instant::now();
    let slow = InstanceRoleProvider::new().endpoint(emu.endpoint()).timeout(Duration::from_millis(200));
    let e = slow.credential().await.unwrap_err();
    assert!(e.is_not_configured() && e.to_string().contains("timed out"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(1));
}

fn tke_env(token_file: &str) -> Env {
    Env::from_slice(&[
        ("TKE_REGION", "ap-shanghai"),
        ("TKE_PROVIDER_ID", "tke-oidc-provider"),
        ("TKE_WEB_IDENTITY_TOKEN_FILE", token_file),
        ("TKE_ROLE_ARN", ROLE_ARN),
    ])
}

#[tokio::test]
async fn tke_rereads_a_rotated_token_file() {
    let emu = Emulator::builder().sts_lifetime(Duration::from_secs(2)).start().await.unwrap();
    let path = temp_path("tke-token");
    std::fs::write(&path, "jwt-one\n").unwrap();
    let tke = TkeProvider::with_env_fs(tke_env(path.to_str().unwrap()), Fs::real())
        .endpoint(emu.endpoint())
        .client_profile(no_proxy())
        .session_name("pod-session")
        .cache_config(fast_cache());
    let client = api_client(&emu, tke.clone());
    let a = call(&emu, &client).await;

    // The token rotates; the next refresh sends the new one.
    std::fs::write(&path, "jwt-two").unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await; // past the expiry
    let b = call(&emu, &client).await;
    assert_ne!(a, b);
    let sts = by_action(&emu, "AssumeRoleWithWebIdentity");
    assert_eq!(sts.len(), 2);
    for (r, token) in sts.iter().zip(["jwt-one", "jwt-two"]) {
        assert_eq!(r.verification, Verification::Skipped);
        assert_eq!(r.header("authorization"), Some("SKIP"));
        assert_eq!(r.region.as_deref(), Some("ap-shanghai"));
        let p = r.params.as_ref().unwrap();
        assert_eq!(p["WebIdentityToken"], token);
        assert_eq!(p["ProviderId"], "tke-oidc-provider");
        assert_eq!(p["RoleArn"], ROLE_ARN);
        assert_eq!(p["RoleSessionName"], "pod-session");
    }
    assert!(!format!("{tke:?}").contains("jwt-"));

    // The file gone: configured but broken.
    std::fs::remove_file(&path).unwrap();
    let fresh = TkeProvider::with_env_fs(tke_env(path.to_str().unwrap()), Fs::real()).endpoint(emu.endpoint());
    let e = fresh.credential().await.unwrap_err();
    assert_eq!(e.credential_kind(), Some(CredentialErrorKind::Unavailable), "{e}");
}

#[tokio::test]
async fn web_identity_with_a_given_token() {
    let emu = Emulator::builder().start().await.unwrap();
    let p = WebIdentityProvider::builder("ap-guangzhou", "oidc", ROLE_ARN)
        .token("jwt-fixed")
        .endpoint(emu.endpoint())
        .client_profile(no_proxy())
        .duration(Duration::from_secs(3600))
        .build()
        .unwrap();
    call(&emu, &api_client(&emu, p)).await;
    let sts = by_action(&emu, "AssumeRoleWithWebIdentity");
    assert_eq!(sts[0].params.as_ref().unwrap()["DurationSeconds"], 3600);
    assert!(sts[0].params.as_ref().unwrap()["RoleSessionName"].as_str().unwrap().starts_with("tencentcloud-rs-"));

    // Token file through an in-memory file system.
    let p = WebIdentityProvider::builder("ap-guangzhou", "oidc", ROLE_ARN)
        .token_file("/var/run/token")
        .fs(Fs::from_slice(&[("/var/run/token", "jwt-from-fs")]))
        .endpoint(emu.endpoint())
        .client_profile(no_proxy())
        .build()
        .unwrap();
    p.credential().await.unwrap();
    assert_eq!(
        by_action(&emu, "AssumeRoleWithWebIdentity")[1].params.as_ref().unwrap()["WebIdentityToken"],
        "jwt-from-fs"
    );
}

#[tokio::test]
async fn default_chain_falls_through_to_the_instance_role_then_tke() {
    let emu = Emulator::builder().start().await.unwrap();
    // Nothing in the environment or the files: the instance role answers.
    let chain = ChainProvider::default_builder()
        .env(Env::from_slice(&[("HOME", "/home/none")]))
        .fs(Fs::from_slice(&[]))
        .instance_role(InstanceRoleProvider::new().endpoint(emu.endpoint()))
        .build();
    call(&emu, &api_client(&emu, chain.clone())).await;
    assert_eq!(chain.selected(), Some("instance role"));

    // Not on CVM (nothing listening), TKE configured: TKE answers.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let env = tke_env("/var/run/tke/token");
    let fs = Fs::from_slice(&[("/var/run/tke/token", "jwt-chain")]);
    let chain = ChainProvider::default_builder()
        .env(env.clone())
        .fs(fs.clone())
        .instance_role(InstanceRoleProvider::new().endpoint(format!("http://{closed}")))
        .tke(TkeProvider::with_env_fs(env, fs).endpoint(emu.endpoint()).client_profile(no_proxy()))
        .build();
    call(&emu, &api_client(&emu, chain.clone())).await;
    assert_eq!(chain.selected(), Some("TKE OIDC"));

    // The profile file, with a section chosen by name.
    let (emu_id, emu_key) = tencentcloud_emulator::default_test_key();
    let file = format!(
        "[default]\nsecret_id = AKIDWRONG\nsecret_key = wrong\n\n[emu]\nsecret_id = {emu_id}\nsecret_key = {emu_key}\n"
    );
    let chain = ChainProvider::default_builder()
        .env(Env::from_slice(&[("HOME", "/h")]))
        .fs(Fs::from_slice(&[("/h/.tencentcloud/credentials", file.as_str())]))
        .profile("emu")
        .instance_role(InstanceRoleProvider::new().endpoint(emu.endpoint()))
        .build();
    emu.clear_requests();
    api_client(&emu, chain.clone()).call_json("cvm", "2017-03-12", "DescribeRegions", json!({})).await.unwrap();
    assert_eq!(chain.selected(), Some("profile file"));
    assert!(metadata_requests(&emu).is_empty(), "the chain stopped before the instance role");
}

#[path = "support/log_capture.rs"]
mod log_capture;
use log_capture::Capture;

#[tokio::test]
async fn refreshes_never_log_secrets() {
    let capture = Capture::default();
    let subscriber = capture.subscriber();
    let _guard = tracing::subscriber::set_default(subscriber);

    let emu = Emulator::builder().start().await.unwrap();
    let (id, key) = default_test_key();
    let role = AssumeRoleProvider::builder(StaticProvider::new(id, key), ROLE_ARN, "logs")
        .endpoint(emu.endpoint())
        .client_profile(no_proxy())
        .build()
        .unwrap();
    call(&emu, &api_client(&emu, role.clone())).await;
    let web = WebIdentityProvider::builder("ap-guangzhou", "oidc", ROLE_ARN)
        .token("jwt-secret-do-not-log")
        .endpoint(emu.endpoint())
        .client_profile(no_proxy())
        .build()
        .unwrap();
    let tmp = web.credential().await.unwrap();
    let assumed = role.credential().await.unwrap();

    let logs = capture.text();
    assert!(logs.contains("AssumeRole") && logs.contains("credential refreshed"), "{logs}");
    for secret in [key, "jwt-secret-do-not-log", tmp.secret_key(), tmp.token().unwrap()]
        .into_iter()
        .chain([assumed.secret_key(), assumed.token().unwrap()])
    {
        assert!(!logs.contains(secret), "{secret} leaked into the logs");
    }
    let shown = format!("{role:?} {web:?} {tmp:?} {assumed:?}");
    assert!(!shown.contains(assumed.secret_key()) && !shown.contains(tmp.token().unwrap()), "{shown}");
}
