//! The methods every queue type shares, generated once for `Queue`, `LifoQueue` and
//! `PriorityQueue` by `queue_methods!`.

/// Generates the shared methods and the `Clone` and `Debug` impls of queue type `$name`, whose
/// trace name is `$kind`.
macro_rules! queue_methods {
    ($name:ident, $kind:literal) => {
        impl<T> $name<T> {
            /// Names the queue in the trace and in deadlock reports:
            #[doc = concat!("`", $kind, "(name).get()` instead of `", $kind, ".get()`.")]
            ///
            /// # Examples
            ///
            /// ```
            /// use simloop::{Config, Sim, TraceLevel};
            #[doc = concat!("use simloop::sync::", stringify!($name), ";")]
            ///
            /// let run = Sim::new(Config::default().with_trace(TraceLevel::Full)).run(async {
            #[doc = concat!("    let queue = ", stringify!($name), "::unbounded().with_name(\"jobs\");")]
            ///     queue.put(1).await.unwrap();
            /// });
            #[doc = concat!("assert!(run.trace.text().contains(\"", $kind, "(jobs).put()\"));")]
            /// ```
            pub fn with_name(self, name: &str) -> Self {
                self.shared.core.label.set_name(name);
                self
            }

            /// Puts `item` at the queue's end, waiting while the queue is full.
            ///
            /// A queue that is not full takes the item at once, without yielding to other
            /// tasks (asyncio's `await q.put(x)` on a non-full queue does not suspend). Waiting
            /// putters are served in arrival order; a woken putter re-checks, and if another
            /// task filled the slot first it waits again at the tail.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use simloop::sync::", stringify!($name), ";")]
            /// use simloop::task::spawn;
            ///
            /// simloop::run(0, async {
            #[doc = concat!("    let queue = ", stringify!($name), "::bounded(1);")]
            ///     queue.put(1).await.unwrap();
            ///     let consumer = queue.clone();
            ///     let _taker = spawn(async move { consumer.get().await });
            ///     queue.put(2).await.unwrap(); // waits until the consumer took 1
            ///     assert_eq!(queue.try_get(), Ok(2));
            /// });
            /// ```
            ///
            /// # Errors
            ///
            /// [`QueueShutDown`] with the item, if the queue is shut down before the item went
            /// in (also while waiting).
            ///
            /// # Cancel safety
            ///
            /// Dropping the future before it completes drops the item, which never entered the
            /// queue. A putter that was woken and then dropped passes the slot to the next one.
            #[doc(alias = "put_nowait")]
            pub fn put(&self, item: T) -> Put<'_, T> {
                Put {
                    shared: &self.shared,
                    item: Some(item),
                    waiter: None,
                }
            }

            /// Puts `item` now, or hands it back: asyncio's `put_nowait`.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use simloop::sync::{", stringify!($name), ", TryPutError};")]
            ///
            #[doc = concat!("let queue = ", stringify!($name), "::bounded(1);")]
            /// assert_eq!(queue.try_put('a'), Ok(()));
            /// assert_eq!(queue.try_put('b'), Err(TryPutError::Full('b')));
            /// ```
            ///
            /// # Errors
            ///
            /// [`TryPutError::ShutDown`] after a shutdown, else [`TryPutError::Full`] when the
            /// queue holds `capacity` items; both carry the item.
            #[doc(alias = "put_nowait")]
            pub fn try_put(&self, item: T) -> Result<(), TryPutError<T>> {
                self.shared.try_put(item)
            }

            /// Takes the next item, waiting while the queue is empty.
            ///
            /// A non-empty queue hands an item over at once, without yielding. Waiting getters
            /// are served in arrival order, but CPython does not hand items off: a woken getter
            /// only re-checks, and if another task took the item first it waits again at the
            /// tail.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use simloop::sync::", stringify!($name), ";")]
            /// use simloop::task::spawn;
            /// use simloop::time::{now, sleep};
            /// use std::time::Duration;
            ///
            /// simloop::run(0, async {
            #[doc = concat!("    let queue = ", stringify!($name), "::unbounded();")]
            ///     let producer = queue.clone();
            ///     let _p = spawn(async move {
            ///         sleep(Duration::from_secs(2)).await;
            ///         producer.put("hello").await.unwrap();
            ///     });
            ///     assert_eq!(queue.get().await, Ok("hello"));
            ///     assert_eq!(now().since_start(), Duration::from_secs(2));
            /// });
            /// ```
            ///
            /// # Errors
            ///
            /// [`QueueShutDown`] once the queue is shut down *and* empty: items queued before
            /// a graceful [`shutdown`](Self::shutdown) can still be taken.
            ///
            /// # Cancel safety
            ///
            /// Dropping the future loses no item. A getter that was woken and then dropped
            /// passes the wake-up to the next getter.
            #[doc(alias = "get_nowait")]
            pub fn get(&self) -> Get<'_, T> {
                Get {
                    shared: &self.shared,
                    waiter: None,
                }
            }

            /// Takes the next item if there is one: asyncio's `get_nowait`.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use simloop::sync::{", stringify!($name), ", TryGetError};")]
            ///
            #[doc = concat!("let queue = ", stringify!($name), "::unbounded();")]
            /// assert_eq!(queue.try_get(), Err(TryGetError::Empty));
            /// queue.try_put(4).unwrap();
            /// assert_eq!(queue.try_get(), Ok(4));
            /// ```
            ///
            /// # Errors
            ///
            /// [`TryGetError::Empty`], or [`TryGetError::ShutDown`] if the queue is also shut
            /// down.
            #[doc(alias = "get_nowait")]
            pub fn try_get(&self) -> Result<T, TryGetError> {
                self.shared.try_get()
            }

            /// How many items are queued: asyncio's `qsize()`.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let queue = simloop::sync::", stringify!($name), "::unbounded();")]
            /// queue.try_put(1).unwrap();
            /// assert_eq!(queue.len(), 1);
            /// ```
            #[doc(alias = "qsize")]
            pub fn len(&self) -> usize {
                self.shared.core.state.borrow().len
            }

            /// Whether no item is queued: asyncio's `empty()`.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let queue = simloop::sync::", stringify!($name), "::<u8>::unbounded();")]
            /// assert!(queue.is_empty());
            /// ```
            #[doc(alias = "empty")]
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// Whether the queue holds `capacity` items (never, unbounded): asyncio's `full()`.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let queue = simloop::sync::", stringify!($name), "::bounded(1);")]
            /// queue.try_put(()).unwrap();
            /// assert!(queue.is_full());
            /// ```
            #[doc(alias = "full")]
            pub fn is_full(&self) -> bool {
                self.len() >= self.shared.core.capacity
            }

            /// The most items the queue holds, or `None` if unbounded: asyncio's `maxsize`.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use simloop::sync::", stringify!($name), ";")]
            ///
            #[doc = concat!("assert_eq!(", stringify!($name), "::<u8>::bounded(8).capacity(), Some(8));")]
            #[doc = concat!("assert_eq!(", stringify!($name), "::<u8>::unbounded().capacity(), None);")]
            /// ```
            #[doc(alias = "maxsize")]
            pub fn capacity(&self) -> Option<usize> {
                Some(self.shared.core.capacity).filter(|&capacity| capacity != usize::MAX)
            }

            /// Whether [`shutdown`](Self::shutdown) or
            /// [`shutdown_immediate`](Self::shutdown_immediate) was called.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let queue = simloop::sync::", stringify!($name), "::<u8>::unbounded();")]
            /// queue.shutdown();
            /// assert!(queue.is_shut_down());
            /// ```
            pub fn is_shut_down(&self) -> bool {
                self.shared.core.state.borrow().shut_down
            }

            /// Marks one item taken with `get` as processed, for [`join`](Self::join).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let queue = simloop::sync::", stringify!($name), "::unbounded();")]
            /// queue.try_put("job").unwrap();
            /// queue.try_get().unwrap();
            /// assert!(queue.task_done().is_ok());
            /// assert!(queue.task_done().is_err()); // one item, one task_done
            /// ```
            ///
            /// # Errors
            ///
            /// [`TaskDoneError`] if called more times than items were put (asyncio raises
            /// `ValueError`); nothing changes then.
            pub fn task_done(&self) -> Result<(), TaskDoneError> {
                self.shared.core.task_done()
            }

            /// Waits until every item put has been marked done with
            /// [`task_done`](Self::task_done); returns at once if none is outstanding.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use simloop::sync::", stringify!($name), ";")]
            /// use simloop::task::spawn;
            ///
            /// simloop::run(0, async {
            #[doc = concat!("    let queue = ", stringify!($name), "::unbounded();")]
            ///     queue.put(1).await.unwrap();
            ///     let worker = queue.clone();
            ///     let _w = spawn(async move {
            ///         worker.get().await.unwrap();
            ///         worker.task_done().unwrap();
            ///     });
            ///     queue.join().await;
            ///     assert!(queue.is_empty());
            /// });
            /// ```
            ///
            /// # Cancel safety
            ///
            /// Dropping the future changes nothing else.
            pub fn join(&self) -> QueueJoin<'_, T> {
                QueueJoin {
                    shared: &self.shared,
                    waiter: None,
                }
            }

            /// Shuts the queue down gracefully (CPython 3.13's `shutdown()`).
            ///
            /// Every `put` from now on fails, and blocked putters are woken to fail; getters
            /// still take the items already queued and fail once it is empty, blocked getters
            /// included.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use simloop::sync::{", stringify!($name), ", QueueShutDown};")]
            ///
            /// simloop::run(0, async {
            #[doc = concat!("    let queue = ", stringify!($name), "::unbounded();")]
            ///     queue.put(1).await.unwrap();
            ///     queue.shutdown();
            ///     assert!(queue.put(2).await.is_err());
            ///     assert_eq!(queue.get().await, Ok(1));
            ///     assert_eq!(queue.get().await, Err(QueueShutDown(())));
            /// });
            /// ```
            pub fn shutdown(&self) {
                let discarded = self.shared.shutdown(false);
                debug_assert!(discarded.is_empty());
            }

            /// Shuts the queue down and empties it (CPython 3.13's `shutdown(immediate=True)`).
            ///
            /// As [`shutdown`](Self::shutdown), but the queued items are removed at once, each
            /// counted as done (which may release [`join`](Self::join)), so every getter fails
            /// at once. The removed items are returned in the order `get` would have taken them
            /// (asyncio discards them).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use simloop::sync::{", stringify!($name), ", TryGetError};")]
            ///
            #[doc = concat!("let queue = ", stringify!($name), "::unbounded();")]
            /// queue.try_put(7).unwrap();
            /// assert_eq!(queue.shutdown_immediate(), [7]);
            /// assert_eq!(queue.try_get(), Err(TryGetError::ShutDown));
            /// ```
            pub fn shutdown_immediate(&self) -> Vec<T> {
                self.shared.shutdown(true)
            }

            /// The queue's items as a [`Stream`](::futures::Stream) that ends once the queue is
            /// shut down and drained: `while let Some(item) = stream.next().await` is asyncio's
            /// `async for`.
            ///
            /// # Examples
            ///
            /// ```
            /// use futures::StreamExt;
            #[doc = concat!("use simloop::sync::", stringify!($name), ";")]
            ///
            /// simloop::run(0, async {
            #[doc = concat!("    let queue = ", stringify!($name), "::unbounded();")]
            ///     queue.put(1).await.unwrap();
            ///     queue.shutdown();
            ///     let items: Vec<i32> = queue.stream().collect().await;
            ///     assert_eq!(items, [1]);
            /// });
            /// ```
            pub fn stream(&self) -> QueueStream<T> {
                QueueStream {
                    shared: Rc::clone(&self.shared),
                    waiter: None,
                    done: false,
                }
            }
        }

        impl<T> Clone for $name<T> {
            fn clone(&self) -> Self {
                $name {
                    shared: Rc::clone(&self.shared),
                }
            }
        }

        impl<T> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let state = self.shared.core.state.borrow();
                f.debug_struct(stringify!($name))
                    .field("name", &self.shared.core.label.name())
                    .field("len", &state.len)
                    .field("capacity", &self.capacity())
                    .field("shut_down", &state.shut_down)
                    .finish()
            }
        }
    };
}
