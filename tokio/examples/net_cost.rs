//! The facade's cost inside a simulation: one TCP workload run through `simloop_tokio::net`
//! and through `simloop::net` directly, for instruction counts under callgrind:
//!
//! ```text
//! cargo build --release -p simloop-tokio --features net --example net_cost
//! valgrind --tool=callgrind target/release/examples/net_cost facade
//! valgrind --tool=callgrind target/release/examples/net_cost simloop
//! ```
//!
//! 10 connections from 10 hosts to one server, each 1,000 request/response pairs of 1 KiB.

use std::time::Duration;

use simloop::net::spawn_on;
use simloop_tokio::io::{AsyncReadExt, AsyncWriteExt};

const CONNECTIONS: usize = 10;
const EXCHANGES: usize = 1_000;
const SIZE: usize = 1024;

async fn echo<S: AsyncReadExt + AsyncWriteExt + Unpin>(mut stream: S) {
    let mut buf = vec![0; SIZE];
    for _ in 0..EXCHANGES {
        stream.read_exact(&mut buf).await.unwrap();
        stream.write_all(&buf).await.unwrap();
    }
}

async fn ask<S: AsyncReadExt + AsyncWriteExt + Unpin>(mut stream: S, id: u8) {
    let request = vec![id; SIZE];
    let mut reply = vec![0; SIZE];
    for _ in 0..EXCHANGES {
        stream.write_all(&request).await.unwrap();
        stream.read_exact(&mut reply).await.unwrap();
        assert_eq!(reply, request);
    }
}

async fn through_facade() {
    use simloop_tokio::net::{TcpListener, TcpStream};
    spawn_on("server", async {
        let listener = TcpListener::bind("server:80").await.unwrap();
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            drop(simloop_tokio::spawn(echo(stream)));
        }
    })
    .unwrap()
    .detach();
    simloop_tokio::time::sleep(Duration::from_millis(1)).await;
    let clients: Vec<_> = (0..CONNECTIONS as u8)
        .map(|id| {
            spawn_on(&format!("client{id}"), async move {
                ask(TcpStream::connect("server:80").await.unwrap(), id).await;
            })
            .unwrap()
        })
        .collect();
    for client in clients {
        client.await.unwrap();
    }
}

async fn through_simloop() {
    use simloop::net::{TcpListener, TcpStream};
    spawn_on("server", async {
        let listener = TcpListener::bind("server:80").await.unwrap();
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            simloop::task::spawn(echo(stream)).detach();
        }
    })
    .unwrap()
    .detach();
    simloop::time::sleep(Duration::from_millis(1)).await;
    let clients: Vec<_> = (0..CONNECTIONS as u8)
        .map(|id| {
            spawn_on(&format!("client{id}"), async move {
                ask(TcpStream::connect("server:80").await.unwrap(), id).await;
            })
            .unwrap()
        })
        .collect();
    for client in clients {
        client.await.unwrap();
    }
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("facade") => simloop::run(0, through_facade()),
        Some("simloop") => simloop::run(0, through_simloop()),
        _ => eprintln!("usage: net_cost facade|simloop"),
    }
}
