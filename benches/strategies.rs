//! How each built-in strategy's cost per step grows with the number of ready tasks.
//!
//! Every strategy picks among the ready tasks at every step; one that walks the ready set to
//! do so turns a program with many tasks ready at once quadratic. The workload spawns `n`
//! tasks that each yield twice, so up to `n` tasks are ready at every step, and joins them;
//! the table shows ns per task at a small and a large `n`, and their ratio. A pick that
//! walks the ready set makes the ratio grow with `n` (16x from 10k to 160k tasks); for a pick
//! in O(log n) it grows only with the caches, about as much as `random`'s, which indexes
//! nothing.
//!
//! `cargo bench --bench strategies`; `SIMLOOP_BENCH_QUICK=1` (or `-- --quick`) runs tiny
//! sizes once, to check that the bench builds and its assertions hold.

use simloop::task::{spawn, yield_now};
use simloop::{Config, Sim, Strategy};
use simloop_programs::bench::harness::{interleaved_medians, Reps};

/// Spawns `tasks` tasks that yield twice each, joins them, and checks every result.
fn spawn_yield_join(strategy: &Strategy, tasks: u64) {
    let sim = Sim::new(Config::default().with_strategy(strategy.clone()));
    let run = sim.run(async move {
        let handles: Vec<_> = (0..tasks)
            .map(|i| {
                spawn(async move {
                    yield_now().await;
                    yield_now().await;
                    i
                })
            })
            .collect();
        let mut sum = 0;
        for handle in handles {
            sum += handle.await.unwrap();
        }
        sum
    });
    assert_eq!(run.result.unwrap(), tasks * (tasks - 1) / 2, "{strategy}");
}

fn main() {
    let quick = std::env::args().any(|arg| arg == "--quick")
        || std::env::var("SIMLOOP_BENCH_QUICK").is_ok_and(|value| value != "0");
    let (small, large, reps) = if quick {
        (
            1_000,
            4_000,
            Reps {
                warm_up: 0,
                runs: 1,
            },
        )
    } else {
        (
            10_000,
            160_000,
            Reps {
                warm_up: 1,
                runs: 5,
            },
        )
    };
    let strategies = [
        Strategy::Fifo,
        Strategy::Random,
        Strategy::Urw,
        Strategy::Pct { depth: 3 },
        Strategy::Pos,
        Strategy::Detour,
    ];
    println!(
        "spawn, yield twice and join n tasks: median ns per task over {} runs",
        reps.runs
    );
    println!();
    println!("| strategy | n = {small} | n = {large} | growth |");
    println!("|---|---:|---:|---:|");
    for strategy in &strategies {
        // The two sizes take turns, so that load from elsewhere falls on both.
        let medians = interleaved_medians(
            reps,
            &mut [
                (small, &mut || spawn_yield_join(strategy, small)),
                (large, &mut || spawn_yield_join(strategy, large)),
            ],
        );
        let (at_small, at_large) = (medians[0], medians[1]);
        println!(
            "| `{strategy}` | {at_small:.0} | {at_large:.0} | {:.2}x |",
            at_large / at_small
        );
    }
}
