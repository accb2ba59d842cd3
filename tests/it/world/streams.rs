//! `simloop::net`'s TCP: in-order exactly-once delivery under seeded segmentation and latency,
//! half-close, resets, partitions, full send buffers, and each error kind.

use std::io::ErrorKind;
use std::time::Duration;

use simloop::net::{self, Client, TcpListener, TcpStream};
use simloop::sim::{Latency, WorldConfig};
use simloop::task::spawn;
use simloop::time::{now, sleep, timeout};
use simloop::{check_with, explore, Config, Failure, Sim};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn sim(world: WorldConfig) -> Sim {
    Sim::new(Config::default().with_seed(5).with_world(world))
}

/// A fixed 1 ms latency, each write arriving whole: timings a test can state exactly.
fn one_ms_whole_writes() -> WorldConfig {
    WorldConfig::default()
        .with_latency(Latency::Fixed(ms(1)))
        .with_segmentation(false)
}

/// A connection from the default host to `db:5432`: the client's end, then the server's.
async fn connected() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("db:5432").await.unwrap();
    let client = TcpStream::connect("db:5432").await.unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (client, server)
}

/// Bytes that say where they are: a lost, repeated or reordered byte shows.
fn pattern(stream: u64, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u64).wrapping_mul(31).wrapping_add(stream * 7) as u8)
        .collect()
}

// Goal: over 1,000 seeds with random segmentation, latency, write sizes and a partition that
// heals, every byte written on every connection arrives exactly once, in order.
#[test]
fn every_byte_arrives_once_in_order_over_a_thousand_seeds() {
    let world = WorldConfig::default().with_latency(Latency::Uniform {
        min: Duration::from_micros(10),
        max: ms(20),
    });
    let config = Config::default().with_iterations(1000).with_world(world);
    check_with(config, || async {
        let listener = TcpListener::bind("db:5432").await.unwrap();
        let server = net::spawn_on("db", async move {
            let mut handlers = Vec::new();
            for stream_id in 0..3u64 {
                let (mut stream, _) = listener.accept().await.unwrap();
                handlers.push(spawn(async move {
                    let mut got = Vec::new();
                    let mut chunk = [0; 700];
                    loop {
                        let n = stream.read(&mut chunk).await.unwrap();
                        if n == 0 {
                            break;
                        }
                        got.extend_from_slice(&chunk[..n]);
                    }
                    // Echo the length back, then close.
                    stream
                        .write_all(&(got.len() as u64).to_be_bytes())
                        .await
                        .unwrap();
                    (stream_id, got)
                }));
            }
            let mut all = Vec::new();
            for handler in handlers {
                all.push(handler.await.unwrap());
            }
            all
        })
        .unwrap();
        // A partition at a random moment for a random while: it delays bytes, never loses,
        // repeats or reorders them.
        let chaos = spawn(async {
            sleep(Duration::from_micros(simloop::random::random_range(
                0..50_000,
            )))
            .await;
            net::partition(net::DEFAULT_HOST, "db").unwrap();
            sleep(Duration::from_micros(simloop::random::random_range(
                0..50_000,
            )))
            .await;
            net::heal(net::DEFAULT_HOST, "db").unwrap();
        });
        let mut clients = Vec::new();
        for stream_id in 0..3u64 {
            clients.push(spawn(async move {
                let mut stream = TcpStream::connect("db:5432").await.unwrap();
                let size = simloop::random::random_range(1..20_000usize);
                let data = pattern(stream_id, size);
                let mut at = 0;
                while at < data.len() {
                    let step = simloop::random::random_range(1..3_000usize).min(data.len() - at);
                    stream.write_all(&data[at..at + step]).await.unwrap();
                    at += step;
                }
                stream.shutdown().await.unwrap();
                let mut len = [0; 8];
                stream.read_exact(&mut len).await.unwrap();
                assert_eq!(u64::from_be_bytes(len) as usize, size);
                (size, data)
            }));
        }
        let mut sent = Vec::new();
        for client in clients {
            sent.push(client.await.unwrap().1);
        }
        chaos.await.unwrap();
        let mut received = server.await.unwrap();
        // Accept order is the arrival order; match by content length and prefix.
        received.sort_by_key(|(_, got)| got.len());
        sent.sort_by_key(Vec::len);
        for ((_, got), data) in received.iter().zip(&sent) {
            assert_eq!(got, data, "bytes lost, repeated or reordered");
        }
    });
}

// Goal: segmentation makes reads shorter than writes in some seeds (ON by default), and turning
// it off makes each write arrive whole.
#[test]
fn a_read_may_return_less_than_a_write_unless_segmentation_is_off() {
    let shortest_read = |world: WorldConfig| {
        (0..50)
            .map(|seed| {
                let config = Config::default().with_seed(seed).with_world(world.clone());
                Sim::new(config)
                    .run(async {
                        let listener = TcpListener::bind("db:1").await.unwrap();
                        let mut client = TcpStream::connect("db:1").await.unwrap();
                        let (mut server, _) = listener.accept().await.unwrap();
                        client.write_all(&[7; 1000]).await.unwrap();
                        let mut buf = [0; 1000];
                        server.read(&mut buf).await.unwrap()
                    })
                    .unwrap()
            })
            .min()
            .unwrap()
    };
    assert!(shortest_read(WorldConfig::default()) < 1000);
    assert_eq!(
        shortest_read(WorldConfig::default().with_segmentation(false)),
        1000
    );
}

// Goal: a shutdown is a half-close both ways: each side reads EOF after the other's last byte
// and can still write until it shuts down itself.
#[test]
fn half_close_works_both_ways() {
    let run = sim(WorldConfig::default()).run(async {
        let listener = TcpListener::bind("db:5432").await.unwrap();
        let mut client = TcpStream::connect("db:5432").await.unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        client.write_all(b"request").await.unwrap();
        client.shutdown().await.unwrap();
        let err = client.write_all(b"more").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
        let mut got = Vec::new();
        server.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"request");
        assert_eq!(server.read(&mut [0; 8]).await.unwrap(), 0, "EOF stays EOF");
        // The other direction is still open.
        server.write_all(b"reply").await.unwrap();
        server.shutdown().await.unwrap();
        let mut back = Vec::new();
        client.read_to_end(&mut back).await.unwrap();
        assert_eq!(back, b"reply");
    });
    run.result.unwrap();
}

// Goal: a crash of either host resets the connection: the peer's read fails with
// ConnectionReset, and so does its write.
#[test]
fn a_crash_resets_the_peer() {
    for crashed in ["db", "app"] {
        let run = sim(WorldConfig::default()).run(async move {
            let listener = TcpListener::bind("db:5432").await.unwrap();
            let client = net::spawn_on("app", async {
                let mut stream = TcpStream::connect("db:5432").await.unwrap();
                stream.write_all(b"hi").await.unwrap();
                stream
            })
            .unwrap()
            .await
            .unwrap();
            let (server, _) = listener.accept().await.unwrap();
            let (mut survivor, _other) = if crashed == "db" {
                (client, server)
            } else {
                (server, client)
            };
            let reader = spawn(async move {
                let mut buf = [0; 64];
                loop {
                    match survivor.read(&mut buf).await {
                        Ok(0) => panic!("EOF instead of a reset"),
                        Ok(_) => continue,
                        Err(err) => return (err.kind(), survivor),
                    }
                }
            });
            sleep(ms(50)).await;
            net::crash(crashed).unwrap();
            let (kind, mut survivor) = reader.await.unwrap();
            assert_eq!(kind, ErrorKind::ConnectionReset);
            let err = survivor.write_all(b"x").await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        });
        run.result.unwrap();
    }
}

// Goal: across a partition no byte passes, however long; after the heal everything written
// arrives, in order.
#[test]
fn a_partition_passes_no_byte_until_healed() {
    let run = sim(WorldConfig::default()).run(async {
        let listener = TcpListener::bind("db:5432").await.unwrap();
        let mut client = TcpStream::connect("db:5432").await.unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        net::partition(net::DEFAULT_HOST, "db").unwrap();
        client.write_all(b"across").await.unwrap();
        let mut buf = [0; 16];
        let waited = timeout(Duration::from_secs(60), server.read(&mut buf)).await;
        assert!(waited.is_err(), "a byte crossed the partition");
        net::heal(net::DEFAULT_HOST, "db").unwrap();
        let start = now();
        server.read_exact(&mut buf[..6]).await.unwrap();
        assert_eq!(&buf[..6], b"across");
        assert_eq!(now(), start, "arrived bytes are delivered at the heal");
    });
    run.result.unwrap();
}

// Goal: each error kind: refused, unknown host, address in use, write after shutdown, read after
// the peer's shutdown.
#[test]
fn each_error_kind() {
    let run = sim(WorldConfig::default()).run(async {
        Client::new("idle");
        let err = TcpStream::connect("idle:80").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        assert!(err.to_string().contains("idle:80"), "{err}");
        let err = TcpStream::connect("nowhere:80").await.unwrap_err();
        assert!(err.to_string().contains("`nowhere`"), "{err}");
        let _listener = TcpListener::bind("db:5432").await.unwrap();
        let err = TcpListener::bind("db:5432").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
        let err = TcpListener::bind("db:nope").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    });
    run.result.unwrap();
}

// Goal: dropping a stream is seen by the peer: it reads EOF and its writes fail with BrokenPipe.
#[test]
fn a_dropped_stream_gives_eof_and_broken_pipe() {
    let run = sim(WorldConfig::default()).run(async {
        let listener = TcpListener::bind("db:5432").await.unwrap();
        let client = TcpStream::connect("db:5432").await.unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        drop(client);
        assert_eq!(server.read(&mut [0; 4]).await.unwrap(), 0);
        let err = server.write_all(b"late").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
    });
    run.result.unwrap();
}

// Goal: two peers that both write more than the send buffer before reading deadlock, and the
// report says a task waits on a full send buffer.
#[test]
fn writers_that_never_read_deadlock_on_full_send_buffers() {
    let world = WorldConfig::default().with_send_buffer(1024);
    let config = Config::default().with_iterations(1).with_world(world);
    let report = explore(config, || async {
        let listener = TcpListener::bind("db:5432").await.unwrap();
        let peer = spawn(async move {
            let (mut server, _) = listener.accept().await.unwrap();
            server.write_all(&[1; 4096]).await.unwrap();
        });
        let mut client = TcpStream::connect("db:5432").await.unwrap();
        client.write_all(&[2; 4096]).await.unwrap();
        peer.await.unwrap();
    });
    let failure = report.failure.expect("the deadlock is found");
    assert!(matches!(failure, Failure::Deadlock { .. }), "{failure}");
    let text = failure.to_string();
    assert!(text.contains("a full send buffer"), "{text}");
    assert!(
        text.contains("tcp: 1 connections"),
        "the world section counts it: {text}"
    );
}

// Goal: a connect across a partition retries its SYN as Linux does: it connects once the link
// heals, and fails with TimedOut 127 s after it began if it never does.
#[test]
fn a_connect_across_a_partition_retries_then_times_out() {
    let run = sim(WorldConfig::default()).run(async {
        let _listener = TcpListener::bind("db:5432").await.unwrap();
        Client::new(net::DEFAULT_HOST);
        net::partition(net::DEFAULT_HOST, "db").unwrap();
        let start = now();
        let err = TcpStream::connect("db:5432").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert_eq!(now() - start, Duration::from_secs(127));
        let healer = spawn(async {
            sleep(Duration::from_secs(10)).await;
            net::heal_all();
        });
        let start = now();
        TcpStream::connect("db:5432").await.unwrap();
        // SYNs at 0, 1, 3, 7 and 15 s: the fifth one, after the heal, gets through.
        assert!(
            now() - start > Duration::from_secs(15),
            "{:?}",
            now() - start
        );
        assert!(
            now() - start < Duration::from_secs(16),
            "{:?}",
            now() - start
        );
        healer.await.unwrap();
    });
    run.result.unwrap();
}

// Goal: a listener on a crashed host is closed, its port free again after the restart.
#[test]
fn a_crash_closes_listeners_and_frees_their_ports() {
    let run = sim(WorldConfig::default()).run(async {
        let listener = TcpListener::bind("db:5432").await.unwrap();
        net::crash("db").unwrap();
        let err = listener.accept().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionAborted);
        assert_eq!(
            TcpListener::bind("db:5432").await.unwrap_err().kind(),
            ErrorKind::NetworkDown
        );
        net::restart("db").unwrap();
        let _again = TcpListener::bind("db:5432").await.unwrap();
        assert!(TcpStream::connect("db:5432").await.is_ok());
    });
    run.result.unwrap();
}

// Goal: the same seed gives the same trace with streams in it.
#[test]
fn streams_replay_byte_for_byte() {
    let run = || {
        Sim::new(
            Config::default()
                .with_seed(9)
                .with_trace(simloop::TraceLevel::Full),
        )
        .run(async {
            let listener = TcpListener::bind("db:5432").await.unwrap();
            let mut client = TcpStream::connect("db:5432").await.unwrap();
            let (mut server, _) = listener.accept().await.unwrap();
            client.write_all(&[3; 5000]).await.unwrap();
            let mut buf = vec![0; 5000];
            server.read_exact(&mut buf).await.unwrap();
            now()
        })
    };
    let (a, b) = (run(), run());
    assert_eq!(a.trace.to_string(), b.trace.to_string());
    assert!(a.trace.to_string().contains("tcp("), "segments are traced");
}

/// A server that answers each length-prefixed frame with the same frame reversed.
async fn reverse_server(listener: TcpListener) {
    let (mut stream, _) = listener.accept().await.unwrap();
    loop {
        let mut len = [0; 4];
        if stream.read_exact(&mut len).await.is_err() {
            return;
        }
        let mut frame = vec![0; u32::from_be_bytes(len) as usize];
        stream.read_exact(&mut frame).await.unwrap();
        frame.reverse();
        stream.write_all(&len).await.unwrap();
        stream.write_all(&frame).await.unwrap();
    }
}

/// A client that reads each reply with one `read` when `buggy` (it assumes a read returns a
/// whole frame), or with `read_exact`.
async fn framed_client(buggy: bool) {
    let listener = TcpListener::bind("svc:9000").await.unwrap();
    net::spawn_on("svc", reverse_server(listener))
        .unwrap()
        .detach();
    let mut stream = TcpStream::connect("svc:9000").await.unwrap();
    for round in 0..3u8 {
        let frame: Vec<u8> = (0..200).map(|i| round.wrapping_add(i)).collect();
        stream
            .write_all(&(frame.len() as u32).to_be_bytes())
            .await
            .unwrap();
        stream.write_all(&frame).await.unwrap();
        let mut reply = vec![0; 4 + frame.len()];
        if buggy {
            let n = stream.read(&mut reply).await.unwrap();
            reply.truncate(n);
        } else {
            stream.read_exact(&mut reply).await.unwrap();
        }
        let mut expected = frame.clone();
        expected.reverse();
        assert_eq!(reply.len(), 4 + frame.len(), "short frame");
        assert_eq!(&reply[4..], &expected[..]);
    }
}

// Goal: the classic short-read framing bug (one `read` per length-prefixed frame) is found by
// the default sweep, and the fixed client (`read_exact`) passes it.
#[test]
fn the_default_check_finds_a_short_read_framing_bug() {
    let report = explore(Config::default(), || framed_client(true));
    let failure = report
        .failure
        .expect("the default sweep finds the short read");
    assert!(failure.to_string().contains("short frame"), "{failure}");
    simloop::check(|| framed_client(false));
}

// Goal: a name, a `(name, port)` pair, a `SocketAddr`, `localhost` and `lookup_host` all name
// the same simulated host; addresses follow the order hosts were named.
#[test]
fn addresses_resolve_every_way() {
    let run = sim(WorldConfig::default()).run(async {
        let listener = TcpListener::bind("db:5432").await.unwrap();
        let addr = listener.local_addr().unwrap();
        assert_eq!(addr.to_string(), "10.0.0.1:5432");
        let looked_up: Vec<_> = net::lookup_host(("db", 5432)).await.unwrap().collect();
        assert_eq!(looked_up, [addr]);
        for stream in [
            TcpStream::connect("db:5432").await.unwrap(),
            TcpStream::connect(("db", 5432)).await.unwrap(),
            TcpStream::connect(addr).await.unwrap(),
            TcpStream::connect("10.0.0.1:5432").await.unwrap(),
        ] {
            assert_eq!(stream.peer_addr().unwrap(), addr);
            assert_eq!(stream.local_addr().unwrap().ip().to_string(), "10.0.0.2");
        }
        // On the server's own host, `localhost` is that host.
        let here = net::spawn_on("db", async {
            TcpStream::connect("localhost:5432")
                .await
                .unwrap()
                .local_addr()
                .unwrap()
        })
        .unwrap()
        .await
        .unwrap();
        assert_eq!(here.ip(), addr.ip());
        let err = TcpStream::connect("10.9.9.9:1").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::HostUnreachable);
    });
    run.result.unwrap();
}

// Goal: a task spawned by a task on a host connects from that host, as a server's
// per-connection handler does; tasks on no host connect from `DEFAULT_HOST`.
#[test]
fn spawned_tasks_connect_from_their_parents_host() {
    let run = sim(WorldConfig::default()).run(async {
        let backend = TcpListener::bind("backend:1").await.unwrap();
        let front = net::spawn_on("front", async {
            spawn(async { TcpStream::connect("backend:1").await.unwrap() })
                .await
                .unwrap()
        })
        .unwrap()
        .await
        .unwrap();
        let (_, peer) = backend.accept().await.unwrap();
        let front_ip = net::lookup_host("front:0")
            .await
            .unwrap()
            .next()
            .unwrap()
            .ip();
        assert_eq!(peer.ip(), front_ip);
        assert_eq!(front.local_addr().unwrap(), peer);
        let from_main = TcpStream::connect("backend:1").await.unwrap();
        let client_ip = net::lookup_host((net::DEFAULT_HOST, 0))
            .await
            .unwrap()
            .next()
            .unwrap()
            .ip();
        assert_eq!(from_main.local_addr().unwrap().ip(), client_ip);
    });
    run.result.unwrap();
}

// Goal: a crash takes the host's whole task tree down, as a crashed process does: the tasks its
// tasks spawned too, even when the task that spawned them has already returned; tasks on other
// hosts go on.
#[test]
fn a_crash_aborts_every_task_the_host_spawned() {
    use std::cell::Cell;
    use std::rc::Rc;
    let run = sim(WorldConfig::default()).run(async {
        let finished = Rc::new(Cell::new(0));
        let on_db = Rc::clone(&finished);
        net::spawn_on("db", async move {
            let grandchild = Rc::clone(&on_db);
            spawn(async move {
                // A worker the connection task spawned, and a task that worker spawned.
                let deeper = Rc::clone(&grandchild);
                spawn(async move {
                    sleep(ms(100)).await;
                    deeper.set(deeper.get() + 1);
                })
                .detach();
                sleep(ms(100)).await;
                grandchild.set(grandchild.get() + 1);
            })
            .detach();
            // The spawning task returns at once: its children stay on the host.
        })
        .unwrap()
        .await
        .unwrap();
        let elsewhere = Rc::clone(&finished);
        net::spawn_on("app", async move {
            sleep(ms(100)).await;
            elsewhere.set(elsewhere.get() + 10);
        })
        .unwrap()
        .detach();
        sleep(ms(50)).await;
        net::crash("db").unwrap();
        sleep(ms(100)).await;
        assert_eq!(finished.get(), 10, "only the task on `app` finished");
    });
    run.result.unwrap();
}

// Goal: sockets that outlive their simulation drop quietly.
#[test]
fn sockets_dropped_after_the_run_do_not_panic() {
    let (stream, listener, socket) = sim(WorldConfig::default())
        .run(async {
            let listener = TcpListener::bind("db:5432").await.unwrap();
            let stream = TcpStream::connect("db:5432").await.unwrap();
            let socket = simloop::net::UdpSocket::bind("dns:53").await.unwrap();
            (stream, listener, socket)
        })
        .unwrap();
    drop(stream);
    drop(listener);
    drop(socket);
}

// Goal: owned halves of one stream reunite into a stream that still reads and writes (tokio's
// `OwnedReadHalf::reunite`); halves of two different streams do not, and are handed back.
#[test]
fn owned_halves_reunite_only_with_their_own_stream() {
    simloop::run(0, async {
        let listener = TcpListener::bind("db:5432").await.unwrap();
        let first = TcpStream::connect("db:5432").await.unwrap();
        let second = TcpStream::connect("db:5432").await.unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        let (read, write) = first.into_split();
        let (other_read, other_write) = second.into_split();
        let err = read.reunite(other_write).unwrap_err();
        assert!(err.to_string().contains("not from the same stream"));
        let simloop::net::ReuniteError(read, _other_write) = err;
        let mut first = read.reunite(write).unwrap();
        drop(other_read);
        first.write_all(b"again").await.unwrap();
        let mut got = [0; 5];
        server.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"again");
        drop(first); // the reunited stream owns the connection again: dropping it closes it
        let mut rest = Vec::new();
        server.read_to_end(&mut rest).await.unwrap();
        assert!(rest.is_empty());
    });
}

// Goal: a lost segment is resent after the retransmission timeout (200 ms + the round trip,
// doubling per consecutive loss) and the bytes behind it wait: over 200 seeds at 30% loss every
// byte still arrives once, in order, and each write's last byte arrives exactly its latency
// plus a sum of whole timeouts after it was written.
#[test]
fn lost_segments_arrive_late_in_order() {
    use simloop::sim::Rate;
    let mut delayed = 0;
    for seed in 0..200 {
        let world = WorldConfig::default()
            .with_latency(Latency::Fixed(ms(10)))
            .with_segmentation(false)
            .with_loss(Rate::fixed(0.3));
        let config = Config::default().with_seed(seed).with_world(world);
        let run = Sim::new(config).run(async {
            let listener = TcpListener::bind("db:5432").await.unwrap();
            let mut client = TcpStream::connect("db:5432").await.unwrap();
            let (mut server, _) = listener.accept().await.unwrap();
            let mut lates = Vec::new();
            for round in 0..4u64 {
                let bytes = pattern(round, 100);
                let start = now();
                client.write_all(&bytes).await.unwrap();
                let mut got = vec![0; 100];
                server.read_exact(&mut got).await.unwrap();
                assert_eq!(got, bytes, "in order, once");
                lates.push(now() - start - ms(10));
            }
            lates
        });
        for late in run.result.unwrap() {
            // 220 ms, then 440 ms, ...: every delay is a sum of whole first timeouts.
            assert_eq!(
                late.as_nanos() % ms(220).as_nanos(),
                0,
                "seed {seed}: {late:?}"
            );
            delayed += usize::from(late > Duration::ZERO);
        }
    }
    // 800 writes, each delayed with probability 0.3.
    assert!(
        (200..=280).contains(&delayed),
        "{delayed} of 800 writes delayed"
    );
}

// Goal: a connection notices a link that changed after it last looked: a latency set between two
// writes delays the second, and a partition made after bytes flowed stalls the next ones (a
// connection keeps its link's state between reads and writes, and must not keep a stale one).
#[test]
fn a_link_changed_mid_connection_applies_to_the_next_bytes() {
    let run = sim(one_ms_whole_writes()).run(async {
        let (mut client, mut server) = connected().await;
        let mut buf = [0; 4];
        let start = now();
        client.write_all(b"ping").await.unwrap();
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(now() - start, ms(1), "the world's latency");
        net::set_latency(net::DEFAULT_HOST, "db", Latency::Fixed(ms(50))).unwrap();
        let start = now();
        client.write_all(b"pong").await.unwrap();
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(now() - start, ms(50), "the latency set between the writes");
        net::partition(net::DEFAULT_HOST, "db").unwrap();
        client.write_all(b"lost").await.unwrap();
        let waited = timeout(Duration::from_secs(10), server.read_exact(&mut buf)).await;
        assert!(
            waited.is_err(),
            "a byte crossed a partition made after bytes flowed"
        );
        net::heal(net::DEFAULT_HOST, "db").unwrap();
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"lost");
    });
    run.result.unwrap();
}

// Goal: a write does not push back the arrival of bytes written before it. With a fixed 1 ms
// latency, bytes written at 10 us are read at 1.010 ms even when a second write at 510 us
// (arriving at 1.510 ms) lands while the reader waits.
#[test]
fn a_later_write_does_not_delay_earlier_bytes() {
    let run = sim(one_ms_whole_writes()).run(async {
        let (mut client, mut server) = connected().await;
        let start = now();
        let reader = spawn(async move {
            let mut first = [0; 1];
            server.read_exact(&mut first).await.unwrap();
            let at = now();
            let mut second = [0; 1];
            server.read_exact(&mut second).await.unwrap();
            (at, now(), first[0], second[0])
        });
        sleep(Duration::from_micros(10)).await;
        client.write_all(b"a").await.unwrap();
        sleep(Duration::from_micros(500)).await;
        client.write_all(b"b").await.unwrap();
        let (first_at, second_at, first, second) = reader.await.unwrap();
        assert_eq!((first, second), (b'a', b'b'));
        assert_eq!(first_at - start, Duration::from_micros(1010));
        assert_eq!(second_at - start, Duration::from_micros(1510));
    });
    run.result.unwrap();
}

// Goal: a connection remembers its reader's waker between reads (so a reader that blocks again
// stores nothing), yet a stream handed to another task wakes that task: the second reader gets
// the bytes at their arrival, 1 ms after the write, not never and not at the first reader's
// wake-up.
#[test]
fn a_stream_handed_to_another_task_wakes_the_new_reader() {
    let run = sim(one_ms_whole_writes()).run(async {
        let (mut client, mut server) = connected().await;
        let first = spawn(async move {
            let mut byte = [0; 1];
            server.read_exact(&mut byte).await.unwrap();
            (server, byte[0])
        });
        client.write_all(b"a").await.unwrap();
        let (mut server, a) = first.await.unwrap();
        let second = spawn(async move {
            let mut byte = [0; 1];
            server.read_exact(&mut byte).await.unwrap();
            (now(), byte[0])
        });
        sleep(ms(5)).await;
        let written = now();
        client.write_all(b"b").await.unwrap();
        let (read_at, b) = timeout(ms(100), second).await.unwrap().unwrap();
        assert_eq!((a, b), (b'a', b'b'));
        assert_eq!(read_at - written, ms(1));
    });
    run.result.unwrap();
}
