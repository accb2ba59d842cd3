//! The engine: every piece of mechanism behind one closed, crate-internal interface.
//!
//! This directory holds the running simulation's state ([`core`], private fields), the one
//! thread-local that reaches it ([`context`]), the ready set and the view schedulers get, the
//! task table, the timer heap, the async-task glue, per-run extensions and the buffers kept
//! between runs. It imports only plain data from the rest of the crate (`id`, `rng`, `trace`,
//! `time::Instant`).
//!
//! Everything else is a client, through exactly two doors, both listed in this file:
//!
//! - **the facade functions** below (`now_ns`, `spawn`, `abort`, `record_op`, ...), which the
//!   user-facing modules (`task`, `time`, `sync`, `random`, `sim`) call from inside a
//!   simulation. They reach the running simulation through the thread-local and are plain,
//!   non-generic functions wherever the caller may be generic, so that they are compiled,
//!   optimized, here rather than in a test crate at opt-level 0;
//! - **[`Engine`]**, the handle the driver (`runtime`) owns for one run: pick, poll, advance
//!   the clock, tear down, and read what a report needs.
//!
//! Performance choices (packed flags, batched poll counts, recycled buffers, the trace's
//! closure-taking recorders, codegen switches) live here and in `trace`, never in a facade.

mod context;
mod core;
mod engine;
mod extensions;
mod inbox;
mod ops;
mod polls;
mod radix_heap;
mod ready;
mod recycle;
mod spawn;
mod tasks;
mod timers;
mod watch;

use std::any::Any;
use std::rc::Rc;

pub(crate) use engine::{ClockStop, Engine, MainPoll, Polled};
pub(crate) use extensions::{Extension, RunInfo};
pub(crate) use ops::{op, Detail, Label, StaticOp};
pub(crate) use ready::Layout as ReadyLayout;
pub use ready::{ReadyTask, ReadyView};
pub(crate) use spawn::{spawn, JoinTask, TaskRef};
use tasks::TaskState;
pub(crate) use tasks::{WaitReason, WaitTarget};
/// The timer heap itself, for the fuzz hooks only (`__fuzz`).
pub(crate) use timers::{Alarm, SleepTimer, TimerHeap, TimerKey};
pub(crate) use watch::{slots as watched_threads, RunLabel, Slot as WatchedThread, Stuck};

use crate::id::TaskId;
use crate::trace::{EventKind, TraceLevel};

/// What the engine needs to know of a run's configuration.
pub(crate) struct Settings {
    pub(crate) seed: u64,
    pub(crate) max_tasks: usize,
    pub(crate) trace: TraceLevel,
    /// The wall-clock limit of one poll, enforced by the watchdog thread (`None`: off).
    pub(crate) watchdog: Option<std::time::Duration>,
    /// What a watchdog report says of the run.
    pub(crate) label: RunLabel,
    /// The driver's whole configuration, opaque to the engine: extensions read their part of it
    /// (the simulated world its settings) through [`RunInfo`].
    pub(crate) config: Rc<dyn Any>,
    /// The main future's type, for deadlock reports.
    pub(crate) main_future: fn() -> &'static str,
}

// ---- The facade functions. ----
//
// Those that take `what` panic outside a simulation with a message naming it; the others work
// anywhere (a primitive's non-awaiting operations, destructors and wakers may run after a
// simulation ended) and do nothing outside one.

/// True while a simulation runs on this thread.
#[inline]
pub(crate) fn is_inside() -> bool {
    context::is_inside()
}

/// The virtual clock, in nanoseconds since the start.
#[track_caller]
pub(crate) fn now_ns(what: &'static str) -> u64 {
    context::with(what, |core| core.now_ns())
}

/// The running simulation's seed.
#[track_caller]
pub(crate) fn seed(what: &'static str) -> u64 {
    context::with(what, |core| core.seed)
}

/// Runs `f` with the simulation's user-stream generator.
#[track_caller]
pub(crate) fn with_user_rng<R>(
    what: &'static str,
    f: impl FnOnce(&mut crate::rng::SimRng) -> R,
) -> R {
    context::with(what, |core| f(&mut core.user_rng.borrow_mut()))
}

/// The task being polled, if any.
pub(crate) fn current_task() -> Option<TaskId> {
    context::try_with(|core| core.current.get()).filter(|task| *task != TaskId::NONE)
}

/// The running simulation's trace level, or `None` outside a simulation.
#[inline]
pub(crate) fn trace_level() -> Option<TraceLevel> {
    context::try_with(|core| core.trace_level)
}

/// Records `kind` for the current task.
#[track_caller]
pub(crate) fn record(what: &'static str, kind: EventKind) {
    context::with(what, |core| core.record(kind));
}

/// [`record`] that does nothing outside a simulation.
#[cfg(feature = "tracing")]
pub(crate) fn try_record(kind: EventKind) {
    context::try_with(|core| core.record(kind));
}

/// Records `object.op` for the current task; `op` is built only when the trace is on.
pub(crate) fn record_op(object: &Rc<str>, op: impl FnOnce() -> std::borrow::Cow<'static, str>) {
    context::try_with(|core| {
        if core.tracing() {
            core.record(EventKind::Op {
                object: Rc::clone(object),
                op: op(),
            });
        }
    });
}

/// Aborts `target`. A task other than the one running is dropped before this returns (its
/// destructors run nested, with it as the current task; a ready one leaves the ready set, and
/// the ready set counts the removal for schedulers' indexes); the running task ends when its
/// poll returns, cancelled even if it returned a value.
#[track_caller]
pub(crate) fn abort(what: &'static str, target: TaskId) {
    context::with(what, |core| core.abort(target));
}

/// [`abort`] for a task a handle names, which may belong to an ended simulation: such a task is
/// gone, and aborting it does nothing.
#[track_caller]
pub(crate) fn abort_task(what: &'static str, target: TaskRef) {
    context::with(what, |core| {
        if core.owns(target) {
            core.abort(target.id);
        }
    });
}

/// Whether `target` has ended (finished, or dropped after an abort); a task of an ended
/// simulation, or asked about outside one, has.
pub(crate) fn task_ended(target: TaskRef) -> bool {
    context::try_with(|core| {
        !core.owns(target) || core.tasks.borrow().state(target.id) != Some(TaskState::Pending)
    })
    .unwrap_or(true)
}

/// [`abort_task`] that does nothing outside a simulation (for destructors).
pub(crate) fn try_abort_task(target: TaskRef) {
    context::try_with(|core| {
        if core.owns(target) {
            core.abort(target.id);
        }
    });
}

/// Aborts every task of `targets` but the current one (and those of other simulations).
#[track_caller]
pub(crate) fn abort_others(what: &'static str, targets: &[TaskRef]) {
    context::with(what, |core| {
        let me = core.current.get();
        for &target in targets {
            if target.id != me && core.owns(target) {
                core.abort(target.id);
            }
        }
    });
}

/// Puts `task` in `group`; the tasks it spawns from then on inherit the group.
#[track_caller]
pub(crate) fn set_group(what: &'static str, task: TaskId, group: u32) {
    context::with(what, |core| core.tasks.borrow_mut().set_group(task, group));
}

/// The group `task` belongs to, if any (tasks of other simulations have none).
pub(crate) fn group_of(task: TaskId) -> Option<u32> {
    context::try_with(|core| core.tasks.borrow().group(task)).flatten()
}

/// The pending tasks of `group`, in creation order.
#[track_caller]
pub(crate) fn pending_in_group(what: &'static str, group: u32) -> Vec<TaskId> {
    context::with(what, |core| core.tasks.borrow().pending_in_group(group))
}

/// Notes why the current task returned `Pending`, for deadlock reports.
pub(crate) fn waiting_for(reason: WaitReason) {
    context::try_with(|core| core.set_waiting_on(reason));
}

/// Notes that the current task waits for `task` to end, for deadlock reports; nothing if `task`
/// belongs to another simulation.
pub(crate) fn waiting_for_task(task: TaskRef) {
    context::try_with(|core| {
        if core.owns(task) {
            core.set_waiting_on(WaitReason::Join(task.id));
        }
    });
}

/// Notes that the current task is blocked on `target`, for deadlock reports.
///
/// Takes the primitive by reference: the task table keeps its own handle only when the task did
/// not already wait on this very target, so a task blocking again on the same queue or lock
/// (every loop around one does) clones and drops nothing.
#[inline]
pub(crate) fn waiting_on<T: WaitTarget + 'static>(target: &Rc<T>) {
    context::try_with(|core| {
        core.set_waiting_on_target(Rc::as_ptr(target).cast(), || {
            Rc::clone(target) as Rc<dyn WaitTarget>
        })
    });
}

/// A reader that waits for bytes not yet written: notes the current task as the one `alarm`
/// wakes ([`Alarm::wait_here`]) and as blocked on `target` ([`waiting_on`]), in one look at the
/// simulation.
#[inline]
pub(crate) fn wait_here_on<T: WaitTarget + 'static>(alarm: &mut Alarm, target: &Rc<T>) {
    context::try_with(|core| {
        alarm.set_waiter(core.current.get());
        core.set_waiting_on_target(Rc::as_ptr(target).cast(), || {
            Rc::clone(target) as Rc<dyn WaitTarget>
        });
    });
}

/// One look at the running simulation, for a hot path that needs several things of it in one
/// poll (a socket's read or write: the clock, the trace level, its wake-up, its wait reason).
/// Each facade function above looks the simulation up through the thread-local on its own; a
/// poll that calls four of them pays for four look-ups.
pub(crate) struct Here<'a> {
    core: &'a core::Core,
}

impl Here<'_> {
    /// The virtual clock, in nanoseconds since the start.
    #[inline]
    pub(crate) fn now_ns(&self) -> u64 {
        self.core.now_ns()
    }

    /// Records the operation `op` builds on `label` for the current task, if the trace keeps
    /// operations of this detail ([`Label::record_with`]).
    #[inline]
    pub(crate) fn record_with(&self, label: &Label, detail: Detail, op: impl FnOnce() -> String) {
        if detail.kept_at(self.core.trace_level) {
            label.push_event_to(self.core, std::borrow::Cow::Owned(op()));
        }
    }

    /// Makes `waker` wake at `at_ns` through `alarm`, for the task that last armed it
    /// ([`Alarm::arm_for_waiter`]).
    #[inline]
    #[track_caller]
    pub(crate) fn arm(
        &self,
        alarm: &mut Alarm,
        what: &'static str,
        at_ns: u64,
        waker: &std::task::Waker,
    ) {
        alarm.arm_in(self.core, what, at_ns, waker);
    }
}

/// Runs `f` with one look at the running simulation ([`Here`]); panics outside one with a
/// message naming `what`.
#[inline]
#[track_caller]
pub(crate) fn here<R>(what: &'static str, f: impl FnOnce(&Here<'_>) -> R) -> R {
    context::with(what, |core| f(&Here { core }))
}

/// [`waiting_on`] for a target already behind `dyn`.
#[inline]
pub(crate) fn waiting_on_dyn(target: &Rc<dyn WaitTarget>) {
    context::try_with(|core| {
        core.set_waiting_on_target(Rc::as_ptr(target).cast(), || Rc::clone(target))
    });
}

/// The simulation's extension `T`, made by `make` on first use.
#[track_caller]
pub(crate) fn extension<T: Extension>(
    what: &'static str,
    make: impl FnOnce(RunInfo<'_>) -> T,
) -> Rc<T> {
    context::with(what, |core| core.extension(make))
}

/// [`extension`], or `None` outside a simulation.
pub(crate) fn try_extension<T: Extension>(make: impl FnOnce(RunInfo<'_>) -> T) -> Option<Rc<T>> {
    context::try_with(|core| core.extension(make))
}
