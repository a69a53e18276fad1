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

    // Generated models: a request is one expression (`new()` and chainable setters that take
    // `impl Into`, lists from any iterable); accessors read the answer (a list as a slice,
    // empty when absent; a string as `Option<&str>`; a nested model as `Option<&T>`).
    let request = DescribeInstancesRequest::new()
        .set_limit(10)
        .set_filters([Filter::new().set_name("zone").set_values(["ap-guangzhou-3"])]);
    let opts = CallOptions::new().header("X-TC-TraceId", "example-detailed-0001").timeout(Duration::from_secs(10));
    let response = client.send_with(&request, &opts).await?;
    println!(
        "{} instance(s) in ap-guangzhou-3 (request {})",
        response.total_count().unwrap_or(0),
        response.request_id().unwrap_or_default()
    );
    for i in response.instance_set() {
        println!(
            "  {}  {:<20} {:<8} {} vCPU {} GB  {}",
            i.instance_id().unwrap_or_default(),
            i.instance_name().unwrap_or_default(),
            i.instance_state().unwrap_or_default(),
            i.cpu().unwrap_or(0),
            i.memory().unwrap_or(0),
            i.placement().and_then(|p| p.zone()).unwrap_or_default()
        );
    }
    Ok(())
}
