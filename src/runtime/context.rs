//! The one thread-local that connects in-simulation functions to the running simulation.
//!
//! async-task's schedule function must be `Send + Sync + 'static`, so it cannot capture the
//! simulation; it reaches the simulation through this thread-local instead. Only the run loop
//! installs and removes the context.

use std::cell::RefCell;
use std::rc::Rc;

use super::core::Core;
use crate::trace::TraceLevel;

thread_local! {
    static CURRENT: RefCell<Option<Rc<Core>>> = const { RefCell::new(None) };
}

/// Runs `f` with the current simulation, or panics with a message that names `what`.
#[inline]
#[track_caller]
pub(crate) fn with<R>(what: &'static str, f: impl FnOnce(&Core) -> R) -> R {
    CURRENT.with(|current| match current.borrow().as_deref() {
        Some(core) => f(core),
        None => outside(what),
    })
}

/// Runs `f` with the current simulation if there is one; used by destructors and wakers, which
/// may legitimately run after a simulation has ended.
#[inline]
pub(crate) fn try_with<R>(f: impl FnOnce(&Core) -> R) -> Option<R> {
    CURRENT
        .try_with(|current| current.borrow().as_deref().map(f))
        .ok()
        .flatten()
}

/// True while a simulation runs on this thread.
pub(crate) fn is_inside() -> bool {
    CURRENT
        .try_with(|current| current.borrow().is_some())
        .unwrap_or(false)
}

#[cold]
#[track_caller]
fn outside(what: &str) -> ! {
    panic!(
        "simloop: `{what}` called outside a simulation; it must run inside a future passed to \
         `Sim::run`, `simloop::run` or `simloop::check`"
    )
}

/// Installs `core` as this thread's simulation until the guard drops.
pub(crate) struct Installed;

impl Installed {
    pub(crate) fn new(core: Rc<Core>) -> Installed {
        CURRENT.with(|current| {
            let mut current = current.borrow_mut();
            if let Some(running) = current.as_ref() {
                let task = running.current_task_label();
                drop(current);
                panic!(
                    "simloop: a simulation cannot start inside another simulation (called from \
                     task `{task}`); spawn a task in the running simulation instead"
                );
            }
            *current = Some(core);
        });
        Installed
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        // Take the core out before dropping it, so destructors it runs see no simulation
        // instead of a borrowed cell.
        let core = CURRENT.with(|current| current.borrow_mut().take());
        drop(core);
    }
}

// The crate-internal API that primitives (`sync`) and simulated resources (`sim`) use. None of
// these panic outside a simulation: a primitive's non-awaiting operations work anywhere.

/// The running simulation's trace level, or `None` outside a simulation; cheap enough to call
/// on every operation of a primitive.
#[inline]
pub(crate) fn trace_level() -> Option<TraceLevel> {
    try_with(|core| core.trace_level)
}

/// Notes that the current task is blocked on `target`, for deadlock reports.
///
/// Takes the primitive by reference: the task table keeps its own handle only when the task did
/// not already wait on this very target, so a task blocking again on the same queue or lock
/// (every loop around one does) clones and drops nothing.
#[inline]
pub(crate) fn waiting_on<T: super::tasks::WaitTarget + 'static>(target: &Rc<T>) {
    try_with(|core| {
        core.set_waiting_on_target(Rc::as_ptr(target).cast(), || {
            Rc::clone(target) as Rc<dyn super::tasks::WaitTarget>
        })
    });
}

/// [`waiting_on`] for a target already behind `dyn`.
#[inline]
pub(crate) fn waiting_on_dyn(target: &Rc<dyn super::tasks::WaitTarget>) {
    try_with(|core| core.set_waiting_on_target(Rc::as_ptr(target).cast(), || Rc::clone(target)));
}

/// The task being polled, if any.
#[allow(dead_code)]
pub(crate) fn current_task() -> Option<crate::task::TaskId> {
    try_with(|core| core.current.get()).filter(|task| *task != crate::task::TaskId::NONE)
}

/// The label of `task` as reports print it (its name or `task-N`).
#[allow(dead_code)]
pub(crate) fn task_label(task: crate::task::TaskId) -> String {
    try_with(|core| core.tasks.borrow().label(task)).unwrap_or_else(|| task.to_string())
}
