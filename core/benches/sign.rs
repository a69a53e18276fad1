//! Criterion benches of the signing path (see `examples/perf.rs` for the floor ratio).

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use tencentcloud_core::{Credential, Request, Signer, sign::sign};

const BODY: &[u8] = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;

fn bench(c: &mut Criterion) {
    let cred = Credential::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******", "Gu5t9xGARNpq86cd98joQYCN3*******").unwrap();
    let req = Request::post_json("cvm", "2017-03-12", "DescribeInstances", BODY)
        .region("ap-guangzhou")
        .content_type("application/json; charset=utf-8");
    c.bench_function("sign (derive key)", |b| b.iter(|| sign(black_box(&req), &cred, black_box(1551113065)).unwrap()));
    let mut signer = Signer::<4>::new();
    c.bench_function("sign (cached key)", |b| {
        b.iter(|| signer.sign(black_box(&req), &cred, black_box(1551113065)).unwrap().signature().len())
    });
    let signed = sign(&req, &cred, 1551113065).unwrap();
    let mut buf = [0u8; 2048];
    c.bench_function("write_http1", |b| b.iter(|| black_box(&signed).write_http1(&mut buf).unwrap()));
}

criterion_group!(benches, bench);
criterion_main!(benches);
