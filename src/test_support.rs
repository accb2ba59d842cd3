//! Test support (compiled in `cargo test` of the crate only) for the schedulers that keep an index over the ready set: a busy program run
//! under two schedulers to assert they chose alike (the index against the pass it replaces),
//! and random input for the index structures' own tests.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use crate::config::Config;
use crate::id::{TaskId, TaskSteps};
use crate::runtime::Sim;
use crate::scheduler::{Scheduler, SweepHints, SCAN_BELOW};
use crate::task::{spawn, yield_now};
use crate::time::{sleep, timeout};

/// `tasks` tasks that sleep (ties included), yield, `sleep(0)`, time out and get aborted, some
/// spawning children, while `main` joins them: ready sets that grow, shrink to one task (so
/// the run loop picks alone) and grow again.
async fn busy(tasks: u64) -> Vec<u64> {
    let order = Rc::new(RefCell::new(Vec::new()));
    let handles: Vec<_> = (0..tasks)
        .map(|task| {
            let order = order.clone();
            spawn(async move {
                for round in 0..3 {
                    order.borrow_mut().push(task * 10 + round);
                    match (task + round) % 5 {
                        0 => sleep(Duration::from_millis(task % 7)).await,
                        1 => yield_now().await,
                        2 => sleep(Duration::ZERO).await,
                        3 => {
                            let child = spawn(async move { yield_now().await });
                            let _ = child.await;
                        }
                        _ => {
                            let long = sleep(Duration::from_millis(50));
                            let _ = timeout(Duration::from_millis(task % 5 + 1), long).await;
                        }
                    }
                }
            })
        })
        .collect();
    yield_now().await;
    for handle in handles.iter().step_by(7) {
        handle.abort();
    }
    for handle in handles {
        let _ = handle.await;
    }
    let order = order.borrow().clone();
    order
}

/// Asserts that the scheduler `with(seed, scan_below)` builds chooses alike always indexed
/// (`scan_below` 0), indexed from the default size on (so the modes mix), and always scanning.
pub(super) fn assert_indexing_changes_nothing(with: impl Fn(u64, usize) -> Box<dyn Scheduler>) {
    for indexed_from in [0, SCAN_BELOW] {
        assert_same_choices(
            |seed| with(seed, indexed_from),
            |seed| with(seed, usize::MAX),
        );
    }
}

/// Hints as a sweep's earlier runs would give them: 120 tasks in a tree (each the child of the
/// task with a third of its id), task `id` polled `1 + id % polls_cycle` times.
pub(super) fn tree_hints(choice_points: u64, polls_cycle: u32) -> SweepHints {
    SweepHints {
        choice_points,
        tasks: (0..120u32)
            .map(|id| TaskSteps {
                parent: (id > 0).then(|| TaskId::from_u32(id / 3)),
                polls: 1 + id % polls_cycle,
            })
            .collect(),
    }
}

/// Asserts that `indexed` and `scan`, built for each of 24 seeds, produce the same runs.
fn assert_same_choices(
    indexed: impl Fn(u64) -> Box<dyn Scheduler>,
    scan: impl Fn(u64) -> Box<dyn Scheduler>,
) {
    for seed in 0..24 {
        let sim = Sim::new(Config::default().with_seed(seed));
        let one = sim.run_with(indexed(seed), busy(40 + seed * 5));
        let other = sim.run_with(scan(seed), busy(40 + seed * 5));
        assert_eq!(
            one.schedule, other.schedule,
            "seed {seed}: schedules differ"
        );
        assert_eq!(one.trace.digest(), other.trace.digest(), "seed {seed}");
        assert_eq!(one.result.unwrap(), other.result.unwrap(), "seed {seed}");
        assert!(one.choice_points > 0, "seed {seed}: nothing was chosen");
    }
}

/// A xorshift generator (Marsaglia, "Xorshift RNGs", 2003) from `seed`, drawing below its
/// argument: test input for the index structures, independent of the crate's seeded streams.
pub(crate) fn draws(mut state: u64) -> impl FnMut(u64) -> u64 {
    move |below| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % below
    }
}
