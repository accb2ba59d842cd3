//! The default sweep's shape: asyncio's FIFO order first, then the schedules one and two
//! deviations away from it interleaved with the randomized strategies, deterministically under
//! threads and shards.

use std::cell::RefCell;
use std::rc::Rc;

use simloop::config::Shard;
use simloop::task::{spawn_named, yield_now};
use simloop::{explore, Config, Failure};

/// Fails in plain FIFO order: the second task overwrites the first's value.
async fn fails_in_fifo_order() {
    let value = Rc::new(RefCell::new(0));
    let first = {
        let value = value.clone();
        spawn_named("first", async move { *value.borrow_mut() = 1 })
    };
    let second = {
        let value = value.clone();
        spawn_named("second", async move { *value.borrow_mut() = 2 })
    };
    first.await.unwrap();
    second.await.unwrap();
    assert_eq!(*value.borrow(), 1, "the second write won");
}

/// Two tasks alternate 30 times in FIFO order; the bug needs exactly one step, late in the run,
/// where `b` runs twice in a row and the order is FIFO everywhere else. Random walks, PCT and
/// newest-first orders deviate almost everywhere, so only an enumeration of the schedules near
/// FIFO order finds it.
async fn one_late_deviation() {
    let order = Rc::new(RefCell::new(String::new()));
    let worker = |letter: char| {
        let order = order.clone();
        spawn_named(letter.to_string(), async move {
            for _ in 0..30 {
                order.borrow_mut().push(letter);
                yield_now().await;
            }
        })
    };
    let (a, b) = (worker('a'), worker('b'));
    a.await.unwrap();
    b.await.unwrap();
    let order = order.borrow();
    let twice = |pair: &str| {
        (0..order.len() - 1)
            .filter(|&i| &order[i..i + 2] == pair)
            .count()
    };
    let late = order.find("bb").is_some_and(|at| at >= 20);
    assert!(
        !(late && twice("bb") == 1 && twice("aa") <= 1),
        "one late deviation"
    );
}

fn iteration(failure: &Failure) -> u64 {
    failure
        .context()
        .iteration
        .expect("a sweep numbers its runs")
        .0
}

// Goal: iteration 0 of the default sweep is asyncio's order, so a bug that fails in plain FIFO
// order is found by the first run.
#[test]
fn the_default_sweep_runs_fifo_first() {
    for seed in [0, 7, 1_000] {
        let failure = explore(
            Config::default().with_seed(seed).with_shrink_runs(0),
            fails_in_fifo_order,
        )
        .failure
        .expect("the sweep finds the bug");
        assert_eq!(iteration(&failure), 0, "{failure}");
        assert_eq!(failure.context().strategy, "fifo");
        assert_eq!(failure.context().seed, seed);
    }
}

// Goal: every schedule one deviation away from FIFO order is tried, in step order, within the
// sweep's odd-numbered iterations; the randomized members never find this bug.
#[test]
fn the_default_sweep_enumerates_single_deviations_from_fifo() {
    let config = Config::default().with_iterations(200).with_shrink_runs(0);
    let failure = explore(config, one_late_deviation)
        .failure
        .expect("a single deviation from FIFO is tried");
    assert_eq!(failure.context().strategy, "fifo+1");
    assert_eq!(
        iteration(&failure) % 2,
        1,
        "systematic schedules take odd slots"
    );
    assert_eq!(failure.context().schedule.deviations().len(), 1);
}

// Goal: the systematic part depends only on the base seed's FIFO run, so the failing iteration
// is the same whatever the number of threads, and shards split it without gap.
#[test]
fn the_default_sweep_is_deterministic_under_jobs_and_shards() {
    let config = Config::default().with_iterations(200).with_shrink_runs(0);
    let alone = iteration(&explore(config.clone(), one_late_deviation).failure.unwrap());
    let threads = explore(config.clone().with_jobs(2), one_late_deviation)
        .failure
        .unwrap();
    assert_eq!(iteration(&threads), alone);
    let owner = Shard::new(alone % 2, 2).unwrap();
    let sharded = explore(config.with_shard(owner), one_late_deviation)
        .failure
        .unwrap();
    assert_eq!(iteration(&sharded), alone);
}

/// Two tasks that yield twice each.
async fn small() {
    let a = simloop::task::spawn(async {
        yield_now().await;
        yield_now().await;
    });
    let b = simloop::task::spawn(async {
        yield_now().await;
        yield_now().await;
    });
    a.await.unwrap();
    b.await.unwrap();
}

// Goal: a sweep's report says how much it covered: schedules, distinct interleavings, and
// whether every schedule near FIFO order ran; `summary` says it in one line.
#[test]
fn the_report_says_what_the_sweep_covered() {
    let report = explore(Config::default().with_iterations(100), small);
    let (ran, total) = report
        .near_fifo
        .expect("the default sweep has a systematic part");
    assert!(total > 0 && ran == total, "{ran} of {total}");
    assert_eq!(report.complete, Some(true));
    assert!(report.distinct_traces > 1);
    let summary = report.summary();
    assert!(
        summary.starts_with("simloop: 100 schedules, ") && summary.contains("(complete)"),
        "{summary}"
    );
    let short = explore(Config::default().with_iterations(4), one_late_deviation);
    assert_eq!(short.complete, Some(false));
    assert!(
        short.summary().contains("(incomplete)"),
        "{}",
        short.summary()
    );
}
