//! `Lock<T>`: asyncio's `Lock` guarding a value (ASYNCIO.md §1.12).

use std::cell::{RefCell, RefMut};
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::common::{current_task, op, task_list, DescribeOp, Detail, Label, StaticOp};
use super::waiters::{WaiterKey, WaiterList, WaiterState, Wakeups};
use crate::id::TaskId;
use crate::rt::{self, WaitTarget};

pub(crate) struct LockState {
    pub(crate) locked: bool,
    holder: TaskId,
    waiters: WaiterList,
}

/// The part of a lock that does not depend on the value: what deadlock reports read.
pub(crate) struct LockCore {
    pub(crate) label: Label,
    pub(crate) state: RefCell<LockState>,
}

impl LockState {
    /// CPython's `_wake_up_first`: wake the first waiter unless it was already woken.
    fn wake_first(&mut self) -> Wakeups {
        if self.waiters.notified_len() > 0 {
            return Wakeups::NONE;
        }
        Wakeups::one(self.waiters.notify_one())
    }
}

impl DescribeOp for LockCore {
    fn describe_op(&self, _op: usize, names: &dyn Fn(TaskId) -> String) -> String {
        let state = self.state.borrow();
        let holders: &[TaskId] = if state.locked {
            std::slice::from_ref(&state.holder)
        } else {
            &[]
        };
        format!(
            "{}.lock(), held by {}",
            self.label.text(),
            task_list(holders, names)
        )
    }
}

impl WaitTarget for LockCore {
    fn describe(&self, names: &dyn Fn(TaskId) -> String) -> String {
        self.describe_op(0, names)
    }
}

impl LockCore {
    /// One poll of an acquisition; `what` names it in the trace.
    pub(crate) fn poll_acquire(
        self: &Rc<Self>,
        waiter: &mut Option<WaiterKey>,
        cx: &mut Context<'_>,
        what: StaticOp,
    ) -> Poll<()> {
        let mut state = self.state.borrow_mut();
        match *waiter {
            // CPython's fast path: unlocked *and* nobody queued, so no barging.
            None if !state.locked && state.waiters.is_empty() => {}
            None => {
                *waiter = Some(state.waiters.push(cx.waker().clone()));
                drop(state);
                self.label.record(Detail::Notable, what);
                rt::waiting_on(self);
                return Poll::Pending;
            }
            Some(key) if state.waiters.state(key) == WaiterState::Waiting => {
                state.waiters.update_waker(key, cx.waker());
                drop(state);
                rt::waiting_on(self);
                return Poll::Pending;
            }
            Some(key) => {
                // Woken by a release: nobody can have taken the lock since, because a woken
                // waiter still counts as queued.
                state.waiters.remove(key);
                *waiter = None;
                assert!(
                    !state.locked,
                    "simloop: a woken lock waiter found the lock held"
                );
            }
        }
        state.locked = true;
        state.holder = current_task();
        Poll::Ready(())
    }

    /// An acquisition dropped while queued: if the lock is free, make sure the first waiter
    /// will run (CPython's `except CancelledError: if not self._locked: self._wake_up_first()`,
    /// `test_cancel_release_race`).
    pub(crate) fn cancel_acquire(&self, key: WaiterKey) {
        let mut state = self.state.borrow_mut();
        state.waiters.remove(key);
        let wakeups = if state.locked {
            Wakeups::NONE
        } else {
            state.wake_first()
        };
        drop(state);
        if !wakeups.is_empty() {
            self.label
                .record(Detail::Notable, op!("lock() dropped, wake-up passed on"));
        }
        wakeups.wake();
    }

    /// Unlocks and wakes the first waiter.
    pub(crate) fn release(&self) {
        let mut state = self.state.borrow_mut();
        state.locked = false;
        state.holder = TaskId::NONE;
        let wakeups = state.wake_first();
        drop(state);
        self.label.record(Detail::Routine, op!("unlock()"));
        wakeups.wake();
    }
}

/// A mutual-exclusion lock that owns the value it guards: asyncio's `Lock`, as a cheap
/// [`Clone`] handle.
///
/// [`lock`](Lock::lock) waits for the lock and returns a [`LockGuard`] that derefs to the value
/// and unlocks when dropped (the `async with lock:` block). CPython's rules: a free lock with
/// nobody queued is taken without yielding; otherwise tasks queue in arrival order, nobody
/// barges past a queued waiter, and a woken waiter that is dropped before it ran passes the
/// wake-up on.
///
/// # Examples
///
/// ```
/// use simloop::sync::Lock;
/// use simloop::task::{spawn, yield_now};
///
/// simloop::run(0, async {
///     let balance = Lock::new(100);
///     let workers: Vec<_> = (0..4)
///         .map(|_| {
///             let balance = balance.clone();
///             spawn(async move {
///                 let mut guard = balance.lock().await;
///                 let read = *guard;
///                 yield_now().await; // others run, but none can enter
///                 *guard = read - 10;
///             })
///         })
///         .collect();
///     for worker in workers {
///         worker.await.unwrap();
///     }
///     assert_eq!(*balance.lock().await, 60);
/// });
/// ```
pub struct Lock<T> {
    core: Rc<LockCore>,
    value: Rc<RefCell<T>>,
}

impl<T> Clone for Lock<T> {
    fn clone(&self) -> Self {
        Lock {
            core: Rc::clone(&self.core),
            value: Rc::clone(&self.value),
        }
    }
}

impl<T> Lock<T> {
    /// An unlocked lock guarding `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = simloop::sync::Lock::new(vec![1]);
    /// assert!(!lock.is_locked());
    /// ```
    pub fn new(value: T) -> Lock<T> {
        Lock {
            core: Rc::new(LockCore {
                label: Label::new("Lock"),
                state: RefCell::new(LockState {
                    locked: false,
                    holder: TaskId::NONE,
                    waiters: WaiterList::default(),
                }),
            }),
            value: Rc::new(RefCell::new(value)),
        }
    }

    /// Names the lock in the trace and in deadlock reports: `Lock(name)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::{sync::Lock, Config, Sim};
    ///
    /// let run = Sim::new(Config::default()).run(async {
    ///     let lock = Lock::new(()).with_name("accounts");
    ///     let _held = lock.lock().await;
    ///     let _again = lock.lock().await; // not re-entrant: a deadlock
    /// });
    /// let report = run.result.unwrap_err().to_string();
    /// assert!(report.contains("waits on Lock(accounts).lock(), held by `main`"));
    /// ```
    pub fn with_name(self, name: &str) -> Lock<T> {
        self.core.label.set_name(name);
        self
    }

    /// Waits for the lock and returns the guard. The lock is not re-entrant.
    ///
    /// # Examples
    ///
    /// ```
    /// simloop::run(0, async {
    ///     let lock = simloop::sync::Lock::new(1);
    ///     *lock.lock().await += 1;
    ///     assert_eq!(*lock.lock().await, 2);
    /// });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before it completes leaves the lock alone; if it had been woken
    /// and not run yet, the wake-up passes to the next waiter.
    #[doc(alias = "acquire")]
    pub fn lock(&self) -> LockAcquire<'_, T> {
        LockAcquire {
            lock: self,
            waiter: None,
        }
    }

    /// Takes the lock if it is free and nobody is queued for it.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = simloop::sync::Lock::new(0);
    /// let guard = lock.try_lock().unwrap();
    /// assert!(lock.try_lock().is_err());
    /// drop(guard);
    /// assert!(lock.try_lock().is_ok());
    /// ```
    ///
    /// # Errors
    ///
    /// [`TryLockError`] if the lock is held or tasks are queued for it.
    pub fn try_lock(&self) -> Result<LockGuard<'_, T>, TryLockError> {
        let mut state = self.core.state.borrow_mut();
        if state.locked || !state.waiters.is_empty() {
            return Err(TryLockError);
        }
        state.locked = true;
        state.holder = current_task();
        drop(state);
        self.core.label.record(Detail::Routine, op!("try_lock()"));
        Ok(self.guard())
    }

    /// Whether a guard is alive: asyncio's `locked()`.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = simloop::sync::Lock::new(());
    /// let _guard = lock.try_lock().unwrap();
    /// assert!(lock.is_locked());
    /// ```
    #[doc(alias = "locked")]
    pub fn is_locked(&self) -> bool {
        self.core.state.borrow().locked
    }

    pub(crate) fn guard(&self) -> LockGuard<'_, T> {
        let value = self
            .value
            .try_borrow_mut()
            .expect("simloop: a Lock's value was borrowed twice; this is a simloop bug");
        LockGuard { lock: self, value }
    }

    pub(crate) fn core(&self) -> &Rc<LockCore> {
        &self.core
    }

    pub(crate) fn same_lock(&self, other: &Lock<T>) -> bool {
        Rc::ptr_eq(&self.core, &other.core)
    }
}

impl<T: fmt::Debug> fmt::Debug for Lock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Lock");
        out.field("name", &self.core.label.name());
        match self.value.try_borrow() {
            Ok(value) => out.field("value", &*value),
            Err(_) => out.field("value", &format_args!("<locked>")),
        };
        out.finish()
    }
}

/// The future of [`Lock::lock`].
///
/// # Cancel safety
///
/// See [`Lock::lock`].
///
/// # Examples
///
/// ```
/// simloop::run(0, async {
///     let lock = simloop::sync::Lock::new('a');
///     let acquire = lock.lock();
///     assert_eq!(*acquire.await, 'a');
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct LockAcquire<'a, T> {
    lock: &'a Lock<T>,
    waiter: Option<WaiterKey>,
}

impl<'a, T> Future for LockAcquire<'a, T> {
    type Output = LockGuard<'a, T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<LockGuard<'a, T>> {
        let this = self.get_mut();
        let core = &this.lock.core;
        match core.poll_acquire(&mut this.waiter, cx, op!("lock() waits")) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) => {
                core.label.record(Detail::Routine, op!("lock()"));
                Poll::Ready(this.lock.guard())
            }
        }
    }
}

impl<T> Drop for LockAcquire<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.waiter.take() {
            self.lock.core.cancel_acquire(key);
        }
    }
}

impl<T> fmt::Debug for LockAcquire<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockAcquire")
            .field("lock", &self.lock.core.label.text())
            .field("waiting", &self.waiter.is_some())
            .finish()
    }
}

/// Exclusive access to a [`Lock`]'s value; unlocks when dropped.
///
/// # Examples
///
/// ```
/// simloop::run(0, async {
///     let lock = simloop::sync::Lock::new(String::from("a"));
///     let mut guard = lock.lock().await;
///     guard.push('b');
///     assert_eq!(*guard, "ab");
/// });
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct LockGuard<'a, T> {
    pub(crate) lock: &'a Lock<T>,
    value: RefMut<'a, T>,
}

impl<T> Deref for LockGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for LockGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T> Drop for LockGuard<'_, T> {
    fn drop(&mut self) {
        // The value's borrow ends with this struct; nobody can observe the lock free while it
        // is still borrowed, because the woken waiter runs later, from the ready set.
        self.lock.core.release();
    }
}

impl<T: fmt::Debug> fmt::Debug for LockGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.value, f)
    }
}

/// [`Lock::try_lock`] found the lock held, or tasks queued for it.
///
/// # Examples
///
/// ```
/// let lock = simloop::sync::Lock::new(());
/// let _guard = lock.try_lock().unwrap();
/// let error = lock.try_lock().unwrap_err();
/// assert_eq!(error.to_string(), "the lock is held or tasks are queued for it");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TryLockError;

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the lock is held or tasks are queued for it")
    }
}

impl Error for TryLockError {}
