//! Tasks: [`spawn`], [`JoinHandle`], [`yield_now`], [`gather`](crate::gather) and [`TaskGroup`].
//!
//! A spawned task is never polled inline: like asyncio's `create_task`, it joins the tail of the
//! ready set and its body starts after everything already queued. Cancellation is drop:
//! [`JoinHandle::abort`] removes the task at its next scheduling point and drops its future, so
//! its destructors run (asyncio's `finally` and `__aexit__`). Code that catches
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

use pin_project_lite::pin_project;

use crate::runtime::context;
use crate::runtime::tasks::WaitReason;

mod gather;
mod group;

pub use gather::{gather, gather_settled, Gather, GatherSettled};
pub use group::{TaskGroup, TaskGroupClosed};

/// A task's id, unique within one run, in creation order; `main` is `#0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(pub(crate) u32);

impl TaskId {
    /// The main future passed to [`Sim::run`](crate::Sim::run).
    pub const MAIN: TaskId = TaskId(0);
    /// No task: the run loop itself (the clock firing a timer, say).
    pub const NONE: TaskId = TaskId(u32::MAX);

    /// The id as a number.
    pub const fn as_u32(self) -> u32 {
        self.0
    }

    /// The task with number `id`.
    pub const fn from_u32(id: u32) -> TaskId {
        TaskId(id)
    }

    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

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
    // The generic part is only what must be: building the task. The rest is in plain functions,
    // compiled in simloop rather than in each crate that spawns (see `RunTask`).
    let id = register_task(name, site);
    let (runnable, task) = async_task::Builder::new().metadata(id).spawn_local(
        move |_| RunTask {
            future: Some(future),
        },
        schedule,
    );
    start_task(id, runnable);
    JoinHandle {
        id,
        task: Some(task.fallible()),
    }
}

/// Adds a task to the current simulation's table and returns its id.
fn register_task(name: Option<Rc<str>>, site: &'static Location<'static>) -> TaskId {
    context::with("simloop::task::spawn", |core| {
        let Some(id) = core.add_task(name, site) else {
            panic!(
                "simloop: max_tasks ({}) reached; raise Config::max_tasks if this is intended",
                core.max_tasks
            );
        };
        id
    })
}

/// Queues a registered task's first poll.
fn start_task(id: TaskId, runnable: async_task::Runnable<TaskId>) {
    context::with("simloop::task::spawn", |core| core.start_task(id, runnable));
}

/// Whether the run loop is polling the current task only to drop it (it was aborted).
fn current_aborted() -> bool {
    context::with("simloop::task", |core| core.aborting.get())
}

/// Marks the current task ended, its future about to be dropped.
fn current_finished(cancelled: bool) {
    context::with("simloop::task", |core| {
        core.finish_task(core.current.get(), cancelled);
    });
}

/// Notes that the current task waits for the end of `id`, for deadlock reports.
fn waiting_on_join(id: TaskId) {
    context::try_with(|core| core.set_waiting_on(WaitReason::Join(id)));
}

/// async-task's schedule function: hands a woken task to the simulation on this thread, or drops
/// it (and so its future) when the simulation has ended.
fn schedule(runnable: async_task::Runnable<TaskId>) {
    // Without a simulation the closure is dropped unrun, and the runnable with it.
    context::try_with(|core| core.schedule(runnable));
}

pin_project! {
    /// The body of every task: polls `future` until it ends or the run loop says it was aborted,
    /// in which case the future is dropped here, inside the simulation, without being polled
    /// again.
    ///
    /// A hand-written future rather than an `async fn`: an `async fn` keeps its argument and the
    /// local it is moved into side by side, which doubled every task's allocation. It does not
    /// store its id either: the run loop makes the task current before polling it.
    ///
    /// Being generic, its `poll` is compiled in the crate that spawns, at that crate's
    /// opt-level (0 in a test build): it reaches the simulation only through plain functions,
    /// which are compiled, optimized, in simloop.
    struct RunTask<F> {
        #[pin]
        future: Option<F>,
    }
}

impl<F: Future> Future for RunTask<F> {
    type Output = Result<F::Output, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let result = if current_aborted() {
            this.future.set(None);
            Err(JoinError::Cancelled)
        } else {
            match this.future.as_mut().as_pin_mut() {
                Some(inner) => match inner.poll(cx) {
                    Poll::Ready(output) => Ok(output),
                    Poll::Pending => return Poll::Pending,
                },
                None => Err(JoinError::Cancelled),
            }
        };
        current_finished(result.is_err());
        // The finished future goes after the task is marked done, as it would at the end of an
        // `async fn` body.
        this.future.set(None);
        Poll::Ready(result)
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
    id: TaskId,
    task: Option<async_task::FallibleTask<Result<T, JoinError>, TaskId>>,
}

impl<T> JoinHandle<T> {
    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// Asks for the task to be dropped at its next scheduling point.
    ///
    /// Its destructors run then, and awaiting the handle gives `Err(JoinError::Cancelled)`. A
    /// task aborted before its first poll never runs its body. Aborting a finished task does
    /// nothing.
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
        context::with("JoinHandle::abort", |core| core.abort(self.id));
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
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let id = self.id;
        let Some(task) = self.task.as_mut() else {
            panic!("simloop: JoinHandle polled after it returned its result");
        };
        match Pin::new(task).poll(cx) {
            Poll::Ready(output) => {
                self.task = None;
                Poll::Ready(output.unwrap_or(Err(JoinError::Cancelled)))
            }
            Poll::Pending => {
                waiting_on_join(id);
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
        f.debug_struct("JoinHandle").field("id", &self.id).finish()
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
