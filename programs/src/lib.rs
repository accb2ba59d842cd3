//! Programs written against simloop's public API, shared by its tests, fuzz targets, benchmarks
//! and examples.
//!
//! Nothing here is published: this crate holds the code more than one of them runs, so that
//! what the README and the tour show is what CI runs.
//!
//! - [`guide`]: the programs of the asyncio guide, each with the timeline its example prints
//!   and the invariants every schedule must keep;
//! - [`args`]: the `--seed N` and `--strategy S` command line of the examples;
//! - [`zoo`]: the bug zoo, classic concurrency bugs that the exploring strategies must find;
//! - [`fuzz`]: the bodies of the `cargo fuzz` targets, which the test suite also runs;
//! - `postgres` (feature `postgres`): the asyncpg program with a real PostgreSQL client and
//!   server over simulated TCP;
//! - [`bench`](mod@bench): the benchmarks' workloads and timing harness.

pub mod args;
pub mod bench;
pub mod fuzz;
pub mod guide;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod zoo;
