//! Tasks: tokio's `task` API, spawning on simloop inside a simulation and on tokio outside.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pub use crate::join_set::JoinSet;
pub use crate::local_set::LocalSet;
/// tokio's task-local storage: works under any executor.
pub use real::task::LocalKey;

/// Spawns `future` as a new task: a simloop task inside a simulation, a tokio task outside.
///
/// # Panics
///
/// Outside a simulation, like `tokio::spawn`: when no tokio runtime runs on this thread.
///
/// # Examples
///
/// ```
/// use simloop_tokio as tokio;
///
/// simloop::run(0, async {
///     let handle = tokio::spawn(async { 6 * 7 });
///     assert_eq!(handle.await.unwrap(), 42);
/// });
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    if simloop::is_simulating() {
        JoinHandle::Sim(simloop::task::spawn(future))
    } else {
        JoinHandle::Tokio(real::spawn(future))
    }
}

/// Spawns a `!Send` future: a simloop task inside a simulation (every simloop task is local,
/// so no `LocalSet` is needed; inside one, the task joins it, as in tokio),
/// `tokio::task::spawn_local` outside (which needs a `LocalSet`).
///
/// # Examples
///
/// ```
/// use simloop_tokio as tokio;
/// use std::rc::Rc;
///
/// simloop::run(0, async {
///     let shared = Rc::new(5);
///     let handle = tokio::task::spawn_local(async move { *shared + 1 });
///     assert_eq!(handle.await.unwrap(), 6);
/// });
/// ```
#[track_caller]
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    if simloop::is_simulating() {
        crate::local_set::spawn_sim(future)
    } else {
        JoinHandle::Tokio(real::task::spawn_local(future))
    }
}

/// Runs a blocking closure. Outside a simulation: `tokio::task::spawn_blocking`, on tokio's
/// blocking pool. Inside one there are no threads: the closure runs as a simulated task, on the
/// simulation's thread, when the scheduler picks it, and takes no virtual time. A closure that
/// blocks for real (a lock held by another thread, a socket) blocks the whole simulation.
///
/// # Examples
///
/// ```
/// use simloop_tokio as tokio;
///
/// simloop::run(0, async {
///     let sum = tokio::task::spawn_blocking(|| (1..=10).sum::<u32>());
///     assert_eq!(sum.await.unwrap(), 55);
/// });
/// ```
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    if simloop::is_simulating() {
        JoinHandle::Sim(simloop::task::spawn(async move { f() }))
    } else {
        JoinHandle::Tokio(real::task::spawn_blocking(f))
    }
}

/// Lets other tasks run: simloop's `yield_now` inside a simulation (a scheduling point), tokio's
/// outside.
///
/// # Examples
///
/// ```
/// simloop::run(0, async { simloop_tokio::task::yield_now().await });
/// ```
pub async fn yield_now() {
    if simloop::is_simulating() {
        simloop::task::yield_now().await
    } else {
        real::task::yield_now().await
    }
}

/// A handle to a spawned task; awaiting it gives the task's output. Dropping it detaches the
/// task, in both worlds. Not `#[must_use]`, as tokio's is not: `tokio::spawn(task);` is the
/// usual way to start a detached task, and code that compiles cleanly on tokio must here too.
pub enum JoinHandle<T> {
    /// A tokio task (spawned outside a simulation).
    Tokio(real::task::JoinHandle<T>),
    /// A simloop task (spawned inside a simulation).
    Sim(simloop::task::JoinHandle<T>),
}

impl<T> JoinHandle<T> {
    /// Cancels the task. Inside a simulation the task's future is dropped before `abort`
    /// returns (unless it is the running task); tokio drops it at its next scheduling.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop_tokio as tokio;
    /// use std::time::Duration;
    ///
    /// simloop::run(0, async {
    ///     let handle = tokio::spawn(tokio::time::sleep(Duration::from_secs(60)));
    ///     handle.abort();
    ///     assert!(handle.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort(&self) {
        match self {
            JoinHandle::Tokio(handle) => handle.abort(),
            JoinHandle::Sim(handle) => handle.abort(),
        }
    }

    /// Whether the task has ended.
    pub fn is_finished(&self) -> bool {
        match self {
            JoinHandle::Tokio(handle) => handle.is_finished(),
            JoinHandle::Sim(handle) => handle.is_finished(),
        }
    }

    /// A handle that can cancel the task without awaiting it.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop_tokio as tokio;
    /// use std::time::Duration;
    ///
    /// simloop::run(0, async {
    ///     let handle = tokio::spawn(tokio::time::sleep(Duration::from_secs(60)));
    ///     let abort = handle.abort_handle();
    ///     assert_eq!(abort.id(), handle.id());
    ///     abort.abort();
    ///     assert!(abort.is_finished());
    ///     assert!(handle.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort_handle(&self) -> AbortHandle {
        match self {
            JoinHandle::Tokio(handle) => AbortHandle::Tokio(handle.abort_handle()),
            JoinHandle::Sim(handle) => AbortHandle::Sim(handle.abort_handle()),
        }
    }

    /// The task's id.
    pub fn id(&self) -> Id {
        match self {
            JoinHandle::Tokio(handle) => Id::Tokio(handle.id()),
            JoinHandle::Sim(handle) => Id::Sim(handle.id()),
        }
    }
}

/// Cancels a task without awaiting it: tokio's `AbortHandle` outside a simulation, simloop's
/// inside one. From [`JoinHandle::abort_handle`].
#[derive(Clone, Debug)]
pub enum AbortHandle {
    /// A tokio task's.
    Tokio(real::task::AbortHandle),
    /// A simloop task's.
    Sim(simloop::task::AbortHandle),
}

impl AbortHandle {
    /// Cancels the task, as [`JoinHandle::abort`].
    pub fn abort(&self) {
        match self {
            AbortHandle::Tokio(handle) => handle.abort(),
            AbortHandle::Sim(handle) => handle.abort(),
        }
    }

    /// Whether the task has ended.
    pub fn is_finished(&self) -> bool {
        match self {
            AbortHandle::Tokio(handle) => handle.is_finished(),
            AbortHandle::Sim(handle) => handle.is_finished(),
        }
    }

    /// The task's id.
    pub fn id(&self) -> Id {
        match self {
            AbortHandle::Tokio(handle) => Id::Tokio(handle.id()),
            AbortHandle::Sim(handle) => Id::Sim(handle.id()),
        }
    }
}

/// A task's id: tokio's, or simloop's (unique within its simulation; the main future is task
/// 0, where tokio's `block_on` future is no task at all).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Id {
    /// A tokio task's.
    Tokio(real::task::Id),
    /// A simloop task's.
    Sim(simloop::task::TaskId),
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Id::Tokio(id) => fmt::Display::fmt(id, f),
            Id::Sim(id) => fmt::Display::fmt(id, f),
        }
    }
}

/// The running task's id.
///
/// # Panics
///
/// Outside any task, as tokio's.
///
/// # Examples
///
/// ```
/// use simloop_tokio as tokio;
///
/// simloop::run(0, async {
///     let handle = tokio::spawn(async { tokio::task::id() });
///     let id = handle.id();
///     assert_eq!(handle.await.unwrap(), id);
/// });
/// ```
#[track_caller]
pub fn id() -> Id {
    try_id().expect("simloop-tokio: `task::id` called outside a task")
}

/// The running task's id, `None` outside any task.
pub fn try_id() -> Option<Id> {
    if simloop::is_simulating() {
        simloop::task::current_id().map(Id::Sim)
    } else {
        real::task::try_id().map(Id::Tokio)
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            JoinHandle::Tokio(handle) => Pin::new(handle)
                .poll(cx)
                .map(|result| result.map_err(|error| JoinError(Repr::Tokio(error)))),
            JoinHandle::Sim(handle) => Pin::new(handle)
                .poll(cx)
                .map(|result| result.map_err(|_| JoinError(Repr::Cancelled))),
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinHandle::Tokio(_) => f.write_str("JoinHandle::Tokio"),
            JoinHandle::Sim(handle) => fmt::Debug::fmt(handle, f),
        }
    }
}

/// Why awaiting a [`JoinHandle`] gave no output: the task was cancelled, or (tokio only) it
/// panicked. Inside a simulation a panicking task fails the whole run instead, with its replay
/// line, so a simulated `JoinError` is always a cancellation.
pub struct JoinError(Repr);

enum Repr {
    Tokio(real::task::JoinError),
    Cancelled,
}

impl JoinError {
    pub(crate) fn from_tokio(error: real::task::JoinError) -> JoinError {
        JoinError(Repr::Tokio(error))
    }

    pub(crate) fn cancelled() -> JoinError {
        JoinError(Repr::Cancelled)
    }

    /// Whether the task was cancelled.
    pub fn is_cancelled(&self) -> bool {
        match &self.0 {
            Repr::Tokio(error) => error.is_cancelled(),
            Repr::Cancelled => true,
        }
    }

    /// Whether the task panicked (never, inside a simulation).
    pub fn is_panic(&self) -> bool {
        match &self.0 {
            Repr::Tokio(error) => error.is_panic(),
            Repr::Cancelled => false,
        }
    }

    /// The panic's payload.
    ///
    /// # Panics
    ///
    /// If the task did not panic.
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn std::any::Any + Send + 'static> {
        self.try_into_panic()
            .unwrap_or_else(|_| panic!("`JoinError::into_panic` on a task that did not panic"))
    }

    /// The panic's payload, or the error back if the task did not panic.
    pub fn try_into_panic(self) -> Result<Box<dyn std::any::Any + Send + 'static>, JoinError> {
        match self.0 {
            Repr::Tokio(error) => error
                .try_into_panic()
                .map_err(|error| JoinError(Repr::Tokio(error))),
            Repr::Cancelled => Err(self),
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Tokio(error) => fmt::Display::fmt(error, f),
            Repr::Cancelled => f.write_str("task was cancelled"),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Tokio(error) => fmt::Debug::fmt(error, f),
            Repr::Cancelled => f.write_str("JoinError::Cancelled"),
        }
    }
}

impl std::error::Error for JoinError {}

impl From<JoinError> for std::io::Error {
    fn from(error: JoinError) -> std::io::Error {
        std::io::Error::other(error.to_string())
    }
}
