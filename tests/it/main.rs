//! The integration tests: one binary, one module per behaviour.

mod explore;
mod fuzz_targets;
mod layering;
mod perf;
mod programs;
#[cfg(feature = "proptest")]
mod prop;
mod readme;
mod runtime;
mod sync;
#[cfg(feature = "tracing")]
mod tracing_bridge;
mod world;
mod zoo;

use simloop::{Config, Sim, Strategy, TraceLevel};

/// A simulation in asyncio's order with a full trace.
pub fn fifo() -> Sim {
    Sim::new(
        Config::default()
            .with_strategy(Strategy::Fifo)
            .with_trace(TraceLevel::Full),
    )
}

/// A seeded random simulation with a full trace.
pub fn random(seed: u64) -> Sim {
    Sim::new(
        Config::default()
            .with_seed(seed)
            .with_strategy(Strategy::Random)
            .with_trace(TraceLevel::Full),
    )
}

/// Snapshot assertion with snapshots kept in the top-level `snapshots/` directory.
#[macro_export]
macro_rules! assert_snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!($name, $value);
        })
    };
}
