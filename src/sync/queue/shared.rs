//! The state behind every queue handle, and CPython 3.13's `Queue` rules on top of it.
//!
//! The bookkeeping a deadlock report reads (length, capacity, waiters) lives in [`QueueCore`],
//! which does not depend on the item type; the items live next to it in [`QueueShared`].

use std::cell::RefCell;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::error::{QueueShutDown, TaskDoneError, TryGetError, TryPutError};
use super::store::Store;
use crate::sync::common::{op, DescribeOp, Detail, Label, StaticOp, Targets};
use crate::sync::waiters::{WaiterKey, WaiterList, WaiterState, Wakeups};
use crate::task::TaskId;

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

    fn block(&self, op: usize) {
        self.core.targets.block_on(&self.core, op);
    }

    /// CPython's `put_nowait` on a state already known not to be full or shut down: append,
    /// count the item as unfinished, and wake the first getter that waits.
    #[inline]
    fn push(&self, state: &mut QueueState, item: T) -> Option<Waker> {
        self.items.borrow_mut().push(item);
        state.len += 1;
        state.unfinished += 1;
        state.getters.notify_one()
    }

    /// CPython's `get_nowait` on a non-empty state: take the next item and wake the first
    /// putter that waits.
    #[inline]
    fn pop(&self, state: &mut QueueState) -> (T, Option<Waker>) {
        let item = self.items.borrow_mut().pop();
        let item = item.expect("simloop: queue length and items disagree");
        state.len -= 1;
        (item, state.putters.notify_one())
    }

    pub(crate) fn try_put(&self, item: T) -> Result<(), TryPutError<T>> {
        let mut state = self.core.state.borrow_mut();
        let label = &self.core.label;
        if state.shut_down {
            drop(state);
            label.record(Detail::Notable, op!("try_put() -> shut down"));
            return Err(TryPutError::ShutDown(item));
        }
        if state.is_full(self.core.capacity) {
            drop(state);
            label.record(Detail::Notable, op!("try_put() -> full"));
            return Err(TryPutError::Full(item));
        }
        let woken = self.push(&mut state, item);
        drop(state);
        wake_one(label, woken, op!("try_put()"));
        Ok(())
    }

    pub(crate) fn try_get(&self) -> Result<T, TryGetError> {
        let mut state = self.core.state.borrow_mut();
        let label = &self.core.label;
        if state.len == 0 {
            let shut_down = state.shut_down;
            drop(state);
            return Err(if shut_down {
                label.record(Detail::Notable, op!("try_get() -> shut down"));
                TryGetError::ShutDown
            } else {
                label.record(Detail::Notable, op!("try_get() -> empty"));
                TryGetError::Empty
            });
        }
        let (item, woken) = self.pop(&mut state);
        drop(state);
        wake_one(label, woken, op!("try_get()"));
        Ok(item)
    }

    /// One poll of `get()`: CPython's `while self.empty(): wait` followed by `get_nowait()`.
    ///
    /// The common case, a first poll on a non-empty queue, is inlined into the caller.
    #[inline]
    pub(crate) fn poll_get(
        &self,
        waiter: &mut Option<WaiterKey>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<T, QueueShutDown>> {
        if waiter.is_none() {
            let mut state = self.core.state.borrow_mut();
            if state.len > 0 {
                let (item, woken) = self.pop(&mut state);
                drop(state);
                wake_one(&self.core.label, woken, op!("get()"));
                return Poll::Ready(Ok(item));
            }
        }
        self.poll_get_slow(waiter, cx)
    }

    #[inline(never)]
    fn poll_get_slow(
        &self,
        waiter: &mut Option<WaiterKey>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<T, QueueShutDown>> {
        let label = &self.core.label;
        let mut state = self.core.state.borrow_mut();
        if let Some(key) = *waiter {
            match state.getters.state(key) {
                WaiterState::Waiting => {
                    state.getters.update_waker(key, cx.waker());
                    drop(state);
                    self.block(GET);
                    return Poll::Pending;
                }
                // No hand-off: a woken getter only re-checks. If another task took the item
                // first, it waits again at the tail (CPython appends a new future).
                WaiterState::Notified if state.len == 0 && !state.shut_down => {
                    state.getters.requeue(key, cx.waker());
                    drop(state);
                    label.record(Detail::Notable, op!("get() waits again"));
                    self.block(GET);
                    return Poll::Pending;
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
                return Poll::Ready(Err(QueueShutDown(())));
            }
            *waiter = Some(state.getters.push(cx.waker().clone()));
            drop(state);
            label.record(Detail::Notable, op!("get() waits"));
            self.block(GET);
            return Poll::Pending;
        }
        let (item, woken) = self.pop(&mut state);
        drop(state);
        wake_one(label, woken, op!("get()"));
        Poll::Ready(Ok(item))
    }

    /// One poll of `put(item)`: CPython's `while self.full(): wait` then `put_nowait(item)`.
    ///
    /// The common case, a first poll on a queue with room, is inlined into the caller.
    #[inline]
    pub(crate) fn poll_put(
        &self,
        item: &mut Option<T>,
        waiter: &mut Option<WaiterKey>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), QueueShutDown<T>>> {
        if waiter.is_none() {
            let mut state = self.core.state.borrow_mut();
            if !state.shut_down && !state.is_full(self.core.capacity) {
                let value = item.take().expect("simloop: Put polled after it completed");
                let woken = self.push(&mut state, value);
                drop(state);
                wake_one(&self.core.label, woken, op!("put()"));
                return Poll::Ready(Ok(()));
            }
        }
        self.poll_put_slow(item, waiter, cx)
    }

    #[inline(never)]
    fn poll_put_slow(
        &self,
        item: &mut Option<T>,
        waiter: &mut Option<WaiterKey>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), QueueShutDown<T>>> {
        let label = &self.core.label;
        let capacity = self.core.capacity;
        let mut state = self.core.state.borrow_mut();
        if let Some(key) = *waiter {
            match state.putters.state(key) {
                WaiterState::Waiting => {
                    state.putters.update_waker(key, cx.waker());
                    drop(state);
                    self.block(PUT);
                    return Poll::Pending;
                }
                WaiterState::Notified if state.is_full(capacity) && !state.shut_down => {
                    state.putters.requeue(key, cx.waker());
                    drop(state);
                    label.record(Detail::Notable, op!("put() waits again"));
                    self.block(PUT);
                    return Poll::Pending;
                }
                WaiterState::Notified => {
                    state.putters.remove(key);
                    *waiter = None;
                }
            }
        }
        let value = item.take().expect("simloop: Put polled after it completed");
        if state.shut_down {
            drop(state);
            label.record(Detail::Notable, op!("put() -> shut down"));
            return Poll::Ready(Err(QueueShutDown(value)));
        }
        if state.is_full(capacity) {
            *item = Some(value);
            *waiter = Some(state.putters.push(cx.waker().clone()));
            drop(state);
            label.record(Detail::Notable, op!("put() waits"));
            self.block(PUT);
            return Poll::Pending;
        }
        let woken = self.push(&mut state, value);
        drop(state);
        wake_one(label, woken, op!("put()"));
        Poll::Ready(Ok(()))
    }

    /// A `get()` dropped while registered: if it had been woken and an item is still there,
    /// the wake-up goes to the next getter (CPython's `test_get_cancel_drop_*`).
    // Out of line: the drop of every `get()` checks for it, and few need it.
    #[inline(never)]
    pub(crate) fn cancel_get(&self, key: WaiterKey) {
        let mut state = self.core.state.borrow_mut();
        let was = state.getters.remove(key);
        let woken = if was == WaiterState::Notified && state.len > 0 {
            state.getters.notify_one()
        } else {
            None
        };
        drop(state);
        wake_one(&self.core.label, woken, op!("get() dropped"));
    }

    /// A `put()` dropped while registered: a woken putter passes its slot on
    /// (`test_put_cancelled_race`).
    // Out of line: the drop of every `put()` checks for it, and few need it.
    #[inline(never)]
    pub(crate) fn cancel_put(&self, key: WaiterKey) {
        let mut state = self.core.state.borrow_mut();
        let was = state.putters.remove(key);
        let woken = if was == WaiterState::Notified && !state.is_full(self.core.capacity) {
            state.putters.notify_one()
        } else {
            None
        };
        drop(state);
        wake_one(&self.core.label, woken, op!("put() dropped"));
    }

    /// One poll of `join()`: done when no item is unfinished, or once woken by the
    /// `task_done()` that finished the last one (a later `put` does not un-wake it, as
    /// CPython's `Event.clear` does not).
    pub(crate) fn poll_join(
        &self,
        waiter: &mut Option<WaiterKey>,
        cx: &mut Context<'_>,
    ) -> Poll<()> {
        let mut state = self.core.state.borrow_mut();
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
                self.core.label.record(Detail::Notable, op!("join() waits"));
                self.block(JOIN);
                Poll::Pending
            }
        }
    }

    pub(crate) fn cancel_join(&self, key: WaiterKey) {
        self.core.state.borrow_mut().joiners.remove(key);
    }

    pub(crate) fn task_done(&self) -> Result<(), TaskDoneError> {
        let mut state = self.core.state.borrow_mut();
        let label = &self.core.label;
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

    /// CPython 3.13's `shutdown(immediate)`: every blocked getter and putter is woken to
    /// re-check; with `immediate` the items go first (returned, in `get` order), each counted
    /// done, which may release `join()`.
    pub(crate) fn shutdown(&self, immediate: bool) -> Vec<T> {
        let mut state = self.core.state.borrow_mut();
        state.shut_down = true;
        let mut discarded = Vec::new();
        let mut wakeups = Wakeups::default();
        if immediate {
            let mut items = self.items.borrow_mut();
            while let Some(item) = items.pop() {
                discarded.push(item);
            }
            drop(items);
            state.len = 0;
            state.unfinished = state.unfinished.saturating_sub(discarded.len());
            if state.unfinished == 0 {
                state.joiners.notify_all(&mut wakeups);
            }
        }
        state.getters.notify_all(&mut wakeups);
        state.putters.notify_all(&mut wakeups);
        drop(state);
        let label = &self.core.label;
        if immediate {
            label.record_with(Detail::Notable, || {
                format!(
                    "shutdown_immediate() -> {} items discarded",
                    discarded.len()
                )
            });
        } else {
            label.record(Detail::Notable, op!("shutdown()"));
        }
        wakeups.wake();
        discarded
    }
}

/// Records `op`, a completed operation, and then wakes `woken` (the runtime records the wake).
#[inline(always)]
fn wake_one(label: &Label, woken: Option<Waker>, op: StaticOp) {
    label.record(Detail::Routine, op);
    if let Some(waker) = woken {
        waker.wake();
    }
}
