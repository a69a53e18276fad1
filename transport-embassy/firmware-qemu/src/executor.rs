//! The executor: embassy's raw executor, sleeping with `WFI` when no task is ready, and
//! counting the cycles spent asleep so that [`busy_cycles`] counts only the cycles the CPU ran.
//!
//! Under QEMU's `-icount shift=0` every instruction advances the virtual clock by 1 ns, and a
//! sleeping CPU lets it run on with the host's clock: busy cycles times the nanoseconds per
//! cycle is then the number of instructions executed.

use core::cell::Cell;
use core::sync::atomic::{AtomicBool, Ordering};

use critical_section::Mutex;
use embassy_executor::{Spawner, raw};
use static_cell::StaticCell;

use crate::time;

/// Set when a task was woken: the executor must poll again before sleeping.
static PENDED: AtomicBool = AtomicBool::new(false);
/// Cycles spent in `WFI`.
static IDLE: Mutex<Cell<u64>> = Mutex::new(Cell::new(0));

#[unsafe(export_name = "__pender")]
fn pender(_context: *mut ()) {
    PENDED.store(true, Ordering::Release);
}

/// Cycles the CPU was not sleeping since the clock started.
pub fn busy_cycles() -> u64 {
    let idle = critical_section::with(|cs| IDLE.borrow(cs).get());
    time::cycles() - idle
}

/// Runs `init`, then the tasks it spawned, for ever.
pub fn run(init: impl FnOnce(Spawner)) -> ! {
    static EXECUTOR: StaticCell<raw::Executor> = StaticCell::new();
    let executor: &'static raw::Executor = EXECUTOR.init(raw::Executor::new(core::ptr::null_mut()));
    init(executor.spawner());
    loop {
        PENDED.store(false, Ordering::Release);
        // SAFETY: polled from this one thread only, never re-entrantly.
        unsafe { executor.poll() };
        // With interrupts masked, a wake-up between the check and `WFI` still ends the sleep
        // (a pending interrupt wakes `WFI`); its handler runs once they are unmasked.
        cortex_m::interrupt::disable();
        if !PENDED.load(Ordering::Acquire) {
            let asleep = time::cycles();
            cortex_m::asm::wfi();
            let slept = time::cycles() - asleep;
            // SAFETY: interrupts are masked: this is a critical section.
            let cs = unsafe { critical_section::CriticalSection::new() };
            let idle = IDLE.borrow(cs);
            idle.set(idle.get() + slept);
        }
        // SAFETY: unmasks what was masked above; no critical section is open here.
        unsafe { cortex_m::interrupt::enable() };
    }
}
