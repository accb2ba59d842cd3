//! Many runs: [`check`], [`check_with`], [`explore`] and [`replay`].
//!
//! A sweep runs iteration `i` with seed `config.seed + i` and the strategy for `i` (the default
//! portfolio rotates through several), stops at the lowest failing iteration, shrinks its
//! schedule, replays the smallest one with a full trace and reports it with the line that
//! replays it.

use std::future::Future;
use std::panic::Location;

use crate::config::Config;
use crate::runtime::{Failure, Sim};
use crate::scheduler::exhaustive::{ExhaustiveScheduler, Search};
use crate::scheduler::{ReplayScheduler, Schedule, Strategy};
use crate::trace::{Trace, TraceLevel};

mod determinism;
mod distinct;
mod estimates;
mod shrink;
mod sweep;

/// What a sweep did.
///
/// # Examples
///
/// ```
/// use simloop::{explore, Config};
///
/// let report = explore(Config::default().with_iterations(50), || async {});
/// assert_eq!(report.iterations, 50);
/// assert!(report.failure.is_none());
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Report {
    /// Runs completed (in this shard).
    pub iterations: u64,
    /// How many different traces (by digest) the runs produced: distinct interleavings seen.
    /// Exact up to 65,536; past that an estimate (within about 1%), so that a sweep's memory
    /// does not grow with its length.
    pub distinct_traces: u64,
    /// The lowest failing iteration's failure, shrunk, with its replay line.
    pub failure: Option<Failure>,
    /// For [`Strategy::Exhaustive`]: whether every schedule within the bound was run. For
    /// the default [`Strategy::Portfolio`]: whether every schedule of its systematic part (one
    /// and two deviations from FIFO order) was run.
    pub complete: Option<bool>,
    /// For the default [`Strategy::Portfolio`]: the schedules near FIFO order run (in this
    /// shard) and how many the FIFO run of the base seed has (at most 4,096 single deviations
    /// and their pairs).
    pub near_fifo: Option<(u64, u64)>,
}

impl Report {
    /// One line saying what the sweep covered: schedules run, distinct interleavings (runs whose
    /// traces differ, by a deterministic digest), how much of the systematic part ran, and
    /// whether it failed. `check` prints it to stderr when `SIMLOOP_SUMMARY=1`.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::{explore, Config};
    ///
    /// let report = explore(Config::default().with_iterations(20), || async {
    ///     let a = simloop::task::spawn(simloop::task::yield_now());
    ///     a.await.unwrap();
    /// });
    /// assert!(report.summary().starts_with("simloop: 20 schedules, "));
    /// assert!(report.summary().contains("distinct interleaving"));
    /// ```
    pub fn summary(&self) -> String {
        let plural =
            |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut line = format!(
            "simloop: {}, {}",
            plural(self.iterations, "schedule", "schedules"),
            plural(
                self.distinct_traces,
                "distinct interleaving",
                "distinct interleavings"
            ),
        );
        match (self.near_fifo, self.complete) {
            (Some((ran, total)), _) => line.push_str(&format!(
                ", {ran} of {total} schedules near FIFO order ({})",
                if ran >= total {
                    "complete"
                } else {
                    "incomplete"
                }
            )),
            (None, Some(complete)) => line.push_str(if complete {
                ", the bounded search completed"
            } else {
                ", the bounded search did not complete"
            }),
            (None, None) => {}
        }
        match &self.failure {
            Some(failure) => line.push_str(&format!(", failed: {}", failure.kind())),
            None => line.push_str(", no failure"),
        }
        line
    }

    /// Panics with the failure report if the sweep failed.
    ///
    /// # Panics
    ///
    /// If [`Report::failure`] is set.
    #[track_caller]
    pub fn assert_ok(&self) {
        if let Some(failure) = &self.failure {
            panic!("{failure}");
        }
    }
}

/// Runs the test body under many seeds (`Config::from_env()`, so the `SIMLOOP_*` variables
/// apply) and panics with the failure report if any run fails.
///
/// # Panics
///
/// With the failure report, whose `replay:` line reproduces the failure exactly.
///
/// # Examples
///
/// ```
/// use simloop::task::spawn;
/// use simloop::time::{now, sleep};
/// use std::time::Duration;
///
/// simloop::check(|| async {
///     let a = spawn(sleep(Duration::from_secs(1)));
///     let b = spawn(sleep(Duration::from_secs(1)));
///     a.await.unwrap();
///     b.await.unwrap();
///     assert_eq!(now().since_start(), Duration::from_secs(1));
/// });
/// ```
#[track_caller]
pub fn check<F, Fut>(make: F)
where
    F: Fn() -> Fut + Sync,
    Fut: Future<Output = ()>,
{
    check_with(Config::default(), make);
}

/// [`check`] starting from `config`; `SIMLOOP_*` variables override its fields.
///
/// # Panics
///
/// With the failure report if any run fails, or if a `SIMLOOP_*` variable is malformed.
///
/// # Examples
///
/// ```
/// use simloop::{check_with, Config, Strategy};
///
/// check_with(Config::default().with_iterations(20).with_strategy(Strategy::Pct { depth: 2 }), || async {
///     simloop::task::yield_now().await;
/// });
/// ```
#[track_caller]
pub fn check_with<F, Fut>(config: Config, make: F)
where
    F: Fn() -> Fut + Sync,
    Fut: Future<Output = ()>,
{
    let config = match config.apply_env() {
        Ok(config) => config,
        Err(error) => panic!("simloop: {error}"),
    };
    let replaying = config.replay.is_some();
    let summary = config.summary;
    let report = explore(config, make);
    if summary {
        eprintln!("{}", report.summary());
    }
    if let Some(failure) = &report.failure {
        panic!("{failure}");
    }
    if replaying {
        eprintln!("simloop: the replayed schedule no longer fails");
    }
}

/// Runs a sweep like [`check_with`] and returns what it found instead of panicking. It does not
/// read the environment: `config` is used as given.
///
/// The one variable it reads is `SIMLOOP_REPLAY`, so that the replay line of a failure it
/// reports works as printed: when set, it replaces [`Config::replay`] and the call replays that
/// schedule instead of sweeping.
///
/// # Panics
///
/// If `config` cannot work (see [`Config::validate`]), if `SIMLOOP_REPLAY` is malformed, or if
/// the operating system refuses to start one of the sweep's [`jobs`](Config::jobs) threads.
///
/// # Examples
///
/// ```
/// use simloop::{explore, Config, Failure};
/// use simloop::task::{spawn, yield_now};
/// use std::{cell::Cell, rc::Rc};
///
/// // A lost update: two tasks read, yield, then write back.
/// let report = explore(Config::default().with_iterations(200), || async {
///     let counter = Rc::new(Cell::new(0));
///     let workers: Vec<_> = (0..2).map(|_| {
///         let counter = counter.clone();
///         spawn(async move {
///             let seen = counter.get();
///             yield_now().await;
///             counter.set(seen + 1);
///         })
///     }).collect();
///     for w in workers { w.await.unwrap(); }
///     assert_eq!(counter.get(), 2, "lost update");
/// });
/// let failure = report.failure.expect("the race is found");
/// assert!(matches!(failure, Failure::Panic { .. }));
/// assert!(failure.to_string().contains("SIMLOOP_REPLAY=v1:"));
/// ```
#[track_caller]
pub fn explore<F, Fut>(config: Config, make: F) -> Report
where
    F: Fn() -> Fut + Sync,
    Fut: Future<Output = ()>,
{
    // The main future's spawn site in every report: the user's call.
    let site = Location::caller();
    let config = match config.apply_replay_env() {
        Ok(config) => config,
        Err(error) => panic!("simloop: {error}"),
    };
    if let Err(error) = config.validate() {
        panic!("simloop: {error}");
    }
    let test_name = std::thread::current()
        .name()
        .filter(|name| *name != "main")
        .map(str::to_owned);
    let mut report = if let Some(schedule) = config.replay.clone() {
        replay_once(&config, &schedule, site, &make)
    } else if let Strategy::Exhaustive { preemptions } = config.strategy {
        exhaustive(&config, preemptions, site, &make)
    } else {
        let result = sweep::sweep(&config, site, &make);
        let total = config.iterations;
        Report {
            iterations: result.iterations,
            distinct_traces: result.distinct_traces,
            near_fifo: result.near_fifo,
            failure: result.failure.map(|(iteration, failure)| {
                let mut failure = finish(&config, failure, site, &make);
                failure.context_mut().iteration = Some((iteration, total));
                failure
            }),
            complete: result.near_fifo.map(|(ran, total)| ran >= total),
        }
    };
    if let Some(failure) = &mut report.failure {
        failure.context_mut().test_name = test_name;
    }
    report
}

/// Replays `schedule` (the text of a `SIMLOOP_REPLAY` line) once.
///
/// # Panics
///
/// With the failure report if the replay fails (it reproduces the original failure), or with a
/// message naming the position if `schedule` is not a valid schedule.
///
/// # Examples
///
/// ```
/// // A schedule recorded from an earlier run; this program no longer fails.
/// simloop::replay("v1:7:", || async { simloop::task::yield_now().await });
/// ```
#[track_caller]
pub fn replay<F, Fut>(schedule: &str, make: F)
where
    F: Fn() -> Fut + Sync,
    Fut: Future<Output = ()>,
{
    let schedule: Schedule = match schedule.parse() {
        Ok(schedule) => schedule,
        Err(error) => panic!("simloop: cannot replay: {error}"),
    };
    let report = explore(Config::default().with_replay(schedule), make);
    if let Some(failure) = &report.failure {
        panic!("{failure}");
    }
}

/// One strict replay with a full trace; its failure is reported as is.
fn replay_once<F, Fut>(
    config: &Config,
    schedule: &Schedule,
    site: &'static Location<'static>,
    make: &F,
) -> Report
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    let sim = Sim::new(
        config
            .clone()
            .with_seed(schedule.seed())
            .with_trace(TraceLevel::Full),
    );
    let run = sim.run_with_site(
        Box::new(ReplayScheduler::strict(schedule.clone())),
        site,
        make(),
    );
    let digest = run.trace.digest();
    write_trace(config, &run.trace);
    Report {
        iterations: 1,
        distinct_traces: u64::from(digest != 0),
        failure: run.result.err(),
        complete: None,
        near_fifo: None,
    }
}

/// Every schedule within the preemption bound, until the iteration budget runs out.
fn exhaustive<F, Fut>(
    config: &Config,
    preemptions: u32,
    site: &'static Location<'static>,
    make: &F,
) -> Report
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    let search = Search::new(preemptions);
    let sim = Sim::new(config.clone());
    let mut digests = std::collections::BTreeSet::new();
    loop {
        let scheduler = ExhaustiveScheduler::new(std::rc::Rc::clone(&search));
        let run = sim.run_with_site(Box::new(scheduler), site, make());
        digests.insert(run.trace.digest());
        if let Err(failure) = run.result {
            let runs = search.borrow().runs() + 1;
            let failure = finish(config, failure, site, make);
            return Report {
                iterations: runs,
                distinct_traces: digests.len() as u64,
                failure: Some(failure),
                complete: Some(false),
                near_fifo: None,
            };
        }
        let more = search.borrow_mut().advance();
        let runs = search.borrow().runs();
        if !more || runs >= config.iterations {
            return Report {
                iterations: runs,
                distinct_traces: digests.len() as u64,
                failure: None,
                complete: Some(search.borrow().finished()),
                near_fifo: None,
            };
        }
    }
}

/// Shrinks a failure, replays the smallest schedule with a full trace, and returns that run's
/// failure with the original strategy and the minimal schedule in its context.
fn finish<F, Fut>(
    config: &Config,
    failure: Failure,
    site: &'static Location<'static>,
    make: &F,
) -> Failure
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    if matches!(failure, Failure::Nondeterminism { .. }) || config.shrink_runs == 0 {
        return failure;
    }
    let original = failure.context().clone();
    let Some(shrunk) = shrink::shrink(config, &failure, site, make) else {
        return failure;
    };
    let sim = Sim::new(
        config
            .clone()
            .with_seed(shrunk.schedule.seed())
            .with_trace(TraceLevel::Full),
    );
    let run = sim.run_with_site(
        Box::new(ReplayScheduler::strict(shrunk.schedule.clone())),
        site,
        make(),
    );
    write_trace(config, &run.trace);
    let Err(mut reported) = run.result else {
        return failure;
    };
    let context = reported.context_mut();
    context.strategy = original.strategy;
    context.schedule = original.schedule;
    context.minimal = Some((shrunk.schedule, shrunk.explanation));
    reported
}

/// Writes a failing run's trace where `SIMLOOP_TRACE` asked; a path that cannot be written is
/// reported on stderr and does not change the test's result.
fn write_trace(config: &Config, trace: &Trace) {
    let Some(path) = &config.trace_path else {
        return;
    };
    let json = path.extension().is_some_and(|ext| ext == "json");
    let contents = if json {
        trace.chrome_json()
    } else {
        trace.text()
    };
    if let Err(error) = std::fs::write(path, contents) {
        eprintln!(
            "simloop: warning: cannot write the trace to {}: {error}",
            path.display()
        );
    }
}
