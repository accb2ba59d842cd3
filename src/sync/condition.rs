//! `Condition<T>`: asyncio's condition variable over a [`Lock`] (ASYNCIO.md §1.14).

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::common::{op, DescribeOp, Detail, Label};
use super::lock::{Lock, LockAcquire, LockGuard};
use super::waiters::{WaiterKey, WaiterList, WaiterState, Wakeups};
use crate::id::TaskId;
use crate::rt::{self, WaitTarget};

struct ConditionCore {
    label: Label,
    waiters: RefCell<WaiterList>,
}

impl ConditionCore {
    fn notify(&self, count: usize) -> usize {
        let mut wakeups = Wakeups::default();
        let woken = self.waiters.borrow_mut().notify(count, &mut wakeups);
        wakeups.wake();
        woken
    }
}

impl DescribeOp for ConditionCore {
    fn describe_op(&self, _op: usize, _names: &dyn Fn(TaskId) -> String) -> String {
        format!("{}.wait(), not notified", self.label.text())
    }
}

impl WaitTarget for ConditionCore {
    fn describe(&self, names: &dyn Fn(TaskId) -> String) -> String {
        self.describe_op(0, names)
    }
}

/// A condition variable: tasks wait, with a [`Lock`] released, until another task notifies
/// them; asyncio's `Condition`, as a cheap [`Clone`] handle.
///
/// Waiting needs the lock, and the types make that impossible to forget:
/// [`wait`](Condition::wait) consumes the [`LockGuard`] and returns it re-acquired. While
/// waiting, the lock is free for others. [`notify`](Condition::notify) wakes the longest
/// waiting tasks first; each then queues for the lock in the order it was woken. A notified
/// waiter that is dropped before it got the lock back passes its notification on, so a wake-up
/// is never lost.
///
/// # Examples
///
/// ```
/// use simloop::sync::Condition;
/// use simloop::task::spawn;
///
/// simloop::run(0, async {
///     let jobs = Condition::new(Vec::<u32>::new());
///     let consumer = {
///         let jobs = jobs.clone();
///         spawn(async move {
///             let guard = jobs.lock().await;
///             let mut guard = jobs.wait_for(guard, |queue| !queue.is_empty()).await;
///             guard.pop()
///         })
///     };
///     simloop::task::yield_now().await; // the consumer starts waiting
///     let mut guard = jobs.lock().await;
///     guard.push(7);
///     jobs.notify(1);
///     drop(guard);
///     assert_eq!(consumer.await.unwrap(), Some(7));
/// });
/// ```
pub struct Condition<T> {
    lock: Lock<T>,
    core: Rc<ConditionCore>,
    owns_lock: bool,
}

impl<T> Clone for Condition<T> {
    fn clone(&self) -> Self {
        Condition {
            lock: self.lock.clone(),
            core: Rc::clone(&self.core),
            owns_lock: self.owns_lock,
        }
    }
}

impl<T> Condition<T> {
    /// A condition with a lock of its own, guarding `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// let ready = simloop::sync::Condition::new(false);
    /// assert!(!ready.lock_handle().is_locked());
    /// ```
    pub fn new(value: T) -> Condition<T> {
        Condition::build(Lock::new(value), true)
    }

    /// A condition over an existing lock, which several conditions may share (asyncio's
    /// `Condition(lock)`).
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::sync::{Condition, Lock};
    ///
    /// let lock = Lock::new(0);
    /// let not_empty = Condition::with_lock(lock.clone());
    /// let not_full = Condition::with_lock(lock.clone());
    /// let _guard = lock.try_lock().unwrap();
    /// assert!(not_empty.lock_handle().is_locked() && not_full.lock_handle().is_locked());
    /// ```
    pub fn with_lock(lock: Lock<T>) -> Condition<T> {
        Condition::build(lock, false)
    }

    fn build(lock: Lock<T>, owns_lock: bool) -> Condition<T> {
        Condition {
            lock,
            core: Rc::new(ConditionCore {
                label: Label::new("Condition"),
                waiters: RefCell::new(WaiterList::default()),
            }),
            owns_lock,
        }
    }

    /// Names the condition in the trace and deadlock reports (`Condition(name)`), and its lock
    /// too (`Lock(name)`) if the condition made it.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::{sync::Condition, Config, Sim};
    ///
    /// let run = Sim::new(Config::default()).run(async {
    ///     let cond = Condition::new(()).with_name("ready");
    ///     let guard = cond.lock().await;
    ///     let _guard = cond.wait(guard).await; // nobody will notify
    /// });
    /// let report = run.result.unwrap_err().to_string();
    /// assert!(report.contains("waits on Condition(ready).wait(), not notified"));
    /// ```
    pub fn with_name(self, name: &str) -> Condition<T> {
        self.core.label.set_name(name);
        if self.owns_lock {
            self.lock.core().label.set_name(name);
        }
        self
    }

    /// The lock this condition waits with.
    ///
    /// # Examples
    ///
    /// ```
    /// let cond = simloop::sync::Condition::new(1);
    /// assert!(cond.lock_handle().try_lock().is_ok());
    /// ```
    pub fn lock_handle(&self) -> &Lock<T> {
        &self.lock
    }

    /// Acquires the condition's lock: the `async with cond:` of asyncio.
    ///
    /// # Examples
    ///
    /// ```
    /// simloop::run(0, async {
    ///     let cond = simloop::sync::Condition::new(5);
    ///     assert_eq!(*cond.lock().await, 5);
    /// });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// As [`Lock::lock`].
    pub fn lock(&self) -> LockAcquire<'_, T> {
        self.lock.lock()
    }

    /// Releases the lock held through `guard`, waits to be notified, re-acquires the lock and
    /// returns the new guard.
    ///
    /// As with any condition variable, check the state you wait for in a loop, or use
    /// [`wait_for`](Condition::wait_for).
    ///
    /// # Examples
    ///
    /// See [`Condition`].
    ///
    /// ```
    /// use simloop::sync::Condition;
    /// use simloop::task::{spawn, yield_now};
    ///
    /// simloop::run(0, async {
    ///     let cond = Condition::new(0);
    ///     let notifier = cond.clone();
    ///     let _n = spawn(async move {
    ///         let mut guard = notifier.lock().await;
    ///         *guard = 1;
    ///         notifier.notify_all(); // with the lock held
    ///     });
    ///     let guard = cond.lock().await;
    ///     let guard = cond.wait(guard).await;
    ///     assert_eq!(*guard, 1);
    /// });
    /// ```
    ///
    /// # Panics
    ///
    /// If `guard` belongs to another lock than this condition's (asyncio raises `RuntimeError`
    /// when waiting without the lock).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future gives the lock up for good: the guard was consumed. A waiter
    /// dropped after it was notified passes the notification on to the next waiter (CPython
    /// 3.13 notifies one more waiter when `wait` fails for any reason, which may be spurious;
    /// simloop passes on only a notification actually received).
    #[track_caller]
    pub fn wait<'a>(&'a self, guard: LockGuard<'a, T>) -> ConditionWait<'a, T> {
        assert!(
            guard.lock.same_lock(&self.lock),
            "simloop: Condition::wait called with the guard of a different Lock; wait with a \
             guard of this condition's own lock (asyncio: \"cannot wait on un-acquired lock\")"
        );
        ConditionWait {
            condition: self,
            lock: guard.lock,
            phase: Phase::Start(Some(guard)),
        }
    }

    /// Waits until `predicate` holds for the guarded value, re-checking after each
    /// notification; returns at once if it already holds. The lock is held whenever
    /// `predicate` runs and when this returns.
    ///
    /// # Examples
    ///
    /// See [`Condition`].
    ///
    /// ```
    /// simloop::run(0, async {
    ///     let cond = simloop::sync::Condition::new(3);
    ///     let guard = cond.lock().await;
    ///     let guard = cond.wait_for(guard, |n| *n == 3).await; // already true
    ///     assert_eq!(*guard, 3);
    /// });
    /// ```
    ///
    /// # Panics
    ///
    /// As [`wait`](Condition::wait).
    ///
    /// # Cancel safety
    ///
    /// As [`wait`](Condition::wait).
    pub async fn wait_for<'a, F>(
        &'a self,
        mut guard: LockGuard<'a, T>,
        mut predicate: F,
    ) -> LockGuard<'a, T>
    where
        F: FnMut(&mut T) -> bool,
    {
        while !predicate(&mut guard) {
            guard = self.wait(guard).await;
        }
        guard
    }

    /// Wakes up to `count` waiting tasks, longest waiting first.
    ///
    /// # Examples
    ///
    /// ```
    /// simloop::run(0, async {
    ///     let cond = simloop::sync::Condition::new(());
    ///     let _guard = cond.lock().await;
    ///     cond.notify(2); // nobody waits: nothing happens
    /// });
    /// ```
    ///
    /// # Panics
    ///
    /// If the condition's lock is not held (asyncio raises `RuntimeError("cannot notify on
    /// un-acquired lock")`).
    #[track_caller]
    pub fn notify(&self, count: usize) {
        self.check_locked("notify");
        let woken = self.core.notify(count);
        self.core.label.record_with(Detail::Notable, || {
            format!("notify({count}) -> {woken} woken")
        });
    }

    /// Wakes every waiting task, longest waiting first.
    ///
    /// # Examples
    ///
    /// ```
    /// simloop::run(0, async {
    ///     let cond = simloop::sync::Condition::new(());
    ///     let _guard = cond.lock().await;
    ///     cond.notify_all();
    /// });
    /// ```
    ///
    /// # Panics
    ///
    /// As [`notify`](Condition::notify).
    #[track_caller]
    pub fn notify_all(&self) {
        self.check_locked("notify_all");
        let woken = self.core.notify(usize::MAX);
        self.core
            .label
            .record_with(Detail::Notable, || format!("notify_all() -> {woken} woken"));
    }

    #[track_caller]
    fn check_locked(&self, call: &str) {
        assert!(
            self.lock.is_locked(),
            "simloop: Condition::{call} called while the condition's lock is not held; take it \
             with `lock().await` first (asyncio: \"cannot notify on un-acquired lock\")"
        );
    }
}

impl<T> fmt::Debug for Condition<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition")
            .field("name", &self.core.label.name())
            .field("waiting", &self.core.waiters.borrow().waiting_len())
            .finish()
    }
}

enum Phase<'a, T> {
    /// Not polled yet: still holding the lock.
    Start(Option<LockGuard<'a, T>>),
    /// Lock released, queued for a notification.
    Waiting(WaiterKey),
    /// Notified; queued for the lock (or about to be).
    Reacquire(Option<WaiterKey>),
    Done,
}

/// The future of [`Condition::wait`]; its output is the re-acquired guard.
///
/// # Cancel safety
///
/// See [`Condition::wait`].
///
/// # Examples
///
/// ```
/// simloop::run(0, async {
///     let cond = simloop::sync::Condition::new(());
///     let guard = cond.lock().await;
///     let wait = cond.wait(guard); // the lock is released when it is first polled
///     drop(wait); // ...or when it is dropped
///     assert!(!cond.lock_handle().is_locked());
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct ConditionWait<'a, T> {
    condition: &'a Condition<T>,
    lock: &'a Lock<T>,
    phase: Phase<'a, T>,
}

impl<'a, T> Future for ConditionWait<'a, T> {
    type Output = LockGuard<'a, T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<LockGuard<'a, T>> {
        let this = self.get_mut();
        let core = &this.condition.core;
        loop {
            match &mut this.phase {
                Phase::Start(guard) => {
                    drop(guard.take());
                    let key = core.waiters.borrow_mut().push(cx.waker().clone());
                    this.phase = Phase::Waiting(key);
                    core.label.record(Detail::Notable, op!("wait()"));
                    rt::waiting_on(core);
                    return Poll::Pending;
                }
                Phase::Waiting(key) => {
                    let key = *key;
                    let mut waiters = core.waiters.borrow_mut();
                    if waiters.state(key) == WaiterState::Waiting {
                        waiters.update_waker(key, cx.waker());
                        drop(waiters);
                        rt::waiting_on(core);
                        return Poll::Pending;
                    }
                    waiters.remove(key);
                    this.phase = Phase::Reacquire(None);
                }
                Phase::Reacquire(waiter) => {
                    let lock = this.lock;
                    match lock
                        .core()
                        .poll_acquire(waiter, cx, op!("lock() waits (condition)"))
                    {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(()) => {
                            this.phase = Phase::Done;
                            lock.core().label.record(Detail::Routine, op!("lock()"));
                            return Poll::Ready(lock.guard());
                        }
                    }
                }
                Phase::Done => panic!("simloop: ConditionWait polled after it completed"),
            }
        }
    }
}

impl<T> Drop for ConditionWait<'_, T> {
    fn drop(&mut self) {
        let core = &self.condition.core;
        match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::Waiting(key) => {
                if core.waiters.borrow_mut().remove(key) == WaiterState::Notified {
                    core.notify(1);
                    core.label.record(
                        Detail::Notable,
                        op!("wait() dropped, notification passed on"),
                    );
                }
            }
            Phase::Reacquire(waiter) => {
                if let Some(key) = waiter {
                    self.lock.core().cancel_acquire(key);
                }
                core.notify(1);
                core.label.record(
                    Detail::Notable,
                    op!("wait() dropped, notification passed on"),
                );
            }
            Phase::Start(_) | Phase::Done => {}
        }
    }
}

impl<T> fmt::Debug for ConditionWait<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let phase = match self.phase {
            Phase::Start(_) => "start",
            Phase::Waiting(_) => "waiting",
            Phase::Reacquire(_) => "reacquiring the lock",
            Phase::Done => "done",
        };
        f.debug_struct("ConditionWait")
            .field("condition", &self.condition.core.label.text())
            .field("phase", &phase)
            .finish()
    }
}
