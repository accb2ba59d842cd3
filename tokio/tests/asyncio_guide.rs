//! The asyncio guide's programs (`ASYNCIO.md` §2) in plain tokio idiom, run twice unchanged:
//! under `simloop::check` (virtual clock, every schedule of the sweep) and under tokio's own
//! `#[tokio::test(start_paused = true)]`. The timings are exact in both.

extern crate simloop_tokio as tokio;

use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, Semaphore};
use tokio::time::{sleep, Instant};

fn secs(start: Instant) -> u64 {
    let elapsed = start.elapsed();
    assert_eq!(
        elapsed.subsec_nanos(),
        0,
        "not on a whole second: {elapsed:?}"
    );
    elapsed.as_secs()
}

async fn fetch(start: Instant, delay: u64, done: Arc<Mutex<Vec<(u64, u64)>>>) -> u64 {
    sleep(Duration::from_secs(delay)).await;
    done.lock().unwrap().push((delay, secs(start)));
    delay * 10
}

/// Three fetches sleeping 1 s, 2 s and 3 s, spawned together: each done at its own delay, all
/// done at 3 s (not 6).
async fn concurrent_fetch() {
    let start = Instant::now();
    let done = Arc::new(Mutex::new(Vec::new()));
    let handles: Vec<_> = [1, 2, 3]
        .into_iter()
        .map(|delay| tokio::spawn(fetch(start, delay, done.clone())))
        .collect();
    let mut results = Vec::new();
    for handle in handles {
        results.push(handle.await.unwrap());
    }
    assert_eq!(results, [10, 20, 30]);
    let mut done = done.lock().unwrap().clone();
    done.sort();
    assert_eq!(done, [(1, 1), (2, 2), (3, 3)]);
    assert_eq!(secs(start), 3);
}

/// `Semaphore(3)` and ten fetches of 1 s: three start at 0, 1 and 2 s, the last at 3 s; all
/// done at 4 s; never more than three inside.
async fn bounded_fetches() {
    let start = Instant::now();
    let semaphore = Arc::new(Semaphore::new(3));
    let starts = Arc::new(Mutex::new(Vec::new()));
    let inside = Arc::new(Mutex::new((0, 0))); // (now, most)
    let handles: Vec<_> = (0..10u64)
        .map(|n| {
            let (semaphore, starts, inside) = (semaphore.clone(), starts.clone(), inside.clone());
            tokio::spawn(async move {
                let _permit = semaphore.acquire().await.unwrap();
                starts.lock().unwrap().push(secs(start));
                {
                    let mut inside = inside.lock().unwrap();
                    inside.0 += 1;
                    inside.1 = inside.1.max(inside.0);
                }
                sleep(Duration::from_secs(1)).await;
                inside.lock().unwrap().0 -= 1;
                n
            })
        })
        .collect();
    let mut results = Vec::new();
    for handle in handles {
        results.push(handle.await.unwrap());
    }
    assert_eq!(
        results,
        (0..10).collect::<Vec<_>>(),
        "results in argument order"
    );
    let mut starts = starts.lock().unwrap().clone();
    starts.sort();
    assert_eq!(starts, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]);
    assert_eq!(inside.lock().unwrap().1, 3);
    assert_eq!(secs(start), 4);
}

/// Producer (send, sleep 1 s, five items, then `None`) and consumer (receive, sleep 2 s):
/// produced at 0..=4 s, the end at 5 s, consumed at 0, 2, 4, 6, 8 s, in order; over at 10 s.
async fn producer_consumer() {
    let start = Instant::now();
    let (tx, mut rx) = mpsc::unbounded_channel::<Option<u32>>();
    let producer = tokio::spawn(async move {
        let mut produced = Vec::new();
        for item in 0..5 {
            tx.send(Some(item)).unwrap();
            produced.push(secs(start));
            sleep(Duration::from_secs(1)).await;
        }
        tx.send(None).unwrap();
        (produced, secs(start))
    });
    let consumer = tokio::spawn(async move {
        let mut consumed = Vec::new();
        while let Some(Some(item)) = rx.recv().await {
            consumed.push((item, secs(start)));
            sleep(Duration::from_secs(2)).await;
        }
        (consumed, secs(start))
    });
    let (produced, sentinel) = producer.await.unwrap();
    let (consumed, exit) = consumer.await.unwrap();
    assert_eq!(produced, [0, 1, 2, 3, 4]);
    assert_eq!(sentinel, 5);
    assert_eq!(consumed, [(0, 0), (1, 2), (2, 4), (3, 6), (4, 8)]);
    assert_eq!(exit, 10);
}

#[test]
fn concurrent_fetch_under_simloop() {
    simloop::check(|| async {
        assert!(simloop::is_simulating());
        concurrent_fetch().await
    });
}

#[tokio::test(start_paused = true)]
async fn concurrent_fetch_under_tokio() {
    assert!(!simloop::is_simulating());
    concurrent_fetch().await;
}

#[test]
fn bounded_fetches_under_simloop() {
    simloop::check(bounded_fetches);
}

#[tokio::test(start_paused = true)]
async fn bounded_fetches_under_tokio() {
    bounded_fetches().await;
}

#[test]
fn producer_consumer_under_simloop() {
    simloop::check(producer_consumer);
}

#[tokio::test(start_paused = true)]
async fn producer_consumer_under_tokio() {
    producer_consumer().await;
}

/// Under simloop the clock is virtual: a sweep over many seeds of a program that sleeps ten
/// seconds takes no wall time worth measuring.
#[test]
fn a_sweep_of_ten_virtual_seconds_is_fast() {
    let wall = std::time::Instant::now();
    simloop::check_with(
        simloop::Config::default().with_iterations(200),
        producer_consumer,
    );
    assert!(
        wall.elapsed() < Duration::from_secs(10),
        "{:?}",
        wall.elapsed()
    );
}
