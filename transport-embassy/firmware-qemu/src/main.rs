//! Firmware for QEMU's `mps2-an386` board (Cortex-M4F): calls CVM `DescribeInstances` over
//! TLS 1.3 through the board's LAN9118 Ethernet, with no heap, then streams a chat answer and
//! reads a 1 MiB body through its 3 KiB response buffer, and reports over semihosting.
//!
//! The host (`examples/firmware_qemu.rs`) starts QEMU with the semihosting command line
//! `firmware AUTHORITY DIR REGION`; `DIR` holds `ca.der` (the trust anchor), `credentials`
//! (secret id and key, one per line; never printed) and `request.json` (the request body).
//! The board has no clock: the time comes from the server's `Date`. The firmware prints the
//! `Response` object, a `stream:` line (events and bytes), two `body:` lines (Content-Length,
//! chunked) and a `measured:` line, and exits with status 0, or prints the reason and exits
//! with the status of [`call::Failure`].
#![no_std]
#![no_main]
// `Failure` carries the client's `Error` inline (the API error's bounded strings): there is no
// heap to box it in.
#![allow(clippy::result_large_err, clippy::large_enum_variant)]

mod board;
mod call;
mod executor;
mod lan9118;
mod semihosting;
mod time;

use cortex_m_rt::entry;
use embassy_net::{Config, Ipv4Address, Ipv4Cidr, Runner, Stack, StackResources, StaticConfigV4};
use static_cell::{ConstStaticCell, StaticCell};

use lan9118::Lan9118;
use semihosting::exit;

/// The board's address; the host-side gateway is `GATEWAY`.
const ADDRESS: Ipv4Address = Ipv4Address::new(10, 0, 0, 2);
/// The host-side gateway that bridges TCP to the endpoint (it answers for every host name).
const GATEWAY: Ipv4Address = Ipv4Address::new(10, 0, 0, 1);
/// A locally administered MAC address, used if the controller reports none.
const FALLBACK_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];

/// The runner lives in a static, not in the task (a by-value argument would be stored twice).
#[embassy_executor::task]
async fn net_task(runner: &'static mut Runner<'static, Lan9118<'static>>) -> ! {
    runner.run().await
}

#[embassy_executor::task]
async fn client_task(stack: Stack<'static>) -> ! {
    match call::run(stack, GATEWAY).await {
        Ok(report) => {
            hprint!(
                "measured: stack high-water {} B (painted stack), heap 0 B (no allocator), TLS 1.3 handshake {} \
                 instructions, signed call on the kept-alive connection {} instructions, chat stream {} \
                 instructions, 1 MiB body {} instructions\n",
                stack_high_water(),
                report.handshake_instructions,
                report.call_instructions,
                report.stream_instructions,
                report.body_instructions
            );
            exit(0)
        }
        Err(failure) => call::fail(&failure),
    }
}

/// Bytes of stack ever used: cortex-m-rt painted the stack at reset (feature `paint-stack`);
/// the deepest word no longer holding the paint marks the high-water mark.
fn stack_high_water() -> usize {
    unsafe extern "C" {
        static _stack_end: u32;
        static _stack_start: u32;
    }
    let (bottom, top) = (&raw const _stack_end, &raw const _stack_start);
    let mut p = bottom;
    // SAFETY: every word between the two linker symbols is RAM reserved for the stack.
    while p < top && unsafe { p.read_volatile() } == cortex_m_rt::STACK_PAINT_VALUE {
        p = p.wrapping_add(1);
    }
    top as usize - p as usize
}

#[entry]
fn main() -> ! {
    let Some(peripherals) = cortex_m::Peripherals::take() else { exit(9) };
    time::start(peripherals.SYST);
    let (stack, runner) = start_network();
    executor::run(|spawner| {
        if let Ok(token) = net_task(runner) {
            spawner.spawn(token);
        }
        if let Ok(token) = client_task(stack) {
            spawner.spawn(token);
        }
    })
}

/// Brings up the LAN9118 and the embassy-net stack. Not inlined: the stack's state is built in
/// this frame before it moves to its static, and `main`'s frame lives for ever.
#[inline(never)]
fn start_network() -> (Stack<'static>, &'static mut Runner<'static, Lan9118<'static>>) {
    static NIC_BUFFERS: ConstStaticCell<lan9118::Buffers> = ConstStaticCell::new(lan9118::Buffers::new());
    let nic = match Lan9118::new(FALLBACK_MAC, NIC_BUFFERS.take()) {
        Ok(nic) => nic,
        Err(e) => {
            heprint!("firmware: {e}\n");
            exit(9)
        }
    };
    // Two sockets: embassy-net's DNS socket and the connector's TCP socket.
    static RESOURCES: ConstStaticCell<StackResources<2>> = ConstStaticCell::new(StackResources::new());
    static RUNNER: StaticCell<Runner<'static, Lan9118<'static>>> = StaticCell::new();
    let config = Config::ipv4_static(StaticConfigV4 {
        address: Ipv4Cidr::new(ADDRESS, 24),
        gateway: Some(GATEWAY),
        dns_servers: heapless::Vec::new(),
    });
    let (stack, runner) = embassy_net::new(nic, config, RESOURCES.take(), call::random_seed());
    (stack, RUNNER.init(runner))
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    heprint!("firmware: panic\n");
    exit(101)
}
