//! proptest strategies over interleavings (feature `proptest`).
//!
//! A property test usually ranges over input data. With these strategies it ranges over the
//! interleaving too: [`configs`] yields a [`Config`] whose strategy is a [`Choices`] stream, so
//! one property covers data and schedules together, and when it fails proptest shrinks both.
//!
//! A choice stream holds one small number per choice point (a step where more than one task is
//! ready): `c` runs the `(c mod n)`-th of the `n` ready tasks in the order they became ready, so
//! `0` is asyncio's choice. After the stream, the run continues in asyncio's order
//! ([`Choices::then_fifo`]). proptest shrinks a stream by dropping values and by moving each
//! toward `0`, and the seed toward `0`, so a shrunk case reads as "asyncio's order except at
//! these few choice points". [`run`] turns a failing case into a report that ends with the
//! `SIMLOOP_REPLAY` line of exactly that interleaving.
//!
//! Failing cases persist in proptest's regression files like any other property's (by default
//! `proptest-regressions/<path of the test file>.txt`, next to `tests/` or `src/`): commit them
//! and the next `cargo test` runs the saved case first.
//!
//! # Examples
//!
//! A property over the interleaving *and* the number of workers. The workers read a shared
//! counter, yield, and write it back; the property finds the lost update and shrinks it to two
//! workers in asyncio's own order (`SIMLOOP_REPLAY=v1:0:`, no deviation: asyncio loses this
//! update too). Put the config first in the tuple: proptest shrinks a tuple's members in order,
//! so the schedule moves toward asyncio's order before the data shrinks under it.
//!
//! ```
//! use proptest::prelude::*;
//! use proptest::test_runner::{Config as Cases, TestError, TestRunner};
//! use simloop::task::{spawn, yield_now};
//! use std::{cell::Cell, rc::Rc};
//!
//! let strategy = (simloop::proptest::configs(), 1..5usize);
//! let mut runner = TestRunner::new(Cases { failure_persistence: None, ..Cases::default() });
//! let result = runner.run(&strategy, |(config, workers)| {
//!     simloop::proptest::run(&config, async move {
//!         let counter = Rc::new(Cell::new(0));
//!         let handles: Vec<_> = (0..workers)
//!             .map(|_| {
//!                 let counter = counter.clone();
//!                 spawn(async move {
//!                     let seen = counter.get();
//!                     yield_now().await;
//!                     counter.set(seen + 1);
//!                 })
//!             })
//!             .collect();
//!         for handle in handles {
//!             handle.await.unwrap();
//!         }
//!         prop_assert_eq!(counter.get(), workers, "lost update");
//!         Ok(())
//!     })
//! });
//! let Err(TestError::Fail(reason, (config, workers))) = result else { unreachable!() };
//! assert!(reason.message().contains("lost update"));
//! assert!(reason.message().contains("SIMLOOP_REPLAY=v1:0:"));
//! assert_eq!((config.seed, workers), (0, 2));
//! ```
//!
//! In a test file the same property is written with the `proptest!` macro (put `#[test]` on
//! the function; this example calls it by hand):
//!
//! ```
//! use proptest::prelude::*;
//!
//! proptest! {
//!     fn sleeps_take_the_longest_duration(
//!         secs in proptest::collection::vec(1..10u64, 1..5),
//!         config in simloop::proptest::configs(),
//!     ) {
//!         simloop::proptest::run(&config, async {
//!             let sleeps = secs.iter().map(|&s| async move {
//!                 simloop::time::sleep(std::time::Duration::from_secs(s)).await;
//!                 Ok::<_, ()>(s)
//!             });
//!             let done = simloop::task::gather(sleeps).await.unwrap();
//!             prop_assert_eq!(&done, &secs);
//!             let longest = *secs.iter().max().unwrap();
//!             prop_assert_eq!(simloop::time::now().since_start().as_secs(), longest);
//!             Ok(())
//!         })?;
//!     }
//! }
//! # sleeps_take_the_longest_duration();
//! ```

use std::future::Future;
use std::ops::Range;

use ::proptest::collection::{vec, SizeRange};
use ::proptest::prelude::{any, prop_oneof, Just, Strategy as PropStrategy};
use ::proptest::test_runner::TestCaseError;

use crate::config::Config;
use crate::runtime::Sim;
use crate::scheduler::Strategy;
use crate::scheduler::{Choices, Schedule};

/// The longest stream [`choices`] yields.
pub const MAX_CHOICES: usize = 64;

/// Choice streams of up to [`MAX_CHOICES`] values, about half of them `0` (asyncio's choice) and
/// the rest in `1..8`, followed by asyncio's order.
///
/// Mostly-asyncio streams with a few deviations find the bugs that need few preemptions, the
/// common kind (the premise of PCT); values below 8 cover up to 8 ready tasks evenly.
///
/// # Examples
///
/// ```
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
///
/// let mut runner = TestRunner::deterministic();
/// let choices = simloop::proptest::choices().new_tree(&mut runner).unwrap().current();
/// assert!(choices.len() <= simloop::proptest::MAX_CHOICES);
/// assert!(choices.as_slice().iter().all(|&c| c < 8));
/// assert!(choices.is_then_fifo());
/// ```
pub fn choices() -> impl PropStrategy<Value = Choices> + Clone {
    choices_with(0..=MAX_CHOICES, 0..8)
}

/// Choice streams with `len` values drawn from `values` (a range starting at `0` keeps
/// asyncio's choice reachable), followed by asyncio's order.
///
/// # Examples
///
/// ```
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
///
/// let mut runner = TestRunner::deterministic();
/// let strategy = simloop::proptest::choices_with(3, 0..2);
/// let choices = strategy.new_tree(&mut runner).unwrap().current();
/// assert_eq!(choices.len(), 3);
/// assert!(choices.as_slice().iter().all(|&c| c < 2));
/// ```
///
/// # Panics
///
/// If `values` is empty.
pub fn choices_with(
    len: impl Into<SizeRange>,
    values: Range<u32>,
) -> impl PropStrategy<Value = Choices> + Clone {
    assert!(
        !values.is_empty(),
        "simloop: choices_with needs a non-empty range of values"
    );
    // `0` first: proptest's union shrinks toward its first alternative.
    let value = prop_oneof![Just(values.start), values];
    vec(value, len).prop_map(|values| Choices::new(values).then_fifo())
}

/// Configs with a seed (shrinking toward `0`) and a [`choices`] stream; everything else is
/// [`Config::default`].
///
/// # Examples
///
/// ```
/// use proptest::strategy::{Strategy as _, ValueTree};
/// use proptest::test_runner::TestRunner;
/// use simloop::Strategy;
///
/// let mut runner = TestRunner::deterministic();
/// let config = simloop::proptest::configs().new_tree(&mut runner).unwrap().current();
/// assert!(matches!(config.strategy, Strategy::Choices(_)));
/// ```
pub fn configs() -> impl PropStrategy<Value = Config> + Clone {
    (any::<u64>(), choices()).prop_map(|(seed, choices)| {
        Config::default()
            .with_seed(seed)
            .with_strategy(Strategy::Choices(choices))
    })
}

/// `base` with its seed kept and its strategy replaced by a stream from `choices`: for
/// properties that set limits or a trace level, or must keep one seed.
///
/// # Examples
///
/// ```
/// use proptest::strategy::{Strategy as _, ValueTree};
/// use proptest::test_runner::TestRunner;
/// use simloop::{Config, TraceLevel};
///
/// let base = Config::default().with_seed(7).with_trace(TraceLevel::Full);
/// let strategy = simloop::proptest::configs_with(base, simloop::proptest::choices());
/// let config = strategy.new_tree(&mut TestRunner::deterministic()).unwrap().current();
/// assert_eq!((config.seed, config.trace), (7, TraceLevel::Full));
/// ```
pub fn configs_with(
    base: Config,
    choices: impl PropStrategy<Value = Choices> + Clone,
) -> impl PropStrategy<Value = Config> + Clone {
    choices.prop_map(move |choices| base.clone().with_strategy(Strategy::Choices(choices)))
}

/// Runs `future` as one simulation under `config` and turns what went wrong into a proptest
/// failure that ends with the run's `SIMLOOP_REPLAY` line.
///
/// The future returns `Result<T, TestCaseError>`, so `prop_assert!` works inside it. A failed
/// assertion keeps its message and gains the replay line; a run that fails on its own (a panic,
/// a deadlock, a limit) fails the case with simloop's failure report, which carries the line.
/// `prop_assume!` rejections pass through unchanged.
///
/// # Panics
///
/// If `config` cannot work (see [`Config::validate`]), or inside another simulation.
///
/// # Errors
///
/// [`TestCaseError::Fail`] as described above; [`TestCaseError::Reject`] from the future.
///
/// # Examples
///
/// ```
/// use proptest::prelude::*;
/// use simloop::{scheduler::Choices, Config, Strategy};
///
/// let config = Config::default().with_strategy(Strategy::Choices(Choices::default().then_fifo()));
/// let ok = simloop::proptest::run(&config, async { Ok(3) });
/// assert_eq!(ok.unwrap(), 3);
///
/// let failed = simloop::proptest::run(&config, async {
///     prop_assert!(1 + 1 == 3, "arithmetic");
///     Ok(())
/// });
/// let message = failed.unwrap_err().to_string();
/// assert!(message.contains("arithmetic"));
/// assert!(message.contains("SIMLOOP_REPLAY=v1:0:"));
/// ```
#[track_caller]
pub fn run<F, T>(config: &Config, future: F) -> Result<T, TestCaseError>
where
    F: Future<Output = Result<T, TestCaseError>>,
{
    let run = Sim::new(config.clone()).run(future);
    match run.result {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(TestCaseError::Fail(reason))) => Err(TestCaseError::fail(format!(
            "{reason}\n  replay: {}",
            replay_line(&run.schedule)
        ))),
        Ok(Err(reject)) => Err(reject),
        Err(failure) => Err(TestCaseError::fail(failure.to_string())),
    }
}

/// `SIMLOOP_REPLAY=<schedule>`: the line that replays `schedule`, e.g. a
/// [`Run::schedule`](crate::Run::schedule).
///
/// The schedule lists only the steps that did not run the oldest ready task, so a shrunk case
/// gives a short line. Replay it with [`Strategy::Replay`] (and the schedule's seed), or with
/// [`replay`](crate::replay) when the body fails by panicking.
///
/// # Examples
///
/// ```
/// use simloop::{scheduler::Choices, Config, Sim, Strategy};
///
/// let config = Config::default().with_seed(4).with_strategy(Strategy::Choices(Choices::default()));
/// let run: simloop::Run<()> = Sim::new(config).run(async {});
/// assert_eq!(simloop::proptest::replay_line(&run.schedule), "SIMLOOP_REPLAY=v1:4:");
/// ```
pub fn replay_line(schedule: &Schedule) -> String {
    format!("SIMLOOP_REPLAY={schedule}")
}
