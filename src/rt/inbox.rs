//! Generations, and the process-wide inbox for wakes that reach a simulation from outside it.
//!
//! Every simulation gets a generation, unique in the process; a task's runnable and the main
//! future's waker carry theirs, and so do the handles that name a task or a timer. A wake whose
//! generation is not the one running on the waking thread did not come from inside the
//! simulation: a real thread, a simulation on another thread, or a waker kept from an ended run.
//!
//! A task's runnable from `spawn_local` must never be run or dropped on another thread (async-task
//! aborts the process), so such a wake is parked here rather than dropped. The owning simulation
//! checks [`any_parked`] at every step, claims its entries and ends the run with a failure
//! naming the task. An entry whose simulation has ended can never be claimed: it is kept here,
//! leaked on purpose, never dropped on the wrong thread.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_task::Runnable;

use super::spawn::TaskRef;

/// A wake that arrived from outside its simulation.
pub(super) enum Parked {
    Task(Runnable<TaskRef>),
    Main(u32),
}

impl Parked {
    fn generation(&self) -> u32 {
        match self {
            Parked::Task(runnable) => runnable.metadata().generation,
            Parked::Main(generation) => *generation,
        }
    }
}

struct Inbox {
    /// The generations of the simulations running now, on any thread.
    live: Vec<u32>,
    /// Wakes waiting for their (live) simulation to claim them.
    parked: Vec<Parked>,
    /// Runnables whose simulation ended: they can be neither run nor dropped here.
    leaked: Vec<Runnable<TaskRef>>,
}

static NEXT_GENERATION: AtomicU32 = AtomicU32::new(1);
/// Whether `parked` may hold something: the one thing a simulation reads at every step.
static ANY_PARKED: AtomicBool = AtomicBool::new(false);
static INBOX: Mutex<Inbox> = Mutex::new(Inbox {
    live: Vec::new(),
    parked: Vec::new(),
    leaked: Vec::new(),
});

fn inbox() -> MutexGuard<'static, Inbox> {
    // The inbox is consistent between any two statements that touch it: a poisoned lock only
    // means another thread panicked while holding it.
    INBOX.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A new simulation's generation, registered as live until [`close`].
pub(super) fn open() -> u32 {
    let generation = NEXT_GENERATION.fetch_add(1, Ordering::Relaxed);
    inbox().live.push(generation);
    generation
}

/// The simulation of `generation` has ended: what is still parked for it is kept for good.
pub(super) fn close(generation: u32) {
    let mut inbox = inbox();
    inbox.live.retain(|&live| live != generation);
    for parked in take_parked(&mut inbox, generation) {
        if let Parked::Task(runnable) = parked {
            inbox.leaked.push(runnable);
        }
    }
}

/// Parks a wake of the simulation it names, or keeps it for good if that one has ended.
#[cold]
pub(super) fn park(parked: Parked) {
    let mut inbox = inbox();
    if inbox.live.contains(&parked.generation()) {
        inbox.parked.push(parked);
        ANY_PARKED.store(true, Ordering::Release);
    } else if let Parked::Task(runnable) = parked {
        inbox.leaked.push(runnable);
    }
}

/// Whether some simulation may have wakes to claim.
#[inline(always)]
pub(super) fn any_parked() -> bool {
    ANY_PARKED.load(Ordering::Relaxed)
}

/// Takes the wakes parked for the simulation of `generation`, in arrival order.
#[cold]
pub(super) fn claim(generation: u32) -> Vec<Parked> {
    take_parked(&mut inbox(), generation)
}

fn take_parked(inbox: &mut Inbox, generation: u32) -> Vec<Parked> {
    let (mine, others) = std::mem::take(&mut inbox.parked)
        .into_iter()
        .partition(|parked| parked.generation() == generation);
    inbox.parked = others;
    ANY_PARKED.store(!inbox.parked.is_empty(), Ordering::Release);
    mine
}
