//! Lock: FIFO hand-over, no barging, woken-then-cancelled waiters pass on (ASYNCIO.md §1.12).

use simloop::sync::Lock;
use simloop::task::{spawn, yield_now, JoinError, JoinHandle};

use super::fifo;

fn locker(lock: &Lock<Vec<&'static str>>, name: &'static str) -> JoinHandle<()> {
    let lock = lock.clone();
    spawn(async move { lock.lock().await.push(name) })
}

// Waiters get the lock in the order they asked for it.
#[test]
fn waiters_get_the_lock_in_arrival_order() {
    let order = fifo(async {
        let lock = Lock::new(Vec::new());
        let guard = lock.lock().await;
        let lockers: Vec<_> = ["a", "b", "c"].map(|name| locker(&lock, name)).into();
        yield_now().await;
        drop(guard);
        for handle in lockers {
            handle.await.unwrap();
        }
        let order = lock.lock().await.clone();
        order
    });
    assert_eq!(order, ["a", "b", "c"]);
}

// Between a release and the woken waiter's run the lock is free, yet nobody barges.
#[test]
fn nobody_barges_past_a_woken_waiter() {
    let order = fifo(async {
        let lock = Lock::new(Vec::new());
        let guard = lock.lock().await;
        let waiter = locker(&lock, "waiter");
        yield_now().await;
        drop(guard);
        assert!(!lock.is_locked());
        assert!(
            lock.try_lock().is_err(),
            "try_lock barged past a woken waiter"
        );
        lock.lock().await.push("main");
        waiter.await.unwrap();
        let order = lock.lock().await.clone();
        order
    });
    assert_eq!(order, ["waiter", "main"]);
}

// A waiter woken and then aborted before it ran passes the lock to the next waiter.
#[test]
fn woken_then_aborted_waiter_passes_the_lock_on() {
    let order = fifo(async {
        let lock = Lock::new(Vec::new());
        let guard = lock.lock().await;
        let a = locker(&lock, "a");
        let b = locker(&lock, "b");
        let c = locker(&lock, "c");
        yield_now().await;
        drop(guard); // wakes `a`
        a.abort();
        assert_eq!(a.await, Err(JoinError::Cancelled));
        b.await.unwrap();
        c.await.unwrap();
        let order = lock.lock().await.clone();
        order
    });
    assert_eq!(order, ["b", "c"]);
}

// A queued waiter aborted before any release just leaves the line.
#[test]
fn aborted_queued_waiter_leaves_the_line() {
    let order = fifo(async {
        let lock = Lock::new(Vec::new());
        let guard = lock.lock().await;
        let a = locker(&lock, "a");
        let b = locker(&lock, "b");
        yield_now().await;
        a.abort();
        assert_eq!(a.await, Err(JoinError::Cancelled));
        drop(guard);
        b.await.unwrap();
        assert!(!lock.is_locked());
        let order = lock.lock().await.clone();
        order
    });
    assert_eq!(order, ["b"]);
}

// A lock acquisition that loses a select! or times out leaves the lock consistent.
#[test]
fn combinators_leave_the_lock_consistent() {
    use futures::FutureExt;
    use simloop::time::{sleep, timeout};
    use std::time::Duration;

    fifo(async {
        let lock = Lock::new(0);
        let guard = lock.lock().await;
        futures::select! {
            _ = lock.lock().fuse() => unreachable!("the lock is held"),
            _ = sleep(Duration::from_secs(1)).fuse() => {}
        }
        assert!(timeout(Duration::from_secs(1), lock.lock()).await.is_err());
        drop(guard);
        let (mut a, b) = futures::join!(lock.lock(), async { 5 });
        *a += b;
        drop(a);
        assert_eq!(*lock.try_lock().unwrap(), 5);
    });
}
