//! A minimal bare-metal image around `tc_probe`, so the linker keeps exactly what the
//! sign + write + parse path needs (for `size -A` and per-crate attribution).
#![no_std]
#![no_main]

use core::hint::black_box;

use tencentcloud_nostd_probe as _;

unsafe extern "C" {
    fn tc_probe(
        now: u64,
        out: *mut u8,
        out_len: usize,
        response: *const u8,
        response_len: usize,
        total: *mut u32,
    ) -> i32;
}

static RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 46\r\n\r\n\
{\"Response\":{\"TotalCount\":0,\"RequestId\":\"r1\"}}";

/// The reset entry point.
#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    let mut out = [0u8; 1024];
    let mut total = 0u32;
    let response = black_box(RESPONSE);
    let n = unsafe {
        tc_probe(black_box(1_700_000_000), out.as_mut_ptr(), out.len(), response.as_ptr(), response.len(), &mut total)
    };
    black_box((n, out, total));
    loop {}
}
