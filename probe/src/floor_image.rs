//! The size baseline: the same bare-metal shape around `tc_floor` (hashing only).
#![no_std]
#![no_main]

use core::hint::black_box;

use tencentcloud_nostd_probe as _;

unsafe extern "C" {
    fn tc_floor(key: *const u8, key_len: usize, msg: *const u8, msg_len: usize, out: *mut u8);
}

/// The reset entry point.
#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    let key = black_box(b"TC3secret");
    let msg = black_box(b"POST\n/\n\ncontent-type:application/json\nhost:cvm.tencentcloudapi.com\n");
    let mut out = [0u8; 64];
    unsafe { tc_floor(key.as_ptr(), key.len(), msg.as_ptr(), msg.len(), out.as_mut_ptr()) };
    black_box(out);
    loop {}
}
