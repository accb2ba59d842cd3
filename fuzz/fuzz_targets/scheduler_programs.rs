//! `cargo fuzz run -s none scheduler_programs`: the body is `simloop_programs::fuzz::scheduler_programs::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| simloop_programs::fuzz::scheduler_programs::run(data));
