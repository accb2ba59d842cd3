//! Hooks for simloop's own fuzz targets (`fuzz/` in the repository). **Unstable**: not part of
//! the public API, hidden from the docs, and free to change in any release without notice.
//!
//! Only what a target cannot reach through the public API lives here: today that is the timer
//! heap, which the run loop owns privately. The wrapper keeps the heap's own method names so a
//! target checks exactly the operations the run loop performs, with a waker that does nothing
//! and each timer's owner standing in for a label the target chooses.
//!
//! # Examples
//!
//! ```
//! use simloop::__fuzz::TimerHeap;
//!
//! let mut heap = TimerHeap::new();
//! let late = heap.insert(20, 1);
//! let early = heap.insert(10, 2);
//! assert_eq!(heap.next_deadline(), Some(10));
//! assert!(heap.cancel(early));
//! assert!(!heap.is_pending(early));
//! assert_eq!(heap.fire_due(25), vec![1]);
//! assert!(!heap.is_pending(late));
//! ```

use std::task::Waker;

use crate::id::TaskId;
use crate::rt as timers;

/// The run loop's timer heap, with a no-op waker and a `u32` label per timer.
#[derive(Default)]
pub struct TimerHeap {
    inner: timers::TimerHeap,
}

/// A timer registered with [`TimerHeap::insert`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerKey(timers::TimerKey);

impl TimerHeap {
    /// An empty heap.
    pub fn new() -> TimerHeap {
        TimerHeap::default()
    }

    /// Registers a timer due at `deadline_ns`; [`TimerHeap::fire_due`] reports it as `label`.
    pub fn insert(&mut self, deadline_ns: u64, label: u32) -> TimerKey {
        TimerKey(
            self.inner
                .insert(deadline_ns, Waker::noop().clone(), TaskId::from_u32(label)),
        )
    }

    /// Replaces the waker of `key` (with another no-op waker) if it is pending.
    pub fn update_waker(&mut self, key: TimerKey) {
        self.inner.update_waker(key.0, Waker::noop());
    }

    /// Whether `key` is neither fired nor cancelled.
    pub fn is_pending(&self, key: TimerKey) -> bool {
        self.inner.is_pending(key.0)
    }

    /// Cancels `key`; true if it was pending.
    pub fn cancel(&mut self, key: TimerKey) -> bool {
        self.inner.cancel(key.0).is_some()
    }

    /// The earliest pending deadline.
    pub fn next_deadline(&mut self) -> Option<u64> {
        self.inner.next_deadline()
    }

    /// Removes every timer due at or before `now_ns`; returns their labels in firing order.
    pub fn fire_due(&mut self, now_ns: u64) -> Vec<u32> {
        let mut fired = Vec::new();
        self.inner.fire_due(now_ns, &mut fired);
        fired.iter().map(|fired| fired.owner.as_u32()).collect()
    }
}
