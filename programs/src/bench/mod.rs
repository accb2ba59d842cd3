//! What the benchmarks share: the workloads W1–W6 on simloop, their sizes and expected results,
//! and the timing harness.
//!
//! `benches/versus_tokio` runs the workloads on simloop and on tokio, `benches/strategies` uses
//! the harness, and `benches/in_test_build` sweeps W6 in a crate built as `cargo test` builds
//! it.

pub mod harness;
pub mod on_simloop;
pub mod workloads;
