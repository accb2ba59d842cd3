//! The same seed gives the same latencies, faults and trace.

use std::time::Duration;

use simloop::fs;
use simloop::net::{self, Client, Request, Response};
use simloop::sim::{Latency, Rate, WorldConfig};
use simloop::task::spawn;
use simloop::time::sleep;
use simloop::{Config, Run, Sim, Strategy, TraceLevel};

/// Three clients hammer a server that logs to disk, with every kind of fault on.
async fn workload() -> Vec<String> {
    net::serve("db", |request: Request| async move {
        let log = fs::OpenOptions::new().append(true).create(true);
        let Ok(mut file) = log.open("db.log").await else {
            return Response::new(500, "open");
        };
        if file.write(&request.body).await.is_err() || simloop::fault!("skip-sync") {
            return Response::new(500, "write");
        }
        match file.sync().await {
            Ok(()) => Response::ok("stored"),
            Err(_) => Response::new(500, "sync"),
        }
    })
    .unwrap();
    let mut handles = Vec::new();
    for name in ["app-1", "app-2", "app-3"] {
        handles.push(spawn(async move {
            let client = Client::new(name).with_timeout(Duration::from_millis(50));
            let mut outcomes = Vec::new();
            for round in 0..20 {
                let body = format!("{name}:{round};");
                let outcome = match client.request("db", Request::post("/", body)).await {
                    Ok(reply) => format!("{name} {round} {}", reply.status),
                    Err(err) => format!("{name} {round} {err}"),
                };
                outcomes.push(outcome);
                if round == 10 && name == "app-1" {
                    fs::crash();
                }
            }
            outcomes
        }));
    }
    let mut all = Vec::new();
    for handle in handles {
        all.extend(handle.await.unwrap());
    }
    all
}

fn config(seed: u64) -> Config {
    let world = WorldConfig::default()
        .with_loss(Rate::between(0.0, 0.2))
        .with_errors(Rate::between(0.0, 0.2))
        .with_write_errors(Rate::fixed(0.05))
        .with_torn_writes(Rate::fixed(0.5))
        .with_latency(Latency::Exponential {
            mean: Duration::from_millis(5),
            max: Duration::from_millis(100),
        })
        .with_swarm(true);
    Config::default()
        .with_seed(seed)
        .with_strategy(Strategy::Random)
        .with_trace(TraceLevel::Full)
        .with_world(world)
}

fn run(seed: u64) -> Run<Vec<String>> {
    Sim::new(config(seed)).run(workload())
}

// Goal: the same seed gives the same trace digest, trace text, outcomes and virtual end time.
#[test]
fn same_seed_same_trace() {
    for seed in [0, 1, 99] {
        let (first, second) = (run(seed), run(seed));
        assert_eq!(first.trace.digest(), second.trace.digest(), "seed {seed}");
        assert_eq!(first.trace.text(), second.trace.text());
        assert_eq!(first.elapsed, second.elapsed);
        assert_eq!(first.result.unwrap(), second.result.unwrap());
    }
    assert_ne!(run(0).trace.digest(), run(1).trace.digest());
}

// Goal: a small exchange under FIFO reads as a stable trace (snapshot).
#[test]
fn an_exchange_reads_as_a_stable_trace() {
    let world = WorldConfig::default()
        .with_latency(Latency::Fixed(Duration::from_millis(2)))
        .with_disk_latency(Latency::Fixed(Duration::from_millis(1)));
    let config = Config::default()
        .with_strategy(Strategy::Fifo)
        .with_trace(TraceLevel::Full)
        .with_world(world);
    let run = Sim::new(config).run(async {
        net::serve("db", |_: Request| async {
            let rows = fs::read("users").await.unwrap_or_default();
            Response::ok(rows)
        })
        .unwrap();
        fs::write("users", "ada\ngrace\n").await.unwrap();
        let client = Client::new("app").with_timeout(Duration::from_secs(1));
        let conn = client.connect("db").await.unwrap();
        let reply = conn
            .request(Request::post("/query", "SELECT * FROM users"))
            .await;
        conn.close();
        net::partition("app", "db").unwrap();
        let lost = client.get("db", "/").await;
        sleep(Duration::from_millis(1)).await;
        (reply.unwrap().text().map(str::to_owned), lost.is_err())
    });
    assert_eq!(run.result.unwrap(), (Some("ada\ngrace\n".to_owned()), true));
    crate::assert_snapshot!("world_exchange_trace", run.trace.text());
}
