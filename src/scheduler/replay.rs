//! `Replay`: follow a recorded [`Schedule`], strictly (reporting where a changed program
//! diverges) or leniently (skipping choices that no longer apply, for shrinking).

use std::cell::RefCell;
use std::rc::Rc;

use super::{Deviation, Divergence, ReadyTask, ReadyView, Schedule, Scheduler};
use crate::id::TaskId;

/// Replays a schedule: at each recorded step it runs the recorded task, everywhere else the
/// oldest ready task.
///
/// # Examples
///
/// ```
/// use simloop::scheduler::ReplayScheduler;
/// use simloop::{Config, Sim};
///
/// let program = || async {
///     let a = simloop::task::spawn(async { 1 });
///     let b = simloop::task::spawn(async { 2 });
///     a.await.unwrap() + b.await.unwrap()
/// };
/// let first = Sim::new(Config::default().with_seed(9)).run(program());
/// let again = Sim::new(Config::default().with_seed(9))
///     .run_with(Box::new(ReplayScheduler::strict(first.schedule.clone())), program());
/// assert_eq!(again.schedule, first.schedule);
/// assert_eq!(again.trace.digest(), first.trace.digest());
/// ```
#[derive(Clone, Debug)]
pub struct ReplayScheduler {
    deviations: Vec<Deviation>,
    next: usize,
    strict: bool,
    /// For each honoured deviation: the step, the task run, and the oldest ready task it ran
    /// before; shared so a shrinker can read it after the run.
    honoured: Rc<RefCell<Vec<(u64, TaskId, TaskId)>>>,
}

impl ReplayScheduler {
    /// Follows `schedule` exactly; a recorded task that is not ready is a [`Divergence`].
    pub fn strict(schedule: Schedule) -> ReplayScheduler {
        ReplayScheduler::new(schedule, true)
    }

    /// Follows `schedule` where it still applies and runs the oldest ready task elsewhere.
    pub fn lenient(schedule: Schedule) -> ReplayScheduler {
        ReplayScheduler::new(schedule, false)
    }

    fn new(schedule: Schedule, strict: bool) -> ReplayScheduler {
        ReplayScheduler {
            deviations: schedule.deviations().to_vec(),
            next: 0,
            strict,
            honoured: Rc::default(),
        }
    }

    /// The deviations that were applied, as `(step, task run, oldest ready task passed over)`.
    pub fn honoured(&self) -> Rc<RefCell<Vec<(u64, TaskId, TaskId)>>> {
        Rc::clone(&self.honoured)
    }

    /// The strict divergence for a recorded choice at a step before `step` that ran without a
    /// choice point: only one task was ready there, so the scheduler was never asked.
    fn skipped(&self, step: u64) -> Option<Divergence> {
        let deviation = self.deviations.get(self.next)?;
        (self.strict && deviation.step < step).then(|| {
            Divergence::new(format!(
                "at step {} the schedule chose task {}, but only one task was ready there, so \
                 the step had no choice to make",
                deviation.step, deviation.task
            ))
        })
    }
}

impl Scheduler for ReplayScheduler {
    fn pick(&mut self, ready: &ReadyView<'_>) -> Result<ReadyTask, Divergence> {
        let step = ready.step();
        if let Some(divergence) = self.skipped(step) {
            return Err(divergence);
        }
        while self
            .deviations
            .get(self.next)
            .is_some_and(|deviation| deviation.step < step)
        {
            self.next += 1;
        }
        let oldest = ready.oldest();
        let Some(deviation) = self.deviations.get(self.next).filter(|d| d.step == step) else {
            return Ok(oldest);
        };
        self.next += 1;
        match ready.find(deviation.task) {
            Some(chosen) => {
                if chosen != oldest {
                    self.honoured
                        .borrow_mut()
                        .push((step, chosen.task, oldest.task));
                }
                Ok(chosen)
            }
            None if self.strict => {
                let ready_tasks: Vec<String> = ready.iter().map(|r| r.task.to_string()).collect();
                Err(Divergence::new(format!(
                    "at step {step} the schedule chose task {}, which is not ready (ready: {})",
                    deviation.task,
                    ready_tasks.join(", ")
                )))
            }
            None => Ok(oldest),
        }
    }

    fn name(&self) -> String {
        "replay".to_owned()
    }

    fn finished(&mut self, steps: u64) -> Result<(), Divergence> {
        // A choice recorded for a step the run went through without a choice point.
        if let Some(divergence) = self.skipped(steps) {
            return Err(divergence);
        }
        match self.deviations.get(self.next) {
            Some(deviation) if self.strict => Err(Divergence::new(format!(
                "the run ended after {steps} steps, before the schedule's choice of task {} at step {}",
                deviation.task, deviation.step
            ))),
            _ => Ok(()),
        }
    }
}
