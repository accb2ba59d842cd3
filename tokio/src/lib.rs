//! # simloop-tokio
//!
//! tokio's API, served by [simloop](https://docs.rs/simloop) inside a simulation and by tokio
//! everywhere else. Adopt it by renaming one dependency; the code keeps saying `tokio`:
//!
//! ```toml
//! [dependencies]
//! tokio = { package = "simloop-tokio", version = "0.1", features = ["full"] }
//! ```
//!
//! Each covered call reads one thread-local ([`simloop::is_simulating`]) and goes to simloop
//! (seeded scheduling, virtual clock) inside a simulation, to tokio outside. Types both worlds
//! hand out ([`task::JoinHandle`], [`time::Instant`], [`time::Sleep`], ...) are, or wrap, enums
//! with one variant per world. Modules that draw no randomness and need no runtime (`io`, `sync`) are
//! tokio's own code, re-exported. `docs/tokio.md` lists every module's status.
//!
//! ```
//! use simloop_tokio as tokio;
//! use std::time::Duration;
//!
//! async fn fetch(secs: u64) -> u64 {
//!     tokio::time::sleep(Duration::from_secs(secs)).await;
//!     secs
//! }
//!
//! simloop::check(|| async {
//!     let start = tokio::time::Instant::now();
//!     let handles: Vec<_> = (1..=3).map(|s| tokio::spawn(fetch(s))).collect();
//!     for handle in handles {
//!         handle.await.unwrap();
//!     }
//!     assert_eq!(start.elapsed(), Duration::from_secs(3)); // virtual time, exactly
//! });
//! ```

#![forbid(unsafe_code)]

#[cfg(feature = "net")]
pub mod net;
pub mod runtime;
pub mod task;
pub mod time;

#[cfg(feature = "fs")]
pub mod fs;
#[cfg(feature = "signal")]
pub mod signal;

mod join_set;
mod local_set;
mod select;

pub use task::spawn;

/// tokio's `io` module: traits and utilities, tokio's own code (no runtime, no randomness).
pub use real::io;
/// tokio's synchronization primitives, tokio's own code. Deterministic under simloop except
/// `watch` (and `Barrier`, built on it), whose waiters tokio spreads by its own random numbers:
/// see `docs/tokio.md`.
pub use real::sync;

#[cfg(feature = "process")]
pub mod process;

/// tokio's `#[tokio::main]`: builds a tokio runtime through this crate's
/// [`runtime::Builder`] (the macro names `tokio::runtime::Builder`, which the rename makes this
/// crate's), so it behaves as tokio's outside a simulation.
pub use real::main;
/// tokio's `#[tokio::test]`: a test on a tokio runtime built through this crate's
/// [`runtime::Builder`], as `#[tokio::main]`.
pub use real::test;

/// tokio's `join!`: polls its futures in turn, no randomness.
pub use real::join;
/// tokio's `pin!`.
pub use real::pin;
/// tokio's `task_local!`: works under any executor.
pub use real::task_local;
/// tokio's `try_join!`: polls its futures in turn, no randomness.
pub use real::try_join;

#[doc(hidden)]
pub mod __private {
    pub use real;
    pub use simloop::is_simulating;

    /// The branch `select!` starts from inside a simulation: drawn from the seeded RNG.
    pub fn select_start(branches: usize) -> usize {
        simloop::random::random_range(0..branches)
    }
}
