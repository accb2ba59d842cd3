//! POS: partial order sampling (Yuan, Yang, Gu, "Partial Order Aware Concurrency Sampling",
//! CAV 2018), without a race detector.
//!
//! Each task's next step gets a fresh random priority when the task becomes ready after
//! running; the ready step with the highest priority runs. Unlike a uniform pick at every step,
//! a task that has been waiting keeps its priority, so rarely chosen orders are not starved.
//!
//! A waiting task's priority never changes, so from 64 ready tasks up the scheduler keeps them
//! in a heap (`ArrivalHeap`) and picks in O(log n), with the choices a pass over the ready set
//! makes (unit tests compare the two).

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::arrivals::{Arrivals, SCAN_BELOW};
use super::highest::ArrivalHeap;
use super::{Divergence, ReadyTask, ReadyView, Scheduler};
use crate::rng::{stream, Stream};

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
    /// The ready tasks seen, by priority.
    heap: ArrivalHeap<u64>,
    /// Which ready tasks are new to `heap` at a pick.
    arrivals: Arrivals,
    /// Ready sets smaller than this are scanned (a field so that tests can index them all).
    scan_below: usize,
}

impl PosScheduler {
    /// POS with the scheduler stream of `seed`.
    pub fn new(seed: u64) -> PosScheduler {
        PosScheduler {
            rng: stream(seed, Stream::Scheduler),
            priorities: Vec::new(),
            heap: ArrivalHeap::default(),
            arrivals: Arrivals::default(),
            scan_below: SCAN_BELOW,
        }
    }
}

impl PosScheduler {
    /// The pick as a pass over the ready set: for small sets, and what the heap must agree with.
    fn pick_by_scan(&mut self, ready: &ReadyView<'_>) -> ReadyTask {
        let mut best: Option<(u64, ReadyTask)> = None;
        for candidate in ready.iter() {
            let index = candidate.task.index();
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
        self.priorities[chosen.task.index()] = 0;
        chosen
    }
}

impl Scheduler for PosScheduler {
    fn pick(&mut self, ready: &ReadyView<'_>) -> Result<ReadyTask, Divergence> {
        if ready.len() < self.scan_below {
            self.arrivals.forget();
            return Ok(self.pick_by_scan(ready));
        }
        let (rebuild, fresh) = self.arrivals.fresh(ready);
        if rebuild {
            self.heap.clear();
        }
        // Priorities are drawn for tasks seen for the first time, in arrival order.
        for &candidate in &fresh {
            let index = candidate.task.index();
            if self.priorities.len() <= index {
                self.priorities.resize(index + 1, 0);
            }
            if self.priorities[index] == 0 {
                self.priorities[index] = self.rng.random_range(1..u64::MAX);
            }
            self.heap
                .push(candidate.arrival, candidate.task, self.priorities[index]);
        }
        self.arrivals.recycle(fresh);
        let (arrival, task) = self
            .heap
            .highest()
            .expect("a scheduler is asked only when a task is ready");
        self.heap.remove(task);
        // The step ran: the task's next step is a new event with a new priority.
        self.priorities[task.index()] = 0;
        Ok(ready
            .by_arrival(arrival)
            .expect("every task in the heap is ready"))
    }

    fn name(&self) -> String {
        "pos".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_indexing_changes_nothing;

    // Goal: the heap chooses exactly as the pass over the ready set does.
    #[test]
    fn chooses_as_the_pass_does() {
        assert_indexing_changes_nothing(|seed, scan_below| {
            let mut pos = PosScheduler::new(seed);
            pos.scan_below = scan_below;
            Box::new(pos)
        });
    }
}
