//! simloop against turmoil (tokio's network simulator) on W7: 100 TCP connections between two
//! simulated hosts, each 1,000 request/response pairs of 1 KiB, the same client and server code
//! on both (`workloads::w7_client`/`w7_serve`, `read_exact`/`write_all` framing), each side
//! asserting every reply equals its request.
//!
//! `cargo bench --bench versus_turmoil` prints a Markdown table of medians, the ratio
//! turmoil/simloop, and the heap allocations per round trip of each; `SIMLOOP_BENCH_QUICK=1`
//! (or `-- --quick`) runs tiny sizes once, to check the bench builds and its assertions hold.
//! `-- --profile w7 1000` runs only simloop's side (`w7`: segmentation on, `w7-whole`: off,
//! `w7-fifo`: on, under `Strategy::Fifo`) with that many pairs per connection, for a profiler.
//!
//! Below the table, one diagnostic line times simloop's side under `Strategy::Fifo`: the
//! difference from the random walk is what choosing a random task at every step costs (the
//! target is set for the random walk, the configuration the benchmark plan names).
//!
//! This bench has its own binary because it counts allocations with a global allocator, which
//! would tax every workload of `versus_tokio`.

mod on_turmoil;

use std::alloc::System;

use simloop::Strategy;
use simloop_programs::bench::harness::{interleaved_medians, median_ns_per_op, Reps};
use simloop_programs::bench::{on_simloop, workloads};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const CONNECTIONS: u64 = workloads::W7_CONNECTIONS;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|arg| arg == "--profile") {
        return profile_simloop(&args[at + 1..]);
    }
    let quick = args.iter().any(|arg| arg == "--quick")
        || std::env::var("SIMLOOP_BENCH_QUICK").is_ok_and(|value| value != "0");
    let (connections, pairs, reps) = if quick {
        (
            10,
            10,
            Reps {
                warm_up: 0,
                runs: 1,
            },
        )
    } else {
        (
            CONNECTIONS,
            1_000,
            Reps {
                warm_up: 1,
                runs: 5,
            },
        )
    };
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "simloop {} (strategy random, latency fixed 1 ms) vs turmoil 0.7.2 (latency min = max = \
         1 ms, 1 ms tick), release build, {cores} cores",
        env!("CARGO_PKG_VERSION")
    );
    println!(
        "W7: {connections} connections x {pairs} request/response pairs of 1 KiB (+ 4-byte \
         length); median of {} runs after {} warm-up{}, the systems timed in turns; \
         ratio = turmoil ns/op / simloop ns/op\n",
        reps.runs,
        reps.warm_up,
        if quick {
            " (QUICK sizes: not for comparison)"
        } else {
            ""
        }
    );
    let ops = connections * pairs;
    let medians = interleaved_medians(
        reps,
        &mut [
            (ops, &mut || on_simloop::w7_tcp(connections, pairs, true)),
            (ops, &mut || on_simloop::w7_tcp(connections, pairs, false)),
            (ops, &mut || on_turmoil::w7_tcp(connections, pairs)),
            (ops, &mut || {
                on_simloop::w7_tcp_under(Strategy::Fifo, connections, pairs, true)
            }),
        ],
    );
    let [segmented, whole, turmoil, fifo] = medians[..] else {
        unreachable!("four workloads were timed")
    };
    // Steady state: the allocations of a run with twice the pairs, minus those of a run with
    // the pairs, over the round trips added (each round trip is two writes of one frame).
    let per_round_trip = |run: &dyn Fn(u64)| {
        let count = |pairs: u64| {
            let region = Region::new(ALLOCATOR);
            run(pairs);
            region.change().allocations as f64
        };
        (count(2 * pairs) - count(pairs)) / (connections * pairs) as f64
    };
    let allocs = [
        per_round_trip(&|pairs| on_simloop::w7_tcp(connections, pairs, true)),
        per_round_trip(&|pairs| on_simloop::w7_tcp(connections, pairs, false)),
        per_round_trip(&|pairs| on_turmoil::w7_tcp(connections, pairs)),
    ];
    println!(
        "| workload | op | ops/run | simloop ns/op | turmoil ns/op | turmoil/simloop | target | \
         allocs/round trip simloop vs turmoil |"
    );
    println!("|---|---|---:|---:|---:|---:|---|---|");
    for (label, simloop, simloop_allocs) in [
        ("segmentation on", segmented, allocs[0]),
        ("segmentation off", whole, allocs[1]),
    ] {
        let ratio = turmoil / simloop;
        println!(
            "| W7 sim TCP ({label}) | one round trip | {ops} | {simloop:.1} | {turmoil:.1} | \
             {ratio:.2}x | >= 3x {} | {simloop_allocs:.3} vs {:.3} |",
            if ratio >= 3.0 { "met" } else { "MISSED" },
            allocs[2],
        );
    }
    println!(
        "\ndiagnostic (not the target configuration): segmentation on under Strategy::Fifo, \
         {fifo:.1} ns/op ({:.2}x turmoil); the random walk costs {:.1} ns per round trip",
        turmoil / fifo,
        segmented - fifo,
    );
}

/// Runs simloop's side of W7 five times, for `perf record` or `valgrind`, and prints the median
/// ns per round trip.
fn profile_simloop(args: &[String]) {
    let pairs: u64 = args
        .get(1)
        .map_or(1_000, |size| size.parse().expect("pairs per connection"));
    let (strategy, segmentation) = match args.first().map(String::as_str) {
        Some("w7") => (Strategy::Random, true),
        Some("w7-whole") => (Strategy::Random, false),
        Some("w7-fifo") => (Strategy::Fifo, true),
        other => panic!(
            "--profile takes w7, w7-whole or w7-fifo and the pairs per connection, not {other:?}"
        ),
    };
    let reps = Reps {
        warm_up: 1,
        runs: 5,
    };
    let median = median_ns_per_op(reps, CONNECTIONS * pairs, || {
        on_simloop::w7_tcp_under(strategy.clone(), CONNECTIONS, pairs, segmentation)
    });
    println!("{median:.1} ns/op");
}
