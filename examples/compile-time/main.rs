//! The program `compile_time.sh` builds: a typed CVM call through transport-std's blocking
//! client, written with what both the measured trees have (struct fields, `send`).
use tencentcloud_cvm::v20170312::DescribeInstancesRequest;
use tencentcloud_transport_std::{Client, EnvProvider, blocking};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = blocking::Client::new(Client::new(EnvProvider::new(), "ap-guangzhou")?)?;
    let mut request = DescribeInstancesRequest::default();
    request.limit = Some(10);
    let response = client.send(&request)?;
    println!("{:?} instance(s)", response.total_count);
    Ok(())
}
