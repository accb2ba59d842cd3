//! POS: partial order sampling (Yuan, Yang, Gu, "Partial Order Aware Concurrency Sampling",
//! CAV 2018), without a race detector.
//!
//! Each task's next step gets a fresh random priority when the task becomes ready after
//! running; the ready step with the highest priority runs. Unlike a uniform pick at every step,
//! a task that has been waiting keeps its priority, so rarely chosen orders are not starved.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{Divergence, ReadyTask, ReadyView, Scheduler};
use crate::random::{stream, Stream};

/// The POS strategy; see the module docs.
///
/// # Examples
///
/// ```
/// use simloop::scheduler::{PosScheduler, Scheduler};
///
/// assert_eq!(PosScheduler::new(1).name(), "pos");
/// ```
#[derive(Clone, Debug)]
pub struct PosScheduler {
    rng: ChaCha8Rng,
    /// Priority of each task's next step by task id; 0 means "not drawn yet".
    priorities: Vec<u64>,
}

impl PosScheduler {
    /// POS with the scheduler stream of `seed`.
    pub fn new(seed: u64) -> PosScheduler {
        PosScheduler {
            rng: stream(seed, Stream::Scheduler),
            priorities: Vec::new(),
        }
    }
}

impl Scheduler for PosScheduler {
    fn pick(&mut self, ready: &ReadyView<'_>) -> Result<ReadyTask, Divergence> {
        let mut best: Option<(u64, ReadyTask)> = None;
        for candidate in ready.iter() {
            let index = candidate.task.as_u32() as usize;
            if self.priorities.len() <= index {
                self.priorities.resize(index + 1, 0);
            }
            if self.priorities[index] == 0 {
                self.priorities[index] = self.rng.random_range(1..u64::MAX);
            }
            let priority = self.priorities[index];
            if best.is_none_or(|(top, _)| priority > top) {
                best = Some((priority, candidate));
            }
        }
        let (_, chosen) = best.expect("a scheduler is asked only when a task is ready");
        // The step ran: the task's next step is a new event with a new priority.
        self.priorities[chosen.task.as_u32() as usize] = 0;
        Ok(chosen)
    }

    fn reads_polls(&self) -> bool {
        false
    }

    fn name(&self) -> String {
        "pos".to_owned()
    }
}
