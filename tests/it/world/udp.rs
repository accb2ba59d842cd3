//! `simloop::net::UdpSocket`: whole datagrams, seeded loss, duplication and reordering.

use std::io::ErrorKind;
use std::time::Duration;

use simloop::net::{self, UdpSocket};
use simloop::sim::{Latency, Rate, WorldConfig};
use simloop::time::timeout;
use simloop::{check_with, Config, Sim};

fn sim(world: WorldConfig) -> Sim {
    Sim::new(Config::default().with_seed(3).with_world(world))
}

/// Sends 50 datagrams of various sizes and returns what arrived within a second.
async fn exchange() -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let server = UdpSocket::bind("dns:53").await.unwrap();
    let client = UdpSocket::bind("0.0.0.0:0").await.unwrap();
    let mut sent = Vec::new();
    for i in 0..50u8 {
        let len = simloop::random::random_range(1..3000usize);
        let datagram: Vec<u8> = (0..len).map(|j| i.wrapping_add(j as u8)).collect();
        client.send_to(&datagram, "dns:53").await.unwrap();
        sent.push(datagram);
    }
    let mut got = Vec::new();
    let mut buf = vec![0; 4096];
    while let Ok(received) = timeout(Duration::from_secs(1), server.recv_from(&mut buf)).await {
        let (len, from) = received.unwrap();
        assert_eq!(from, client.local_addr().unwrap());
        got.push(buf[..len].to_vec());
    }
    (sent, got)
}

// Goal: over 1,000 seeds with loss, duplication and reordering, a datagram arrives whole or not
// at all: never split, never merged, never altered.
#[test]
fn a_datagram_is_never_split_over_a_thousand_seeds() {
    let world = WorldConfig::default()
        .with_loss(Rate::between(0.0, 0.3))
        .with_duplicates(Rate::between(0.0, 0.3))
        .with_latency(Latency::Uniform {
            min: Duration::from_micros(1),
            max: Duration::from_millis(30),
        });
    let config = Config::default().with_iterations(1000).with_world(world);
    check_with(config, || async {
        let (sent, got) = exchange().await;
        for datagram in &got {
            assert!(
                sent.contains(datagram),
                "a datagram arrived split or altered"
            );
        }
    });
}

// Goal: loss, duplication and reordering each happen in some seed, from the seed alone.
#[test]
fn loss_duplicates_and_reordering_happen_and_replay() {
    let world = WorldConfig::default()
        .with_loss(Rate::fixed(0.2))
        .with_duplicates(Rate::fixed(0.2));
    let run = || sim(world.clone()).run(exchange()).unwrap();
    let (sent, got) = run();
    assert_eq!(run().1, got, "the same seed delivers the same datagrams");
    let index = |datagram: &Vec<u8>| sent.iter().position(|s| s == datagram).unwrap();
    let order: Vec<usize> = got.iter().map(index).collect();
    let mut distinct = order.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert!(distinct.len() < sent.len(), "some datagram was lost");
    assert!(distinct.len() < order.len(), "some datagram came twice");
    assert!(
        order.windows(2).any(|w| w[0] > w[1]),
        "some datagram was overtaken"
    );
}

// Goal: with no faults every datagram arrives once; a partition loses them; connect filters.
#[test]
fn partition_loses_datagrams_and_connect_filters_senders() {
    let run = sim(WorldConfig::default()).run(async {
        let server = UdpSocket::bind("dns:53").await.unwrap();
        let client = UdpSocket::bind("app:0").await.unwrap();
        let stranger = UdpSocket::bind("other:0").await.unwrap();
        net::partition("app", "dns").unwrap();
        client.send_to(b"cut", "dns:53").await.unwrap();
        let mut buf = [0; 16];
        let waited = timeout(Duration::from_secs(1), server.recv_from(&mut buf)).await;
        assert!(waited.is_err(), "a datagram crossed the partition");
        net::heal_all();
        server.connect("app:49152").await.unwrap();
        stranger.send_to(b"noise", "dns:53").await.unwrap();
        client.send_to(b"hello", "dns:53").await.unwrap();
        let len = server.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..len], b"hello");
        // A small buffer keeps the start of a datagram: the rest is dropped, not split off.
        client.send_to(b"truncated", "dns:53").await.unwrap();
        client.send_to(b"next", "dns:53").await.unwrap();
        let mut small = [0; 4];
        assert_eq!(server.recv(&mut small).await.unwrap(), 4);
        assert_eq!(&small, b"trun");
        let len = server.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..len], b"next");
    });
    run.result.unwrap();
}

// Goal: the error kinds: port in use, not connected, too large, unknown host.
#[test]
fn udp_error_kinds() {
    let run = sim(WorldConfig::default()).run(async {
        let socket = UdpSocket::bind("dns:53").await.unwrap();
        assert_eq!(
            UdpSocket::bind("dns:53").await.unwrap_err().kind(),
            ErrorKind::AddrInUse
        );
        assert_eq!(
            socket.send(b"x").await.unwrap_err().kind(),
            ErrorKind::NotConnected
        );
        let huge = vec![0; 70_000];
        assert_eq!(
            socket.send_to(&huge, "dns:53").await.unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        let err = socket.send_to(b"x", "nowhere:1").await.unwrap_err();
        assert!(err.to_string().contains("nowhere"), "{err}");
    });
    run.result.unwrap();
}

// Goal: `peer_addr` is the connected peer (resolved), and `NotConnected` before `connect`, as
// tokio's.
#[test]
fn peer_addr_is_the_connected_peer() {
    simloop::run(0, async {
        let server = UdpSocket::bind("stats:8125").await.unwrap();
        let client = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        let err = client.peer_addr().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotConnected);
        client.connect("stats:8125").await.unwrap();
        assert_eq!(client.peer_addr().unwrap(), server.local_addr().unwrap());
    });
}
