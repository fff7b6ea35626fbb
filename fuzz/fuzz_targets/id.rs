#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| censuslink_fuzz::id(data));
