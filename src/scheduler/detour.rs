//! `Detour`: newest-first order with random detours, each stopping its task at a uniformly
//! random point of that task's remaining work.
//!
//! # The base order: newest first
//!
//! The base order runs the ready task that became ready last. A task that yields is re-queued
//! at the tail, so the base keeps running a task until it blocks or ends (a yield is a plain
//! scheduling point, not a reason to switch); when it blocks, the task readied most recently
//! (the one it just spawned or woke) runs: a depth-first execution. It is a legal asyncio
//! order, the mirror image of [`Fifo`](crate::Strategy::Fifo), and close to what executors with
//! a LIFO slot do (tokio runs the task the current one just woke next). Its use for bug
//! finding: a parent that spawns workers in a loop and then a checker keeps running until it
//! waits, and then the task spawned *last* runs *first*. Under FIFO or a uniform random walk
//! the last-spawned task starts only after every earlier sibling has run a while, so a bug
//! that needs it to act early (a reader that must see a writer half-way) needs it to win a
//! race against all `n` siblings, which a symmetric strategy grants with probability about
//! `1/n`.
//!
//! # Detours
//!
//! At each choice point a detour starts with probability `E / k`, where `k` is the sweep's
//! estimate of a run's choice points ([`SweepHints::choice_points`]) and `E`, the number of
//! detours a run expects, is drawn per run from 2, 4, 8 and 16 (how many deviations a bug needs
//! varies, and so does the best density; drawing it is cheaper than guessing it: on the bug
//! zoo any fixed `E` from 2 to 16 finds every bug, but each is the worst on some program). A
//! detour passes over the task the base would run and runs another ready task for `L` steps,
//! with `L` uniform over that task's estimated remaining steps (its mean polls in earlier runs,
//! [`SweepHints::tasks`], minus its polls so far). Then the interrupted task resumes, so the
//! run returns to the base order.
//!
//! Which task: a coin flip between the newest other ready task and a uniformly chosen one. The
//! newest other task is the one just spawned or woken (while a parent spawns in a loop, the
//! child it spawned last), so a detour to it lets a fresh task start early and stop half-way
//! while its parent goes on; a uniform pick reaches every task, as a random walk does.
//!
//! The point of `L`: a depth-2 bug needs one task paused inside a window of its own work
//! (between a writer's two critical sections) while another acts. PCT places its change points
//! uniformly over the whole run, so a window of `w` steps is hit with probability about
//! `w / k`, which shrinks as the run (and the number of tasks) grows; a detour that stops its
//! task uniformly over the task's own remaining work hits the window with probability about
//! `w / (its remaining steps)`, whatever the run's length. Returning to the interrupted task
//! keeps every other task where the base order had it, as delay bounding does (Emmi, Qadeer,
//! Rakamarić, "Delay-bounded scheduling", POPL 2011: a deterministic scheduler plus a few
//! delays; most bugs need few of them, as CHESS's preemption bounding also found: Musuvathi and
//! Qadeer, "Iterative context bounding for systematic testing of multithreaded programs",
//! PLDI 2007).
//!
//! # Fairness
//!
//! Newest-first starves the other tasks while one task yields in a loop (a spin-wait on a flag
//! that another task sets). After 256 choice points in a row that ran the same task, the task
//! that has been ready longest takes a detour, so a spin-wait always ends and never turns into
//! a step-limit failure.
//!
//! # Measured
//!
//! On the bug zoo (`cargo run --release --example zoo`) `Detour` finds every bug within 17
//! schedules on average (20 of 20 trials each), twostage(50) within 10 and reorder(10) within
//! 5, where PCT-3 needs over 750 for reorder(10) and rarely finds twostage(50) in 10,000, and
//! URW never does. It is weakest at the small races that a uniform walk finds at once (lazy01:
//! 4.8 against URW's 1.4), which is why the default portfolio pairs it with URW and PCT-3.
//!
//! Every decision comes from the seed's scheduler stream. Finding the interrupted task again
//! and picking the n-th other task are passes over the ready set; from 64 ready tasks up the
//! scheduler keeps the ready tasks in arrival order in a Fenwick tree of unit weights
//! (`ArrivalWeights`), so both cost O(log n), and make the same choices as the passes.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::arrivals::{Arrivals, SCAN_BELOW};
use super::weights::ArrivalWeights;
use super::{Divergence, ReadyTask, ReadyView, Scheduler, SweepHints};
use crate::id::TaskId;
use crate::rng::{stream, Stream};

/// Steps assumed for a task the hints know nothing about.
const UNKNOWN_STEPS: u32 = 8;

/// A detour in progress: `task` runs until it has been polled `until` times, then
/// `interrupted` resumes.
#[derive(Clone, Copy, Debug)]
struct Active {
    task: TaskId,
    until: u32,
    interrupted: TaskId,
}

/// The `Detour` strategy; see the module docs.
///
/// # Examples
///
/// ```
/// use simloop::scheduler::{DetourScheduler, Scheduler, SweepHints};
///
/// let detour = DetourScheduler::new(7, &SweepHints::default());
/// assert_eq!(detour.name(), "detour");
/// ```
#[derive(Clone, Debug)]
pub struct DetourScheduler {
    rng: ChaCha8Rng,
    /// Estimated polls of each task by id.
    estimates: Vec<u32>,
    unknown: u32,
    /// Detours expected per run.
    expected: u64,
    /// Estimated choice points per run.
    horizon: u64,
    active: Option<Active>,
    /// The task the last choice point ran, and how many in a row ran it.
    streak: (Option<TaskId>, u32),
    /// The ready tasks in arrival order, each weighing 1, while the ready set is indexed: the
    /// n-th of them is the first at which the running count passes n.
    ranks: ArrivalWeights,
    /// Which ready tasks are new to `ranks` at a pick.
    arrivals: Arrivals,
    /// Ready sets smaller than this are scanned (a field so that tests can choose).
    scan_below: usize,
}

impl DetourScheduler {
    /// Detours with the scheduler stream of `seed`, sized by `hints`.
    pub fn new(seed: u64, hints: &SweepHints) -> DetourScheduler {
        let mut rng = stream(seed, Stream::Scheduler);
        let expected = 2u64 << rng.random_range(0..4u32);
        let estimates: Vec<u32> = hints.tasks.iter().map(|task| task.polls).collect();
        let known = estimates.len() as u64;
        let unknown = match known {
            0 => UNKNOWN_STEPS,
            _ => {
                let total: u64 = estimates.iter().map(|&polls| u64::from(polls)).sum();
                u32::try_from(total.div_ceil(known)).unwrap_or(u32::MAX)
            }
        };
        DetourScheduler {
            rng,
            estimates,
            unknown,
            expected,
            horizon: hints.choice_points.max(1),
            active: None,
            streak: (None, 0),
            ranks: ArrivalWeights::default(),
            arrivals: Arrivals::default(),
            scan_below: SCAN_BELOW,
        }
    }

    /// Whether a pick from `ready` uses `ranks` (brought up to date at the start of the pick).
    fn indexed(&self, ready: &ReadyView<'_>) -> bool {
        ready.len() >= self.scan_below
    }

    /// The ready task `task`, if it is ready.
    fn find(&self, ready: &ReadyView<'_>, task: TaskId) -> Option<ReadyTask> {
        if self.indexed(ready) {
            ready.by_arrival(self.ranks.arrival_of(task)?)
        } else {
            ready.find(task)
        }
    }

    /// The ready task at `rank` (from 0) in arrival order, leaving out `newest`.
    fn nth_other(&self, ready: &ReadyView<'_>, newest: ReadyTask, rank: usize) -> ReadyTask {
        if self.indexed(ready) {
            // `newest` is last in arrival order, so the ranks below it are the others'.
            let (arrival, _) = self.ranks.find(rank as u64);
            ready.by_arrival(arrival)
        } else {
            ready.iter().filter(|r| *r != newest).nth(rank)
        }
        .expect("the rank is below the count of the other ready tasks")
    }

    /// Brings `ranks` up to date with `ready`.
    fn refresh(&mut self, ready: &ReadyView<'_>) {
        let (rebuild, fresh) = self.arrivals.fresh(ready);
        if rebuild {
            self.ranks.clear();
        }
        for &task in &fresh {
            self.ranks.push(task.arrival, task.task, 1);
        }
        self.arrivals.recycle(fresh);
    }

    /// The task's estimated steps left, at least 1.
    fn remaining(&self, ready: &ReadyView<'_>, task: TaskId) -> u32 {
        let estimate = self
            .estimates
            .get(task.index())
            .copied()
            .unwrap_or(self.unknown);
        estimate.saturating_sub(ready.polls(task)).max(1)
    }

    /// Starts a detour away from `newest`, the base order's choice, if one is due.
    fn start(&mut self, ready: &ReadyView<'_>, newest: ReadyTask) -> Option<ReadyTask> {
        if self.rng.random_range(0..self.horizon) >= self.expected {
            return None;
        }
        let others = ready.len().checked_sub(1).filter(|&others| others > 0)?;
        let rank = if self.rng.random::<bool>() {
            others - 1 // the newest other task
        } else {
            self.rng.random_range(0..others)
        };
        let target = self.nth_other(ready, newest, rank);
        Some(self.detour(ready, target, newest))
    }

    /// Runs `target` instead of `base` for a uniformly random part of its remaining work.
    fn detour(&mut self, ready: &ReadyView<'_>, target: ReadyTask, base: ReadyTask) -> ReadyTask {
        let length = self
            .rng
            .random_range(1..=self.remaining(ready, target.task));
        self.active = Some(Active {
            task: target.task,
            until: ready.polls(target.task).saturating_add(length),
            interrupted: base.task,
        });
        target
    }

    /// The next step of the detour in progress, or the interrupted task once it is over.
    fn resume(&mut self, ready: &ReadyView<'_>) -> Option<ReadyTask> {
        let active = self.active.take()?;
        if ready.polls(active.task) < active.until {
            if let Some(chosen) = self.find(ready, active.task) {
                self.active = Some(active);
                return Some(chosen);
            }
        }
        self.find(ready, active.interrupted)
    }

    fn choose(&mut self, ready: &ReadyView<'_>) -> ReadyTask {
        if let Some(chosen) = self.resume(ready) {
            return chosen;
        }
        let newest = ready.newest();
        if self.streak.0 == Some(newest.task) && self.streak.1 >= super::STREAK {
            return self.detour(ready, ready.oldest(), newest);
        }
        self.start(ready, newest).unwrap_or(newest)
    }
}

impl Scheduler for DetourScheduler {
    fn pick(&mut self, ready: &ReadyView<'_>) -> Result<ReadyTask, Divergence> {
        let indexed = self.indexed(ready);
        if indexed {
            self.refresh(ready);
        } else {
            self.arrivals.forget();
        }
        let chosen = self.choose(ready);
        if indexed {
            self.ranks.remove(chosen.task);
        }
        self.streak = match self.streak {
            (Some(task), count) if task == chosen.task => (Some(task), count + 1),
            _ => (Some(chosen.task), 1),
        };
        Ok(chosen)
    }

    fn name(&self) -> String {
        "detour".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{assert_indexing_changes_nothing, tree_hints};

    // Goal: the ranks tree chooses exactly as the passes over the ready set do, with the
    // default hints and with hints that make detours frequent (a short horizon) and long.
    #[test]
    fn chooses_as_the_pass_does() {
        for hints in [SweepHints::default(), tree_hints(4, 7)] {
            assert_indexing_changes_nothing(|seed, scan_below| {
                let mut detour = DetourScheduler::new(seed, &hints);
                detour.scan_below = scan_below;
                Box::new(detour)
            });
        }
    }
}
