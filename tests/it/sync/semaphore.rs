//! Semaphore: CPython 3.13's FIFO and reservation rules (ASYNCIO.md §1.11, §2).

use std::time::Duration;

use simloop::sync::{Semaphore, TryAcquireError};
use simloop::task::{spawn, yield_now, JoinError};
use simloop::time::{now, sleep, timeout};

use super::{fifo, Log};

// Ten fetches through Semaphore(3) start in waves of three and end at 4L (§2).
#[test]
fn ten_fetches_run_three_at_a_time() {
    let latency = Duration::from_millis(250);
    let (starts, results, end, peak) = fifo(async move {
        let limit = Semaphore::new(3).with_name("fetch");
        let log = Log::default();
        let fetches: Vec<_> = (0..10)
            .map(|i| {
                let (limit, log) = (limit.clone(), log.clone());
                spawn(async move {
                    let _permit = limit.acquire().await;
                    log.at(format!("start {i}"));
                    sleep(latency).await;
                    i * 10
                })
            })
            .collect();
        let mut results = Vec::new();
        for fetch in fetches {
            results.push(fetch.await.unwrap());
        }
        (
            log.take(),
            results,
            now().since_start(),
            limit.peak_in_use(),
        )
    });
    let expected: Vec<(u64, String)> = (0..10)
        .map(|i| ((i / 3) * 250, format!("start {i}")))
        .collect();
    assert_eq!(starts, expected);
    assert_eq!(results, (0..10).map(|i| i * 10).collect::<Vec<_>>());
    assert_eq!(end, latency * 4);
    assert_eq!(peak, 3);
}

// A released permit is reserved for the waiter it wakes; newcomers queue behind it.
#[test]
fn nobody_barges_past_a_queued_waiter() {
    let order = fifo(async {
        let semaphore = Semaphore::new(1);
        let log = Log::default();
        let permit = semaphore.acquire().await;
        let waiter = {
            let (semaphore, log) = (semaphore.clone(), log.clone());
            spawn(async move {
                let _permit = semaphore.acquire().await;
                log.push("waiter");
            })
        };
        yield_now().await;
        drop(permit); // reserved for `waiter`, which has not run yet
        assert_eq!(semaphore.available_permits(), 0);
        assert_eq!(
            semaphore.try_acquire().unwrap_err(),
            TryAcquireError::NoPermits
        );
        semaphore.add_permits(1); // free, but `waiter` is still queued: no barging
        assert_eq!(
            semaphore.try_acquire().unwrap_err(),
            TryAcquireError::Queued
        );
        let _mine = semaphore.acquire().await;
        log.push("main");
        waiter.await.unwrap();
        log.take()
    });
    assert_eq!(order, ["waiter", "main"]);
}

// CPython 3.13's test_acquire_fifo_order_4: a woken waiter wakes every waiter permits allow.
#[test]
fn woken_waiter_wakes_as_many_as_permits_allow() {
    let result = fifo(async {
        let semaphore = Semaphore::new(0);
        let log = Log::default();
        let c1 = {
            let (semaphore, log) = (semaphore.clone(), log.clone());
            spawn(async move {
                let permit = semaphore.acquire().await;
                // Our wake-up woke c2 and c3 too, with the two spare permits.
                assert_eq!(semaphore.available_permits(), 0);
                let c4 = {
                    let log = log.clone();
                    spawn(async move { log.push(4) })
                };
                log.push(1);
                (permit, c4)
            })
        };
        let c2 = {
            let (semaphore, log) = (semaphore.clone(), log.clone());
            spawn(async move {
                semaphore.add_permits(1);
                semaphore.add_permits(1);
                semaphore.add_permits(1);
                assert_eq!(semaphore.available_permits(), 2);
                // Locked: c1 was woken but has not run yet.
                assert!(semaphore.try_acquire().is_err());
                let permit = semaphore.acquire().await;
                log.push(2);
                permit
            })
        };
        let c3 = {
            let (semaphore, log) = (semaphore.clone(), log.clone());
            spawn(async move {
                let permit = semaphore.acquire().await;
                log.push(3);
                permit
            })
        };
        let (_p1, c4) = c1.await.unwrap();
        let _p2 = c2.await.unwrap();
        let _p3 = c3.await.unwrap();
        c4.await.unwrap();
        assert_eq!(semaphore.peak_in_use(), 3);
        log.take()
    });
    assert_eq!(result, [1, 2, 3, 4]);
}

// A waiter woken and then aborted gives its reserved permit back and wakes the next one.
#[test]
fn woken_then_aborted_waiter_gives_the_permit_back() {
    fifo(async {
        let semaphore = Semaphore::new(1);
        let permit = semaphore.acquire().await;
        let first = {
            let semaphore = semaphore.clone();
            spawn(async move { drop(semaphore.acquire().await) })
        };
        let second = {
            let semaphore = semaphore.clone();
            spawn(async move { semaphore.acquire().await })
        };
        yield_now().await;
        drop(permit); // reserved for `first`
        first.abort();
        assert_eq!(first.await, Err(JoinError::Cancelled));
        let held = second.await.unwrap();
        assert_eq!(semaphore.in_use(), 1);
        drop(held);
        assert_eq!(semaphore.available_permits(), 1);
        assert_eq!(semaphore.peak_in_use(), 1);
    });
}

// An acquire that times out leaves the queue and strands nothing.
#[test]
fn timed_out_acquire_strands_nothing() {
    fifo(async {
        let semaphore = Semaphore::new(1);
        let permit = semaphore.acquire().await;
        let waited = timeout(Duration::from_secs(1), semaphore.acquire()).await;
        assert!(waited.is_err());
        drop(permit);
        assert_eq!(semaphore.available_permits(), 1);
        let _again = semaphore.try_acquire().unwrap();
        assert_eq!(now().since_start(), Duration::from_secs(1));
    });
}

// Acquires driven by join!/select!/FuturesUnordered in one task follow the same rules.
#[test]
fn combinators_follow_the_same_rules() {
    use futures::stream::{FuturesUnordered, StreamExt};
    use futures::FutureExt;

    fifo(async {
        let semaphore = Semaphore::new(2);
        let (a, b) = futures::join!(semaphore.acquire(), semaphore.acquire());
        futures::select! {
            _ = semaphore.acquire().fuse() => unreachable!("no permit is free"),
            _ = sleep(Duration::from_millis(5)).fuse() => {}
        }
        drop((a, b));
        let mut many: FuturesUnordered<_> = (0..4).map(|_| semaphore.acquire()).collect();
        let first = many.next().await.unwrap();
        let second = many.next().await.unwrap();
        assert_eq!(semaphore.in_use(), 2);
        drop((first, second));
        let rest: Vec<_> = many.collect().await;
        assert_eq!(rest.len(), 2);
        assert_eq!(semaphore.peak_in_use(), 2);
    });
}

fn panic_message(outcome: std::thread::Result<()>) -> String {
    let payload = outcome.expect_err("expected a panic");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

// More permits than the documented maximum are refused where they are asked for, so the count
// can never overflow however permits are released later.
#[test]
fn permits_beyond_the_maximum_panic_at_the_call() {
    let max = usize::MAX >> 3;
    let message = panic_message(std::panic::catch_unwind(|| {
        Semaphore::new(usize::MAX);
    }));
    assert!(message.contains("Semaphore::new"), "{message}");
    assert!(message.contains("MAX_PERMITS"), "{message}");
    assert_eq!(Semaphore::new(max).available_permits(), max);

    // Held and free permits count alike: one held, one more added would exceed the maximum.
    let full = Semaphore::new(max);
    let permit = full.try_acquire().unwrap();
    let message = panic_message(std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        || {
            full.add_permits(1);
        },
    )));
    assert!(message.contains("add_permits(1)"), "{message}");
    assert!(message.contains("MAX_PERMITS"), "{message}");
    drop(permit);
    assert_eq!(full.available_permits(), max);
    assert_eq!(full.in_use(), 0);
}

// The overflow once reported as a panic inside simloop in the user's task: the same sequence
// in a simulation now fails at the user's add_permits call, naming the limit.
#[test]
fn add_permits_past_the_maximum_fails_the_task_that_called_it() {
    let run = simloop::Sim::new(simloop::Config::default()).run(async {
        let semaphore = Semaphore::new(usize::MAX >> 3);
        let _permit = semaphore.acquire().await;
        semaphore.add_permits(1);
    });
    let report = run.result.unwrap_err().to_string();
    assert!(report.contains("MAX_PERMITS"), "{report}");
    assert!(report.contains("tests/it/sync/semaphore.rs"), "{report}");
}
