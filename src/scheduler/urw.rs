//! `Urw`: the uniform random walk of SURW (Zhao, Wolff, Mathur, Roychoudhury, "Selectively
//! Uniform Concurrency Testing", ASPLOS 2025).
//!
//! A plain random walk (a uniform pick at every step) is far from uniform over interleavings:
//! a task with 2 steps left and a task with 200 are picked alike, so the short task almost
//! always finishes early. URW picks a ready task with probability proportional to the number
//! of steps it has left; for tasks that never block, every interleaving of their steps is then
//! equally likely (the number of ways to finish from a state is a multinomial coefficient, and
//! these weights are its ratios).
//!
//! A task that has not been spawned yet cannot run, so the steps of the tasks it will spawn
//! count as its own: a task's weight is its estimated steps plus those of every task it will
//! spawn, directly or not. When a child appears its estimate moves from the parent's weight to
//! its own. Estimates are each task's mean polls over earlier runs of the sweep
//! ([`SweepHints::tasks`], by task id, with the parent seen there); a task past its estimate
//! keeps weight 1.
//!
//! SURW's selective half applies the uniform sampling only to "interesting" events (accesses
//! to one chosen shared variable) and lets the others run freely. A scheduler of an executor
//! sees tasks, not the variable a task's next step will touch, so only the task-level walk is
//! here; choosing a random subset of tasks as interesting instead measured worse on the bug zoo
//! (reorder(10): 612 schedules against 74).
//!
//! A ready task's weight does not change while it waits, except when a child the hints gave it
//! appears, so the weights live in a Fenwick tree over arrival order (`ArrivalWeights`): a
//! pick costs O(log n) plus the tasks that became ready since the last one, and makes the same
//! choice a pass over the ready set would.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::arrivals::{Arrivals, SCAN_BELOW};
use super::weights::ArrivalWeights;
use super::{Divergence, ReadyTask, ReadyView, Scheduler, SweepHints};
use crate::id::TaskId;
use crate::rng::{stream, Stream};

/// Steps assumed for a task the hints know nothing about.
const UNKNOWN_STEPS: u64 = 8;

/// The uniform random walk; see the module docs.
///
/// # Examples
///
/// ```
/// use simloop::scheduler::{Scheduler, SweepHints, UrwScheduler};
///
/// assert_eq!(UrwScheduler::new(1, &SweepHints::default()).name(), "urw");
/// ```
#[derive(Clone, Debug)]
pub struct UrwScheduler {
    rng: ChaCha8Rng,
    /// Estimated steps of each task and its descendants, by task id.
    subtree: Vec<u64>,
    /// Each task's parent in the estimate, by task id.
    parents: Vec<Option<TaskId>>,
    /// `subtree` minus the estimates of the children spawned so far: the task's own steps plus
    /// those of the children it has yet to spawn.
    base: Vec<u64>,
    /// Task ids below this one have been accounted as spawned.
    spawned: usize,
    /// The estimate of a task the hints do not know.
    unknown: u64,
    /// The weights of the ready tasks this scheduler has seen, in arrival order.
    weights: ArrivalWeights,
    /// Which ready tasks are new to `weights` at a pick.
    arrivals: Arrivals,
    /// The largest task id seen ready.
    newest: usize,
    /// Parents whose `base` changed in the last `spawned_up_to`.
    changed: Vec<usize>,
    /// Ready sets smaller than this are scanned (a field so that tests can choose).
    scan_below: usize,
}

impl UrwScheduler {
    /// URW with the scheduler stream of `seed`, weighing tasks by `hints.tasks`.
    pub fn new(seed: u64, hints: &SweepHints) -> UrwScheduler {
        let count = hints.tasks.len();
        let own: Vec<u64> = hints.tasks.iter().map(|t| u64::from(t.polls)).collect();
        let parents: Vec<Option<TaskId>> = hints.tasks.iter().map(|t| t.parent).collect();
        let mut subtree = own.clone();
        // A child's id is larger than its parent's: one backward pass sums the subtrees.
        for child in (1..count).rev() {
            if let Some(parent) = parents[child].filter(|parent| parent.index() < child) {
                subtree[parent.index()] += subtree[child];
            }
        }
        let unknown = match count {
            0 => UNKNOWN_STEPS,
            _ => own.iter().sum::<u64>().div_ceil(count as u64),
        };
        UrwScheduler {
            rng: stream(seed, Stream::Scheduler),
            base: subtree.clone(),
            subtree,
            parents,
            spawned: 1,
            unknown,
            weights: ArrivalWeights::default(),
            arrivals: Arrivals::default(),
            newest: 0,
            changed: Vec::new(),
            scan_below: SCAN_BELOW,
        }
    }

    /// Accounts every task id up to `newest` as spawned: its estimate leaves its parent's.
    fn spawned_up_to(&mut self, newest: usize, previous: Option<TaskId>) {
        while self.spawned <= newest {
            let child = self.spawned;
            let estimate = self.subtree.get(child).copied().unwrap_or(self.unknown);
            if self.base.len() <= child {
                self.base.resize(child + 1, self.unknown);
            }
            // The parent seen in earlier runs; for a task they did not have, the task that
            // ran last, which is where a new task usually comes from.
            let parent = self
                .parents
                .get(child)
                .copied()
                .flatten()
                .or(previous)
                .map_or(0, TaskId::index);
            if parent < child {
                self.base[parent] = self.base[parent].saturating_sub(estimate);
                self.changed.push(parent);
            }
            self.spawned += 1;
        }
    }

    fn weight(&self, ready: &ReadyView<'_>, task: TaskId) -> u64 {
        let base = self.base.get(task.index()).copied().unwrap_or(self.unknown);
        base.saturating_sub(u64::from(ready.polls(task))).max(1)
    }

    /// Brings the weights up to date with `ready`: adds the tasks that became ready since the
    /// last pick (all of them if the run loop took a task alone since, which leaves only tasks
    /// that arrived after it), and reweighs the parents whose estimates moved.
    fn refresh(&mut self, ready: &ReadyView<'_>) {
        let (rebuild, fresh) = self.arrivals.fresh(ready);
        if rebuild {
            self.weights.clear();
        }
        if let Some(newest) = fresh.iter().map(|task| task.task.index()).max() {
            self.newest = self.newest.max(newest);
        }
        self.spawned_up_to(self.newest, ready.previous());
        // Every task in the index is ready, so a moved parent found there is reweighed.
        while let Some(parent) = self.changed.pop() {
            let task = TaskId::from_u32(parent as u32);
            if self.weights.arrival_of(task).is_some() {
                let weight = self.weight(ready, task);
                self.weights.set(task, weight);
            }
        }
        for &task in &fresh {
            let weight = self.weight(ready, task.task);
            self.weights.push(task.arrival, task.task, weight);
        }
        self.arrivals.recycle(fresh);
    }

    /// The pick as a pass over the ready set: for small sets, and what the tree must agree
    /// with.
    fn pick_by_scan(&mut self, ready: &ReadyView<'_>) -> ReadyTask {
        let newest = ready.iter().map(|r| r.task.index()).max().unwrap_or(0);
        self.newest = self.newest.max(newest);
        self.spawned_up_to(newest, ready.previous());
        self.changed.clear();
        let total: u64 = ready.iter().map(|r| self.weight(ready, r.task)).sum();
        let mut target = self.rng.random_range(0..total);
        for candidate in ready.iter() {
            let weight = self.weight(ready, candidate.task);
            if target < weight {
                return candidate;
            }
            target -= weight;
        }
        unreachable!("the target is below the total weight")
    }
}

impl Scheduler for UrwScheduler {
    fn pick(&mut self, ready: &ReadyView<'_>) -> Result<ReadyTask, Divergence> {
        if ready.len() < self.scan_below {
            self.arrivals.forget();
            return Ok(self.pick_by_scan(ready));
        }
        self.refresh(ready);
        let total = self.weights.total();
        let target = self.rng.random_range(0..total);
        let (arrival, task) = self.weights.find(target);
        self.weights.remove(task);
        Ok(ready
            .by_arrival(arrival)
            .expect("every weighed task is ready"))
    }

    fn name(&self) -> String {
        "urw".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{assert_indexing_changes_nothing, tree_hints};

    // Goal: the Fenwick tree chooses exactly as the pass over the ready set does, with and
    // without estimates from earlier runs (which move the weights of waiting parents).
    #[test]
    fn chooses_as_the_pass_does() {
        for hints in [SweepHints::default(), tree_hints(100, 5)] {
            assert_indexing_changes_nothing(|seed, scan_below| {
                let mut urw = UrwScheduler::new(seed, &hints);
                urw.scan_below = scan_below;
                Box::new(urw)
            });
        }
    }
}
