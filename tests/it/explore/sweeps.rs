//! Sweeps: determinism check, parallel and sharded runs, trace export.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use simloop::config::Shard;
use simloop::task::{spawn_named, yield_now};
use simloop::{explore, Config, Failure, Strategy};

use super::lost_update;

// Goal: a program that reads the wall clock is caught by the determinism check.
#[test]
fn reading_the_wall_clock_is_nondeterminism() {
    let config = Config::default()
        .with_iterations(3)
        .with_check_determinism(true);
    let failure = explore(config, || async {
        simloop::log!("started at {:?}", std::time::SystemTime::now());
    })
    .failure
    .expect("the wall clock differs between the two runs");
    let Failure::Nondeterminism { first, second, .. } = &failure else {
        panic!("expected nondeterminism: {failure}");
    };
    assert_ne!(first, second);
    assert!(first.contains("started at"), "{first}");
    let report = failure.to_string();
    assert!(
        report.contains("first run:") && report.contains("second run:"),
        "{report}"
    );
}

// Goal: iterating a HashMap (random order per map) is caught by the determinism check.
#[test]
fn iterating_a_hash_map_is_nondeterminism() {
    let config = Config::default()
        .with_iterations(5)
        .with_check_determinism(true)
        .with_strategy(Strategy::Fifo);
    let report = explore(config, || async {
        let names: HashMap<String, u32> = (0..8).map(|i| (format!("task-{i}"), i)).collect();
        let handles: Vec<_> = names
            .into_keys()
            .map(|name| spawn_named(name, yield_now()))
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
    });
    assert!(matches!(
        report.failure,
        Some(Failure::Nondeterminism { .. })
    ));
}

// Goal: a deterministic program passes the determinism check.
#[test]
fn a_deterministic_program_passes_the_determinism_check() {
    let config = Config::default()
        .with_iterations(50)
        .with_check_determinism(true);
    let report = explore(config, || async {
        let a = spawn_named("a", yield_now());
        let b = spawn_named("b", yield_now());
        a.await.unwrap();
        b.await.unwrap();
    });
    assert!(report.failure.is_none());
    assert!(report.distinct_traces > 1);
}

// Goal: two jobs report the same lowest failing iteration and the same report as one job.
#[test]
fn parallel_sweeps_report_the_same_failure_as_one_job() {
    let config = Config::default().with_iterations(300).with_seed(1000);
    let one = explore(config.clone(), lost_update).failure.unwrap();
    for _ in 0..3 {
        let two = explore(config.clone().with_jobs(2), lost_update)
            .failure
            .unwrap();
        assert_eq!(one.context().iteration, two.context().iteration);
        assert_eq!(one.to_string(), two.to_string());
    }
}

// Goal: shards run disjoint seeds that together cover the sweep.
#[test]
fn shards_run_disjoint_seeds_covering_the_sweep() {
    let seen = Mutex::new(Vec::new());
    let count = 3;
    let mut total = 0;
    for index in 0..count {
        let config = Config::default()
            .with_iterations(20)
            .with_seed(100)
            .with_shard(Shard::new(index, count).unwrap());
        let report = explore(config, || async {
            seen.lock().unwrap().push(simloop::random::seed());
        });
        total += report.iterations;
    }
    let mut seeds = seen.into_inner().unwrap();
    seeds.sort_unstable();
    // Each shard also makes one calibration run with the base seed, which is not an iteration.
    let iterations: BTreeSet<u64> = seeds.iter().copied().collect();
    assert_eq!(total, 20);
    assert_eq!(iterations, (100..120).collect());
}

// Goal: SIMLOOP_TRACE writes the failing run's Chrome trace; an unwritable path only warns.
#[test]
fn failing_trace_is_written_and_bad_paths_do_not_change_the_result() {
    let directory = std::env::temp_dir().join(format!("simloop-trace-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let path = directory.join("failure.json");
    let config = Config::default().with_iterations(500);
    let report = explore(config.clone().with_trace_path(&path), lost_update);
    assert!(report.failure.is_some());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let events = json["traceEvents"].as_array().unwrap();
    assert!(events
        .iter()
        .any(|e| e["ph"] == "M" && e["args"]["name"] == "#1 first"));
    assert!(events.iter().any(|e| e["ph"] == "X" && e["name"] == "poll"));
    assert!(events.iter().any(|e| e["ph"] == "i" && e["cat"] == "log"));
    let unwritable = directory.join("missing-dir").join("trace.txt");
    let report = explore(config.with_trace_path(unwritable), lost_update);
    assert!(report.failure.is_some());
    std::fs::remove_dir_all(&directory).unwrap();
}
