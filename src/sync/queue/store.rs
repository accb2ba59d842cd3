//! Where a queue keeps its items: FIFO, LIFO or smallest-first.

use std::cmp::Ordering;
use std::collections::VecDeque;

/// The items of one queue, in the order its kind hands them out.
pub(crate) enum Store<T> {
    /// `Queue`: first in, first out.
    Fifo(VecDeque<T>),
    /// `LifoQueue`: last in, first out (CPython keeps a list and pops from its end).
    Lifo(Vec<T>),
    /// `PriorityQueue`: smallest first.
    Priority(Heap<T>),
}

impl<T> Store<T> {
    #[inline]
    pub(crate) fn push(&mut self, item: T) {
        match self {
            Store::Fifo(items) => items.push_back(item),
            Store::Lifo(items) => items.push(item),
            Store::Priority(heap) => heap.push(item),
        }
    }

    #[inline]
    pub(crate) fn pop(&mut self) -> Option<T> {
        match self {
            Store::Fifo(items) => items.pop_front(),
            Store::Lifo(items) => items.pop(),
            Store::Priority(heap) => heap.pop(),
        }
    }
}

/// A binary min-heap ordered by the item, then by insertion: CPython's `heapq` is not stable
/// (ASYNCIO.md §1.10 advises `(priority, seq, item)` tuples), so simloop breaks ties by
/// insertion order itself, which keeps runs reproducible and the order obvious.
///
/// The comparison is a function pointer taken where `T: Ord` is known (the constructor), so
/// no other queue method needs the bound.
pub(crate) struct Heap<T> {
    items: Vec<(T, u64)>,
    next_seq: u64,
    compare: fn(&T, &T) -> Ordering,
}

impl<T> Heap<T> {
    pub(crate) fn new(compare: fn(&T, &T) -> Ordering) -> Heap<T> {
        Heap {
            items: Vec::new(),
            next_seq: 0,
            compare,
        }
    }

    /// Whether entry `a` comes out before entry `b`.
    fn before(&self, a: usize, b: usize) -> bool {
        let (item_a, seq_a) = &self.items[a];
        let (item_b, seq_b) = &self.items[b];
        (self.compare)(item_a, item_b).then(seq_a.cmp(seq_b)) == Ordering::Less
    }

    fn push(&mut self, item: T) {
        self.items.push((item, self.next_seq));
        self.next_seq += 1;
        let mut child = self.items.len() - 1;
        while child > 0 {
            let parent = (child - 1) / 2;
            if !self.before(child, parent) {
                break;
            }
            self.items.swap(child, parent);
            child = parent;
        }
    }

    fn pop(&mut self) -> Option<T> {
        let last = self.items.len().checked_sub(1)?;
        self.items.swap(0, last);
        let (top, _) = self.items.pop()?;
        let len = self.items.len();
        let mut parent = 0;
        loop {
            let left = 2 * parent + 1;
            if left >= len {
                break;
            }
            let right = left + 1;
            let child = if right < len && self.before(right, left) {
                right
            } else {
                left
            };
            if !self.before(child, parent) {
                break;
            }
            self.items.swap(child, parent);
            parent = child;
        }
        Some(top)
    }
}
