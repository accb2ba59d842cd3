//! The one FIFO waiter list every primitive is built on.
//!
//! CPython's primitives keep a `deque` of futures: a waiter appends one and awaits it; waking
//! sets its result (the waiter resumes one loop iteration later); a cancelled waiter removes its
//! future and, if it had already been woken, passes the wake-up on. This list is that deque:
//!
//! - [`push`](WaiterList::push) appends a *waiting* entry holding the task's [`Waker`];
//! - [`notify_one`](WaiterList::notify_one) turns the oldest waiting entry into a *notified*
//!   one and hands back its waker (a future whose result was set: "done and not cancelled");
//! - the owner of an entry always removes it itself, when it completes or is dropped, and
//!   [`remove`](WaiterList::remove) says which state it was in, so a dropped future that had
//!   already been notified can pass the wake-up on (CPython's `_wakeup_next` on cancellation).
//!
//! Entries live in a slab; the waiting ones are threaded, in arrival order, by an intrusive
//! doubly linked list, so every operation is O(1) and a list allocates only when it holds more
//! waiters at once than ever before. Notified entries only need counting: nothing ever walks
//! them, and their owners remove them by key. A cancelled entry is simply removed:
//! cancellation in Rust is dropping the future, and its `Drop` does the bookkeeping CPython's
//! `except CancelledError` blocks do.

use std::task::Waker;

/// No node: the end of the list or of the free list.
const NIL: u32 = u32::MAX;

/// The handle of one entry, held by the future that pushed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WaiterKey(u32);

/// Where an entry stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WaiterState {
    /// Registered and not woken yet.
    Waiting,
    /// Woken (its waker fired); the owner has not run since.
    Notified,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Vacant,
    Used(WaiterState),
}

#[derive(Debug)]
struct Node {
    /// Neighbours in the waiting list; `next` links the free list while vacant.
    prev: u32,
    next: u32,
    slot: Slot,
    /// Present while waiting; taken when notified.
    waker: Option<Waker>,
}

/// A FIFO of waiting and notified tasks; see the module docs.
#[derive(Debug)]
pub(crate) struct WaiterList {
    nodes: Vec<Node>,
    free: u32,
    head: u32,
    tail: u32,
    waiting: usize,
    notified: usize,
}

impl Default for WaiterList {
    fn default() -> Self {
        WaiterList {
            nodes: Vec::new(),
            free: NIL,
            head: NIL,
            tail: NIL,
            waiting: 0,
            notified: 0,
        }
    }
}

impl WaiterList {
    /// No entry at all, waiting or notified.
    ///
    /// This is CPython's "no waiter that is not cancelled": a notified waiter that has not run
    /// yet still counts, which is what stops a newcomer barging past it.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.waiting == 0 && self.notified == 0
    }

    /// Entries registered and not yet woken.
    #[inline]
    pub(crate) fn waiting_len(&self) -> usize {
        self.waiting
    }

    /// Entries woken whose owners have not run yet.
    #[inline]
    pub(crate) fn notified_len(&self) -> usize {
        self.notified
    }

    /// Appends a waiting entry at the tail.
    pub(crate) fn push(&mut self, waker: Waker) -> WaiterKey {
        let index = if self.free == NIL {
            let index = u32::try_from(self.nodes.len())
                .ok()
                .filter(|&index| index != NIL)
                .expect("simloop: more than 4 billion tasks waiting on one primitive");
            self.nodes.push(Node {
                prev: NIL,
                next: NIL,
                slot: Slot::Vacant,
                waker: None,
            });
            index
        } else {
            let index = self.free;
            self.free = self.nodes[index as usize].next;
            index
        };
        let node = &mut self.nodes[index as usize];
        node.waker = Some(waker);
        self.link_tail(index);
        WaiterKey(index)
    }

    /// The state of `key`'s entry.
    #[inline]
    pub(crate) fn state(&self, key: WaiterKey) -> WaiterState {
        match self.nodes[key.0 as usize].slot {
            Slot::Used(state) => state,
            Slot::Vacant => unreachable!("a waiter key outlived its entry"),
        }
    }

    /// Stores `waker` in a waiting entry if it would wake a different task.
    pub(crate) fn update_waker(&mut self, key: WaiterKey, waker: &Waker) {
        match &mut self.nodes[key.0 as usize].waker {
            Some(stored) if stored.will_wake(waker) => {}
            slot => *slot = Some(waker.clone()),
        }
    }

    /// Marks the oldest waiting entry notified and returns its waker, or `None` if nobody waits.
    #[inline]
    pub(crate) fn notify_one(&mut self) -> Option<Waker> {
        if self.head == NIL {
            return None;
        }
        self.notify_head()
    }

    fn notify_head(&mut self) -> Option<Waker> {
        let index = self.head;
        self.unlink(index);
        self.notified += 1;
        let node = &mut self.nodes[index as usize];
        node.slot = Slot::Used(WaiterState::Notified);
        // Waiting entries always hold a waker: `push` and `requeue` store one.
        node.waker.take()
    }

    /// Notifies up to `count` waiting entries, oldest first, adding their wakers to `wakeups`;
    /// returns how many were notified.
    pub(crate) fn notify(&mut self, count: usize, wakeups: &mut Wakeups) -> usize {
        let mut notified = 0;
        while notified < count {
            let Some(waker) = self.notify_one() else {
                break;
            };
            wakeups.push(waker);
            notified += 1;
        }
        notified
    }

    /// Notifies every waiting entry, oldest first.
    pub(crate) fn notify_all(&mut self, wakeups: &mut Wakeups) -> usize {
        self.notify(usize::MAX, wakeups)
    }

    /// Removes `key`'s entry and says what state it was in.
    pub(crate) fn remove(&mut self, key: WaiterKey) -> WaiterState {
        let index = key.0;
        let state = self.state(key);
        match state {
            WaiterState::Waiting => self.unlink(index),
            WaiterState::Notified => self.notified -= 1,
        }
        let free = self.free;
        let node = &mut self.nodes[index as usize];
        node.slot = Slot::Vacant;
        node.next = free;
        let waker = node.waker.take();
        self.free = index;
        drop(waker);
        state
    }

    /// Moves a notified entry back to the tail of the waiting list with a fresh waker: a woken
    /// waiter that found its condition false again queues at the tail, as CPython's `while`
    /// loops do by appending a new future.
    pub(crate) fn requeue(&mut self, key: WaiterKey, waker: &Waker) {
        debug_assert_eq!(self.state(key), WaiterState::Notified);
        self.notified -= 1;
        self.nodes[key.0 as usize].waker = Some(waker.clone());
        self.link_tail(key.0);
    }

    fn link_tail(&mut self, index: u32) {
        let tail = self.tail;
        let node = &mut self.nodes[index as usize];
        node.prev = tail;
        node.next = NIL;
        node.slot = Slot::Used(WaiterState::Waiting);
        if tail == NIL {
            self.head = index;
        } else {
            self.nodes[tail as usize].next = index;
        }
        self.tail = index;
        self.waiting += 1;
    }

    fn unlink(&mut self, index: u32) {
        let Node { prev, next, .. } = self.nodes[index as usize];
        if prev == NIL {
            self.head = next;
        } else {
            self.nodes[prev as usize].next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.nodes[next as usize].prev = prev;
        }
        self.waiting -= 1;
    }
}

/// Wakers collected while a primitive's state is borrowed, fired after the borrow ends.
///
/// Wakers only enqueue (DESIGN.md), but a waker of a finished task may drop the task's last
/// reference when fired, and a future dropped then would re-enter the primitive; firing after
/// the borrow keeps that safe. One wake-up, the common case, does not allocate.
#[derive(Default)]
#[must_use = "wakers must be fired with `wake`"]
pub(crate) struct Wakeups {
    first: Option<Waker>,
    rest: Vec<Waker>,
}

impl Wakeups {
    /// Nothing to wake.
    pub(crate) const NONE: Wakeups = Wakeups {
        first: None,
        rest: Vec::new(),
    };

    pub(crate) fn one(waker: Option<Waker>) -> Wakeups {
        Wakeups {
            first: waker,
            rest: Vec::new(),
        }
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.first.is_none()
    }

    pub(crate) fn push(&mut self, waker: Waker) {
        if self.first.is_none() {
            self.first = Some(waker);
        } else {
            self.rest.push(waker);
        }
    }

    /// Fires every waker in the order they were collected.
    #[inline]
    pub(crate) fn wake(self) {
        if let Some(first) = self.first {
            first.wake();
            if !self.rest.is_empty() {
                self.rest.into_iter().for_each(Waker::wake);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use std::task::Wake;

    struct Recorder(usize, Arc<Mutex<Vec<usize>>>);

    impl Wake for Recorder {
        fn wake(self: Arc<Self>) {
            self.1.lock().unwrap().push(self.0);
        }
    }

    fn waker(id: usize, log: &Arc<Mutex<Vec<usize>>>) -> Waker {
        Waker::from(Arc::new(Recorder(id, Arc::clone(log))))
    }

    // Notification follows arrival order, skips removed entries, and requeue goes to the tail.
    #[test]
    fn fifo_remove_and_requeue() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut list = WaiterList::default();
        let keys: Vec<_> = (0..4).map(|i| list.push(waker(i, &log))).collect();
        assert_eq!(list.remove(keys[1]), WaiterState::Waiting);
        list.notify_one().unwrap().wake();
        assert_eq!(list.state(keys[0]), WaiterState::Notified);
        list.requeue(keys[0], &waker(0, &log));
        let mut wakeups = Wakeups::default();
        assert_eq!(list.notify_all(&mut wakeups), 3);
        wakeups.wake();
        assert_eq!(*log.lock().unwrap(), vec![0, 2, 3, 0]);
        assert_eq!((list.waiting_len(), list.notified_len()), (0, 3));
        for key in [keys[0], keys[2], keys[3]] {
            assert_eq!(list.remove(key), WaiterState::Notified);
        }
        assert!(list.is_empty());
        // Slots are reused: no growth for the next waiter.
        let before = list.nodes.len();
        let _ = list.push(waker(9, &log));
        assert_eq!(list.nodes.len(), before);
    }
}
