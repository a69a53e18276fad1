//! The official README's simplest example: credentials from the environment, one
//! client, one typed call.
//!
//! `cargo run -p tencentcloud-examples --example simple`

use tencentcloud_cvm::v20170312::DescribeZonesRequest;
use tencentcloud_examples::target;
use tencentcloud_transport_std::ClientProfile;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = target(ClientProfile::new()).await?;
    let client = target.client("ap-shanghai")?;
    let zones = client.send(&DescribeZonesRequest::new()).await?;
    for zone in zones.zone_set() {
        println!("{}  {}", zone.zone().unwrap_or_default(), zone.zone_name().unwrap_or_default());
    }
    Ok(())
}
