//! `asyncio.gather` when one input fails.
//!
//! ```python
//! async def fetch_data_with_error(input_data):
//!     if input_data == 2:
//!         raise ValueError("Simulated error for input 2")
//!     await asyncio.sleep(2)
//!     return f"Data for input {input_data}"
//!
//! async def main():
//!     try:
//!         results = await asyncio.gather(*(fetch_data_with_error(i) for i in (1, 2, 3)))
//!     except ValueError as e:
//!         print(f"Caught an exception: {e}")
//! ```
//!
//! Errors are values: the input fails with `Err` and `gather` returns the first error at once,
//! at t=0. Like asyncio, it does not cancel inputs 1 and 3. The example plays two endings: main
//! returns at once (the run ends with both still pending; asyncio.run would cancel them
//! silently, simloop drops them and lists them in `Run::leaked`), and main keeps running (both
//! finish at t=2, and their results are dropped).
//!
//! ```text
//! cargo run --example gather_error -- [--seed N] [--strategy fifo|random|pct:3|pos]
//! ```

use std::future::Future;
use std::time::Duration;

use simloop::time::{sleep, Instant};
use simloop::{log, Config, Sim, TraceLevel};
use simloop_programs::args;

/// The guide's `fetch_data_with_error`: input 2 fails before it sleeps (Python's `ValueError`
/// is the `Err` string); the others sleep two seconds.
async fn fetch_data_with_error(input: u32) -> Result<String, String> {
    log!("Fetching data for input {input}...");
    if input == 2 {
        return Err("Simulated error for input 2".into());
    }
    sleep(Duration::from_secs(2)).await;
    log!("Finished input {input}; gather already returned, so its result is dropped");
    Ok(format!("Data for input {input}"))
}

/// `try: await gather(...) except ValueError`; with `keep_running`, main then sleeps three
/// seconds, long enough to see that gather did not cancel inputs 1 and 3.
async fn gather_error(keep_running: bool) {
    match simloop::task::gather((1..=3).map(fetch_data_with_error)).await {
        Err(error) => log!("Caught an exception: {error}"),
        Ok(results) => {
            for (index, result) in results.iter().enumerate() {
                log!("Data {}: {result}", index + 1);
            }
        }
    }
    if keep_running {
        sleep(Duration::from_secs(3)).await;
        log!("main returns");
    }
}

/// Runs `program` under `config` and prints its timeline, and the tasks it left pending.
fn play(heading: &str, config: &Config, program: impl Future<Output = ()>) {
    let run = Sim::new(config.clone().with_trace(TraceLevel::Full)).run(program);
    println!("-- {heading}");
    print!("{}", run.trace.user_lines());
    if let Err(failure) = run.result {
        println!("FAILED\n{failure}");
        std::process::exit(1);
    }
    println!(
        "{:>10}  (main returned)",
        Instant::from_start(run.elapsed).to_string()
    );
    if !run.leaked.is_empty() {
        let ids = run.leaked.iter().map(|task| task.id);
        let names: Vec<String> = ids
            .map(|id| format!("task-{} ({id})", id.as_u32()))
            .collect();
        let dropped = "left pending, dropped by simloop (asyncio.run would cancel them)";
        println!("{:>10}  {dropped}: {}", "", names.join(", "));
    }
}

fn main() {
    let config = args::from_env().config();
    let heading = "main returns right after catching the error";
    play(heading, &config, gather_error(false));
    let heading = "main keeps running: gather did not cancel inputs 1 and 3";
    play(heading, &config, gather_error(true));
}
