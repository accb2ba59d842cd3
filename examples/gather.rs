//! `asyncio.gather` of three fetches.
//!
//! ```python
//! async def main():
//!     results = await asyncio.gather(fetch_data(1), fetch_data(2), fetch_data(3))
//!     for idx, result in enumerate(results, 1):
//!         print(f"Data {idx}: {result}")
//! ```
//!
//! `simloop::task::gather` wraps each future in a task in argument order, so they start at t=0 in
//! that order; all three finish at t=3 and the results come back in argument order, whatever
//! order they finished in. `gather` takes futures of `Result`s and returns the first error;
//! these fetches cannot fail, so their error type is `Infallible`.
//!
//! ```text
//! cargo run --example gather -- [--seed N] [--strategy fifo|random|pct:3|pos]
//! ```

use std::convert::Infallible;
use std::time::Duration;

use simloop::time::{now, sleep, Instant};
use simloop::{log, Sim, TraceLevel};
use simloop_programs::args;

/// The guide's `fetch_data`: prints, sleeps three seconds, prints, and returns its
/// `{'input', 'start_time', 'end_time'}` dictionary, with virtual timestamps.
async fn fetch_data(input: u32) -> Result<String, Infallible> {
    log!("Fetching data...");
    let start = now();
    sleep(Duration::from_secs(3)).await;
    let end = now();
    log!("Data retrieved.");
    Ok(format!(
        "{{'input': {input}, 'start_time': '{start}', 'end_time': '{end}'}}"
    ))
}

async fn gather_fetches() {
    let Ok(results) = simloop::task::gather((1..=3).map(fetch_data)).await;
    for (index, result) in results.iter().enumerate() {
        log!("Data {}: {result}", index + 1);
    }
}

fn main() {
    let config = args::from_env().config().with_trace(TraceLevel::Full);
    let run = Sim::new(config).run(gather_fetches());
    print!("{}", run.trace.user_lines());
    match run.result {
        Ok(()) => println!(
            "{:>10}  (main returned)",
            Instant::from_start(run.elapsed).to_string()
        ),
        Err(failure) => {
            println!("FAILED\n{failure}");
            std::process::exit(1);
        }
    }
}
