//! The sweep engine: iterations of one shard, on `jobs` threads, with deterministic results.
//!
//! Iteration `k` of a shard always runs the same seed and strategy, and the hints it gets are
//! computed from iterations `0..k - HINT_LAG` only, so the outcome of every iteration, and
//! therefore the lowest failing one, is the same whatever the number of threads and their
//! timing. A thread that would need hints from an unfinished iteration waits for it; with a
//! lag of [`HINT_LAG`] iterations this almost never happens.

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::panic::Location;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use super::distinct::DistinctDigests;
use super::estimates::TaskEstimates;
use crate::config::{Config, Determinism};
use crate::id::TaskSteps;
use crate::runtime::{Failure, Run, Sim};
use crate::scheduler::neighbours::{NeighbourScheduler, Neighbours, RecordingFifo};
use crate::scheduler::SweepHints;
use crate::scheduler::{Deviation, Strategy};

/// How many iterations behind the hints of an iteration are.
pub(crate) const HINT_LAG: u64 = 16;

/// What one iteration left behind.
pub(crate) struct Outcome {
    pub(crate) choice_points: u64,
    pub(crate) task_steps: Vec<TaskSteps>,
    pub(crate) digest: u64,
    pub(crate) failure: Option<Failure>,
    /// The iteration ran a schedule near FIFO order.
    pub(crate) near: bool,
}

/// The result of a sweep over one shard.
pub(crate) struct SweepResult {
    pub(crate) iterations: u64,
    pub(crate) distinct_traces: u64,
    /// For the default portfolio: the schedules near FIFO order run, and how many there are.
    pub(crate) near_fifo: Option<(u64, u64)>,
    /// The lowest failing iteration (global index) and its failure.
    pub(crate) failure: Option<(u64, Failure)>,
}

/// What the workers share, in memory bounded by the iterations in flight (at most about
/// `jobs + HINT_LAG` of them), never by the shard's size: a sweep of `u64::MAX` iterations runs
/// in the same memory as one of a hundred.
struct Progress {
    /// Iterations finished above the watermark, with their choice points and per-task polls,
    /// until every iteration below them has finished and they are merged in order.
    pending: BTreeMap<u64, (u64, Vec<TaskSteps>)>,
    /// Every iteration below this one has finished.
    watermark: u64,
    /// Most choice points over iterations `0..k`, for `k` from `watermark - HINT_LAG` (or 0) up
    /// to `watermark`, the last entry: the only ones [`Shared::hints`] can still ask for,
    /// because the worker asking holds an iteration at or above the watermark.
    prefix_max: VecDeque<u64>,
    estimates: TaskEstimates,
    digests: DistinctDigests,
    completed: u64,
    near_run: u64,
    failure: Option<(u64, Failure)>,
}

impl Progress {
    /// Most choice points over iterations `0..needed`, where `needed` is within [`HINT_LAG`]
    /// of the watermark (or above it in an abandoned sweep, whose hints no longer matter).
    fn prefix_max(&self, needed: u64) -> u64 {
        let newest = self.prefix_max.back().copied().unwrap_or(0);
        let Some(behind) = self.watermark.checked_sub(needed) else {
            return newest;
        };
        usize::try_from(behind)
            .ok()
            .and_then(|behind| self.prefix_max.len().checked_sub(behind + 1))
            .and_then(|at| self.prefix_max.get(at).copied())
            .unwrap_or(newest)
    }
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
                let choice_points = self.baseline.max(progress.prefix_max(needed));
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
        progress
            .pending
            .insert(local, (outcome.choice_points, outcome.task_steps));
        progress.digests.insert(outcome.digest);
        progress.completed += 1;
        progress.near_run += u64::from(outcome.near);
        loop {
            let at = progress.watermark;
            let Some((choice_points, steps)) = progress.pending.remove(&at) else {
                break;
            };
            let newest = progress.prefix_max.back().copied().unwrap_or(0);
            progress.prefix_max.push_back(newest.max(choice_points));
            if progress.prefix_max.len() > HINT_LAG as usize + 1 {
                progress.prefix_max.pop_front();
            }
            progress.estimates.merge(&steps);
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

/// What one iteration of a sweep runs.
pub(crate) enum Member<'a> {
    /// A built-in strategy.
    Strategy(&'a Strategy),
    /// FIFO order with these deviations (the default sweep's systematic part).
    Near(Vec<Deviation>),
}

impl Member<'_> {
    /// The member's name in reports: the strategy's, or `fifo+1` / `fifo+2`.
    pub(crate) fn name(&self) -> String {
        match self {
            Member::Strategy(strategy) => strategy.to_string(),
            Member::Near(deviations) => format!("fifo+{}", deviations.len()),
        }
    }

    /// Runs `future` as this member with `seed`.
    pub(crate) fn run<F: Future>(
        &self,
        sim: &Sim,
        seed: u64,
        hints: &SweepHints,
        site: &'static Location<'static>,
        future: F,
    ) -> Run<F::Output> {
        match self {
            Member::Strategy(strategy) => sim.run_strategy(strategy, seed, hints, site, future),
            Member::Near(deviations) => sim.run_with_site(
                Box::new(NeighbourScheduler::new(seed, deviations.clone())),
                site,
                future,
            ),
        }
    }
}

/// The seed and member of iteration `global`.
///
/// One iteration in this many after the FIFO run takes a schedule near FIFO order; the others
/// go to the randomized members. Chosen on the zoo and the corpus's tuning half: one in two
/// halved the randomized runs and made the zoo's deep bugs 2 to 4 times slower to find; one in
/// four keeps them within 1.5 times of the portfolio alone while a bug one deviation from FIFO
/// is still reached by iteration `4k + 1` (docs/realbugs.md, docs/strategies.md).
const NEAR_FIFO_EVERY: u64 = 4;

/// A [`Strategy::Portfolio`] sweep runs asyncio's FIFO order first (iteration 0, the base
/// seed); then every [`NEAR_FIFO_EVERY`]th iteration after it takes the next schedule near FIFO
/// order (also the base
/// seed, whose FIFO run they deviate from) while they last, and the other iterations rotate
/// through [`Strategy::PORTFOLIO`] with seed `config.seed + global`. Every other strategy runs
/// every iteration with seed `config.seed + global`.
pub(crate) fn member<'a>(
    config: &'a Config,
    global: u64,
    neighbours: &Neighbours,
) -> (u64, Member<'a>) {
    let seed = config.seed.wrapping_add(global);
    if config.strategy != Strategy::Portfolio {
        return (
            seed,
            Member::Strategy(config.strategy.for_iteration(global)),
        );
    }
    let Some(after_fifo) = global.checked_sub(1) else {
        return (config.seed, Member::Strategy(&Strategy::Fifo));
    };
    let near = neighbours.len();
    if after_fifo % NEAR_FIFO_EVERY == 0 && after_fifo / NEAR_FIFO_EVERY < near {
        if let Some(deviations) = neighbours.deviations(after_fifo / NEAR_FIFO_EVERY) {
            return (config.seed, Member::Near(deviations));
        }
    }
    // The iterations after FIFO that took a schedule near it.
    let taken = after_fifo.div_ceil(NEAR_FIFO_EVERY).min(near);
    let rotation = (after_fifo - taken) % Strategy::PORTFOLIO.len() as u64;
    (
        seed,
        Member::Strategy(&Strategy::PORTFOLIO[rotation as usize]),
    )
}

/// Runs one iteration: its seed and member (see [`member`]).
pub(crate) fn run_iteration<F, Fut>(
    config: &Config,
    global: u64,
    hints: &SweepHints,
    neighbours: &Neighbours,
    site: &'static Location<'static>,
    make: &F,
) -> Outcome
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    let (seed, member) = member(config, global, neighbours);
    let sim = Sim::new(config.clone().with_seed(seed));
    let run = member.run(&sim, seed, hints, site, make());
    let mut outcome = Outcome {
        choice_points: run.choice_points,
        task_steps: run.task_steps,
        digest: run.trace.digest(),
        failure: run.result.err(),
        near: matches!(member, Member::Near(_)),
    };
    let repeat = match config.check_determinism {
        Determinism::Off => false,
        Determinism::FirstAndFailing => global == config.shard.index() || outcome.failure.is_some(),
        Determinism::Every => true,
    };
    if repeat {
        let again = member.run(&sim, seed, hints, site, make());
        if again.trace.digest() != outcome.digest {
            outcome.failure = Some(super::determinism::explain(
                config, seed, &member, hints, site, make,
            ));
        }
    }
    outcome
}

/// Sweeps the shard's iterations on `config.jobs` threads, or one per iteration if there are
/// fewer iterations.
///
/// # Panics
///
/// If a thread cannot be started, naming `SIMLOOP_JOBS`.
pub(crate) fn sweep<F, Fut>(
    config: &Config,
    site: &'static Location<'static>,
    make: &F,
) -> SweepResult
where
    F: Fn() -> Fut + Sync,
    Fut: Future<Output = ()>,
{
    let size = shard_size(config);
    // The FIFO run of the base seed: the first estimates, and for the default portfolio the
    // choice points its systematic part deviates at.
    let (recording, found) = RecordingFifo::new();
    let calibration = Sim::new(config.clone()).run_with_site(Box::new(recording), site, make());
    let neighbours = if config.strategy == Strategy::Portfolio {
        Neighbours::new(found.take())
    } else {
        Neighbours::default()
    };
    let shared = Shared {
        next: AtomicU64::new(0),
        abandoned: AtomicBool::new(false),
        waiting: AtomicUsize::new(0),
        stop_after: AtomicU64::new(u64::MAX),
        progress: Mutex::new(Progress {
            pending: BTreeMap::new(),
            watermark: 0,
            prefix_max: VecDeque::from([0]),
            estimates: TaskEstimates::default(),
            digests: DistinctDigests::default(),
            completed: 0,
            near_run: 0,
            failure: None,
        }),
        finished: Condvar::new(),
        baseline: calibration.choice_points.max(1),
        baseline_tasks: Arc::new(calibration.task_steps),
    };
    let shard = config.shard;
    let worker = || loop {
        let local = shared.next.fetch_add(1, Ordering::SeqCst);
        if local >= size
            || local > shared.stop_after.load(Ordering::SeqCst)
            || shared.abandoned.load(Ordering::SeqCst)
        {
            break;
        }
        let global = shard.index() + local * shard.count();
        let hints = shared.hints(local);
        let ran = catch_unwind(AssertUnwindSafe(|| {
            run_iteration(config, global, &hints, &neighbours, site, make)
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
    // A thread with no iteration to run would only start and stop.
    let jobs = usize::try_from(size).map_or(config.jobs, |size| config.jobs.min(size));
    if jobs <= 1 {
        worker();
    } else {
        let (panicked, refused) = std::thread::scope(|scope| {
            let mut threads = Vec::with_capacity(jobs);
            let mut refused = None;
            for started in 0..jobs {
                match std::thread::Builder::new().spawn_scoped(scope, worker) {
                    Ok(thread) => threads.push(thread),
                    Err(error) => {
                        // The threads already started stop at their next iteration.
                        let progress = lock(&shared.progress);
                        shared.abandoned.store(true, Ordering::SeqCst);
                        drop(progress);
                        shared.finished.notify_all();
                        refused = Some((started, error));
                        break;
                    }
                }
            }
            // Join every thread, then hand the first panic on as it was raised.
            let panicked = threads
                .into_iter()
                .filter_map(|thread| thread.join().err())
                .next();
            (panicked, refused)
        });
        if let Some(payload) = panicked {
            resume_unwind(payload);
        }
        if let Some((started, error)) = refused {
            panic!(
                "simloop: cannot start sweep thread {} of {jobs} (jobs = {}, SIMLOOP_JOBS): \
                 {error}; ask for fewer jobs",
                started + 1,
                config.jobs
            );
        }
    }
    let progress = shared
        .progress
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    SweepResult {
        iterations: progress.completed,
        distinct_traces: progress.digests.count(),
        near_fifo: (config.strategy == Strategy::Portfolio)
            .then(|| (progress.near_run, neighbours.len())),
        failure: progress.failure,
    }
}
