//! Quickstart: list CVM instances.
//!
//! `cargo run -p tencentcloud-examples --example quickstart`
//!
//! With `TENCENTCLOUD_SECRET_ID` / `TENCENTCLOUD_SECRET_KEY` set it calls the real CVM
//! `DescribeInstances` in ap-guangzhou; otherwise it starts the local API emulator
//! in-process (which checks the signature) and makes the same call against it.

use tencentcloud_examples::target;
use tencentcloud_transport_std::ClientProfile;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = target(ClientProfile::new()).await?;
    let client = target.client("ap-guangzhou")?;

    let response =
        client.call_json("cvm", "2017-03-12", "DescribeInstances", serde_json::json!({ "Limit": 1 })).await?;
    println!("{}", serde_json::to_string_pretty(&response)?);
    if let Some(emulator) = &target.emulator {
        let last = emulator.requests().pop();
        println!("(the emulator verified the signature: {:?})", last.map(|r| r.verification));
    }
    Ok(())
}
