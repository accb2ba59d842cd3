//! # simloop
//!
//! Deterministic simulation testing for async Rust, with Python asyncio's semantics.
//!
//! A seeded, single-threaded executor with a virtual clock runs your async code in an
//! interleaving chosen by the seed. Sleeping an hour takes microseconds; the same seed gives the
//! same interleaving, the same trace and the same result, byte for byte.
//!
//! ## 1. Spawn and sleep on a virtual clock
//!
//! ```
//! use simloop::task::spawn;
//! use simloop::time::{now, sleep};
//! use std::time::Duration;
//!
//! async fn fetch_data(input: u32) -> u32 {
//!     sleep(Duration::from_secs(3)).await;
//!     input * 10
//! }
//!
//! let total = simloop::run(1, async {
//!     let one = spawn(fetch_data(1));
//!     let two = spawn(fetch_data(2));
//!     let sum = one.await.unwrap() + two.await.unwrap();
//!     assert_eq!(now().since_start(), Duration::from_secs(3)); // concurrent: 3 s, not 6
//!     sum
//! });
//! assert_eq!(total, 30);
//! ```
//!
//! ## 2. Read what happened
//!
//! Every spawn, poll, wake, timer and [`log!`] line is in the [`Trace`], stamped with virtual
//! time; [`Trace::text`] is stable enough for snapshot tests.
//!
//! ```
//! use simloop::{Config, Sim, Strategy, TraceLevel};
//!
//! let config = Config::default().with_strategy(Strategy::Fifo).with_trace(TraceLevel::Full);
//! let run = Sim::new(config).run(async { simloop::log!("hello") });
//! assert_eq!(run.trace.user_lines(), "    0.000s  main          log: hello\n");
//! ```
//!
//! ## 3. Failures carry the line that replays them
//!
//! A panic in any task, a deadlock, or a step or time limit ends the run with a [`Failure`]
//! whose report names the seed, the strategy, the virtual time, the step, the last events, and a
//! `SIMLOOP_REPLAY=...` line that reproduces it.
//!
//! ```
//! use simloop::{Config, Failure, Sim};
//! use std::future::pending;
//!
//! let run = Sim::new(Config::default()).run(pending::<()>());
//! assert!(matches!(run.result, Err(Failure::Deadlock { .. })));
//! ```
//!
//! ## Map of the crate
//!
//! - [`time`]: [`Instant`](time::Instant), [`now`](time::now), [`sleep`](time::sleep),
//!   [`timeout`](time::timeout).
//! - [`task`]: [`spawn`](task::spawn), [`JoinHandle`](task::JoinHandle),
//!   [`TaskGroup`](task::TaskGroup), [`gather`](task::gather),
//!   [`gather_settled`](task::gather_settled).
//! - [`scheduler`]: the [`Scheduler`](scheduler::Scheduler) trait, the strategies and
//!   [`Schedule`].
//! - [`sync`]: asyncio's queues, semaphore, lock, event, condition and barrier.
//! - [`random`]: seeded randomness for user code.
//! - [`trace`]: the event trace.
//! - [`net`], [`fs`], [`fault!`] and [`sim`]: the simulated world: hosts and requests, files,
//!   fault sites, and the per-seed fault mix; [`signal`]: a simulated Ctrl-C.
//! - `proptest` (feature `proptest`): strategies over interleavings for property tests.
//! - `tracing_bridge` (feature `tracing`): `tracing` events as trace lines.

#![forbid(unsafe_code)]

mod check;
pub mod config;
pub mod fs;
mod id;
mod instant;
pub mod net;
pub mod random;
mod rng;
mod rt;
mod runtime;
pub mod scheduler;
pub mod signal;
pub mod sim;
pub mod sync;
pub mod task;
pub mod time;
pub mod trace;

#[doc(hidden)]
#[path = "fuzz_support.rs"]
pub mod __fuzz;
#[cfg(feature = "proptest")]
#[path = "proptest_support.rs"]
pub mod proptest;
#[cfg(test)]
mod test_support;
#[cfg(feature = "tracing")]
pub mod tracing_bridge;

pub use check::{check, check_with, explore, replay, Report};
pub use config::{Config, ConfigError};
pub use runtime::{
    is_simulating, run, BlockedTask, Failure, FailureContext, Run, Sim, TaskInfo, TaskSteps,
};
pub use scheduler::{Schedule, Strategy};
/// A test whose `async` body runs under [`check_with`] over many seeds (feature `macros`).
///
/// `#[simloop::test] async fn name() { ... }` is a `#[test] fn name()` that sweeps the body
/// like [`check`]: the `SIMLOOP_*` variables apply, and a failure panics with its replay line.
/// Arguments: `iterations = N` and `strategy = "..."`, spelt as in `SIMLOOP_STRATEGY`.
///
/// ```
/// use simloop::task::spawn;
/// use simloop::time::{now, sleep};
/// use std::time::Duration;
///
/// #[simloop::test(iterations = 50, strategy = "pct:3")]
/// async fn sleeps_overlap() {
///     let a = spawn(sleep(Duration::from_secs(1)));
///     let b = spawn(sleep(Duration::from_secs(2)));
///     a.await.unwrap();
///     b.await.unwrap();
///     assert_eq!(now().since_start(), Duration::from_secs(2));
/// }
/// ```
#[cfg(feature = "macros")]
pub use simloop_macros::test;
pub use trace::{Trace, TraceLevel};
