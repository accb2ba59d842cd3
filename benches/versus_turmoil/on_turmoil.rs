//! W7 on turmoil, tokio's network simulator: the same client and server code as simloop's side
//! (`workloads::w7_client`, `workloads::w7_serve`) over turmoil's `TcpStream`.

use std::time::Duration;

use simloop_programs::bench::workloads::{self, W7Outcome};

/// W7: `connections` TCP connections from host `client` to host `server`, each `pairs`
/// request/response pairs of 1 KiB. Latency fixed at 1 ms (min = max), turmoil's 1 ms tick,
/// a simulated-time limit long enough for any size, and room for 100 connections' SYNs.
pub fn w7_tcp(connections: u64, pairs: u64) {
    let mut sim = turmoil::Builder::new()
        .min_message_latency(Duration::from_millis(1))
        .max_message_latency(Duration::from_millis(1))
        .simulation_duration(Duration::from_secs(1_000_000))
        // The default, 64 segments per socket, panics when 100 connections open at once
        // ("server socket buffer full": the listener's queue of SYNs).
        .tcp_capacity(1024)
        .build();
    // The simulation ends with the client, before the server's handlers read its EOF: the
    // client's check (every reply equals its request) is the server's too.
    sim.host("server", || async {
        let listener = turmoil::net::TcpListener::bind("0.0.0.0:5432").await?;
        loop {
            let (mut stream, _) = listener.accept().await?;
            tokio::spawn(async move { workloads::w7_serve(&mut stream).await });
        }
    });
    sim.client("client", async move {
        let clients: Vec<_> = (0..connections)
            .map(|connection| {
                tokio::spawn(async move {
                    let mut stream = turmoil::net::TcpStream::connect("server:5432")
                        .await
                        .unwrap();
                    workloads::w7_client(&mut stream, connection, pairs).await
                })
            })
            .collect();
        let mut outcome = W7Outcome::default();
        for client in clients {
            outcome = outcome.plus(client.await.unwrap());
        }
        outcome.check(connections, pairs, "turmoil");
        Ok(())
    });
    sim.run().expect("W7 turmoil: the simulation");
}
