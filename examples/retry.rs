//! Retries: off by default, one line to enable. Rate limits and failures before the
//! request was sent are retried; other network failures only for read-only actions or
//! requests with a `ClientToken`, so a write is never silently repeated.
//!
//! `cargo run -p tencentcloud-examples --example retry`

use tencentcloud_emulator::Fault;
use tencentcloud_examples::target;
use tencentcloud_transport_std::{ClientProfile, RetryPolicy};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = target(ClientProfile::new().retry(RetryPolicy::standard(3))).await?;
    if let Some(emulator) = &target.emulator {
        // Make the emulator rate-limit the first attempt and drop the second.
        emulator.push_fault(Fault::RateLimit);
        emulator.push_fault(Fault::DropConnection);
    }
    let client = target.client("ap-guangzhou")?;
    let response = client.call_json("cvm", "2017-03-12", "DescribeInstances", serde_json::json!({"Limit": 1})).await?;
    println!("succeeded: {} instance(s)", response["TotalCount"]);
    if let Some(emulator) = &target.emulator {
        println!("attempts the emulator saw: {}", emulator.request_count());
    }
    Ok(())
}
