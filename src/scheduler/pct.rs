//! PCT: probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte,
//! "A Randomized Scheduler with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010).
//!
//! Every task gets a random priority when it is spawned; the ready task with the highest
//! priority always runs. `depth - 1` change points are drawn uniformly over the estimated number
//! of choice points of a run; at the i-th one, the task about to run is demoted to priority `i`,
//! below every initial priority. A bug of depth `d` (one needing `d` ordering constraints) is
//! then found with probability at least `1 / (n · k^(d-1))` per run for `n` tasks and `k` steps.
//!
//! A yield is a plain scheduling point here: demoting a task that yields (as some
//! implementations do) turns PCT into round-robin and hides every bug that needs a task paused
//! half-way.
//!
//! One rule keeps spin-waits finite: strict priorities let a task that yields in a loop until
//! another task sets a flag run forever, and the run would end as a step-limit failure that is
//! no bug. A task that 256 choice points in a row ran is demoted below
//! every other task, as at a change point; no task of the bug zoo runs that long, so the
//! guarantee above is unchanged for programs without such loops.
//!
//! A waiting task's priority never changes, so from 64 ready tasks up the scheduler keeps them
//! in a heap (`ArrivalHeap`) and picks in O(log n), with the choices a pass over the ready set
//! makes (unit tests compare the two).

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::arrivals::{Arrivals, SCAN_BELOW};
use super::highest::ArrivalHeap;
use super::{Divergence, ReadyTask, ReadyView, Scheduler};
use crate::id::TaskId;
use crate::rng::{stream, Stream};

/// The PCT strategy of a given depth; see the module docs.
///
/// # Examples
///
/// ```
/// use simloop::scheduler::{PctScheduler, Scheduler};
///
/// let pct = PctScheduler::new(7, 3, 100);
/// assert_eq!(pct.name(), "pct:3");
/// ```
#[derive(Clone, Debug)]
pub struct PctScheduler {
    rng: ChaCha8Rng,
    depth: u32,
    /// Priority of each task by id (`None`: not drawn yet); change-point priorities are below
    /// `depth`, initial ones above, spin-wait demotions below zero.
    priorities: Vec<Option<i64>>,
    /// Choice-point numbers at which the next task is demoted, ascending.
    change_points: Vec<u64>,
    next_change: usize,
    choice_point: u64,
    /// The task the last choice point ran, and how many in a row ran it.
    streak: (Option<TaskId>, u32),
    /// Spin-wait demotions so far.
    spins: i64,
    /// The ready tasks seen, by priority.
    heap: ArrivalHeap<i64>,
    /// Which ready tasks are new to `heap` at a pick.
    arrivals: Arrivals,
    /// Ready sets smaller than this are scanned (a field so that tests can choose).
    scan_below: usize,
}

impl PctScheduler {
    /// PCT of `depth` for a run of about `estimated_choice_points` choice points.
    pub fn new(seed: u64, depth: u32, estimated_choice_points: u64) -> PctScheduler {
        let mut rng = stream(seed, Stream::Scheduler);
        let horizon = estimated_choice_points.max(1);
        let mut change_points: Vec<u64> = (1..depth.max(1))
            .map(|_| rng.random_range(0..horizon))
            .collect();
        change_points.sort_unstable();
        PctScheduler {
            rng,
            depth: depth.max(1),
            priorities: Vec::new(),
            change_points,
            next_change: 0,
            choice_point: 0,
            streak: (None, 0),
            spins: 0,
            heap: ArrivalHeap::default(),
            arrivals: Arrivals::default(),
            scan_below: SCAN_BELOW,
        }
    }

    /// The task's priority, drawn when the scheduler first sees it (right after its spawn,
    /// since a new task is ready at once).
    fn priority(&mut self, task: TaskId) -> i64 {
        let index = task.as_u32() as usize;
        if self.priorities.len() <= index {
            self.priorities.resize(index + 1, None);
        }
        let depth = i64::from(self.depth);
        *self.priorities[index]
            .get_or_insert_with(|| depth + self.rng.random_range(0..i64::MAX / 2))
    }

    /// Gives `task` the priority `priority`; `indexed` says whether the heap is kept this pick.
    fn demote(&mut self, task: TaskId, priority: i64, indexed: bool) {
        self.priority(task);
        self.priorities[task.as_u32() as usize] = Some(priority);
        if indexed {
            self.heap.set(task, priority);
        }
    }

    /// Adds the tasks that became ready since the last pick to the heap, drawing priorities for
    /// the ones seen for the first time, in arrival order.
    fn refresh(&mut self, ready: &ReadyView<'_>) {
        let (rebuild, fresh) = self.arrivals.fresh(ready);
        if rebuild {
            self.heap.clear();
        }
        for &candidate in &fresh {
            let priority = self.priority(candidate.task);
            self.heap.push(candidate.arrival, candidate.task, priority);
        }
        self.arrivals.recycle(fresh);
    }

    /// The ready task of highest priority (the first to arrive among equals), as (arrival,
    /// task): from the heap when `indexed`, by a pass over `ready` otherwise.
    fn highest(&mut self, ready: &ReadyView<'_>, indexed: bool) -> (u32, TaskId) {
        if indexed {
            return self
                .heap
                .highest()
                .expect("a scheduler is asked only when a task is ready");
        }
        let mut best: Option<(i64, ReadyTask)> = None;
        for candidate in ready.iter() {
            let priority = self.priority(candidate.task);
            if best.is_none_or(|(top, _)| priority > top) {
                best = Some((priority, candidate));
            }
        }
        let (_, chosen) = best.expect("a scheduler is asked only when a task is ready");
        (chosen.arrival, chosen.task)
    }
}

impl Scheduler for PctScheduler {
    fn pick(&mut self, ready: &ReadyView<'_>) -> Result<ReadyTask, Divergence> {
        let indexed = ready.len() >= self.scan_below;
        if indexed {
            self.refresh(ready);
        } else {
            self.arrivals.forget();
        }
        let mut chosen = self.highest(ready, indexed);
        while self.change_points.get(self.next_change) == Some(&self.choice_point) {
            self.next_change += 1;
            // Demote to priority `next_change`, below every initial priority.
            self.demote(chosen.1, self.next_change as i64, indexed);
            chosen = self.highest(ready, indexed);
        }
        if self.streak.0 == Some(chosen.1) && self.streak.1 >= super::STREAK {
            self.spins += 1;
            self.demote(chosen.1, -self.spins, indexed);
            chosen = self.highest(ready, indexed);
        }
        let (arrival, task) = chosen;
        self.streak = match self.streak {
            (Some(last), count) if last == task => (Some(last), count + 1),
            _ => (Some(task), 1),
        };
        self.choice_point += 1;
        if indexed {
            self.heap.remove(task);
        }
        Ok(ready.by_arrival(arrival).expect("the chosen task is ready"))
    }

    fn name(&self) -> String {
        format!("pct:{}", self.depth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_indexing_changes_nothing;

    // Goal: the heap chooses exactly as the pass over the ready set does, change points included.
    #[test]
    fn chooses_as_the_pass_does() {
        for depth in [1, 3, 5] {
            assert_indexing_changes_nothing(|seed, scan_below| {
                let mut pct = PctScheduler::new(seed, depth, 300);
                pct.scan_below = scan_below;
                Box::new(pct)
            });
        }
    }
}
