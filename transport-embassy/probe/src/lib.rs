//! no_std proof: this staticlib has no `std`, no `alloc` and no global allocator, and drives
//! tencentcloud-transport-embassy's whole call path (embassy-net connector, TLS verifier,
//! client) far enough that all of it is compiled. If the crate (default features) pulled in
//! std or alloc, this would fail to build. Linking a final image additionally needs a
//! time driver and a critical-section implementation, as any embassy firmware does.
#![no_std]

use core::future::Future;
use core::panic::PanicInfo;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use embassy_net::driver::{Capabilities, Driver, HardwareAddress, LinkState, RxToken, TxToken};
use embassy_net::{Config, StackResources};
use serde::Deserialize;
use tencentcloud_core::{Credential, Request};
use tencentcloud_transport_embassy::net::{Buffers, Connector, Random};
use tencentcloud_transport_embassy::pki::TrustAnchor;
use tencentcloud_transport_embassy::{Client, NoRtc};

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    loop {}
}

/// A link with nothing on it.
struct NoLink([u8; 64]);

struct Rx<'a>(&'a mut [u8]);
struct Tx<'a>(&'a mut [u8]);

impl RxToken for Rx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, f: F) -> R {
        f(self.0)
    }
}

impl TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let n = len.min(self.0.len());
        f(&mut self.0[..n])
    }
}

impl Driver for NoLink {
    type RxToken<'a> = Rx<'a>;
    type TxToken<'a> = Tx<'a>;

    fn receive(&mut self, _: &mut Context<'_>) -> Option<(Rx<'_>, Tx<'_>)> {
        None
    }

    fn transmit(&mut self, _: &mut Context<'_>) -> Option<Tx<'_>> {
        Some(Tx(&mut self.0))
    }

    fn link_state(&mut self, _: &mut Context<'_>) -> LinkState {
        LinkState::Up
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }

    fn hardware_address(&self) -> HardwareAddress {
        HardwareAddress::Ip
    }
}

struct Counter(u8);

impl Random for Counter {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            self.0 = self.0.wrapping_add(1);
            *b = self.0;
        }
    }
}

#[derive(Deserialize)]
struct Reply<'a> {
    #[serde(rename = "RequestId")]
    _request_id: &'a str,
}

/// Builds a stack, a TLS connector and a client on the caller's memory and polls one
/// DescribeInstances call once; returns 1 if it completed, 0 if it is pending.
///
/// # Safety
/// `memory` must be valid for `len` bytes, at least 40 KiB, 8-byte aligned.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tc_embassy_probe(memory: *mut u8, len: usize, ca: *const u8, ca_len: usize) -> i32 {
    let memory = unsafe { core::slice::from_raw_parts_mut(memory, len) };
    let ca = unsafe { core::slice::from_raw_parts(ca, ca_len) };
    let Ok(anchor) = TrustAnchor::from_der(ca) else { return -1 };
    let Ok(credential) = Credential::new("AKIDEXAMPLE", "secret") else { return -2 };
    let mut resources = StackResources::<2>::new();
    let (stack, _runner) = embassy_net::new(NoLink([0; 64]), Config::default(), &mut resources, 1);
    let (tcp_rx, rest) = memory.split_at_mut(2048);
    let (tcp_tx, rest) = rest.split_at_mut(2048);
    let (tls_read, rest) = rest.split_at_mut(16640);
    let (tls_write, response) = rest.split_at_mut(1024);
    let mut rng = Counter(0);
    let buffers = Buffers { tcp_rx, tcp_tx, tls_read, tls_write };
    let mut connector = Connector::new(stack, buffers, anchor, &mut rng);
    let mut client: Client<'_, NoRtc> = Client::new(credential, NoRtc);
    let request = Request::post_json("cvm", "2017-03-12", "DescribeInstances", b"{}").region("ap-guangzhou");
    let call = pin!(client.call::<Reply<'_>, _>(&mut connector, &request, response));
    match call.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(_) => 1,
        Poll::Pending => 0,
    }
}
