//! `scheduler_programs`: the fuzzer's bytes are the scheduler's choices.
//!
//! Input layout: byte 0 picks the program (`mod` the number of [`PROGRAMS`]), byte 1 is the
//! seed (which fixes the program's shape), and every further byte is one choice: at a step with
//! `n` ready tasks, byte `c` runs the `(c mod n)`-th in arrival order, so `0` is asyncio's
//! choice and every byte value is valid. Missing bytes read as program 0 and seed 0; after the
//! last choice the run continues in asyncio's order. A violated invariant or any other run
//! failure panics with simloop's failure report, which carries the `SIMLOOP_REPLAY` line.

use simloop::scheduler::Choices;
use simloop::{Config, Run, Sim, Strategy, TraceLevel};

pub use super::programs::PROGRAMS;

/// Generous for these programs (a few hundred steps), small enough to stop a livelock fast.
const MAX_STEPS: u64 = 100_000;

/// What an input decodes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The program's name.
    pub program: &'static str,
    /// The run's seed.
    pub seed: u64,
    /// The scheduler's choices.
    pub choices: Choices,
}

/// Splits an input into program, seed and choices; never fails.
pub fn decode(data: &[u8]) -> Decoded {
    let selector = data.first().copied().unwrap_or(0);
    let seed = data.get(1).copied().unwrap_or(0);
    let choices = data.get(2..).unwrap_or(&[]);
    Decoded {
        program: PROGRAMS[usize::from(selector) % PROGRAMS.len()].0,
        seed: u64::from(seed),
        choices: Choices::from_bytes(choices).then_fifo(),
    }
}

/// Runs the input's program under its choices, with a trace at `trace`.
pub fn simulate(data: &[u8], trace: TraceLevel) -> (Decoded, Run<()>) {
    let decoded = decode(data);
    let (_, program) = PROGRAMS
        .iter()
        .find(|(name, _)| *name == decoded.program)
        .expect("decode names a program");
    let config = Config::default()
        .with_seed(decoded.seed)
        .with_strategy(Strategy::Choices(decoded.choices.clone()))
        .with_max_steps(MAX_STEPS)
        .with_trace(trace);
    let run = Sim::new(config).run(program());
    (decoded, run)
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let (decoded, run) = simulate(data, TraceLevel::Off);
    if let Err(failure) = run.result {
        panic!("program `{}`: {failure}", decoded.program);
    }
}
