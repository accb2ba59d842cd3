//! `cargo fuzz run -s none scheduler_programs`: the body is `simloop_fuzz::scheduler_programs::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| simloop_fuzz::scheduler_programs::run(data));
