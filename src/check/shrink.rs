//! Shrinking: reduce a failing schedule to few deviations from FIFO order.
//!
//! The algorithm is delta debugging (Zeller and Hildebrandt, "Simplifying and Isolating
//! Failure-Inducing Input", TSE 2002) over the schedule's deviations. A candidate drops a chunk
//! of deviations and is replayed leniently with the same seed: the remaining deviations are
//! applied where their task is ready, and every other step runs the oldest ready task. If the
//! candidate fails the same way (same kind; for a panic the same location, or the same message
//! when the location is unknown; for a deadlock the same blocked tasks), the deviations it actually applied become the new schedule
//! and the chunk size stays; otherwise the next chunk is tried, and when no chunk can go the
//! chunks are halved. The result is 1-minimal (no single deviation can be removed) unless the
//! run budget (`Config::shrink_runs`) ends the search first. Because a lenient replay runs FIFO
//! wherever the schedule is silent, fewer deviations also means a run closer to asyncio's order.

use std::future::Future;
use std::panic::Location;

use crate::config::Config;
use crate::runtime::{BlockedTask, Failure, Run, Sim};
use crate::scheduler::{Deviation, ReplayScheduler, Schedule};
use crate::trace::EventKind;
use crate::trace::TraceLevel;

/// A reduced schedule and what it says in words.
pub(crate) struct Shrunk {
    pub(crate) schedule: Schedule,
    pub(crate) explanation: String,
}

/// Whether `candidate` is the same failure as `original`, for shrinking.
fn same_failure(original: &Failure, candidate: &Failure) -> bool {
    match (original, candidate) {
        (
            Failure::Panic {
                message: a,
                location: la,
                ..
            },
            Failure::Panic {
                message: b,
                location: lb,
                ..
            },
        ) => match (la, lb) {
            // The same assertion, even if the values it printed differ.
            (Some(la), Some(lb)) => la == lb,
            _ => a == b,
        },
        (Failure::Deadlock { blocked: a, .. }, Failure::Deadlock { blocked: b, .. }) => {
            let names = |blocked: &[BlockedTask]| -> Vec<Option<String>> {
                blocked.iter().map(|t| t.task.name.clone()).collect()
            };
            names(a) == names(b)
        }
        (a, b) => a.kind() == b.kind(),
    }
}

fn replay_leniently<F, Fut>(
    config: &Config,
    schedule: &Schedule,
    level: TraceLevel,
    site: &'static Location<'static>,
    make: &F,
) -> (Run<()>, ReplayScheduler)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    let scheduler = ReplayScheduler::lenient(schedule.clone());
    let sim = Sim::new(config.clone().with_seed(schedule.seed()).with_trace(level));
    let run = sim.run_with_site(Box::new(scheduler.clone()), site, make());
    (run, scheduler)
}

/// Shrinks the schedule of `failure`; `None` if its lenient replay does not fail the same way.
pub(crate) fn shrink<F, Fut>(
    config: &Config,
    failure: &Failure,
    site: &'static Location<'static>,
    make: &F,
) -> Option<Shrunk>
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    let budget = config.shrink_runs;
    let seed = failure.context().schedule.seed();
    let try_schedule = |deviations: Vec<Deviation>| -> Option<Schedule> {
        let candidate = Schedule::new(seed, deviations);
        let (run, _) = replay_leniently(config, &candidate, TraceLevel::Off, site, make);
        match run.result {
            Err(found) if same_failure(failure, &found) => Some(run.schedule),
            _ => None,
        }
    };
    let mut current = try_schedule(failure.context().schedule.deviations().to_vec())?;
    let mut runs = 1;
    let mut granularity = 2;
    while !current.deviations().is_empty() && runs < budget {
        let deviations = current.deviations().to_vec();
        let chunk = deviations.len().div_ceil(granularity).max(1);
        let mut reduced = false;
        for start in (0..deviations.len()).step_by(chunk) {
            if runs >= budget {
                break;
            }
            runs += 1;
            let mut candidate = deviations[..start].to_vec();
            candidate.extend_from_slice(&deviations[(start + chunk).min(deviations.len())..]);
            if let Some(smaller) = try_schedule(candidate) {
                current = smaller;
                granularity = (granularity - 1).max(2);
                reduced = true;
                break;
            }
        }
        if !reduced {
            if chunk == 1 {
                break;
            }
            granularity = (granularity * 2).min(deviations.len());
        }
    }
    let explanation = explain(config, &current, site, make);
    Some(Shrunk {
        schedule: current,
        explanation,
    })
}

/// "fails with 1 deviation from FIFO: at step 57 (t=4.000s) task `checker` ran before
/// `setter-2` (its next step: ...)".
fn explain<F, Fut>(
    config: &Config,
    schedule: &Schedule,
    site: &'static Location<'static>,
    make: &F,
) -> String
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    let (run, scheduler) = replay_leniently(config, schedule, TraceLevel::Full, site, make);
    let honoured = scheduler.honoured();
    let honoured = honoured.borrow();
    let count = honoured.len();
    if count == 0 {
        return "fails in plain FIFO order: no deviation needed".to_owned();
    }
    let events: Vec<_> = run.trace.events().collect();
    let steps: Vec<String> = honoured
        .iter()
        .map(|&(step, task, passed_over)| {
            let time = events
                .iter()
                .find(|e| e.step >= step)
                .map_or_else(String::new, |e| format!(" (t={})", e.time));
            let next = events
                .iter()
                .filter(|e| e.step > step && e.task == Some(passed_over))
                .find(|e| matches!(e.kind, EventKind::Log(_) | EventKind::Op { .. }))
                .map(|e| {
                    let mut line = String::new();
                    run.trace.write_line(&mut line, e);
                    let what = line
                        .split_once(&*run.trace.label(passed_over))
                        .map_or(line.as_str(), |(_, rest)| rest);
                    format!(" (its next step: {})", what.trim())
                })
                .unwrap_or_default();
            format!(
                "at step {step}{time} task `{}` ran before `{}`{next}",
                run.trace.label(task),
                run.trace.label(passed_over)
            )
        })
        .collect();
    format!(
        "fails with {count} deviation{} from FIFO: {}",
        if count == 1 { "" } else { "s" },
        steps.join("; ")
    )
}
