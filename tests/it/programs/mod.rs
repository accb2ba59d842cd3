//! The guide's programs (`simloop_programs::guide`): exact timelines under Fifo, invariants
//! under Random and PCT, and every example's main logic.

use simloop_programs::{args, guide};

mod bug;
mod examples;
mod postgres;
mod properties;
mod timelines;

use simloop::sim::WorldConfig;
use simloop::trace::EventKind;
use simloop::{Config, Run, Sim, Strategy, TraceLevel};

/// A Fifo simulation with a full trace, in `world`.
fn fifo_in(world: WorldConfig) -> Sim {
    Sim::new(
        Config::default()
            .with_strategy(Strategy::Fifo)
            .with_trace(TraceLevel::Full)
            .with_world(world),
    )
}

/// The user lines of a run as `(virtual time, task, text)`.
fn lines<T>(run: &Run<T>) -> Vec<(String, String, String)> {
    run.trace
        .events()
        .filter_map(|event| match &event.kind {
            EventKind::Log(text) => Some((
                event.time.to_string(),
                run.trace.label(event.task).into_owned(),
                text.clone(),
            )),
            _ => None,
        })
        .collect()
}

/// Asserts the user lines of `run` one by one against `expected`.
#[track_caller]
fn assert_lines<T>(run: &Run<T>, expected: &[(&str, &str, &str)]) {
    let actual = lines(run);
    for (index, (want, got)) in expected.iter().zip(&actual).enumerate() {
        let got = (got.0.as_str(), got.1.as_str(), got.2.as_str());
        assert_eq!(got, *want, "line {index} differs");
    }
    assert_eq!(
        actual.len(),
        expected.len(),
        "line count differs: {actual:#?}"
    );
}

/// A sweep of 1,000 seeds under `strategy`.
fn sweep(strategy: Strategy) -> Config {
    Config::default()
        .with_iterations(1000)
        .with_strategy(strategy)
}

/// The two exploring strategies the invariants must hold under.
const EXPLORING: [Strategy; 2] = [Strategy::Random, Strategy::Pct { depth: 3 }];
