//! Strategies: exhaustive search, choice streams, PCT, POS.

use std::cell::RefCell;
use std::rc::Rc;

use simloop::scheduler::{ChoiceScheduler, Choices};
use simloop::task::{spawn_named, yield_now};
use simloop::{explore, Config, Sim, Strategy, TraceLevel};

use super::lost_update;

/// Two tasks with `steps` yields each; returns nothing, fails never.
async fn two_tasks(steps: usize) {
    let a = spawn_named("a", async move {
        for _ in 0..steps {
            yield_now().await;
        }
    });
    let b = spawn_named("b", async move {
        for _ in 0..steps {
            yield_now().await;
        }
    });
    a.await.unwrap();
    b.await.unwrap();
}

// Goal: exhaustive search runs every schedule within the bound and says it finished.
#[test]
fn exhaustive_search_finishes_and_counts_schedules() {
    let mut counts = Vec::new();
    for preemptions in 0..3 {
        let config = Config::default()
            .with_strategy(Strategy::Exhaustive { preemptions })
            .with_iterations(10_000);
        let report = explore(config, || two_tasks(2));
        assert_eq!(report.complete, Some(true));
        assert!(report.failure.is_none());
        assert_eq!(report.distinct_traces, report.iterations);
        counts.push(report.iterations);
    }
    assert!(counts[0] < counts[1] && counts[1] < counts[2], "{counts:?}");
}

// Goal: exhaustive search finds a bug that needs one preemption at bound 1 but not at bound 0.
#[test]
fn exhaustive_search_finds_the_lost_update_with_one_preemption() {
    let with = |preemptions| {
        explore(
            Config::default()
                .with_strategy(Strategy::Exhaustive { preemptions })
                .with_iterations(10_000),
            lost_update,
        )
    };
    let none = with(0);
    assert!(none.failure.is_none());
    assert_eq!(none.complete, Some(true));
    let one = with(1);
    assert!(one.failure.is_some());
}

// Goal: a budget smaller than the search space stops it and says it did not finish.
#[test]
fn exhaustive_search_reports_an_unfinished_search() {
    let config = Config::default()
        .with_strategy(Strategy::Exhaustive { preemptions: 3 })
        .with_iterations(5);
    let report = explore(config, || two_tasks(4));
    assert_eq!(report.iterations, 5);
    assert_eq!(report.complete, Some(false));
}

/// The order in which three tasks first run under a given scheduler.
fn first_runs(choices: Vec<u32>) -> Vec<String> {
    let order = Rc::new(RefCell::new(Vec::new()));
    let o = order.clone();
    Sim::new(Config::default().with_trace(TraceLevel::Off))
        .run_with(
            Box::new(ChoiceScheduler::new(Choices::new(choices), 0)),
            async move {
                let handles: Vec<_> = ["x", "y", "z"]
                    .into_iter()
                    .map(|name| {
                        let o = o.clone();
                        spawn_named(name, async move { o.borrow_mut().push(name.to_owned()) })
                    })
                    .collect();
                for handle in handles {
                    handle.await.unwrap();
                }
            },
        )
        .unwrap();
    let order = order.borrow().clone();
    order
}

// Goal: a choice stream picks the (c mod n)-th ready task in arrival order; 0 is FIFO.
#[test]
fn choice_streams_pick_by_index_and_fold_large_values() {
    assert_eq!(first_runs(vec![0, 0, 0]), ["x", "y", "z"]);
    // First choice point: main, x, y, z are not all ready yet: main spawned them and awaits.
    assert_eq!(first_runs(vec![2, 0]), ["z", "x", "y"]);
    assert_eq!(first_runs(vec![5, 0]), first_runs(vec![2, 0]));
    // Past the end of the stream the seed's random walk takes over, deterministically.
    assert_eq!(first_runs(vec![]), first_runs(vec![]));
}

// Goal: PCT and POS find the lost update, each within a small budget.
#[test]
fn pct_and_pos_find_the_lost_update() {
    for strategy in [
        Strategy::Pct { depth: 2 },
        Strategy::Pct { depth: 3 },
        Strategy::Pos,
    ] {
        let config = Config::default()
            .with_strategy(strategy.clone())
            .with_iterations(500);
        let report = explore(config, lost_update);
        assert!(report.failure.is_some(), "{strategy} did not find the bug");
    }
}
