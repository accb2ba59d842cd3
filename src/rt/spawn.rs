//! The async-task glue: what a spawned task is made of, and the plain functions through which
//! its generic parts reach the simulation.
//!
//! Generic code is compiled in the crate that instantiates it, at that crate's opt-level (0 in
//! a test build, even when its profile optimizes simloop). So the generic part of a spawn is
//! only what must be generic, building the task and its body ([`RunTask`]); registering,
//! starting, scheduling and finishing a task are plain functions compiled here.

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use async_task::{FallibleTask, Runnable};
use pin_project_lite::pin_project;

use super::context;
use super::inbox::{self, Parked};
use crate::id::TaskId;

/// The handle's side of a spawned task: `Some(output)`, or `None` if the task was dropped
/// after an abort (or never ran before the run ended).
pub(crate) type JoinTask<T> = FallibleTask<Option<T>, TaskRef>;

/// A task of one simulation: its id, and the generation of the simulation it belongs to (see
/// [`inbox`]). The runnable's metadata, and what a handle keeps: ids restart at 0 in every
/// run, so an id alone would name another task in the next run on the same thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TaskRef {
    pub(crate) id: TaskId,
    pub(crate) generation: u32,
}

/// Spawns `future` as a task named `name`, spawned at `site`; it first runs after every task
/// already ready.
///
/// # Panics
///
/// Outside a simulation, and once the run's `max_tasks` is reached (the run then ends with a
/// task-limit failure); the refused future is then leaked, not dropped, so that no destructor
/// of it runs (and spawns again) while the panic unwinds. A task spawned while the run is torn
/// down is never polled and its future is leaked likewise (see `Core::start_task`).
pub(crate) fn spawn<F>(
    name: Option<Rc<str>>,
    site: &'static Location<'static>,
    future: F,
) -> (TaskRef, JoinTask<F::Output>)
where
    F: Future + 'static,
    F::Output: 'static,
{
    let Some(task) = register(name, site, std::any::type_name::<F>) else {
        // Dropping the refused future would run its destructors, user code that may spawn
        // again, and panic again while this panic unwinds (a stack overflow, then an abort).
        // It is leaked instead: the run ends with a task-limit failure anyway.
        std::mem::forget(future);
        task_limit_reached();
    };
    let (runnable, handle) = async_task::Builder::new().metadata(task).spawn_local(
        move |_| RunTask {
            future: Some(future),
        },
        schedule,
    );
    start(task.id, runnable);
    (task, handle.fallible())
}

/// Adds a task to the current simulation's table and returns it; `None` once `max_tasks` is
/// reached.
fn register(
    name: Option<Rc<str>>,
    site: &'static Location<'static>,
    future: fn() -> &'static str,
) -> Option<TaskRef> {
    context::with("simloop::task::spawn", |core| {
        let id = core.add_task(name, site, future)?;
        Some(TaskRef {
            id,
            generation: core.generation,
        })
    })
}

#[cold]
#[track_caller]
fn task_limit_reached() -> ! {
    let limit = context::with("simloop::task::spawn", |core| core.max_tasks);
    panic!("simloop: max_tasks ({limit}) reached; raise Config::max_tasks if this is intended")
}

/// Queues a registered task's first poll.
fn start(id: TaskId, runnable: Runnable<TaskRef>) {
    context::with("simloop::task::spawn", |core| core.start_task(id, runnable));
}

/// Whether the run loop is polling the current task only to drop it (it was aborted).
fn current_aborted() -> bool {
    context::aborting()
}

/// Marks the current task ended, its future about to be dropped; returns whether it ended
/// cancelled, which it did if it was aborted during this poll even though it returned a value
/// (asyncio's `test_cancel_at_end`).
fn current_finished(cancelled: bool) -> bool {
    context::with("simloop::task", |core| {
        let cancelled = cancelled || core.running_aborted.get();
        core.finish_task(core.current.get(), cancelled);
        cancelled
    })
}

/// async-task's schedule function, run by whoever wakes the task: hands the task to its
/// simulation if that one runs on this thread; otherwise (a real thread, another simulation, a
/// waker kept from an ended run) parks the runnable in the [`inbox`], since it may be neither run
/// nor dropped here.
fn schedule(runnable: Runnable<TaskRef>) {
    let mut runnable = Some(runnable);
    context::try_with(|core| {
        if let Some(mine) =
            runnable.take_if(|runnable| runnable.metadata().generation == core.generation)
        {
            core.schedule(mine);
        }
    });
    if let Some(stray) = runnable {
        inbox::park(Parked::Task(stray));
    }
}

pin_project! {
    /// The body of every task: polls `future` until it ends or the run loop says it was aborted,
    /// in which case the future is dropped here, inside the simulation, without being polled
    /// again (nested in `abort`, or right after the poll in which the task was aborted).
    ///
    /// A hand-written future rather than an `async fn`: an `async fn` keeps its argument and the
    /// local it is moved into side by side, which doubles every task's allocation. It does not
    /// store its id either: the run loop makes the task current before polling it.
    struct RunTask<F> {
        #[pin]
        future: Option<F>,
    }
}

impl<F: Future> Future for RunTask<F> {
    type Output = Option<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let result = if current_aborted() {
            this.future.set(None);
            None
        } else {
            match this.future.as_mut().as_pin_mut() {
                Some(inner) => match inner.poll(cx) {
                    Poll::Ready(output) => Some(output),
                    Poll::Pending => return Poll::Pending,
                },
                None => None,
            }
        };
        let result = if current_finished(result.is_none()) {
            None
        } else {
            result
        };
        // The finished future goes after the task is marked done, as it would at the end of an
        // `async fn` body.
        this.future.set(None);
        Poll::Ready(result)
    }
}
