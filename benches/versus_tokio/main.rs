//! simloop against tokio's current-thread runtime with paused time, side by side in one process:
//! the workloads W1–W6 of the benchmark plan, each asserting its own result.
//!
//! `cargo bench --bench versus_tokio` prints a Markdown table of medians and ratios;
//! `SIMLOOP_BENCH_QUICK=1` (or `-- --quick`) runs tiny sizes, once, to check that the bench
//! builds and its assertions hold. `-- --profile w1 100000` runs only simloop's side of one
//! workload (`w1`..`w6`, `empty` for bare simulations, `sweep1`/`sweep2` for W6 through
//! `explore` on one or two jobs), for a profiler.

mod on_tokio;

use simloop_programs::bench::{harness, on_simloop, workloads};

use harness::{interleaved_medians, median_ns_per_op, Reps};
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
    // Each row times simloop and tokio in turns (see `interleaved_medians`).
    let row = |workload, op, ops, target, simloop: &mut dyn FnMut(), tokio: &mut dyn FnMut()| {
        let medians = interleaved_medians(reps, &mut [(ops, simloop), (ops, tokio)]);
        Row {
            workload,
            op,
            ops,
            simloop_ns: medians[0],
            tokio_ns: medians[1],
            target,
        }
    };
    vec![
        row(
            "W1 timers",
            "one sleep",
            w1_ops,
            2.0,
            &mut || on_simloop::w1_timers(&w1),
            &mut || on_tokio::w1_timers(&w1),
        ),
        row(
            "W2 queue",
            "one message",
            sizes.w2_messages,
            2.0,
            &mut || on_simloop::w2_queue(sizes.w2_messages),
            &mut || on_tokio::w2_queue(sizes.w2_messages),
        ),
        row(
            "W3 semaphore",
            "one task",
            w3_ops,
            2.0,
            &mut || on_simloop::w3_semaphore(sizes.w3_tasks),
            &mut || on_tokio::w3_semaphore(sizes.w3_tasks),
        ),
        row(
            "W4 spawn/join",
            "one task",
            sizes.w4_tasks,
            2.0,
            &mut || on_simloop::w4_spawn_join(sizes.w4_tasks),
            &mut || on_tokio::w4_spawn_join(sizes.w4_tasks),
        ),
        row(
            "W5 ping-pong",
            "one hop",
            2 * sizes.w5_round_trips,
            2.0,
            &mut || on_simloop::w5_ping_pong(sizes.w5_round_trips),
            &mut || on_tokio::w5_ping_pong(sizes.w5_round_trips),
        ),
        row(
            "W6 seeds/s",
            "one run",
            w6_ops,
            5.0,
            &mut run_seeds(on_simloop::w6_one_seed),
            &mut run_seeds(on_tokio::w6_one_seed),
        ),
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
        "median of {} runs after {} warm-up{}, simloop and tokio timed in turns; \
         ratio = tokio ns/op / simloop ns/op\n",
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
    // Both systems at one size take turns, as in the table's rows.
    let per_sleep = |tasks: usize, reps: Reps| {
        let durations = workloads::w1_durations(tasks);
        let ops = 3 * tasks as u64;
        let medians = interleaved_medians(
            reps,
            &mut [
                (ops, &mut || on_simloop::w1_timers(&durations)),
                (ops, &mut || on_tokio::w1_timers(&durations)),
            ],
        );
        (medians[0], medians[1])
    };
    let (small, large) = (sizes.w1_growth_small, sizes.w1_growth_large);
    let (simloop_small, tokio_small) = per_sleep(small, reps);
    let (simloop_large, tokio_large) = per_sleep(large, large_reps);
    let simloop = (simloop_small, simloop_large);
    let tokio = (tokio_small, tokio_large);
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
    // The four sweeps take turns, as the table's rows do.
    let per_second = interleaved_medians(
        reps,
        &mut [
            (seeds, &mut || on_simloop::w6_sweep(1, seeds)),
            (seeds, &mut || on_simloop::w6_sweep(2, seeds)),
            (seeds, &mut || {
                harness::sweep_on_threads(1, seeds, on_tokio::w6_one_seed)
            }),
            (seeds, &mut || {
                harness::sweep_on_threads(2, seeds, on_tokio::w6_one_seed)
            }),
        ],
    )
    .into_iter()
    .map(|ns_per_seed| 1e9 / ns_per_seed)
    .collect::<Vec<f64>>();
    let [simloop_one, simloop_two, tokio_one, tokio_two] = per_second[..] else {
        unreachable!("four sweeps were timed")
    };
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
