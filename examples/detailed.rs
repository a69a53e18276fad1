//! Everything a profile can set, a typed CVM `DescribeInstances` with filters, per-call
//! headers, and `tracing` logs with secrets redacted.
//!
//! `RUST_LOG=tencentcloud_transport_std=debug cargo run -p tencentcloud-examples --example detailed`

use std::time::Duration;

use tencentcloud_cvm::v20170312::{DescribeInstancesRequest, Filter};
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

    // Generated models: every field is an Option; build from Default and set what you need.
    let mut zone = Filter::default();
    zone.name = Some("zone".into());
    zone.values = Some(vec!["ap-guangzhou-3".into()]);
    let mut request = DescribeInstancesRequest::default();
    request.filters = Some(vec![zone]);
    request.limit = Some(10);
    let opts = CallOptions::new().header("X-TC-TraceId", "example-detailed-0001").timeout(Duration::from_secs(10));
    let response = client.send_with(&request, &opts).await?;
    let text = |s: &Option<String>| s.clone().unwrap_or_default();
    println!(
        "{} instance(s) in ap-guangzhou-3 (request {})",
        response.total_count.unwrap_or(0),
        text(&response.request_id)
    );
    for i in response.instance_set.unwrap_or_default() {
        println!(
            "  {}  {:<20} {:<8} {} vCPU {} GB  {}",
            text(&i.instance_id),
            text(&i.instance_name),
            text(&i.instance_state),
            i.cpu.unwrap_or(0),
            i.memory.unwrap_or(0),
            i.placement.and_then(|p| p.zone).unwrap_or_default()
        );
    }
    Ok(())
}
