//! A monotone, stable priority queue: a radix heap (Ahuja, Mehlhorn, Orlin and Tarjan, "Faster
//! algorithms for the shortest path problem", JACM 1990).
//!
//! Virtual time never goes back, so the timer heap only ever takes out deadlines at or after the
//! last one it took. A radix heap exploits that: entries sit in buckets by the highest bit in
//! which their key differs from that last minimum (the floor), and a bucket is only sorted out,
//! its entries moved to lower buckets, when it becomes the lowest. A push is an append, an entry
//! moves down at most 64 times (in practice a handful), and all the work is sequential `Vec`
//! traffic. A binary heap of a million timers instead walks twenty levels of a 24 MB array per
//! pop, missing the cache at nearly every level.
//!
//! Equal keys come out in the order they were pushed: a bucket is only ever refilled while it is
//! empty, entries move in their stored order, and later pushes append. The timer heap relies on
//! this for asyncio's rule that timers due at the same instant fire in registration order.

use std::collections::VecDeque;
use std::mem;

/// Buckets 1..=64 hold keys whose highest bit differing from the floor is bit `b - 1`; keys
/// equal to the floor live in `RadixHeap::at_floor`. Index 0 is unused.
const BUCKETS: usize = 65;

pub(crate) struct RadixHeap<T> {
    /// No stored key is below it: the key of the last minimum found.
    floor: u64,
    /// The entries whose key equals the floor, in push order: the ones to pop first.
    at_floor: VecDeque<(u64, T)>,
    /// Empty until an entry above the floor arrives, so an unused heap costs nothing to build.
    buckets: Vec<Vec<(u64, T)>>,
    /// Bit `b - 1` is set when bucket `b` is not empty.
    occupied: u64,
}

impl<T> Default for RadixHeap<T> {
    fn default() -> RadixHeap<T> {
        RadixHeap {
            floor: 0,
            at_floor: VecDeque::new(),
            buckets: Vec::new(),
            occupied: 0,
        }
    }
}

impl<T> RadixHeap<T> {
    pub(crate) fn push(&mut self, key: u64, value: T) {
        if key < self.floor {
            // Below the last minimum: virtual time never asks for this, but stay exact if it does.
            self.lower_floor(key);
        }
        self.place(key, value);
    }

    /// The smallest key (the earliest pushed among equals) and its value, without removing them.
    pub(crate) fn peek(&mut self) -> Option<(u64, &T)> {
        self.settle();
        self.at_floor.front().map(|(key, value)| (*key, value))
    }

    /// Removes and returns the entry `peek` shows.
    pub(crate) fn pop(&mut self) -> Option<(u64, T)> {
        self.settle();
        self.at_floor.pop_front()
    }

    fn place(&mut self, key: u64, value: T) {
        let bucket = (u64::BITS - (key ^ self.floor).leading_zeros()) as usize;
        if bucket == 0 {
            self.at_floor.push_back((key, value));
            return;
        }
        if self.buckets.is_empty() {
            self.buckets.resize_with(BUCKETS, Vec::new);
        }
        self.occupied |= 1 << (bucket - 1);
        self.buckets[bucket].push((key, value));
    }

    /// When nothing is at the floor: takes the lowest non-empty bucket, raises the floor to its
    /// smallest key and spreads its entries, in order, over the (empty) buckets below.
    fn settle(&mut self) {
        if !self.at_floor.is_empty() || self.occupied == 0 {
            return;
        }
        let lowest = self.occupied.trailing_zeros() as usize + 1;
        self.occupied &= !(1 << (lowest - 1));
        let mut entries = mem::take(&mut self.buckets[lowest]);
        if let Some(min) = entries.iter().map(|(key, _)| *key).min() {
            self.floor = min;
        }
        for (key, value) in entries.drain(..) {
            self.place(key, value);
        }
        // Keep the emptied bucket's allocation for the entries to come.
        self.buckets[lowest] = entries;
    }

    /// Rebuilds around a lower floor, keeping the order of equal keys: O(n), for a key below the
    /// last minimum.
    #[cold]
    fn lower_floor(&mut self, key: u64) {
        let mut entries: Vec<(u64, T)> = self.at_floor.drain(..).collect();
        for bucket in &mut self.buckets {
            entries.append(bucket);
        }
        // Equal keys share a bucket, so a stable sort by key keeps their push order.
        entries.sort_by_key(|(key, _)| *key);
        self.floor = key;
        self.occupied = 0;
        for (key, value) in entries {
            self.place(key, value);
        }
    }
}
