//! The driver: `Sim`, `Run` and `simloop::run` run the engine (`rt`) under a scheduler; the
//! loop itself is in `run_loop.rs`, failure reports in `failure.rs`.
//!
//! This is the only module that holds both an [`Engine`] and a [`Scheduler`].

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe, Location};
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

mod failure;
mod panics;
mod run_loop;
mod watchdog;

pub(crate) use failure::{failure_context, REPORT_EVENTS};
pub use failure::{BlockedTask, Failure, FailureContext};

use crate::config::{Config, ConfigError};
use crate::id::TaskId;
pub use crate::id::{TaskInfo, TaskSteps};
use crate::rt::{self, Engine, MainPoll};
use crate::scheduler::{Schedule, Scheduler, Strategy, SweepHints};
use crate::trace::Trace;
use run_loop::{Cause, RunLoop};

/// A simulation: runs one future to completion under a [`Config`].
///
/// # Examples
///
/// ```
/// use simloop::{Config, Sim, Strategy};
/// use simloop::time::{now, sleep};
/// use std::time::Duration;
///
/// let sim = Sim::new(Config::default().with_strategy(Strategy::Fifo));
/// let run = sim.run(async {
///     sleep(Duration::from_secs(3)).await;
///     now()
/// });
/// assert_eq!(run.result.unwrap().since_start(), Duration::from_secs(3));
/// assert_eq!(run.elapsed, Duration::from_secs(3));
/// ```
#[derive(Clone, Debug)]
pub struct Sim {
    /// Shared with the engine, which hands it to extensions (the simulated world reads its
    /// settings from it).
    config: Rc<Config>,
}

/// The outcome of [`Sim::run`]: the result or failure, and how the run went.
#[derive(Debug)]
#[non_exhaustive]
pub struct Run<T> {
    /// The main future's output, or why the run failed.
    pub result: Result<T, Failure>,
    /// What happened, at the config's [`TraceLevel`](crate::TraceLevel).
    pub trace: Trace,
    /// Every scheduling choice, ready to replay.
    pub schedule: Schedule,
    /// Virtual time when the run ended.
    pub elapsed: Duration,
    /// Polls performed.
    pub steps: u64,
    /// Steps at which more than one task was ready, so the scheduler chose.
    pub choice_points: u64,
    /// Every task's parent and number of polls, indexed by task id (`main` first).
    pub task_steps: Vec<TaskSteps>,
    /// Tasks still pending when the main future finished, dropped in creation order (asyncio
    /// cancels them silently at the end of `asyncio.run`; simloop lists them), then the tasks
    /// their destructors spawned, which never run and whose futures are leaked, not dropped.
    pub leaked: Vec<TaskInfo>,
    /// Who every task was, indexed by id: kept only with a full trace, for reports that
    /// compare runs.
    pub(crate) tasks: Vec<TaskInfo>,
}

impl<T> Run<T> {
    /// The main future's output.
    ///
    /// # Panics
    ///
    /// With the failure report if the run failed.
    ///
    /// # Examples
    ///
    /// ```
    /// let run = simloop::Sim::new(simloop::Config::default()).run(async { 3 });
    /// assert_eq!(run.unwrap(), 3);
    /// ```
    #[track_caller]
    pub fn unwrap(self) -> T {
        match self.result {
            Ok(value) => value,
            Err(failure) => panic!("{failure}"),
        }
    }
}

impl Sim {
    /// A simulation with `config`.
    ///
    /// # Panics
    ///
    /// If `config` cannot work (see [`Config::validate`]); use [`Sim::try_new`] to get the error.
    #[track_caller]
    pub fn new(config: Config) -> Sim {
        match Sim::try_new(config) {
            Ok(sim) => sim,
            Err(error) => panic!("simloop: {error}"),
        }
    }

    /// A simulation with `config`, or the reason it cannot work.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the field at fault.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::{Config, Sim};
    ///
    /// let err = Sim::try_new(Config::default().with_max_steps(0)).unwrap_err();
    /// assert!(err.to_string().contains("max_steps"));
    /// ```
    pub fn try_new(config: Config) -> Result<Sim, ConfigError> {
        config.validate()?;
        Ok(Sim {
            config: Rc::new(config),
        })
    }

    /// The config this simulation runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Runs `future` as the main task under the config's strategy and returns how it went.
    ///
    /// The future may borrow from the caller: it is polled in place, not spawned.
    ///
    /// # Panics
    ///
    /// Inside another simulation. Panics of tasks are not propagated: they end the run with
    /// [`Failure::Panic`].
    #[track_caller]
    pub fn run<F: Future>(&self, future: F) -> Run<F::Output> {
        let strategy = &self.config.strategy;
        let seed = self.config.seed;
        self.run_strategy(
            strategy,
            seed,
            &SweepHints::default(),
            Location::caller(),
            future,
        )
    }

    /// Runs `future` with a scheduler of your own instead of the config's strategy.
    ///
    /// # Panics
    ///
    /// As [`Sim::run`].
    #[track_caller]
    pub fn run_with<F: Future>(&self, scheduler: Box<dyn Scheduler>, future: F) -> Run<F::Output> {
        // A scheduler of the user's own may read poll counts and the ready set's order at any
        // step: keep both.
        self.run_at(
            scheduler,
            true,
            rt::ReadyLayout::Ordered,
            Location::caller(),
            future,
        )
    }

    /// [`Sim::run_with`] recording `site` as the main future's spawn site: sweeps pass the
    /// location of the user's call to `check` or `explore`.
    pub(crate) fn run_with_site<F: Future>(
        &self,
        scheduler: Box<dyn Scheduler>,
        site: &'static Location<'static>,
        future: F,
    ) -> Run<F::Output> {
        self.run_at(scheduler, true, rt::ReadyLayout::Ordered, site, future)
    }

    /// Runs `future` under one of the built-in strategies, which the loop knows well enough
    /// to count polls in batches when the strategy never reads them.
    pub(crate) fn run_strategy<F: Future>(
        &self,
        strategy: &Strategy,
        seed: u64,
        hints: &SweepHints,
        site: &'static Location<'static>,
        future: F,
    ) -> Run<F::Output> {
        let scheduler = strategy.scheduler_with(seed, hints);
        let layout = if strategy.only_samples(seed) {
            rt::ReadyLayout::Dense
        } else {
            rt::ReadyLayout::Ordered
        };
        self.run_at(scheduler, strategy.reads_polls(seed), layout, site, future)
    }

    fn run_at<F: Future>(
        &self,
        scheduler: Box<dyn Scheduler>,
        live_polls: bool,
        layout: rt::ReadyLayout,
        site: &'static Location<'static>,
        future: F,
    ) -> Run<F::Output> {
        panics::install_hook();
        // Panics caught and swallowed before the run are no concern of its own.
        panics::take_location();
        if self.config.watchdog.is_some() {
            watchdog::ensure_started();
        }
        let settings = rt::Settings {
            seed: self.config.seed,
            max_tasks: self.config.max_tasks,
            trace: self.config.trace,
            watchdog: self.config.watchdog,
            label: rt::RunLabel {
                seed: self.config.seed,
                strategy: scheduler.name(),
                replay: self.config.replay.as_ref().map(ToString::to_string),
                test_name: panics::test_name(),
            },
            config: Rc::clone(&self.config) as Rc<dyn std::any::Any>,
            main_future: std::any::type_name::<F>,
        };
        let engine = Engine::start(&settings, site, live_polls, layout);
        let mut main = MainFuture {
            future: pin!(Some(future)),
            output: None,
        };
        let mut run_loop = RunLoop::new(engine, &self.config, scheduler);
        let outcome = run_loop.run(&mut main);
        // Describe a failure while the blocked tasks still wait on what they wait on.
        let mut result = outcome
            .map(|()| main.output.take().expect("the main future finished"))
            .map_err(|cause| run_loop.failure(cause));
        // Drop the main future first (it was created first), then every pending task, all
        // inside the simulation so their destructors can use it. A destructor that panics
        // fails the run like any other panic, unless the run had already failed: the first
        // failure is kept.
        let mut late: Option<Cause> = None;
        run_loop.engine.dropping_main();
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| main.drop_future())) {
            late = Some(run_loop::panic_cause_of(TaskId::MAIN, payload));
        }
        let task_steps = run_loop.engine.task_steps();
        let tasks = if self.config.trace == crate::trace::TraceLevel::Full {
            run_loop.engine.task_infos()
        } else {
            Vec::new()
        };
        let leaked = run_loop.engine.tear_down(&mut |task, polled| {
            // Taken even when an earlier failure is kept, so the panic hook's record is cleared.
            let cause = run_loop::cause_of(task, polled);
            if late.is_none() {
                late = cause;
            }
        });
        if let (Ok(_), Some(cause)) = (&result, late) {
            result = Err(run_loop.failure(cause));
        }
        // Destructors' panics during the teardown were caught there.
        panics::take_location();
        let (engine, schedule, choice_points) = run_loop.into_parts();
        let finished = engine.finish();
        Run {
            result,
            trace: finished.trace,
            schedule,
            elapsed: finished.elapsed,
            steps: finished.steps,
            choice_points,
            task_steps,
            leaked,
            tasks,
        }
    }
}

/// Runs `future` once with `seed` and the default config, and returns its output.
///
/// # Panics
///
/// With the failure report (which includes the replay line) if the run fails.
///
/// # Examples
///
/// ```
/// use simloop::time::{now, sleep};
/// use std::time::Duration;
///
/// let t = simloop::run(42, async {
///     sleep(Duration::from_secs(1)).await;
///     now()
/// });
/// assert_eq!(t.since_start(), Duration::from_secs(1));
/// ```
#[track_caller]
pub fn run<F: Future>(seed: u64, future: F) -> F::Output {
    let sim = Sim::new(Config::default().with_seed(seed));
    let strategy = &sim.config.strategy;
    sim.run_strategy(
        strategy,
        seed,
        &SweepHints::default(),
        Location::caller(),
        future,
    )
    .unwrap()
}

/// True while a simulation runs on this thread: inside a future passed to [`Sim::run`],
/// [`run`] or [`check`](crate::check), and in every task it spawns.
///
/// One thread-local read. Crates that serve both worlds (such as a tokio facade) call it to
/// choose between simloop and a real runtime.
///
/// # Examples
///
/// ```
/// assert!(!simloop::is_simulating());
/// assert!(simloop::run(0, async { simloop::is_simulating() }));
/// ```
#[inline]
pub fn is_simulating() -> bool {
    crate::rt::is_inside()
}

/// The main future, polled in place through [`MainPoll`], its output kept aside.
struct MainFuture<'a, F: Future> {
    future: Pin<&'a mut Option<F>>,
    output: Option<F::Output>,
}

impl<F: Future> MainPoll for MainFuture<'_, F> {
    fn poll_main(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some(future) = self.future.as_mut().as_pin_mut() else {
            return Poll::Pending;
        };
        future.poll(cx).map(|output| self.output = Some(output))
    }

    fn drop_future(&mut self) {
        self.future.set(None);
    }
}
