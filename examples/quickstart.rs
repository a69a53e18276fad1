//! Quickstart: list CVM instances with the generated, typed CVM models.
//!
//! `cargo run -p tencentcloud-examples --example quickstart`
//!
//! With `TENCENTCLOUD_SECRET_ID` / `TENCENTCLOUD_SECRET_KEY` set it calls the real CVM
//! `DescribeInstances` in ap-guangzhou; otherwise it starts the local API emulator
//! in-process (which checks the signature) and makes the same call against it.

use tencentcloud_cvm::v20170312::DescribeInstancesRequest;
use tencentcloud_examples::target;
use tencentcloud_transport_std::ClientProfile;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = target(ClientProfile::new()).await?;
    let client = target.client("ap-guangzhou")?;

    let response = client.send(&DescribeInstancesRequest::new().set_limit(1)).await?;
    println!("{} instance(s) in total", response.total_count().unwrap_or(0));
    for i in response.instance_set() {
        let zone = i.placement().and_then(|p| p.zone()).unwrap_or_default();
        println!("{:?} {:?} {:?} in {zone}", i.instance_id(), i.instance_name(), i.instance_state());
    }
    if let Some(emulator) = &target.emulator {
        let last = emulator.requests().pop();
        println!("(the emulator verified the signature: {:?})", last.map(|r| r.verification));
    }
    Ok(())
}
