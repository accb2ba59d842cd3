//! `Queue`, `LifoQueue` and `PriorityQueue`: asyncio's queues (CPython 3.13, ASYNCIO.md §1.10).
//!
//! The three types share every rule and method and differ only in which item `get` takes
//! next; the methods are generated once by `queue_type!` below.

use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;

#[macro_use]
mod methods;

mod error;
mod futures;
mod shared;
mod store;

pub use error::{QueueShutDown, TaskDoneError, TryGetError, TryPutError, ZeroCapacity};
pub use futures::{Get, Put, QueueJoin, QueueStream};

use shared::QueueShared;
use store::{Heap, Store};

/// Generates a queue type's constructors (under `where T: $bound`) and its shared methods
/// (`queue_methods!`).
macro_rules! queue_type {
    ($name:ident, $kind:literal, where T: $bound:path, $store:expr) => {
        impl<T> $name<T>
        where
            T: $bound,
        {
            #[doc = concat!("A ", stringify!($name), " that holds at most `capacity` items.")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let queue = simloop::sync::", stringify!($name), "::bounded(2);")]
            /// queue.try_put(1).unwrap();
            /// queue.try_put(2).unwrap();
            /// assert!(queue.is_full());
            /// assert_eq!(queue.capacity(), Some(2));
            /// ```
            ///
            /// # Panics
            ///
            /// If `capacity` is 0, with a message saying to use `unbounded()` (asyncio's
            /// `maxsize=0` means unbounded); [`try_bounded`](Self::try_bounded) returns the
            /// error instead.
            #[track_caller]
            pub fn bounded(capacity: usize) -> Self {
                match Self::try_bounded(capacity) {
                    Ok(queue) => queue,
                    Err(error) => panic!(
                        "simloop: {}::bounded(0): {error}",
                        stringify!($name)
                    ),
                }
            }

            #[doc = concat!("A ", stringify!($name), " that holds at most `capacity` items, or an")]
            /// error for capacity 0.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use simloop::sync::{", stringify!($name), ", ZeroCapacity};")]
            ///
            #[doc = concat!("assert!(", stringify!($name), "::<u8>::try_bounded(3).is_ok());")]
            #[doc = concat!("assert_eq!(", stringify!($name), "::<u8>::try_bounded(0).unwrap_err(), ZeroCapacity);")]
            /// ```
            ///
            /// # Errors
            ///
            /// [`ZeroCapacity`] if `capacity` is 0.
            pub fn try_bounded(capacity: usize) -> Result<Self, ZeroCapacity> {
                if capacity == 0 {
                    return Err(ZeroCapacity);
                }
                Ok(Self::with_store(capacity))
            }

            #[doc = concat!("A ", stringify!($name), " without a limit: `put` never waits.")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let queue = simloop::sync::", stringify!($name), "::unbounded();")]
            /// for i in 0..1000 {
            ///     queue.try_put(i).unwrap();
            /// }
            /// assert_eq!(queue.capacity(), None);
            /// assert!(!queue.is_full());
            /// ```
            pub fn unbounded() -> Self {
                Self::with_store(usize::MAX)
            }

            fn with_store(capacity: usize) -> Self {
                $name {
                    shared: Rc::new(QueueShared::new($kind, capacity, $store)),
                }
            }
        }

        queue_methods!($name, $kind);
    };
}

/// A FIFO queue between tasks: asyncio's `Queue`, as a cheap [`Clone`] handle.
///
/// Items come out in the order they went in. A bounded queue makes `put` wait while it is
/// full; getters and putters wait in arrival order. Operations that need not wait complete
/// without yielding, exactly like asyncio's (`await q.put(x)` on a non-full queue lets no
/// other task run). See [`LifoQueue`] and [`PriorityQueue`] for the other orders.
///
/// # Examples
///
/// The producer/consumer of asyncio's tutorial, on a virtual clock:
///
/// ```
/// use simloop::sync::Queue;
/// use simloop::task::spawn;
/// use simloop::time::{now, sleep};
/// use std::time::Duration;
///
/// simloop::run(0, async {
///     let queue = Queue::unbounded();
///     let producer = {
///         let queue = queue.clone();
///         spawn(async move {
///             for i in 0..5 {
///                 queue.put(Some(i)).await.unwrap();
///                 sleep(Duration::from_secs(1)).await;
///             }
///             queue.put(None).await.unwrap(); // the sentinel
///         })
///     };
///     let mut consumed = Vec::new();
///     while let Some(item) = queue.get().await.unwrap() {
///         consumed.push(item);
///         sleep(Duration::from_secs(2)).await;
///     }
///     producer.await.unwrap();
///     assert_eq!(consumed, [0, 1, 2, 3, 4]);
///     assert_eq!(now().since_start(), Duration::from_secs(10));
/// });
/// ```
pub struct Queue<T> {
    shared: Rc<QueueShared<T>>,
}

queue_type!(Queue, "Queue", where T: Sized, Store::Fifo(VecDeque::new()));

/// A LIFO queue (a stack) between tasks: asyncio's `LifoQueue`.
///
/// The newest item comes out first; everything else is as [`Queue`].
///
/// # Examples
///
/// ```
/// use simloop::sync::LifoQueue;
///
/// let stack = LifoQueue::unbounded();
/// for i in [1, 3, 2] {
///     stack.try_put(i).unwrap();
/// }
/// let order: Vec<i32> = std::iter::from_fn(|| stack.try_get().ok()).collect();
/// assert_eq!(order, [2, 3, 1]);
/// ```
pub struct LifoQueue<T> {
    shared: Rc<QueueShared<T>>,
}

queue_type!(LifoQueue, "LifoQueue", where T: Sized, Store::Lifo(Vec::new()));

/// A priority queue between tasks: asyncio's `PriorityQueue`, smallest item first.
///
/// Items that compare equal come out in the order they went in (CPython's heap does not promise
/// that; simloop does, so runs stay easy to read). Everything else is as [`Queue`].
///
/// # Examples
///
/// ```
/// use simloop::sync::PriorityQueue;
///
/// let queue = PriorityQueue::unbounded();
/// for job in [(2, "b"), (1, "x"), (3, "c"), (1, "y")] {
///     queue.try_put(job).unwrap();
/// }
/// let order: Vec<_> = std::iter::from_fn(|| queue.try_get().ok()).collect();
/// assert_eq!(order, [(1, "x"), (1, "y"), (2, "b"), (3, "c")]);
/// ```
pub struct PriorityQueue<T> {
    shared: Rc<QueueShared<T>>,
}

queue_type!(PriorityQueue, "PriorityQueue", where T: Ord, Store::Priority(Heap::new(T::cmp)));
