//! An async generator consumed with `async for`.
//!
//! ```python
//! async def async_generator():
//!     for i in range(5):
//!         await asyncio.sleep(1)
//!         yield i
//!
//! async def main():
//!     async for number in async_generator():
//!         print(f"Received number: {number}")
//! ```
//!
//! The generator is a `futures::Stream` (`stream::unfold`) and `async for` is
//! `while let Some(number) = stream.next().await`. Like a generator, the stream computes an
//! item only when asked, so the numbers arrive at t=1, 2, 3, 4 and 5.
//!
//! ```text
//! cargo run --example async_generator -- [--seed N] [--strategy fifo|random|pct:3|pos]
//! ```

use std::pin::pin;
use std::time::Duration;

use futures::{Stream, StreamExt};
use simloop::time::{sleep, Instant};
use simloop::{log, Sim, TraceLevel};
use simloop_programs::args;

/// `async_generator()`: each item is computed when the consumer asks for it.
fn async_generator() -> impl Stream<Item = u32> {
    futures::stream::unfold(0, |i| async move {
        if i == 5 {
            return None;
        }
        sleep(Duration::from_secs(1)).await;
        Some((i, i + 1))
    })
}

async fn async_for() {
    let mut numbers = pin!(async_generator());
    while let Some(number) = numbers.next().await {
        log!("Received number: {number}");
    }
}

fn main() {
    let config = args::from_env().config().with_trace(TraceLevel::Full);
    let run = Sim::new(config).run(async_for());
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
