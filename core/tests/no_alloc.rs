//! Proves the device path (sign, write the HTTP/1.1 bytes, parse the response head,
//! decode a chunked body, parse the envelope) makes no heap allocation.
#![allow(unsafe_code)] // the counting allocator

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use serde::Deserialize;
use tencentcloud_core::response::{self, Header, Parsed, parse_envelope, parse_head};
use tencentcloud_core::{Credential, Request, Signer, sign::sign};

struct Counting;

thread_local! {
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // `try_with`: the thread-local may be gone while the thread shuts down.
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_in(f: impl FnOnce()) -> usize {
    let before = ALLOCS.with(Cell::get);
    f();
    ALLOCS.with(Cell::get) - before
}

#[derive(Deserialize)]
struct Instance<'a> {
    #[serde(rename = "InstanceId")]
    id: &'a str,
    #[serde(rename = "InstanceName")]
    name: heapless::String<32>,
}

#[derive(Deserialize)]
struct DescribeInstances<'a> {
    #[serde(rename = "TotalCount")]
    total: u32,
    #[serde(rename = "InstanceSet", borrow)]
    instances: heapless::Vec<Instance<'a>, 4>,
}

const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\nDate: Mon, 25 Feb 2019 16:44:26 GMT\r\nContent-Type: application/json\r\n\
Transfer-Encoding: chunked\r\n\r\n\
3a\r\n{\"Response\":{\"TotalCount\":1,\"InstanceSet\":[{\"InstanceId\":\"\r\n\
4f\r\nins-1\",\"InstanceName\":\"\\u672a\\u547d\\u540d\"}],\"RequestId\":\"6ef60bec-0242-43af\"}}\r\n0\r\n\r\n";

#[test]
fn sign_write_and_parse_make_no_heap_allocation() {
    let cred = Credential::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******", "Gu5t9xGARNpq86cd98joQYCN3*******").unwrap();
    let body = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
    let req = Request::post_json("cvm", "2017-03-12", "DescribeInstances", body)
        .region("ap-guangzhou")
        .content_type("application/json; charset=utf-8");
    let mut out = [0u8; 1024];
    let mut head_buf = [Header::EMPTY; 16];
    let mut body_buf = [0u8; 512];
    let mut scratch = [0u8; 64];

    let mut signer = Signer::<1>::new();
    let mut written = 0;
    let mut total = 0;
    let mut name_ok = false;
    let n = allocations_in(|| {
        let signed = sign(&req, &cred, 1551113065).unwrap();
        let cached = signer.sign(&req, &cred, 1551113065).unwrap();
        assert_eq!(signed.signature(), cached.signature());
        written = signed.write_http1(&mut out).unwrap();

        let Parsed::Complete(head) = parse_head(RESPONSE, &mut head_buf).unwrap() else { panic!("partial head") };
        response::check_response(&head).unwrap();
        let framing = head.framing().unwrap();
        let mut reader = response::BodyReader::new(framing, &mut body_buf).unwrap();
        reader.feed(&RESPONSE[head.len..]).unwrap();
        let body = reader.finish().unwrap();
        let envelope = parse_envelope::<DescribeInstances>(body, &mut scratch).unwrap();
        let reply = envelope.result.unwrap();
        total = reply.total;
        name_ok = reply.instances[0].id == "ins-1" && reply.instances[0].name == "\u{672a}\u{547d}\u{540d}";
    });
    assert_eq!(n, 0, "the device path allocated {n} times");
    assert!(out[..written].ends_with(body));
    assert_eq!(total, 1);
    assert!(name_ok);
    // The counter does see allocations.
    assert!(allocations_in(|| drop(vec![1u8; 16])) > 0);
}
