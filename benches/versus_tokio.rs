//! simloop against tokio's current-thread runtime with paused time, side by side in one process:
//! the workloads W1–W6 of the benchmark plan, each asserting its own result.
//!
//! `cargo bench --bench versus_tokio` prints a Markdown table of medians and ratios;
//! `SIMLOOP_BENCH_QUICK=1` (or `-- --quick`) runs tiny sizes, once, to check that the bench
//! builds and its assertions hold. `-- --profile w1 100000` runs only simloop's side of one
//! workload (`w1`..`w6`, `empty` for bare simulations, `sweep1`/`sweep2` for W6 through
//! `explore` on one or two jobs), for a profiler.

#[path = "versus_tokio/harness.rs"]
mod harness;
#[path = "versus_tokio/on_simloop.rs"]
mod on_simloop;
#[path = "versus_tokio/on_tokio.rs"]
mod on_tokio;
#[path = "versus_tokio/workloads.rs"]
mod workloads;

use harness::{median_ns_per_op, Reps};
use workloads::Sizes;

/// One line of the table.
struct Row {
    workload: &'static str,
    op: &'static str,
    ops: u64,
    simloop_ns: f64,
    tokio_ns: f64,
    /// The least tokio/simloop ratio that meets the target.
    target: f64,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|arg| arg == harness::MEMORY_FLAG) {
        return memory_child(&args[at + 1..]);
    }
    if let Some(at) = args.iter().position(|arg| arg == "--profile") {
        return profile_simloop(&args[at + 1..]);
    }
    let quick = args.iter().any(|arg| arg == "--quick")
        || std::env::var("SIMLOOP_BENCH_QUICK").is_ok_and(|value| value != "0");
    let (sizes, reps) = if quick {
        (
            Sizes::quick(),
            Reps {
                warm_up: 0,
                runs: 1,
            },
        )
    } else {
        (
            Sizes::full(),
            Reps {
                warm_up: 1,
                runs: 5,
            },
        )
    };
    print_header(quick, reps);
    let rows = measure_rows(sizes, reps);
    for row in &rows {
        print_row(row);
    }
    print_memory(sizes);
    print_growth(sizes, reps);
    print_seed_sweeps(sizes, reps);
}

fn measure_rows(sizes: Sizes, reps: Reps) -> Vec<Row> {
    let w1 = workloads::w1_durations(sizes.w1_tasks);
    let w1_ops = 3 * sizes.w1_tasks as u64;
    let w3_ops = sizes.w3_tasks as u64;
    let w6_ops = sizes.w6_seeds;
    let run_seeds = |one_seed: fn(u64)| move || (0..sizes.w6_seeds).for_each(one_seed);
    vec![
        Row {
            workload: "W1 timers",
            op: "one sleep",
            ops: w1_ops,
            simloop_ns: median_ns_per_op(reps, w1_ops, || on_simloop::w1_timers(&w1)),
            tokio_ns: median_ns_per_op(reps, w1_ops, || on_tokio::w1_timers(&w1)),
            target: 2.0,
        },
        Row {
            workload: "W2 queue",
            op: "one message",
            ops: sizes.w2_messages,
            simloop_ns: median_ns_per_op(reps, sizes.w2_messages, || {
                on_simloop::w2_queue(sizes.w2_messages)
            }),
            tokio_ns: median_ns_per_op(reps, sizes.w2_messages, || {
                on_tokio::w2_queue(sizes.w2_messages)
            }),
            target: 2.0,
        },
        Row {
            workload: "W3 semaphore",
            op: "one task",
            ops: w3_ops,
            simloop_ns: median_ns_per_op(reps, w3_ops, || on_simloop::w3_semaphore(sizes.w3_tasks)),
            tokio_ns: median_ns_per_op(reps, w3_ops, || on_tokio::w3_semaphore(sizes.w3_tasks)),
            target: 2.0,
        },
        Row {
            workload: "W4 spawn/join",
            op: "one task",
            ops: sizes.w4_tasks,
            simloop_ns: median_ns_per_op(reps, sizes.w4_tasks, || {
                on_simloop::w4_spawn_join(sizes.w4_tasks)
            }),
            tokio_ns: median_ns_per_op(reps, sizes.w4_tasks, || {
                on_tokio::w4_spawn_join(sizes.w4_tasks)
            }),
            target: 2.0,
        },
        Row {
            workload: "W5 ping-pong",
            op: "one hop",
            ops: 2 * sizes.w5_round_trips,
            simloop_ns: median_ns_per_op(reps, 2 * sizes.w5_round_trips, || {
                on_simloop::w5_ping_pong(sizes.w5_round_trips)
            }),
            tokio_ns: median_ns_per_op(reps, 2 * sizes.w5_round_trips, || {
                on_tokio::w5_ping_pong(sizes.w5_round_trips)
            }),
            target: 2.0,
        },
        Row {
            workload: "W6 seeds/s",
            op: "one run",
            ops: w6_ops,
            simloop_ns: median_ns_per_op(reps, w6_ops, run_seeds(on_simloop::w6_one_seed)),
            tokio_ns: median_ns_per_op(reps, w6_ops, run_seeds(on_tokio::w6_one_seed)),
            target: 5.0,
        },
    ]
}

fn print_header(quick: bool, reps: Reps) {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "simloop {} (W1-W5: strategy random; W6: Config::default(), the check portfolio) \
         vs tokio 1.54 (current-thread, start_paused), release build, {cores} cores",
        env!("CARGO_PKG_VERSION")
    );
    println!(
        "median of {} runs after {} warm-up{}; ratio = tokio ns/op / simloop ns/op\n",
        reps.runs,
        reps.warm_up,
        if quick {
            " (QUICK sizes: not for comparison)"
        } else {
            ""
        }
    );
    println!("| workload | op | ops/run | simloop ns/op | tokio ns/op | tokio/simloop | target |");
    println!("|---|---|---:|---:|---:|---:|---|");
}

fn print_row(row: &Row) {
    let ratio = row.tokio_ns / row.simloop_ns;
    println!(
        "| {} | {} | {} | {:.1} | {:.1} | {ratio:.2}x | >= {}x {} |",
        row.workload,
        row.op,
        row.ops,
        row.simloop_ns,
        row.tokio_ns,
        row.target,
        verdict(ratio >= row.target)
    );
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "MISSED"
    }
}

fn print_memory(sizes: Sizes) {
    let tasks = sizes.w4_tasks.to_string();
    let simloop = harness::peak_growth_in_child(&["simloop", &tasks]);
    let tokio = harness::peak_growth_in_child(&["tokio", &tasks]);
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    match (simloop, tokio) {
        (Some(simloop), Some(tokio)) => {
            let share = simloop as f64 / tokio as f64;
            println!(
                "| W4 peak memory | {tasks} live tasks | | {:.1} MiB | {:.1} MiB | {share:.2} of tokio | < 0.5 {} |",
                mib(simloop),
                mib(tokio),
                verdict(share < 0.5)
            );
        }
        _ => println!("| W4 peak memory | {tasks} live tasks | | n/a | n/a | - | (no /proc) |"),
    }
}

/// W1's ns/sleep at the large size over the small one, for simloop (the target) and, for
/// scale, tokio: past the cache sizes both pay for memory, whatever their algorithms.
fn print_growth(sizes: Sizes, reps: Reps) {
    let large_reps = Reps {
        warm_up: reps.warm_up,
        runs: reps.runs.min(3),
    };
    let per_sleep = |tasks: usize, reps: Reps, on_tokio: bool| {
        let durations = workloads::w1_durations(tasks);
        median_ns_per_op(reps, 3 * tasks as u64, || {
            if on_tokio {
                on_tokio::w1_timers(&durations)
            } else {
                on_simloop::w1_timers(&durations)
            }
        })
    };
    let (small, large) = (sizes.w1_growth_small, sizes.w1_growth_large);
    let simloop = (
        per_sleep(small, reps, false),
        per_sleep(large, large_reps, false),
    );
    let tokio = (
        per_sleep(small, reps, true),
        per_sleep(large, large_reps, true),
    );
    let growth = simloop.1 / simloop.0;
    println!(
        "| W1 growth | ns/sleep, {large} vs {small} tasks | | {:.1} vs {:.1} ({growth:.2}x) | {:.1} vs {:.1} ({:.2}x) | - | <= 1.5x {} |",
        simloop.1,
        simloop.0,
        tokio.1,
        tokio.0,
        tokio.1 / tokio.0,
        verdict(growth <= 1.5)
    );
}

fn print_seed_sweeps(sizes: Sizes, reps: Reps) {
    let seeds = sizes.w6_seeds;
    let tokio = |threads| harness::seeds_per_second(reps, threads, seeds, on_tokio::w6_one_seed);
    let (tokio_one, tokio_two) = (tokio(1), tokio(2));
    let simloop =
        |jobs: usize| 1e9 / median_ns_per_op(reps, seeds, || on_simloop::w6_sweep(jobs, seeds));
    let (simloop_one, simloop_two) = (simloop(1), simloop(2));
    let scaling = simloop_two / simloop_one;
    println!(
        "| W6 sweep | seeds/s, SIMLOOP_JOBS 1 vs 2 (tokio: 1 vs 2 threads) | | {simloop_one:.0} vs {simloop_two:.0} ({scaling:.2}x) | {tokio_one:.0} vs {tokio_two:.0} ({:.2}x) | - | >= 1.8x {} |",
        tokio_two / tokio_one,
        verdict(scaling >= 1.8)
    );
    println!(
        "| W6 one core | seeds/s | | {simloop_one:.0} | {tokio_one:.0} | {:.2}x | > 230000 {} |",
        simloop_one / tokio_one,
        verdict(simloop_one > 230_000.0)
    );
}

fn memory_child(args: &[String]) {
    let tasks: u64 = args[1].parse().expect("a task count");
    match args[0].as_str() {
        "simloop" => harness::report_peak_growth(|| on_simloop::w4_spawn_join(tasks)),
        "tokio" => harness::report_peak_growth(|| on_tokio::w4_spawn_join(tasks)),
        other => panic!("unknown system {other}"),
    }
}

/// Runs simloop's side of one workload five times, for `perf record` or `valgrind`, and prints
/// the median ns/op.
fn profile_simloop(args: &[String]) {
    let size: u64 = args
        .get(1)
        .map_or(100_000, |size| size.parse().expect("a size"));
    let reps = Reps {
        warm_up: 1,
        runs: 5,
    };
    let median = match args.first().map(String::as_str) {
        Some("w1") => {
            let durations = workloads::w1_durations(size as usize);
            median_ns_per_op(reps, 3 * size, || on_simloop::w1_timers(&durations))
        }
        Some("w4") => median_ns_per_op(reps, size, || on_simloop::w4_spawn_join(size)),
        Some("w2") => median_ns_per_op(reps, size, || on_simloop::w2_queue(size)),
        Some("w3") => median_ns_per_op(reps, size, || on_simloop::w3_semaphore(size as usize)),
        Some("w5") => median_ns_per_op(reps, 2 * size, || on_simloop::w5_ping_pong(size)),
        Some("w6") => median_ns_per_op(reps, size, || (0..size).for_each(on_simloop::w6_one_seed)),
        Some("empty") => median_ns_per_op(reps, size, || on_simloop::empty_runs(size)),
        Some("sweep1") => median_ns_per_op(reps, size, || on_simloop::w6_sweep(1, size)),
        Some("sweep2") => median_ns_per_op(reps, size, || on_simloop::w6_sweep(2, size)),
        other => {
            panic!("--profile takes w1..w6, empty, sweep1 or sweep2 and a size, not {other:?}")
        }
    };
    println!("{median:.1} ns/op");
}
