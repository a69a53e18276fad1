//! Load benchmark: the SDK against a bare reqwest client on the same endpoint.
//!
//! `cargo run --release -p tencentcloud-examples --example load -- --endpoint URL --concurrency N --seconds S`
//!
//! Prints `rps=.. p50_us=.. p99_us=.. cpu_us_per_call=.. baseline_rps=.. ratio=..`. The
//! baseline is a bare reqwest client POSTing the same body with no signing and no
//! parsing. Without `--endpoint` it runs against the in-process emulator (which then
//! shares the CPU with the client: use an external server such as a loopback nginx
//! returning a fixed envelope for meaningful figures).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tencentcloud_emulator::{Emulator, default_test_key};
use tencentcloud_transport_std::{Client, ClientProfile, HttpProfile, StaticProvider};

const BODY: &str = r#"{"Limit":1}"#;

struct Args {
    endpoint: Option<String>,
    concurrency: usize,
    seconds: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { endpoint: None, concurrency: 8, seconds: 5 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--endpoint" => args.endpoint = Some(value()?),
            "--concurrency" => args.concurrency = value()?.parse().map_err(|e| format!("--concurrency: {e}"))?,
            "--seconds" => args.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.concurrency == 0 || args.seconds == 0 {
        return Err("--concurrency and --seconds must be positive".into());
    }
    Ok(args)
}

/// This process's user + system CPU time, from /proc (Linux).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, r)| r.split_whitespace().collect()).unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    // utime and stime are fields 14 and 15 of the line; 12 and 13 after the command name.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

struct Run {
    calls: usize,
    elapsed: Duration,
    cpu: Duration,
    latencies_us: Vec<u64>,
}

/// Runs `concurrency` loops of `call` for `seconds`.
async fn run<F, Fut>(concurrency: usize, seconds: u64, call: F) -> Run
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), String>> + Send,
{
    let call = Arc::new(call);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let (start, cpu0) = (Instant::now(), cpu_time());
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let call = call.clone();
            tokio::spawn(async move {
                let mut lat = Vec::new();
                while Instant::now() < deadline {
                    let t = Instant::now();
                    if let Err(e) = call().await {
                        eprintln!("call failed: {e}");
                        break;
                    }
                    lat.push(t.elapsed().as_micros() as u64);
                }
                lat
            })
        })
        .collect();
    let mut latencies_us = Vec::new();
    for t in tasks {
        latencies_us.extend(t.await.unwrap_or_default());
    }
    let (elapsed, cpu) = (start.elapsed(), cpu_time().saturating_sub(cpu0));
    latencies_us.sort_unstable();
    Run { calls: latencies_us.len(), elapsed, cpu, latencies_us }
}

impl Run {
    fn add(&mut self, other: Run) {
        self.calls += other.calls;
        self.elapsed += other.elapsed;
        self.cpu += other.cpu;
        self.latencies_us.extend(other.latencies_us);
    }
}

fn pct(v: &[u64], p: f64) -> u64 {
    v.get(((v.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or(0)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let (endpoint, _emulator) = match &args.endpoint {
        Some(e) => (e.clone(), None),
        None => {
            let emu = Emulator::builder().start().await?;
            eprintln!("no --endpoint: using the in-process emulator at {}", emu.endpoint());
            (emu.endpoint(), Some(emu))
        }
    };
    let (id, key) = default_test_key();
    let client = Client::builder()
        .credential(StaticProvider::new(id, key))
        .region("ap-guangzhou")
        .profile(ClientProfile::new().http_profile(HttpProfile::new().endpoint(endpoint.clone())))
        .build()?;
    let bare = reqwest::Client::builder().no_proxy().build()?;

    let sdk_call = {
        let client = client.clone();
        move || {
            let client = client.clone();
            async move {
                client
                    .call_json("cvm", "2017-03-12", "DescribeInstances", serde_json::json!({"Limit": 1}))
                    .await
                    .map(drop)
                    .map_err(|e| e.to_string())
            }
        }
    };
    let bare_call = {
        let (bare, url) = (bare.clone(), endpoint.clone());
        move || {
            let (bare, url) = (bare.clone(), url.clone());
            async move {
                let resp = bare
                    .post(&url)
                    .header("Content-Type", "application/json")
                    .body(BODY)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                resp.bytes().await.map(drop).map_err(|e| e.to_string())
            }
        }
    };

    // Warm both connection pools, then alternate baseline and SDK phases (three each)
    // so that machine noise hits both alike; the figures add the phases up.
    run(args.concurrency, 1, bare_call.clone()).await;
    run(args.concurrency, 1, sdk_call.clone()).await;
    let phase = args.seconds.div_ceil(3);
    let mut base = Run { calls: 0, elapsed: Duration::ZERO, cpu: Duration::ZERO, latencies_us: Vec::new() };
    let mut sdk = Run { calls: 0, elapsed: Duration::ZERO, cpu: Duration::ZERO, latencies_us: Vec::new() };
    for _ in 0..3 {
        base.add(run(args.concurrency, phase, bare_call.clone()).await);
        sdk.add(run(args.concurrency, phase, sdk_call.clone()).await);
    }
    sdk.latencies_us.sort_unstable();

    let rps = sdk.calls as f64 / sdk.elapsed.as_secs_f64();
    let baseline_rps = base.calls as f64 / base.elapsed.as_secs_f64();
    let cpu_per_call = sdk.cpu.as_micros() as f64 / sdk.calls.max(1) as f64;
    println!(
        "rps={rps:.0} p50_us={} p99_us={} cpu_us_per_call={cpu_per_call:.1} baseline_rps={baseline_rps:.0} ratio={:.3}",
        pct(&sdk.latencies_us, 0.5),
        pct(&sdk.latencies_us, 0.99),
        rps / baseline_rps
    );
    Ok(())
}
