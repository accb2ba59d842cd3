//! The futures and the stream that queue operations return.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures::stream::{FusedStream, Stream};

use super::error::QueueShutDown;
use super::shared::QueueShared;
use crate::sync::waiters::WaiterKey;

/// The future of [`Queue::get`](super::Queue::get) (and of the other queues' `get`).
///
/// # Cancel safety
///
/// Dropping it loses no item: an item is removed from the queue only in the poll that returns
/// it. A getter that was woken and is dropped before it ran passes the wake-up to the next
/// getter, as CPython's does.
///
/// # Examples
///
/// ```
/// use simloop::sync::Queue;
///
/// simloop::run(0, async {
///     let queue = Queue::unbounded();
///     let get = queue.get(); // nothing happens until it is awaited
///     queue.try_put(5).unwrap();
///     assert_eq!(get.await, Ok(5));
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Get<'a, T> {
    pub(super) shared: &'a QueueShared<T>,
    pub(super) waiter: Option<WaiterKey>,
}

impl<T> Future for Get<'_, T> {
    type Output = Result<T, QueueShutDown>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.shared.poll_get(&mut this.waiter, cx)
    }
}

impl<T> Drop for Get<'_, T> {
    #[inline]
    fn drop(&mut self) {
        if let Some(key) = self.waiter.take() {
            self.shared.core.cancel_get(key);
        }
    }
}

impl<T> fmt::Debug for Get<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Get")
            .field("queue", &self.shared.core.label.text())
            .field("waiting", &self.waiter.is_some())
            .finish()
    }
}

/// The future of [`Queue::put`](super::Queue::put) (and of the other queues' `put`).
///
/// # Cancel safety
///
/// Dropping it before it completes drops the item: it was never in the queue. A putter that
/// was woken and is dropped before it ran passes the free slot to the next putter.
///
/// # Examples
///
/// ```
/// use simloop::sync::Queue;
///
/// simloop::run(0, async {
///     let queue = Queue::bounded(1);
///     queue.put("a").await.unwrap();
///     assert!(queue.is_full());
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Put<'a, T> {
    pub(super) shared: &'a QueueShared<T>,
    pub(super) item: Option<T>,
    pub(super) waiter: Option<WaiterKey>,
}

// The item is never pinned: it is moved into the queue by value.
impl<T> Unpin for Put<'_, T> {}

impl<T> Future for Put<'_, T> {
    type Output = Result<(), QueueShutDown<T>>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.shared.poll_put(&mut this.item, &mut this.waiter, cx)
    }
}

impl<T> Drop for Put<'_, T> {
    #[inline]
    fn drop(&mut self) {
        if let Some(key) = self.waiter.take() {
            self.shared.core.cancel_put(key);
        }
    }
}

impl<T> fmt::Debug for Put<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Put")
            .field("queue", &self.shared.core.label.text())
            .field("waiting", &self.waiter.is_some())
            .finish()
    }
}

/// The future of [`Queue::join`](super::Queue::join) (and of the other queues' `join`).
///
/// # Cancel safety
///
/// Dropping it changes nothing but its own registration.
///
/// # Examples
///
/// ```
/// use simloop::sync::Queue;
///
/// simloop::run(0, async {
///     let queue = Queue::<u8>::unbounded();
///     queue.join().await; // nothing unfinished: returns at once
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct QueueJoin<'a, T> {
    pub(super) shared: &'a QueueShared<T>,
    pub(super) waiter: Option<WaiterKey>,
}

impl<T> Future for QueueJoin<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        this.shared.core.poll_join(&mut this.waiter, cx)
    }
}

impl<T> Drop for QueueJoin<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.waiter.take() {
            self.shared.core.cancel_join(key);
        }
    }
}

impl<T> fmt::Debug for QueueJoin<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueJoin")
            .field("queue", &self.shared.core.label.text())
            .finish()
    }
}

/// A queue as a [`Stream`]: each item in `get` order, ending once the queue is shut down and
/// drained. The Rust form of asyncio's `async for item in ...`.
///
/// It holds its own handle to the queue, so it can move into a task on its own.
///
/// # Cancel safety
///
/// Dropping the stream, or a `next()` future, loses no item (as [`Get`]).
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
/// use simloop::sync::Queue;
///
/// simloop::run(0, async {
///     let queue = Queue::unbounded();
///     for i in 0..3 {
///         queue.try_put(i).unwrap();
///     }
///     queue.shutdown(); // graceful: the items already queued can still be taken
///     let mut stream = queue.stream();
///     let mut seen = Vec::new();
///     while let Some(item) = stream.next().await {
///         seen.push(item);
///     }
///     assert_eq!(seen, [0, 1, 2]);
/// });
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct QueueStream<T> {
    pub(super) shared: Rc<QueueShared<T>>,
    pub(super) waiter: Option<WaiterKey>,
    pub(super) done: bool,
}

impl<T> Stream for QueueStream<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        this.shared
            .poll_get(&mut this.waiter, cx)
            .map(|got| match got {
                Ok(item) => Some(item),
                Err(QueueShutDown(())) => {
                    this.done = true;
                    None
                }
            })
    }
}

impl<T> FusedStream for QueueStream<T> {
    fn is_terminated(&self) -> bool {
        self.done
    }
}

impl<T> Drop for QueueStream<T> {
    fn drop(&mut self) {
        if let Some(key) = self.waiter.take() {
            self.shared.core.cancel_get(key);
        }
    }
}

impl<T> fmt::Debug for QueueStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueStream")
            .field("queue", &self.shared.core.label.text())
            .field("done", &self.done)
            .finish()
    }
}
