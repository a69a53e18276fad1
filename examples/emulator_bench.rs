//! How fast the local emulator starts and answers: start time, first-call time of a service
//! (its schema data decompressed then), the time to load every service's schema, and the
//! throughput of a cheap action at a given concurrency, client and emulator in one process.
//!
//! ```text
//! cargo run --release -p tencentcloud-examples --example emulator_bench -- --concurrency 8 --seconds 5 [--action vpc.DescribeVpcs]
//! ```
//! Prints `emulator: start_ms=.. first_call_ms=.. schema_all_ms=.. action=.. concurrency=.. rps=.. errors=..`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use tencentcloud_emulator::{Emulator, default_test_key};
use tencentcloud_transport_std::{Client, ClientProfile, HttpProfile, ProxyConfig, StaticProvider};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.windows(2).find(|w| w[0] == name).and_then(|w| w[1].parse().ok()).unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let concurrency = arg("--concurrency", 8);
    let seconds = arg("--seconds", 5);

    let t = Instant::now();
    let emu = Emulator::builder().start().await?;
    let start_ms = t.elapsed().as_secs_f64() * 1000.0;

    let (id, key) = default_test_key();
    let http = HttpProfile::new().endpoint(emu.endpoint()).proxy(ProxyConfig::none());
    let client = Client::builder()
        .credential(StaticProvider::new(id, key))
        .region("ap-guangzhou")
        .profile(ClientProfile::new().http_profile(http))
        .build()?;
    // A cheap action the emulator answers from its documented example (or `--action svc.Action`,
    // at the service's latest version).
    let picked: &'static str =
        std::env::args().skip_while(|a| a != "--action").nth(1).unwrap_or_else(|| "vpc.DescribeVpcs".into()).leak();
    let (service, action) = picked.split_once('.').ok_or("--action: expected service.Action")?;
    let svc = tencentcloud_schema::service(service)?.ok_or("--action: unknown service")?;
    let version = svc.latest().version.as_str();
    let t = Instant::now();
    client.call_json(service, version, action, json!({})).await?;
    let first_call_ms = t.elapsed().as_secs_f64() * 1000.0;

    let t = Instant::now();
    for e in tencentcloud_schema::services() {
        e.load()?;
    }
    let schema_all_ms = t.elapsed().as_secs_f64() * 1000.0;

    let stop = Arc::new(AtomicBool::new(false));
    let (done, errors) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, stop, done, errors) = (client.clone(), stop.clone(), done.clone(), errors.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    match client.call_json(service, version, action, json!({})).await {
                        Ok(_) => done.fetch_add(1, Ordering::Relaxed),
                        Err(_) => errors.fetch_add(1, Ordering::Relaxed),
                    };
                }
            })
        })
        .collect();
    let t = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let elapsed = t.elapsed().as_secs_f64();
    for task in tasks {
        task.await?;
    }
    emu.clear_requests();
    println!(
        "emulator: start_ms={start_ms:.2} first_call_ms={first_call_ms:.2} schema_all_ms={schema_all_ms:.0} action={service}.{action} concurrency={concurrency} rps={:.0} errors={}",
        done.load(Ordering::Relaxed) as f64 / elapsed,
        errors.load(Ordering::Relaxed)
    );
    emu.shutdown().await;
    Ok(())
}
