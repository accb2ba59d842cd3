//! The state of one running simulation, shared through the thread-local context. Its fields
//! are private to the engine: everything else goes through the functions of `rt/mod.rs`.
//!
//! Every field sits in its own `Cell`/`RefCell` and no method holds a borrow while it wakes a
//! task or runs user code, because a wake re-enters the ready set.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::Location;
use std::rc::Rc;
use std::task::Waker;

use async_task::Runnable;

use super::context;
use super::extensions::{Extension, Extensions, RunInfo};
use super::inbox;
use super::ready::{Entry, Layout, ReadySet};
use super::spawn::TaskRef;
use super::tasks::{TaskState, TaskTable, WaitReason, WaitTarget};
use super::timers::{TimerHeap, TimerKey};
use super::watch::Local;
use super::Settings;
use crate::id::TaskId;
use crate::rng::{stream, SimRng, Stream};
use crate::trace::{EventKind, Trace, TraceLevel};

/// Why a run must stop that the task it happened in cannot report by returning.
pub(super) enum Pending {
    TaskLimit { limit: usize },
}

pub(super) struct Core {
    /// This simulation's generation, unique in the process (see `inbox`).
    pub(super) generation: u32,
    pub(super) seed: u64,
    pub(super) max_tasks: usize,
    pub(super) clock_ns: Cell<u64>,
    pub(super) step: Cell<u64>,
    /// The task being polled, or `TaskId::NONE` while the run loop itself works.
    pub(super) current: Cell<TaskId>,
    /// Set when the task the run loop is polling is aborted during that poll (by itself, or by
    /// the destructor of a task it aborted): it is dropped as soon as the poll returns.
    pub(super) running_aborted: Cell<bool>,
    /// True while pending tasks are being dropped at the end of a run.
    pub(super) tearing_down: Cell<bool>,
    pub(super) main_queued: Cell<bool>,
    pub(super) ready: RefCell<ReadySet>,
    pub(super) timers: RefCell<TimerHeap>,
    pub(super) tasks: RefCell<TaskTable>,
    pub(super) trace: RefCell<Trace>,
    /// The trace's level, fixed for the run: checked before an event is even built.
    pub(super) trace_level: TraceLevel,
    pub(super) user_rng: RefCell<SimRng>,
    pub(super) pending_failure: RefCell<Option<Pending>>,
    pub(super) extensions: Extensions,
    /// The driver's configuration, opaque here: extensions read their part of it.
    pub(super) config: Rc<dyn Any>,
    /// This thread's publications for the watchdog: each task's spawn site and name.
    pub(super) watch: Rc<Local>,
}

impl Core {
    pub(super) fn new(
        settings: &Settings,
        main_site: &'static Location<'static>,
        layout: Layout,
    ) -> Core {
        let mut tasks = TaskTable::default();
        tasks.insert(
            Some(Rc::from("main")),
            main_site,
            settings.main_future,
            TaskId::NONE,
        );
        let watch = Local::current();
        watch.spawned(TaskId::MAIN, main_site);
        Core {
            generation: inbox::open(),
            seed: settings.seed,
            max_tasks: settings.max_tasks,
            clock_ns: Cell::new(0),
            step: Cell::new(0),
            current: Cell::new(TaskId::NONE),
            running_aborted: Cell::new(false),
            tearing_down: Cell::new(false),
            main_queued: Cell::new(false),
            ready: RefCell::new(ReadySet::new(layout)),
            timers: RefCell::default(),
            tasks: RefCell::new(tasks),
            trace: RefCell::new(Trace::new(settings.trace)),
            trace_level: settings.trace,
            user_rng: RefCell::new(SimRng::new(stream(settings.seed, Stream::User))),
            pending_failure: RefCell::new(None),
            extensions: Extensions::default(),
            config: Rc::clone(&settings.config),
            watch,
        }
    }

    /// Records an event for the current task at the current time and step.
    #[inline(always)]
    pub(super) fn record(&self, kind: EventKind) {
        self.record_for(self.current.get(), kind);
    }

    /// Records an event for `task`. Inlined down to the level check, so that with the trace
    /// off the event is not even built.
    #[inline(always)]
    pub(super) fn record_for(&self, task: TaskId, kind: EventKind) {
        self.record_with(task, move || kind);
    }

    /// Records the event `kind` builds for `task`: what the hot paths use, so that the event is
    /// built inside the trace (see [`Trace::record_with`]).
    #[inline(always)]
    pub(super) fn record_with(&self, task: TaskId, kind: impl FnOnce() -> EventKind) {
        if self.tracing() {
            self.trace
                .borrow_mut()
                .record_with(self.clock_ns.get(), self.step.get(), task, kind);
        }
    }

    /// [`record_with`](Core::record_with) for a caller that computes the event's digest itself
    /// (see [`Trace::record_digested`]).
    #[inline(always)]
    pub(super) fn record_digested(
        &self,
        task: TaskId,
        kind: impl FnOnce() -> EventKind,
        digest: impl FnOnce(u64, &EventKind) -> u64,
    ) {
        if self.tracing() {
            self.trace.borrow_mut().record_digested(
                self.clock_ns.get(),
                self.step.get(),
                task,
                kind,
                digest,
            );
        }
    }

    /// Whether the trace records anything (its level is not `Off`).
    #[inline(always)]
    pub(super) fn tracing(&self) -> bool {
        self.trace_level != TraceLevel::Off
    }

    pub(super) fn current_task_label(&self) -> String {
        self.tasks.borrow().label(self.current.get())
    }

    /// Makes a spawned task ready; called by async-task when a task's waker fires.
    pub(super) fn schedule(&self, runnable: Runnable<TaskRef>) {
        let target = runnable.metadata().id;
        let by = self.current.get();
        if by != TaskId::NONE && by != target {
            self.record_with(by, move || EventKind::Wake { target });
        }
        self.ready.borrow_mut().push(Entry::Task(runnable.into()));
    }

    pub(super) fn schedule_main(&self) {
        if self.main_queued.replace(true) {
            return;
        }
        let by = self.current.get();
        if by != TaskId::NONE && by != TaskId::MAIN {
            self.record_with(by, || EventKind::Wake {
                target: TaskId::MAIN,
            });
        }
        self.ready.borrow_mut().push(Entry::Main);
    }

    /// Registers a new task; `None` (and a pending failure) once `max_tasks` is reached.
    pub(super) fn add_task(
        &self,
        name: Option<Rc<str>>,
        site: &'static Location<'static>,
        future: fn() -> &'static str,
    ) -> Option<TaskId> {
        let mut tasks = self.tasks.borrow_mut();
        if tasks.len() >= self.max_tasks {
            *self.pending_failure.borrow_mut() = Some(Pending::TaskLimit {
                limit: self.max_tasks,
            });
            return None;
        }
        if let Some(name) = &name {
            self.watch.named(TaskId(tasks.len() as u32), name);
        }
        let id = tasks.insert(name, site, future, self.current.get());
        self.watch.spawned(id, site);
        Some(id)
    }

    pub(super) fn start_task(&self, id: TaskId, runnable: Runnable<TaskRef>) {
        let mut tasks = self.tasks.borrow_mut();
        let tearing_down = self.tearing_down.get();
        tasks.start(id, runnable.waker(), tearing_down);
        // The name is looked up only if the trace keeps the event.
        self.record_with(self.current.get(), || EventKind::Spawn {
            child: id,
            name: tasks.name(id).cloned(),
        });
        drop(tasks);
        if tearing_down {
            // A task spawned while the run is torn down never runs, and its future is leaked
            // rather than dropped: dropping it runs user code, and a destructor that spawns
            // its own replacement would spawn again, once per drop, up to `max_tasks`. The
            // task stays pending and is listed as leaked.
            std::mem::forget(runnable);
            return;
        }
        self.ready.borrow_mut().push(Entry::Task(runnable.into()));
    }

    pub(super) fn finish_task(&self, id: TaskId, cancelled: bool) {
        let state = if cancelled {
            TaskState::Cancelled
        } else {
            TaskState::Finished
        };
        let waker = self.tasks.borrow_mut().finish(id, state);
        self.record_with(id, move || EventKind::Done { cancelled });
        drop(waker);
    }

    /// Aborts `target`: drops its future before returning when it is not on the stack, so that
    /// its destructors have run when `abort` returns (see `rt::abort`).
    pub(super) fn abort(&self, target: TaskId) {
        let Some(waker) = self.tasks.borrow_mut().abort(target) else {
            return;
        };
        self.record(EventKind::Abort { target });
        let Some(waker) = waker else {
            return;
        };
        if self.tearing_down.get() || target == TaskId::MAIN {
            // Teardown drops every task in creation order itself.
            waker.wake();
            return;
        }
        if target == self.current.get() {
            // The task aborts itself: it ends when this poll returns (`test_cancel_at_end`).
            self.running_aborted.set(true);
            waker.wake();
            return;
        }
        // Make the target current first: the wake below is then not recorded as a wake by the
        // aborting task, and its future is dropped as the target's own.
        let restore = Restore {
            core: self,
            current: self.current.replace(target),
            aborting: context::set_aborting(true),
        };
        // An idle task is queued at the back by its wake; a ready one is where it was.
        let fresh = self.ready.borrow().next_arrival();
        waker.wake();
        let runnable = self.ready.borrow_mut().take_task(target, fresh);
        match runnable {
            Some(runnable) => {
                runnable.run();
            }
            // Neither idle nor ready: it is the task the run loop polls, which a destructor
            // of a task it aborted aborts in turn. It ends when its poll returns.
            None => self.running_aborted.set(true),
        }
        drop(restore);
    }

    /// Drops `task`, the task the run loop just polled, which was aborted during that poll and
    /// returned `Pending`: its abort's wake queued it last. A task that ended in that poll is
    /// not queued, and this does nothing.
    pub(super) fn drop_aborted_current(&self, task: TaskId) {
        let fresh = self.ready.borrow().next_arrival().wrapping_sub(1);
        let runnable = self.ready.borrow_mut().take_task(task, fresh);
        if let Some(runnable) = runnable {
            context::set_aborting(true);
            runnable.run();
        }
    }

    /// Whether `task` belongs to this simulation (not to an ended one, nor another thread's).
    #[inline]
    pub(super) fn owns(&self, task: TaskRef) -> bool {
        task.generation == self.generation
    }

    /// Notes what the current task waits on, for deadlock reports.
    pub(super) fn set_waiting_on(&self, reason: WaitReason) {
        let current = self.current.get();
        self.tasks.borrow_mut().set_waiting_on(current, reason);
    }

    /// Notes that the current task waits on the primitive at `identity`; `target` makes the
    /// handle the task table keeps, called only if the task did not already wait on it.
    #[inline]
    pub(super) fn set_waiting_on_target(
        &self,
        identity: *const (),
        target: impl FnOnce() -> Rc<dyn WaitTarget>,
    ) {
        let current = self.current.get();
        self.tasks
            .borrow_mut()
            .set_waiting_on_target(current, identity, target);
    }

    /// Registers a timer that wakes `waker` at `deadline_ns`, traced as `owner`'s.
    pub(super) fn add_timer(&self, deadline_ns: u64, waker: &Waker, owner: TaskId) -> TimerKey {
        let key = self
            .timers
            .borrow_mut()
            .insert(deadline_ns, waker.clone(), owner);
        key.of_generation(self.generation)
    }

    pub(super) fn now_ns(&self) -> u64 {
        self.clock_ns.get()
    }

    /// The extension `T`, made by `make` on first use.
    pub(super) fn extension<T: Extension>(&self, make: impl FnOnce(RunInfo<'_>) -> T) -> Rc<T> {
        self.extensions.get_or_insert_with(|| {
            make(RunInfo {
                seed: self.seed,
                config: &*self.config,
            })
        })
    }
}

/// Puts back the current task and the aborting flag that a nested drop replaced, even if a
/// destructor panics.
struct Restore<'a> {
    core: &'a Core,
    current: TaskId,
    aborting: bool,
}

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        self.core.current.set(self.current);
        context::set_aborting(self.aborting);
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        inbox::close(self.generation);
    }
}
