//! no_std proof: this staticlib has no `std`, no `alloc` and no global allocator, and
//! uses tencentcloud-core's sign + write + parse path. If the core (with default
//! features off) pulled in std or alloc, this crate would fail to build.
#![no_std]

use core::panic::PanicInfo;

use serde::Deserialize;
use tencentcloud_core::response::{BodyReader, Header, Parsed, parse_envelope, parse_head};
use tencentcloud_core::{Credential, Request, Signer};

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    loop {}
}

#[derive(Deserialize)]
struct Reply<'a> {
    #[serde(rename = "TotalCount")]
    total: u32,
    #[serde(rename = "RequestId")]
    _request_id: &'a str,
}

static mut SIGNER: Signer<1> = Signer::new();

/// Signs a DescribeInstances call into `out` and parses `response` (a complete HTTP
/// response); returns the bytes written, or a negative error code.
///
/// # Safety
/// The pointers must be valid for the given lengths, and the function not re-entered.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tc_probe(
    now: u64,
    out: *mut u8,
    out_len: usize,
    response: *const u8,
    response_len: usize,
    total: *mut u32,
) -> i32 {
    let out = unsafe { core::slice::from_raw_parts_mut(out, out_len) };
    let response = unsafe { core::slice::from_raw_parts(response, response_len) };
    let signer = unsafe { &mut *core::ptr::addr_of_mut!(SIGNER) };
    let Ok(cred) = Credential::new("AKIDEXAMPLE", "secret") else { return -1 };
    let req = Request::post_json("cvm", "2017-03-12", "DescribeInstances", br#"{"Limit":1}"#).region("ap-guangzhou");
    let Ok(signed) = signer.sign(&req, &cred, now) else { return -2 };
    let Ok(n) = signed.write_http1(out) else { return -3 };

    let mut headers = [Header::EMPTY; 16];
    let Ok(Parsed::Complete(head)) = parse_head(response, &mut headers) else { return -4 };
    let Ok(framing) = head.framing() else { return -5 };
    let mut body = [0u8; 1024];
    let Ok(mut reader) = BodyReader::new(framing, &mut body) else { return -6 };
    if reader.feed(response.get(head.len..).unwrap_or(&[])).is_err() {
        return -7;
    }
    let Ok(body) = reader.finish() else { return -8 };
    let Ok(envelope) = parse_envelope::<Reply>(body, &mut []) else { return -9 };
    match envelope.result {
        Ok(reply) => unsafe { *total = reply.total },
        Err(_) => return -10,
    }
    n as i32
}

/// The hashing TC3 cannot avoid, done directly with sha2 + hmac: payload hash,
/// canonical-request hash, 3-HMAC key derivation, final HMAC, hex. The size of an image
/// around this, subtracted from one around [`tc_probe`], is the core's own share.
///
/// # Safety
/// The pointers must be valid for the given lengths.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tc_floor(key: *const u8, key_len: usize, msg: *const u8, msg_len: usize, out: *mut u8) {
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256};
    let key = unsafe { core::slice::from_raw_parts(key, key_len) };
    let msg = unsafe { core::slice::from_raw_parts(msg, msg_len) };
    let out = unsafe { &mut *(out as *mut [u8; 64]) };
    let hmac = |k: &[u8], m: &[u8]| -> [u8; 32] {
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(k) else { return [0; 32] };
        mac.update(m);
        mac.finalize().into_bytes().into()
    };
    let mut hex = [0u8; 64];
    let _ = base16ct::lower::encode(&Sha256::digest(msg), &mut hex);
    let mut h = Sha256::new();
    h.update(msg);
    h.update(hex);
    let _ = base16ct::lower::encode(&h.finalize(), &mut hex);
    let k = hmac(&hmac(&hmac(key, b"2019-02-25"), b"cvm"), b"tc3_request");
    let _ = base16ct::lower::encode(&hmac(&k, &hex), out);
}
