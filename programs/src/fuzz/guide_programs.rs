//! `guide_programs`: the fuzzer's bytes schedule the asyncio guide's programs, whose invariants
//! (ASYNCIO.md §2) must hold in every interleaving.
//!
//! Input layout: byte 0 picks the case (`mod` the number of [`CASES`]), byte 1 is the seed, and
//! every further byte is one scheduling choice (`c mod n` of the ready tasks in arrival order);
//! after the last choice the run follows asyncio's order. Each case is a `check_*` function of
//! [`crate::guide`], the same bodies the tour and the tests run.

use std::future::Future;
use std::pin::Pin;

use simloop::scheduler::Choices;
use simloop::sim::WorldConfig;
use simloop::{Config, Sim, Strategy, TraceLevel};

use crate::guide;

/// One checked program: a name, its simulated world, and a body that asserts its invariants.
pub struct Case {
    /// What the case runs.
    pub name: &'static str,
    /// The world it runs in.
    pub world: fn() -> WorldConfig,
    /// The body; it panics when an invariant breaks.
    pub body: fn() -> Pin<Box<dyn Future<Output = ()>>>,
}

/// Every case, by selector byte.
pub const CASES: &[Case] = &[
    Case {
        name: "gather: results in argument order, done at t=3",
        world: WorldConfig::default,
        body: || Box::pin(guide::check_gather_fetches()),
    },
    Case {
        name: "gather_error: the error reaches the caller at t=0 (main returns)",
        world: WorldConfig::default,
        body: || Box::pin(guide::check_gather_error(false)),
    },
    Case {
        name: "gather_error: the error reaches the caller at t=0 (main keeps running)",
        world: WorldConfig::default,
        body: || Box::pin(guide::check_gather_error(true)),
    },
    Case {
        name: "producer/consumer with a sentinel: every item once, in order, t=10",
        world: WorldConfig::default,
        body: || Box::pin(guide::check_producer_consumer(guide::Ending::Sentinel)),
    },
    Case {
        name: "producer/consumer with shutdown(): every item once, in order, t=10",
        world: WorldConfig::default,
        body: || Box::pin(guide::check_producer_consumer(guide::Ending::Shutdown)),
    },
    Case {
        name: "Semaphore(3) over ten fetches: at most 3 inside, 4 rounds",
        world: WorldConfig::default,
        body: || Box::pin(guide::check_semaphore_limit(10)),
    },
    Case {
        name: "http_fetch: ten requests, at most 3 in flight",
        world: guide::http_world,
        body: || Box::pin(guide::check_http_fetch()),
    },
];

/// Runs one input; panics with simloop's failure report if an invariant breaks.
pub fn run(data: &[u8]) {
    let selector = data.first().copied().unwrap_or(0);
    let seed = data.get(1).copied().unwrap_or(0);
    let case = &CASES[usize::from(selector) % CASES.len()];
    let choices = Choices::from_bytes(data.get(2..).unwrap_or(&[])).then_fifo();
    let config = Config::default()
        .with_seed(u64::from(seed))
        .with_strategy(Strategy::Choices(choices))
        .with_max_steps(100_000)
        .with_trace(TraceLevel::Off)
        .with_world((case.world)());
    let run = Sim::new(config).run((case.body)());
    if let Err(failure) = run.result {
        panic!("{}: {failure}", case.name);
    }
}
