//! Tasks: [`spawn`], [`JoinHandle`], [`yield_now`], [`gather`] and [`TaskGroup`].
//!
//! A spawned task is never polled inline: like asyncio's `create_task`, it joins the tail of the
//! ready set and its body starts after everything already queued. Cancellation is drop:
//! [`JoinHandle::abort`] drops the task's future before it returns, so its destructors
//! (asyncio's `finally` and `__aexit__`) have run and it has left every primitive's queue by
//! then; dropping a [`TaskGroup::join`] or a [`gather`] aborts the children the
//! same way, so their cleanup comes before the awaiter goes on. A task that aborts itself ends
//! when its poll returns, cancelled even if it returned a value. Code that catches
//! `CancelledError` and carries on has no Rust counterpart; a dropped future cannot resume.
//!
//! # Examples
//!
//! ```
//! use simloop::task::spawn;
//! use simloop::time::{now, sleep};
//! use std::time::Duration;
//!
//! simloop::run(0, async {
//!     let a = spawn(async { sleep(Duration::from_secs(3)).await; 1 });
//!     let b = spawn(async { sleep(Duration::from_secs(3)).await; 2 });
//!     assert_eq!(a.await.unwrap() + b.await.unwrap(), 3);
//!     assert_eq!(now().since_start(), Duration::from_secs(3)); // concurrent, not 6
//! });
//! ```

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::rt::{self, JoinTask, TaskRef};

mod gather;
mod group;
mod log;

pub use crate::id::TaskId;
pub use gather::{gather, gather_settled, Gather, GatherSettled};
pub use group::{TaskGroup, TaskGroupClosed};
#[doc(hidden)]
pub use log::log_line;

/// Why awaiting a [`JoinHandle`] gave no value.
///
/// # Examples
///
/// ```
/// use simloop::task::{spawn, JoinError};
///
/// simloop::run(0, async {
///     let handle = spawn(async { 1 });
///     handle.abort(); // before its first poll: the body never runs
///     assert_eq!(handle.await, Err(JoinError::Cancelled));
/// });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JoinError {
    /// The task was aborted (or dropped when the run ended) before it finished.
    Cancelled,
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::Cancelled => f.write_str("task was cancelled"),
        }
    }
}

impl Error for JoinError {}

/// Spawns `future` as a new task; it first runs after every task already ready.
///
/// The spawn site (`file:line`) is recorded for deadlock and leak reports.
///
/// # Panics
///
/// Outside a simulation. If the run's `max_tasks` is reached, the run ends with
/// [`Failure::TaskLimit`](crate::Failure::TaskLimit).
///
/// # Examples
///
/// ```
/// simloop::run(0, async {
///     let handle = simloop::task::spawn(async { 6 * 7 });
///     assert_eq!(handle.await, Ok(42));
/// });
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    spawn_at(None, Location::caller(), future)
}

/// Spawns `future` as a task called `name`, which the trace and reports print.
///
/// # Panics
///
/// As [`spawn`].
///
/// # Examples
///
/// ```
/// use simloop::{task::spawn_named, Config, Sim, TraceLevel};
///
/// let run = Sim::new(Config::default().with_trace(TraceLevel::Full)).run(async {
///     spawn_named("fetcher", async {}).await.unwrap();
/// });
/// assert!(run.trace.text().contains("spawn fetcher (#1)"));
/// ```
#[track_caller]
pub fn spawn_named<F>(name: impl Into<String>, future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    spawn_at(Some(Rc::from(name.into())), Location::caller(), future)
}

pub(crate) fn spawn_at<F>(
    name: Option<Rc<str>>,
    site: &'static Location<'static>,
    future: F,
) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let (task_ref, task) = rt::spawn(name, site, future);
    JoinHandle {
        task_ref,
        task: Some(task),
    }
}

/// An owned permission to await a task's result or abort it. Dropping it detaches the task.
///
/// Awaiting gives `Ok(value)`, or `Err(JoinError::Cancelled)` if the task was aborted. A task
/// that panics ends the whole run with [`Failure::Panic`](crate::Failure::Panic).
///
/// # Cancel safety
///
/// Dropping the future (the handle) detaches the task; it keeps running.
///
/// # Examples
///
/// ```
/// use simloop::task::spawn;
/// use simloop::time::sleep;
/// use std::time::Duration;
///
/// simloop::run(0, async {
///     let handle = spawn(async { sleep(Duration::from_secs(1)).await; "done" });
///     assert!(!handle.is_finished());
///     assert_eq!(handle.await, Ok("done"));
/// });
/// ```
#[must_use = "dropping a JoinHandle detaches the task; call `.detach()` to say so"]
pub struct JoinHandle<T> {
    /// The task and its simulation's generation: a handle kept from an ended run names no task
    /// of the next one.
    task_ref: TaskRef,
    task: Option<JoinTask<T>>,
}

impl<T> JoinHandle<T> {
    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.task_ref.id
    }

    /// The task, with its simulation.
    pub(crate) fn task_ref(&self) -> TaskRef {
        self.task_ref
    }

    /// Cancels the task: drops its future before returning, unless it is the task running.
    ///
    /// The task's destructors have run when `abort` returns, and the task has left every queue
    /// it waited in (asyncio's `test_finished_waiter_cancelled`); awaiting the handle gives
    /// `Err(JoinError::Cancelled)`. A task aborted before its first poll never runs its body. A
    /// task that aborts itself ends when its poll returns, with `Err(JoinError::Cancelled)`
    /// even if it returned a value (asyncio's `test_cancel_at_end`). Aborting a finished task
    /// does nothing, and so does aborting a task of an ended simulation (a handle kept from an
    /// earlier run): its tasks went with it.
    ///
    /// The destructors run inside this call: a `RefCell` borrow held across it that one of
    /// them also takes panics, so release such borrows first.
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::task::{spawn, JoinError};
    /// use simloop::time::{now, sleep};
    /// use std::time::Duration;
    ///
    /// simloop::run(0, async {
    ///     let sleeper = spawn(sleep(Duration::from_secs(60)));
    ///     simloop::task::yield_now().await;
    ///     sleeper.abort();
    ///     assert_eq!(sleeper.await, Err(JoinError::Cancelled));
    ///     assert_eq!(now().since_start(), Duration::ZERO); // its timer went with it
    /// });
    /// ```
    pub fn abort(&self) {
        rt::abort_task("JoinHandle::abort", self.task_ref);
    }

    /// Lets the task run on with nobody waiting for its result (what dropping the handle does).
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::time::sleep;
    /// use std::time::Duration;
    ///
    /// let run = simloop::Sim::new(simloop::Config::default()).run(async {
    ///     simloop::task::spawn(sleep(Duration::from_secs(1))).detach();
    ///     sleep(Duration::from_secs(2)).await;
    /// });
    /// assert!(run.leaked.is_empty()); // the detached task finished at t=1
    /// ```
    pub fn detach(self) {
        drop(self);
    }

    /// Whether the task has ended (finished or been dropped after an abort).
    pub fn is_finished(&self) -> bool {
        self.task.as_ref().is_none_or(|task| task.is_finished())
    }

    /// A handle that can cancel the task but not await it: tokio's
    /// `JoinHandle::abort_handle`. It stays valid after this handle is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::task::{spawn, JoinError};
    /// use simloop::time::sleep;
    /// use std::time::Duration;
    ///
    /// simloop::run(0, async {
    ///     let handle = spawn(sleep(Duration::from_secs(60)));
    ///     let abort = handle.abort_handle();
    ///     assert_eq!(abort.id(), handle.id());
    ///     abort.abort();
    ///     assert!(abort.is_finished());
    ///     assert_eq!(handle.await, Err(JoinError::Cancelled));
    /// });
    /// ```
    pub fn abort_handle(&self) -> AbortHandle {
        AbortHandle {
            task_ref: self.task_ref,
        }
    }
}

/// Cancels a task without owning its result (tokio's `AbortHandle`): from
/// [`JoinHandle::abort_handle`]. Cloning it is cheap; dropping it does nothing.
#[derive(Clone)]
pub struct AbortHandle {
    task_ref: TaskRef,
}

impl AbortHandle {
    /// Cancels the task, as [`JoinHandle::abort`] does: its future is dropped before `abort`
    /// returns unless it is the running task. Aborting an ended task does nothing.
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    pub fn abort(&self) {
        rt::abort_task("AbortHandle::abort", self.task_ref);
    }

    /// Whether the task has ended (finished, or dropped after an abort). A task of an ended
    /// simulation has.
    pub fn is_finished(&self) -> bool {
        rt::task_ended(self.task_ref)
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.task_ref.id
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle")
            .field("id", &self.task_ref.id)
            .finish()
    }
}

/// The id of the task being polled: `None` outside a simulation (tokio's `task::try_id`).
///
/// # Examples
///
/// ```
/// use simloop::task::{current_id, spawn, TaskId};
///
/// assert_eq!(current_id(), None);
/// simloop::run(0, async {
///     assert_eq!(current_id(), Some(TaskId::MAIN));
///     let child = spawn(async { current_id() });
///     let id = child.id();
///     assert_eq!(child.await.unwrap(), Some(id));
/// });
/// ```
pub fn current_id() -> Option<TaskId> {
    rt::current_task()
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let task_ref = self.task_ref;
        let Some(task) = self.task.as_mut() else {
            panic!("simloop: JoinHandle polled after it returned its result");
        };
        match Pin::new(task).poll(cx) {
            Poll::Ready(output) => {
                self.task = None;
                Poll::Ready(output.flatten().ok_or(JoinError::Cancelled))
            }
            Poll::Pending => {
                rt::waiting_for_task(task_ref);
                Poll::Pending
            }
        }
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.detach();
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.task_ref.id)
            .finish()
    }
}

/// Lets every other ready task run once before this one resumes: asyncio's `sleep(0)`.
///
/// # Examples
///
/// ```
/// use simloop::task::{spawn, yield_now};
/// use simloop::{Config, Sim, Strategy};
/// use std::{cell::Cell, rc::Rc};
///
/// let fifo = Sim::new(Config::default().with_strategy(Strategy::Fifo));
/// fifo.run(async {
///     let ran = Rc::new(Cell::new(false));
///     let flag = ran.clone();
///     let _child = spawn(async move { flag.set(true) });
///     yield_now().await; // under Fifo the child, queued first, runs first
///     assert!(ran.get());
/// })
/// .unwrap();
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future returned by [`yield_now`].
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
