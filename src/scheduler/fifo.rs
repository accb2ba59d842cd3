//! `Fifo`: asyncio's event loop order.

use super::{Divergence, ReadyTask, ReadyView, Scheduler};

/// Runs the task that has been ready longest, as asyncio's `call_soon` queue does: a spawned or
/// woken task goes to the tail, and the loop takes from the head.
///
/// # Examples
///
/// ```
/// use simloop::{Config, Sim, Strategy};
///
/// let run = Sim::new(Config::default().with_strategy(Strategy::Fifo)).run(async { 1 });
/// assert!(run.schedule.deviations().is_empty()); // FIFO never deviates from itself
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct FifoScheduler;

impl Scheduler for FifoScheduler {
    fn pick(&mut self, ready: &ReadyView<'_>) -> Result<ReadyTask, Divergence> {
        Ok(ready.oldest())
    }

    fn name(&self) -> String {
        "fifo".to_owned()
    }
}
