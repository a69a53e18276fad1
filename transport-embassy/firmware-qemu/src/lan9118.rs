//! An embassy-net driver for the SMSC LAN9118 Ethernet controller (as QEMU's MPS2 boards
//! emulate it; the LAN9220 on the real board is register-compatible).
//!
//! The chip keeps frames in FIFOs behind a small register window: received frames are read
//! word by word from the RX data FIFO after their status word (length, errors) from the RX
//! status FIFO; a frame is sent by writing two command words and its data to the TX data FIFO.
//! Reception is interrupt driven: the RX status FIFO level interrupt wakes the network task.

use core::cell::RefCell;
use core::fmt;
use core::ptr;
use core::task::{Context, Waker};

use critical_section::Mutex;
use embassy_net::driver::{Capabilities, Driver, HardwareAddress, LinkState, RxToken, TxToken};

use crate::board::{Irq, LAN9118_BASE, LAN9118_IRQ};

// Register offsets (system control and status registers, and the FIFO ports).
const RX_DATA: usize = 0x00;
const TX_DATA: usize = 0x20;
const RX_STATUS: usize = 0x40;
const IRQ_CFG: usize = 0x54;
const INT_STS: usize = 0x58;
const INT_EN: usize = 0x5c;
const BYTE_TEST: usize = 0x64;
const TX_CFG: usize = 0x70;
const HW_CFG: usize = 0x74;
const RX_FIFO_INF: usize = 0x7c;
const TX_FIFO_INF: usize = 0x80;
const PMT_CTRL: usize = 0x84;
const MAC_CSR_CMD: usize = 0xa4;
const MAC_CSR_DATA: usize = 0xa8;

/// What `BYTE_TEST` reads on a LAN9118 (in any byte order other than this, the bus is wrong).
const BYTE_TEST_VALUE: u32 = 0x8765_4321;
/// IRQ_CFG: interrupt output enabled, push-pull, active high.
const IRQ_EN_PUSH_PULL_HIGH: u32 = 1 << 8 | 1 << 4 | 1;
/// INT_STS / INT_EN: the RX status FIFO holds more entries than its level (0).
const RSFL_INT: u32 = 1 << 3;
/// HW_CFG: soft reset (self-clearing).
const HW_CFG_SRST: u32 = 1;
/// PMT_CTRL: the device is ready.
const PMT_READY: u32 = 1;
/// TX_CFG: transmitter on; the TX status FIFO may overrun (statuses are not read).
const TX_ON_STATUS_OVERRUN: u32 = 1 << 1 | 1 << 2;
/// RX status word: error summary.
const RX_ERROR: u32 = 1 << 15;
/// TX command A: first and last segment (a whole frame in one buffer).
const TX_FIRST_LAST: u32 = 1 << 13 | 1 << 12;

// MAC control and status registers, through MAC_CSR_CMD / MAC_CSR_DATA.
const MAC_CSR_BUSY: u32 = 1 << 31;
const MAC_CSR_READ: u32 = 1 << 30;
const MAC_CR: u32 = 1;
const MAC_ADDRH: u32 = 2;
const MAC_ADDRL: u32 = 3;
const MII_ACC: u32 = 6;
const MII_DATA: u32 = 7;
/// MAC_CR: full duplex, transmitter and receiver on (address filtering, broadcasts accepted).
const MAC_CR_FDPX_TXEN_RXEN: u32 = 1 << 20 | 1 << 3 | 1 << 2;
/// MII_ACC: busy (set to start an access).
const MII_BUSY: u32 = 1;
/// The internal PHY's address on the MII bus.
const PHY_ADDR: u32 = 1;
/// PHY basic status register, and its link-up bit.
const PHY_BASIC_STATUS: u32 = 1;
const PHY_LINK_UP: u32 = 1 << 2;

/// Frame buffer size: a full Ethernet frame (1514 bytes) plus its CRC, rounded to words.
const BUF: usize = 1536;
/// Ethernet MTU as embassy-net counts it (header included, CRC excluded).
const MTU: usize = 1514;
/// Polls of a busy bit before giving up (the emulated chip is never busy; a real one briefly).
const SPINS: u32 = 100_000;

/// Woken by the interrupt when a frame arrives.
static RX_WAKER: Mutex<RefCell<Option<Waker>>> = Mutex::new(RefCell::new(None));

/// Why the controller could not be brought up.
#[derive(Debug, Clone, Copy)]
pub enum Error {
    /// `BYTE_TEST` read this instead of `0x87654321`: no LAN9118 at the address.
    NotFound(u32),
    /// A reset or register access did not complete.
    Timeout(&'static str),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound(v) => write!(f, "no LAN9118 found (BYTE_TEST read {v:#010x})"),
            Self::Timeout(what) => write!(f, "LAN9118: {what} did not complete"),
        }
    }
}

/// The LAN9118 as an embassy-net Ethernet driver.
pub struct Lan9118<'a> {
    mac: [u8; 6],
    rx: &'a mut [u8; BUF],
    tx: &'a mut [u8; BUF],
}

fn read(offset: usize) -> u32 {
    // SAFETY: a register of the LAN9118 window, aligned; reading has no effect on memory.
    unsafe { ptr::read_volatile((LAN9118_BASE + offset) as *const u32) }
}

fn write(offset: usize, value: u32) {
    // SAFETY: a register of the LAN9118 window, aligned; writing has no effect on memory.
    unsafe { ptr::write_volatile((LAN9118_BASE + offset) as *mut u32, value) }
}

fn wait_clear(offset: usize, bit: u32, what: &'static str) -> Result<(), Error> {
    (0..SPINS).find(|_| read(offset) & bit == 0).map(|_| ()).ok_or(Error::Timeout(what))
}

fn mac_read(reg: u32) -> Result<u32, Error> {
    write(MAC_CSR_CMD, MAC_CSR_BUSY | MAC_CSR_READ | reg);
    wait_clear(MAC_CSR_CMD, MAC_CSR_BUSY, "MAC register read")?;
    Ok(read(MAC_CSR_DATA))
}

fn mac_write(reg: u32, value: u32) -> Result<(), Error> {
    write(MAC_CSR_DATA, value);
    write(MAC_CSR_CMD, MAC_CSR_BUSY | reg);
    wait_clear(MAC_CSR_CMD, MAC_CSR_BUSY, "MAC register write")
}

fn phy_read(reg: u32) -> Result<u32, Error> {
    mac_write(MII_ACC, PHY_ADDR << 11 | reg << 6 | MII_BUSY)?;
    (0..SPINS)
        .find(|_| mac_read(MII_ACC).is_ok_and(|v| v & MII_BUSY == 0))
        .ok_or(Error::Timeout("PHY register read"))?;
    mac_read(MII_DATA)
}

/// The interrupt handler (the board's vector table points the LAN9118's line here).
pub extern "C" fn on_interrupt() {
    // Acknowledge everything pending (write one to clear); the driver then drains the FIFO.
    write(INT_STS, read(INT_STS));
    critical_section::with(|cs| {
        if let Some(waker) = RX_WAKER.borrow(cs).borrow_mut().take() {
            waker.wake();
        }
    });
}

/// The driver's frame buffers (one received frame, one frame to send).
pub struct Buffers {
    rx: [u8; BUF],
    tx: [u8; BUF],
}

impl Buffers {
    /// Zeroed buffers (for a `static`).
    pub const fn new() -> Self {
        Self { rx: [0; BUF], tx: [0; BUF] }
    }
}

impl<'a> Lan9118<'a> {
    /// Resets the controller, turns the MAC on with its address (`fallback` if the chip has
    /// none) and enables the receive interrupt.
    pub fn new(fallback: [u8; 6], buffers: &'a mut Buffers) -> Result<Self, Error> {
        let test = read(BYTE_TEST);
        if test != BYTE_TEST_VALUE {
            return Err(Error::NotFound(test));
        }
        write(HW_CFG, HW_CFG_SRST);
        wait_clear(HW_CFG, HW_CFG_SRST, "soft reset")?;
        (0..SPINS).find(|_| read(PMT_CTRL) & PMT_READY != 0).ok_or(Error::Timeout("power-up"))?;

        let (low, high) = (mac_read(MAC_ADDRL)?.to_le_bytes(), mac_read(MAC_ADDRH)?.to_le_bytes());
        let mut mac = [low[0], low[1], low[2], low[3], high[0], high[1]];
        if mac == [0; 6] || mac == [0xff; 6] || mac[0] & 1 != 0 {
            mac = fallback;
            mac_write(MAC_ADDRL, u32::from_le_bytes([mac[0], mac[1], mac[2], mac[3]]))?;
            mac_write(MAC_ADDRH, u32::from_le_bytes([mac[4], mac[5], 0, 0]))?;
        }
        mac_write(MAC_CR, MAC_CR_FDPX_TXEN_RXEN)?;
        write(TX_CFG, TX_ON_STATUS_OVERRUN);

        write(INT_STS, u32::MAX);
        write(INT_EN, RSFL_INT);
        write(IRQ_CFG, IRQ_EN_PUSH_PULL_HIGH);
        // SAFETY: the handler only touches the chip's registers and the waker's mutex.
        unsafe { cortex_m::peripheral::NVIC::unmask(Irq(LAN9118_IRQ)) };
        Ok(Self { mac, rx: &mut buffers.rx, tx: &mut buffers.tx })
    }

    /// Reads the next good frame into `self.rx`, skipping bad ones; `None` when none waits.
    fn pop_frame(&mut self) -> Option<usize> {
        loop {
            if (read(RX_FIFO_INF) >> 16) & 0xff == 0 {
                return None;
            }
            let status = read(RX_STATUS);
            // Length with the 4-byte CRC, which the FIFO also holds.
            let len = ((status >> 16) & 0x3fff) as usize;
            let good = status & RX_ERROR == 0 && (4 + 14..=BUF).contains(&len);
            for i in 0..len.div_ceil(4) {
                let word = read(RX_DATA).to_le_bytes();
                if let Some(chunk) = self.rx.get_mut(i * 4..i * 4 + 4) {
                    chunk.copy_from_slice(&word);
                }
            }
            if good {
                return Some(len - 4);
            }
            // A frame with errors or too long for the buffer: dropped, as a NIC does.
        }
    }

    /// Whether the TX data FIFO has room for a whole frame and its two command words.
    fn tx_room() -> bool {
        (read(TX_FIFO_INF) & 0xffff) as usize >= BUF + 8
    }
}

/// A received frame.
pub struct Rx<'a>(&'a mut [u8]);

/// Room for one frame in the TX FIFO.
pub struct Tx<'a>(&'a mut [u8; BUF]);

impl RxToken for Rx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, f: F) -> R {
        f(self.0)
    }
}

impl TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let len = len.min(MTU);
        let frame = &mut self.0[..len];
        let r = f(frame);
        let len32 = len as u32;
        write(TX_DATA, TX_FIRST_LAST | len32);
        // Command B: the frame length, also as the packet tag (bits 31:16).
        write(TX_DATA, len32 << 16 | len32);
        for chunk in frame.chunks(4) {
            let mut word = [0u8; 4];
            word[..chunk.len()].copy_from_slice(chunk);
            write(TX_DATA, u32::from_le_bytes(word));
        }
        r
    }
}

impl Driver for Lan9118<'_> {
    type RxToken<'t>
        = Rx<'t>
    where
        Self: 't;
    type TxToken<'t>
        = Tx<'t>
    where
        Self: 't;

    fn receive(&mut self, cx: &mut Context<'_>) -> Option<(Rx<'_>, Tx<'_>)> {
        if !Self::tx_room() {
            // The FIFO drains at wire speed; no interrupt is set up for it.
            cx.waker().wake_by_ref();
            return None;
        }
        // Registered before looking, so a frame arriving in between still wakes the task.
        critical_section::with(|cs| *RX_WAKER.borrow(cs).borrow_mut() = Some(cx.waker().clone()));
        let len = self.pop_frame()?;
        Some((Rx(&mut self.rx[..len]), Tx(self.tx)))
    }

    fn transmit(&mut self, cx: &mut Context<'_>) -> Option<Tx<'_>> {
        if Self::tx_room() {
            Some(Tx(self.tx))
        } else {
            cx.waker().wake_by_ref();
            None
        }
    }

    fn link_state(&mut self, _cx: &mut Context<'_>) -> LinkState {
        match phy_read(PHY_BASIC_STATUS) {
            Ok(status) if status & PHY_LINK_UP != 0 => LinkState::Up,
            _ => LinkState::Down,
        }
    }

    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::default();
        caps.max_transmission_unit = MTU;
        caps
    }

    fn hardware_address(&self) -> HardwareAddress {
        HardwareAddress::Ethernet(self.mac)
    }
}
