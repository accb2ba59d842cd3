//! `cargo fuzz run -s none guide_programs`: the body is `simloop_fuzz::guide_programs::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| simloop_fuzz::guide_programs::run(data));
