//! The common client: any service, version and action, JSON in and JSON out, no model
//! needed. API errors come back with their code, message and request id.
//!
//! `cargo run -p tencentcloud-examples --example common_client`

use tencentcloud_examples::target;
use tencentcloud_transport_std::{ClientProfile, ErrorKind};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = target(ClientProfile::new()).await?;
    let client = target.client("ap-guangzhou")?;

    let regions = client.call_json("cvm", "2017-03-12", "DescribeRegions", serde_json::json!({})).await?;
    println!("{} regions", regions["TotalCount"]);

    // An API error is a value, not a panic.
    match client.call_json("cvm", "2017-03-12", "NoSuchAction", serde_json::json!({})).await {
        Ok(v) => println!("unexpected success: {v}"),
        Err(e) => {
            if let ErrorKind::Api { code, .. } = e.kind() {
                println!("API error code {code}");
            }
            println!("{e}");
        }
    }
    Ok(())
}
