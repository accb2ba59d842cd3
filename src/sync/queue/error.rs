//! The errors of queue operations; each hands back the item it could not deliver.

use std::error::Error;
use std::fmt;

/// The queue was shut down: asyncio's `QueueShutDown` (3.13).
///
/// [`put`](super::Queue::put) hands the item back in it; [`get`](super::Queue::get) returns it
/// with `()` once the queue is shut down and empty.
///
/// # Examples
///
/// ```
/// use simloop::sync::{Queue, QueueShutDown};
///
/// simloop::run(0, async {
///     let queue = Queue::unbounded();
///     queue.shutdown();
///     let QueueShutDown(item) = queue.put("late").await.unwrap_err();
///     assert_eq!(item, "late");
///     assert_eq!(queue.get().await, Err(QueueShutDown(())));
/// });
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct QueueShutDown<T = ()>(pub T);

impl<T> QueueShutDown<T> {
    /// The item that was not put.
    ///
    /// # Examples
    ///
    /// ```
    /// let error = simloop::sync::QueueShutDown(7);
    /// assert_eq!(error.into_inner(), 7);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for QueueShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("QueueShutDown(..)")
    }
}

impl<T> fmt::Display for QueueShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the queue is shut down")
    }
}

impl<T> Error for QueueShutDown<T> {}

/// Why [`try_put`](super::Queue::try_put) did not put; the item comes back in either case.
///
/// # Examples
///
/// ```
/// use simloop::sync::{Queue, TryPutError};
///
/// let queue = Queue::bounded(1);
/// queue.try_put(1).unwrap();
/// assert_eq!(queue.try_put(2), Err(TryPutError::Full(2)));
/// queue.shutdown();
/// let error = queue.try_put(3).unwrap_err();
/// assert_eq!(error.to_string(), "the queue is shut down");
/// assert_eq!(error.into_inner(), 3);
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TryPutError<T> {
    /// The queue holds `capacity` items: asyncio's `QueueFull`.
    Full(T),
    /// The queue was shut down: asyncio's `QueueShutDown`.
    ShutDown(T),
}

impl<T> TryPutError<T> {
    /// The item that was not put.
    ///
    /// # Examples
    ///
    /// ```
    /// let error = simloop::sync::TryPutError::Full("x");
    /// assert_eq!(error.into_inner(), "x");
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            TryPutError::Full(item) | TryPutError::ShutDown(item) => item,
        }
    }
}

impl<T> fmt::Debug for TryPutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryPutError::Full(_) => f.write_str("Full(..)"),
            TryPutError::ShutDown(_) => f.write_str("ShutDown(..)"),
        }
    }
}

impl<T> fmt::Display for TryPutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryPutError::Full(_) => f.write_str("the queue is full"),
            TryPutError::ShutDown(_) => f.write_str("the queue is shut down"),
        }
    }
}

impl<T> Error for TryPutError<T> {}

/// Why [`try_get`](super::Queue::try_get) returned no item.
///
/// # Examples
///
/// ```
/// use simloop::sync::{Queue, TryGetError};
///
/// let queue = Queue::<u8>::unbounded();
/// assert_eq!(queue.try_get(), Err(TryGetError::Empty));
/// queue.shutdown();
/// assert_eq!(queue.try_get(), Err(TryGetError::ShutDown));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryGetError {
    /// No item is queued: asyncio's `QueueEmpty`.
    Empty,
    /// The queue was shut down and holds no item: asyncio's `QueueShutDown`.
    ShutDown,
}

impl fmt::Display for TryGetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryGetError::Empty => f.write_str("the queue is empty"),
            TryGetError::ShutDown => f.write_str("the queue is shut down and empty"),
        }
    }
}

impl Error for TryGetError {}

/// [`task_done`](super::Queue::task_done) was called more times than items were put: asyncio
/// raises `ValueError("task_done() called too many times")`.
///
/// # Examples
///
/// ```
/// let queue = simloop::sync::Queue::<u8>::unbounded();
/// let error = queue.task_done().unwrap_err();
/// assert!(error.to_string().contains("more times than items were put"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskDoneError;

impl fmt::Display for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task_done() called more times than items were put")
    }
}

impl Error for TaskDoneError {}

/// A bounded queue was asked for capacity 0, which could never hold an item.
///
/// asyncio reads `maxsize <= 0` as "unbounded"; simloop asks for that explicitly with
/// `unbounded()`.
///
/// # Examples
///
/// ```
/// use simloop::sync::{Queue, ZeroCapacity};
///
/// assert_eq!(Queue::<u8>::try_bounded(0).unwrap_err(), ZeroCapacity);
/// assert!(ZeroCapacity.to_string().contains("unbounded()"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZeroCapacity;

impl fmt::Display for ZeroCapacity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a bounded queue needs a capacity of at least 1; use unbounded() for a queue \
             without a limit (asyncio's maxsize=0)",
        )
    }
}

impl Error for ZeroCapacity {}
