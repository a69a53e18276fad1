//! The region breaker: after repeated network failures or `InternalError`s in a region
//! the client sends to a backup endpoint for a while, then probes the region again.
//!
//! `cargo run -p tencentcloud-examples --example region_breaker`

use std::time::Duration;

use tencentcloud_emulator::Emulator;
use tencentcloud_examples::target;
use tencentcloud_transport_std::{BreakerConfig, ClientProfile};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut target = target(ClientProfile::new()).await?;
    let mut breaker = BreakerConfig::default().open_duration(Duration::from_secs(2));
    // Offline, a second emulator plays the backup region.
    let backup = match &target.emulator {
        Some(_) => Some(Emulator::builder().start().await?),
        None => None,
    };
    if let Some(b) = &backup {
        breaker = breaker.backup_endpoint(b.endpoint());
    }
    target.profile = target.profile.region_breaker(breaker);
    let client = target.client("ap-guangzhou")?;

    if let Some(primary) = &target.emulator {
        primary.set_down_with(Some(tencentcloud_emulator::Fault::InternalError));
    }
    for i in 1..=8 {
        let r = client.call_json("cvm", "2017-03-12", "DescribeZones", serde_json::json!({})).await;
        println!(
            "call {i}: {:<40} breaker: {:?}",
            r.map(|_| "ok".to_string()).unwrap_or_else(|e| e.to_string()),
            client.breaker_state()
        );
    }
    if let Some(primary) = &target.emulator {
        primary.set_down_with(None);
        tokio::time::sleep(Duration::from_secs(2)).await;
        for i in 9..=14 {
            let r = client.call_json("cvm", "2017-03-12", "DescribeZones", serde_json::json!({})).await;
            println!("call {i}: {:<40} breaker: {:?}", if r.is_ok() { "ok" } else { "error" }, client.breaker_state());
        }
    }
    Ok(())
}
