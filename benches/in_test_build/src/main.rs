//! Seeds per second of W6 (the benchmarks' seed sweep) in a crate that depends on simloop, as
//! `cargo test` builds such a crate: the test code, including W6's program, at opt-level 0. W6's
//! program is `simloop_programs::bench::on_simloop`, shared with `versus_tokio`; this crate's
//! profile keeps that crate at opt-level 0, as its own code.
//!
//! `versus_tokio` measures simloop with everything optimized. Here, code generic over the
//! program's types (each task's wrapper, the queue of its items) is compiled with the program,
//! unoptimized; this run shows what that costs, and what optimizing dependencies gains.
//!
//! ```sh
//! cargo run --manifest-path benches/in_test_build/Cargo.toml            # dependencies at opt-level 3
//! cargo run --manifest-path benches/in_test_build/Cargo.toml \
//!     --config 'profile.dev.package."*".opt-level=0'                    # nothing optimized
//! cargo run --manifest-path benches/in_test_build/Cargo.toml --release  # everything optimized
//! ```
//!
//! `SIMLOOP_BENCH_QUICK=1` sweeps a few seeds, to check that it builds and its assertions hold.

use std::time::Instant;

// The bench's own W6, so that both measure the same program.
use simloop_programs::bench::on_simloop;

fn main() {
    let quick = std::env::var("SIMLOOP_BENCH_QUICK").is_ok_and(|value| value != "0");
    let (seeds, rounds) = if quick { (50, 1) } else { (5_000, 5) };
    let build = if cfg!(debug_assertions) {
        "test build (opt-level 0 here)"
    } else {
        "release build"
    };
    // The best of a few rounds: the machine is shared, and noise only ever slows a round down.
    let mut best = 0.0f64;
    for _ in 0..rounds {
        let start = Instant::now();
        on_simloop::w6_sweep(1, seeds);
        best = best.max(seeds as f64 / start.elapsed().as_secs_f64());
    }
    println!(
        "W6 in a {build}: {best:.0} seeds/s, one job, best of {rounds} rounds of {seeds} seeds"
    );
}
