//! QEMU's `mps2-an386` board: what the firmware needs of its memory map and interrupts.

/// The core clock (SYSCLK): 25 MHz.
pub const SYSCLK_HZ: u32 = 25_000_000;
/// The SMSC LAN9118's register window.
pub const LAN9118_BASE: usize = 0x4020_0000;
/// The LAN9118's interrupt line on the NVIC.
pub const LAN9118_IRQ: u16 = 13;
/// Interrupt lines on this board's NVIC.
const IRQS: usize = 32;

/// An NVIC interrupt line, for cortex-m's NVIC functions.
#[derive(Clone, Copy)]
pub struct Irq(pub u16);

// SAFETY: `Irq` only holds line numbers below `IRQS`, all of which exist on this board.
unsafe impl cortex_m::interrupt::InterruptNumber for Irq {
    fn number(self) -> u16 {
        self.0
    }
}

unsafe extern "C" {
    /// cortex-m-rt's handler for unexpected interrupts.
    fn DefaultHandler();
}

/// The device part of the vector table (cortex-m-rt feature `device`): the LAN9118's line
/// goes to its driver, every other line to `DefaultHandler`.
#[unsafe(link_section = ".vector_table.interrupts")]
#[unsafe(no_mangle)]
static __INTERRUPTS: [unsafe extern "C" fn(); IRQS] = {
    let mut table = [DefaultHandler as unsafe extern "C" fn(); IRQS];
    table[LAN9118_IRQ as usize] = crate::lan9118::on_interrupt;
    table
};
