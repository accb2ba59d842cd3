//! `simloop::net`: delivery, latency, loss, errors, partitions, crashes, connections.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use simloop::net::{self, Client, Connection, NetError, Request, Response};
use simloop::sim::{Latency, Rate, WorldConfig};
use simloop::task::spawn;
use simloop::time::{now, sleep};
use simloop::{Config, Sim, Strategy, TraceLevel};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn sim(world: WorldConfig) -> Sim {
    Sim::new(Config::default().with_seed(11).with_world(world))
}

fn echo(host: &str) {
    net::serve(host, |request: Request| async move {
        Response::ok(request.body)
    })
    .unwrap();
}

// Goal: a request across a partition times out exactly at its deadline; healing lets the next through.
#[test]
fn partition_times_out_at_the_deadline_and_heal_restores() {
    let run = sim(WorldConfig::default()).run(async {
        echo("db");
        let client = Client::new("app").with_timeout(Duration::from_secs(3));
        client.get("db", "/warm").await.unwrap();
        net::partition("app", "db").unwrap();
        let start = now();
        let err = client.get("db", "/cut").await.unwrap_err();
        assert_eq!(
            err,
            NetError::Timeout {
                host: "db".into(),
                after: Duration::from_secs(3)
            }
        );
        assert_eq!(now() - start, Duration::from_secs(3));
        net::heal("app", "db").unwrap();
        let reply = client
            .request("db", Request::post("/", "back"))
            .await
            .unwrap();
        assert_eq!(reply.text(), Some("back"));
    });
    run.result.unwrap();
}

// Goal: a request already in flight when the partition starts is held back, as TCP holds
// bytes: the client times out at its deadline, and the request reaches the server once the
// link heals (its reply then has nobody to go to).
#[test]
fn a_partition_holds_a_request_in_flight_until_it_heals() {
    let world = WorldConfig::default().with_latency(Latency::Fixed(ms(10)));
    let run = sim(world).run(async {
        let handled = Rc::new(Cell::new(0));
        let count = Rc::clone(&handled);
        net::serve("db", move |_: Request| {
            count.set(count.get() + 1);
            async { Response::ok("") }
        })
        .unwrap();
        let client = Client::new("app").with_timeout(Duration::from_secs(1));
        let conn = client.connect("db").await.unwrap();
        let start = now();
        let in_flight = spawn(async move { (conn.request(Request::get("/")).await, conn) });
        sleep(ms(5)).await;
        net::partition("app", "db").unwrap();
        let (reply, conn) = in_flight.await.unwrap();
        assert!(matches!(reply, Err(NetError::Timeout { .. })), "{reply:?}");
        assert_eq!(now() - start, Duration::from_secs(1));
        assert!(
            conn.is_closed(),
            "a request abandoned half way closes its connection"
        );
        assert_eq!(handled.get(), 0);
        net::heal("app", "db").unwrap();
        sleep(ms(1)).await;
        assert_eq!(handled.get(), 1, "the held request arrives after the heal");
        assert_eq!(
            conn.request(Request::get("/")).await,
            Err(NetError::Closed { host: "db".into() })
        );
    });
    run.result.unwrap();
}

// Goal: loss no longer drops a request: each lost segment arrives one retransmission timeout
// later (200 ms + the round trip, doubling per consecutive loss of the same segment), and the
// injected 503s come at the configured rate without reaching the handler.
#[test]
fn loss_delays_by_retransmission_and_errors_come_at_their_rate() {
    const REQUESTS: u32 = 10_000;
    let world = WorldConfig::default()
        .with_latency(Latency::Fixed(ms(10)))
        .with_segmentation(false)
        .with_loss(Rate::fixed(0.1))
        .with_errors(Rate::fixed(0.05));
    let run = sim(world).run(async {
        let handled = Rc::new(Cell::new(0u32));
        let count = Rc::clone(&handled);
        net::serve("api", move |_: Request| {
            count.set(count.get() + 1);
            async { Response::ok("") }
        })
        .unwrap();
        let client = Client::new("app").with_timeout(Duration::from_secs(60));
        let (mut delayed, mut errors, mut extra) = (0u32, 0u32, Duration::ZERO);
        for _ in 0..REQUESTS {
            let start = now();
            let reply = client.get("api", "/").await.unwrap();
            if reply.status == Response::INJECTED_ERROR {
                errors += 1;
            } else {
                assert_eq!(reply.status, 200);
            }
            // Two round trips of 20 ms (the handshake, then request and reply), plus whole
            // retransmission timeouts of 220 ms for each lost segment.
            let late = now() - start - ms(40);
            assert_eq!(late.as_nanos() % ms(220).as_nanos(), 0, "{late:?}");
            if late > Duration::ZERO {
                delayed += 1;
            }
            extra += late;
        }
        (delayed, errors, extra / REQUESTS, handled.get())
    });
    let (delayed, errors, extra, handled) = run.result.unwrap();
    let delayed_rate = f64::from(delayed) / f64::from(REQUESTS);
    let error_rate = f64::from(errors) / f64::from(REQUESTS);
    // A request and its reply are a segment each: one or both lost with 1 - 0.9^2 = 0.19.
    // A segment waits 220 ms * (2^k - 1) after k consecutive losses: on average
    // 220 ms * (2p / (1 - 2p) - p / (1 - p)) = 30.6 ms at p = 0.1, so 61.1 ms a request.
    println!(
        "delayed {delayed_rate:.4} (expected 0.19), mean extra {extra:?} (expected 61.1ms), \
         errors {error_rate:.4} (configured 0.05)"
    );
    assert!(
        (delayed_rate - 0.19).abs() < 0.015,
        "delayed {delayed_rate}"
    );
    assert!((ms(56)..=ms(66)).contains(&extra), "{extra:?}");
    assert!((error_rate - 0.05).abs() < 0.01, "errors {error_rate}");
    assert_eq!(
        handled,
        REQUESTS - errors,
        "every request arrives; 503s skip the handler"
    );
}

// Goal: a frame that does not parse closes that connection (no panic, no hang) and the server
// goes on serving others.
#[test]
fn a_malformed_frame_closes_its_connection_only() {
    use simloop::net::{TcpStream, MESSAGE_PORT};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let run = sim(WorldConfig::default()).run(async {
        echo("api");
        let mut rogue = TcpStream::connect(("api", MESSAGE_PORT)).await.unwrap();
        let mut garbage = vec![0xEE; 18];
        garbage[1] = 0; // flags fine, method byte 0xEE is not
        rogue.write_all(&garbage).await.unwrap();
        let mut rest = Vec::new();
        assert_eq!(rogue.read_to_end(&mut rest).await.unwrap(), 0, "EOF");
        let mut huge = TcpStream::connect(("api", MESSAGE_PORT)).await.unwrap();
        let mut header = vec![0; 18];
        header[14..18].copy_from_slice(&u32::MAX.to_be_bytes()); // a 4 GiB body
        huge.write_all(&header).await.unwrap();
        assert_eq!(huge.read_to_end(&mut rest).await.unwrap(), 0, "EOF");
        let reply = Client::new("app")
            .request("api", Request::post("/", "still up"))
            .await
            .unwrap();
        assert_eq!(reply.text(), Some("still up"));
    });
    run.result.unwrap();
}

// Goal: requests take two round trips (the TCP handshake, then request and reply) whose legs
// follow the link's latency distribution, and a per-link latency overrides it.
#[test]
fn latencies_follow_their_distribution() {
    // Segmentation off: a frame is one segment, so each leg is one draw (with it on, a frame's
    // last piece is the latest of several draws).
    let world = WorldConfig::default()
        .with_segmentation(false)
        .with_latency(Latency::Exponential {
            mean: ms(10),
            max: Duration::from_secs(1),
        });
    let run = sim(world).run(async {
        echo("db");
        echo("far");
        let client = Client::new("app");
        let mut total = Duration::ZERO;
        for _ in 0..5_000 {
            let start = now();
            client.get("db", "/").await.unwrap();
            total += now() - start;
        }
        net::set_latency(
            "app",
            "far",
            Latency::Uniform {
                min: ms(40),
                max: ms(60),
            },
        )
        .unwrap();
        for _ in 0..200 {
            let start = now();
            client.get("far", "/").await.unwrap();
            let round_trip = now() - start;
            assert!((ms(160)..=ms(240)).contains(&round_trip), "{round_trip:?}");
        }
        total / 5_000
    });
    let mean = run.result.unwrap();
    println!("mean request {mean:?} (four legs of mean 10ms)");
    assert!((ms(38)..=ms(42)).contains(&mean), "{mean:?}");
}

// Goal: user code drawing random numbers does not change the network's latencies.
#[test]
fn user_randomness_does_not_move_latencies() {
    let round_trips = |draw: bool| {
        sim(WorldConfig::default()).run(async move {
            echo("db");
            let client = Client::new("app");
            let mut times = Vec::new();
            for _ in 0..50 {
                if draw {
                    let _: u64 = simloop::random::random();
                }
                let start = now();
                client.get("db", "/").await.unwrap();
                times.push(now() - start);
            }
            times
        })
    };
    let quiet = round_trips(false).result.unwrap();
    assert_eq!(quiet, round_trips(true).result.unwrap());
    assert!(
        quiet.windows(2).any(|pair| pair[0] != pair[1]),
        "latencies vary"
    );
}

// Goal: a crash aborts the host's handler tasks, resets the connections of requests it was
// handling (the client learns at once), loses its server, and restart needs serve again.
#[test]
fn crash_aborts_handlers_and_restart_starts_empty() {
    let run = sim(WorldConfig::default()).run(async {
        let dropped = Rc::new(Cell::new(false));
        let flag = Rc::clone(&dropped);
        net::serve("db", move |_: Request| {
            let guard = Guard(Rc::clone(&flag));
            async move {
                sleep(Duration::from_secs(10)).await;
                drop(guard);
                Response::ok("")
            }
        })
        .unwrap();
        let client = Client::new("app").with_timeout(Duration::from_secs(1));
        let pending = spawn({
            let client = client.clone();
            async move { client.get("db", "/slow").await }
        });
        sleep(ms(100)).await;
        net::crash("db").unwrap();
        let crashed = now();
        assert_eq!(
            pending.await.unwrap(),
            Err(NetError::Reset { host: "db".into() })
        );
        assert_eq!(now(), crashed, "a reset arrives with the crash");
        assert!(dropped.get(), "the handler was dropped, not finished");
        net::restart("db").unwrap();
        assert_eq!(
            client.get("db", "/").await,
            Err(NetError::Refused { host: "db".into() })
        );
        echo("db");
        assert!(client.get("db", "/").await.is_ok());
    });
    run.result.unwrap();
}

struct Guard(Rc<Cell<bool>>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

// Goal: bad input gives error values: unknown hosts, a down sender, a closed connection, a second server.
#[test]
fn bad_input_gives_error_values() {
    let run = sim(WorldConfig::default()).run(async {
        let client = Client::new("app");
        let unknown = NetError::UnknownHost {
            host: "ghost".into(),
        };
        assert_eq!(client.get("ghost", "/").await, Err(unknown.clone()));
        assert_eq!(client.connect("ghost").await.unwrap_err(), unknown);
        assert_eq!(net::crash("ghost"), Err(unknown.clone()));
        assert_eq!(net::partition("app", "ghost"), Err(unknown));
        assert_eq!(
            now(),
            simloop::time::Instant::START,
            "failing fast takes no time"
        );
        echo("db");
        assert!(net::serve("db", |_: Request| async { Response::ok("") }).is_err());
        let conn = client.connect("db").await.unwrap();
        conn.close();
        let closed = conn.request(Request::get("/")).await.unwrap_err();
        assert_eq!(closed, NetError::Closed { host: "db".into() });
        net::crash("app").unwrap();
        let down = client.get("db", "/").await.unwrap_err();
        assert_eq!(down, NetError::HostDown { host: "app".into() });
        assert_eq!(down.to_string(), "host `app` is down");
    });
    run.result.unwrap();
}

// Goal: requests pipelined on one connection reach the server in the order they were sent.
#[test]
fn a_connection_delivers_in_order() {
    let world = WorldConfig::default().with_latency(Latency::Uniform {
        min: ms(1),
        max: ms(50),
    });
    for seed in 0..20 {
        let config = Config::default().with_seed(seed).with_world(world.clone());
        let run = Sim::new(config).run(async {
            let arrived = Rc::new(RefCell::new(Vec::new()));
            let log = Rc::clone(&arrived);
            net::serve("db", move |request: Request| {
                log.borrow_mut().push(request.text().unwrap().to_owned());
                async { Response::ok("") }
            })
            .unwrap();
            let conn: Rc<Connection> = Rc::new(Client::new("app").connect("db").await.unwrap());
            let sent = Rc::new(RefCell::new(Vec::new()));
            let mut handles = Vec::new();
            for index in 0..10 {
                let (conn, sent) = (Rc::clone(&conn), Rc::clone(&sent));
                handles.push(spawn(async move {
                    sent.borrow_mut().push(index.to_string());
                    conn.request(Request::post("/", index.to_string())).await
                }));
            }
            for handle in handles {
                handle.await.unwrap().unwrap();
            }
            assert_eq!(*arrived.borrow(), *sent.borrow());
        });
        run.result.unwrap();
    }
}

// Goal: injected resets close the connection; the next request on it fails with Closed.
#[test]
fn injected_resets_close_the_connection() {
    let world = WorldConfig::default().with_resets(Rate::fixed(0.2));
    let run = sim(world).run(async {
        echo("db");
        let client = Client::new("app");
        let mut resets = 0;
        for _ in 0..1_000 {
            let conn = client.connect("db").await.unwrap();
            if let Err(err) = conn.request(Request::get("/")).await {
                assert_eq!(err, NetError::Reset { host: "db".into() });
                assert!(conn.is_closed());
                let again = conn.request(Request::get("/")).await.unwrap_err();
                assert_eq!(again, NetError::Closed { host: "db".into() });
                resets += 1;
            }
        }
        assert_eq!(net::open_connections(), 0);
        resets
    });
    let resets = run.result.unwrap();
    assert!((170..=230).contains(&resets), "{resets} resets of 1000");
}

// Goal: each request is handled in a task named after the server's host, visible in the trace.
#[test]
fn handler_tasks_are_named_after_the_host() {
    let config = Config::default()
        .with_strategy(Strategy::Fifo)
        .with_trace(TraceLevel::Full);
    let run = Sim::new(config).run(async {
        echo("db");
        Client::new("app").get("db", "/users").await.unwrap();
    });
    run.result.unwrap();
    let text = run.trace.text();
    assert!(
        text.contains("main          net(app->db).send GET /users"),
        "{text}"
    );
    assert!(text.contains("spawn db (#1)"), "{text}");
    assert!(
        text.contains("db            net(db->app).reply 200"),
        "{text}"
    );
}

// Goal: spawn_on ties a task to a host: a crash aborts it, a down host refuses new ones.
#[test]
fn tasks_spawned_on_a_host_die_with_it() {
    let run = sim(WorldConfig::default()).run(async {
        let ticks = Rc::new(Cell::new(0));
        let counter = Rc::clone(&ticks);
        let ticker = net::spawn_on("db", async move {
            loop {
                sleep(Duration::from_secs(1)).await;
                counter.set(counter.get() + 1);
            }
        })
        .unwrap();
        sleep(ms(3_500)).await;
        net::crash("db").unwrap();
        assert!(ticker.await.is_err());
        assert_eq!(ticks.get(), 3);
        let refused = net::spawn_on("db", async {}).unwrap_err();
        assert_eq!(refused, NetError::HostDown { host: "db".into() });
    });
    run.result.unwrap();
}

// Goal: the message layer and the sockets share one port space, and a connect nobody answers
// gives up after Linux's 127 s of SYNs when the client's timeout is longer (aiohttp's 300 s).
#[test]
fn serve_owns_port_80_and_unanswered_connects_give_up_at_127_s() {
    use simloop::net::{TcpListener, MESSAGE_PORT};
    let run = sim(WorldConfig::default()).run(async {
        let _holder = TcpListener::bind(("web", MESSAGE_PORT)).await.unwrap();
        assert_eq!(
            net::serve("web", |_: Request| async { Response::ok("") }),
            Err(NetError::AddrInUse { host: "web".into() })
        );
        echo("db");
        net::crash("db").unwrap();
        let client = Client::new("app");
        assert_eq!(client.timeout(), Duration::from_secs(300));
        let start = now();
        let err = client.get("db", "/").await.unwrap_err();
        let waited = now() - start;
        assert_eq!(
            err,
            NetError::Timeout {
                host: "db".into(),
                after: waited
            }
        );
        assert!(
            (Duration::from_secs(127)..Duration::from_millis(127_100)).contains(&waited),
            "{waited:?}"
        );
    });
    run.result.unwrap();
}
