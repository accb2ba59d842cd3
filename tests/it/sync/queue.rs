//! Queue, LifoQueue, PriorityQueue: CPython 3.13's orders and rules (ASYNCIO.md §1.10, §2).

use std::time::Duration;

use futures::{FutureExt, StreamExt};
use simloop::sync::{
    LifoQueue, PriorityQueue, Queue, QueueShutDown, TaskDoneError, TryGetError, TryPutError,
    ZeroCapacity,
};
use simloop::task::{spawn, spawn_named, yield_now, JoinError};
use simloop::time::{now, sleep, timeout};
use simloop::{Config, Sim, Strategy, TraceLevel};

use super::{fifo, panic_message, Log};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

// Blocked getters are served in the order they started waiting.
#[test]
fn getters_are_served_in_arrival_order() {
    let log = fifo(async {
        let queue = Queue::unbounded();
        let log = Log::default();
        let getters: Vec<_> = ["g0", "g1", "g2"]
            .into_iter()
            .map(|name| {
                let (queue, log) = (queue.clone(), log.clone());
                spawn(async move { log.push((name, queue.get().await.unwrap())) })
            })
            .collect();
        yield_now().await; // all three are waiting now
        for item in ["a", "b", "c"] {
            queue.put(item).await.unwrap();
        }
        for getter in getters {
            getter.await.unwrap();
        }
        log.take()
    });
    assert_eq!(log, [("g0", "a"), ("g1", "b"), ("g2", "c")]);
}

// Blocked putters of a full queue get in in the order they started waiting.
#[test]
fn putters_are_served_in_arrival_order() {
    let order = fifo(async {
        let queue = Queue::bounded(1);
        queue.put(0).await.unwrap();
        let putters: Vec<_> = (1..=3)
            .map(|i| {
                let queue = queue.clone();
                spawn(async move { queue.put(i).await.unwrap() })
            })
            .collect();
        yield_now().await;
        let mut order = Vec::new();
        for _ in 0..4 {
            order.push(queue.get().await.unwrap());
        }
        for putter in putters {
            putter.await.unwrap();
        }
        order
    });
    assert_eq!(order, [0, 1, 2, 3]);
}

// No hand-off: a woken getter whose item was taken meanwhile waits again at the tail.
#[test]
fn woken_getter_requeues_at_the_tail_when_its_item_is_stolen() {
    let log = fifo(async {
        let queue = Queue::unbounded();
        let log = Log::default();
        let getters: Vec<_> = ["A", "B"]
            .into_iter()
            .map(|name| {
                let (queue, log) = (queue.clone(), log.clone());
                spawn(async move { log.push((name, queue.get().await.unwrap())) })
            })
            .collect();
        yield_now().await;
        queue.put(1).await.unwrap(); // wakes A
        assert_eq!(queue.try_get(), Ok(1)); // ...and steals its item
        yield_now().await; // A runs, finds nothing, queues behind B
        queue.put(2).await.unwrap();
        queue.put(3).await.unwrap();
        for getter in getters {
            getter.await.unwrap();
        }
        log.take()
    });
    assert_eq!(log, [("B", 2), ("A", 3)]);
}

// A getter woken and then aborted before it ran passes the wake-up on: no lost item.
#[test]
fn woken_then_aborted_getter_passes_the_wake_up_on() {
    fifo(async {
        let queue = Queue::unbounded();
        let first = {
            let queue = queue.clone();
            spawn(async move { queue.get().await })
        };
        let second = {
            let queue = queue.clone();
            spawn(async move { queue.get().await })
        };
        yield_now().await;
        queue.put("item").await.unwrap(); // wakes `first`
        first.abort(); // dropped at its next scheduling point, before it takes the item
        assert_eq!(first.await, Err(JoinError::Cancelled));
        assert_eq!(second.await, Ok(Ok("item")));
    });
}

// A putter woken and then aborted before it ran passes the free slot on.
#[test]
fn woken_then_aborted_putter_passes_the_slot_on() {
    fifo(async {
        let queue = Queue::bounded(1);
        queue.put(0).await.unwrap();
        let first = {
            let queue = queue.clone();
            spawn(async move { queue.put(1).await })
        };
        let second = {
            let queue = queue.clone();
            spawn(async move { queue.put(2).await })
        };
        yield_now().await;
        assert_eq!(queue.try_get(), Ok(0)); // wakes `first`
        first.abort();
        assert_eq!(first.await, Err(JoinError::Cancelled));
        assert_eq!(second.await, Ok(Ok(())));
        assert_eq!(queue.try_get(), Ok(2));
    });
}

// LifoQueue pops newest first and PriorityQueue smallest first, ties in insertion order.
#[test]
fn lifo_and_priority_orders() {
    let lifo = LifoQueue::unbounded();
    let priority = PriorityQueue::unbounded();
    for i in [1, 3, 2] {
        lifo.try_put(i).unwrap();
        priority.try_put(i).unwrap();
    }
    let drain = |get: &dyn Fn() -> Option<i32>| std::iter::from_fn(get).collect::<Vec<_>>();
    assert_eq!(drain(&|| lifo.try_get().ok()), [2, 3, 1]);
    assert_eq!(drain(&|| priority.try_get().ok()), [1, 2, 3]);

    #[derive(Debug, PartialEq, Eq)]
    struct Job(u8, &'static str);
    impl PartialOrd for Job {
        fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for Job {
        fn cmp(&self, other: &Self) -> std::cmp::Ordering {
            self.0.cmp(&other.0) // priority only: names tie
        }
    }
    let jobs = PriorityQueue::unbounded();
    for job in [
        Job(2, "c"),
        Job(1, "a"),
        Job(2, "d"),
        Job(1, "b"),
        Job(0, "z"),
    ] {
        jobs.try_put(job).unwrap();
    }
    let names: Vec<_> = std::iter::from_fn(|| jobs.try_get().ok().map(|j| j.1)).collect();
    assert_eq!(names, ["z", "a", "b", "c", "d"]);
}

// Graceful shutdown: blocked putters fail with their item, getters drain then fail.
#[test]
fn graceful_shutdown_wakes_everyone_and_drains() {
    fifo(async {
        let full = Queue::bounded(1);
        full.put("kept").await.unwrap();
        let putter = {
            let full = full.clone();
            spawn(async move { full.put("refused").await })
        };
        let empty = Queue::<u8>::unbounded();
        let getter = {
            let empty = empty.clone();
            spawn(async move { empty.get().await })
        };
        yield_now().await;
        full.shutdown();
        empty.shutdown();
        assert_eq!(putter.await.unwrap(), Err(QueueShutDown("refused")));
        assert_eq!(getter.await.unwrap(), Err(QueueShutDown(())));
        assert_eq!(full.try_put("late"), Err(TryPutError::ShutDown("late")));
        assert_eq!(full.get().await, Ok("kept"));
        assert_eq!(full.get().await, Err(QueueShutDown(())));
        assert_eq!(full.try_get(), Err(TryGetError::ShutDown));
    });
}

// Immediate shutdown discards items (returned in get order), counts them done, fails getters.
#[test]
fn immediate_shutdown_discards_and_releases_join() {
    fifo(async {
        let queue = PriorityQueue::unbounded();
        for i in [3, 1, 2] {
            queue.put(i).await.unwrap();
        }
        let joiner = {
            let queue = queue.clone();
            spawn(async move {
                queue.join().await;
                now()
            })
        };
        sleep(secs(1)).await;
        assert_eq!(queue.shutdown_immediate(), [1, 2, 3]);
        assert_eq!(joiner.await.unwrap().since_start(), secs(1));
        assert_eq!(queue.get().await, Err(QueueShutDown(())));
        assert_eq!(queue.task_done(), Err(TaskDoneError));
    });
}

// join waits for every item to be marked done; task_done too often is an error value.
#[test]
fn join_waits_for_task_done_and_too_many_is_an_error() {
    fifo(async {
        let queue = Queue::unbounded();
        for i in 0..3 {
            queue.put(i).await.unwrap();
        }
        let worker = {
            let queue = queue.clone();
            spawn(async move {
                while let Ok(_item) = queue.get().await {
                    sleep(secs(1)).await;
                    queue.task_done().unwrap();
                }
            })
        };
        queue.join().await;
        assert_eq!(now().since_start(), secs(3));
        assert_eq!(queue.task_done(), Err(TaskDoneError));
        queue.shutdown();
        worker.await.unwrap();
    });
}

// A queue's stream yields every item and ends once the queue is shut down and drained.
#[test]
fn stream_ends_after_shutdown_and_drain() {
    let (seen, end) = fifo(async {
        let queue = Queue::bounded(2);
        let producer = {
            let queue = queue.clone();
            spawn(async move {
                for i in 0..5 {
                    queue.put(i).await.unwrap();
                    sleep(secs(1)).await;
                }
                queue.shutdown();
            })
        };
        let mut stream = queue.stream();
        let mut seen = Vec::new();
        while let Some(item) = stream.next().await {
            seen.push(item);
        }
        assert!(futures::stream::FusedStream::is_terminated(&stream));
        producer.await.unwrap();
        (seen, now().since_start())
    });
    assert_eq!(seen, [0, 1, 2, 3, 4]);
    assert_eq!(end, secs(5));
}

// A get that loses a select! or a timeout is dropped without taking an item.
#[test]
fn combinators_lose_no_item() {
    fifo(async {
        let queue = Queue::unbounded();
        futures::select! {
            _ = queue.get().fuse() => unreachable!("nothing was put"),
            _ = sleep(secs(1)).fuse() => {}
        }
        assert!(timeout(secs(1), queue.get()).await.is_err());
        let (put, got) = futures::join!(queue.put(7), queue.get());
        assert_eq!((put, got), (Ok(()), Ok(7)));
        queue.put(8).await.unwrap();
        assert_eq!(queue.get().await, Ok(8));
    });
}

// bounded(0) is refused with a message that says what to use instead.
#[test]
fn zero_capacity_is_refused() {
    let message = panic_message(async {
        let _ = Queue::<u8>::bounded(0);
    });
    assert!(message.contains("Queue::bounded(0)"), "{message}");
    assert!(message.contains("use unbounded()"), "{message}");
    assert_eq!(Queue::<u8>::try_bounded(0).unwrap_err(), ZeroCapacity);
    assert_eq!(LifoQueue::<u8>::try_bounded(0).unwrap_err(), ZeroCapacity);
    assert_eq!(
        PriorityQueue::<u8>::try_bounded(0).unwrap_err(),
        ZeroCapacity
    );
}

// The seed document's producer/consumer prints CPython's timeline on the virtual clock (§2).
#[test]
fn producer_consumer_timeline_matches_asyncio() {
    let config = Config::default()
        .with_strategy(Strategy::Fifo)
        .with_trace(TraceLevel::Full);
    let run = Sim::new(config).run(async {
        let queue: Queue<Option<String>> = Queue::unbounded().with_name("queue");
        let producer = {
            let queue = queue.clone();
            spawn_named("producer", async move {
                for i in 0..5 {
                    let item = format!("item-{i}");
                    queue.put(Some(item.clone())).await.unwrap();
                    simloop::log!("Produced {item}");
                    sleep(secs(1)).await;
                }
                queue.put(None).await.unwrap();
                now()
            })
        };
        let consumer = spawn_named("consumer", async move {
            while let Some(item) = queue.get().await.unwrap() {
                simloop::log!("Consumed {item}");
                sleep(secs(2)).await;
            }
            now()
        });
        let sentinel_at = producer.await.unwrap();
        let exit_at = consumer.await.unwrap();
        (sentinel_at.since_start(), exit_at.since_start())
    });
    assert_eq!(run.result.as_ref().ok(), Some(&(secs(5), secs(10))));
    assert_eq!(run.elapsed, secs(10));
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots")}, {
        insta::assert_snapshot!("sync_producer_consumer", run.trace.user_lines());
    });
}
