//! The workloads on simloop, with simloop's own primitives and the default `Tail` trace. W1–W5
//! pin the seeded random walk (`Strategy::Random`, the configuration the benchmark plan names);
//! W6 uses `Config::default()` as is, whose portfolio rotates strategies over the seeds exactly
//! as `check` does.

use std::time::Duration;

use simloop::sync::{Queue, Semaphore};
use simloop::task::spawn;
use simloop::time::sleep;
use simloop::{Config, Sim, Strategy};

use super::workloads::{self, W6Outcome};

fn sim() -> Sim {
    Sim::new(Config::default().with_strategy(Strategy::Random))
}

/// W1: one task per row of `durations`, each sleeping its three durations.
pub fn w1_timers(durations: &[[Duration; 3]]) {
    let run = sim().run(async {
        let handles: Vec<_> = durations
            .iter()
            .map(|&sleeps| {
                spawn(async move {
                    for duration in sleeps {
                        sleep(duration).await;
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
    });
    run.result.unwrap();
    assert_eq!(
        run.elapsed,
        workloads::w1_expected_end(durations),
        "W1 simloop"
    );
}

/// W4: spawns `tasks` tasks returning their index and awaits them all.
pub fn w4_spawn_join(tasks: u64) {
    let sum = sim().run(async {
        let handles: Vec<_> = (0..tasks).map(|i| spawn(async move { i })).collect();
        let mut sum = 0;
        for handle in handles {
            sum += handle.await.unwrap();
        }
        sum
    });
    assert_eq!(sum.unwrap(), workloads::triangle(tasks), "W4 simloop");
}

/// `runs` simulations of an empty main future: the fixed cost of building and dropping one.
pub fn empty_runs(runs: u64) {
    for seed in 0..runs {
        let run = Sim::new(Config::default().with_seed(seed)).run(async {});
        run.result.unwrap();
    }
}

/// W2: one producer sends `0..messages` through a queue of 16, one consumer sums them.
pub fn w2_queue(messages: u64) {
    let run = sim().run(async {
        let queue = Queue::bounded(16);
        let sender = queue.clone();
        let producer = spawn(async move {
            for value in 0..messages {
                sender.put(value).await.unwrap();
            }
        });
        let mut sum = 0;
        for _ in 0..messages {
            sum += queue.get().await.unwrap();
        }
        producer.await.unwrap();
        sum
    });
    assert_eq!(run.unwrap(), workloads::triangle(messages), "W2 simloop");
}

/// W3: `tasks` tasks each hold a permit of `Semaphore(3)` for 10 ms.
pub fn w3_semaphore(tasks: usize) {
    let run = sim().run(async {
        let semaphore = Semaphore::new(3);
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let semaphore = semaphore.clone();
                spawn(async move {
                    let _permit = semaphore.acquire().await;
                    sleep(Duration::from_millis(10)).await;
                })
            })
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
        semaphore.peak_in_use()
    });
    assert_eq!(
        run.elapsed,
        workloads::w3_expected_end(tasks),
        "W3 simloop: end"
    );
    assert_eq!(run.unwrap(), 3, "W3 simloop: peak in use");
}

/// W5: two tasks bounce a token through two queues of 1, `round_trips` times.
pub fn w5_ping_pong(round_trips: u64) {
    let run = sim().run(async {
        // Ping puts into `to_pong` and reads `to_ping`; pong does the reverse.
        let (to_pong, to_ping) = (Queue::bounded(1), Queue::bounded(1));
        let (pong_queue, ping_queue) = (to_pong.clone(), to_ping.clone());
        let pong = spawn(async move {
            for _ in 0..round_trips {
                let token: u64 = pong_queue.get().await.unwrap();
                ping_queue.put(token + 1).await.unwrap();
            }
        });
        let mut token = 0;
        for _ in 0..round_trips {
            to_pong.put(token + 1).await.unwrap();
            token = to_ping.get().await.unwrap();
        }
        pong.await.unwrap();
        token
    });
    assert_eq!(run.unwrap(), 2 * round_trips, "W5 simloop");
}

/// W6's program; the durations come from the running simulation's seed.
async fn w6_program() -> W6Outcome {
    let seed = simloop::random::seed();
    let semaphore = Semaphore::new(3);
    let queue = Queue::bounded(4);
    for worker in 0..workloads::W6_WORKERS {
        let (semaphore, queue) = (semaphore.clone(), queue.clone());
        let [first, second, third] = workloads::w6_sleeps(seed, worker);
        spawn(async move {
            sleep(first).await;
            let permit = semaphore.acquire().await;
            sleep(second).await;
            for item in 0..workloads::W6_ITEMS_PER_WORKER {
                let value = worker * workloads::W6_ITEMS_PER_WORKER + item;
                queue.put(value).await.unwrap();
            }
            drop(permit);
            sleep(third).await;
        })
        .detach();
    }
    let (mut items, mut sum) = (0, 0);
    while items < workloads::W6_ITEMS {
        sum += queue.get().await.unwrap();
        items += 1;
        if items % 5 == 0 {
            sleep(Duration::from_millis(1)).await;
        }
    }
    W6Outcome {
        items,
        sum,
        peak_in_use: semaphore.peak_in_use(),
    }
}

/// One W6 run: a fresh simulation for `seed` in the default check configuration.
pub fn w6_one_seed(seed: u64) {
    let run = Sim::new(Config::default().with_seed(seed)).run(w6_program());
    run.unwrap().check();
}

/// `seeds` W6 runs through `simloop::explore` on `jobs` threads, as `SIMLOOP_JOBS` would.
pub fn w6_sweep(jobs: usize, seeds: u64) {
    let config = Config::default().with_iterations(seeds).with_jobs(jobs);
    let report = simloop::explore(config, || async { w6_program().await.check() });
    assert!(report.failure.is_none(), "W6 sweep failed");
}

/// W7's world: a fixed 1 ms one-way latency (turmoil's side is set to the same), with TCP
/// segmentation on (simloop's default: a write may arrive in pieces) or off (each write arrives
/// whole, as turmoil delivers it).
pub fn w7_world(segmentation: bool) -> simloop::sim::WorldConfig {
    simloop::sim::WorldConfig::default()
        .with_latency(simloop::sim::Latency::Fixed(Duration::from_millis(1)))
        .with_segmentation(segmentation)
}

/// W7: `connections` TCP connections from host `client` to host `server`, each `pairs`
/// request/response pairs of 1 KiB, the server echoing each frame, under the seeded random
/// walk (the configuration the benchmark plan names).
pub fn w7_tcp(connections: u64, pairs: u64, segmentation: bool) {
    w7_tcp_under(Strategy::Random, connections, pairs, segmentation);
}

/// [`w7_tcp`] under `strategy`: `Fifo` shows what the random walk itself costs.
pub fn w7_tcp_under(strategy: Strategy, connections: u64, pairs: u64, segmentation: bool) {
    use simloop::net::{self, TcpListener, TcpStream};
    let config = Config::default()
        .with_strategy(strategy)
        .with_world(w7_world(segmentation));
    let run = Sim::new(config).run(async move {
        let listener = TcpListener::bind("server:5432").await.unwrap();
        let server = net::spawn_on("server", async move {
            let mut handlers = Vec::new();
            for _ in 0..connections {
                let (mut stream, _) = listener.accept().await.unwrap();
                handlers.push(spawn(async move { workloads::w7_serve(&mut stream).await }));
            }
            let mut answered = 0;
            for handler in handlers {
                answered += handler.await.unwrap();
            }
            answered
        })
        .unwrap();
        let clients: Vec<_> = (0..connections)
            .map(|connection| {
                spawn(async move {
                    let mut stream = TcpStream::connect("server:5432").await.unwrap();
                    workloads::w7_client(&mut stream, connection, pairs).await
                })
            })
            .collect();
        let mut outcome = workloads::W7Outcome::default();
        for client in clients {
            outcome = outcome.plus(client.await.unwrap());
        }
        (outcome, server.await.unwrap())
    });
    let (outcome, answered) = run.unwrap();
    outcome.check(connections, pairs, "simloop");
    assert_eq!(
        answered,
        connections * pairs,
        "W7 simloop: the server answered every request"
    );
}
