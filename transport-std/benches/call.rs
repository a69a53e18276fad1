//! What one call costs this client over its transport: a whole `DescribeInstances`
//! (prepare, sign, headers, send through [`HttpSend`], read and decode the answer)
//! against a transport that answers at once with a fixed envelope. The network, reqwest
//! and the server are left out; `examples/load.rs` measures them all together.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use tencentcloud_cvm::v20170312::DescribeInstancesRequest;
use tencentcloud_transport_std::http::{HeaderMap, HeaderValue, HttpRequest, HttpResponse, HttpSend, SendFuture};
use tencentcloud_transport_std::{Client, StaticProvider};

/// The answer `examples/load-nginx.conf` gives.
const ENVELOPE: &str = r#"{"Response":{"TotalCount":1,"InstanceSet":[{"InstanceId":"ins-r8hr2upy","InstanceName":"web-1","InstanceState":"RUNNING","InstanceType":"S5.MEDIUM2","Cpu":2,"Memory":4,"PrivateIpAddresses":["10.0.0.8"],"PublicIpAddresses":["203.0.113.8"],"Placement":{"Zone":"ap-guangzhou-3","ProjectId":0}}],"RequestId":"6ef60bec-0242-43af-bb20-270359fb54a7"}}"#;

/// A transport that answers every request with [`ENVELOPE`].
struct Canned(HeaderMap);

impl HttpSend for Canned {
    fn send(&self, request: HttpRequest) -> SendFuture<'_> {
        black_box(&request);
        Box::pin(async move { Ok(HttpResponse::from_bytes(200, self.0.clone(), ENVELOPE)) })
    }
}

fn bench(c: &mut Criterion) {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    headers.insert("date", HeaderValue::from_static("Thu, 03 Dec 2026 10:00:00 GMT"));
    let (id, key) = tencentcloud_emulator::default_test_key();
    let client = Client::builder()
        .credential(StaticProvider::new(id, key))
        .region("ap-guangzhou")
        .http_send(Arc::new(Canned(headers)))
        .build()
        .expect("client");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    c.bench_function("call_json DescribeInstances (canned transport)", |b| {
        b.iter(|| {
            let params = serde_json::json!({"Limit": 1});
            rt.block_on(client.call_json("cvm", "2017-03-12", "DescribeInstances", params)).expect("call")
        })
    });
    let mut request = DescribeInstancesRequest::default();
    request.limit = Some(1);
    c.bench_function("send DescribeInstancesRequest (canned transport)", |b| {
        b.iter(|| rt.block_on(client.send(black_box(&request))).expect("call"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
