//! `cargo fuzz run -s none guide_programs`: the body is `simloop_programs::fuzz::guide_programs::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| simloop_programs::fuzz::guide_programs::run(data));
