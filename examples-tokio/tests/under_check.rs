//! The service in `src/`, unchanged tokio code, under `simloop::check`: the server on host
//! `api` (started with `simloop::net::spawn_on`, as its `main` would start), the client on the
//! default host, every segment taking exactly 5 ms; each test sweeps check's default number of
//! seeds and schedules.

use std::error::Error;
use std::io::ErrorKind;
use std::time::Duration;

use simloop::net::{self, spawn_on, DEFAULT_HOST};
use simloop::sim::{Latency, WorldConfig};
use simloop::task::spawn;
use simloop::time::{now, sleep};
use simloop::{check_with, Config};
use simloop_tokio_example::{get, run, FetchError, SLOW};

/// Every segment's one-way latency.
const LINK: Duration = Duration::from_millis(5);
/// The client's deadline.
const LIMIT: Duration = Duration::from_secs(1);

fn config() -> Config {
    Config::default().with_world(WorldConfig::default().with_latency(Latency::Fixed(LINK)))
}

/// Starts the service on host `api`, port 80, bound to all addresses as in production.
fn start_server() {
    spawn_on("api", async {
        run("0.0.0.0:80").await.unwrap();
    })
    .unwrap()
    .detach();
}

// Goal: a GET through hyper over the facade's sockets succeeds, with exact virtual timing: the
// connect's round trip (2 x 5 ms), the request (5 ms), the handler, the response (5 ms). The
// determinism check runs each seed twice and compares the traces.
#[test]
fn a_get_succeeds_with_exact_virtual_timing() {
    check_with(config().with_check_determinism(true), || async {
        start_server();
        let start = now();
        let page = get("api:80", "/hello", LIMIT).await.unwrap();
        assert_eq!((page.status.as_u16(), page.body.as_str()), (200, "hello"));
        assert_eq!(now() - start, 4 * LINK);

        let start = now();
        let page = get("api:80", "/slow", LIMIT).await.unwrap();
        assert_eq!(page.body, "slow");
        assert_eq!(now() - start, 4 * LINK + SLOW);

        let page = get(("api", 80), "/missing", LIMIT).await.unwrap();
        assert_eq!(page.status.as_u16(), 404);
    });
}

// Goal: a partition mid-request holds the response back; the client's `tokio::time::timeout`
// fires exactly at its deadline, on the virtual clock. After healing, requests succeed again.
#[test]
fn a_partition_makes_the_client_timeout_fire_exactly_on_time() {
    check_with(config(), || async {
        start_server();
        let start = now();
        spawn(async {
            sleep(Duration::from_millis(50)).await; // the request is in the handler
            net::partition(DEFAULT_HOST, "api").unwrap();
        })
        .detach();
        let err = get("api:80", "/slow", LIMIT).await.unwrap_err();
        assert!(
            matches!(err, FetchError::Timeout(limit) if limit == LIMIT),
            "{err}"
        );
        assert_eq!(now() - start, LIMIT);

        // Before the connection: its SYNs go unanswered, the same deadline fires.
        let start = now();
        let err = get("api:80", "/hello", LIMIT).await.unwrap_err();
        assert!(matches!(err, FetchError::Timeout(_)), "{err}");
        assert_eq!(now() - start, LIMIT);

        net::heal(DEFAULT_HOST, "api").unwrap();
        let start = now();
        assert_eq!(get("api:80", "/hello", LIMIT).await.unwrap().body, "hello");
        assert_eq!(now() - start, 4 * LINK);
    });
}

// Goal: a server crash mid-request resets the connection: the client gets an error at the
// instant of the crash (a `ConnectionReset` under hyper's error), not a hang until its
// deadline. A restarted server serves again.
#[test]
fn a_server_crash_mid_request_fails_the_client_at_once() {
    check_with(config(), || async {
        start_server();
        let start = now();
        let crash_at = Duration::from_millis(50);
        spawn(async move {
            sleep(crash_at).await; // the request is in the handler
            net::crash("api").unwrap();
        })
        .detach();
        let err = get("api:80", "/slow", LIMIT).await.unwrap_err();
        let FetchError::Http(http) = &err else {
            panic!("expected an HTTP error, got {err}");
        };
        let io = http
            .source()
            .and_then(|source| source.downcast_ref::<std::io::Error>())
            .unwrap_or_else(|| panic!("expected an I/O cause: {http:?}"));
        assert_eq!(io.kind(), ErrorKind::ConnectionReset, "{io}");
        assert_eq!(now() - start, crash_at);

        net::restart("api").unwrap();
        start_server();
        assert_eq!(get("api:80", "/hello", LIMIT).await.unwrap().body, "hello");
    });
}
