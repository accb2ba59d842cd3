//! Strategies: who runs next, one file each, and the [`Schedule`] that records every choice.
//!
//! The run loop asks a [`Scheduler`] to pick one task from the [`ReadyView`] at every step and
//! records the answer; it never chooses itself. A scheduler never polls, wakes or reads time.

use std::fmt;

mod fifo;
mod random;
mod schedule;

pub use crate::runtime::ready::{ReadyTask, ReadyView};
pub use fifo::FifoScheduler;
pub use random::RandomScheduler;
pub use schedule::{Deviation, Schedule, ScheduleError};

use crate::task::TaskId;

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

    /// Called when `task` is spawned, before it is first offered.
    fn spawned(&mut self, task: TaskId) {
        let _ = task;
    }

    /// The strategy's name as reports print it: `fifo`, `random`, `pct:3`.
    fn name(&self) -> String;
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

/// The built-in strategies, chosen through [`Config::strategy`](crate::Config).
///
/// # Examples
///
/// ```
/// use simloop::Strategy;
///
/// assert_eq!(Strategy::Fifo.to_string(), "fifo");
/// assert_eq!("random".parse::<Strategy>(), Ok(Strategy::Random));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Strategy {
    /// asyncio's loop order exactly: the task ready longest runs next.
    Fifo,
    /// A uniformly random ready task at every step, from the seed's scheduler stream.
    #[default]
    Random,
}

impl Strategy {
    /// The scheduler this strategy runs with `seed`.
    pub fn scheduler(&self, seed: u64) -> Box<dyn Scheduler> {
        match self {
            Strategy::Fifo => Box::new(FifoScheduler),
            Strategy::Random => Box::new(RandomScheduler::new(seed)),
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::Fifo => f.write_str("fifo"),
            Strategy::Random => f.write_str("random"),
        }
    }
}

/// A strategy name that is not one of [`Strategy`]'s forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseStrategyError(String);

impl fmt::Display for ParseStrategyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown strategy `{}`: expected one of `fifo`, `random`",
            self.0
        )
    }
}

impl std::error::Error for ParseStrategyError {}

impl std::str::FromStr for Strategy {
    type Err = ParseStrategyError;

    fn from_str(text: &str) -> Result<Strategy, ParseStrategyError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "fifo" => Ok(Strategy::Fifo),
            "random" => Ok(Strategy::Random),
            _ => Err(ParseStrategyError(text.to_owned())),
        }
    }
}
