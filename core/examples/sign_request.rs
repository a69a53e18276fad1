//! Signs the published documentation example and prints every stage and the exact
//! HTTP/1.1 bytes a device would send.
//!
//! `cargo run -p tencentcloud-core --example sign_request`

use tencentcloud_core::{Credential, Request, Signer};

fn main() -> Result<(), tencentcloud_core::Error> {
    let cred = Credential::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******", "Gu5t9xGARNpq86cd98joQYCN3*******")?;
    let body = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
    let req = Request::post_json("cvm", "2017-03-12", "DescribeInstances", body)
        .region("ap-guangzhou")
        .content_type("application/json; charset=utf-8");
    let mut signer = Signer::<1>::new();
    let signed = signer.sign(&req, &cred, 1551113065)?;

    println!("--- canonical request\n{}\n", signed.canonical_request());
    println!("--- string to sign\n{}\n", signed.string_to_sign());
    println!("--- signature\n{}\n", signed.signature());
    let mut buf = [0u8; 1024];
    let n = signed.write_http1(&mut buf)?;
    println!("--- HTTP/1.1 request ({n} bytes)\n{}", String::from_utf8_lossy(&buf[..n]));
    Ok(())
}
