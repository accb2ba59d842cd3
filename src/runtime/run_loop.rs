//! The run loop, in one place: pick → poll → (nothing ready) advance the clock → done.
//!
//! Only the loop polls; only the scheduler chooses; wakers only enqueue. One step is: ask the
//! scheduler for a ready task (the engine skips the question when one task is ready), record
//! the choice if it deviates from arrival order, poll it. When nothing is ready the clock jumps
//! to the next deadline and fires every timer due then; when nothing is ready and no timer is
//! pending while the main future waits, the run is deadlocked.
//!
//! The main future takes the same path as every task, with one difference: it is polled in
//! place through [`MainPoll`] rather than run through async-task, because `Sim::run` accepts a
//! future that borrows from its caller, which a spawned task cannot. Its readiness is a flag
//! and its waker a plain `Wake` instead of a runnable, and its end ends the run.

use crate::config::Config;
use crate::id::TaskId;
use crate::rt::{ClockStop, Engine, MainPoll, Polled};
use crate::scheduler::{Deviation, Divergence, Schedule, Scheduler};

/// Why the run loop stopped without the main future's output.
pub(super) enum Cause {
    Panic {
        task: TaskId,
        message: String,
        location: Option<String>,
    },
    Deadlock,
    StepLimit,
    TimeLimit,
    TaskLimit(usize),
    Divergence(String),
    ForeignWake(TaskId),
}

/// All the loop's state.
pub(super) struct RunLoop<'a> {
    pub(super) engine: Engine,
    pub(super) config: &'a Config,
    pub(super) scheduler: Box<dyn Scheduler>,
    /// Every deviation from arrival order so far: the run's replayable schedule.
    pub(super) schedule: Schedule,
    /// The task polled at the previous step.
    previous: Option<TaskId>,
    /// Steps at which more than one task was ready.
    choice_points: u64,
}

impl<'a> RunLoop<'a> {
    pub(super) fn new(engine: Engine, config: &'a Config, scheduler: Box<dyn Scheduler>) -> Self {
        RunLoop {
            engine,
            config,
            scheduler,
            schedule: Schedule::for_seed(config.seed),
            previous: None,
            choice_points: 0,
        }
    }

    /// Runs until the main future is done or something ends the run.
    pub(super) fn run(&mut self, main: &mut dyn MainPoll) -> Result<(), Cause> {
        let max_ns = u64::try_from(self.config.max_time.as_nanos()).unwrap_or(u64::MAX);
        loop {
            if let Some(task) = self.engine.foreign_wake() {
                return Err(Cause::ForeignWake(task));
            }
            if self.engine.nothing_ready() {
                self.engine
                    .advance_clock(max_ns)
                    .map_err(|stop| match stop {
                        ClockStop::Deadlock => Cause::Deadlock,
                        ClockStop::TimeLimit => Cause::TimeLimit,
                    })?;
                continue;
            }
            let step = self.engine.step();
            if step >= self.config.max_steps {
                return Err(Cause::StepLimit);
            }
            let (scheduler, schedule) = (&mut self.scheduler, &mut self.schedule);
            let choice_points = &mut self.choice_points;
            let taken = self
                .engine
                .take(self.previous, |view| {
                    *choice_points += 1;
                    let chosen = scheduler.pick(view)?;
                    if !view.is_oldest(&chosen) {
                        schedule.push(Deviation {
                            step,
                            task: chosen.task,
                        });
                    }
                    Ok(chosen)
                })
                .map_err(|divergence: Divergence| Cause::Divergence(divergence.to_string()))?;
            let task = taken.task();
            self.previous = Some(task);
            match self.engine.poll(taken, main) {
                Polled::Pending => {}
                Polled::MainDone => {
                    self.scheduler
                        .finished(step + 1)
                        .map_err(|divergence| Cause::Divergence(divergence.to_string()))?;
                    return Ok(());
                }
                polled => {
                    if let Some(cause) = cause_of(task, polled) {
                        return Err(cause);
                    }
                }
            }
        }
    }

    /// The engine, the schedule and the count of choice points, once the loop is over.
    pub(super) fn into_parts(self) -> (Engine, Schedule, u64) {
        (self.engine, self.schedule, self.choice_points)
    }
}

/// Why a poll of `task` (or the drop of its future) ends the run, if it does.
pub(super) fn cause_of(task: TaskId, polled: Polled) -> Option<Cause> {
    match polled {
        Polled::Pending | Polled::MainDone => None,
        Polled::Panicked(payload) => Some(panic_cause_of(task, payload)),
        Polled::TaskLimit(limit) => {
            // The panic that stopped the spawn was caught.
            super::panics::take_location();
            Some(Cause::TaskLimit(limit))
        }
    }
}

/// The panic of `task`, with the location the panic hook kept.
pub(super) fn panic_cause_of(task: TaskId, payload: Box<dyn std::any::Any + Send>) -> Cause {
    super::failure::panic_cause(task, payload)
}
