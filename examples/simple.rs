//! The official README's simplest example: credentials from the environment, one
//! client, one call.
//!
//! `cargo run -p tencentcloud-examples --example simple`

use tencentcloud_examples::target;
use tencentcloud_transport_std::ClientProfile;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = target(ClientProfile::new()).await?;
    let client = target.client("ap-shanghai")?;
    let zones = client.call_json("cvm", "2017-03-12", "DescribeZones", serde_json::json!({})).await?;
    for zone in zones["ZoneSet"].as_array().into_iter().flatten() {
        println!("{}  {}", zone["Zone"].as_str().unwrap_or("?"), zone["ZoneName"].as_str().unwrap_or(""));
    }
    Ok(())
}
