//! `cargo fuzz run -s none zoo`: the body is `simloop_fuzz::zoo::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| simloop_fuzz::zoo::run(data));
