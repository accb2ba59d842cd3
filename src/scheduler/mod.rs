//! Strategies: who runs next, one file each, and the [`Schedule`] that records every choice.
//!
//! The run loop asks a [`Scheduler`] to pick one task from the [`ReadyView`] at every step and
//! records the answer; it never chooses itself. A scheduler never polls, wakes or reads time.

use std::fmt;

mod arrivals;
mod choices;
mod detour;
pub(crate) mod exhaustive;
mod fifo;
mod highest;
pub(crate) mod neighbours;
mod pct;
mod pos;
mod random;
mod replay;
#[cfg(test)]
pub(crate) use arrivals::SCAN_BELOW;
mod schedule;
mod strategy;
mod urw;
mod weights;

pub use crate::rt::{ReadyTask, ReadyView};
pub use choices::{ChoiceScheduler, Choices};
pub use detour::DetourScheduler;
pub use fifo::FifoScheduler;
pub use pct::PctScheduler;
pub use pos::PosScheduler;
pub use random::RandomScheduler;
pub use replay::ReplayScheduler;
pub use schedule::{Deviation, Schedule, ScheduleError};
pub use strategy::{ParseStrategyError, Strategy, SweepHints};
pub use urw::UrwScheduler;

/// Choice points in a row that may run the same task before a strategy with strict preferences
/// (PCT's priorities, `Detour`'s newest-first order) lets another one run: without such a rule a
/// task that yields in a loop, waiting for a flag another task sets, would run forever and the
/// run would end as a step-limit failure that is no bug.
pub(crate) const STREAK: u32 = 256;

/// Picks the next task to run.
///
/// Implement it to plug in a strategy of your own; the built-in ones are chosen with
/// [`Strategy`]. `pick` is called once per step with at least one ready task.
///
/// # Examples
///
/// A scheduler that always runs the most recently readied task (a LIFO):
///
/// ```
/// use simloop::scheduler::{ReadyTask, ReadyView, Scheduler, Divergence};
/// use simloop::{Config, Sim};
///
/// struct Lifo;
/// impl Scheduler for Lifo {
///     fn pick(&mut self, ready: &ReadyView<'_>) -> Result<ReadyTask, Divergence> {
///         Ok(ready.iter().last().unwrap())
///     }
///     fn name(&self) -> String { "lifo".into() }
/// }
///
/// let run = Sim::new(Config::default()).run_with(Box::new(Lifo), async { 5 });
/// assert_eq!(run.result.unwrap(), 5);
/// ```
pub trait Scheduler {
    /// Chooses the task to run now from `ready`.
    ///
    /// # Errors
    ///
    /// A [`Divergence`] ends the run: the scheduler was told to follow a recorded schedule that
    /// this program no longer matches.
    fn pick(&mut self, ready: &ReadyView<'_>) -> Result<ReadyTask, Divergence>;

    /// The strategy's name as reports print it: `fifo`, `random`, `pct:3`.
    fn name(&self) -> String;

    /// Called when the main future has finished after `steps` steps.
    ///
    /// # Errors
    ///
    /// A [`Divergence`] if the scheduler expected the run to go on (a replayed schedule with
    /// choices left over).
    fn finished(&mut self, steps: u64) -> Result<(), Divergence> {
        let _ = steps;
        Ok(())
    }
}

/// A recorded schedule did not match the program being replayed.
///
/// # Examples
///
/// ```
/// use simloop::scheduler::Divergence;
///
/// let d = Divergence::new("at step 57 the schedule chose task #4, which is not ready");
/// assert!(d.to_string().contains("step 57"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence(String);

impl Divergence {
    /// A divergence described by `message`.
    pub fn new(message: impl Into<String>) -> Divergence {
        Divergence(message.into())
    }
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Divergence {}
