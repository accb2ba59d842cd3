//! The programs of the asyncio guide, ported to simloop: one `pub async fn` per program, and a
//! `play_*` function per example that runs it and renders its timeline.
//!
//! The examples, the tour, the tests and the fuzz targets all include this file, so what the
//! docs show is what CI runs. Every line a program prints goes through `simloop::log!`, so
//! it lands in the trace stamped with virtual time and the task that printed it.

use std::cell::Cell;
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::time::Duration;

use futures::{Stream, StreamExt};
use simloop::sim::WorldConfig;
use simloop::task::spawn_named;
use simloop::time::{now, sleep, Instant};
use simloop::{log, Config, Run, Sim, TraceLevel};

mod hyper_http;
mod io;
mod sync;
pub use hyper_http::*;
pub use io::*;
pub use sync::*;

/// What an example prints, and whether every run in it succeeded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Played {
    /// The timelines, one section per run.
    pub text: String,
    /// False if a run failed; the text then holds the failure report.
    pub ok: bool,
}

impl Played {
    pub(crate) fn new() -> Played {
        Played {
            text: String::new(),
            ok: true,
        }
    }

    /// Runs `program` under `config` (with a full trace) in `world`, appends its timeline under
    /// `heading` (if any), and returns the run for the caller to inspect.
    pub fn scene<T>(
        &mut self,
        heading: Option<&str>,
        config: &Config,
        world: WorldConfig,
        program: impl Future<Output = T>,
    ) -> Run<T> {
        let config = config
            .clone()
            .with_trace(TraceLevel::Full)
            .with_world(world);
        let run = Sim::new(config).run(program);
        if let Some(heading) = heading {
            self.text.push_str(&format!("-- {heading}\n"));
        }
        self.text.push_str(&timeline(&run));
        self.ok &= run.result.is_ok();
        run
    }
}

/// The user lines of `run` and how it ended: the virtual end time, the tasks it left pending,
/// or the failure report.
pub fn timeline<T>(run: &Run<T>) -> String {
    let mut text = run.trace.user_lines();
    match &run.result {
        Ok(_) => {
            let end = Instant::from_start(run.elapsed);
            text.push_str(&format!("{:>10}  (main returned)\n", end.to_string()));
        }
        Err(failure) => text.push_str(&format!("FAILED\n{failure}")),
    }
    if !run.leaked.is_empty() {
        let names: Vec<String> = run.leaked.iter().map(task_name).collect();
        text.push_str(&format!(
            "{:>10}  left pending, dropped by simloop (asyncio.run would cancel them): {}\n",
            "",
            names.join(", ")
        ));
    }
    text
}

/// `name (#id)` without the spawn site, which depends on how the file was included.
fn task_name(task: &simloop::TaskInfo) -> String {
    let id = task.id;
    match &task.name {
        Some(name) => format!("{name} ({id})"),
        None => format!("task-{} ({id})", id.as_u32()),
    }
}

/// One example: its name (the `examples/NAME.rs` file), what it shows, and how to play it.
pub struct Program {
    /// The example's name.
    pub name: &'static str,
    /// One line on what it shows.
    pub about: &'static str,
    /// Runs it under a config's seed and strategy.
    pub play: fn(&Config) -> Played,
}

/// Every example, in the guide's order.
pub const PROGRAMS: &[Program] = &[
    Program {
        name: "fetch_sequential",
        about: "await fetch_data(1), then fetch_data(2): 3 s each, 6 s in all",
        play: play_fetch_sequential,
    },
    Program {
        name: "fetch_concurrent",
        about: "two create_task()s, then two awaits: both fetches overlap, 3 s in all",
        play: play_fetch_concurrent,
    },
    Program {
        name: "gather",
        about: "gather() of three fetches: results in argument order at t=3",
        play: play_gather,
    },
    Program {
        name: "gather_error",
        about: "input 2 fails before sleeping: the caller has the error at t=0",
        play: play_gather_error,
    },
    Program {
        name: "async_file",
        about: "aiofiles: async with open(...) as f, over simloop::fs",
        play: play_async_file,
    },
    Program {
        name: "async_generator",
        about: "async for over a generator yielding 0..5, one second apart",
        play: play_async_generator,
    },
    Program {
        name: "http_fetch",
        about: "aiohttp over simloop::net: one GET, then ten limited to 3 at once by a Semaphore",
        play: play_http_fetch,
    },
    Program {
        name: "hyper_fetch",
        about: "http_fetch on real HTTP: a hyper server and client over simulated TCP",
        play: play_hyper_fetch,
    },
    Program {
        name: "db_query",
        about: "asyncpg: connect, SELECT * FROM users, close; then a dropped connection",
        play: play_db_query,
    },
    #[cfg(feature = "postgres")]
    Program {
        name: "postgres",
        about: "db_query with tokio-postgres against a pgwire server over simulated TCP",
        play: crate::postgres::play_postgres,
    },
    Program {
        name: "producer_consumer",
        about: "a Queue between a producer and a consumer: None sentinel, then shutdown()",
        play: play_producer_consumer,
    },
    Program {
        name: "semaphore_limit",
        about: "ten fetches through Semaphore(3): rounds of three, one second apart",
        play: play_semaphore_limit,
    },
];

// ------------------------------------------------------------------------------------------
// fetch_data, sequential and concurrent

/// How long `fetch_data` pretends to wait on I/O (`await asyncio.sleep(3)`).
pub const FETCH_TIME: Duration = Duration::from_secs(3);

/// What `fetch_data` returns: the guide's `{'input', 'start_time', 'end_time'}` dictionary, with
/// virtual timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fetched {
    /// The input it was called with.
    pub input: u32,
    /// When it started.
    pub start: Instant,
    /// When it finished.
    pub end: Instant,
}

impl fmt::Display for Fetched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{{'input': {}, 'start_time': '{}', 'end_time': '{}'}}",
            self.input, self.start, self.end
        )
    }
}

/// The guide's `fetch_data`: prints, sleeps three seconds, prints, returns the timestamps.
pub async fn fetch_data(input: u32) -> Fetched {
    log!("Fetching data...");
    let start = now();
    sleep(FETCH_TIME).await;
    let end = now();
    log!("Data retrieved.");
    Fetched { input, start, end }
}

/// `data_one = await fetch_data(1); data_two = await fetch_data(2)`: one after the other.
pub async fn fetch_sequential() -> [Fetched; 2] {
    let one = fetch_data(1).await;
    let two = fetch_data(2).await;
    log!("Data one: {one}");
    log!("Data two: {two}");
    [one, two]
}

/// `create_task(fetch_data(1))`, `create_task(fetch_data(2))`, then await both: they overlap.
pub async fn fetch_concurrent() -> [Fetched; 2] {
    let task_one = spawn_named("fetch-1", fetch_data(1));
    let task_two = spawn_named("fetch-2", fetch_data(2));
    let one = task_one.await.expect("nobody aborts fetch-1");
    let two = task_two.await.expect("nobody aborts fetch-2");
    log!("Data one: {one}");
    log!("Data two: {two}");
    [one, two]
}

/// The `fetch_sequential` example: [`fetch_sequential`] under `config`.
pub fn play_fetch_sequential(config: &Config) -> Played {
    let mut played = Played::new();
    played.scene(None, config, WorldConfig::default(), fetch_sequential());
    played
}

/// The `fetch_concurrent` example: [`fetch_concurrent`] under `config`.
pub fn play_fetch_concurrent(config: &Config) -> Played {
    let mut played = Played::new();
    played.scene(None, config, WorldConfig::default(), fetch_concurrent());
    played
}

// ------------------------------------------------------------------------------------------
// gather, and gather with an error

/// `results = await asyncio.gather(fetch_data(1), fetch_data(2), fetch_data(3))`.
pub async fn gather_fetches() -> Vec<Fetched> {
    let tasks = (1..=3).map(|input| async move { Ok::<_, Infallible>(fetch_data(input).await) });
    let results = match simloop::task::gather(tasks).await {
        Ok(results) => results,
        Err(never) => match never {},
    };
    for (index, result) in results.iter().enumerate() {
        log!("Data {}: {result}", index + 1);
    }
    results
}

/// The gather invariants of every schedule: results in argument order, all done at t=3.
pub async fn check_gather_fetches() {
    let results = gather_fetches().await;
    let inputs: Vec<u32> = results.iter().map(|fetched| fetched.input).collect();
    assert_eq!(inputs, [1, 2, 3], "results in argument order");
    assert_eq!(now().since_start(), FETCH_TIME, "all done at t=3");
}

/// The `gather` example: [`gather_fetches`] under `config`.
pub fn play_gather(config: &Config) -> Played {
    let mut played = Played::new();
    played.scene(None, config, WorldConfig::default(), gather_fetches());
    played
}

/// Python's `ValueError`, as a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueError(pub String);

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ValueError {}

/// The guide's `fetch_data_with_error`: input 2 fails before it sleeps; the others sleep two
/// seconds. The lines it prints show who started when, and that the survivors finish.
pub async fn fetch_data_with_error(input: u32) -> Result<String, ValueError> {
    log!("Fetching data for input {input}...");
    if input == 2 {
        return Err(ValueError("Simulated error for input 2".into()));
    }
    sleep(Duration::from_secs(2)).await;
    log!("Finished input {input}; gather already returned, so its result is dropped");
    Ok(format!("Data for input {input}"))
}

/// `try: await gather(...) except ValueError`; returns when and what the caller caught.
///
/// With `keep_running`, main sleeps three more seconds, long enough to see that gather did not
/// cancel inputs 1 and 3 (they finish at t=2). Without it main returns at once and the run
/// ends with the two of them pending: asyncio.run cancels them silently, simloop drops them and
/// lists them in `Run::leaked`.
pub async fn gather_error(keep_running: bool) -> Option<(Instant, ValueError)> {
    let tasks = (1..=3).map(fetch_data_with_error);
    let caught = match simloop::task::gather(tasks).await {
        Err(error) => {
            log!("Caught an exception: {error}");
            Some((now(), error))
        }
        Ok(results) => {
            for (index, result) in results.iter().enumerate() {
                log!("Data {}: {result}", index + 1);
            }
            None
        }
    };
    if keep_running {
        sleep(Duration::from_secs(3)).await;
        log!("main returns");
    }
    caught
}

/// The gather-error invariants of every schedule: the error reaches the caller at t=0, and the
/// run ends at t=0 (main returns at once) or t=3 (main keeps running).
pub async fn check_gather_error(keep_running: bool) {
    let (at, error) = gather_error(keep_running).await.expect("input 2 fails");
    assert_eq!(at, Instant::START, "the error reaches the caller at t=0");
    assert_eq!(error.0, "Simulated error for input 2");
    let end = Duration::from_secs(if keep_running { 3 } else { 0 });
    assert_eq!(now().since_start(), end);
}

/// The `gather_error` example: [`gather_error`] with both endings under `config`.
pub fn play_gather_error(config: &Config) -> Played {
    let mut played = Played::new();
    let world = WorldConfig::default;
    let heading = "main returns right after catching the error";
    played.scene(Some(heading), config, world(), gather_error(false));
    let heading = "main keeps running: gather did not cancel inputs 1 and 3";
    played.scene(Some(heading), config, world(), gather_error(true));
    played
}

// ------------------------------------------------------------------------------------------
// async generators

/// `async def async_generator(): for i in range(5): await asyncio.sleep(1); yield i`, as a
/// `Stream`: each item is computed when the consumer asks for it, as a generator's would be.
pub fn async_generator() -> impl Stream<Item = u32> {
    futures::stream::unfold(0, |i| async move {
        if i == 5 {
            return None;
        }
        sleep(Duration::from_secs(1)).await;
        Some((i, i + 1))
    })
}

/// `async for number in async_generator(): print(...)`, with `StreamExt::next`.
pub async fn async_for() -> Vec<u32> {
    let mut numbers = pin!(async_generator());
    let mut received = Vec::new();
    while let Some(number) = numbers.next().await {
        log!("Received number: {number}");
        received.push(number);
    }
    received
}

/// The `async_generator` example: [`async_for`] under `config`.
pub fn play_async_generator(config: &Config) -> Played {
    let mut played = Played::new();
    played.scene(None, config, WorldConfig::default(), async_for());
    played
}

// ------------------------------------------------------------------------------------------
// the planted bug the tour hunts

/// How many page views [`count_visits`] records.
pub const VISITS: u32 = 3;

/// How long the simulated database call of [`record_visit`] takes; visits arrive this far
/// apart.
pub const DB_CALL: Duration = Duration::from_secs(1);

/// One worker: reads the shared counter, awaits a database call, writes the counter back. The
/// bug: another worker can read the old value while this one awaits, and one update is lost.
pub async fn record_visit(views: Rc<Cell<u32>>) {
    let seen = views.get();
    log!("read views = {seen}");
    sleep(DB_CALL).await; // INSERT INTO visits ...: the task suspends here
    views.set(seen + 1);
    log!("wrote views = {}", seen + 1);
}

/// A page-view counter shared by workers, one per visit, each arriving one database call
/// after the previous one; asserts no visit was lost.
///
/// In asyncio's own order every worker finishes its write just before the next one reads, so
/// the program passes; in orders where the next worker runs first at that instant, it does
/// not.
pub async fn count_visits() {
    let views = Rc::new(Cell::new(0));
    let mut workers = Vec::new();
    for id in 0..VISITS {
        workers.push(spawn_named(
            format!("worker-{id}"),
            record_visit(Rc::clone(&views)),
        ));
        sleep(DB_CALL).await;
    }
    for worker in workers {
        worker.await.expect("nobody aborts a worker");
    }
    let counted = views.get();
    assert!(
        counted == VISITS,
        "lost update: {VISITS} visits counted as {counted}"
    );
}
