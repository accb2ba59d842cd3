//! `Random`: a uniform random walk over the ready set.

use rand_chacha::ChaCha8Rng;

use super::{Divergence, ReadyTask, ReadyView, Scheduler};
use crate::rng::{below, stream, Stream};

/// Picks a uniformly random ready task at every step, from the seed's scheduler stream (ChaCha8),
/// which no other part of the simulation draws from.
///
/// # Examples
///
/// ```
/// use simloop::scheduler::{RandomScheduler, Scheduler};
///
/// assert_eq!(RandomScheduler::new(7).name(), "random");
/// ```
#[derive(Clone, Debug)]
pub struct RandomScheduler {
    rng: ChaCha8Rng,
}

impl RandomScheduler {
    /// The random walk of `seed`.
    pub fn new(seed: u64) -> RandomScheduler {
        RandomScheduler {
            rng: stream(seed, Stream::Scheduler),
        }
    }
}

impl Scheduler for RandomScheduler {
    #[inline]
    fn pick(&mut self, ready: &ReadyView<'_>) -> Result<ReadyTask, Divergence> {
        if ready.len() == 1 {
            return Ok(ready.oldest());
        }
        // `below` draws what `random_range(0..n)` would, inlined.
        Ok(ready.sample(|n| below(&mut self.rng, 0, n)))
    }

    fn name(&self) -> String {
        "random".to_owned()
    }
}
