//! Load benchmark: the SDK against the protocol's own cost and against the best Rust peer,
//! measured in one run.
//!
//! `cargo run --release -p tencentcloud-examples --example load -- --endpoint URL --concurrency N --seconds S`
//!
//! Five phases, interleaved in rounds of half a second (each round in a rotated
//! order) so that machine noise hits them alike; each phase runs `S` seconds in all,
//! after a one-second warm-up of each:
//! - `baseline`: a bare reqwest client POSTing the body with one header, body read;
//! - `floor`: the same reqwest client sending exactly the headers a signed call sends
//!   (captured once from a real SDK call: fixed timestamp, trace id and signature) and
//!   parsing the envelope with `serde_json`: the protocol's cost with nothing of ours;
//! - `sdk`: this SDK's `Client::call_json("cvm", "2017-03-12", "DescribeInstances")`;
//! - `typed`: the same call through the generated model, `Client::send(&DescribeInstancesRequest)`;
//! - `peer`: the community crate `tencent-sdk` (`cvm().describe_instances()`, a fixed host).
//!
//! It prints one line on stdout, figures of the `sdk` phase first:
//! `rps=.. p50_us=.. p99_us=.. cpu_us_per_call=.. baseline_rps=.. floor_rps=.. peer_rps=.. ratio=<sdk/baseline> floor_ratio=<sdk/floor> peer_ratio=<sdk/peer>`
//! followed by the typed call's `typed_rps=.. typed_floor_ratio=.. typed_peer_ratio=..`
//! and the CPU cost ratios `floor_cpu_ratio=<floor/sdk CPU per call> typed_floor_cpu_ratio=..`
//! (less sensitive than requests per second to how the server and the client share cores),
//! and on stderr every phase's requests per second, CPU and heap allocations per call
//! (from a counting global allocator: the client, the HTTP stack and the runtime alike).
//!
//! `--only PHASE` runs one phase alone (for a profiler) and prints only its stderr line.
//!
//! Credentials: `TENCENTCLOUD_SECRET_ID` / `_SECRET_KEY` (/ `_SESSION_TOKEN`) when set,
//! else the emulator's built-in test key. Without `--endpoint` it runs against the
//! in-process emulator, which then shares the CPU with the client: for meaningful
//! figures use a loopback server answering a fixed envelope, e.g. nginx with
//! `examples/load-nginx.conf` (`nginx -p "$(mktemp -d)" -e stderr -c "$PWD/examples/load-nginx.conf"`,
//! then `--endpoint http://127.0.0.1:18913`). On a small machine, give the server and
//! the benchmark a core each (`taskset -c 1 nginx ...`, `taskset -c 0 target/release/examples/load ...`):
//! the client is then what limits the rate, and the ratios compare clients, not how
//! the scheduler happened to share cores between client and server.

#![allow(unsafe_code)] // the CPU clock below

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use tencentcloud_cvm::v20170312::DescribeInstancesRequest;
use tencentcloud_emulator::{Emulator, default_test_key};
use tencentcloud_examples::CountingAlloc;
use tencentcloud_transport_std::http::{HttpRequest, HttpSend, ReqwestSend, SendFuture};
use tencentcloud_transport_std::{
    Client, ClientProfile, CredentialProvider, Credentials, EnvProvider, HttpProfile, StaticProvider,
};

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc::new();

const SERVICE: &str = "cvm";
const VERSION: &str = "2017-03-12";
const ACTION: &str = "DescribeInstances";
const REGION: &str = "ap-guangzhou";
const BODY: &str = r#"{"Limit":1}"#;
const USER_AGENT: &str = "tencentcloud-load";

struct Args {
    endpoint: Option<String>,
    concurrency: usize,
    seconds: u64,
    only: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { endpoint: None, concurrency: 8, seconds: 6, only: None };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--endpoint" => args.endpoint = Some(value()?),
            "--concurrency" => args.concurrency = value()?.parse().map_err(|e| format!("--concurrency: {e}"))?,
            "--seconds" => args.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?,
            "--only" => args.only = Some(value()?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.concurrency == 0 || args.seconds == 0 {
        return Err("--concurrency and --seconds must be positive".into());
    }
    Ok(args)
}

/// This process's user + system CPU time (all threads).
fn cpu_time() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid timespec to write; the clock id is a constant.
    if unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) } != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// The figures of one phase, summed over its rounds.
#[derive(Default)]
struct Run {
    calls: usize,
    elapsed: Duration,
    cpu: Duration,
    allocs: u64,
    latencies_us: Vec<u64>,
}

impl Run {
    fn add(&mut self, other: Run) {
        self.calls += other.calls;
        self.elapsed += other.elapsed;
        self.cpu += other.cpu;
        self.allocs += other.allocs;
        self.latencies_us.extend(other.latencies_us);
    }

    fn rps(&self) -> f64 {
        self.calls as f64 / self.elapsed.as_secs_f64()
    }

    fn cpu_per_call(&self) -> f64 {
        self.per_call(self.cpu.as_secs_f64())
    }

    fn per_call(&self, total: f64) -> f64 {
        total / self.calls.max(1) as f64
    }
}

/// One round of one phase.
const ROUND: Duration = Duration::from_millis(500);

/// Runs `concurrency` loops of `call` for `time`.
async fn run<F, Fut>(concurrency: usize, time: Duration, call: Arc<F>) -> Result<Run, String>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let deadline = Instant::now() + time;
    let (start, cpu0, allocs0) = (Instant::now(), cpu_time(), GLOBAL.allocations());
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let call = call.clone();
            tokio::spawn(async move {
                let mut lat = Vec::with_capacity(1 << 16);
                while Instant::now() < deadline {
                    let t = Instant::now();
                    call().await?;
                    lat.push(t.elapsed().as_micros() as u64);
                }
                Ok::<_, String>(lat)
            })
        })
        .collect();
    let mut latencies_us = Vec::new();
    for t in tasks {
        latencies_us.extend(t.await.map_err(|e| e.to_string())??);
    }
    let (elapsed, cpu) = (start.elapsed(), cpu_time().saturating_sub(cpu0));
    let allocs = GLOBAL.allocations() - allocs0;
    Ok(Run { calls: latencies_us.len(), elapsed, cpu, allocs, latencies_us })
}

fn pct(v: &[u64], p: f64) -> u64 {
    v.get(((v.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or(0)
}

/// The environment's credentials when set, else the emulator's test key.
async fn credentials() -> Result<Credentials, Box<dyn std::error::Error>> {
    match EnvProvider::new().credential().await {
        Ok(c) => {
            eprintln!("signing with the credentials from the environment");
            Ok(c)
        }
        Err(e) if e.is_not_configured() => {
            let (id, key) = default_test_key();
            Ok(Credentials::new(id, key))
        }
        Err(e) => Err(e.into()),
    }
}

/// An [`HttpSend`] that keeps the headers of the first request it sends.
struct Capture {
    inner: ReqwestSend,
    headers: Mutex<Option<HeaderMap>>,
}

impl HttpSend for Capture {
    fn send(&self, request: HttpRequest) -> SendFuture<'_> {
        self.headers.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_with(|| request.headers.clone());
        self.inner.send(request)
    }
}

/// The headers one signed call sends, captured from a real call of `profile`'s client.
async fn signed_headers(http: &HttpProfile, creds: &Credentials) -> Result<HeaderMap, Box<dyn std::error::Error>> {
    let capture = Arc::new(Capture { inner: ReqwestSend::new(http)?, headers: Mutex::new(None) });
    let client = Client::builder()
        .credential(StaticProvider::from_credentials(creds.clone()))
        .region(REGION)
        .profile(ClientProfile::new().http_profile(http.clone()))
        .http_send(capture.clone())
        .build()?;
    client.call_json(SERVICE, VERSION, ACTION, serde_json::json!({"Limit": 1})).await?;
    let mut map = capture.headers.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_default();
    map.insert(reqwest::header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
    Ok(map)
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
    let creds = credentials().await?;
    let http = HttpProfile::new().endpoint(endpoint.clone()).user_agent(USER_AGENT);
    let client = Client::builder()
        .credential(StaticProvider::from_credentials(creds.clone()))
        .region(REGION)
        .profile(ClientProfile::new().http_profile(http.clone()))
        .build()?;
    let bare = reqwest::Client::builder().no_proxy().build()?;
    let url = reqwest::Url::parse(&endpoint)?;
    let floor_headers = signed_headers(&http, &creds).await?;
    let peer_auth = match (tencent_sdk::Auth::tc3(creds.secret_id(), creds.secret_key()), creds.token()) {
        (tencent_sdk::Auth::Tc3(auth), Some(token)) => tencent_sdk::Auth::Tc3(auth.with_token(token)),
        (auth, _) => auth,
    };
    let peer = tencent_sdk::Client::builder(&endpoint)?
        .endpoint_mode(tencent_sdk::client::EndpointMode::FixedHost)
        .auth(peer_auth)
        .default_region(REGION)
        .no_system_proxy(true)
        .build()?;

    let baseline_call = {
        let (bare, url) = (bare.clone(), url.clone());
        Arc::new(move || {
            let request = bare.post(url.clone()).header(CONTENT_TYPE, "application/json").body(BODY);
            async move {
                let resp = request.send().await.map_err(|e| e.to_string())?;
                resp.bytes().await.map(drop).map_err(|e| e.to_string())
            }
        })
    };
    let floor_call = {
        let (bare, url) = (bare.clone(), url.clone());
        Arc::new(move || {
            let request = bare.post(url.clone()).headers(floor_headers.clone()).body(BODY);
            async move {
                let resp = request.send().await.map_err(|e| e.to_string())?;
                if resp.status() != reqwest::StatusCode::OK {
                    return Err(format!("floor: HTTP {}", resp.status()));
                }
                let body = resp.bytes().await.map_err(|e| e.to_string())?;
                let v: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
                v.get("Response").map(drop).ok_or_else(|| "floor: no Response".to_owned())
            }
        })
    };
    let sdk_call = {
        let client = client.clone();
        Arc::new(move || {
            let client = client.clone();
            async move {
                let params = serde_json::json!({"Limit": 1});
                client.call_json(SERVICE, VERSION, ACTION, params).await.map(drop).map_err(|e| e.to_string())
            }
        })
    };
    let typed_call = {
        let client = client.clone();
        Arc::new(move || {
            let client = client.clone();
            async move {
                let request = DescribeInstancesRequest::new().set_limit(1);
                client.send(&request).await.map(drop).map_err(|e| e.to_string())
            }
        })
    };
    let peer_call = {
        let peer = peer.clone();
        Arc::new(move || {
            let peer = peer.clone();
            async move {
                let request = tencent_sdk::types::cvm::DescribeInstancesRequest::new().limit(1);
                peer.cvm().describe_instances(&request).await.map(drop).map_err(|e| e.to_string())
            }
        })
    };

    let n = args.concurrency;
    let (warm, secs) = (Duration::from_secs(1), Duration::from_secs(args.seconds));
    if let Some(only) = &args.only {
        // One phase alone (e.g. under a profiler), after a one-second warm-up.
        let r = match only.as_str() {
            "baseline" => (run(n, warm, baseline_call.clone()).await?, run(n, secs, baseline_call).await?),
            "floor" => (run(n, warm, floor_call.clone()).await?, run(n, secs, floor_call).await?),
            "sdk" => (run(n, warm, sdk_call.clone()).await?, run(n, secs, sdk_call).await?),
            "typed" => (run(n, warm, typed_call.clone()).await?, run(n, secs, typed_call).await?),
            "peer" => (run(n, warm, peer_call.clone()).await?, run(n, secs, peer_call).await?),
            other => return Err(format!("--only {other}: one of baseline, floor, sdk, typed, peer").into()),
        };
        report(only, &r.1);
        return Ok(());
    }
    // Warm every connection pool, then interleave the phases.
    run(n, warm, baseline_call.clone()).await?;
    run(n, warm, floor_call.clone()).await?;
    run(n, warm, sdk_call.clone()).await?;
    run(n, warm, typed_call.clone()).await?;
    run(n, warm, peer_call.clone()).await?;
    let [mut base, mut floor, mut sdk, mut typed, mut peer] = std::array::from_fn(|_| Run::default());
    let rounds = (secs.as_millis() / ROUND.as_millis()).max(1) as usize;
    for round in 0..rounds {
        for phase in (0..5).map(|i| (i + round) % 5) {
            match phase {
                0 => base.add(run(n, ROUND, baseline_call.clone()).await?),
                1 => floor.add(run(n, ROUND, floor_call.clone()).await?),
                2 => sdk.add(run(n, ROUND, sdk_call.clone()).await?),
                3 => typed.add(run(n, ROUND, typed_call.clone()).await?),
                _ => peer.add(run(n, ROUND, peer_call.clone()).await?),
            }
        }
    }
    sdk.latencies_us.sort_unstable();

    let rps = sdk.rps();
    println!(
        "rps={rps:.0} p50_us={} p99_us={} cpu_us_per_call={:.1} baseline_rps={:.0} floor_rps={:.0} peer_rps={:.0} \
         ratio={:.3} floor_ratio={:.3} peer_ratio={:.3} typed_rps={:.0} typed_floor_ratio={:.3} typed_peer_ratio={:.3} \
         floor_cpu_ratio={:.3} typed_floor_cpu_ratio={:.3}",
        pct(&sdk.latencies_us, 0.5),
        pct(&sdk.latencies_us, 0.99),
        sdk.per_call(sdk.cpu.as_micros() as f64),
        base.rps(),
        floor.rps(),
        peer.rps(),
        rps / base.rps(),
        rps / floor.rps(),
        rps / peer.rps(),
        typed.rps(),
        typed.rps() / floor.rps(),
        typed.rps() / peer.rps(),
        floor.cpu_per_call() / sdk.cpu_per_call(),
        floor.cpu_per_call() / typed.cpu_per_call(),
    );
    for (name, r) in [("baseline", &base), ("floor", &floor), ("sdk", &sdk), ("typed", &typed), ("peer", &peer)] {
        report(name, r);
    }
    Ok(())
}

/// One phase's figures, on stderr.
fn report(name: &str, r: &Run) {
    eprintln!(
        "{name}: rps={:.0} cpu_us_per_call={:.1} allocs_per_call={:.1} calls={}",
        r.rps(),
        r.per_call(r.cpu.as_micros() as f64),
        r.per_call(r.allocs as f64),
        r.calls
    );
}
