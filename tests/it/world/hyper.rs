//! Real HTTP over simulated TCP: hyper 1.x's HTTP/1 server and client (through hyper-util's
//! `TokioIo`) on `simloop::net`'s streams, with no executor or timer given to hyper.

use std::time::Duration;

use simloop::net::{self, TcpStream};
use simloop::task::spawn;
use simloop::time::{now, sleep, timeout};
use simloop::{Config, Sim, Strategy, TraceLevel};
use simloop_programs::guide::{self as programs, GetError, API, API_PAGE, APP, HANDLER_DELAY};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

// Goal: one GET under Fifo leaves the same trace every time: connect, request, handler,
// response, close, stamped at exact virtual times.
#[test]
fn one_hyper_get_traces_the_same_under_fifo() {
    let config = Config::default()
        .with_strategy(Strategy::Fifo)
        .with_trace(TraceLevel::Full)
        .with_world(programs::hyper_world());
    let one_get = || async {
        let server = programs::serve_api().await;
        let page = net::spawn_on(APP, programs::hyper_get("/")).unwrap().await;
        server.abort();
        page.unwrap().unwrap()
    };
    let run = Sim::new(config.clone()).run(one_get());
    assert_eq!(run.result.as_ref().unwrap(), API_PAGE);
    // Two round trips of 10 ms (connect, then request and response) and the handler's 100 ms.
    assert_eq!(run.elapsed, Duration::from_millis(140));
    let again = Sim::new(config).run(one_get());
    assert_eq!(run.trace.text(), again.trace.text());
    crate::assert_snapshot!("hyper_get_fifo_trace", run.trace.text());
}

// Goal: over the default sweep, a GET whose response is held back by a partition ends at its
// timeout, and a GET whose server crashes mid-handler ends with hyper's error as soon as the
// reset arrives; after healing and restarting, GETs succeed again. Nothing hangs.
#[test]
fn hyper_get_fails_across_a_partition_and_a_crash_without_hanging() {
    simloop::check(|| async {
        programs::serve_api().await.detach();
        let client = net::spawn_on(APP, async {
            assert_eq!(programs::hyper_get("/").await.as_deref(), Ok(API_PAGE));

            // The request reaches the handler within 15 ms (three one-way trips of at most
            // 5 ms); the partition at 50 ms holds the response back: the timeout fires.
            let chaos = spawn(async {
                sleep(Duration::from_millis(50)).await;
                net::partition(APP, API).unwrap();
            });
            let start = now();
            let held = timeout(Duration::from_secs(1), programs::hyper_get("/")).await;
            assert!(held.is_err(), "the response crossed a partition: {held:?}");
            assert_eq!(now() - start, Duration::from_secs(1));
            chaos.await.unwrap();
            net::heal(APP, API).unwrap();

            // The server crashes at 50 ms, inside the handler's 100 ms: the connection is
            // reset, and hyper says so.
            let chaos = spawn(async {
                sleep(Duration::from_millis(50)).await;
                net::crash(API).unwrap();
            });
            let start = now();
            let crashed = timeout(Duration::from_secs(1), programs::hyper_get("/")).await;
            let took = now() - start;
            match crashed {
                Ok(Err(GetError::Http(_))) => {}
                other => panic!("expected hyper's error after the crash, got {other:?}"),
            }
            assert!(
                took < HANDLER_DELAY,
                "the reset reached the client only after {took:?}"
            );
            chaos.await.unwrap();

            net::restart(API).unwrap();
            programs::serve_api().await.detach();
            assert_eq!(programs::hyper_get("/").await.as_deref(), Ok(API_PAGE));
        })
        .unwrap();
        client.await.unwrap();
    });
}

// Goal: hyper's own timer runs on the virtual clock: a client that never finishes its request
// headers is cut off by the server's header read timeout exactly on time, not on the wall clock.
#[test]
fn hyper_header_read_timeout_fires_on_the_virtual_clock() {
    let config = Config::default()
        .with_strategy(Strategy::Fifo)
        .with_world(programs::hyper_world());
    let run = Sim::new(config).run(async {
        let server = programs::serve_api_with(Some(Duration::from_secs(5))).await;
        let client = net::spawn_on(APP, async {
            let mut stream = TcpStream::connect((API, programs::API_PORT)).await.unwrap();
            stream
                .write_all(b"GET / HTTP/1.1\r\nHost: api\r\n")
                .await
                .unwrap();
            let mut rest = Vec::new();
            let read = stream.read_to_end(&mut rest).await;
            (read.map_err(|error| error.kind()), now())
        })
        .unwrap();
        let ended = client.await.unwrap();
        server.abort();
        ended
    });
    let (read, at) = run.result.unwrap();
    // The server accepts at 10 ms (the SYN's trip), its timeout ends at 5.010 s, and the
    // client sees the close one trip later. hyper closes without a response.
    assert_eq!(read, Ok(0));
    assert_eq!(at.since_start(), Duration::from_millis(5020));
}
