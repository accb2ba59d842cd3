//! A monotone, stable priority queue: a radix heap (Ahuja, Mehlhorn, Orlin and Tarjan, "Faster
//! algorithms for the shortest path problem", JACM 1990) with 16-way buckets.
//!
//! Virtual time never goes back, so the timer heap only ever takes out deadlines at or after the
//! last one it took (the floor). A radix heap exploits that. Read a key as 16 hexadecimal
//! digits: the highest digit in which it differs from the floor is its level, and the key sits in
//! the bucket of that level and its own digit there. Every key in a lower bucket is smaller, so
//! the lowest non-empty bucket holds the minimum; only that bucket is ever sorted out, by raising
//! the floor to its smallest key and moving its entries to lower levels. A push is an append,
//! an entry moves at most once per level (in practice two or three times), and all the work is
//! sequential `Vec` traffic. A binary heap of a million timers instead walks twenty levels of an
//! array far larger than the cache per pop, missing it at nearly every level.
//!
//! Equal keys come out in the order they were pushed: a bucket is only refilled while it is
//! empty, entries move in their stored order, and later pushes append. The timer heap relies on
//! this for asyncio's rule that timers due at the same instant fire in registration order.

use std::collections::VecDeque;
use std::mem;

const DIGIT_BITS: u32 = 4;
const DIGIT_VALUES: usize = 1 << DIGIT_BITS;
const LEVELS: usize = (u64::BITS / DIGIT_BITS) as usize;
const BUCKETS: usize = LEVELS * DIGIT_VALUES;

pub(crate) struct RadixHeap<T> {
    /// No stored key is below it: the key of the last minimum found.
    floor: u64,
    /// The entries whose key equals the floor, in push order: the ones to pop first.
    at_floor: VecDeque<(u64, T)>,
    /// Bucket `level * 16 + digit`; empty until an entry above the floor arrives, so an unused
    /// heap costs nothing to build.
    buckets: Vec<Vec<(u64, T)>>,
    /// One bit per bucket, set when the bucket is not empty.
    occupied: [u64; BUCKETS / 64],
    /// One bit per bucket that may have room allocated while empty (it was drained since the
    /// last `clear`): with `occupied`, the buckets `clear` must visit. A run that ends with a
    /// few timers pending then clears a dozen buckets, not all 256.
    drained: [u64; BUCKETS / 64],
}

impl<T> Default for RadixHeap<T> {
    fn default() -> RadixHeap<T> {
        RadixHeap {
            floor: 0,
            at_floor: VecDeque::new(),
            buckets: Vec::new(),
            occupied: [0; BUCKETS / 64],
            drained: [0; BUCKETS / 64],
        }
    }
}

impl<T> RadixHeap<T> {
    #[inline]
    pub(crate) fn push(&mut self, key: u64, value: T) {
        if key < self.floor {
            // Below the last minimum: virtual time never asks for this, but stay exact if it does.
            self.lower_floor(key);
        }
        self.place(key, value);
    }

    /// Removes every entry, keeping buckets with room for at most `room` entries for reuse.
    pub(crate) fn clear(&mut self, room: usize) {
        self.floor = 0;
        self.at_floor.clear();
        for (word, (occupied, drained)) in
            self.occupied.iter_mut().zip(&mut self.drained).enumerate()
        {
            let mut bits = std::mem::take(occupied) | std::mem::take(drained);
            while bits != 0 {
                let bucket = &mut self.buckets[word * 64 + bits.trailing_zeros() as usize];
                bits &= bits - 1;
                bucket.clear();
                if bucket.capacity() > room {
                    *bucket = Vec::new();
                }
            }
        }
    }

    /// Removes and returns the entry `peek` would show if its key is at most `limit`.
    ///
    /// Unlike `peek`, this never raises the floor above `limit`: the timer heap pops what is due
    /// now and then registers timers due before the next deadline, which a floor already raised
    /// to that deadline would have to be rebuilt for.
    #[inline]
    pub(crate) fn pop_at_most(&mut self, limit: u64) -> Option<(u64, T)> {
        if self.at_floor.is_empty() {
            let lowest = self.lowest()?;
            let min = self.buckets[lowest].iter().map(|(key, _)| *key).min()?;
            if min > limit {
                return None;
            }
            self.settle();
        }
        if self.at_floor.front()?.0 > limit {
            return None;
        }
        self.at_floor.pop_front()
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

    #[inline(always)]
    fn place(&mut self, key: u64, value: T) {
        let differing = key ^ self.floor;
        if differing == 0 {
            self.at_floor.push_back((key, value));
            return;
        }
        let level = (u64::BITS - 1 - differing.leading_zeros()) / DIGIT_BITS;
        let digit = (key >> (level * DIGIT_BITS)) as usize & (DIGIT_VALUES - 1);
        let bucket = level as usize * DIGIT_VALUES + digit;
        if self.buckets.is_empty() {
            self.buckets.resize_with(BUCKETS, Vec::new);
        }
        self.occupied[bucket / 64] |= 1 << (bucket % 64);
        self.buckets[bucket].push((key, value));
    }

    /// The lowest non-empty bucket, if any.
    fn lowest(&self) -> Option<usize> {
        let (word, bits) = self
            .occupied
            .iter()
            .enumerate()
            .find(|(_, bits)| **bits != 0)?;
        Some(word * 64 + bits.trailing_zeros() as usize)
    }

    /// When nothing is at the floor: takes the lowest non-empty bucket, raises the floor to its
    /// smallest key and spreads its entries, in order, over the (empty) buckets below.
    fn settle(&mut self) {
        if !self.at_floor.is_empty() {
            return;
        }
        let Some(lowest) = self.lowest() else {
            return;
        };
        self.occupied[lowest / 64] &= !(1 << (lowest % 64));
        self.drained[lowest / 64] |= 1 << (lowest % 64);
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
        self.occupied = [0; BUCKETS / 64];
        if !self.buckets.is_empty() {
            // Every bucket was emptied and may keep its room.
            self.drained = [u64::MAX; BUCKETS / 64];
        }
        for (key, value) in entries {
            self.place(key, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::draws;

    /// The reference: every entry with its push number, popped by (key, push number).
    fn reference_pop(entries: &mut Vec<(u64, u32)>, limit: u64) -> Option<(u64, u32)> {
        let (at, _) = entries
            .iter()
            .enumerate()
            .filter(|(_, (key, _))| *key <= limit)
            .min_by_key(|(_, entry)| **entry)?;
        Some(entries.remove(at))
    }

    // Goal: the heap pops by key, equal keys in push order, whatever mix of pushes, pops,
    // pushes below the floor and clears came before; a clear leaves nothing behind for the next
    // use, and keeps no bucket with more room than it was told to.
    #[test]
    fn pops_in_key_then_push_order_across_clears() {
        for seed in 1..=16u64 {
            let mut draw = draws(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let mut heap = RadixHeap::default();
            for round in 0..6 {
                let mut expected = Vec::new();
                let mut now = 0u64;
                for pushed in 0..draw(600) as u32 {
                    // Mostly at or after the last pop, as timers are; sometimes below it.
                    let key = match draw(16) {
                        0 => now.saturating_sub(draw(50)),
                        1 => now,
                        _ => {
                            let digits = 1 + draw(5);
                            now + draw(1 << (4 * digits))
                        }
                    };
                    heap.push(key, pushed);
                    expected.push((key, pushed));
                    if draw(3) == 0 {
                        let limit = now + draw(2_000);
                        let popped = heap.pop_at_most(limit);
                        assert_eq!(popped, reference_pop(&mut expected, limit), "seed {seed}");
                        if let Some((key, _)) = popped {
                            now = key;
                        }
                    }
                }
                // Drain half of what is left, then clear the rest away.
                for _ in 0..expected.len() / 2 {
                    assert_eq!(heap.pop(), reference_pop(&mut expected, u64::MAX));
                }
                let room = 8 << round;
                heap.clear(room);
                assert_eq!(heap.pop(), None, "seed {seed}: a clear left an entry");
                assert!(
                    heap.buckets.iter().all(Vec::is_empty),
                    "seed {seed}: a clear left an entry in a bucket"
                );
                assert!(
                    heap.buckets.iter().all(|bucket| bucket.capacity() <= room),
                    "seed {seed}: a clear kept a bucket with more room than {room}"
                );
            }
        }
    }
}
