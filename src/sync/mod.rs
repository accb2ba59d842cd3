//! asyncio's synchronisation primitives: [`Queue`], [`LifoQueue`], [`PriorityQueue`],
//! [`Semaphore`], [`Lock`], [`Event`], [`Condition`] and [`Barrier`].
//!
//! They follow CPython 3.13 (ASYNCIO.md §1.10–§1.15) under the virtual clock and every
//! interleaving the scheduler can choose:
//!
//! - **No needless yield.** An operation that need not wait (a `put` on a queue with room, an
//!   `acquire` of a free permit nobody is queued for, a `wait` on a set event) completes inside
//!   the same poll; no other task runs in between.
//! - **A wake-up costs one scheduling step.** A woken task joins the tail of the ready set;
//!   nothing runs inside the call that woke it.
//! - **FIFO, no barging.** Waiters are served in arrival order, and a newcomer does not overtake
//!   a queued waiter even when the resource is free.
//! - **No lost wake-ups.** A waiter that was woken and then dropped (its task aborted, its
//!   `timeout` expired, its `select!` branch lost) passes what it received on: a queue slot or
//!   item, a semaphore permit, a lock hand-over, a condition notification.
//!
//! All of them sit on one FIFO waiter list. Every primitive is a cheap [`Clone`] handle to
//! shared state; awaiting methods return named `#[must_use]` futures that work with any
//! `futures` combinator (`join!`, `select!`, `FutureExt`, `StreamExt`), and each documents what
//! dropping it does. Give a primitive a name with `with_name` and the trace and deadlock
//! reports use it: `Queue(jobs).get()`,
//! ``Semaphore(db).acquire(), 3 of 3 permits held by `w1`, `w2`, `w3` ``.
//!
//! Operations are recorded in the trace as `Kind(name).op()`. At the default
//! [`TraceLevel::Tail`](crate::TraceLevel::Tail) only the ones that block, wake another task,
//! fail or change a mode are kept (operations that complete quietly are the bulk of the traffic);
//! [`TraceLevel::Full`](crate::TraceLevel::Full) keeps every one.
//!
//! # Examples
//!
//! A deadlock report names the primitive and who holds it:
//!
//! ```
//! use simloop::sync::{Queue, Semaphore};
//! use simloop::task::spawn_named;
//! use simloop::{Config, Sim};
//!
//! let run = Sim::new(Config::default()).run(async {
//!     let jobs = Queue::<u32>::unbounded().with_name("jobs");
//!     let db = Semaphore::new(1).with_name("db");
//!     let _permit = db.acquire().await;
//!     let consumer = spawn_named("consumer", async move { jobs.get().await });
//!     let _ = consumer.await;
//! });
//! let report = run.result.unwrap_err().to_string();
//! assert!(report.contains("`consumer` (#1, spawned at "));
//! assert!(report.contains("waits on Queue(jobs).get(), the queue is empty"));
//! ```

mod barrier;
mod common;
mod condition;
mod event;
mod lock;
mod queue;
mod semaphore;
mod waiters;

pub use barrier::{Barrier, BarrierWait, BrokenBarrier};
pub use condition::{Condition, ConditionWait};
pub use event::{Event, EventWait};
pub use lock::{Lock, LockAcquire, LockGuard, TryLockError};
pub use queue::{
    Get, LifoQueue, PriorityQueue, Put, Queue, QueueJoin, QueueShutDown, QueueStream,
    TaskDoneError, TryGetError, TryPutError, ZeroCapacity,
};
pub use semaphore::{Acquire, Semaphore, SemaphorePermit, TryAcquireError};
