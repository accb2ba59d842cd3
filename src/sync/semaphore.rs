//! `Semaphore`: asyncio's, with CPython 3.13's fairness rules (ASYNCIO.md §1.11).

use std::cell::RefCell;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::common::{current_task, op, task_list, DescribeOp, Detail, Label};
use super::waiters::{WaiterKey, WaiterList, WaiterState, Wakeups};
use crate::id::TaskId;
use crate::rt::{self, WaitTarget};

struct SemaphoreState {
    /// Permits free for the taking: CPython's `_value`. A permit reserved for a woken waiter is
    /// no longer counted here.
    available: usize,
    /// Permits held by [`SemaphorePermit`]s now.
    held: usize,
    peak: usize,
    /// The task that acquired each held permit, for deadlock reports.
    holders: Vec<TaskId>,
    waiters: WaiterList,
}

struct SemaphoreCore {
    label: Label,
    state: RefCell<SemaphoreState>,
}

impl SemaphoreState {
    /// CPython's `locked()`: no permit, or somebody already queued (a woken waiter that has not
    /// run yet included), so a newcomer cannot barge past the queue.
    #[inline]
    fn must_wait(&self) -> bool {
        self.available == 0 || !self.waiters.is_empty()
    }

    /// Hands a permit to the current task.
    fn grant(&mut self) -> TaskId {
        let holder = current_task();
        self.held += 1;
        self.peak = self.peak.max(self.held);
        self.holders.push(holder);
        holder
    }

    /// CPython 3.13's `_wake_up_next` in a loop: while permits are free, reserve one for the
    /// oldest waiting task and wake it.
    fn wake_while_available(&mut self, wakeups: &mut Wakeups) {
        while self.available > 0 {
            let Some(waker) = self.waiters.notify_one() else {
                break;
            };
            self.available -= 1;
            wakeups.push(waker);
        }
    }
}

impl DescribeOp for SemaphoreCore {
    fn describe_op(&self, _op: usize, names: &dyn Fn(TaskId) -> String) -> String {
        let state = self.state.borrow();
        let total = state.available + state.held + state.waiters.notified_len();
        format!(
            "{}.acquire(), {} of {total} permit{} held by {}",
            self.label.text(),
            state.held,
            if total == 1 { "" } else { "s" },
            task_list(&state.holders, names)
        )
    }
}

impl WaitTarget for SemaphoreCore {
    fn describe(&self, names: &dyn Fn(TaskId) -> String) -> String {
        self.describe_op(0, names)
    }
}

/// A counter of permits that limits how many tasks do something at once: asyncio's
/// `Semaphore`, as a cheap [`Clone`] handle.
///
/// [`acquire`](Semaphore::acquire) takes a permit, waiting while none is free, and returns a
/// [`SemaphorePermit`] that gives it back when dropped (the `async with sem:` block). The
/// rules are CPython 3.13's: waiters are served in arrival order, nobody barges past a queued
/// waiter even when permits are free, a released permit is reserved for the waiter it wakes,
/// and a woken waiter that is dropped before it ran gives the permit back and wakes the next.
/// [`peak_in_use`](Semaphore::peak_in_use) lets a test assert a concurrency limit directly.
///
/// # Examples
///
/// Ten fetches, at most three at a time (ASYNCIO.md §2):
///
/// ```
/// use simloop::sync::Semaphore;
/// use simloop::task::spawn;
/// use simloop::time::{now, sleep};
/// use std::time::Duration;
///
/// simloop::run(0, async {
///     let limit = Semaphore::new(3);
///     let fetches: Vec<_> = (0..10)
///         .map(|i| {
///             let limit = limit.clone();
///             spawn(async move {
///                 let _permit = limit.acquire().await;
///                 sleep(Duration::from_secs(1)).await;
///                 i
///             })
///         })
///         .collect();
///     for (i, fetch) in fetches.into_iter().enumerate() {
///         assert_eq!(fetch.await, Ok(i));
///     }
///     assert_eq!(limit.peak_in_use(), 3);
///     assert_eq!(now().since_start(), Duration::from_secs(4));
/// });
/// ```
#[derive(Clone)]
pub struct Semaphore {
    core: Rc<SemaphoreCore>,
}

impl Semaphore {
    /// The most permits a semaphore may have, free, reserved and held together (tokio's
    /// bound). [`new`](Semaphore::new) and [`add_permits`](Semaphore::add_permits) refuse to go
    /// past it, so releasing a permit can never overflow the count.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::sync::Semaphore;
    ///
    /// assert_eq!(Semaphore::MAX_PERMITS, usize::MAX >> 3);
    /// let unbounded_enough = Semaphore::new(Semaphore::MAX_PERMITS);
    /// assert_eq!(unbounded_enough.available_permits(), Semaphore::MAX_PERMITS);
    /// ```
    pub const MAX_PERMITS: usize = usize::MAX >> 3;

    /// A semaphore with `permits` free permits (asyncio's `Semaphore(value)`; a negative value,
    /// which asyncio refuses, cannot be written).
    ///
    /// # Panics
    ///
    /// If `permits` is above [`Semaphore::MAX_PERMITS`].
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = simloop::sync::Semaphore::new(2);
    /// assert_eq!(semaphore.available_permits(), 2);
    /// ```
    #[track_caller]
    pub fn new(permits: usize) -> Semaphore {
        if permits > Semaphore::MAX_PERMITS {
            panic!(
                "simloop: Semaphore::new({permits}) is above Semaphore::MAX_PERMITS ({})",
                Semaphore::MAX_PERMITS
            );
        }
        Semaphore {
            core: Rc::new(SemaphoreCore {
                label: Label::new("Semaphore"),
                state: RefCell::new(SemaphoreState {
                    available: permits,
                    held: 0,
                    peak: 0,
                    holders: Vec::new(),
                    waiters: WaiterList::default(),
                }),
            }),
        }
    }

    /// Names the semaphore in the trace and in deadlock reports: `Semaphore(name)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::{sync::Semaphore, Config, Failure, Sim};
    ///
    /// let run = Sim::new(Config::default()).run(async {
    ///     let db = Semaphore::new(1).with_name("db");
    ///     let _held = db.acquire().await;
    ///     let _never = db.acquire().await; // waits for itself: a deadlock
    /// });
    /// let report = run.result.unwrap_err().to_string();
    /// assert!(report.contains("waits on Semaphore(db).acquire(), 1 of 1 permit held by `main`"));
    /// ```
    pub fn with_name(self, name: &str) -> Semaphore {
        self.core.label.set_name(name);
        self
    }

    /// Takes a permit, waiting in line while none is free or others are already waiting.
    ///
    /// A free permit with nobody queued is taken at once, without yielding.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::sync::Semaphore;
    ///
    /// simloop::run(0, async {
    ///     let semaphore = Semaphore::new(1);
    ///     let permit = semaphore.acquire().await;
    ///     assert_eq!(semaphore.available_permits(), 0);
    ///     drop(permit);
    ///     assert_eq!(semaphore.available_permits(), 1);
    /// });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before it completes takes no permit. If a permit had already been
    /// reserved for it (it was woken but had not run), the permit goes back and the next
    /// waiter is woken, so no permit is ever stranded.
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire {
            semaphore: self,
            waiter: None,
        }
    }

    /// Takes a permit if one is free and nobody is queued for it.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::sync::{Semaphore, TryAcquireError};
    ///
    /// let semaphore = Semaphore::new(1);
    /// let permit = semaphore.try_acquire().unwrap();
    /// assert_eq!(semaphore.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
    /// drop(permit);
    /// assert!(semaphore.try_acquire().is_ok());
    /// ```
    ///
    /// # Errors
    ///
    /// [`TryAcquireError::NoPermits`] if none is free, [`TryAcquireError::Queued`] if one is
    /// free but tasks are already waiting for it (they come first).
    pub fn try_acquire(&self) -> Result<SemaphorePermit, TryAcquireError> {
        let mut state = self.core.state.borrow_mut();
        if state.must_wait() {
            let error = if state.available == 0 {
                TryAcquireError::NoPermits
            } else {
                TryAcquireError::Queued
            };
            drop(state);
            self.core
                .label
                .record(Detail::Notable, op!("try_acquire() -> no permit"));
            return Err(error);
        }
        state.available -= 1;
        let holder = state.grant();
        drop(state);
        self.core
            .label
            .record(Detail::Routine, op!("try_acquire()"));
        Ok(self.permit(holder))
    }

    fn permit(&self, holder: TaskId) -> SemaphorePermit {
        SemaphorePermit {
            core: Rc::clone(&self.core),
            holder,
        }
    }

    /// Adds `count` permits, waking as many waiting tasks (asyncio's `release()`, `count`
    /// times, without a permit to give back).
    ///
    /// # Panics
    ///
    /// If the semaphore would then have more than [`Semaphore::MAX_PERMITS`] permits, free,
    /// reserved for a woken task and held together; no permit is added then.
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = simloop::sync::Semaphore::new(0);
    /// semaphore.add_permits(2);
    /// assert_eq!(semaphore.available_permits(), 2);
    /// ```
    #[track_caller]
    pub fn add_permits(&self, count: usize) {
        let mut state = self.core.state.borrow_mut();
        let total = state.available + state.held + state.waiters.notified_len();
        if count > Semaphore::MAX_PERMITS - total {
            drop(state);
            panic!(
                "simloop: {}.add_permits({count}) with {total} permits would exceed \
                 Semaphore::MAX_PERMITS ({})",
                self.core.label.text(),
                Semaphore::MAX_PERMITS
            );
        }
        let mut wakeups = Wakeups::default();
        state.available += count;
        state.wake_while_available(&mut wakeups);
        drop(state);
        self.core
            .label
            .record_with(Detail::Notable, || format!("add_permits({count})"));
        wakeups.wake();
    }

    /// Permits free now (reserved ones, promised to a woken task, are not).
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = simloop::sync::Semaphore::new(3);
    /// let _one = semaphore.try_acquire().unwrap();
    /// assert_eq!(semaphore.available_permits(), 2);
    /// ```
    pub fn available_permits(&self) -> usize {
        self.core.state.borrow().available
    }

    /// Permits held by [`SemaphorePermit`]s now.
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = simloop::sync::Semaphore::new(3);
    /// let _one = semaphore.try_acquire().unwrap();
    /// assert_eq!(semaphore.in_use(), 1);
    /// ```
    pub fn in_use(&self) -> usize {
        self.core.state.borrow().held
    }

    /// The most permits held at once so far: the concurrency a test wants to bound.
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = simloop::sync::Semaphore::new(3);
    /// let a = semaphore.try_acquire().unwrap();
    /// let b = semaphore.try_acquire().unwrap();
    /// drop((a, b));
    /// assert_eq!(semaphore.in_use(), 0);
    /// assert_eq!(semaphore.peak_in_use(), 2);
    /// ```
    pub fn peak_in_use(&self) -> usize {
        self.core.state.borrow().peak
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.core.state.borrow();
        f.debug_struct("Semaphore")
            .field("name", &self.core.label.name())
            .field("available", &state.available)
            .field("in_use", &state.held)
            .field("waiting", &state.waiters.waiting_len())
            .finish()
    }
}

/// The future of [`Semaphore::acquire`].
///
/// # Cancel safety
///
/// See [`Semaphore::acquire`]: dropping it never strands a permit.
///
/// # Examples
///
/// ```
/// simloop::run(0, async {
///     let semaphore = simloop::sync::Semaphore::new(1);
///     let acquire = semaphore.acquire();
///     let _permit = acquire.await;
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Acquire<'a> {
    semaphore: &'a Semaphore,
    waiter: Option<WaiterKey>,
}

impl Future for Acquire<'_> {
    type Output = SemaphorePermit;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<SemaphorePermit> {
        let this = self.get_mut();
        let core = &this.semaphore.core;
        let mut state = core.state.borrow_mut();
        let Some(key) = this.waiter else {
            if !state.must_wait() {
                state.available -= 1;
                let holder = state.grant();
                drop(state);
                core.label.record(Detail::Routine, op!("acquire()"));
                return Poll::Ready(this.semaphore.permit(holder));
            }
            this.waiter = Some(state.waiters.push(cx.waker().clone()));
            drop(state);
            core.label.record(Detail::Notable, op!("acquire() waits"));
            rt::waiting_on(core);
            return Poll::Pending;
        };
        if state.waiters.state(key) == WaiterState::Waiting {
            state.waiters.update_waker(key, cx.waker());
            drop(state);
            rt::waiting_on(core);
            return Poll::Pending;
        }
        // Woken: the permit was reserved for us when we were notified.
        state.waiters.remove(key);
        this.waiter = None;
        let holder = state.grant();
        // CPython 3.13's `finally`: newcomers queued behind us while permits were free (FIFO
        // made them wait); wake as many as the free permits allow (`test_acquire_fifo_order_4`).
        let mut wakeups = Wakeups::default();
        state.wake_while_available(&mut wakeups);
        drop(state);
        core.label
            .record(Detail::Routine, op!("acquire() after waiting"));
        wakeups.wake();
        Poll::Ready(this.semaphore.permit(holder))
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        let Some(key) = self.waiter.take() else {
            return;
        };
        let core = &self.semaphore.core;
        let mut state = core.state.borrow_mut();
        if state.waiters.remove(key) == WaiterState::Notified {
            // Woken, then dropped before it ran: give the reserved permit back.
            state.available += 1;
        }
        let mut wakeups = Wakeups::default();
        state.wake_while_available(&mut wakeups);
        drop(state);
        if !wakeups.is_empty() {
            core.label
                .record(Detail::Notable, op!("acquire() dropped, permit passed on"));
        }
        wakeups.wake();
    }
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("semaphore", &self.semaphore.core.label.text())
            .field("waiting", &self.waiter.is_some())
            .finish()
    }
}

/// One permit of a [`Semaphore`], given back when dropped (the end of asyncio's
/// `async with sem:` block, however it ends).
///
/// It holds its own handle to the semaphore, so it can be stored or moved to another task; the
/// task that acquired it stays its holder in deadlock reports.
///
/// # Examples
///
/// ```
/// let semaphore = simloop::sync::Semaphore::new(1);
/// {
///     let _permit = semaphore.try_acquire().unwrap();
///     assert_eq!(semaphore.available_permits(), 0);
/// }
/// assert_eq!(semaphore.available_permits(), 1);
/// ```
#[must_use = "the permit is released as soon as it is dropped"]
pub struct SemaphorePermit {
    core: Rc<SemaphoreCore>,
    holder: TaskId,
}

impl Drop for SemaphorePermit {
    fn drop(&mut self) {
        let mut state = self.core.state.borrow_mut();
        state.held -= 1;
        if let Some(at) = state.holders.iter().position(|&task| task == self.holder) {
            state.holders.swap_remove(at);
        }
        // CPython's `release()`: one more permit, reserved at once for the oldest waiter.
        state.available += 1;
        let mut wakeups = Wakeups::default();
        state.wake_while_available(&mut wakeups);
        drop(state);
        self.core.label.record(Detail::Routine, op!("release()"));
        wakeups.wake();
    }
}

impl fmt::Debug for SemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("semaphore", &self.core.label.text())
            .field("holder", &self.holder)
            .finish()
    }
}

/// Why [`Semaphore::try_acquire`] took no permit.
///
/// # Examples
///
/// ```
/// use simloop::sync::{Semaphore, TryAcquireError};
///
/// let error = Semaphore::new(0).try_acquire().unwrap_err();
/// assert_eq!(error, TryAcquireError::NoPermits);
/// assert_eq!(error.to_string(), "no permit is free");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TryAcquireError {
    /// Every permit is held or reserved.
    NoPermits,
    /// A permit is free, but tasks already wait for one and come first.
    Queued,
}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryAcquireError::NoPermits => f.write_str("no permit is free"),
            TryAcquireError::Queued => {
                f.write_str("a permit is free but other tasks are queued for it")
            }
        }
    }
}

impl Error for TryAcquireError {}
