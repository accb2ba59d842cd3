//! `cargo fuzz run -s none tcp_streams`: the body is `simloop_programs::fuzz::tcp_streams::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| simloop_programs::fuzz::tcp_streams::run(data));
