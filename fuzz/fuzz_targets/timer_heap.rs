//! `cargo fuzz run -s none timer_heap`: the body is `simloop_programs::fuzz::timer_heap::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| simloop_programs::fuzz::timer_heap::run(data));
