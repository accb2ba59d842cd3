//! Seed streams: one `u64` seed split into independent ChaCha8 streams. Plain data: imports
//! nothing from the crate.
//!
//! The scheduler, user code, the simulated world and fault sites each draw from their own
//! stream of the same seed, so a program that draws one more number does not reshuffle the
//! schedule, and a strategy that makes one more choice does not change a latency.

use std::convert::Infallible;

use rand::{SeedableRng, TryRng};
use rand_chacha::ChaCha8Rng;

/// The independent streams of one seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stream {
    Scheduler = 0,
    User = 1,
    World = 2,
    Faults = 3,
}

/// The generator for `stream` of `seed`.
pub(crate) fn stream(seed: u64, stream: Stream) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream as u64);
    rng
}

/// The generator user code draws from (see [`with_rng`](crate::random::with_rng)): a seeded stream that implements
/// [`rand::Rng`], so every `rand` API takes it.
///
/// A type of simloop's own rather than the generator it wraps, so that a new version of the
/// generator's crate is not a breaking change of simloop's.
///
/// # Examples
///
/// ```
/// use rand::Rng;
///
/// let word = simloop::run(1, async { simloop::random::with_rng(|rng| rng.next_u64()) });
/// assert_eq!(word, simloop::run(1, async { simloop::random::with_rng(|rng| rng.next_u64()) }));
/// ```
#[derive(Clone, Debug)]
pub struct SimRng(ChaCha8Rng);

impl SimRng {
    pub(crate) fn new(inner: ChaCha8Rng) -> SimRng {
        SimRng(inner)
    }
}

impl TryRng for SimRng {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        self.0.try_next_u32()
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.0.try_next_u64()
    }

    #[inline]
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.0.try_fill_bytes(dst)
    }
}

/// A number in `low..high` (`low < high`), the same number from the same state as
/// `rng.random_range(low..high)` with `usize` bounds, and leaving the generator in the same
/// state: rand 0.10's Canon method on one 32-bit word (a second word only when the first lands
/// in the biased band), for any `high` that fits in 32 bits.
///
/// The scheduler's pick and a write's cut draw once or more per step: rand's generic
/// `random_range` is not inlined there and its call costs more than the draw. Inlined, the
/// draw is a load from the generator's block, a multiply and a compare.
#[inline]
pub(crate) fn below(rng: &mut ChaCha8Rng, low: usize, high: usize) -> usize {
    use rand::{Rng, RngExt};
    debug_assert!(low < high, "an empty range");
    // rand samples a `usize` range as `u32` when its upper bound fits, and as `u64` otherwise
    // (`UniformUsize::sample_single`): the same split keeps the same draws.
    let (Ok(low32), Ok(high32)) = (u32::try_from(low), u32::try_from(high)) else {
        return rng.random_range(low..high);
    };
    let range = high32 - low32;
    let wide = u64::from(rng.next_u32()) * u64::from(range);
    let (mut result, lo_order) = ((wide >> 32) as u32, wide as u32);
    if lo_order > range.wrapping_neg() {
        let high_order = ((u64::from(rng.next_u32()) * u64::from(range)) >> 32) as u32;
        result += u32::from(lo_order.checked_add(high_order).is_none());
    }
    (low32 + result) as usize
}

#[cfg(test)]
mod tests {
    use rand::RngExt;

    use super::*;

    /// `below` draws what `random_range` draws, word for word, for small, large and
    /// biased-band ranges, and leaves the generator where `random_range` leaves it.
    #[test]
    fn below_draws_what_random_range_draws() {
        let highs = [
            2,
            3,
            7,
            64,
            1000,
            (1 << 31) + 1,
            u32::MAX as usize - 1,
            u32::MAX as usize,
            u32::MAX as usize + 1,
            usize::MAX,
        ];
        for seed in 0..20 {
            let mut ours = stream(seed, Stream::Scheduler);
            let mut theirs = ours.clone();
            for round in 0..2_000 {
                let high = highs[round % highs.len()];
                let low = round % 2;
                assert_eq!(
                    below(&mut ours, low, high),
                    theirs.random_range(low..high),
                    "seed {seed}, round {round}, {low}..{high}"
                );
            }
            assert_eq!(ours.random::<u64>(), theirs.random::<u64>());
        }
    }
}
