//! The determinism check: a seed run twice must give the same trace.

use std::future::Future;
use std::panic::Location;

use super::sweep::Member;
use crate::config::Config;
use crate::runtime::failure_context;
use crate::runtime::{Failure, Sim};
use crate::scheduler::SweepHints;
use crate::trace::TraceLevel;

/// Runs `seed` twice more with full traces and describes the first event where they part.
pub(crate) fn explain<F, Fut>(
    config: &Config,
    seed: u64,
    member: &Member<'_>,
    hints: &SweepHints,
    site: &'static Location<'static>,
    make: &F,
) -> Failure
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    let sim = Sim::new(config.clone().with_seed(seed).with_trace(TraceLevel::Full));
    let first = member.run(&sim, seed, hints, site, make());
    let second = member.run(&sim, seed, hints, site, make());
    let first_lines = first.trace.tail_lines(usize::MAX);
    let second_lines = second.trace.tail_lines(usize::MAX);
    let index = first_lines
        .iter()
        .zip(&second_lines)
        .position(|(a, b)| a != b)
        .unwrap_or(first_lines.len().min(second_lines.len()));
    let line = |lines: &[String]| {
        lines
            .get(index)
            .cloned()
            .unwrap_or_else(|| "(the run had already ended)".to_owned())
    };
    let start = index.saturating_sub(crate::runtime::REPORT_EVENTS - 1);
    let mut context = failure_context(seed, &member.name(), &first);
    context.last_events = first_lines[start..index.min(first_lines.len())].to_vec();
    let task = first
        .trace
        .events()
        .nth(index)
        .and_then(|event| event.task)
        .and_then(|task| first.tasks.get(task.as_u32() as usize).cloned());
    Failure::Nondeterminism {
        task,
        first: line(&first_lines),
        second: line(&second_lines),
        index,
        context: Box::new(context),
    }
}
