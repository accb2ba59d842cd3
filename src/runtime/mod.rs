//! The run loop: `Sim`, `Run`, the task table, the ready set, limits and failure reports.
//!
//! Only the run loop polls; only the scheduler chooses; wakers only enqueue. One step is: ask
//! the scheduler for a ready task, record the choice, poll it. When nothing is ready the clock
//! jumps to the next deadline and fires every timer due then; when nothing is ready and no timer
//! is pending while the main future waits, the run is deadlocked.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe, Location};
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

pub(crate) mod context;
pub(crate) mod core;
pub(crate) mod extensions;
mod failure;
mod panics;
mod polls;
pub(crate) mod ready;
pub(crate) mod spare;
pub(crate) mod tasks;

use failure::panic_cause;
pub(crate) use failure::{failure_context, REPORT_EVENTS};
pub use failure::{BlockedTask, Failure, FailureContext};
pub use tasks::{TaskInfo, TaskSteps};

use self::core::{Core, Pending};
use self::ready::Entry;
use crate::config::{Config, ConfigError};
use crate::scheduler::{Deviation, Schedule, Scheduler};
use crate::task::TaskId;
use crate::time::timers::Fired;
use crate::trace::{EventKind, Trace};

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
    config: Config,
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
    /// cancels them silently at the end of `asyncio.run`; simloop lists them).
    pub leaked: Vec<TaskInfo>,
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
        Ok(Sim { config })
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
        let scheduler = self.config.strategy.scheduler(self.config.seed);
        self.run_at(scheduler, Location::caller(), future)
    }

    /// Runs `future` with a scheduler of your own instead of the config's strategy.
    ///
    /// # Panics
    ///
    /// As [`Sim::run`].
    #[track_caller]
    pub fn run_with<F: Future>(&self, scheduler: Box<dyn Scheduler>, future: F) -> Run<F::Output> {
        self.run_at(scheduler, Location::caller(), future)
    }

    fn run_at<F: Future>(
        &self,
        scheduler: Box<dyn Scheduler>,
        site: &'static Location<'static>,
        future: F,
    ) -> Run<F::Output> {
        panics::install_hook();
        let reads_polls = scheduler.reads_polls();
        let core = Rc::new(Core::new(&self.config, site));
        let installed = context::Installed::new(Rc::clone(&core));
        let mut run_loop = RunLoop {
            core: &core,
            config: &self.config,
            scheduler,
            schedule: Schedule::for_seed(self.config.seed),
            previous: None,
            fired: Vec::new(),
            choice_points: 0,
            polls: polls::PollCounts::new(reads_polls),
        };
        let mut main = MainFuture {
            future: pin!(Some(future)),
            output: None,
        };
        let outcome = run_loop.run(&mut main);
        // Describe a failure while the blocked tasks still wait on what they wait on.
        let result = outcome
            .map(|()| main.output.take().expect("the main future finished"))
            .map_err(|cause| run_loop.failure(cause));
        // Drop the main future first (it was created first), then every pending task, all
        // inside the simulation so their destructors can use it.
        let dropped = catch_unwind(AssertUnwindSafe(|| main.drop_future()));
        drop(dropped);
        let task_steps = core.tasks.borrow().steps(run_loop.polls.all());
        let leaked = run_loop.tear_down();
        let schedule = std::mem::take(&mut run_loop.schedule);
        let mut trace = std::mem::take(&mut *core.trace.borrow_mut());
        trace.labels = core.tasks.borrow().labels();
        let run = Run {
            result,
            trace,
            schedule,
            elapsed: Duration::from_nanos(core.now_ns()),
            steps: core.step.get(),
            choice_points: run_loop.choice_points,
            task_steps,
            leaked,
        };
        core.extensions.clear();
        drop(installed);
        run
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
    let scheduler = sim.config.strategy.scheduler(seed);
    sim.run_at(scheduler, Location::caller(), future).unwrap()
}

/// Why the run loop stopped without the main future's output.
enum Cause {
    Panic {
        task: TaskId,
        message: String,
        location: Option<String>,
    },
    Deadlock,
    StepLimit,
    TimeLimit,
    TaskLimit(usize),
    Divergence(String),
}

struct RunLoop<'a> {
    core: &'a Rc<Core>,
    config: &'a Config,
    scheduler: Box<dyn Scheduler>,
    schedule: Schedule,
    previous: Option<TaskId>,
    fired: Vec<Fired>,
    choice_points: u64,
    /// Polls of each task so far: schedulers that weigh tasks by the work they have left read
    /// them through the ready view.
    polls: polls::PollCounts,
}

/// Wakes the main future by putting it in the ready set of the simulation on this thread.
struct MainWaker;

impl Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        context::try_with(|core| core.schedule_main());
    }

    fn wake_by_ref(self: &Arc<Self>) {
        context::try_with(|core| core.schedule_main());
    }
}

/// The main future as the run loop sees it: polled in place, its output kept aside.
///
/// Behind `dyn` so that the run loop is not generic. A generic loop is compiled in the crate
/// that calls `Sim::run`, at that crate's opt-level: 0 in a test build, even when the test
/// crate's profile optimizes simloop. There it cost a W6 sweep 8% of its instructions.
trait PollMain {
    /// Polls the main future once; `Ready` once its output is stored.
    fn poll_main(&mut self, cx: &mut Context<'_>) -> Poll<()>;

    /// Drops the main future (its output, if any, stays).
    fn drop_future(&mut self);
}

struct MainFuture<'a, F: Future> {
    future: Pin<&'a mut Option<F>>,
    output: Option<F::Output>,
}

impl<F: Future> PollMain for MainFuture<'_, F> {
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

impl RunLoop<'_> {
    fn run(&mut self, main: &mut dyn PollMain) -> Result<(), Cause> {
        let core = self.core;
        let waker = Waker::from(Arc::new(MainWaker));
        let mut cx = Context::from_waker(&waker);
        core.schedule_main();
        loop {
            if core.ready.borrow().is_empty() {
                self.advance_clock()?;
                continue;
            }
            let step = core.step.get();
            if step >= self.config.max_steps {
                return Err(Cause::StepLimit);
            }
            let entry = self.pick(step)?;
            let task = entry.task();
            core.step.set(step + 1);
            self.previous = Some(task);
            match entry {
                Entry::Main => {
                    core.main_queued.set(false);
                    self.enter(task);
                    let polled = catch_unwind(AssertUnwindSafe(|| main.poll_main(&mut cx)));
                    core.current.set(TaskId::NONE);
                    match polled {
                        Ok(Poll::Ready(())) => {
                            main.drop_future();
                            core.record_for(task, EventKind::Done { cancelled: false });
                            core.tasks
                                .borrow_mut()
                                .finish(task, tasks::TaskState::Finished);
                            self.scheduler
                                .finished(step + 1)
                                .map_err(|divergence| Cause::Divergence(divergence.to_string()))?;
                            return Ok(());
                        }
                        Ok(Poll::Pending) => {}
                        Err(payload) => {
                            return Err(self
                                .pending_cause()
                                .unwrap_or_else(|| panic_cause(task, payload)))
                        }
                    }
                }
                Entry::Task(runnable) => {
                    self.enter(task);
                    let ran = catch_unwind(AssertUnwindSafe(|| runnable.run()));
                    core.current.set(TaskId::NONE);
                    if let Err(payload) = ran {
                        return Err(self
                            .pending_cause()
                            .unwrap_or_else(|| panic_cause(task, payload)));
                    }
                }
            }
        }
    }

    fn pick(&mut self, step: u64) -> Result<Entry, Cause> {
        let mut ready = self.core.ready.borrow_mut();
        let count = ready.len();
        let entry = if count == 1 {
            // No choice to make: the task that has been ready longest is the only one.
            ready.take_only()
        } else {
            let view = ready.view(self.previous, step, self.polls.live());
            let oldest = view.oldest();
            self.choice_points += 1;
            let chosen = self
                .scheduler
                .pick(&view)
                .map_err(|divergence| Cause::Divergence(divergence.to_string()))?;
            if chosen != oldest {
                self.schedule.push(Deviation {
                    step,
                    task: chosen.task,
                });
            }
            ready.take(chosen.slot)
        };
        drop(ready);
        let task = entry.task();
        self.polls.count(task);
        let ready = count as u32;
        self.core
            .record_with(task, move || EventKind::Poll { ready });
        Ok(entry)
    }

    /// Makes `task` the current one and tells its wrapper whether it was aborted.
    fn enter(&self, task: TaskId) {
        let core = self.core;
        core.current.set(task);
        let aborted = core.tasks.borrow_mut().enter(task);
        core.aborting.set(aborted);
    }

    fn pending_cause(&self) -> Option<Cause> {
        match self.core.pending_failure.borrow_mut().take()? {
            Pending::TaskLimit { limit } => Some(Cause::TaskLimit(limit)),
        }
    }

    /// Nothing is ready: move the clock to the next deadline and fire what is due.
    fn advance_clock(&mut self) -> Result<(), Cause> {
        let core = self.core;
        let next = core.timers.borrow_mut().next_deadline();
        let Some(deadline_ns) = next else {
            return Err(Cause::Deadlock);
        };
        let max_ns = u64::try_from(self.config.max_time.as_nanos()).unwrap_or(u64::MAX);
        if deadline_ns > max_ns {
            return Err(Cause::TimeLimit);
        }
        core.clock_ns.set(deadline_ns.max(core.now_ns()));
        core.timers
            .borrow_mut()
            .fire_due(core.now_ns(), &mut self.fired);
        for fired in self.fired.drain(..) {
            core.record_with(fired.owner, || EventKind::TimerFired);
            fired.waker.wake();
        }
        Ok(())
    }

    /// Drops every pending task in creation order (all of them aborted), running their
    /// destructors inside the simulation; returns the ones that were still pending.
    fn tear_down(&mut self) -> Vec<TaskInfo> {
        let core = self.core;
        core.tearing_down.set(true);
        let leaked: Vec<TaskInfo> = {
            let tasks = core.tasks.borrow();
            tasks
                .pending_ids()
                .filter(|&id| id != TaskId::MAIN)
                .map(|id| tasks.info(id))
                .collect()
        };
        // Drain ready entries queued by the main future's destructor or earlier steps.
        loop {
            let wakers = core.tasks.borrow_mut().abort_all_pending();
            for waker in wakers {
                waker.wake();
            }
            let mut entries = core.ready.borrow_mut().drain();
            if entries.is_empty() {
                break;
            }
            entries.sort_by_key(Entry::task);
            for entry in entries {
                if let Entry::Task(runnable) = entry {
                    let task = *runnable.metadata();
                    core.current.set(task);
                    core.aborting.set(true);
                    // A destructor that panics while the run is torn down cannot change the
                    // outcome any more; the task is gone either way.
                    let _ = catch_unwind(AssertUnwindSafe(|| runnable.run()));
                    core.current.set(TaskId::NONE);
                }
            }
        }
        // Timers and stored wakers may still reference tasks; release them inside the context.
        let timers = std::mem::take(&mut *core.timers.borrow_mut());
        drop(timers);
        leaked
    }
}
