//! Sending through an HTTP proxy: an explicit URL (with credentials) or the
//! `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` environment.
//!
//! `cargo run -p tencentcloud-examples --example proxy -- [http://user:pass@proxy:3128]`

use tencentcloud_examples::target;
use tencentcloud_transport_std::{ClientProfile, HttpProfile, ProxyConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proxy = match std::env::args().nth(1) {
        Some(url) => ProxyConfig::url(&url)?,
        None => ProxyConfig::from_env(),
    };
    println!("proxy: {proxy:?}");
    let profile = ClientProfile::new().http_profile(HttpProfile::new().proxy(proxy));
    let target = target(profile).await?;
    let client = target.client("ap-guangzhou")?;
    let zones = client.call_json("cvm", "2017-03-12", "DescribeZones", serde_json::json!({})).await?;
    println!("{} zones", zones["TotalCount"]);
    Ok(())
}
