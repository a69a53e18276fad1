//! Firmware-shaped example: a device that calls CVM `DescribeInstances` every minute over
//! TLS 1.3, with no heap, for three MCU families (`family`: the per-family bits):
//!
//! - Cortex-M4F (`thumbv7em-none-eabihf`) and Cortex-M0+ (`thumbv6m-none-eabi`, the RP2040
//!   class): cortex-m-rt, embassy-time driven by SysTick at 1 kHz;
//! - RV32IMC (`riscv32imc-unknown-none-elf`, the ESP32-C3 class): riscv-rt, embassy-time
//!   driven by the machine timer at 1 kHz (a CLINT, as on QEMU `virt` and SiFive cores);
//!
//! and on all of them:
//!
//! - the embassy executor (thread mode, sleeping between events);
//! - an embassy-net stack on a loopback link (stands in for the board's Ethernet or Wi-Fi
//!   driver: replace `Loopback` with it, and the static IP with DHCP if needed);
//! - a client task: `Connector` (DNS, TCP, TLS 1.3 verified against `ca.der`, RSA and P-256
//!   chains alike) and `Client` (signing, response parsing, clock learned from `Date`: this
//!   device has no RTC).
//!
//! The M0+ and the RV32IMC have no atomic compare-and-swap: portable-atomic (feature
//! `critical-section`) supplies it to static_cell (nothing else here needs it), and the
//! single-core critical sections (cortex-m's, riscv's) make it sound.
//!
//! Replace `NotARealTrng` with the MCU's TRNG and the credentials before flashing anything.
#![no_std]
#![no_main]

use core::cell::{Cell, RefCell};
use core::sync::atomic::{AtomicU32, Ordering};
use core::task::{Context, Waker};

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
// Time: a 1 kHz tick (the family's timer interrupt calls `tick`) feeds embassy-time.

/// embassy-time's tick rate (feature `tick-hz-1_000`).
const TICK_HZ: u32 = 1000;

struct TickDriver {
    ticks: Mutex<Cell<u64>>,
    queue: Mutex<RefCell<Queue>>,
}

impl embassy_time_driver::Driver for TickDriver {
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

embassy_time_driver::time_driver_impl!(static DRIVER: TickDriver = TickDriver {
    ticks: Mutex::new(Cell::new(0)),
    queue: Mutex::new(RefCell::new(Queue::new())),
});

/// One tick: advances the time and wakes the tasks whose time has come.
fn tick() {
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

/// Builds the network stack and runs the executor: called by the family's entry point once its
/// tick runs.
fn run() -> ! {
    // Statics built in place (`ConstStaticCell`), not on the stack, which the executor keeps
    // for ever. Two sockets: embassy-net's DNS socket and the connector's TCP socket.
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
    family::halt()
}

// ---------------------------------------------------------------------------------------
// The per-family bits: entry point, tick source, halt.

/// Cortex-M4F and Cortex-M0+: cortex-m-rt, SysTick (present on both, RP2040 included).
#[cfg(target_arch = "arm")]
mod family {
    use cortex_m::peripheral::syst::SystClkSource;
    use cortex_m_rt::{entry, exception};

    /// The core clock (e.g. the STM32F4's 16 MHz HSI after reset; an RP2040 runs at 125 MHz
    /// once embassy-rp or rp2040-hal has set its clocks up).
    const SYSCLK_HZ: u32 = 16_000_000;

    #[entry]
    fn main() -> ! {
        let Some(mut cp) = cortex_m::Peripherals::take() else { halt() };
        cp.SYST.set_clock_source(SystClkSource::Core);
        cp.SYST.set_reload(SYSCLK_HZ / super::TICK_HZ - 1);
        cp.SYST.clear_current();
        cp.SYST.enable_counter();
        cp.SYST.enable_interrupt();
        super::run()
    }

    #[exception]
    fn SysTick() {
        super::tick();
    }

    pub fn halt() -> ! {
        cortex_m::asm::udf()
    }
}

/// RV32IMC: riscv-rt, the machine timer of a CLINT at the SiFive/QEMU `virt` addresses. (The
/// ESP32-C3 has no CLINT: there the tick comes from its SYSTIMER, e.g. esp-hal's time driver.)
#[cfg(target_arch = "riscv32")]
mod family {
    use riscv::interrupt::Interrupt;

    /// The CLINT's `mtime` rate (QEMU `virt`: 10 MHz).
    const MTIME_HZ: u32 = 10_000_000;
    /// Hart 0's `mtimecmp` (low word; the high word follows).
    const MTIMECMP: *mut u32 = 0x0200_4000 as *mut u32;
    /// `mtime` (low word; the high word follows).
    const MTIME: *const u32 = 0x0200_bff8 as *const u32;

    /// A 64-bit CLINT register read as two words, consistently.
    fn read64(reg: *const u32) -> u64 {
        // SAFETY: the CLINT's registers, aligned and always readable.
        unsafe {
            loop {
                let hi = reg.add(1).read_volatile();
                let lo = reg.read_volatile();
                if reg.add(1).read_volatile() == hi {
                    return (u64::from(hi) << 32) | u64::from(lo);
                }
            }
        }
    }

    /// Sets `mtimecmp` without a spurious interrupt in between (the high word parked first).
    fn set_mtimecmp(at: u64) {
        // SAFETY: hart 0's `mtimecmp`, written only here (at start-up and in its interrupt).
        unsafe {
            MTIMECMP.add(1).write_volatile(u32::MAX);
            MTIMECMP.write_volatile(at as u32);
            MTIMECMP.add(1).write_volatile((at >> 32) as u32);
        }
    }

    #[riscv_rt::entry]
    fn main() -> ! {
        set_mtimecmp(read64(MTIME) + u64::from(MTIME_HZ / super::TICK_HZ));
        // SAFETY: nothing is in a critical section yet; the timer's handler is below.
        unsafe {
            riscv::interrupt::enable_interrupt(Interrupt::MachineTimer);
            riscv::interrupt::enable();
        }
        super::run()
    }

    #[riscv_rt::core_interrupt(Interrupt::MachineTimer)]
    fn machine_timer() {
        set_mtimecmp(read64(MTIMECMP) + u64::from(MTIME_HZ / super::TICK_HZ));
        super::tick();
    }

    pub fn halt() -> ! {
        riscv::interrupt::disable();
        loop {
            riscv::asm::wfi();
        }
    }
}
