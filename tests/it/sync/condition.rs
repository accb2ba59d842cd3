//! Condition: notify order, lock re-acquisition, no lost notification (ASYNCIO.md §1.14).

use simloop::sync::{Condition, Lock};
use simloop::task::{spawn, yield_now, JoinError, JoinHandle};

use super::{fifo, panic_message, Log};

/// A task that waits once on `cond` and then logs `id`, holding the lock.
fn waiter(cond: &Condition<u32>, log: &Log<u32>, id: u32) -> JoinHandle<()> {
    let (cond, log) = (cond.clone(), log.clone());
    spawn(async move {
        let guard = cond.lock().await;
        let mut guard = cond.wait(guard).await;
        *guard += 1;
        log.push(id);
    })
}

// notify(n) wakes the n longest-waiting tasks, in wait order; notify_all wakes the rest.
#[test]
fn notify_wakes_in_wait_order() {
    let (after_two, all, woken) = fifo(async {
        let cond = Condition::new(0);
        let log = Log::default();
        let waiters: Vec<_> = (0..4).map(|id| waiter(&cond, &log, id)).collect();
        yield_now().await;
        {
            let _guard = cond.lock().await;
            cond.notify(2);
        }
        yield_now().await;
        yield_now().await;
        let after_two = log.snapshot();
        {
            let _guard = cond.lock().await;
            cond.notify_all();
        }
        for handle in waiters {
            handle.await.unwrap();
        }
        let woken = *cond.lock().await;
        (after_two, log.take(), woken)
    });
    assert_eq!(after_two, [0, 1]);
    assert_eq!(all, [0, 1, 2, 3]);
    assert_eq!(woken, 4);
}

// wait_for re-checks its predicate after each notification, with the lock held.
#[test]
fn wait_for_loops_until_the_predicate_holds() {
    let seen = fifo(async {
        let cond = Condition::new(0u32);
        let checker = {
            let cond = cond.clone();
            spawn(async move {
                let guard = cond.lock().await;
                let guard = cond.wait_for(guard, |n| *n >= 3).await;
                *guard
            })
        };
        for _ in 0..5 {
            yield_now().await;
            let mut guard = cond.lock().await;
            *guard += 1;
            cond.notify_all();
        }
        checker.await.unwrap()
    });
    assert_eq!(seen, 3);
}

// A notified waiter aborted before it ran passes the notification to the next waiter.
#[test]
fn notified_then_aborted_waiter_passes_the_notification_on() {
    let result = fifo(async {
        let cond = Condition::new(0);
        let log = Log::default();
        let first = waiter(&cond, &log, 1);
        let second = waiter(&cond, &log, 2);
        let third = waiter(&cond, &log, 3);
        yield_now().await;
        {
            let _guard = cond.lock().await;
            cond.notify(1); // wakes `first`...
        }
        first.abort(); // ...which is dropped before it runs
        assert_eq!(first.await, Err(JoinError::Cancelled));
        second.await.unwrap();
        // An abort of a waiter that was never notified passes nothing on.
        third.abort();
        assert_eq!(third.await, Err(JoinError::Cancelled));
        log.take()
    });
    assert_eq!(result, [2]);
}

// Waiting with another lock's guard, or notifying without the lock, fails with a clear panic.
#[test]
fn misuse_panics_naming_the_call() {
    let message = panic_message(async {
        let cond = Condition::new(());
        let other = Lock::new(());
        let guard = other.lock().await;
        let _ = cond.wait(guard).await;
    });
    assert!(message.contains("Condition::wait called with the guard of a different Lock"));
    let message = panic_message(async {
        Condition::new(()).notify(1);
    });
    assert!(message.contains("Condition::notify called while the condition's lock is not held"));
    let message = panic_message(async {
        Condition::new(()).notify_all();
    });
    assert!(message.contains("Condition::notify_all"));
}

// Two conditions over one lock (asyncio's Condition(lock)): a bounded buffer.
#[test]
fn conditions_can_share_a_lock() {
    let consumed = fifo(async {
        let lock = Lock::new(Vec::new());
        let not_empty = Condition::with_lock(lock.clone());
        let not_full = Condition::with_lock(lock.clone());
        let producer = {
            let (not_empty, not_full) = (not_empty.clone(), not_full.clone());
            spawn(async move {
                for i in 0..6 {
                    let guard = not_full.lock().await;
                    let mut guard = not_full.wait_for(guard, |items| items.len() < 2).await;
                    guard.push(i);
                    not_empty.notify(1);
                }
            })
        };
        let mut consumed = Vec::new();
        while consumed.len() < 6 {
            let guard = not_empty.lock().await;
            let mut guard = not_empty.wait_for(guard, |items| !items.is_empty()).await;
            consumed.push(guard.remove(0));
            not_full.notify(1);
        }
        producer.await.unwrap();
        consumed
    });
    assert_eq!(consumed, [0, 1, 2, 3, 4, 5]);
}
