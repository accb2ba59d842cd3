//! `zoo`: the fuzzer's bytes schedule the bug zoo's programs. Their bugs are expected; what must
//! never happen is any other failure, or a failure its replay line does not reproduce.
//!
//! Input layout: byte 0 picks the program (`mod` the number of programs), byte 1 is the seed,
//! and every further byte is one scheduling choice; after the last choice the run follows
//! asyncio's order. A run that fails must fail with the program's own assertion (its message
//! names the program) or, for `deadlock01`, with a deadlock; and replaying the
//! run's schedule must give the same failure with the same last events.

use simloop::scheduler::Choices;
use simloop::{explore, Config, Failure, Sim, Strategy, TraceLevel};

pub use crate::zoo::PROGRAMS;

/// Whether `failure` is the documented bug of `program`.
fn is_the_bug(program: &str, failure: &Failure) -> bool {
    let base = program.split('(').next().unwrap_or(program);
    match failure {
        Failure::Deadlock { .. } => base == "deadlock01",
        Failure::Panic { message, .. } => message.contains(&format!("{base}:")),
        _ => false,
    }
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let selector = data.first().copied().unwrap_or(0);
    let seed = u64::from(data.get(1).copied().unwrap_or(0));
    let (name, program) = PROGRAMS[usize::from(selector) % PROGRAMS.len()];
    let choices = Choices::from_bytes(data.get(2..).unwrap_or(&[])).then_fifo();
    let config = Config::default()
        .with_seed(seed)
        .with_max_steps(100_000)
        .with_trace(TraceLevel::Full);
    let run = Sim::new(config.clone().with_strategy(Strategy::Choices(choices))).run(program());
    let Err(failure) = run.result else {
        return;
    };
    assert!(
        is_the_bug(name, &failure),
        "{name}: a failure other than the program's bug: {failure}"
    );
    let replayed = explore(
        config.with_iterations(1).with_replay(run.schedule.clone()),
        program,
    )
    .failure
    .unwrap_or_else(|| panic!("{name}: the replay of {} passed: {failure}", run.schedule));
    assert_eq!(failure.headline(), replayed.headline(), "{name}");
    assert_eq!(
        failure.context().last_events,
        replayed.context().last_events,
        "{name}: the replay's trace differs"
    );
}
