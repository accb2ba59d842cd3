//! The guide's first program: two fetches awaited one after the other.
//!
//! ```python
//! async def main():
//!     data_one = await fetch_data(1)   # prints, sleeps 3 s, prints
//!     data_two = await fetch_data(2)
//!     print(f"Data one: {data_one}")
//!     print(f"Data two: {data_two}")
//! ```
//!
//! Each fetch starts when the previous one ends, so the run ends at t=6 of virtual time (and
//! takes microseconds of real time). `simloop::log!` is `print`: each line lands in the trace,
//! stamped with the virtual time and the task that printed it.
//!
//! ```text
//! cargo run --example fetch_sequential -- [--seed N] [--strategy fifo|random|pct:3|pos]
//! ```

use std::time::Duration;

use simloop::time::{now, sleep, Instant};
use simloop::{log, Sim, TraceLevel};
use simloop_programs::args;

/// The guide's `fetch_data`: prints, sleeps three seconds, prints, and returns its
/// `{'input', 'start_time', 'end_time'}` dictionary, with virtual timestamps.
async fn fetch_data(input: u32) -> String {
    log!("Fetching data...");
    let start = now();
    sleep(Duration::from_secs(3)).await;
    let end = now();
    log!("Data retrieved.");
    format!("{{'input': {input}, 'start_time': '{start}', 'end_time': '{end}'}}")
}

async fn fetch_sequential() {
    let data_one = fetch_data(1).await;
    let data_two = fetch_data(2).await;
    log!("Data one: {data_one}");
    log!("Data two: {data_two}");
}

fn main() {
    let config = args::from_env().config().with_trace(TraceLevel::Full);
    let run = Sim::new(config).run(fetch_sequential());
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
