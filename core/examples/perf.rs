//! Signing speed against the SHA-256/HMAC work TC3 cannot avoid, measured in one run.
//!
//! `cargo run --release -p tencentcloud-core --example perf` prints one line:
//! `sign_ns=.. floor_ns=.. ratio=.. cached_sign_ns=.. cached_floor_ns=.. cached_ratio=.. allocs=..`
//!
//! - sign: build and sign the documentation example (headers + Authorization, ready to write).
//! - floor: the same hashing done directly with sha2 + hmac on pre-assembled strings
//!   (payload hash, canonical-request hash, 3-HMAC key derivation, final HMAC, hex).
//! - cached: the signer reuses its signing-key cache; the floor skips the derivation.

#![allow(unsafe_code)] // the counting allocator below

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use tencentcloud_core::{Credential, Request, Signer, sign::sign};

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const BODY: &[u8] = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******";
const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3*******";
const TS: u64 = 1551113065;

fn hmac(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
    m.update(msg);
    m.finalize().into_bytes().into()
}

fn hex(d: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    base16ct::lower::encode(d, &mut out).unwrap();
    out
}

/// The floor: only the hashing, over strings assembled ahead of time.
struct Floor {
    canonical_prefix: Vec<u8>,
    sts_prefix: Vec<u8>,
    signing_key: [u8; 32],
}

impl Floor {
    fn new() -> Self {
        let canonical_prefix = b"POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n".to_vec();
        let sts_prefix = b"TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n".to_vec();
        Self { canonical_prefix, sts_prefix, signing_key: Self::derive() }
    }

    fn derive() -> [u8; 32] {
        let k_date = hmac(format!("TC3{KEY}").as_bytes(), b"2019-02-25");
        let k_service = hmac(&k_date, b"cvm");
        hmac(&k_service, b"tc3_request")
    }

    fn run(&self, signing_key: [u8; 32]) -> [u8; 64] {
        let payload_hash = hex(&Sha256::digest(black_box(BODY)).into());
        let mut h = Sha256::new();
        h.update(&self.canonical_prefix);
        h.update(payload_hash);
        let canonical_hash = hex(&h.finalize().into());
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&signing_key).unwrap();
        m.update(&self.sts_prefix);
        m.update(&canonical_hash);
        hex(&m.finalize().into_bytes().into())
    }

    fn full(&self) -> [u8; 64] {
        let key = {
            let mut block = [0u8; 64];
            block[..3].copy_from_slice(b"TC3");
            block[3..3 + KEY.len()].copy_from_slice(KEY.as_bytes());
            let k_date = hmac(&block[..3 + KEY.len()], b"2019-02-25");
            hmac(&hmac(&k_date, b"cvm"), b"tc3_request")
        };
        self.run(key)
    }

    fn cached(&self) -> [u8; 64] {
        self.run(black_box(self.signing_key))
    }
}

/// Median nanoseconds per call over `rounds` batches of `batch` calls.
fn median_ns(samples: &mut [f64]) -> f64 {
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
    samples[samples.len() / 2]
}

fn time_batch(batch: u32, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..batch {
        f();
    }
    start.elapsed().as_nanos() as f64 / f64::from(batch)
}

fn main() {
    let cred = Credential::new(ID, KEY).unwrap();
    let req = Request::post_json("cvm", "2017-03-12", "DescribeInstances", BODY)
        .region("ap-guangzhou")
        .content_type("application/json; charset=utf-8");
    let floor = Floor::new();

    // The floor and the signer must compute the same signature.
    let expected = "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c";
    assert_eq!(std::str::from_utf8(&floor.full()).unwrap(), expected);
    assert_eq!(std::str::from_utf8(&floor.cached()).unwrap(), expected);
    assert_eq!(sign(&req, &cred, TS).unwrap().signature(), expected);
    let mut signer = Signer::<4>::new();
    assert_eq!(signer.sign(&req, &cred, TS).unwrap().signature(), expected);

    // Heap allocations per signature, counted on their own (the timing loop below pushes
    // samples into vectors).
    let probes = 10_000u32;
    let before = ALLOCS.load(Ordering::Relaxed);
    for _ in 0..probes {
        black_box(sign(black_box(&req), &cred, black_box(TS)).unwrap());
        black_box(signer.sign(black_box(&req), &cred, black_box(TS)).unwrap());
    }
    let per_sign = (ALLOCS.load(Ordering::Relaxed) - before) as f64 / f64::from(2 * probes);

    let rounds: usize = std::env::var("PERF_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(201);
    let batch = 2000;
    let (mut s, mut f, mut cs, mut cf) = (
        Vec::with_capacity(rounds),
        Vec::with_capacity(rounds),
        Vec::with_capacity(rounds),
        Vec::with_capacity(rounds),
    );
    for _ in 0..rounds {
        s.push(time_batch(batch, || {
            black_box(sign(black_box(&req), &cred, black_box(TS)).unwrap());
        }));
        cs.push(time_batch(batch, || {
            black_box(signer.sign(black_box(&req), &cred, black_box(TS)).unwrap());
        }));
        f.push(time_batch(batch, || {
            black_box(floor.full());
        }));
        cf.push(time_batch(batch, || {
            black_box(floor.cached());
        }));
    }
    let (s, f, cs, cf) = (median_ns(&mut s), median_ns(&mut f), median_ns(&mut cs), median_ns(&mut cf));
    println!(
        "sign_ns={s:.0} floor_ns={f:.0} ratio={:.3} cached_sign_ns={cs:.0} cached_floor_ns={cf:.0} cached_ratio={:.3} allocs={per_sign}",
        s / f,
        cs / cf
    );
}
