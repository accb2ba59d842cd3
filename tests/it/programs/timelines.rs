//! Under Fifo each program prints exactly what CPython prints, at ASYNCIO.md §2's virtual times.

use std::time::Duration;

use simloop::net::Response;
use simloop::sim::WorldConfig;
use simloop::Strategy;

use super::guide::{self as programs, Ending, FileCase};
use super::{assert_lines, fifo_in};

const FETCH_ONE: &str = "Data one: {'input': 1, 'start_time': '0.000s', 'end_time': '3.000s'}";

/// The example's output under Fifo, seed 0: what docs/tour-output.txt shows.
fn played(name: &str) -> String {
    let program = programs::PROGRAMS
        .iter()
        .find(|program| program.name == name)
        .expect("a program of that name");
    let config = simloop::Config::default().with_strategy(Strategy::Fifo);
    let played = (program.play)(&config);
    assert!(played.ok, "{}", played.text);
    played.text
}

// Goal: sequential fetches: "Fetching" at 0, "retrieved" at 3, "Fetching" at 3, "retrieved" at 6.
#[test]
fn fetch_sequential_ends_at_six() {
    let run = fifo_in(WorldConfig::default()).run(programs::fetch_sequential());
    assert_lines(
        &run,
        &[
            ("0.000s", "main", "Fetching data..."),
            ("3.000s", "main", "Data retrieved."),
            ("3.000s", "main", "Fetching data..."),
            ("6.000s", "main", "Data retrieved."),
            ("6.000s", "main", FETCH_ONE),
            (
                "6.000s",
                "main",
                "Data two: {'input': 2, 'start_time': '3.000s', 'end_time': '6.000s'}",
            ),
        ],
    );
    assert_eq!(run.elapsed, Duration::from_secs(6));
    crate::assert_snapshot!("program_fetch_sequential", played("fetch_sequential"));
}

// Goal: two tasks start at 0 in creation order, after main suspends, and both end at 3.
#[test]
fn fetch_concurrent_ends_at_three() {
    let run = fifo_in(WorldConfig::default()).run(programs::fetch_concurrent());
    assert_lines(
        &run,
        &[
            ("0.000s", "fetch-1", "Fetching data..."),
            ("0.000s", "fetch-2", "Fetching data..."),
            ("3.000s", "fetch-1", "Data retrieved."),
            ("3.000s", "fetch-2", "Data retrieved."),
            ("3.000s", "main", FETCH_ONE),
            (
                "3.000s",
                "main",
                "Data two: {'input': 2, 'start_time': '0.000s', 'end_time': '3.000s'}",
            ),
        ],
    );
    assert_eq!(run.elapsed, Duration::from_secs(3));
    crate::assert_snapshot!("program_fetch_concurrent", played("fetch_concurrent"));
}

// Goal: gather starts its three tasks at 0 in argument order and returns in argument order at 3.
#[test]
fn gather_returns_in_argument_order_at_three() {
    let run = fifo_in(WorldConfig::default()).run(programs::gather_fetches());
    let data = |i: u32| {
        format!("Data {i}: {{'input': {i}, 'start_time': '0.000s', 'end_time': '3.000s'}}")
    };
    let data: Vec<String> = (1..=3).map(data).collect();
    assert_lines(
        &run,
        &[
            ("0.000s", "task-1", "Fetching data..."),
            ("0.000s", "task-2", "Fetching data..."),
            ("0.000s", "task-3", "Fetching data..."),
            ("3.000s", "task-1", "Data retrieved."),
            ("3.000s", "task-2", "Data retrieved."),
            ("3.000s", "task-3", "Data retrieved."),
            ("3.000s", "main", &data[0]),
            ("3.000s", "main", &data[1]),
            ("3.000s", "main", &data[2]),
        ],
    );
    let inputs: Vec<u32> = run.result.unwrap().iter().map(|f| f.input).collect();
    assert_eq!(inputs, [1, 2, 3]);
    crate::assert_snapshot!("program_gather", played("gather"));
}

const CAUGHT: &str = "Caught an exception: Simulated error for input 2";

// Goal: 1 starts, 2 fails, 3 starts, the caller has the error at 0; returning at once leaks 1 and 3.
#[test]
fn gather_error_reaches_the_caller_at_zero_and_leaves_the_others() {
    let run = fifo_in(WorldConfig::default()).run(programs::gather_error(false));
    assert_lines(
        &run,
        &[
            ("0.000s", "task-1", "Fetching data for input 1..."),
            ("0.000s", "task-2", "Fetching data for input 2..."),
            ("0.000s", "task-3", "Fetching data for input 3..."),
            ("0.000s", "main", CAUGHT),
        ],
    );
    assert_eq!(run.elapsed, Duration::ZERO);
    let leaked: Vec<u32> = run.leaked.iter().map(|task| task.id.as_u32()).collect();
    assert_eq!(leaked, [1, 3], "gather did not cancel inputs 1 and 3");
    crate::assert_snapshot!("program_gather_error", played("gather_error"));
}

// Goal: when main keeps running, gather's other inputs were not cancelled and finish at t=2.
#[test]
fn gather_error_survivors_finish_at_two() {
    let run = fifo_in(WorldConfig::default()).run(programs::gather_error(true));
    let finished =
        |i: u32| format!("Finished input {i}; gather already returned, so its result is dropped");
    let (one, three) = (finished(1), finished(3));
    assert_lines(
        &run,
        &[
            ("0.000s", "task-1", "Fetching data for input 1..."),
            ("0.000s", "task-2", "Fetching data for input 2..."),
            ("0.000s", "task-3", "Fetching data for input 3..."),
            ("0.000s", "main", CAUGHT),
            ("2.000s", "task-1", &one),
            ("2.000s", "task-3", &three),
            ("3.000s", "main", "main returns"),
        ],
    );
    assert!(run.leaked.is_empty());
}

// Goal: the file is read inside the `async with` equivalent and closed on every path.
#[test]
fn async_file_closes_the_handle_on_every_path() {
    let outcome = |case| fifo_in(programs::file_world(case)).run(programs::async_file(case));
    let read = outcome(FileCase::Read);
    assert_lines(
        &read,
        &[
            ("0.008s", "main", "wrote example.txt"),
            ("0.016s", "main", programs::EXAMPLE_TXT),
            ("0.016s", "main", "open handles: 0"),
        ],
    );
    let failed = outcome(FileCase::ReadError).unwrap();
    assert_eq!(
        failed.read,
        Err("example.txt: injected I/O error on read".into())
    );
    assert_eq!(failed.open_handles, 0);
    let aborted = outcome(FileCase::AbortMidRead);
    assert_lines(
        &aborted,
        &[
            ("0.008s", "main", "wrote example.txt"),
            (
                "0.014s",
                "main",
                "abort the reader mid-read; open handles: 1",
            ),
            (
                "0.014s",
                "main",
                "read_file failed: the reader task was cancelled",
            ),
            ("0.014s", "main", "open handles: 0"),
        ],
    );
    crate::assert_snapshot!("program_async_file", played("async_file"));
}

// Goal: the async stream yields 0..5 one second apart, consumed with StreamExt::next.
#[test]
fn async_generator_yields_one_a_second() {
    let run = fifo_in(WorldConfig::default()).run(programs::async_for());
    let expected: Vec<(String, String)> = (0..5)
        .map(|i| (format!("{}.000s", i + 1), format!("Received number: {i}")))
        .collect();
    let expected: Vec<(&str, &str, &str)> = expected
        .iter()
        .map(|(time, text)| (time.as_str(), "main", text.as_str()))
        .collect();
    assert_lines(&run, &expected);
    assert_eq!(run.result.unwrap(), [0, 1, 2, 3, 4]);
    crate::assert_snapshot!("program_async_generator", played("async_generator"));
}

// Goal: the aiohttp program fetches the page, then ten in four rounds of three. Each GET opens
// a TCP connection (the handshake's round trip), then sends and reads (the exchange's).
#[test]
fn http_fetch_gets_the_page_then_ten_in_rounds() {
    let run = fifo_in(programs::http_world()).run(programs::http_fetch());
    let outcome = run.result.as_ref().unwrap();
    let round_trip = outcome.latency * 4;
    // Seed 0 draws an injected 503 for the first request; an error takes the same two trips.
    assert_eq!(
        outcome.page,
        Err(programs::HttpError::Status(Response::INJECTED_ERROR))
    );
    assert_eq!(outcome.peak, 3);
    assert_eq!(outcome.limited_took, round_trip * 4);
    assert_eq!(run.elapsed, round_trip * 5);
    crate::assert_snapshot!("program_http_fetch", played("http_fetch"));
}

// Goal: the aiohttp program on hyper over simulated TCP keeps its timeline, plus what real
// HTTP adds: each GET on a fresh connection takes the connect's round trip, the request's and
// the response's one-way trips and the handler's delay; the ten take four such rounds.
#[test]
fn hyper_fetch_gets_the_page_then_ten_in_rounds() {
    let run = fifo_in(programs::hyper_world()).run(programs::hyper_fetch());
    let outcome = run.result.as_ref().unwrap();
    let get = programs::LINK_LATENCY * 4 + programs::HANDLER_DELAY;
    assert_eq!(get, Duration::from_millis(140));
    assert_eq!(outcome.page.as_deref(), Ok(programs::API_PAGE));
    assert_eq!(outcome.single_took, get);
    assert!(outcome.results.iter().all(Result::is_ok));
    assert_eq!(outcome.peak, 3);
    assert_eq!(outcome.limited_took, get * 4);
    assert_eq!(run.elapsed, get * 5);
    // Request i runs in the gather's task i + 5 and returns in round i / 3.
    let rounds = ["0.280s", "0.420s", "0.560s", "0.700s"];
    let tasks: Vec<String> = (5..15).map(|n| format!("task-{n}")).collect();
    let fetched = |i: u32| format!("request {i}: fetched content of length 55");
    let fetched: Vec<String> = (0..10).map(fetched).collect();
    let mut expected = vec![("0.140s", "app", programs::API_PAGE)];
    for (i, line) in fetched.iter().enumerate() {
        expected.push((rounds[i / 3], tasks[i].as_str(), line.as_str()));
    }
    let summary = "10 of 10 pages fetched, at most 3 requests in flight at once";
    expected.push(("0.700s", "app", summary));
    assert_lines(&run, &expected);
    crate::assert_snapshot!("program_hyper_fetch", played("hyper_fetch"));
}

// Goal: the asyncpg program lists the users; the crash resets the connection mid-query and the
// reset reaches the caller at the crash instant (14 ms); the retry ends 9 ms later.
#[test]
fn db_query_reports_the_dropped_connection() {
    let run = fifo_in(programs::db_world()).run(programs::db_query());
    let outcomes = run.result.as_ref().unwrap();
    assert_eq!(outcomes[0].as_ref().map(Vec::len), Ok(3));
    assert_eq!(
        outcomes[1],
        Err(simloop::net::NetError::Reset { host: "db".into() })
    );
    assert_eq!(outcomes[2].as_ref().map(Vec::len), Ok(3));
    // A fetch: the handshake (2 ms), the query's trip (1 ms), the query (5 ms), the reply (1 ms).
    assert_eq!(run.elapsed, programs::CRASH_AT + Duration::from_millis(9));
    crate::assert_snapshot!("program_db_query", played("db_query"));
}

// Goal: producer/consumer prints ASYNCIO.md §2's timeline, in both versions, and ends at t=10.
#[test]
fn producer_consumer_matches_the_documented_timeline() {
    let timeline = |last_producer: &'static str, last_consumer: &'static str| {
        vec![
            ("0.000s", "producer", "Produced item-0"),
            ("0.000s", "consumer", "Consumed item-0"),
            ("1.000s", "producer", "Produced item-1"),
            ("2.000s", "consumer", "Consumed item-1"), // the consumer's timer was set first
            ("2.000s", "producer", "Produced item-2"),
            ("3.000s", "producer", "Produced item-3"),
            ("4.000s", "consumer", "Consumed item-2"),
            ("4.000s", "producer", "Produced item-4"),
            ("5.000s", "producer", last_producer),
            ("6.000s", "consumer", "Consumed item-3"),
            ("8.000s", "consumer", "Consumed item-4"),
            ("10.000s", "consumer", last_consumer),
        ]
    };
    let run = fifo_in(WorldConfig::default()).run(programs::producer_consumer(Ending::Sentinel));
    let sentinel = timeline(
        "Produced None, the sentinel",
        "Consumer got the sentinel and exits",
    );
    assert_lines(&run, &sentinel);
    assert_eq!(run.elapsed, Duration::from_secs(10));
    let run = fifo_in(WorldConfig::default()).run(programs::producer_consumer(Ending::Shutdown));
    let shutdown = timeline(
        "Queue shut down (2 items still in it)",
        "Queue is shut down and empty: consumer exits",
    );
    assert_lines(&run, &shutdown);
    assert_eq!(run.elapsed, Duration::from_secs(10));
    crate::assert_snapshot!("program_producer_consumer", played("producer_consumer"));
}

// Goal: Semaphore(3) over ten fetches: starts 0-2 @0, 3-5 @L, 6-8 @2L, 9 @3L, all done at 4L.
#[test]
fn semaphore_limit_runs_in_rounds_of_three() {
    let run = fifo_in(WorldConfig::default()).run(programs::semaphore_limit(10));
    let starts: Vec<(String, String, String)> = (0..10)
        .map(|i: u32| {
            let inside = i % 3 + 1;
            (
                format!("{}.000s", i / 3),
                format!("task-{}", i + 1),
                format!("fetch {i} starts, {inside} of 3 inside"),
            )
        })
        .collect();
    let mut expected: Vec<(&str, &str, &str)> = starts
        .iter()
        .map(|(time, task, text)| (time.as_str(), task.as_str(), text.as_str()))
        .collect();
    expected.push((
        "4.000s",
        "main",
        "all 10 done; at most 3 were inside at once",
    ));
    assert_lines(&run, &expected);
    let limited = run.result.unwrap();
    assert_eq!(limited.peak, 3);
    let indexes: Vec<u32> = limited.results.iter().map(|(i, _)| *i).collect();
    assert_eq!(indexes, (0..10).collect::<Vec<_>>());
    crate::assert_snapshot!("program_semaphore_limit", played("semaphore_limit"));
}
