//! The failure report's replay line reproduces every kind of failure exactly.

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use simloop::task::{spawn, spawn_named, yield_now};
use simloop::time::sleep;
use simloop::{explore, Config, Failure, Schedule};

use super::lost_update;

/// Finds a failure with `config`, then replays the schedule its report prints and checks the
/// replay fails the same way with the same trace tail.
fn assert_round_trip<F, Fut>(config: Config, make: F) -> Failure
where
    F: Fn() -> Fut + Sync,
    Fut: Future<Output = ()>,
{
    let found = explore(config.clone(), &make)
        .failure
        .expect("the sweep finds the failure");
    let line = found.context().replay_line();
    let schedule: Schedule = line
        .strip_prefix("SIMLOOP_REPLAY=")
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the replay line starts with SIMLOOP_REPLAY=")
        .parse()
        .expect("the printed schedule parses");
    let replayed = explore(config.with_replay(schedule), &make)
        .failure
        .expect("the replay fails again");
    assert_eq!(found.kind(), replayed.kind());
    assert_eq!(found.headline(), replayed.headline());
    assert_eq!(found.context().time, replayed.context().time);
    assert_eq!(found.context().step, replayed.context().step);
    assert_eq!(found.context().last_events, replayed.context().last_events);
    found
}

fn sweep(iterations: u64) -> Config {
    Config::default().with_iterations(iterations)
}

// Goal: a panic found by a sweep replays from its printed line.
#[test]
fn panic_round_trips() {
    let failure = assert_round_trip(sweep(500), lost_update);
    assert!(matches!(failure, Failure::Panic { .. }));
    assert!(failure.to_string().contains("lost update"));
}

// Goal: a schedule-dependent deadlock replays from its printed line.
#[test]
fn deadlock_round_trips() {
    let failure = assert_round_trip(sweep(500), || async {
        let flag = Rc::new(Cell::new(false));
        let setter = flag.clone();
        spawn_named("setter", async move { setter.set(true) }).detach();
        yield_now().await;
        if !flag.get() {
            std::future::pending::<()>().await;
        }
    });
    assert!(matches!(failure, Failure::Deadlock { .. }));
}

// Goal: a step limit replays from its printed line.
#[test]
fn step_limit_round_trips() {
    let failure = assert_round_trip(sweep(10).with_max_steps(200), || async {
        let spinner = spawn(async {
            loop {
                yield_now().await;
            }
        });
        spinner.await.unwrap();
    });
    assert!(matches!(failure, Failure::StepLimit { .. }));
}

// Goal: a time limit replays from its printed line.
#[test]
fn time_limit_round_trips() {
    let config = sweep(10).with_max_time(Duration::from_secs(30));
    let failure = assert_round_trip(config, || async {
        let slow = spawn(sleep(Duration::from_secs(60)));
        slow.await.unwrap();
    });
    assert!(matches!(failure, Failure::TimeLimit { .. }));
}

// Goal: a task limit replays from its printed line.
#[test]
fn task_limit_round_trips() {
    let failure = assert_round_trip(sweep(10).with_max_tasks(5), || async {
        for _ in 0..10 {
            spawn(yield_now()).detach();
            yield_now().await;
        }
    });
    assert!(matches!(failure, Failure::TaskLimit { .. }));
}

// Goal: replaying against a program that changed reports where it diverged.
#[test]
fn replay_against_a_changed_program_reports_the_divergence() {
    let found = explore(sweep(500), lost_update).failure.unwrap();
    let (schedule, _) = found.context().minimal.clone().unwrap();
    assert!(!schedule.deviations().is_empty());
    let changed = explore(sweep(1).with_replay(schedule), || async {
        // The same shape, but with one task fewer: the recorded task never exists.
        yield_now().await;
        yield_now().await;
    })
    .failure
    .expect("the replay diverges");
    let Failure::Divergence { message, .. } = &changed else {
        panic!("expected a divergence: {changed}");
    };
    assert!(message.contains(" step "), "{message}");
    assert!(message.contains("task #"), "{message}");
    // A program that still has the tasks but not in that order diverges at the step itself.
    let (schedule, _) = found.context().minimal.clone().unwrap();
    let reordered = explore(sweep(1).with_replay(schedule), || async {
        let only = spawn_named("only", async {
            yield_now().await;
            yield_now().await;
        });
        yield_now().await;
        only.await.unwrap();
    })
    .failure
    .expect("the replay diverges");
    let Failure::Divergence { message, .. } = &reordered else {
        panic!("expected a divergence: {reordered}");
    };
    assert!(message.starts_with("at step "), "{message}");
    assert!(
        message.contains("the schedule chose task #2, which is not ready"),
        "{message}"
    );
}

// Goal: the shrunk schedule is minimal and explained: one deviation, naming both tasks.
#[test]
fn shrinking_reports_the_one_needed_deviation() {
    let failure = explore(sweep(500), lost_update).failure.unwrap();
    let (minimal, explanation) = failure.context().minimal.clone().unwrap();
    assert_eq!(minimal.deviations().len(), 1, "{failure}");
    assert!(
        explanation.starts_with("fails with 1 deviation from FIFO: at step"),
        "{explanation}"
    );
    assert!(explanation.contains("task `"), "{explanation}");
    let report = failure.to_string();
    assert!(
        report.contains("minimal schedule (1 deviation from FIFO): v1:"),
        "{report}"
    );
    assert!(report.contains("replay: SIMLOOP_REPLAY=v1:"), "{report}");
    assert!(
        report.contains("explore::replay::shrinking_reports_the_one_needed_deviation"),
        "{report}"
    );
}

// Goal: check panics with the report; the panic message carries the replay line (no should_panic).
#[test]
fn check_panics_with_the_replay_line() {
    let outcome = std::panic::catch_unwind(|| {
        simloop::check_with(sweep(500), lost_update);
    });
    let payload = outcome.unwrap_err();
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains("SIMLOOP_REPLAY=v1:"), "{message}");
    assert!(message.contains("cargo test explore::replay::check_panics_with_the_replay_line"));
}

// Goal: a schedule that picks a task at a step where the program had no choice says so, instead
// of claiming the run ended before that step.
#[test]
fn a_choice_at_a_step_without_one_says_there_was_no_choice() {
    let schedule: Schedule = "v1:5:0=1".parse().unwrap();
    let failure = explore(sweep(1).with_replay(schedule), || async {
        yield_now().await;
        yield_now().await;
    })
    .failure
    .expect("the replay diverges");
    let Failure::Divergence { message, .. } = &failure else {
        panic!("expected a divergence: {failure}");
    };
    assert!(!message.contains("before the schedule"), "{message}");
    assert!(
        message.starts_with("at step 0 the schedule chose task #1"),
        "{message}"
    );
    assert!(message.contains("only one task was ready"), "{message}");
}

// Goal: under the random walk the ready set keeps no arrival order (it has no gaps and a taken
// slot is filled by the last one), yet the schedule it records is measured against the task
// ready longest, as `Fifo` and the replay read it: replaying the recorded schedule of a random
// run gives the same trace, event for event, over many seeds.
#[test]
fn a_random_walk_replays_event_for_event() {
    use simloop::{Sim, Strategy, TraceLevel};
    let program = || async {
        let shared = Rc::new(Cell::new(0u32));
        let handles: Vec<_> = (0..12u32)
            .map(|i| {
                let shared = shared.clone();
                spawn(async move {
                    for round in 0..4 {
                        shared.set(shared.get().wrapping_mul(31).wrapping_add(i + round));
                        if (i + round) % 3 == 0 {
                            sleep(Duration::from_millis(u64::from(i % 4))).await;
                        } else {
                            yield_now().await;
                        }
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
        shared.get()
    };
    let mut deviations = 0;
    for seed in 0..200 {
        let config = Config::default()
            .with_seed(seed)
            .with_trace(TraceLevel::Full);
        let run = Sim::new(config.clone().with_strategy(Strategy::Random)).run(program());
        deviations += run.schedule.deviations().len();
        let replayed =
            Sim::new(config.with_strategy(Strategy::Replay(run.schedule.clone()))).run(program());
        assert_eq!(replayed.trace.text(), run.trace.text(), "seed {seed}");
        assert_eq!(replayed.result.unwrap(), run.result.unwrap(), "seed {seed}");
    }
    assert!(
        deviations > 1_000,
        "the walk deviates from arrival order ({deviations})"
    );
}
