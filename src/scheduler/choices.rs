//! A choice stream: scheduling decisions supplied from outside (proptest values, fuzzer bytes).

use super::random::RandomScheduler;
use super::{Divergence, ReadyTask, ReadyView, Scheduler};

/// Decisions for the choice points of a run, one number each.
///
/// At a choice point with `n` ready tasks, the next number `c` picks the `(c mod n)`-th ready
/// task in the order they became ready, so `0` is always asyncio's choice. Any number is valid:
/// out-of-range values are folded with `mod`, never rejected. When the stream runs out, the
/// rest of the run is chosen by the seed's random walk.
///
/// # Examples
///
/// ```
/// use simloop::scheduler::Choices;
///
/// let from_bytes = Choices::from_bytes(&[0, 1, 255]);
/// assert_eq!(from_bytes.as_slice(), &[0, 1, 255]);
/// assert_eq!(Choices::new(vec![3, 4]).len(), 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Choices(Vec<u32>);

impl Choices {
    /// The stream `values`.
    pub fn new(values: Vec<u32>) -> Choices {
        Choices(values)
    }

    /// One choice per byte: what a fuzzer hands over.
    pub fn from_bytes(bytes: &[u8]) -> Choices {
        Choices(bytes.iter().map(|&b| u32::from(b)).collect())
    }

    /// The numbers.
    pub fn as_slice(&self) -> &[u32] {
        &self.0
    }

    /// How many choices the stream holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the stream is empty (the run is then the seed's random walk).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Follows a [`Choices`] stream, then the seed's random walk.
///
/// # Examples
///
/// ```
/// use simloop::scheduler::{Choices, ChoiceScheduler, Scheduler};
///
/// assert_eq!(ChoiceScheduler::new(Choices::new(vec![1]), 0).name(), "choices");
/// ```
#[derive(Clone, Debug)]
pub struct ChoiceScheduler {
    choices: Choices,
    next: usize,
    fallback: RandomScheduler,
}

impl ChoiceScheduler {
    /// Follows `choices`, then the random walk of `seed`.
    pub fn new(choices: Choices, seed: u64) -> ChoiceScheduler {
        ChoiceScheduler {
            choices,
            next: 0,
            fallback: RandomScheduler::new(seed),
        }
    }
}

impl Scheduler for ChoiceScheduler {
    fn pick(&mut self, ready: &ReadyView<'_>) -> Result<ReadyTask, Divergence> {
        let Some(&choice) = self.choices.0.get(self.next) else {
            return self.fallback.pick(ready);
        };
        self.next += 1;
        let index = choice as usize % ready.len();
        Ok(ready
            .iter()
            .nth(index)
            .expect("index is below the number of ready tasks"))
    }

    fn name(&self) -> String {
        "choices".to_owned()
    }
}
