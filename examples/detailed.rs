//! Everything a profile can set, a typed CVM `DescribeInstances` with filters, per-call
//! headers, and `tracing` logs with secrets redacted.
//!
//! `RUST_LOG=tencentcloud_transport_std=debug cargo run -p tencentcloud-examples --example detailed`

use std::time::Duration;

use tencentcloud_examples::cvm::{DescribeInstancesRequest, DescribeInstancesResponse, Filter};
use tencentcloud_examples::target;
use tencentcloud_transport_std::{CallOptions, ClientProfile, HttpMethod, HttpProfile, Language, SignMethod};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("tencentcloud_transport_std=info")),
        )
        .init();

    let http = HttpProfile::new()
        .method(HttpMethod::Post) // or HttpMethod::Get: parameters flattened into the query
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(8);
    let profile = ClientProfile::new()
        .http_profile(http)
        .sign_method(SignMethod::Tc3HmacSha256)
        .language(Language::EnUs)
        .request_client(Some("EXAMPLE_DETAILED".into()));
    let target = target(profile).await?;
    let client = target.client("ap-guangzhou")?;

    let request = DescribeInstancesRequest {
        filters: Some(vec![Filter { name: "zone".into(), values: vec!["ap-guangzhou-3".into()] }]),
        limit: Some(10),
        ..Default::default()
    };
    let opts = CallOptions::new().header("X-TC-TraceId", "example-detailed-0001").timeout(Duration::from_secs(10));
    let response: DescribeInstancesResponse =
        client.call_with("cvm", "2017-03-12", "DescribeInstances", &request, &opts).await?;
    println!("{} instance(s) in ap-guangzhou-3 (request {})", response.total_count, response.request_id);
    for i in &response.instance_set {
        println!(
            "  {}  {:<20} {:<8} {} vCPU {} GB  {}",
            i.instance_id, i.instance_name, i.instance_state, i.cpu, i.memory, i.placement.zone
        );
    }
    Ok(())
}
