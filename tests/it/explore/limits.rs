//! Sweep limits: memory independent of the iteration count, shards that own nothing, the
//! number of threads, and strategy parameters built in code.

use simloop::{explore, Config, Failure};

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
