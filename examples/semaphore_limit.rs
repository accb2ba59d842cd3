//! `asyncio.Semaphore(3)` limiting ten concurrent fetches.
//!
//! ```python
//! async def fetch(session, url, semaphore):
//!     async with semaphore:
//!         async with session.get(url) as response:
//!             return await response.text()
//!
//! async def main():
//!     semaphore = asyncio.Semaphore(3)
//!     results = await asyncio.gather(*(fetch(session, url, semaphore) for url in urls))
//! ```
//!
//! Each fetch here takes one second. The permit is a value released when dropped: that is
//! `async with`. `simloop::sync::Semaphore` hands a released permit to the longest waiter
//! (CPython 3.13), so the fetches start in rounds: 0, 1 and 2 at t=0, then 3 to 5 at t=1, 6 to
//! 8 at t=2, 9 at t=3. All are done at t=4, never more than three inside, and the results are in
//! argument order.
//!
//! ```text
//! cargo run --example semaphore_limit -- [--seed N] [--strategy fifo|random|pct:3|pos]
//! ```

use std::convert::Infallible;
use std::time::Duration;

use simloop::sync::Semaphore;
use simloop::time::{sleep, Instant};
use simloop::{log, Sim, TraceLevel};
use simloop_programs::args;

/// At most this many fetches run at once.
const LIMIT: usize = 3;

/// `async with semaphore:` then a request that takes one second.
async fn fetch(i: u32, semaphore: Semaphore) -> Result<u32, Infallible> {
    let _permit = semaphore.acquire().await; // released when `_permit` drops
    log!("fetch {i} starts, {} of {LIMIT} inside", semaphore.in_use());
    sleep(Duration::from_secs(1)).await;
    Ok(i)
}

async fn semaphore_limit(n: u32) {
    let semaphore = Semaphore::new(LIMIT);
    let fetches = (0..n).map(|i| fetch(i, semaphore.clone()));
    let Ok(results) = simloop::task::gather(fetches).await;
    assert_eq!(results, (0..n).collect::<Vec<_>>(), "argument order");
    let peak = semaphore.peak_in_use();
    log!("all {n} done; at most {peak} were inside at once");
}

fn main() {
    let config = args::from_env().config().with_trace(TraceLevel::Full);
    let run = Sim::new(config).run(semaphore_limit(10));
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
