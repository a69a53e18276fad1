//! Firmware-shaped example: a Cortex-M4F device that calls CVM `DescribeInstances` every
//! minute over TLS 1.3, with no heap.
//!
//! - embassy executor (thread mode, WFE/SEV), embassy-time driven by SysTick at 1 kHz;
//! - an embassy-net stack on a loopback link (stands in for the board's Ethernet or Wi-Fi
//!   driver: replace `Loopback` with it, and the static IP with DHCP if needed);
//! - a client task: `Connector` (DNS, TCP, TLS 1.3 verified against `ca.der`, RSA and P-256
//!   chains alike) and `Client` (signing, response parsing, clock learned from `Date`: this
//!   device has no RTC).
//!
//! Replace `NotARealTrng` with the MCU's TRNG and the credentials before flashing anything.
#![no_std]
#![no_main]

use core::cell::{Cell, RefCell};
use core::sync::atomic::{AtomicU32, Ordering};
use core::task::{Context, Waker};

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::{entry, exception};
use critical_section::Mutex;
use embassy_executor::Executor;
use embassy_net::driver::{Capabilities, Driver, HardwareAddress, LinkState, RxToken, TxToken};
use embassy_net::{Config, Ipv4Address, Ipv4Cidr, Runner, Stack, StackResources, StaticConfigV4};
use embassy_time::Timer;
use embassy_time_queue_utils::Queue;
use static_cell::{ConstStaticCell, StaticCell};
use tencentcloud_core::{Credential, Request};
use tencentcloud_transport_embassy::net::{Buffers, Connector, Random};
use tencentcloud_transport_embassy::pki::TrustAnchor;
use tencentcloud_transport_embassy::{Client, Error, NoRtc};

/// The core clock after reset (e.g. the STM32F4's 16 MHz HSI).
const SYSCLK_HZ: u32 = 16_000_000;

/// The gateway's (or Tencent Cloud's) CA, DER. This one is a placeholder P-256 CA: for the
/// `*.tencentcloudapi.com` endpoints, anchor DigiCert Global Root G2 (their RSA chains'
/// root; `rsa` is on by default).
static CA_DER: &[u8] = include_bytes!("../ca.der");

const SECRET_ID: &str = match option_env!("TENCENTCLOUD_SECRET_ID") {
    Some(id) => id,
    None => "AKIDEXAMPLE",
};
const SECRET_KEY: &str = match option_env!("TENCENTCLOUD_SECRET_KEY") {
    Some(key) => key,
    None => "secretkeyexample",
};

// ---------------------------------------------------------------------------------------
// Time: SysTick at 1 kHz feeds embassy-time.

struct SysTickDriver {
    ticks: Mutex<Cell<u64>>,
    queue: Mutex<RefCell<Queue>>,
}

impl embassy_time_driver::Driver for SysTickDriver {
    fn now(&self) -> u64 {
        critical_section::with(|cs| self.ticks.borrow(cs).get())
    }

    fn schedule_wake(&self, at: u64, waker: &Waker) {
        critical_section::with(|cs| {
            // The queue is checked on every tick, so no alarm needs reprogramming.
            let _ = self.queue.borrow(cs).borrow_mut().schedule_wake(at, waker);
        });
    }
}

embassy_time_driver::time_driver_impl!(static DRIVER: SysTickDriver = SysTickDriver {
    ticks: Mutex::new(Cell::new(0)),
    queue: Mutex::new(RefCell::new(Queue::new())),
});

#[exception]
fn SysTick() {
    critical_section::with(|cs| {
        let ticks = DRIVER.ticks.borrow(cs);
        ticks.set(ticks.get() + 1);
        DRIVER.queue.borrow(cs).borrow_mut().next_expiration(ticks.get());
    });
}

// ---------------------------------------------------------------------------------------
// Network: a loopback IP link standing in for the board's driver.

const MTU: usize = 1500;

struct Loopback {
    frame: [u8; MTU],
    len: usize,
    spare: [u8; MTU],
}

struct Rx<'a>(&'a mut [u8]);

struct Tx<'a> {
    buf: &'a mut [u8; MTU],
    len: Option<&'a mut usize>,
}

impl RxToken for Rx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, f: F) -> R {
        f(self.0)
    }
}

impl TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let n = len.min(MTU);
        let r = f(&mut self.buf[..n]);
        if let Some(l) = self.len {
            *l = n;
        }
        r
    }
}

impl Driver for Loopback {
    type RxToken<'a> = Rx<'a>;
    type TxToken<'a> = Tx<'a>;

    fn receive(&mut self, _cx: &mut Context<'_>) -> Option<(Rx<'_>, Tx<'_>)> {
        let n = core::mem::take(&mut self.len);
        if n == 0 {
            return None;
        }
        Some((Rx(&mut self.frame[..n]), Tx { buf: &mut self.spare, len: None }))
    }

    fn transmit(&mut self, _cx: &mut Context<'_>) -> Option<Tx<'_>> {
        Some(Tx { buf: &mut self.frame, len: Some(&mut self.len) })
    }

    fn link_state(&mut self, _cx: &mut Context<'_>) -> LinkState {
        LinkState::Up
    }

    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::default();
        caps.max_transmission_unit = MTU;
        caps
    }

    fn hardware_address(&self) -> HardwareAddress {
        HardwareAddress::Ip
    }
}

// ---------------------------------------------------------------------------------------
// Randomness: a placeholder. Use the MCU's TRNG (embassy-stm32's `Rng`, the nRF `RNG`...:
// every rand_core 0.6 `CryptoRng` implements `Random`).

struct NotARealTrng(u32);

impl Random for NotARealTrng {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 17;
            self.0 ^= self.0 << 5;
            *b = self.0 as u8;
        }
    }
}

// ---------------------------------------------------------------------------------------
// Tasks.

#[derive(serde::Deserialize)]
struct Instances {
    #[serde(rename = "TotalCount")]
    total: u32,
}

/// What the last call did (a real device would log it or report it).
static LAST_TOTAL: AtomicU32 = AtomicU32::new(u32::MAX);
static LAST_ERROR: AtomicU32 = AtomicU32::new(0);

/// The runner lives in a static, not in the task (a by-value argument would be stored twice).
#[embassy_executor::task]
async fn net_task(runner: &'static mut Runner<'static, &'static mut Loopback>) -> ! {
    runner.run().await
}

#[embassy_executor::task]
async fn client_task(stack: Stack<'static>) -> ! {
    // The sizes the QEMU board (`firmware-qemu`) runs its calls with in CI. Small TCP windows
    // and TLS records cost round trips and a little CPU, not correctness.
    static TCP_RX: ConstStaticCell<[u8; 1024]> = ConstStaticCell::new([0; 1024]);
    static TCP_TX: ConstStaticCell<[u8; 1024]> = ConstStaticCell::new([0; 1024]);
    // A whole TLS record: 16 KiB of plaintext plus the record overhead (set by the protocol).
    static TLS_READ: ConstStaticCell<[u8; 16640]> = ConstStaticCell::new([0; 16640]);
    static TLS_WRITE: ConstStaticCell<[u8; 512]> = ConstStaticCell::new([0; 512]);
    // The `Response` of DescribeInstances with `Limit: 1`; a larger one is refused with the size
    // it needs (`ResponseError::BodyTooLarge`).
    static RESPONSE: ConstStaticCell<[u8; 3072]> = ConstStaticCell::new([0; 3072]);

    let buffers = Buffers {
        tcp_rx: TCP_RX.take(),
        tcp_tx: TCP_TX.take(),
        tls_read: TLS_READ.take(),
        tls_write: TLS_WRITE.take(),
    };
    let response = RESPONSE.take();
    let mut rng = NotARealTrng(0x2545_f491);
    let (Ok(anchor), Ok(credential)) = (TrustAnchor::from_der(CA_DER), Credential::new(SECRET_ID, SECRET_KEY)) else {
        LAST_ERROR.store(1, Ordering::Relaxed);
        loop {
            Timer::after_secs(3600).await;
        }
    };
    let mut connector = Connector::new(stack, buffers, anchor, &mut rng);
    let mut client: Client<'_, NoRtc> = Client::new(credential, NoRtc);
    stack.wait_config_up().await;
    loop {
        let request =
            Request::post_json("cvm", "2017-03-12", "DescribeInstances", br#"{"Limit":1}"#).region("ap-guangzhou");
        match client.call::<Instances, _>(&mut connector, &request, &mut response[..]).await {
            Ok(reply) => LAST_TOTAL.store(reply.total, Ordering::Relaxed),
            Err(Error::Api(api)) => LAST_ERROR.store(1000 + api.code.len() as u32, Ordering::Relaxed),
            Err(e) => LAST_ERROR.store(error_code(&e), Ordering::Relaxed),
        }
        Timer::after_secs(60).await;
    }
}

fn error_code(e: &Error) -> u32 {
    match e {
        Error::Dns => 2,
        Error::Connect => 3,
        Error::Timeout(_) => 4,
        Error::Tls(_) => 5,
        Error::Certificate(_) => 6,
        Error::Response(_) => 7,
        _ => 8,
    }
}

#[entry]
fn main() -> ! {
    let Some(mut cp) = cortex_m::Peripherals::take() else { cortex_m::asm::udf() };
    cp.SYST.set_clock_source(SystClkSource::Core);
    cp.SYST.set_reload(SYSCLK_HZ / 1000 - 1);
    cp.SYST.clear_current();
    cp.SYST.enable_counter();
    cp.SYST.enable_interrupt();

    // Statics built in place (`ConstStaticCell`), not on main's stack, which the executor
    // keeps for ever. Two sockets: embassy-net's DNS socket and the connector's TCP socket.
    static RESOURCES: ConstStaticCell<StackResources<2>> = ConstStaticCell::new(StackResources::new());
    static LINK: ConstStaticCell<Loopback> =
        ConstStaticCell::new(Loopback { frame: [0; MTU], len: 0, spare: [0; MTU] });
    static RUNNER: StaticCell<Runner<'static, &'static mut Loopback>> = StaticCell::new();
    static EXECUTOR: StaticCell<Executor> = StaticCell::new();
    let mut dns_servers = heapless::Vec::new();
    let _ = dns_servers.push(Ipv4Address::new(10, 0, 0, 1));
    let config = Config::ipv4_static(StaticConfigV4 {
        address: Ipv4Cidr::new(Ipv4Address::new(10, 0, 0, 2), 24),
        gateway: Some(Ipv4Address::new(10, 0, 0, 1)),
        dns_servers,
    });
    let (stack, runner) = embassy_net::new(LINK.take(), config, RESOURCES.take(), 0x0123_4567_89ab_cdef);

    EXECUTOR.init(Executor::new()).run(|spawner| {
        if let Ok(token) = net_task(RUNNER.init(runner)) {
            spawner.spawn(token);
        }
        if let Ok(token) = client_task(stack) {
            spawner.spawn(token);
        }
    })
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    cortex_m::asm::udf()
}
