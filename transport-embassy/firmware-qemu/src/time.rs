//! embassy-time on SysTick, plus a cycle counter for measurements.
//!
//! SysTick counts the core clock (25 MHz on the MPS2) and interrupts every millisecond; the
//! interrupt counts milliseconds and wakes expired timers (alarm resolution: 1 ms). [`cycles`]
//! combines the count with the SysTick register, so it resolves single clock cycles.

use core::cell::{Cell, RefCell};
use core::task::Waker;

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::{SCB, SYST};
use cortex_m_rt::exception;
use critical_section::Mutex;
use embassy_time_queue_utils::Queue;

use crate::board::SYSCLK_HZ;

/// Core clock cycles per SysTick period (1 ms).
const PERIOD: u32 = SYSCLK_HZ / 1000;
/// Core clock cycles per embassy-time tick (1 MHz, feature `tick-hz-1_000_000`).
const CYCLES_PER_TICK: u64 = SYSCLK_HZ as u64 / 1_000_000;

struct SysTickDriver {
    /// SysTick periods elapsed (milliseconds).
    periods: Mutex<Cell<u64>>,
    queue: Mutex<RefCell<Queue>>,
}

embassy_time_driver::time_driver_impl!(static DRIVER: SysTickDriver = SysTickDriver {
    periods: Mutex::new(Cell::new(0)),
    queue: Mutex::new(RefCell::new(Queue::new())),
});

impl embassy_time_driver::Driver for SysTickDriver {
    fn now(&self) -> u64 {
        cycles() / CYCLES_PER_TICK
    }

    fn schedule_wake(&self, at: u64, waker: &Waker) {
        critical_section::with(|cs| {
            // The queue is checked on every SysTick interrupt: no alarm to reprogram.
            let _ = self.queue.borrow(cs).borrow_mut().schedule_wake(at, waker);
        });
    }
}

/// Starts SysTick: the core clock, one interrupt per millisecond.
pub fn start(mut syst: SYST) {
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(PERIOD - 1);
    syst.clear_current();
    syst.enable_counter();
    syst.enable_interrupt();
}

/// Core clock cycles since [`start`].
pub fn cycles() -> u64 {
    critical_section::with(|cs| {
        let periods = DRIVER.periods.borrow(cs).get();
        let current = SYST::get_current();
        if SCB::is_pendst_pending() {
            // The counter wrapped and the interrupt has not run yet: count that period, and
            // read the counter again (the first read may predate the wrap).
            (periods + 1) * u64::from(PERIOD) + u64::from(PERIOD - 1 - SYST::get_current())
        } else {
            periods * u64::from(PERIOD) + u64::from(PERIOD - 1 - current)
        }
    })
}

#[exception]
fn SysTick() {
    critical_section::with(|cs| {
        let periods = DRIVER.periods.borrow(cs);
        periods.set(periods.get() + 1);
        let now = periods.get() * u64::from(PERIOD) / CYCLES_PER_TICK;
        DRIVER.queue.borrow(cs).borrow_mut().next_expiration(now);
    });
}
