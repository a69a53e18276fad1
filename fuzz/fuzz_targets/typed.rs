#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tencentcloud_fuzz_entries::typed_decode(data));
