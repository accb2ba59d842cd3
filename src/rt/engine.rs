//! [`Engine`]: the driver's handle on one run. The driver (`runtime`) decides *what* happens
//! next (whom the scheduler picks, when a limit ends the run, what a failure says); the engine
//! does it (takes the entry, polls it inside the simulation, moves the clock, tears down).

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe, Location};
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use super::context::{self, Installed};
use super::core::{Core, Pending};
use super::inbox::{self, Parked};
use super::polls::PollCounts;
use super::ready::{Entry, Layout, ReadyTask, ReadyView};
use super::tasks::TaskState;
use super::timers::Fired;
use super::watch::Watching;
use super::Settings;
use crate::id::{TaskId, TaskInfo, TaskSteps};
use crate::instant::Instant;
use crate::trace::{EventKind, Trace};

/// The main future as the engine polls it: in place, so that it may borrow from the caller
/// of `Sim::run`, with its output kept aside by the driver.
///
/// Behind `dyn` so that the run loop is not generic: a generic loop would be compiled in the
/// crate that calls `Sim::run`, at that crate's opt-level.
pub(crate) trait MainPoll {
    /// Polls the main future once; `Ready` once its output is stored.
    fn poll_main(&mut self, cx: &mut Context<'_>) -> Poll<()>;

    /// Drops the main future (its output, if any, stays).
    fn drop_future(&mut self);
}

/// What one poll came to.
pub(crate) enum Polled {
    /// The task returned `Pending`, or a spawned task ended (its handle has its output).
    Pending,
    /// The main future returned its output.
    MainDone,
    /// The task panicked.
    Panicked(Box<dyn Any + Send>),
    /// A limit was reached inside the poll: `max_tasks` was, with this limit.
    TaskLimit(usize),
}

/// Why the clock could not move.
pub(crate) enum ClockStop {
    /// Nothing is ready and no timer is pending.
    Deadlock,
    /// The next deadline lies past the run's time limit.
    TimeLimit,
}

/// The entry the engine took for the next step.
/// A pending task as a deadlock report describes it.
pub(crate) struct Blocked {
    pub(crate) info: TaskInfo,
    pub(crate) waiting_on: Option<String>,
    /// Its last recorded events, as text.
    pub(crate) events: Vec<String>,
    /// The step and time of its last recorded poll.
    pub(crate) last_poll: Option<(u64, Instant)>,
    /// The type of its future.
    pub(crate) future: &'static str,
}

pub(crate) struct Taken {
    entry: Entry,
}

impl Taken {
    /// The task that will run.
    #[inline]
    pub(crate) fn task(&self) -> TaskId {
        self.entry.task()
    }
}

/// One run's engine, installed as this thread's simulation until [`Engine::finish`].
pub(crate) struct Engine {
    core: Rc<Core>,
    waker: Waker,
    polls: PollCounts,
    fired: Vec<Fired>,
    /// Dropped before `installed`: the thread is idle for the watchdog once the run is over.
    watching: Watching,
    installed: Option<Installed>,
}

/// Wakes the main future by putting it in the ready set of its simulation, if that one runs on
/// this thread; otherwise (a real thread, another simulation, a waker kept from an ended run)
/// leaves a note in the inbox, which its simulation, if it still runs, reports.
struct MainWaker {
    generation: u32,
}

impl Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let generation = self.generation;
        let woken = context::try_with(|core| {
            let mine = core.generation == generation;
            if mine {
                core.schedule_main();
            }
            mine
        });
        if woken != Some(true) {
            inbox::park(Parked::Main(generation));
        }
    }
}

/// What is left of a run once the engine is done with it.
pub(crate) struct Finished {
    pub(crate) trace: Trace,
    pub(crate) elapsed: Duration,
    pub(crate) steps: u64,
}

impl Engine {
    /// Installs a new simulation on this thread, with the main future (spawned at `main_site`)
    /// ready. `live_polls` keeps poll counts current at every step, for schedulers that read
    /// them through the ready view; otherwise they are counted in batches.
    ///
    /// # Panics
    ///
    /// Inside another simulation.
    pub(crate) fn start(
        settings: &Settings,
        main_site: &'static Location<'static>,
        live_polls: bool,
        layout: Layout,
    ) -> Engine {
        let core = Rc::new(Core::new(settings, main_site, layout));
        let installed = Installed::new(Rc::clone(&core));
        // After the install, which refuses a simulation inside another: that one's watch
        // stays as it is.
        let watching = Watching::start(&core.watch, settings.watchdog, settings.label.clone());
        core.schedule_main();
        let generation = core.generation;
        Engine {
            core,
            waker: Waker::from(Arc::new(MainWaker { generation })),
            polls: PollCounts::new(live_polls),
            fired: Vec::new(),
            watching,
            installed: Some(installed),
        }
    }

    /// Steps taken so far.
    #[inline]
    pub(crate) fn step(&self) -> u64 {
        self.core.step.get()
    }

    /// A task of this run woken from outside it (from another thread), if any: the run cannot
    /// go on, since real threads are outside the model. Checked at every step, at the cost of
    /// one load; the woken tasks join the ready set, so that the teardown drops them here.
    #[inline]
    pub(crate) fn foreign_wake(&mut self) -> Option<TaskId> {
        if !inbox::any_parked() {
            return None;
        }
        self.claim_parked()
    }

    /// Moves the wakes parked for this run into the ready set; returns the first one's task.
    #[cold]
    fn claim_parked(&self) -> Option<TaskId> {
        let core = &*self.core;
        let mut first = None;
        for parked in inbox::claim(core.generation) {
            let task = match parked {
                Parked::Task(runnable) => {
                    let task = runnable.metadata().id;
                    core.ready.borrow_mut().push(Entry::Task(runnable.into()));
                    task
                }
                Parked::Main(_) => {
                    core.schedule_main();
                    TaskId::MAIN
                }
            };
            first.get_or_insert(task);
        }
        first
    }

    /// Whether no task is ready.
    #[inline]
    pub(crate) fn nothing_ready(&self) -> bool {
        self.core.ready.borrow().is_empty()
    }

    /// Takes the entry to run next: the only ready one, or the one `choose` picks from a view
    /// of the ready set (`choose` is not asked when one task is ready). Records the poll and
    /// counts it.
    ///
    /// Inlined, as is `poll`, into the run loop's one call site: a step is a handful of these
    /// calls, and as separate functions their arguments and results go through memory.
    #[inline(always)]
    pub(crate) fn take<E>(
        &mut self,
        previous: Option<TaskId>,
        choose: impl FnOnce(&ReadyView<'_>) -> Result<ReadyTask, E>,
    ) -> Result<Taken, E> {
        let core = &*self.core;
        let mut ready = core.ready.borrow_mut();
        let count = ready.len();
        let entry = if count == 1 {
            // No choice to make: the task that has been ready longest is the only one.
            ready.take_only()
        } else {
            let view = ready.view(previous, core.step.get(), self.polls.live());
            let chosen = choose(&view)?;
            ready.take(chosen.slot)
        };
        drop(ready);
        let task = entry.task();
        self.polls.count(task);
        let ready = count as u32;
        core.record_with(task, move || EventKind::Poll { ready });
        Ok(Taken { entry })
    }

    /// Polls the taken entry once, as step number `step() + 1`, catching a panic.
    #[inline(always)]
    pub(crate) fn poll(&mut self, taken: Taken, main: &mut dyn MainPoll) -> Polled {
        let core = &*self.core;
        let task = taken.task();
        let step = core.step.get() + 1;
        core.step.set(step);
        self.watching.poll(task, step);
        let polled = match taken.entry {
            Entry::Main => {
                core.main_queued.set(false);
                self.enter(task);
                let mut cx = Context::from_waker(&self.waker);
                match catch_unwind(AssertUnwindSafe(|| main.poll_main(&mut cx))) {
                    Ok(Poll::Ready(())) => Ok(true),
                    Ok(Poll::Pending) => Ok(false),
                    Err(payload) => Err(payload),
                }
            }
            Entry::Task(runnable) => {
                self.enter(task);
                catch_unwind(AssertUnwindSafe(|| {
                    runnable.run();
                    if core.running_aborted.replace(false) {
                        core.drop_aborted_current(task);
                    }
                }))
                .map(|_| false)
            }
        };
        core.current.set(TaskId::NONE);
        match polled {
            Ok(true) => {
                main.drop_future();
                core.record_for(task, EventKind::Done { cancelled: false });
                core.tasks.borrow_mut().finish(task, TaskState::Finished);
                Polled::MainDone
            }
            Ok(false) => Polled::Pending,
            Err(payload) => self.panicked(payload),
        }
    }

    /// What a caught panic came to: the task limit, if a spawn refused to exceed it, or the
    /// panic itself.
    fn panicked(&self, payload: Box<dyn Any + Send>) -> Polled {
        match self.core.pending_failure.borrow_mut().take() {
            Some(Pending::TaskLimit { limit }) => Polled::TaskLimit(limit),
            None => Polled::Panicked(payload),
        }
    }

    /// Makes `task` the current one and tells its wrapper whether it was aborted.
    #[inline(always)]
    fn enter(&self, task: TaskId) {
        let core = &*self.core;
        core.current.set(task);
        let aborted = core.tasks.borrow_mut().enter(task);
        context::set_aborting(aborted);
    }

    /// Nothing is ready: moves the clock to the next deadline (at most `max_ns`) and fires
    /// every timer due then, in registration order.
    ///
    /// Out of line: it runs once per move of the clock, and inlined into the run loop it
    /// makes the loop spill around every step.
    #[inline(never)]
    pub(crate) fn advance_clock(&mut self, max_ns: u64) -> Result<(), ClockStop> {
        let core = &*self.core;
        let next = core.timers.borrow_mut().next_deadline();
        let Some(deadline_ns) = next else {
            return Err(ClockStop::Deadlock);
        };
        if deadline_ns > max_ns {
            return Err(ClockStop::TimeLimit);
        }
        core.clock_ns.set(deadline_ns.max(core.now_ns()));
        self.watching.clock(core.now_ns());
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
    /// destructors inside the simulation; returns the ones that were still pending, then the
    /// ones spawned while tearing down (never polled, their futures leaked).
    ///
    /// A destructor that panics does not stop the teardown: `panicked` hears of each panic
    /// (the task and what came of it, a panic or the task limit) when it is caught, so that the
    /// driver can take its location before another one replaces it.
    pub(crate) fn tear_down(&mut self, panicked: &mut dyn FnMut(TaskId, Polled)) -> Vec<TaskInfo> {
        let core = &*self.core;
        core.tearing_down.set(true);
        let (mut leaked, first_new): (Vec<TaskInfo>, usize) = {
            let tasks = core.tasks.borrow();
            let leaked = tasks
                .pending_ids()
                .filter(|&id| id != TaskId::MAIN)
                .map(|id| tasks.info(id))
                .collect();
            (leaked, tasks.len())
        };
        // Drain ready entries queued by the main future's destructor or earlier steps.
        loop {
            let wakers = core.tasks.borrow_mut().abort_all_pending();
            for waker in wakers {
                waker.wake();
            }
            // A task woken from another thread is parked, not ready: it is dropped here too.
            if inbox::any_parked() {
                self.claim_parked();
            }
            let mut entries = core.ready.borrow_mut().drain();
            if entries.is_empty() {
                break;
            }
            entries.sort_by_key(Entry::task);
            for entry in entries {
                if let Entry::Task(runnable) = entry {
                    let task = *runnable.metadata();
                    self.watching.dropping(task, core.step.get());
                    core.current.set(task);
                    context::set_aborting(true);
                    let dropped = catch_unwind(AssertUnwindSafe(|| runnable.run()));
                    core.current.set(TaskId::NONE);
                    if let Err(payload) = dropped {
                        panicked(task, self.panicked(payload));
                    }
                }
            }
        }
        {
            let tasks = core.tasks.borrow();
            leaked.extend(
                tasks
                    .pending_ids()
                    .filter(|id| id.index() >= first_new)
                    .map(|id| tasks.info(id)),
            );
        }
        // Timers and stored wakers may still reference tasks; release them inside the context.
        let timers = std::mem::take(&mut *core.timers.borrow_mut());
        drop(timers);
        leaked
    }

    /// The main future is about to be dropped (the run is over): tells the watchdog, so that a
    /// destructor that never returns is reported as main's.
    pub(crate) fn dropping_main(&self) {
        self.watching.dropping(TaskId::MAIN, self.core.step.get());
    }

    // ---- What a failure report reads. ----

    /// The run's seed.
    pub(crate) fn seed(&self) -> u64 {
        self.core.seed
    }

    /// The virtual time now.
    pub(crate) fn now(&self) -> Instant {
        Instant::from_nanos(self.core.now_ns())
    }

    /// Who `task` is.
    pub(crate) fn task_info(&self, task: TaskId) -> TaskInfo {
        self.core.tasks.borrow().info(task)
    }

    /// Who every task of the run is, indexed by id.
    pub(crate) fn task_infos(&self) -> Vec<TaskInfo> {
        let tasks = self.core.tasks.borrow();
        (0..tasks.len())
            .map(|index| tasks.info(TaskId(index as u32)))
            .collect()
    }

    /// Every pending task, with what it waits on when that is known, its last `count`
    /// recorded events, and the step and time of its last recorded poll.
    pub(crate) fn blocked(&self, count: usize) -> Vec<Blocked> {
        let tasks = self.core.tasks.borrow();
        let mut trace = self.core.trace.borrow_mut();
        trace.labels = tasks.labels();
        tasks
            .pending_ids()
            .map(|id| {
                let (events, last_poll) = trace.task_lines(id, count);
                Blocked {
                    info: tasks.info(id),
                    waiting_on: tasks.describe_wait(id),
                    events,
                    last_poll,
                    future: tasks.future_type(id),
                }
            })
            .collect()
    }

    /// The last `count` events of the trace, as text.
    pub(crate) fn tail_lines(&self, count: usize) -> Vec<String> {
        let mut trace = self.core.trace.borrow_mut();
        trace.labels = self.core.tasks.borrow().labels();
        trace.tail_lines(count)
    }

    /// What the extensions (the simulated world) have to say in a report.
    pub(crate) fn world_lines(&self) -> Vec<String> {
        self.core.extensions.report_lines()
    }

    /// Every task's parent and poll count so far, indexed by task id.
    pub(crate) fn task_steps(&mut self) -> Vec<TaskSteps> {
        self.core.tasks.borrow().steps(self.polls.all())
    }

    /// Ends the run: takes the trace, drops the extensions and uninstalls the simulation.
    pub(crate) fn finish(mut self) -> Finished {
        let core = &*self.core;
        let mut trace = std::mem::take(&mut *core.trace.borrow_mut());
        trace.labels = core.tasks.borrow().labels();
        let finished = Finished {
            trace,
            elapsed: Duration::from_nanos(core.now_ns()),
            steps: core.step.get(),
        };
        core.extensions.clear();
        drop(self.installed.take());
        finished
    }
}
