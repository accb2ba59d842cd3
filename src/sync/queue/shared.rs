//! The state behind every queue handle, and CPython 3.13's `Queue` rules on top of it.
//!
//! The bookkeeping (length, capacity, waiters) and every rule of CPython's that decides an
//! operation live in [`QueueCore`], which does not depend on the item type; the items live next
//! to it in [`QueueShared`], whose methods only move items in or out once the core has said so.
//!
//! The split is for test builds: generic code is compiled in the crate that uses it, at that
//! crate's opt-level, which is 0 in a test build even when the test's profile optimizes simloop.
//! What is left generic is a borrow and a push or a pop.

use std::cell::{RefCell, RefMut};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::error::{QueueShutDown, TaskDoneError, TryGetError, TryPutError};
use super::store::Store;
use crate::id::TaskId;
use crate::sync::common::{op, DescribeOp, Detail, Label, StaticOp, Targets};
use crate::sync::waiters::{WaiterKey, WaiterList, WaiterState, Wakeups};

/// The blocking operations, indexes into [`QueueCore`]'s wait targets.
pub(crate) const GET: usize = 0;
pub(crate) const PUT: usize = 1;
pub(crate) const JOIN: usize = 2;

pub(crate) struct QueueState {
    pub(crate) len: usize,
    /// Items put and not yet marked done (CPython's `_unfinished_tasks`).
    pub(crate) unfinished: usize,
    pub(crate) shut_down: bool,
    pub(crate) getters: WaiterList,
    pub(crate) putters: WaiterList,
    /// Tasks in `join()`: the waiters of CPython's `_finished` event.
    pub(crate) joiners: WaiterList,
}

pub(crate) struct QueueCore {
    pub(crate) label: Label,
    /// `usize::MAX` for an unbounded queue.
    pub(crate) capacity: usize,
    pub(crate) state: RefCell<QueueState>,
    pub(crate) targets: Targets<3>,
}

impl QueueState {
    #[inline]
    fn is_full(&self, capacity: usize) -> bool {
        self.len >= capacity
    }

    /// CPython's `get_nowait` on a non-empty state: one item fewer, and the first putter that
    /// waits is to be woken (the caller wakes it once the state is released).
    #[inline]
    fn take_one(&mut self) -> Option<Waker> {
        self.len -= 1;
        self.putters.notify_one()
    }

    /// CPython's `put_nowait` on a state known not to be full or shut down: one item more,
    /// counted unfinished, and the first getter that waits is to be woken.
    #[inline]
    fn add_one(&mut self) -> Option<Waker> {
        self.len += 1;
        self.unfinished += 1;
        self.getters.notify_one()
    }
}

impl DescribeOp for QueueCore {
    fn describe_op(&self, op: usize, _names: &dyn Fn(TaskId) -> String) -> String {
        let state = self.state.borrow();
        let label = self.label.text();
        let shut = if state.shut_down {
            " and shut down"
        } else {
            ""
        };
        match op {
            GET => format!("{label}.get(), the queue is empty{shut}"),
            PUT => format!(
                "{label}.put(), the queue is full ({} of {}){shut}",
                state.len, self.capacity
            ),
            _ => format!(
                "{label}.join(), {} item{} not marked done",
                state.unfinished,
                if state.unfinished == 1 { "" } else { "s" }
            ),
        }
    }
}

/// What the core decided for one poll of `get()` or `put()`, or one `try_get`/`try_put`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Turn {
    /// Take one item out (or put one in) now: the length, the wake-up of the task waiting on
    /// the other side and the trace event are done already. Wakers only enqueue, so nothing
    /// can see the store between the two steps.
    Now,
    /// The queue is shut down (recorded).
    ShutDown,
    /// There is nothing to take (no room to put): the task waits (registered, recorded), or,
    /// for a `try_` operation, the error is recorded.
    Refused,
}

impl QueueCore {
    fn block(self: &Rc<Self>, op: usize) {
        self.targets.block_on(self, op);
    }

    /// The common case of `get()`, a first poll on a non-empty queue: the item is the caller's
    /// ([`Turn::Now`]), or `None` for [`poll_get`](QueueCore::poll_get) to decide.
    ///
    /// Offered for inlining: every message of a queue takes this path or `first_put`.
    #[inline]
    pub(crate) fn first_get(&self, waiter: Option<WaiterKey>) -> Option<Turn> {
        if waiter.is_some() {
            return None;
        }
        let mut state = self.state.borrow_mut();
        if state.len == 0 {
            return None;
        }
        let woken = state.take_one();
        drop(state);
        wake_one(&self.label, woken, op!("get()"));
        Some(Turn::Now)
    }

    /// The common case of `put()`, a first poll on a queue with room (inline as `first_get`).
    #[inline]
    pub(crate) fn first_put(&self, waiter: Option<WaiterKey>) -> Option<Turn> {
        if waiter.is_some() {
            return None;
        }
        let mut state = self.state.borrow_mut();
        if state.shut_down || state.is_full(self.capacity) {
            return None;
        }
        let woken = state.add_one();
        drop(state);
        wake_one(&self.label, woken, op!("put()"));
        Some(Turn::Now)
    }

    pub(crate) fn try_put(&self) -> Turn {
        let mut state = self.state.borrow_mut();
        if state.shut_down {
            drop(state);
            self.label
                .record(Detail::Notable, op!("try_put() -> shut down"));
            return Turn::ShutDown;
        }
        if state.is_full(self.capacity) {
            drop(state);
            self.label.record(Detail::Notable, op!("try_put() -> full"));
            return Turn::Refused;
        }
        let woken = state.add_one();
        drop(state);
        wake_one(&self.label, woken, op!("try_put()"));
        Turn::Now
    }

    pub(crate) fn try_get(&self) -> Turn {
        let mut state = self.state.borrow_mut();
        if state.len == 0 {
            let shut_down = state.shut_down;
            drop(state);
            return if shut_down {
                self.label
                    .record(Detail::Notable, op!("try_get() -> shut down"));
                Turn::ShutDown
            } else {
                self.label
                    .record(Detail::Notable, op!("try_get() -> empty"));
                Turn::Refused
            };
        }
        let woken = state.take_one();
        drop(state);
        wake_one(&self.label, woken, op!("try_get()"));
        Turn::Now
    }

    /// One poll of `get()`: CPython's `while self.empty(): wait` followed by `get_nowait()`.
    pub(crate) fn poll_get(
        self: &Rc<Self>,
        waiter: &mut Option<WaiterKey>,
        cx: &mut Context<'_>,
    ) -> Turn {
        let label = &self.label;
        let mut state = self.state.borrow_mut();
        if let Some(key) = *waiter {
            match state.getters.state(key) {
                WaiterState::Waiting => {
                    state.getters.update_waker(key, cx.waker());
                    drop(state);
                    self.block(GET);
                    return Turn::Refused;
                }
                // No hand-off: a woken getter only re-checks. If another task took the item
                // first, it waits again at the tail (CPython appends a new future).
                WaiterState::Notified if state.len == 0 && !state.shut_down => {
                    state.getters.requeue(key, cx.waker());
                    drop(state);
                    label.record(Detail::Notable, op!("get() waits again"));
                    self.block(GET);
                    return Turn::Refused;
                }
                WaiterState::Notified => {
                    state.getters.remove(key);
                    *waiter = None;
                }
            }
        }
        if state.len == 0 {
            if state.shut_down {
                drop(state);
                label.record(Detail::Notable, op!("get() -> shut down"));
                return Turn::ShutDown;
            }
            *waiter = Some(state.getters.push(cx.waker().clone()));
            drop(state);
            label.record(Detail::Notable, op!("get() waits"));
            self.block(GET);
            return Turn::Refused;
        }
        let woken = state.take_one();
        drop(state);
        wake_one(&self.label, woken, op!("get()"));
        Turn::Now
    }

    /// One poll of `put(item)`: CPython's `while self.full(): wait` then `put_nowait(item)`.
    pub(crate) fn poll_put(
        self: &Rc<Self>,
        waiter: &mut Option<WaiterKey>,
        cx: &mut Context<'_>,
    ) -> Turn {
        let label = &self.label;
        let capacity = self.capacity;
        let mut state = self.state.borrow_mut();
        if let Some(key) = *waiter {
            match state.putters.state(key) {
                WaiterState::Waiting => {
                    state.putters.update_waker(key, cx.waker());
                    drop(state);
                    self.block(PUT);
                    return Turn::Refused;
                }
                WaiterState::Notified if state.is_full(capacity) && !state.shut_down => {
                    state.putters.requeue(key, cx.waker());
                    drop(state);
                    label.record(Detail::Notable, op!("put() waits again"));
                    self.block(PUT);
                    return Turn::Refused;
                }
                WaiterState::Notified => {
                    state.putters.remove(key);
                    *waiter = None;
                }
            }
        }
        if state.shut_down {
            drop(state);
            label.record(Detail::Notable, op!("put() -> shut down"));
            return Turn::ShutDown;
        }
        if state.is_full(capacity) {
            *waiter = Some(state.putters.push(cx.waker().clone()));
            drop(state);
            label.record(Detail::Notable, op!("put() waits"));
            self.block(PUT);
            return Turn::Refused;
        }
        let woken = state.add_one();
        drop(state);
        wake_one(&self.label, woken, op!("put()"));
        Turn::Now
    }

    /// A `get()` dropped while registered: if it had been woken and an item is still there,
    /// the wake-up goes to the next getter (CPython's `test_get_cancel_drop_*`).
    pub(crate) fn cancel_get(&self, key: WaiterKey) {
        let mut state = self.state.borrow_mut();
        let was = state.getters.remove(key);
        let woken = if was == WaiterState::Notified && state.len > 0 {
            state.getters.notify_one()
        } else {
            None
        };
        drop(state);
        wake_one(&self.label, woken, op!("get() dropped"));
    }

    /// A `put()` dropped while registered: a woken putter passes its slot on
    /// (`test_put_cancelled_race`).
    pub(crate) fn cancel_put(&self, key: WaiterKey) {
        let mut state = self.state.borrow_mut();
        let was = state.putters.remove(key);
        let woken = if was == WaiterState::Notified && !state.is_full(self.capacity) {
            state.putters.notify_one()
        } else {
            None
        };
        drop(state);
        wake_one(&self.label, woken, op!("put() dropped"));
    }

    /// One poll of `join()`: done when no item is unfinished, or once woken by the
    /// `task_done()` that finished the last one (a later `put` does not un-wake it, as
    /// CPython's `Event.clear` does not).
    pub(crate) fn poll_join(
        self: &Rc<Self>,
        waiter: &mut Option<WaiterKey>,
        cx: &mut Context<'_>,
    ) -> Poll<()> {
        let mut state = self.state.borrow_mut();
        match *waiter {
            Some(key) if state.joiners.state(key) == WaiterState::Notified => {
                state.joiners.remove(key);
                *waiter = None;
                Poll::Ready(())
            }
            Some(key) => {
                state.joiners.update_waker(key, cx.waker());
                drop(state);
                self.block(JOIN);
                Poll::Pending
            }
            None if state.unfinished == 0 => Poll::Ready(()),
            None => {
                *waiter = Some(state.joiners.push(cx.waker().clone()));
                drop(state);
                self.label.record(Detail::Notable, op!("join() waits"));
                self.block(JOIN);
                Poll::Pending
            }
        }
    }

    pub(crate) fn cancel_join(&self, key: WaiterKey) {
        self.state.borrow_mut().joiners.remove(key);
    }

    pub(crate) fn task_done(&self) -> Result<(), TaskDoneError> {
        let mut state = self.state.borrow_mut();
        let label = &self.label;
        if state.unfinished == 0 {
            drop(state);
            label.record(Detail::Notable, op!("task_done() -> called too many times"));
            return Err(TaskDoneError);
        }
        state.unfinished -= 1;
        let mut wakeups = Wakeups::default();
        if state.unfinished == 0 {
            state.joiners.notify_all(&mut wakeups);
        }
        drop(state);
        label.record(Detail::Routine, op!("task_done()"));
        wakeups.wake();
        Ok(())
    }

    /// The bookkeeping of CPython 3.13's `shutdown(immediate)` once `discarded` items were
    /// taken out: every blocked getter and putter is woken to re-check, and the discarded
    /// items count as done, which may release `join()`.
    fn shut_down(&self, mut state: RefMut<'_, QueueState>, immediate: bool, discarded: usize) {
        state.shut_down = true;
        let mut wakeups = Wakeups::default();
        if immediate {
            state.len = 0;
            state.unfinished = state.unfinished.saturating_sub(discarded);
            if state.unfinished == 0 {
                state.joiners.notify_all(&mut wakeups);
            }
        }
        state.getters.notify_all(&mut wakeups);
        state.putters.notify_all(&mut wakeups);
        drop(state);
        if immediate {
            self.label.record_with(Detail::Notable, || {
                format!("shutdown_immediate() -> {discarded} items discarded")
            });
        } else {
            self.label.record(Detail::Notable, op!("shutdown()"));
        }
        wakeups.wake();
    }
}

/// Everything a queue handle points to.
pub(crate) struct QueueShared<T> {
    pub(crate) core: Rc<QueueCore>,
    pub(crate) items: RefCell<Store<T>>,
}

impl<T> QueueShared<T> {
    pub(crate) fn new(kind: &'static str, capacity: usize, items: Store<T>) -> QueueShared<T> {
        QueueShared {
            core: Rc::new(QueueCore {
                label: Label::new(kind),
                capacity,
                state: RefCell::new(QueueState {
                    len: 0,
                    unfinished: 0,
                    shut_down: false,
                    getters: WaiterList::default(),
                    putters: WaiterList::default(),
                    joiners: WaiterList::default(),
                }),
                targets: Targets::default(),
            }),
            items: RefCell::new(items),
        }
    }

    /// Takes the next item out, once the core has counted it gone.
    #[inline]
    fn take(&self) -> T {
        let item = self.items.borrow_mut().pop();
        item.expect("simloop: queue length and items disagree")
    }

    pub(crate) fn try_put(&self, item: T) -> Result<(), TryPutError<T>> {
        match self.core.try_put() {
            Turn::Now => {
                self.items.borrow_mut().push(item);
                Ok(())
            }
            Turn::ShutDown => Err(TryPutError::ShutDown(item)),
            Turn::Refused => Err(TryPutError::Full(item)),
        }
    }

    pub(crate) fn try_get(&self) -> Result<T, TryGetError> {
        match self.core.try_get() {
            Turn::Now => Ok(self.take()),
            Turn::ShutDown => Err(TryGetError::ShutDown),
            Turn::Refused => Err(TryGetError::Empty),
        }
    }

    /// One poll of `get()` (see [`QueueCore::poll_get`]).
    #[inline]
    pub(crate) fn poll_get(
        &self,
        waiter: &mut Option<WaiterKey>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<T, QueueShutDown>> {
        let turn = match self.core.first_get(*waiter) {
            Some(turn) => turn,
            None => self.core.poll_get(waiter, cx),
        };
        match turn {
            Turn::Now => Poll::Ready(Ok(self.take())),
            Turn::ShutDown => Poll::Ready(Err(QueueShutDown(()))),
            Turn::Refused => Poll::Pending,
        }
    }

    /// One poll of `put(item)` (see [`QueueCore::poll_put`]); `item` stays in place while the
    /// task waits.
    #[inline]
    pub(crate) fn poll_put(
        &self,
        item: &mut Option<T>,
        waiter: &mut Option<WaiterKey>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), QueueShutDown<T>>> {
        if item.is_none() {
            put_polled_after_completion();
        }
        let turn = match self.core.first_put(*waiter) {
            Some(turn) => turn,
            None => self.core.poll_put(waiter, cx),
        };
        match turn {
            Turn::Now => {
                let value = item.take().expect("checked at the top");
                self.items.borrow_mut().push(value);
                Poll::Ready(Ok(()))
            }
            Turn::ShutDown => {
                Poll::Ready(Err(QueueShutDown(item.take().expect("checked at the top"))))
            }
            Turn::Refused => Poll::Pending,
        }
    }

    /// CPython 3.13's `shutdown(immediate)`: with `immediate` the items go first (returned, in
    /// `get` order); see [`QueueCore::shut_down`] for the rest.
    pub(crate) fn shutdown(&self, immediate: bool) -> Vec<T> {
        let state = self.core.state.borrow_mut();
        let mut discarded = Vec::new();
        if immediate {
            let mut items = self.items.borrow_mut();
            while let Some(item) = items.pop() {
                discarded.push(item);
            }
        }
        self.core.shut_down(state, immediate, discarded.len());
        discarded
    }
}

#[cold]
#[track_caller]
fn put_polled_after_completion() -> ! {
    panic!("simloop: Put polled after it completed")
}

/// Records `op`, a completed operation, and then wakes `woken` (the runtime records the wake).
#[inline]
fn wake_one(label: &Label, woken: Option<Waker>, op: StaticOp) {
    label.record(Detail::Routine, op);
    if let Some(waker) = woken {
        waker.wake();
    }
}
