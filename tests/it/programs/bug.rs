//! The tour's planted bug: hidden in asyncio's order, found by a sweep, replayed from its line.

use simloop::{explore, Config, Failure, Schedule, Strategy};

use super::guide as programs;
use super::{assert_lines, fifo_in};

// Goal: in asyncio's order each worker writes back before the next one reads: no update lost.
#[test]
fn planted_bug_hides_under_fifo() {
    let run = fifo_in(Default::default()).run(programs::count_visits());
    assert_lines(
        &run,
        &[
            ("0.000s", "worker-0", "read views = 0"),
            ("1.000s", "worker-0", "wrote views = 1"),
            ("1.000s", "worker-1", "read views = 1"),
            ("2.000s", "worker-1", "wrote views = 2"),
            ("2.000s", "worker-2", "read views = 2"),
            ("3.000s", "worker-2", "wrote views = 3"),
        ],
    );
}

// Goal: the default portfolio finds the lost update, and its replay line fails identically.
#[test]
fn planted_bug_is_found_and_replays_identically() {
    let config = Config::default().with_iterations(1000);
    let failure = explore(config.clone(), programs::count_visits)
        .failure
        .expect("the sweep finds the lost update");
    let Failure::Panic { message, .. } = &failure else {
        panic!("expected the assertion to fail: {failure}");
    };
    assert!(message.contains("lost update"), "{message}");
    let (minimal, _) = failure
        .context()
        .minimal
        .clone()
        .expect("a shrunk schedule");
    assert_eq!(
        minimal.deviations().len(),
        1,
        "one swap at a timer tie suffices"
    );
    let line = failure.context().replay_line();
    let text = line
        .strip_prefix("SIMLOOP_REPLAY=")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap();
    let schedule: Schedule = text.parse().unwrap();
    let again = explore(config.with_replay(schedule), programs::count_visits)
        .failure
        .expect("the replay fails too");
    assert_eq!(again.headline(), failure.headline());
    assert_eq!(again.context().time, failure.context().time);
    assert_eq!(again.context().step, failure.context().step);
    assert_eq!(again.context().last_events, failure.context().last_events);
    let fifo = Config::default()
        .with_strategy(Strategy::Fifo)
        .with_iterations(1);
    assert!(explore(fifo, programs::count_visits).failure.is_none());
}
