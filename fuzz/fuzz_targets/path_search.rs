#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::path_search(data));
