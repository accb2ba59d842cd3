//! The guide's programs on `simloop::sync`: the producer/consumer queue and the semaphore that
//! limits concurrent fetches; and the invariants the tests and the tour check over many seeds.

use std::convert::Infallible;
use std::time::Duration;

use simloop::sim::WorldConfig;
use simloop::sync::{Queue, Semaphore};
use simloop::task::spawn_named;
use simloop::time::{now, sleep, Instant};
use simloop::{log, Config};

use super::Played;

// ------------------------------------------------------------------------------------------
// producer / consumer

/// How many items the producer makes.
pub const ITEMS: u32 = 5;

/// How the producer tells the consumer that it is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// The guide's version: a `None` sentinel after the last item.
    Sentinel,
    /// Python 3.13's `queue.shutdown()`: the consumer drains what is left, then its `get`
    /// fails with `QueueShutDown`.
    Shutdown,
}

/// The guide's producer: put an item, print, sleep 1 s; `n` times; then the `None` sentinel.
pub async fn producer(queue: Queue<Option<String>>, n: u32) {
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
pub async fn consumer(queue: Queue<Option<String>>) -> Vec<String> {
    let mut consumed = Vec::new();
    while let Some(item) = queue.get().await.expect("nobody shuts this queue down") {
        log!("Consumed {item}");
        consumed.push(item);
        sleep(Duration::from_secs(2)).await;
    }
    log!("Consumer got the sentinel and exits");
    consumed
}

/// The producer of the second version: the same items, then `shutdown()` instead of a
/// sentinel.
pub async fn producer_then_shutdown(queue: Queue<String>, n: u32) {
    for i in 0..n {
        let item = format!("item-{i}");
        queue.put(item.clone()).await.expect("not shut down yet");
        log!("Produced {item}");
        sleep(Duration::from_secs(1)).await;
    }
    queue.shutdown();
    log!("Queue shut down ({} items still in it)", queue.len());
}

/// The consumer of the second version: `get` until the queue is shut down and empty.
pub async fn consumer_until_shutdown(queue: Queue<String>) -> Vec<String> {
    let mut consumed = Vec::new();
    while let Ok(item) = queue.get().await {
        log!("Consumed {item}");
        consumed.push(item);
        sleep(Duration::from_secs(2)).await;
    }
    log!("Queue is shut down and empty: consumer exits");
    consumed
}

/// `main`: an unbounded queue, a producer task and a consumer task, awaited together (the
/// guide's `gather(producer_task, consumer_task)`); returns what the consumer consumed.
pub async fn producer_consumer(ending: Ending) -> Vec<String> {
    match ending {
        Ending::Sentinel => {
            let queue = Queue::unbounded();
            let producer_task = spawn_named("producer", producer(queue.clone(), ITEMS));
            let consumer_task = spawn_named("consumer", consumer(queue));
            producer_task.await.expect("nobody aborts the producer");
            consumer_task.await.expect("nobody aborts the consumer")
        }
        Ending::Shutdown => {
            let queue = Queue::unbounded();
            let producer_task =
                spawn_named("producer", producer_then_shutdown(queue.clone(), ITEMS));
            let consumer_task = spawn_named("consumer", consumer_until_shutdown(queue));
            producer_task.await.expect("nobody aborts the producer");
            consumer_task.await.expect("nobody aborts the consumer")
        }
    }
}

/// The producer/consumer invariants of every schedule: each item consumed once, in
/// production order, and the run ends at t=10.
pub async fn check_producer_consumer(ending: Ending) {
    let consumed = producer_consumer(ending).await;
    let produced: Vec<String> = (0..ITEMS).map(|i| format!("item-{i}")).collect();
    assert_eq!(consumed, produced, "each item once, in production order");
    assert_eq!(now().since_start(), Duration::from_secs(10), "ends at t=10");
}

/// The `producer_consumer` example: both endings under `config`.
pub fn play_producer_consumer(config: &Config) -> Played {
    let mut played = Played::new();
    let world = WorldConfig::default;
    let heading = "the guide's version: a None sentinel";
    played.scene(
        Some(heading),
        config,
        world(),
        producer_consumer(Ending::Sentinel),
    );
    let heading = "queue.shutdown() instead of a sentinel";
    played.scene(
        Some(heading),
        config,
        world(),
        producer_consumer(Ending::Shutdown),
    );
    played
}

// ------------------------------------------------------------------------------------------
// Semaphore(3)

/// At most this many fetches run at once.
pub const LIMIT: usize = 3;

/// How many fetches the semaphore program makes.
pub const FETCHES: u32 = 10;

/// How long one fetch takes in the semaphore program.
pub const LATENCY: Duration = Duration::from_secs(1);

/// The guide's `fetch(session, url, semaphore)`: `async with semaphore:` then the request,
/// here a sleep of [`LATENCY`]. Returns its index and when it got in.
pub async fn limited_fetch(i: u32, semaphore: Semaphore) -> Result<(u32, Instant), Infallible> {
    let _permit = semaphore.acquire().await; // released when `_permit` drops: `async with`
    log!("fetch {i} starts, {} of {LIMIT} inside", semaphore.in_use());
    let started = now();
    sleep(LATENCY).await;
    Ok((i, started))
}

/// What the semaphore program saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limited {
    /// `(index, start time)` of each fetch, in argument order.
    pub results: Vec<(u32, Instant)>,
    /// The most fetches inside the semaphore at once.
    pub peak: usize,
}

/// `semaphore = Semaphore(3)`, then `gather` of `n` fetches through it.
pub async fn semaphore_limit(n: u32) -> Limited {
    let semaphore = Semaphore::new(LIMIT);
    let fetches = (0..n).map(|i| limited_fetch(i, semaphore.clone()));
    let results = match simloop::task::gather(fetches).await {
        Ok(results) => results,
        Err(never) => match never {},
    };
    let peak = semaphore.peak_in_use();
    log!("all {n} done; at most {peak} were inside at once");
    Limited { results, peak }
}

/// The semaphore invariants of every schedule: never more than [`LIMIT`] inside, the fetches
/// start in rounds of [`LIMIT`] one [`LATENCY`] apart, `ceil(n / LIMIT)` rounds in all, and the
/// results keep argument order.
pub async fn check_semaphore_limit(n: u32) {
    let limited = semaphore_limit(n).await;
    assert!(limited.peak <= LIMIT, "{} inside at once", limited.peak);
    let indexes: Vec<u32> = limited.results.iter().map(|(i, _)| *i).collect();
    assert_eq!(indexes, (0..n).collect::<Vec<_>>(), "argument order");
    let rounds = n.div_ceil(LIMIT as u32);
    let mut starts: Vec<Instant> = limited.results.iter().map(|(_, at)| *at).collect();
    starts.sort();
    for (k, start) in starts.iter().enumerate() {
        let round = k as u32 / LIMIT as u32;
        assert_eq!(
            start.since_start(),
            LATENCY * round,
            "start {k} in round {round}"
        );
    }
    assert_eq!(now().since_start(), LATENCY * rounds, "{rounds} rounds");
}

/// The `semaphore_limit` example: ten fetches through `Semaphore(3)` under `config`.
pub fn play_semaphore_limit(config: &Config) -> Played {
    let mut played = Played::new();
    played.scene(
        None,
        config,
        WorldConfig::default(),
        semaphore_limit(FETCHES),
    );
    played
}
