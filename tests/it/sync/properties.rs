//! Invariants of every primitive over many seeds of the `Random` strategy, with tasks aborted
//! and operations timed out at random points: nothing lost, duplicated, reordered, stranded.

use std::cell::Cell;
use std::collections::VecDeque;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use simloop::random::random_range;
use simloop::sync::{Barrier, Condition, Lock, Queue, Semaphore, TryPutError};
use simloop::task::{spawn, yield_now, JoinHandle};
use simloop::time::{now, sleep, timeout};
use simloop::{Config, Sim, Strategy};

use super::Log;

/// Seeds each property runs.
const SEEDS: u64 = 1_000;

/// Runs `make()` under `Random` for seeds `0..SEEDS`; any failure names its seed.
#[track_caller]
fn sweep<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    for seed in 0..SEEDS {
        let config = Config::default()
            .with_strategy(Strategy::Random)
            .with_seed(seed)
            .with_max_steps(100_000)
            .with_max_time(Duration::from_secs(60));
        if let Err(failure) = Sim::new(config).run(make()).result {
            panic!("seed {seed} failed:\n{failure}");
        }
    }
}

fn millis(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A random pause: nothing, a bare yield, or 1-2 ms.
async fn jitter() {
    match random_range(0..4u8) {
        0 => {}
        1 => yield_now().await,
        n => sleep(millis(u64::from(n) - 1)).await,
    }
}

/// Waits (bounded by the run's time limit) until `done()` holds.
async fn until(done: impl Fn() -> bool) {
    while !done() {
        sleep(millis(1)).await;
    }
}

async fn join_all<T>(handles: Vec<JoinHandle<T>>) {
    for handle in handles {
        let _ = handle.await;
    }
}

// A queue never loses or duplicates an item, and keeps each producer's order.
#[test]
fn queue_delivers_every_item_once_in_producer_order() {
    sweep(|| async {
        let queue = Queue::bounded(random_range(1..=3usize));
        let got = Log::default();
        let producers: Vec<_> = (0..3u32)
            .map(|p| {
                let queue = queue.clone();
                spawn(async move {
                    for seq in 0..6u32 {
                        jitter().await;
                        match queue.try_put((p, seq)) {
                            Ok(()) => {}
                            Err(TryPutError::Full(item)) => queue.put(item).await.unwrap(),
                            Err(error) => panic!("{error}"),
                        }
                    }
                })
            })
            .collect();
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let (queue, got) = (queue.clone(), got.clone());
                spawn(async move {
                    while let Ok(item) = queue.get().await {
                        got.push(item);
                        jitter().await;
                    }
                })
            })
            .collect();
        join_all(producers).await;
        queue.shutdown();
        join_all(consumers).await;
        let got = got.take();
        let mut sorted = got.clone();
        sorted.sort_unstable();
        let all: Vec<_> = (0..3).flat_map(|p| (0..6).map(move |s| (p, s))).collect();
        assert_eq!(sorted, all, "lost or duplicated items: {got:?}");
        for p in 0..3 {
            let order: Vec<_> = got
                .iter()
                .filter(|(q, _)| *q == p)
                .map(|(_, s)| *s)
                .collect();
            assert_eq!(order, (0..6).collect::<Vec<_>>(), "producer {p} reordered");
        }
    });
}

// peak_in_use never exceeds the permits, and reaches them when demand exceeds them.
#[test]
fn semaphore_bounds_concurrency_exactly() {
    sweep(|| async {
        let permits = random_range(1..=4usize);
        let tasks = random_range(1..=10usize);
        let semaphore = Semaphore::new(permits);
        let inside = Rc::new(Cell::new(0usize));
        let workers: Vec<_> = (0..tasks)
            .map(|_| {
                let (semaphore, inside) = (semaphore.clone(), inside.clone());
                spawn(async move {
                    // Only yields: every task asks at t=0, so demand is real.
                    if random_range(0..2u8) == 0 {
                        yield_now().await;
                    }
                    let _permit = semaphore.acquire().await;
                    inside.set(inside.get() + 1);
                    assert!(inside.get() <= permits, "{} inside {permits}", inside.get());
                    sleep(millis(random_range(1..=3u64))).await;
                    inside.set(inside.get() - 1);
                })
            })
            .collect();
        join_all(workers).await;
        assert!(semaphore.peak_in_use() <= permits);
        assert_eq!(semaphore.peak_in_use(), permits.min(tasks));
        assert_eq!(semaphore.available_permits(), permits);
    });
}

// A lock is never held by two tasks at once, and no update is lost.
#[test]
fn lock_is_never_held_twice() {
    sweep(|| async {
        let lock = Lock::new(0u32);
        let held = Rc::new(Cell::new(false));
        let workers: Vec<_> = (0..5)
            .map(|_| {
                let (lock, held) = (lock.clone(), held.clone());
                spawn(async move {
                    for _ in 0..3 {
                        jitter().await;
                        let mut guard = lock.lock().await;
                        assert!(!held.replace(true), "the lock was held twice");
                        let read = *guard;
                        jitter().await;
                        *guard = read + 1;
                        held.set(false);
                    }
                })
            })
            .collect();
        join_all(workers).await;
        assert_eq!(*lock.lock().await, 15);
    });
}

// Aborting lock holders and waiters at random points never strands the lock or loses an update.
#[test]
fn lock_aborts_strand_no_wake_up() {
    sweep(|| async {
        let lock = Lock::new(0u32);
        let done = Rc::new(Cell::new(0u32));
        let workers: Vec<_> = (0..5)
            .map(|_| {
                let (lock, done) = (lock.clone(), done.clone());
                spawn(async move {
                    for _ in 0..3 {
                        jitter().await;
                        let mut guard = lock.lock().await;
                        jitter().await; // an abort here drops the guard: the lock is released
                        *guard += 1;
                        done.set(done.get() + 1);
                    }
                })
            })
            .collect();
        for worker in &workers {
            sleep(millis(random_range(0..2u64))).await;
            if random_range(0..3u8) == 0 {
                worker.abort();
            }
        }
        join_all(workers).await;
        assert!(!lock.is_locked());
        assert_eq!(*lock.lock().await, done.get());
    });
}

// Aborting or timing out waiters at random points never strands a permit.
#[test]
fn semaphore_aborts_strand_no_permit() {
    sweep(|| async {
        let permits = random_range(1..=3usize);
        let semaphore = Semaphore::new(permits);
        let workers: Vec<_> = (0..6)
            .map(|_| {
                let semaphore = semaphore.clone();
                spawn(async move {
                    jitter().await;
                    let permit = if random_range(0..2u8) == 0 {
                        semaphore.acquire().await
                    } else {
                        match timeout(millis(random_range(0..3u64)), semaphore.acquire()).await {
                            Ok(permit) => permit,
                            Err(_) => return,
                        }
                    };
                    sleep(millis(random_range(0..3u64))).await;
                    drop(permit);
                })
            })
            .collect();
        for worker in &workers {
            sleep(millis(random_range(0..2u64))).await;
            if random_range(0..3u8) == 0 {
                worker.abort();
            }
        }
        join_all(workers).await;
        assert_eq!(semaphore.in_use(), 0);
        assert_eq!(semaphore.available_permits(), permits);
        let all: Vec<_> = (0..permits)
            .map(|_| semaphore.try_acquire().unwrap())
            .collect();
        assert_eq!(all.len(), permits);
    });
}

// Aborting producers and consumers at random points never strands an item or a wake-up:
// the surviving consumer takes every item that went in, before the queue is shut down.
#[test]
fn queue_aborts_strand_no_item_or_wake_up() {
    sweep(|| async {
        let queue = Queue::bounded(random_range(1..=2usize));
        let (put, got) = (Log::default(), Log::default());
        let mut handles = Vec::new();
        for p in 0..3u32 {
            let (queue, put) = (queue.clone(), put.clone());
            handles.push(spawn(async move {
                for seq in 0..4 {
                    jitter().await;
                    queue.put((p, seq)).await.unwrap();
                    put.push((p, seq));
                }
            }));
        }
        for c in 0..3 {
            let (queue, got) = (queue.clone(), got.clone());
            handles.push(spawn(async move {
                loop {
                    let item = if c == 0 {
                        queue.get().await // the survivor waits plainly
                    } else {
                        match timeout(millis(random_range(0..3u64)), queue.get()).await {
                            Ok(item) => item,
                            Err(_) => continue,
                        }
                    };
                    let Ok(item) = item else { break };
                    got.push(item);
                    jitter().await;
                }
            }));
        }
        // Abort some tasks, never the survivor (index 3).
        for (index, handle) in handles.iter().enumerate() {
            sleep(millis(random_range(0..2u64))).await;
            if index != 3 && random_range(0..3u8) == 0 {
                handle.abort();
            }
        }
        let producers_done = || handles[..3].iter().all(JoinHandle::is_finished);
        until(|| producers_done() && got.snapshot().len() == put.snapshot().len()).await;
        assert!(queue.is_empty(), "an item was left behind at {}", now());
        queue.shutdown();
        join_all(handles).await;
        let (mut put, mut got) = (put.take(), got.take());
        put.sort_unstable();
        got.sort_unstable();
        assert_eq!(put, got);
    });
}

// Aborting condition waiters never loses a notification: every item pushed is consumed.
#[test]
fn condition_aborts_lose_no_notification() {
    sweep(|| async {
        let cond = Condition::new(VecDeque::new());
        let (pushed, got) = (Log::default(), Log::default());
        // Consumer 0 is never aborted; the others may be, right after a notification.
        let consumers: Vec<_> = (0..4)
            .map(|_| {
                let (cond, got) = (cond.clone(), got.clone());
                spawn(async move {
                    loop {
                        let guard = cond.lock().await;
                        let mut guard = cond.wait_for(guard, |items| !items.is_empty()).await;
                        let item: u32 = guard.pop_front().unwrap();
                        drop(guard);
                        got.push(item);
                        jitter().await;
                    }
                })
            })
            .collect();
        for item in 0..8u32 {
            jitter().await;
            let mut guard = cond.lock().await;
            guard.push_back(item);
            pushed.push(item);
            cond.notify(1);
            drop(guard);
            if random_range(0..2u8) == 0 {
                consumers[random_range(1..consumers.len())].abort();
            }
        }
        until(|| got.snapshot().len() == pushed.snapshot().len()).await;
        for consumer in &consumers {
            consumer.abort();
        }
        join_all(consumers).await;
        let mut got = got.take();
        got.sort_unstable();
        assert_eq!(got, pushed.take());
        assert!(!cond.lock_handle().is_locked());
    });
}

// The seed's producer/consumer keeps its invariants under every schedule (ASYNCIO.md §2).
#[test]
fn producer_consumer_invariants_hold_in_every_schedule() {
    sweep(|| async {
        let queue = Queue::unbounded();
        let producer = {
            let queue = queue.clone();
            spawn(async move {
                for i in 0..5 {
                    queue.put(Some(i)).await.unwrap();
                    sleep(Duration::from_secs(1)).await;
                }
                queue.put(None).await.unwrap();
            })
        };
        let mut consumed = Vec::new();
        while let Some(item) = queue.get().await.unwrap() {
            consumed.push(item);
            sleep(Duration::from_secs(2)).await;
        }
        producer.await.unwrap();
        assert_eq!(consumed, [0, 1, 2, 3, 4]);
        assert_eq!(now().since_start(), Duration::from_secs(10));
    });
}

// Each round of a barrier hands out every arrival index exactly once.
#[test]
fn barrier_rounds_hand_out_each_index_once() {
    sweep(|| async {
        let barrier = Barrier::new(3);
        let indices = Log::default();
        let parties: Vec<_> = (0..3)
            .map(|_| {
                let (barrier, indices) = (barrier.clone(), indices.clone());
                spawn(async move {
                    for round in 0..3 {
                        jitter().await;
                        indices.push((round, barrier.wait().await.unwrap()));
                    }
                })
            })
            .collect();
        join_all(parties).await;
        let mut indices = indices.take();
        indices.sort_unstable();
        let expected: Vec<_> = (0..3).flat_map(|r| (0..3).map(move |i| (r, i))).collect();
        assert_eq!(indices, expected);
    });
}
