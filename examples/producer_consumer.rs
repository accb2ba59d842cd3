//! `asyncio.Queue` between a producer and a consumer.
//!
//! ```python
//! async def producer(queue, n):
//!     for i in range(n):
//!         item = f"item-{i}"
//!         await queue.put(item)
//!         print(f"Produced {item}")
//!         await asyncio.sleep(1)
//!     await queue.put(None)  # Sentinel to signal completion
//!
//! async def consumer(queue):
//!     while True:
//!         item = await queue.get()
//!         if item is None:
//!             break
//!         print(f"Consumed {item}")
//!         await asyncio.sleep(2)
//! ```
//!
//! `simloop::sync::Queue` follows asyncio's: a `put` on an unbounded queue never waits and
//! a woken `get` runs one step later. The consumer is slower, so items pile up; it takes the
//! last one at t=8 and the sentinel at t=10. At t=2 and t=4 two timers are due at once: under
//! Fifo the consumer's, set earlier, fires first; other strategies may swap the two lines, but
//! in every schedule each item is consumed once, in order, and the run ends at t=10. The second
//! version ends with `queue.shutdown()` (Python 3.13) instead of a sentinel: the consumer drains
//! what is left, then its `get` fails with `QueueShutDown`.
//!
//! ```text
//! cargo run --example producer_consumer -- [--seed N] [--strategy fifo|random|pct:3|pos]
//! ```

use std::future::Future;
use std::time::Duration;

use simloop::sync::Queue;
use simloop::task::spawn_named;
use simloop::time::{sleep, Instant};
use simloop::{log, Config, Sim, TraceLevel};
use simloop_programs::args;

/// The guide's producer: put an item, print, sleep 1 s; `n` times; then the `None` sentinel.
async fn producer(queue: Queue<Option<String>>, n: u32) {
    for i in 0..n {
        let item = format!("item-{i}");
        let put = queue.put(Some(item.clone())).await;
        put.expect("nobody shuts this queue down");
        log!("Produced {item}");
        sleep(Duration::from_secs(1)).await;
    }
    let put = queue.put(None).await; // the sentinel
    put.expect("nobody shuts this queue down");
    log!("Produced None, the sentinel");
}

/// The guide's consumer: get, print, sleep 2 s, until the sentinel.
async fn consumer(queue: Queue<Option<String>>) {
    while let Some(item) = queue.get().await.expect("nobody shuts this queue down") {
        log!("Consumed {item}");
        sleep(Duration::from_secs(2)).await;
    }
    log!("Consumer got the sentinel and exits");
}

/// The second version's producer: the same items, then `shutdown()` instead of a sentinel.
async fn producer_then_shutdown(queue: Queue<String>, n: u32) {
    for i in 0..n {
        let item = format!("item-{i}");
        queue.put(item.clone()).await.expect("not shut down yet");
        log!("Produced {item}");
        sleep(Duration::from_secs(1)).await;
    }
    queue.shutdown();
    log!("Queue shut down ({} items still in it)", queue.len());
}

/// The second version's consumer: `get` until the queue is shut down and empty.
async fn consumer_until_shutdown(queue: Queue<String>) {
    while let Ok(item) = queue.get().await {
        log!("Consumed {item}");
        sleep(Duration::from_secs(2)).await;
    }
    log!("Queue is shut down and empty: consumer exits");
}

/// `main`: an unbounded queue, a producer task and a consumer task, awaited together.
async fn with_sentinel() {
    let queue = Queue::unbounded();
    let producer_task = spawn_named("producer", producer(queue.clone(), 5));
    let consumer_task = spawn_named("consumer", consumer(queue));
    producer_task.await.expect("nobody aborts the producer");
    consumer_task.await.expect("nobody aborts the consumer");
}

/// The same `main`, for the version that shuts the queue down.
async fn with_shutdown() {
    let queue = Queue::unbounded();
    let producer_task = spawn_named("producer", producer_then_shutdown(queue.clone(), 5));
    let consumer_task = spawn_named("consumer", consumer_until_shutdown(queue));
    producer_task.await.expect("nobody aborts the producer");
    consumer_task.await.expect("nobody aborts the consumer");
}

/// Runs `program` under `config` and prints its timeline.
fn play(heading: &str, config: &Config, program: impl Future<Output = ()>) {
    let run = Sim::new(config.clone().with_trace(TraceLevel::Full)).run(program);
    println!("-- {heading}");
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

fn main() {
    let config = args::from_env().config();
    play(
        "the guide's version: a None sentinel",
        &config,
        with_sentinel(),
    );
    play(
        "queue.shutdown() instead of a sentinel",
        &config,
        with_shutdown(),
    );
}
