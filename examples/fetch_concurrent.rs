//! The guide's second program: two tasks created, then awaited.
//!
//! ```python
//! async def main():
//!     task_one = asyncio.create_task(fetch_data(1))
//!     task_two = asyncio.create_task(fetch_data(2))
//!     data_one = await task_one
//!     data_two = await task_two
//!     print(f"Data one: {data_one}")
//!     print(f"Data two: {data_two}")
//! ```
//!
//! `create_task` is `simloop::task::spawn_named`; awaiting the task is awaiting its
//! `JoinHandle`. As in asyncio, a new task does not run until `main` suspends, then both start
//! at t=0 in creation order, both sleep together, and the run ends at t=3, not 6.
//!
//! ```text
//! cargo run --example fetch_concurrent -- [--seed N] [--strategy fifo|random|pct:3|pos]
//! ```

use std::time::Duration;

use simloop::task::spawn_named;
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

async fn fetch_concurrent() {
    let task_one = spawn_named("fetch-1", fetch_data(1));
    let task_two = spawn_named("fetch-2", fetch_data(2));
    let data_one = task_one.await.expect("nobody aborts fetch-1");
    let data_two = task_two.await.expect("nobody aborts fetch-2");
    log!("Data one: {data_one}");
    log!("Data two: {data_two}");
}

fn main() {
    let config = args::from_env().config().with_trace(TraceLevel::Full);
    let run = Sim::new(config).run(fetch_concurrent());
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
