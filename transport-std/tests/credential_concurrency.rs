//! 1,000 concurrent calls through one client whose temporary credential (STS
//! `AssumeRole`, cached) expires during the run: exactly one refresh per expiry, and no
//! call fails.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::json;
use tencentcloud_emulator::{Emulator, Verification, default_test_key};
use tencentcloud_transport_std::{
    AssumeRoleProvider, CacheConfig, Client, ClientProfile, HttpProfile, ProxyConfig, StaticProvider,
};

const CALLS: usize = 1000;
/// Calls that start together at once (the cold start: all wait for the first key).
const BURST: usize = 200;
/// The others start spread over this long, so keys living 2 to 4 s expire during the run.
/// (Keys living 1 to 2 s made calls on a heavily loaded 2-core machine outlive the key
/// between taking it and reaching the server.)
const SPREAD_MS: u64 = 6000;
/// How long the emulator's STS keys live.
const KEY_LIFETIME: Duration = Duration::from_secs(4);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_refresh_per_expiry_and_no_call_fails() {
    let emu = Emulator::builder().sts_lifetime(KEY_LIFETIME).start().await.unwrap();
    let (id, key) = default_test_key();
    let no_proxy = HttpProfile::new().proxy(ProxyConfig::none());
    let role = AssumeRoleProvider::builder(StaticProvider::new(id, key), "qcs::cam::uin/1:roleName/load", "load")
        .endpoint(emu.endpoint())
        .client_profile(ClientProfile::new().http_profile(no_proxy.clone()))
        .cache_config(CacheConfig::new().refresh_timeout(Duration::from_secs(5)))
        .build()
        .unwrap();
    let client = Client::builder()
        .credential(role.clone())
        .region("ap-guangzhou")
        .profile(ClientProfile::new().http_profile(no_proxy.endpoint(emu.endpoint())))
        .build()
        .unwrap();

    let started = std::time::Instant::now();
    let tasks: Vec<_> = (0..CALLS)
        .map(|i| {
            let client = client.clone();
            let delay = if i < BURST { 0 } else { (i - BURST) as u64 * SPREAD_MS / (CALLS - BURST) as u64 };
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(delay)).await;
                client.call_json("cvm", "2017-03-12", "DescribeRegions", json!({})).await
            })
        })
        .collect();
    let mut failures = Vec::new();
    for t in tasks {
        if let Err(e) = t.await.unwrap() {
            failures.push(e.to_string());
        }
    }
    assert!(failures.is_empty(), "{} calls failed, e.g. {:?}", failures.len(), failures.first());
    let elapsed = started.elapsed();

    let requests = emu.requests();
    let api: Vec<_> = requests.iter().filter(|r| r.action.as_deref() == Some("DescribeRegions")).collect();
    let sts: Vec<_> = requests.iter().filter(|r| r.action.as_deref() == Some("AssumeRole")).collect();
    assert_eq!(api.len(), CALLS);
    let mut keys_used = BTreeSet::new();
    for r in &api {
        match &r.verification {
            Verification::Verified { secret_id, temporary: true } => keys_used.insert(secret_id.clone()),
            other => panic!("call not verified with a temporary key: {other:?}"),
        };
    }
    assert!(keys_used.len() >= 2, "the key should have expired during the run ({elapsed:?})");
    // Each refresh minted one key, every key but possibly the newest was used, and no
    // two refreshes served the same expiry (they are at least half a life apart).
    assert!(
        sts.len() == keys_used.len() || sts.len() == keys_used.len() + 1,
        "{} refreshes for {} keys used",
        sts.len(),
        keys_used.len()
    );
    assert!(sts.iter().all(|r| r.status == Some(200) && r.error_code.is_none()));
    for pair in sts.windows(2) {
        let gap = pair[1].received_at_ms - pair[0].received_at_ms;
        assert!(gap >= 450, "two refreshes {gap} ms apart");
    }
    assert_eq!(role.cache().refresh_count() as usize, sts.len());
    eprintln!("{CALLS} calls in {elapsed:?}: {} refreshes, {} keys used", sts.len(), keys_used.len());
}
