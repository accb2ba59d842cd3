//! The sweep engine: iterations of one shard, on `jobs` threads, with deterministic results.
//!
//! Iteration `k` of a shard always runs the same seed and strategy, and the hints it gets are
//! computed from iterations `0..k - HINT_LAG` only, so the outcome of every iteration, and
//! therefore the lowest failing one, is the same whatever the number of threads and their
//! timing. A thread that would need hints from an unfinished iteration waits for it; with a
//! lag of [`HINT_LAG`] iterations this almost never happens.

use std::collections::BTreeSet;
use std::future::Future;
use std::panic::Location;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use super::estimates::TaskEstimates;
use crate::config::Config;
use crate::id::TaskSteps;
use crate::runtime::{Failure, Sim};
use crate::scheduler::Strategy;
use crate::scheduler::SweepHints;

/// How many iterations behind the hints of an iteration are.
pub(crate) const HINT_LAG: u64 = 16;

/// What one iteration left behind.
pub(crate) struct Outcome {
    pub(crate) choice_points: u64,
    pub(crate) task_steps: Vec<TaskSteps>,
    pub(crate) digest: u64,
    pub(crate) failure: Option<Failure>,
}

/// The result of a sweep over one shard.
pub(crate) struct SweepResult {
    pub(crate) iterations: u64,
    pub(crate) distinct_traces: u64,
    /// The lowest failing iteration (global index) and its failure.
    pub(crate) failure: Option<(u64, Failure)>,
}

struct Progress {
    done: Vec<bool>,
    /// Every iteration below this one has finished.
    watermark: u64,
    /// `prefix_max[k]` = most choice points over iterations `0..k`.
    prefix_max: Vec<u64>,
    choice_points: Vec<u64>,
    /// Per-task polls of finished iterations not yet merged into `estimates` (which merges in
    /// iteration order).
    task_steps: Vec<Option<Vec<TaskSteps>>>,
    estimates: TaskEstimates,
    digests: BTreeSet<u64>,
    completed: u64,
    failure: Option<(u64, Failure)>,
}

struct Shared {
    next: AtomicU64,
    /// Set when a worker panicked (the test body's closure, outside any simulation): waiting
    /// workers stop waiting for iterations that will never finish.
    abandoned: AtomicBool,
    /// Workers blocked in [`Shared::hints`]; a finished iteration wakes them only if there are
    /// any, because a wake-up is a system call and most iterations have nobody to wake.
    waiting: AtomicUsize,
    stop_after: AtomicU64,
    progress: Mutex<Progress>,
    finished: Condvar,
    baseline: u64,
    /// Per-task polls of the calibration run, the estimate until enough runs have finished.
    baseline_tasks: Arc<Vec<TaskSteps>>,
}

fn lock(progress: &Mutex<Progress>) -> MutexGuard<'_, Progress> {
    progress.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn hints(&self, local: u64) -> SweepHints {
        let (choice_points, tasks) = match local.checked_sub(HINT_LAG) {
            None => (self.baseline, Arc::clone(&self.baseline_tasks)),
            Some(needed) => {
                let mut progress = lock(&self.progress);
                while progress.watermark < needed && !self.abandoned.load(Ordering::SeqCst) {
                    self.waiting.fetch_add(1, Ordering::SeqCst);
                    progress = self
                        .finished
                        .wait(progress)
                        .unwrap_or_else(PoisonError::into_inner);
                    self.waiting.fetch_sub(1, Ordering::SeqCst);
                }
                let choice_points = self.baseline.max(progress.prefix_max[needed as usize]);
                let tasks = progress
                    .estimates
                    .over_first(needed)
                    .unwrap_or_else(|| Arc::clone(&self.baseline_tasks));
                (choice_points, tasks)
            }
        };
        // The copy is made after the lock is released: the other workers wait on it otherwise.
        SweepHints {
            choice_points,
            tasks: tasks.as_ref().clone(),
        }
    }

    fn complete(&self, local: u64, global: u64, outcome: Outcome) {
        let mut progress = lock(&self.progress);
        let index = local as usize;
        progress.done[index] = true;
        progress.choice_points[index] = outcome.choice_points;
        progress.task_steps[index] = Some(outcome.task_steps);
        progress.digests.insert(outcome.digest);
        progress.completed += 1;
        while (progress.watermark as usize) < progress.done.len()
            && progress.done[progress.watermark as usize]
        {
            let at = progress.watermark as usize;
            let next = progress.prefix_max[at].max(progress.choice_points[at]);
            progress.prefix_max[at + 1] = next;
            if let Some(steps) = progress.task_steps[at].take() {
                progress.estimates.merge(&steps);
            }
            progress.watermark += 1;
        }
        if let Some(failure) = outcome.failure {
            if progress.failure.as_ref().is_none_or(|(g, _)| global < *g) {
                progress.failure = Some((global, failure));
                self.stop_after.fetch_min(local, Ordering::SeqCst);
            }
        }
        // `waiting` is raised under the lock before a worker waits, so reading it before the
        // lock is released sees every worker that could be waiting for this iteration.
        let anyone_waiting = self.waiting.load(Ordering::SeqCst) > 0;
        drop(progress);
        if anyone_waiting {
            self.finished.notify_all();
        }
    }
}

/// The global iteration numbers of `config.shard`, in order.
pub(crate) fn shard_size(config: &Config) -> u64 {
    let shard = config.shard;
    let first = shard.index();
    if first >= config.iterations {
        0
    } else {
        (config.iterations - first).div_ceil(shard.count())
    }
}

/// Runs one iteration: seed `config.seed + global`, the strategy for `global`.
pub(crate) fn run_iteration<F, Fut>(
    config: &Config,
    global: u64,
    hints: &SweepHints,
    make: &F,
) -> Outcome
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    let seed = config.seed.wrapping_add(global);
    let strategy = config.strategy.for_iteration(global);
    let sim = Sim::new(config.clone().with_seed(seed));
    let run = sim.run_strategy(strategy, seed, hints, Location::caller(), make());
    let mut outcome = Outcome {
        choice_points: run.choice_points,
        task_steps: run.task_steps,
        digest: run.trace.digest(),
        failure: run.result.err(),
    };
    if config.check_determinism {
        let again = sim.run_strategy(strategy, seed, hints, Location::caller(), make());
        if again.trace.digest() != outcome.digest {
            outcome.failure = Some(super::determinism::explain(
                config, seed, strategy, hints, make,
            ));
        }
    }
    outcome
}

/// Sweeps the shard's iterations on `config.jobs` threads.
pub(crate) fn sweep<F, Fut>(config: &Config, make: &F) -> SweepResult
where
    F: Fn() -> Fut + Sync,
    Fut: Future<Output = ()>,
{
    let size = shard_size(config);
    let calibration = Sim::new(config.clone()).run_with(Strategy::Fifo.scheduler(0), make());
    let shared = Shared {
        next: AtomicU64::new(0),
        abandoned: AtomicBool::new(false),
        waiting: AtomicUsize::new(0),
        stop_after: AtomicU64::new(u64::MAX),
        progress: Mutex::new(Progress {
            done: vec![false; size as usize],
            watermark: 0,
            prefix_max: vec![0; size as usize + 1],
            choice_points: vec![0; size as usize],
            task_steps: vec![None; size as usize],
            estimates: TaskEstimates::default(),
            digests: BTreeSet::new(),
            completed: 0,
            failure: None,
        }),
        finished: Condvar::new(),
        baseline: calibration.choice_points.max(1),
        baseline_tasks: Arc::new(calibration.task_steps),
    };
    let shard = config.shard;
    let worker = || loop {
        let local = shared.next.fetch_add(1, Ordering::SeqCst);
        if local >= size || local > shared.stop_after.load(Ordering::SeqCst) {
            break;
        }
        let global = shard.index() + local * shard.count();
        let hints = shared.hints(local);
        let ran = catch_unwind(AssertUnwindSafe(|| {
            run_iteration(config, global, &hints, make)
        }));
        match ran {
            Ok(outcome) => shared.complete(local, global, outcome),
            Err(payload) => {
                // Under the lock, so no waiter can miss the wake-up between its check and wait.
                let progress = lock(&shared.progress);
                shared.abandoned.store(true, Ordering::SeqCst);
                drop(progress);
                shared.finished.notify_all();
                resume_unwind(payload);
            }
        }
    };
    if config.jobs <= 1 {
        worker();
    } else {
        let panicked = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..config.jobs).map(|_| scope.spawn(worker)).collect();
            // Join every thread, then hand the first panic on as it was raised.
            threads
                .into_iter()
                .filter_map(|thread| thread.join().err())
                .next()
        });
        if let Some(payload) = panicked {
            resume_unwind(payload);
        }
    }
    let progress = shared
        .progress
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    SweepResult {
        iterations: progress.completed,
        distinct_traces: progress.digests.len() as u64,
        failure: progress.failure,
    }
}
