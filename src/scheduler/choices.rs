//! A choice stream: scheduling decisions supplied from outside (proptest values, fuzzer bytes).

use super::random::RandomScheduler;
use super::{Divergence, ReadyTask, ReadyView, Scheduler};

/// Decisions for the choice points of a run, one number each.
///
/// At a choice point with `n` ready tasks, the next number `c` picks the `(c mod n)`-th ready
/// task in the order they became ready, so `0` is always asyncio's choice. Any number is valid:
/// out-of-range values are folded with `mod`, never rejected. When the stream runs out, the
/// rest of the run is chosen by the seed's random walk, or in asyncio's order after
/// [`Choices::then_fifo`] (so the stream alone decides the run, and an empty or all-zero stream
/// is exactly asyncio's order: what proptest and fuzzers shrink toward).
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
pub struct Choices(Vec<u32>, Tail);

/// What decides the steps after a [`Choices`] stream runs out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
enum Tail {
    #[default]
    Random,
    Fifo,
}

impl Choices {
    /// The stream `values`.
    pub fn new(values: Vec<u32>) -> Choices {
        Choices(values, Tail::Random)
    }

    /// One choice per byte: what a fuzzer hands over.
    pub fn from_bytes(bytes: &[u8]) -> Choices {
        Choices(bytes.iter().map(|&b| u32::from(b)).collect(), Tail::Random)
    }

    /// This stream, followed by asyncio's order instead of the seed's random walk.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::scheduler::Choices;
    /// use simloop::task::{spawn, yield_now};
    /// use simloop::{Config, Sim, Strategy};
    ///
    /// // No choices at all: exactly asyncio's order, so the schedule has no deviation.
    /// let config = Config::default()
    ///     .with_seed(9)
    ///     .with_strategy(Strategy::Choices(Choices::default().then_fifo()));
    /// let run = Sim::new(config).run(async {
    ///     let a = spawn(yield_now());
    ///     let b = spawn(yield_now());
    ///     a.await.unwrap();
    ///     b.await.unwrap();
    /// });
    /// assert_eq!(run.schedule.to_string(), "v1:9:");
    /// assert!(Choices::default().then_fifo().is_then_fifo());
    /// ```
    pub fn then_fifo(mut self) -> Choices {
        self.1 = Tail::Fifo;
        self
    }

    /// Whether asyncio's order, not the random walk, follows the stream.
    pub fn is_then_fifo(&self) -> bool {
        self.1 == Tail::Fifo
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
            return match self.choices.1 {
                Tail::Random => self.fallback.pick(ready),
                Tail::Fifo => Ok(ready.oldest()),
            };
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

/// With the `arbitrary` feature, a fuzzer's or `Unstructured`'s bytes become a choice stream,
/// one byte per choice, followed by asyncio's order (so the bytes alone decide the run).
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "arbitrary")] {
/// use arbitrary::{Arbitrary, Unstructured};
/// use simloop::scheduler::Choices;
///
/// let mut bytes = Unstructured::new(&[2, 0, 7]);
/// let choices = Choices::arbitrary(&mut bytes).unwrap();
/// assert!(choices.is_then_fifo());
/// # }
/// ```
#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for Choices {
    fn arbitrary(input: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Choices> {
        let len = input.len();
        let bytes = input.bytes(len)?;
        Ok(Choices::from_bytes(bytes).then_fifo())
    }
}
