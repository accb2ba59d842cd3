//! `cargo fuzz run -s none schedule_decoder`: the body is `simloop_programs::fuzz::schedule_decoder::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| simloop_programs::fuzz::schedule_decoder::run(data));
