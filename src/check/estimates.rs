//! Per-task step estimates for a sweep's hints: each task's mean number of polls over earlier
//! runs, for strategies that weigh a task by the work it has left (SURW).
//!
//! Runs are merged in iteration order. An iteration gets the estimate over the first `b` runs,
//! where `b` is the largest power of two (from [`HINT_LAG`] on) at most its lagged horizon, so
//! the hints of every iteration are the same whatever the thread timing, and a sweep keeps only
//! a logarithmic number of snapshots.

use std::sync::Arc;

use super::sweep::HINT_LAG;
use crate::id::TaskId;
use crate::id::TaskSteps;

/// Running sums of merged runs, and snapshots of their means at power-of-two counts.
#[derive(Default)]
pub(crate) struct TaskEstimates {
    /// Sum of polls per task id over merged runs.
    sums: Vec<u64>,
    /// Runs in which the task id existed.
    seen: Vec<u64>,
    /// The parent each task id had in the latest merged run it existed in.
    parents: Vec<Option<TaskId>>,
    merged: u64,
    /// `(runs merged, mean polls per task)`, ascending.
    snapshots: Vec<(u64, Arc<Vec<TaskSteps>>)>,
}

impl TaskEstimates {
    /// Adds one run's per-task polls (the next in iteration order).
    pub(crate) fn merge(&mut self, steps: &[TaskSteps]) {
        if self.sums.len() < steps.len() {
            self.sums.resize(steps.len(), 0);
            self.seen.resize(steps.len(), 0);
            self.parents.resize(steps.len(), None);
        }
        for (index, task) in steps.iter().enumerate() {
            self.sums[index] += u64::from(task.polls);
            self.seen[index] += 1;
            self.parents[index] = task.parent;
        }
        self.merged += 1;
        if self.merged >= HINT_LAG && self.merged.is_power_of_two() {
            self.snapshots.push((self.merged, Arc::new(self.means())));
        }
    }

    /// Mean polls per task id, rounded up, with the latest parents.
    fn means(&self) -> Vec<TaskSteps> {
        self.sums
            .iter()
            .zip(&self.seen)
            .zip(&self.parents)
            .map(|((&sum, &seen), &parent)| TaskSteps {
                parent,
                polls: u32::try_from(sum.div_ceil(seen.max(1))).unwrap_or(u32::MAX),
            })
            .collect()
    }

    /// The estimate over the most runs, by a power of two, among the first `runs`.
    pub(crate) fn over_first(&self, runs: u64) -> Option<Arc<Vec<TaskSteps>>> {
        self.snapshots
            .iter()
            .rev()
            .find(|(merged, _)| *merged <= runs)
            .map(|(_, estimate)| Arc::clone(estimate))
    }
}
