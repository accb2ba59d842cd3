//! `cargo fuzz run -s none zoo`: the body is `simloop_programs::fuzz::zoo::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| simloop_programs::fuzz::zoo::run(data));
