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
