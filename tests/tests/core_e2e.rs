//! tencentcloud-core's request bytes, sent over a raw socket to the emulator (which
//! verifies TC3 with its own code), and the answer parsed back with core's response side.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use tencentcloud_core::request::Body;
use tencentcloud_core::response::{BodyReader, Header, Parsed, check_response, parse_envelope, parse_head};
use tencentcloud_core::{Credential, Language, Request, Signer};
use tencentcloud_emulator::{Emulator, RunningEmulator, Verification};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const ID: &str = "AKIDCORE0000000000000000000000000001";
const KEY: &str = "core-e2e-secret-key-000000000001";

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// Sends the bytes, reads one response, returns (status, body) parsed by core.
async fn round_trip(emu: &RunningEmulator, request: &[u8]) -> (u16, Vec<u8>, Option<u64>) {
    let mut sock = TcpStream::connect(emu.addr()).await.unwrap();
    sock.write_all(request).await.unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(5), sock.read(&mut chunk)).await.unwrap().unwrap();
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [Header::EMPTY; 32];
        if let Parsed::Complete(head) = parse_head(&buf, &mut headers).unwrap() {
            let framing = head.framing().unwrap();
            let mut out = vec![0u8; 1 << 20];
            let mut reader = BodyReader::new(framing, &mut out).unwrap();
            let mut rest = buf[head.len..].to_vec();
            loop {
                let used = reader.feed(&rest).unwrap();
                rest.drain(..used);
                if reader.is_done() {
                    break;
                }
                let n = tokio::time::timeout(Duration::from_secs(5), sock.read(&mut chunk)).await.unwrap().unwrap();
                assert!(n > 0, "connection closed mid-body");
                rest.extend_from_slice(&chunk[..n]);
            }
            let date = head.date().and_then(|d| tencentcloud_core::time::parse_http_date(d).ok());
            check_response(&head).unwrap();
            return (head.status, reader.finish().unwrap().to_vec(), date);
        }
        assert!(n > 0, "connection closed before the head");
    }
}

#[derive(Deserialize)]
struct Echo<'a> {
    #[serde(rename = "Action")]
    action: &'a str,
}

fn assert_verified(emu: &RunningEmulator) {
    let last = emu.requests().pop().unwrap();
    assert!(matches!(last.verification, Verification::Verified { .. }), "emulator refused: {:?}", last.verification);
}

#[tokio::test]
async fn every_body_kind_and_option_verifies_independently() {
    let emu = Emulator::builder().key(ID, KEY).start().await.unwrap();
    let host = emu.host();
    let cred = Credential::new(ID, KEY).unwrap();
    let mut signer: Signer = Signer::new();
    let trace = [("X-TC-TraceId", "  MiXeD-Case-Trace  ")];
    let bytes = vec![7u8; 3000];
    let bodies = [
        Body::Json(br#"{"Limit": 1, "Name": "\u672a\u547d\u540d"}"#),
        Body::Query("Limit=1&Filters.0.Name=instance-name&Filters.0.Values.0=a+b%2Fc"),
        Body::OctetStream(&bytes),
    ];
    let mut checked = 0;
    for body in bodies {
        for variant in 0..6 {
            let mut req = Request::new("cvm", "2017-03-12", "echo", body).host(&host).headers(&trace);
            if variant & 1 == 1 {
                req = req.region("ap-guangzhou").language(Language::EnUs).request_client("SDK_RUST_E2E");
            }
            if variant == 2 || variant == 3 {
                req = req.sign_headers(&["X-TC-Action", "x-tc-traceid", "X-TC-Timestamp"]);
            }
            if variant >= 4 && !matches!(body, Body::Query(_)) {
                req = req.unsigned_payload();
            }
            let signed = signer.sign(&req, &cred, now()).unwrap();
            let mut out = vec![0u8; signed.http1_len()];
            signed.write_http1(&mut out).unwrap();
            let (status, body, date) = round_trip(&emu, &out).await;
            assert_eq!(status, 200);
            assert!(date.is_some());
            assert_verified(&emu);
            let env = parse_envelope::<Echo>(&body, &mut [0u8; 256]).unwrap();
            assert_eq!(env.result.unwrap().action, "Echo", "action first letter upper-cased");
            assert_eq!(env.request_id.len(), 36);
            checked += 1;
        }
    }
    assert_eq!(checked, 18);
}

#[tokio::test]
async fn temporary_credentials_and_api_errors() {
    let emu = Emulator::builder().key(ID, KEY).start().await.unwrap();
    let host = emu.host();
    let tmp = emu.mint_temporary(Duration::from_secs(600));
    let req = Request::post_json("cvm", "2017-03-12", "DescribeInstances", br#"{"Limit":1}"#)
        .host(&host)
        .region("ap-guangzhou");

    let with_token = Credential::new(&tmp.secret_id, &tmp.secret_key).unwrap().with_token(&tmp.token).unwrap();
    let signed = tencentcloud_core::sign::sign(&req, &with_token, now()).unwrap();
    let mut out = vec![0u8; signed.http1_len()];
    signed.write_http1(&mut out).unwrap();
    let (_, body, _) = round_trip(&emu, &out).await;
    #[derive(Deserialize)]
    struct Count {
        #[serde(rename = "TotalCount")]
        total: u32,
    }
    assert_eq!(parse_envelope::<Count>(&body, &mut []).unwrap().result.unwrap().total, 2);

    // Without the token the emulator answers an error envelope, which core surfaces.
    let without = Credential::new(&tmp.secret_id, &tmp.secret_key).unwrap();
    let signed = tencentcloud_core::sign::sign(&req, &without, now()).unwrap();
    let mut out = vec![0u8; signed.http1_len()];
    signed.write_http1(&mut out).unwrap();
    let (_, body, _) = round_trip(&emu, &out).await;
    let err = parse_envelope::<Count>(&body, &mut []).unwrap().result.err().unwrap();
    assert_eq!(err.code, "AuthFailure.TokenFailure");
    assert_eq!(err.request_id.len(), 36);

    // A clock 10 minutes off is refused, and the Date header tells the right time.
    let signed = tencentcloud_core::sign::sign(&req, &with_token, now() - 600).unwrap();
    let mut out = vec![0u8; signed.http1_len()];
    signed.write_http1(&mut out).unwrap();
    let (_, body, date) = round_trip(&emu, &out).await;
    let err = parse_envelope::<Count>(&body, &mut []).unwrap().result.err().unwrap();
    assert_eq!(err.code, "AuthFailure.SignatureExpire");
    let server_now = date.unwrap();
    let signed = tencentcloud_core::sign::sign(&req, &with_token, server_now).unwrap();
    let mut out = vec![0u8; signed.http1_len()];
    signed.write_http1(&mut out).unwrap();
    let (_, body, _) = round_trip(&emu, &out).await;
    assert!(parse_envelope::<Count>(&body, &mut []).unwrap().result.is_ok());
}

#[tokio::test]
async fn unsigned_request_needs_no_credential() {
    let emu = Emulator::builder().key(ID, KEY).start().await.unwrap();
    let host = emu.host();
    let params =
        br#"{"RoleArn":"qcs::cam::uin/1:roleName/r","RoleSessionName":"s","WebIdentityToken":"jwt","ProviderId":"p"}"#;
    let req =
        Request::post_json("sts", "2018-08-13", "AssumeRoleWithWebIdentity", params).host(&host).region("ap-guangzhou");
    let unsigned = tencentcloud_core::SignedRequest::unsigned(&req, now()).unwrap();
    let mut out = vec![0u8; unsigned.http1_len()];
    unsigned.write_http1(&mut out).unwrap();
    let (status, body, _) = round_trip(&emu, &out).await;
    assert_eq!(status, 200);
    let last = emu.requests().pop().unwrap();
    assert!(matches!(last.verification, Verification::Skipped), "{:?}", last.verification);
    #[derive(Deserialize)]
    struct Assumed {
        #[serde(rename = "ExpiredTime")]
        expired: u64,
    }
    assert!(parse_envelope::<Assumed>(&body, &mut [0u8; 256]).unwrap().result.unwrap().expired > now());

    // The emulator accepts `SKIP` for this action only.
    let other = Request::post_json("cvm", "2017-03-12", "DescribeInstances", b"{}").host(&host);
    let unsigned = tencentcloud_core::SignedRequest::unsigned(&other, now()).unwrap();
    let mut out = vec![0u8; unsigned.http1_len()];
    unsigned.write_http1(&mut out).unwrap();
    let (_, body, _) = round_trip(&emu, &out).await;
    let err = parse_envelope::<Assumed>(&body, &mut []).unwrap().result.err().unwrap();
    assert_eq!(err.code, "AuthFailure.InvalidAuthorization");
}
