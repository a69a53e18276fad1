//! The typed reader against serde_json with `#[derive(Deserialize)]` on the same shapes:
//! documented `DescribeInstances` and `DescribeVpcs` answers (their first item repeated to
//! 100 items), decoded whole from the `{"Response": ...}` envelope, side by side in one run.
//! Prints, per answer, ns per decode and heap allocations per decode for each, and the ratio
//! `serde_json time / typed reader time` (>= 1.0: the typed reader is as fast or faster).
//!
//! `cargo run --release -p tencentcloud-examples --example decode_bench [-- ROUNDS]`

#[path = "decode_mirror.rs"]
mod mirror;

use std::hint::black_box;
use std::time::Instant;

use serde::Deserialize;
use serde_json::Value;
use tencentcloud_examples::CountingAlloc;

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc::new();

#[derive(Deserialize)]
struct Envelope<T> {
    #[serde(rename = "Response")]
    response: T,
}

/// The documented answer of `service`'s `action` with its list `list` grown to 100 items.
fn answer(service: &str, action: &str, list: &str) -> Vec<u8> {
    let svc = tencentcloud_schema::service(service).unwrap().unwrap();
    let a = svc.version("2017-03-12").and_then(|v| v.action(action)).unwrap();
    let mut doc = a
        .examples()
        .iter()
        .filter_map(|ex| serde_json::from_str::<Value>(ex.output.get()).ok())
        .find(|v| v[list].as_array().is_some_and(|l| !l.is_empty()))
        .expect("a documented answer with items");
    let item = doc[list][0].clone();
    doc[list] = Value::Array(vec![item; 100]);
    doc["TotalCount"] = Value::from(100);
    serde_json::to_vec(&serde_json::json!({ "Response": doc })).unwrap()
}

/// ns per call and allocations per call of `f` over `rounds` calls.
fn measure(rounds: u32, mut f: impl FnMut() -> usize) -> (f64, f64) {
    for _ in 0..rounds / 10 {
        black_box(f());
    }
    let allocs = GLOBAL.allocations();
    let start = Instant::now();
    for _ in 0..rounds {
        black_box(f());
    }
    let ns = start.elapsed().as_nanos() as f64 / f64::from(rounds);
    (ns, (GLOBAL.allocations() - allocs) as f64 / f64::from(rounds))
}

fn main() {
    let rounds: u32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(2000);
    let instances = answer("cvm", "DescribeInstances", "InstanceSet");
    let vpcs = answer("vpc", "DescribeVpcs", "VpcSet");

    // Both read every item, or the comparison means nothing.
    let ours =
        tencentcloud_runtime::decode_response::<tencentcloud_cvm::v20170312::DescribeInstancesRequest>(&instances)
            .expect("the typed reader reads the answer");
    let theirs: Envelope<mirror::CvmDescribeInstancesResponse> =
        serde_json::from_slice(&instances).expect("serde_json reads the answer");
    assert_eq!(ours.instance_set().len(), 100);
    assert_eq!(theirs.response.InstanceSet.as_ref().map(Vec::len), Some(100));
    let ours =
        tencentcloud_runtime::decode_response::<tencentcloud_vpc::v20170312::DescribeVpcsRequest>(&vpcs).unwrap();
    let theirs: Envelope<mirror::VpcDescribeVpcsResponse> = serde_json::from_slice(&vpcs).unwrap();
    assert_eq!(ours.vpc_set().len(), 100);
    assert_eq!(theirs.response.VpcSet.as_ref().map(Vec::len), Some(100));

    let mut ratios = Vec::new();
    for (name, body) in [("DescribeInstances", &instances), ("DescribeVpcs", &vpcs)] {
        let typed = measure(rounds, || match name {
            "DescribeInstances" => {
                tencentcloud_runtime::decode_response::<tencentcloud_cvm::v20170312::DescribeInstancesRequest>(body)
                    .map(|r| r.instance_set().len())
                    .unwrap()
            }
            _ => tencentcloud_runtime::decode_response::<tencentcloud_vpc::v20170312::DescribeVpcsRequest>(body)
                .map(|r| r.vpc_set().len())
                .unwrap(),
        });
        let serde = measure(rounds, || match name {
            "DescribeInstances" => serde_json::from_slice::<Envelope<mirror::CvmDescribeInstancesResponse>>(body)
                .map(|e| e.response.InstanceSet.map_or(0, |l| l.len()))
                .unwrap(),
            _ => serde_json::from_slice::<Envelope<mirror::VpcDescribeVpcsResponse>>(body)
                .map(|e| e.response.VpcSet.map_or(0, |l| l.len()))
                .unwrap(),
        });
        let ratio = serde.0 / typed.0;
        ratios.push(ratio);
        println!(
            "decode {name} (100 items, {} bytes): typed_ns={:.0} typed_allocs={:.0} serde_json_ns={:.0} serde_json_allocs={:.0} ratio={ratio:.3}",
            body.len(),
            typed.0,
            typed.1,
            serde.0,
            serde.1
        );
    }
    println!(
        "decode ratio (serde_json / typed, >= 1.0 is the goal): min {:.3}",
        ratios.iter().copied().fold(f64::MAX, f64::min)
    );
}
