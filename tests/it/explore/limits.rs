//! Sweep limits: memory independent of the iteration count, shards that own nothing, the
//! number of threads, and strategy parameters built in code.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};

use simloop::config::Shard;
use simloop::{explore, Config, Failure, Strategy};

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

// Goal: a sweep allocates nothing per iteration up front: u64::MAX iterations of a program that
// fails at once report the failure instead of running out of memory.
#[test]
fn a_huge_iteration_count_reports_the_first_failure() {
    for jobs in [1, 2] {
        let config = Config::default()
            .with_iterations(u64::MAX)
            .with_jobs(jobs)
            .with_shrink_runs(0);
        let report = explore(config, || async { panic!("fails every time") });
        let failure = report.failure.expect("the first iteration fails");
        assert!(matches!(failure, Failure::Panic { .. }), "{failure}");
        assert_eq!(
            failure.context().iteration,
            Some((0, u64::MAX)),
            "jobs {jobs}"
        );
    }
}

// Goal: with a huge iteration count, a failure found well past the hint lag is the same lowest
// failing iteration on one thread and on several.
#[test]
fn a_huge_sweep_finds_a_late_failure_on_any_number_of_threads() {
    let program = || async {
        let draw: u32 = simloop::random::random_range(0..200);
        assert_ne!(draw, 7, "rare draw");
    };
    let config = Config::default()
        .with_iterations(u64::MAX)
        .with_seed(5)
        .with_shrink_runs(0);
    let one = explore(config.clone(), program).failure.unwrap();
    let (iteration, total) = one.context().iteration.unwrap();
    assert_eq!(total, u64::MAX);
    assert!(iteration > 16, "iteration {iteration}");
    for jobs in [2, 3] {
        let many = explore(config.clone().with_jobs(jobs), program)
            .failure
            .unwrap();
        assert_eq!(many.context().iteration, one.context().iteration);
    }
}

// Goal: a shard that owns none of the iterations is an error naming SIMLOOP_SHARD and the
// iteration count, so a misconfigured CI matrix cannot pass by running nothing.
#[test]
fn a_shard_that_owns_no_iteration_is_an_error() {
    let config = Config::default()
        .with_iterations(3)
        .with_shard(Shard::new(5, 8).unwrap());
    let error = config.validate().unwrap_err();
    assert_eq!(error.field(), "shard");
    let text = error.to_string();
    assert!(text.contains("SIMLOOP_SHARD=5/8"), "{text}");
    assert!(text.contains("SIMLOOP_ITERATIONS=3"), "{text}");
    let ran = AtomicUsize::new(0);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        explore(config.clone(), || {
            ran.fetch_add(1, Ordering::SeqCst);
            async {}
        })
    }));
    let payload = outcome.expect_err("the sweep refuses the empty shard");
    assert!(panic_text(&*payload).contains("SIMLOOP_SHARD"));
    assert_eq!(ran.load(Ordering::SeqCst), 0);
    // The last shard that owns an iteration still runs it.
    let last = Config::default()
        .with_iterations(3)
        .with_shard(Shard::new(2, 8).unwrap());
    assert_eq!(explore(last, || async {}).iterations, 1);
}

// Goal: `jobs` has a documented upper bound, refused by name.
#[test]
fn jobs_beyond_the_bound_are_refused() {
    let error = Config::default().with_jobs(100_000).validate().unwrap_err();
    assert_eq!(error.field(), "jobs");
    assert!(error.to_string().contains("at most"), "{error}");
    assert!(Config::default().with_jobs(64).validate().is_ok());
}

/// The id Linux gives a thread started now: ids are handed out in increasing order, so the
/// difference between two of them bounds the threads started in between.
#[cfg(target_os = "linux")]
fn next_thread_id() -> u64 {
    std::thread::spawn(|| {
        let link = std::fs::read_link("/proc/thread-self").unwrap();
        link.file_name().unwrap().to_str().unwrap().parse().unwrap()
    })
    .join()
    .unwrap()
}

// Goal: a sweep starts no more threads than it has iterations to run.
#[cfg(target_os = "linux")]
#[test]
fn jobs_are_capped_by_the_iteration_count() {
    let config = Config::default().with_iterations(1).with_jobs(1000);
    // Thread ids wrap around at the kernel's limit; measure again if that happened meanwhile.
    for _ in 0..3 {
        let before = next_thread_id();
        let report = explore(config.clone(), || async {});
        let after = next_thread_id();
        assert_eq!(report.iterations, 1);
        if after > before {
            let started = after - before;
            assert!(
                started < 500,
                "about {started} threads for a sweep of 1 iteration"
            );
            return;
        }
    }
    panic!("thread ids wrapped around three times");
}

// Goal: every strategy parameter built in code is held to the range its text form accepts.
#[test]
fn strategy_parameters_out_of_range_are_refused_by_name() {
    for strategy in [
        Strategy::Pct { depth: u32::MAX },
        Strategy::Pct { depth: 17 },
        Strategy::Pct { depth: 0 },
        Strategy::Exhaustive { preemptions: 65 },
        Strategy::Exhaustive {
            preemptions: u32::MAX,
        },
    ] {
        let error = Config::default()
            .with_strategy(strategy.clone())
            .validate()
            .unwrap_err();
        assert_eq!(error.field(), "strategy", "{strategy:?}");
        let text = error.to_string();
        assert!(text.contains("1..=16") || text.contains("0..=64"), "{text}");
        assert!(simloop::Sim::try_new(Config::default().with_strategy(strategy)).is_err());
    }
    for strategy in [
        Strategy::Pct { depth: 1 },
        Strategy::Pct { depth: 16 },
        Strategy::Exhaustive { preemptions: 0 },
        Strategy::Exhaustive { preemptions: 64 },
    ] {
        assert!(Config::default().with_strategy(strategy).validate().is_ok());
    }
}
