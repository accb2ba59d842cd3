//! The one thread-local that connects in-simulation functions to the running simulation.
//!
//! async-task's schedule function must be `Send + Sync + 'static`, so it cannot capture the
//! simulation; it reaches the simulation through this thread-local instead. Only [`Engine`]
//! installs and removes the context.
//!
//! [`Engine`]: super::Engine

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::core::Core;

thread_local! {
    static CURRENT: RefCell<Option<Rc<Core>>> = const { RefCell::new(None) };
    /// Whether `CURRENT` holds a simulation, kept apart so that [`is_inside`] (called by code
    /// that serves both worlds, such as the tokio facade, on every call) is one load: no
    /// `RefCell` borrow, and no registration check since a `Cell<bool>` needs no destructor.
    static INSIDE: Cell<bool> = const { Cell::new(false) };
    /// Whether the task being polled is polled only to drop its future (it was aborted): read
    /// by every task's body at every poll, so kept, like `INSIDE`, where reading it is one load.
    static ABORTING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with the current simulation, or panics with a message that names `what`.
#[inline]
#[track_caller]
pub(super) fn with<R>(what: &'static str, f: impl FnOnce(&Core) -> R) -> R {
    CURRENT.with(|current| match current.borrow().as_deref() {
        Some(core) => f(core),
        None => outside(what),
    })
}

/// Runs `f` with the current simulation if there is one; used by destructors and wakers, which
/// may legitimately run after a simulation has ended.
#[inline]
pub(super) fn try_with<R>(f: impl FnOnce(&Core) -> R) -> Option<R> {
    CURRENT
        .try_with(|current| current.borrow().as_deref().map(f))
        .ok()
        .flatten()
}

/// Whether the task being polled is polled only to drop its future.
#[inline]
pub(super) fn aborting() -> bool {
    ABORTING.with(Cell::get)
}

/// Sets [`aborting`]; returns what it was.
#[inline]
pub(super) fn set_aborting(aborting: bool) -> bool {
    ABORTING.with(|cell| cell.replace(aborting))
}

/// True while a simulation runs on this thread.
#[inline]
pub(super) fn is_inside() -> bool {
    INSIDE.with(Cell::get)
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
pub(super) struct Installed;

impl Installed {
    pub(super) fn new(core: Rc<Core>) -> Installed {
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
            INSIDE.with(|inside| inside.set(true));
        });
        Installed
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        // Take the core out before dropping it, so destructors it runs see no simulation
        // instead of a borrowed cell.
        let core = CURRENT.with(|current| current.borrow_mut().take());
        INSIDE.with(|inside| inside.set(false));
        ABORTING.with(|aborting| aborting.set(false));
        drop(core);
    }
}
