//! The workloads on tokio's current-thread runtime with paused time: tokio's own primitives,
//! written the way a tokio user would (Arc-shared state, `tokio::spawn`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, Semaphore};
use tokio::time::{sleep, Instant};

use simloop_programs::bench::workloads::{self, W6Outcome};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a current-thread runtime")
}

pub fn w1_timers(durations: &[[Duration; 3]]) {
    let elapsed = runtime().block_on(async {
        let start = Instant::now();
        let handles: Vec<_> = durations
            .iter()
            .map(|&sleeps| {
                tokio::spawn(async move {
                    for duration in sleeps {
                        sleep(duration).await;
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
        start.elapsed()
    });
    assert_eq!(elapsed, workloads::w1_expected_end(durations), "W1 tokio");
}

pub fn w2_queue(messages: u64) {
    let sum = runtime().block_on(async move {
        let (tx, mut rx) = mpsc::channel(16);
        let producer = tokio::spawn(async move {
            for value in 0..messages {
                tx.send(value).await.unwrap();
            }
        });
        let mut sum = 0;
        while let Some(value) = rx.recv().await {
            sum += value;
        }
        producer.await.unwrap();
        sum
    });
    assert_eq!(sum, workloads::triangle(messages), "W2 tokio");
}

pub fn w3_semaphore(tasks: usize) {
    let (elapsed, peak) = runtime().block_on(async move {
        let start = Instant::now();
        let semaphore = Arc::new(Semaphore::new(3));
        let in_use = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let (semaphore, in_use, peak) = (semaphore.clone(), in_use.clone(), peak.clone());
                tokio::spawn(async move {
                    let _permit = semaphore.acquire().await.unwrap();
                    let now_in_use = in_use.fetch_add(1, Ordering::Relaxed) + 1;
                    peak.fetch_max(now_in_use, Ordering::Relaxed);
                    sleep(Duration::from_millis(10)).await;
                    in_use.fetch_sub(1, Ordering::Relaxed);
                })
            })
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
        (start.elapsed(), peak.load(Ordering::Relaxed))
    });
    assert_eq!(peak, 3, "W3 tokio: peak in use");
    assert_eq!(elapsed, workloads::w3_expected_end(tasks), "W3 tokio: end");
}

pub fn w4_spawn_join(tasks: u64) {
    let sum = runtime().block_on(async move {
        let handles: Vec<_> = (0..tasks).map(|i| tokio::spawn(async move { i })).collect();
        let mut sum = 0;
        for handle in handles {
            sum += handle.await.unwrap();
        }
        sum
    });
    assert_eq!(sum, workloads::triangle(tasks), "W4 tokio");
}

pub fn w5_ping_pong(round_trips: u64) {
    let token = runtime().block_on(async move {
        let (to_pong, mut pong_in) = mpsc::channel::<u64>(1);
        let (to_ping, mut ping_in) = mpsc::channel::<u64>(1);
        let pong = tokio::spawn(async move {
            while let Some(token) = pong_in.recv().await {
                if to_ping.send(token + 1).await.is_err() {
                    break;
                }
            }
        });
        let mut token = 0;
        for _ in 0..round_trips {
            to_pong.send(token + 1).await.unwrap();
            token = ping_in.recv().await.unwrap();
        }
        drop(to_pong);
        pong.await.unwrap();
        token
    });
    assert_eq!(token, 2 * round_trips, "W5 tokio");
}

pub fn w6_one_seed(seed: u64) {
    let outcome = runtime().block_on(async move {
        let semaphore = Arc::new(Semaphore::new(3));
        let in_use = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let (tx, mut rx) = mpsc::channel(4);
        for worker in 0..workloads::W6_WORKERS {
            let (semaphore, in_use, peak) = (semaphore.clone(), in_use.clone(), peak.clone());
            let tx = tx.clone();
            let [first, second, third] = workloads::w6_sleeps(seed, worker);
            tokio::spawn(async move {
                sleep(first).await;
                let permit = semaphore.acquire().await.unwrap();
                peak.fetch_max(
                    in_use.fetch_add(1, Ordering::Relaxed) + 1,
                    Ordering::Relaxed,
                );
                sleep(second).await;
                for item in 0..workloads::W6_ITEMS_PER_WORKER {
                    tx.send(worker * workloads::W6_ITEMS_PER_WORKER + item)
                        .await
                        .unwrap();
                }
                in_use.fetch_sub(1, Ordering::Relaxed);
                drop(permit);
                sleep(third).await;
            });
        }
        drop(tx);
        let (mut items, mut sum) = (0, 0);
        while items < workloads::W6_ITEMS {
            sum += rx.recv().await.unwrap();
            items += 1;
            if items % 5 == 0 {
                sleep(Duration::from_millis(1)).await;
            }
        }
        W6Outcome {
            items,
            sum,
            peak_in_use: peak.load(Ordering::Relaxed),
        }
    });
    outcome.check();
}
