//! The facade's `net`: simloop's sockets inside a simulation, tokio's outside, with the same
//! code; bad input gives an `io::Error` of the right kind; items with no simulated counterpart
//! refuse inside a simulation.

extern crate simloop_tokio as tokio;

use std::io::ErrorKind;
use std::time::Duration;

use simloop::net::spawn_on;
use simloop::sim::{Latency, WorldConfig};
use simloop::{Config, Sim};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{lookup_host, TcpListener, TcpStream, UdpSocket};

fn assert_send<T: Send>(_: &T) {}

/// An echo server on `addr`'s host and a client that sends `message` and reads it back: the
/// same code runs in both worlds.
async fn echo_round_trip(listener: TcpListener, target: String, message: &'static [u8]) {
    let server = tokio::spawn(async move {
        let (mut stream, peer) = listener.accept().await.unwrap();
        assert_eq!(stream.peer_addr().unwrap(), peer);
        let (mut read, mut write) = stream.split();
        tokio::io::copy(&mut read, &mut write).await.unwrap();
    });
    let stream = TcpStream::connect(target.as_str()).await.unwrap();
    stream.set_nodelay(true).unwrap();
    assert!(stream.nodelay().unwrap());
    let (mut read, mut write) = stream.into_split();
    assert_eq!(read.peer_addr().unwrap(), write.peer_addr().unwrap());
    assert_eq!(read.local_addr().unwrap(), write.local_addr().unwrap());
    let writer = tokio::spawn(async move {
        write.write_all(message).await.unwrap();
        write
    });
    let mut back = vec![0; message.len()];
    read.read_exact(&mut back).await.unwrap();
    assert_eq!(back, message);
    let write = writer.await.unwrap();
    let mut stream = read.reunite(write).unwrap();
    stream.shutdown().await.unwrap();
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).await.unwrap();
    assert!(rest.is_empty());
    server.await.unwrap();
}

// Goal: inside a simulation the facade's sockets are simloop's: a listener on a simulated host
// (started with `spawn_on`), an exchange with exact virtual timing (a connect takes one round
// trip), split, into_split and reunite; the sockets and their futures are `Send`, so they move
// into `tokio::spawn` as tokio's do.
#[test]
fn tcp_inside_a_simulation_runs_on_simloop_streams_with_virtual_timing() {
    let world = WorldConfig::default().with_latency(Latency::Fixed(Duration::from_millis(5)));
    let sim = Sim::new(Config::default().with_seed(1).with_world(world));
    sim.run(async {
        let (ready, bound) = tokio::sync::oneshot::channel();
        spawn_on("api", async move {
            let listener = TcpListener::bind("api:8080").await.unwrap();
            assert_eq!(listener.local_addr().unwrap().port(), 8080);
            ready.send(listener).ok();
        })
        .unwrap()
        .detach();
        let listener = bound.await.unwrap();
        let start = tokio::time::Instant::now();
        let connect = TcpStream::connect("api:8080");
        assert_send(&connect);
        let stream = connect.await.unwrap();
        assert_send(&stream);
        assert_eq!(start.elapsed(), Duration::from_millis(10)); // SYN there, SYN-ACK back
        assert_eq!(stream.peer_addr().unwrap().to_string(), "10.0.0.1:8080");
        let accept = listener.accept();
        assert_send(&accept);
        let (server, peer) = accept.await.unwrap();
        assert_eq!(peer, stream.local_addr().unwrap());
        drop((server, stream));
        echo_round_trip(listener, "api:8080".into(), b"hello through the facade").await;
    })
    .unwrap();
}

// Goal: outside a simulation the same code is tokio's, on real sockets.
#[tokio::test]
async fn tcp_outside_a_simulation_is_tokio() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target = listener.local_addr().unwrap().to_string();
    echo_round_trip(listener, target, b"hello through tokio").await;
}

// Goal: a port bound twice is `AddrInUse`, for TCP and UDP, through the facade inside a
// simulation, as Linux's EADDRINUSE.
#[test]
fn a_port_bound_twice_is_addr_in_use() {
    simloop::check(|| async {
        let _first = TcpListener::bind("db:5432").await.unwrap();
        let err = TcpListener::bind("db:5432").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
        assert!(err.to_string().contains("db:5432"), "{err}");
        let _udp = UdpSocket::bind("dns:53").await.unwrap();
        let err = UdpSocket::bind("dns:53").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
    });
}

// Goal: a connect to a host with no listener is `ConnectionRefused` after one round trip, no
// hang; to a name no host has, an error naming it, at once.
#[test]
fn a_connect_with_no_listener_is_refused_and_an_unknown_host_is_named() {
    simloop::check(|| async {
        simloop::net::Client::new("db"); // the host exists; nothing listens
        let err = TcpStream::connect("db:5432").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        assert!(err.to_string().contains("db:5432"), "{err}");
        let start = simloop::time::now();
        let err = TcpStream::connect(("nowhere", 80)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(err.to_string().contains("`nowhere`"), "{err}");
        let err = lookup_host("nowhere:80").await.unwrap_err();
        assert!(err.to_string().contains("`nowhere`"), "{err}");
        let err = UdpSocket::bind("0.0.0.0:0")
            .await
            .unwrap()
            .send_to(b"x", "nowhere:53")
            .await
            .unwrap_err();
        assert!(err.to_string().contains("`nowhere`"), "{err}");
        assert_eq!(simloop::time::now(), start); // no time passes: nothing to wait for
        let err = TcpStream::connect("not an address").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        let err = TcpStream::connect(&[][..]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    });
}

// Goal: every form of address tokio accepts resolves inside the simulation; a list is tried in
// order, as tokio does, the first that connects wins.
#[test]
fn every_address_form_resolves_among_the_simulated_hosts() {
    simloop::run(0, async {
        let listener = TcpListener::bind("db:5432").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let ip = addr.ip();
        let by_name: Vec<_> = lookup_host("db:5432").await.unwrap().collect();
        let by_pair: Vec<_> = lookup_host(("db", 5432)).await.unwrap().collect();
        let by_string: Vec<_> = lookup_host(String::from("db:5432"))
            .await
            .unwrap()
            .collect();
        let by_owned_pair: Vec<_> = lookup_host((String::from("db"), 5432))
            .await
            .unwrap()
            .collect();
        let by_addr: Vec<_> = lookup_host(addr).await.unwrap().collect();
        let by_ip: Vec<_> = lookup_host((ip, 5432)).await.unwrap().collect();
        for found in [by_name, by_pair, by_string, by_owned_pair, by_addr, by_ip] {
            assert_eq!(found, [addr]);
        }
        let refused: std::net::SocketAddr = (ip, 1).into();
        let stream = TcpStream::connect(&[refused, addr][..]).await.unwrap();
        assert_eq!(stream.peer_addr().unwrap(), addr);
    });
}

// Goal: UDP through the facade inside a simulation: connect, send, recv, send_to, recv_from,
// peer_addr; a receive buffer shorter than the datagram keeps its start, as Linux does.
#[test]
fn udp_inside_a_simulation_runs_on_simloop_sockets() {
    simloop::check(|| async {
        let server = UdpSocket::bind("dns:53").await.unwrap();
        let client = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        assert_eq!(
            client.peer_addr().unwrap_err().kind(),
            ErrorKind::NotConnected
        );
        assert_eq!(
            client.send(b"x").await.unwrap_err().kind(),
            ErrorKind::NotConnected
        );
        client.connect("dns:53").await.unwrap();
        assert_eq!(client.peer_addr().unwrap(), server.local_addr().unwrap());
        let mut one = [0; 1];
        drop(server.recv_from(&mut one)); // cancelled before it took anything
        assert_eq!(client.send(b"query").await.unwrap(), 5);
        let mut buf = [0; 3];
        let (len, from) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!(
            (&buf[..len], from),
            (&b"que"[..], client.local_addr().unwrap())
        );
        server.send_to(b"answer", from).await.unwrap();
        let mut buf = [0; 64];
        let len = client.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..len], b"answer");
    });
}

// Goal: the same UDP code is tokio's outside a simulation.
#[tokio::test]
async fn udp_outside_a_simulation_is_tokio() {
    let server = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    client.connect(server.local_addr().unwrap()).await.unwrap();
    client.send(b"query").await.unwrap();
    let mut buf = [0; 64];
    let (len, from) = server.recv_from(&mut buf).await.unwrap();
    assert_eq!(
        (&buf[..len], from),
        (&b"query"[..], client.local_addr().unwrap())
    );
    server.send_to(b"answer", from).await.unwrap();
    let len = client.recv(&mut buf).await.unwrap();
    assert_eq!(&buf[..len], b"answer");
}

// Goal: the items with no simulated counterpart refuse inside a simulation with `Unsupported`,
// naming the item, instead of opening a real OS socket.
#[test]
fn items_not_simulated_fail_with_unsupported_naming_the_item() {
    simloop::run(0, async {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let std_stream = std::net::TcpStream::connect(std_listener.local_addr().unwrap()).unwrap();
        let std_udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let errors = [
            (
                "TcpListener::from_std",
                TcpListener::from_std(std_listener).unwrap_err(),
            ),
            (
                "TcpStream::from_std",
                TcpStream::from_std(std_stream.try_clone().unwrap()).unwrap_err(),
            ),
            (
                "UdpSocket::from_std",
                UdpSocket::from_std(std_udp).unwrap_err(),
            ),
            (
                "TcpSocket::new_v4",
                tokio::net::TcpSocket::new_v4().unwrap_err(),
            ),
            (
                "TcpSocket::new_v6",
                tokio::net::TcpSocket::new_v6().unwrap_err(),
            ),
            (
                "TcpSocket::from_std_stream",
                tokio::net::TcpSocket::from_std_stream(std_stream).unwrap_err(),
            ),
            (
                "UnixListener::bind",
                tokio::net::UnixListener::bind("/nonexistent/a.sock").unwrap_err(),
            ),
            (
                "UnixStream::connect",
                tokio::net::UnixStream::connect("/nonexistent/a.sock")
                    .await
                    .unwrap_err(),
            ),
            (
                "UnixStream::pair",
                tokio::net::UnixStream::pair().unwrap_err(),
            ),
            (
                "UnixDatagram::bind",
                tokio::net::UnixDatagram::bind("/nonexistent/b.sock").unwrap_err(),
            ),
            (
                "UnixDatagram::unbound",
                tokio::net::UnixDatagram::unbound().unwrap_err(),
            ),
            (
                "UnixDatagram::pair",
                tokio::net::UnixDatagram::pair().unwrap_err(),
            ),
        ];
        for (item, err) in errors {
            assert_eq!(err.kind(), ErrorKind::Unsupported, "{item}: {err}");
            assert!(
                err.to_string().contains(&format!("tokio::net::{item}")),
                "{err}"
            );
        }
    });
}

// Goal: outside a simulation `TcpSocket` is tokio's and gives the facade's stream and listener.
#[tokio::test]
async fn tcp_socket_outside_a_simulation_is_tokio() {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_reuseaddr(true).unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(16).unwrap();
    let addr = listener.local_addr().unwrap();
    let client = tokio::net::TcpSocket::new_v4().unwrap();
    let stream = client.connect(addr).await.unwrap();
    let (_server, peer) = listener.accept().await.unwrap();
    assert_eq!(stream.local_addr().unwrap(), peer);
}

// Goal: a simulated socket taken out of its simulation and used on another thread fails with a
// message that says so, not a wrong socket or a silent real call.
#[test]
fn a_simulated_socket_used_outside_its_simulation_panics_with_the_reason() {
    let listener = simloop::run(0, async { TcpListener::bind("db:5432").await.unwrap() });
    let used = std::thread::spawn(move || listener.local_addr().map(|_| ())).join();
    let message = *used.unwrap_err().downcast::<&str>().unwrap();
    assert!(
        message.contains("outside the simulation that made it"),
        "{message}"
    );
}

// Goal: a socket moved into another thread's simulation, where a socket of the same type sits
// in the table, is still refused: it never stands in for that other socket.
#[test]
fn a_simulated_socket_never_finds_another_simulations_socket() {
    let listener = simloop::run(0, async { TcpListener::bind("db:5432").await.unwrap() });
    let used = std::thread::spawn(move || {
        simloop::run(0, async move {
            let other = TcpListener::bind("cache:6379").await.unwrap();
            let found = listener.local_addr();
            drop(other);
            found.map(|_| ())
        })
    })
    .join();
    let message = *used.unwrap_err().downcast::<String>().unwrap();
    assert!(
        message.contains("outside the simulation that made it"),
        "{message}"
    );
}

/// An echo exchange over sockets made by `listen` and `connect`: the same tasks, spawned at the
/// same lines, whichever sockets they are.
async fn echo_program<L, S>(
    listen: impl FnOnce() -> L + 'static,
    connect: impl Fn() -> S + 'static,
) -> Vec<u8>
where
    L: std::future::Future<Output = Box<dyn FnMut() -> S>> + 'static,
    S: std::future::Future<Output = Box<dyn Duplex>> + 'static,
{
    spawn_on("api", async move {
        let mut accept = listen().await;
        loop {
            let mut stream = accept().await;
            simloop::task::spawn(async move {
                let mut buf = vec![0; 1000];
                stream.read_exact(&mut buf).await.unwrap();
                stream.write_all(&buf).await.unwrap();
            })
            .detach();
        }
    })
    .unwrap()
    .detach();
    let clients: Vec<_> = (0..3u8)
        .map(|i| {
            let stream = connect();
            spawn_on(&format!("app{i}"), async move {
                let mut stream = stream.await;
                stream.write_all(&[i; 1000]).await.unwrap();
                let mut back = vec![0; 1000];
                stream.read_exact(&mut back).await.unwrap();
                back[0]
            })
            .unwrap()
        })
        .collect();
    let mut firsts = Vec::new();
    for client in clients {
        firsts.push(client.await.unwrap());
    }
    firsts
}

/// A byte stream of either kind.
trait Duplex: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin> Duplex for T {}

// Goal: the facade adds no task and no await point: the same program over the facade's
// sockets and over simloop's makes the same scheduling choices, steps and virtual time, seed
// by seed (segmentation and latency on, so the choices are many).
#[test]
fn the_facade_schedules_exactly_as_simloop_sockets() {
    type Accept<S> = Box<dyn FnMut() -> S>;
    type Stream = std::pin::Pin<Box<dyn std::future::Future<Output = Box<dyn Duplex>>>>;
    for seed in 0..20 {
        let sim = Sim::new(Config::default().with_seed(seed));
        let through_simloop = sim.run(echo_program(
            || async {
                let listener =
                    std::rc::Rc::new(simloop::net::TcpListener::bind("api:80").await.unwrap());
                Box::new(move || {
                    let listener = listener.clone();
                    Box::pin(async move {
                        Box::new(listener.accept().await.unwrap().0) as Box<dyn Duplex>
                    }) as Stream
                }) as Accept<Stream>
            },
            || {
                Box::pin(async {
                    Box::new(simloop::net::TcpStream::connect("api:80").await.unwrap())
                        as Box<dyn Duplex>
                }) as Stream
            },
        ));
        let through_facade = sim.run(echo_program(
            || async {
                let listener = std::rc::Rc::new(TcpListener::bind("api:80").await.unwrap());
                Box::new(move || {
                    let listener = listener.clone();
                    Box::pin(async move {
                        Box::new(listener.accept().await.unwrap().0) as Box<dyn Duplex>
                    }) as Stream
                }) as Accept<Stream>
            },
            || {
                Box::pin(async {
                    Box::new(TcpStream::connect("api:80").await.unwrap()) as Box<dyn Duplex>
                }) as Stream
            },
        ));
        assert_eq!(
            through_simloop.schedule, through_facade.schedule,
            "seed {seed}"
        );
        assert_eq!(through_simloop.steps, through_facade.steps, "seed {seed}");
        assert_eq!(
            through_simloop.elapsed, through_facade.elapsed,
            "seed {seed}"
        );
        assert!(through_simloop.choice_points > 0);
        assert_eq!(through_simloop.unwrap(), through_facade.unwrap());
    }
}

// Goal: through the facade a server on one host and clients on others exchange data
// deterministically: the determinism check (each seed twice, traces compared) passes.
#[test]
fn facade_sockets_are_deterministic_under_a_seed() {
    let config = Config::default()
        .with_iterations(50)
        .with_check_determinism(true);
    simloop::check_with(config, || async {
        spawn_on("api", async {
            let listener = TcpListener::bind("api:80").await.unwrap();
            loop {
                let (mut stream, _) = listener.accept().await.unwrap();
                drop(tokio::spawn(async move {
                    let (mut read, mut write) = stream.split();
                    tokio::io::copy(&mut read, &mut write).await.ok();
                }));
            }
        })
        .unwrap()
        .detach();
        let clients: Vec<_> = (0..3u8)
            .map(|i| {
                spawn_on(&format!("app{i}"), async move {
                    let mut stream = loop {
                        match TcpStream::connect("api:80").await {
                            Ok(stream) => break stream,
                            Err(_) => tokio::time::sleep(Duration::from_millis(1)).await,
                        }
                    };
                    let message = vec![i; 3000];
                    stream.write_all(&message).await.unwrap();
                    let mut back = vec![0; 3000];
                    stream.read_exact(&mut back).await.unwrap();
                    assert_eq!(back, message);
                })
                .unwrap()
            })
            .collect();
        for client in clients {
            client.await.unwrap();
        }
    });
}
