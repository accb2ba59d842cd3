//! Counting the distinct traces of a sweep in bounded memory.
//!
//! Up to [`EXACT`] distinct digests are kept and counted exactly. Past that, adaptive sampling
//! (Wegman's, as analysed by Flajolet, 1990) keeps only the digests whose mixed value starts
//! with `level` zero bits, raising `level` whenever more than [`EXACT`] are kept, and estimates
//! the count as `kept << level`: within about 1% for any number of traces, in at most
//! [`EXACT`] entries. The digests kept at the end depend only on the set of digests inserted,
//! not on their order, so the count is the same whatever the threads' timing.

use std::collections::BTreeSet;

/// Distinct digests counted exactly; past this the count is an estimate.
pub(crate) const EXACT: usize = 1 << 16;

#[derive(Default)]
pub(crate) struct DistinctDigests {
    kept: BTreeSet<u64>,
    level: u32,
}

/// SplitMix64's finalizer: a bijection, so distinct digests stay distinct, whose leading bits
/// are uniform whatever the structure of the digests.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

impl DistinctDigests {
    pub(crate) fn insert(&mut self, digest: u64) {
        let mixed = mix(digest);
        if mixed.leading_zeros() < self.level {
            return;
        }
        self.kept.insert(mixed);
        while self.kept.len() > EXACT {
            self.level += 1;
            let level = self.level;
            self.kept.retain(|kept| kept.leading_zeros() >= level);
        }
    }

    /// The number of distinct digests inserted: exact up to [`EXACT`], estimated past it.
    pub(crate) fn count(&self) -> u64 {
        (self.kept.len() as u64) << self.level
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_up_to_the_bound_then_close() {
        let mut digests = DistinctDigests::default();
        for digest in 0..EXACT as u64 {
            digests.insert(digest);
            digests.insert(digest);
        }
        assert_eq!(digests.count(), EXACT as u64);
        let total = 1_000_000u64;
        for digest in EXACT as u64..total {
            digests.insert(digest.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        }
        assert!(digests.kept.len() <= EXACT);
        let error = digests.count().abs_diff(total) as f64 / total as f64;
        assert!(error < 0.02, "estimate {} of {total}", digests.count());
    }
}
