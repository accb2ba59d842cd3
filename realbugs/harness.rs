//! The measurement shared by the two builds: every bug under every strategy, a sweep per base
//! seed, the iteration of the first failure.
//!
//! ```text
//! cargo run --release --manifest-path realbugs/buggy/Cargo.toml            # the table
//! cargo run --release --manifest-path realbugs/fixed/Cargo.toml            # must stay clean
//! ... -- --quick                 # 3 seeds x 20 iterations, for CI
//! ... -- --bug NAME-PART         # only the bugs whose name contains NAME-PART
//! ... -- --bug NAME-PART --explain STRATEGY   # the first failure's report, shrunk
//! ... -- --list                  # the corpus: each bug's record
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use simloop::{explore, Config, Failure, Strategy, TraceLevel};

use crate::corpus::{Meta, Scenario, BUGS};

/// Which releases this binary was built against (each binary names one of the two).
#[allow(dead_code)]
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Build {
    Buggy,
    Fixed,
}

/// Base seeds are this far apart, so the sweeps of different trials never share a seed.
const SEED_GAP: u64 = 1_000_003;
/// Every scenario finishes in a few hundred steps; a livelock is reported at this many.
const MAX_STEPS: u64 = 100_000;
/// Sweeps running at once.
const THREADS: usize = 2;

/// The strategies of the table, in column order; `default` is `Config::default()`'s strategy.
const STRATEGIES: &[&str] = &[
    "fifo",
    "random",
    "pct:3",
    "pos",
    "urw",
    "detour",
    "exhaustive:1",
    "exhaustive:2",
    "default",
];

struct Budget {
    seeds: u64,
    iterations: u64,
}

fn strategy(name: &str) -> Strategy {
    if name == "default" {
        Config::default().strategy
    } else {
        name.parse().expect("a strategy name")
    }
}

/// The iteration (1-based) of the first failure of one sweep, or `None`.
fn sweep(
    meta: &Meta,
    scenario: Scenario,
    strategy: &Strategy,
    seed: u64,
    iterations: u64,
) -> Option<u64> {
    let config = Config::default()
        .with_seed(seed)
        .with_iterations(iterations)
        .with_max_steps(MAX_STEPS)
        .with_strategy(strategy.clone())
        .with_shrink_runs(0)
        .with_trace(TraceLevel::Off);
    let report = explore(config, scenario);
    let failure = report.failure?;
    assert!(
        matches!(
            failure,
            Failure::Panic { .. } | Failure::Deadlock { .. } | Failure::StepLimit { .. }
        ),
        "{} failed in an unexpected way: {failure}",
        meta.name
    );
    // A sampling sweep numbers the failing run; an exhaustive one stops at it, so its count of
    // runs is the failing run's number.
    Some(match failure.context().iteration {
        Some((iteration, _)) => iteration + 1,
        None => report.iterations,
    })
}

/// `results[bug][strategy][seed]`, measured on [`THREADS`] threads.
fn measure(bugs: &[usize], budget: &Budget) -> Vec<Vec<Vec<Option<u64>>>> {
    let strategies: Vec<Strategy> = STRATEGIES.iter().map(|s| strategy(s)).collect();
    let cells: Vec<(usize, usize, u64)> = (0..bugs.len())
        .flat_map(|b| {
            (0..strategies.len()).flat_map(move |s| (0..budget.seeds).map(move |t| (b, s, t)))
        })
        .collect();
    let empty = vec![vec![None; budget.seeds as usize]; strategies.len()];
    let results = Mutex::new(vec![empty; bugs.len()]);
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                while let Some(&(b, s, t)) = cells.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let (meta, scenario) = BUGS[bugs[b]];
                    let found = sweep(
                        meta,
                        scenario,
                        &strategies[s],
                        t * SEED_GAP,
                        budget.iterations,
                    );
                    results.lock().expect("no sweep panics")[b][s][t as usize] = found;
                }
            });
        }
    });
    results.into_inner().expect("no sweep panics")
}

/// `median (found/seeds)`; the median counts a sweep that found nothing as infinitely long, so
/// it is `-` when half or more found nothing.
fn cell(results: &[Option<u64>]) -> String {
    let found = results.iter().flatten().count();
    let mut sorted: Vec<u64> = results.iter().map(|r| r.unwrap_or(u64::MAX)).collect();
    sorted.sort_unstable();
    let n = sorted.len();
    let (low, high) = (sorted[(n - 1) / 2], sorted[n / 2]);
    let median = if high == u64::MAX {
        "-".to_owned()
    } else if (low + high) % 2 == 0 {
        format!("{}", (low + high) / 2)
    } else {
        format!("{:.1}", (low + high) as f64 / 2.0)
    };
    format!("{median} ({found}/{n})")
}

/// The dependency line of `dependency` in `manifest` pins `version` exactly.
fn pinned(manifest: &str, dependency: &str, version: &str) -> bool {
    manifest.lines().any(|line| {
        line.trim_start().starts_with(&format!("{dependency} ="))
            && line.contains(&format!("\"={version}\""))
    })
}

/// Prints the corpus as a Markdown table.
fn list() {
    println!(
        "| # | bug | crate | buggy | fixed | what goes wrong | property checked | half | fix |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (meta, _) in BUGS {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            meta.order,
            meta.name,
            meta.krate,
            meta.buggy,
            meta.fixed,
            meta.bug,
            meta.property,
            meta.half.label(),
            meta.link
        );
    }
}

/// Prints the first failure of each matching bug under `strategy`, shrunk, with its replay line.
fn explain(filter: &str, strategy: &Strategy, budget: &Budget) {
    for (meta, scenario) in BUGS.iter().filter(|(meta, _)| meta.name.contains(filter)) {
        let found = (0..budget.seeds).find_map(|trial| {
            let config = Config::default()
                .with_seed(trial * SEED_GAP)
                .with_iterations(budget.iterations)
                .with_max_steps(MAX_STEPS)
                .with_strategy(strategy.clone());
            explore(config, scenario).failure
        });
        match found {
            Some(failure) => println!("== {}\n{failure}\n", meta.name),
            None => println!("== {}: no failure\n", meta.name),
        }
    }
}

pub fn main(build: Build, manifest: &str) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let filter = args
        .iter()
        .position(|a| a == "--bug")
        .and_then(|i| args.get(i + 1).cloned());
    let budget = if quick {
        Budget {
            seeds: 3,
            iterations: 20,
        }
    } else {
        Budget {
            seeds: 20,
            iterations: 100,
        }
    };

    for (meta, _) in BUGS {
        let version = match build {
            Build::Buggy => meta.buggy,
            Build::Fixed => meta.fixed,
        };
        assert!(
            pinned(manifest, meta.dependency, version),
            "{}: the manifest must pin `{} = ... \"={version}\"` ({})",
            meta.name,
            meta.dependency,
            meta.krate
        );
    }

    if args.iter().any(|a| a == "--list") {
        list();
        return;
    }
    if let Some(name) = args
        .iter()
        .position(|a| a == "--explain")
        .and_then(|i| args.get(i + 1))
    {
        explain(filter.as_deref().unwrap_or(""), &strategy(name), &budget);
        return;
    }

    let bugs: Vec<usize> = (0..BUGS.len())
        .filter(|&b| {
            filter
                .as_ref()
                .is_none_or(|f| BUGS[b].0.name.contains(f.as_str()))
        })
        .collect();
    let results = measure(&bugs, &budget);

    let what = match build {
        Build::Buggy => "buggy releases",
        Build::Fixed => "fixed releases",
    };
    let version = |meta: &Meta| match build {
        Build::Buggy => meta.buggy,
        Build::Fixed => meta.fixed,
    };
    println!(
        "Real-bug corpus, {what}: schedules to the first failure, median over {} base seeds \
         (found/{} within {} iterations); `-`: found by half the seeds or fewer.",
        budget.seeds, budget.seeds, budget.iterations
    );
    println!();
    let mut header = vec!["bug".to_owned(), "release".to_owned(), "half".to_owned()];
    header.extend(STRATEGIES.iter().map(|s| (*s).to_owned()));
    println!("| {} |", header.join(" | "));
    println!("|{}", "---|".repeat(header.len()));
    let mut false_positives = Vec::new();
    for (row, &b) in bugs.iter().enumerate() {
        let meta = BUGS[b].0;
        let mut line = vec![
            meta.name.to_owned(),
            format!("{} {}", meta.krate, version(meta)),
            meta.half.label().to_owned(),
        ];
        line.extend(results[row].iter().map(|r| cell(r)));
        println!("| {} |", line.join(" | "));
        for (s, per_seed) in results[row].iter().enumerate() {
            if per_seed.iter().any(Option::is_some) {
                false_positives.push(format!("{} under {}", meta.name, STRATEGIES[s]));
            }
        }
    }
    if build == Build::Buggy {
        // Which strategy finds a bug is the table's business; that none does means the scenario
        // no longer reproduces its bug (a changed pin, lockfile or scenario).
        let missed: Vec<&str> = bugs
            .iter()
            .enumerate()
            .filter(|(row, _)| results[*row].iter().flatten().all(Option::is_none))
            .map(|(_, &b)| BUGS[b].0.name)
            .collect();
        assert!(
            missed.is_empty(),
            "no strategy reproduces these bugs on their buggy releases: {}",
            missed.join(", ")
        );
    }
    if build == Build::Fixed {
        assert!(
            false_positives.is_empty(),
            "false positives on the fixed releases: {}",
            false_positives.join(", ")
        );
        println!();
        println!("Every fixed release is clean over the same budget.");
    }
}
