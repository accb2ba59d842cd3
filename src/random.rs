//! Seeded randomness: one `u64` seed split into independent streams.
//!
//! The scheduler, user code, the simulated world and fault sites each draw from their own ChaCha8
//! stream of the same seed, so a program that draws one more number does not reshuffle the
//! schedule, and a strategy that makes one more choice does not change a latency.
//!
//! # Examples
//!
//! ```
//! let draw = || simloop::run(7, async { simloop::random::random_range(1..=6u32) });
//! let first = draw();
//! assert!((1..=6).contains(&first));
//! assert_eq!(first, draw()); // same seed, same number
//! ```

use rand::distr::uniform::{SampleRange, SampleUniform};
use rand::distr::{Distribution, StandardUniform};
use rand::RngExt;

use crate::rt;

pub use crate::rng::SimRng;

/// A random value from the simulation's user stream.
///
/// # Panics
///
/// Outside a simulation.
///
/// # Examples
///
/// ```
/// let coin: bool = simloop::run(1, async { simloop::random::random() });
/// assert_eq!(coin, simloop::run(1, async { simloop::random::random::<bool>() }));
/// ```
pub fn random<T>() -> T
where
    StandardUniform: Distribution<T>,
{
    with_rng(|rng| rng.random())
}

/// A random value in `range` from the simulation's user stream.
///
/// # Panics
///
/// Outside a simulation, or if `range` is empty.
///
/// # Examples
///
/// ```
/// let ms = simloop::run(3, async { simloop::random::random_range(10..20u64) });
/// assert!((10..20).contains(&ms));
/// ```
pub fn random_range<T, R>(range: R) -> T
where
    T: SampleUniform,
    R: SampleRange<T>,
{
    with_rng(|rng| rng.random_range(range))
}

/// Runs `f` with the simulation's user generator, for any `rand` API.
///
/// # Panics
///
/// Outside a simulation.
///
/// # Examples
///
/// ```
/// use rand::seq::SliceRandom;
///
/// let order = simloop::run(5, async {
///     let mut v = vec![1, 2, 3, 4];
///     simloop::random::with_rng(|rng| v.shuffle(rng));
///     v
/// });
/// assert_eq!(order.len(), 4);
/// ```
pub fn with_rng<R>(f: impl FnOnce(&mut SimRng) -> R) -> R {
    rt::with_user_rng("simloop::random", f)
}

/// The seed of the running simulation (the one `Run::schedule` and the replay line carry).
///
/// # Panics
///
/// Outside a simulation.
///
/// # Examples
///
/// ```
/// assert_eq!(simloop::run(42, async { simloop::random::seed() }), 42);
/// ```
pub fn seed() -> u64 {
    rt::seed("simloop::random::seed")
}
