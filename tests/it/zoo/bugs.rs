//! Each zoo bug is found by `check`'s default configuration (the portfolio, seed 0) within a
//! budget of [`BUDGET`] schedules, and the replay line of the report reproduces it: the same
//! headline and the same last events.

use simloop::{explore, Config, Failure, Schedule};

use super::programs::{self, Program};

/// The stated budget: the default sweep finds every zoo bug within a mean of about 40 schedules
/// (`cargo run --release --example zoo`); the most any of these tests needs is below 200
/// (a `twostage` at seed 0 needs 167: a quarter of the runs go to schedules near FIFO order).
const BUDGET: u64 = 1_000;

/// Sweeps `program` with the default configuration, checks the failure, replays it from the
/// report's replay line, and returns the original failure.
fn found_and_replayed(program: Program) -> Failure {
    let config = Config::default().with_iterations(BUDGET);
    let failure = explore(config.clone(), program)
        .failure
        .expect("the default portfolio finds the bug within the budget");
    let (iteration, _) = failure
        .context()
        .iteration
        .expect("a sweep numbers its runs");
    assert!(iteration < 200, "found only at iteration {iteration}");
    let line = failure.context().replay_line();
    let schedule: Schedule = line
        .strip_prefix("SIMLOOP_REPLAY=")
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the replay line starts with the schedule")
        .parse()
        .expect("the replay line holds a valid schedule");
    let replayed = explore(config.with_replay(schedule), program)
        .failure
        .expect("the replay fails again");
    assert_eq!(replayed.headline(), failure.headline());
    assert_eq!(
        replayed.context().last_events,
        failure.context().last_events
    );
    failure
}

/// The panic message of a failure, or its kind.
fn message(failure: &Failure) -> String {
    match failure {
        Failure::Panic { message, .. } => message.clone(),
        other => other.kind().to_owned(),
    }
}

fn program(name: &str) -> Program {
    programs::PROGRAMS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, program)| *program)
        .expect("a zoo program")
}

// Goal: account's wrong balance formula is found and replayed.
#[test]
fn account() {
    let failure = found_and_replayed(program("account"));
    assert!(message(&failure).contains("account: wrong balance"));
}

// Goal: lazy01's checker running last is found and replayed.
#[test]
fn lazy01() {
    let failure = found_and_replayed(program("lazy01"));
    assert!(message(&failure).contains("lazy01: data reached 3"));
}

// Goal: deadlock01's ABBA deadlock is reported as a deadlock naming both tasks, and replayed.
#[test]
fn deadlock01() {
    let failure = found_and_replayed(program("deadlock01"));
    let Failure::Deadlock { blocked, .. } = &failure else {
        panic!("expected a deadlock, got {failure}");
    };
    let names: Vec<_> = blocked
        .iter()
        .filter_map(|b| b.task.name.as_deref())
        .collect();
    assert!(names.contains(&"t1") && names.contains(&"t2"), "{names:?}");
}

// Goal: circular_buffer's consumer removing the wrong element is found and replayed.
#[test]
fn circular_buffer() {
    let failure = found_and_replayed(program("circular_buffer"));
    assert!(message(&failure).contains("circular_buffer: removed the wrong element"));
}

// Goal: wronglock's increment under the wrong lock is found and replayed.
#[test]
fn wronglock() {
    let failure = found_and_replayed(program("wronglock"));
    assert!(message(&failure).contains("wronglock: value changed under the lock"));
}

// Goal: twostage with 2, 20 and 50 tasks: the reader between a writer's two stages.
#[test]
fn twostage() {
    for name in ["twostage(2)", "twostage(20)", "twostage(50)"] {
        let failure = found_and_replayed(program(name));
        assert!(
            message(&failure).contains("twostage: reader saw the first stage"),
            "{name}"
        );
    }
}

// Goal: reorder with 3, 5 and 10 tasks: the checker sees a setter half-way.
#[test]
fn reorder() {
    for name in ["reorder(3)", "reorder(5)", "reorder(10)"] {
        let failure = found_and_replayed(program(name));
        assert!(
            message(&failure).contains("reorder: checker saw a setter half-way"),
            "{name}"
        );
    }
}
