//! The bug zoo, measured: for each program and strategy, how many schedules it takes to hit the
//! bug (the failing iteration + 1 of a sweep), as the mean over 20 base seeds, capped at 10,000,
//! printed beside the figures published for the original C programs.
//!
//! ```text
//! cargo run --release --example zoo                 # every strategy
//! cargo run --release --example zoo -- surw pos     # only these strategies (and the portfolio)
//! ```
//!
//! A cell reads `mean (found/20)`. A trial that does not find the bug counts as the cap, so a
//! mean with `≥` in front is a lower bound. Trials run on two threads (one whole sweep each), so
//! the table takes a few minutes in release mode.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use simloop::{explore, Config, Failure, Strategy, TraceLevel};
use simloop_programs::zoo as programs;

/// Trials per cell, each with its own base seed.
const TRIALS: u64 = 20;
/// Iterations per trial: a trial that has not failed by then counts as this many.
const CAP: u64 = 10_000;
/// Base seeds are this far apart, so the sweeps of different trials never share a seed.
const SEED_GAP: u64 = 1_000_003;
/// Sweeps running at once.
const THREADS: usize = 2;

/// Published mean schedules to the first failure for the original programs (SURW and RFF
/// artifacts, as collected in the project's bug-zoo notes).
fn published(program: &str) -> &'static str {
    match program {
        "account" => "PCT-3 4, random walk 18",
        "lazy01" => "PCT-3 5",
        "deadlock01" => "random 3",
        "twostage(20)" => "PCT-3 159, SURW 6",
        "twostage(50)" => "PCT-3 1,676, SURW 20, RFF 35",
        "reorder(3)" => "PCT-3 185, random walk never",
        "reorder(10)" => "PCT-3 3,225 (16/20), SURW 17, RFF 6",
        _ => "",
    }
}

/// The zoo's strategies, or only those named on the command line (and the portfolio).
fn strategies() -> Vec<Strategy> {
    let all = programs::strategies();
    let chosen: Vec<String> = std::env::args().skip(1).collect();
    if chosen.is_empty() {
        return all;
    }
    all.into_iter()
        .filter(|s| s == &Strategy::Portfolio || chosen.contains(&s.to_string()))
        .collect()
}

/// Schedules until the first failure of one trial, or `None` if the trial hit the cap.
fn trial(program: programs::Program, strategy: &Strategy, trial: u64) -> Option<u64> {
    let config = Config::default()
        .with_seed(trial * SEED_GAP)
        .with_iterations(CAP)
        .with_strategy(strategy.clone())
        .with_shrink_runs(0)
        .with_trace(TraceLevel::Off);
    let failure = explore(config, program).failure?;
    assert!(
        matches!(failure, Failure::Panic { .. } | Failure::Deadlock { .. }),
        "a zoo program failed in an unexpected way: {failure}"
    );
    let (iteration, _) = failure
        .context()
        .iteration
        .expect("a sweep numbers its runs");
    Some(iteration + 1)
}

fn cell(results: &[Option<u64>]) -> String {
    let found = results.iter().flatten().count();
    let total: u64 = results.iter().map(|r| r.unwrap_or(CAP)).sum();
    let mean = total as f64 / results.len() as f64;
    let bound = if found < results.len() { "≥" } else { "" };
    if found == 0 {
        return format!("never (0/{})", results.len());
    }
    let mean = if mean < 10.0 {
        format!("{mean:.1}")
    } else {
        format!("{mean:.0}")
    };
    format!("{bound}{mean} ({found}/{})", results.len())
}

/// Runs every trial of every cell on [`THREADS`] threads; `results[program][strategy][trial]`.
fn measure(strategies: &[Strategy]) -> Vec<Vec<Vec<Option<u64>>>> {
    let programs = programs::PROGRAMS;
    let cells: Vec<(usize, usize, u64)> = (0..programs.len())
        .flat_map(|p| (0..strategies.len()).flat_map(move |s| (0..TRIALS).map(move |t| (p, s, t))))
        .collect();
    let empty = vec![vec![None; TRIALS as usize]; strategies.len()];
    let results = Mutex::new(vec![empty; programs.len()]);
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                while let Some(&(p, s, t)) = cells.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let found = trial(programs[p].1, &strategies[s], t);
                    results.lock().expect("no trial panics")[p][s][t as usize] = found;
                }
            });
        }
    });
    results.into_inner().expect("no trial panics")
}

fn main() {
    let strategies = strategies();
    let results = measure(&strategies);
    println!(
        "Schedules to the first failure: mean over {TRIALS} base seeds (found/{TRIALS}), cap {CAP}; \
         ≥ marks a lower bound (a trial that never failed counts as {CAP})."
    );
    println!();
    let mut header = vec!["program".to_owned()];
    header.extend(strategies.iter().map(ToString::to_string));
    header.push("published (original C)".to_owned());
    println!("| {} |", header.join(" | "));
    println!("|{}", "---|".repeat(header.len()));
    for (p, (name, _)) in programs::PROGRAMS.iter().enumerate() {
        let mut row = vec![(*name).to_owned()];
        row.extend(results[p].iter().map(|r| cell(r)));
        row.push(published(name).to_owned());
        println!("| {} |", row.join(" | "));
    }
}
