//! Barrier: arrival indices, draining, abort, reset, cancellation (ASYNCIO.md §1.15).

use simloop::sync::{Barrier, BrokenBarrier};
use simloop::task::{spawn, yield_now, JoinError, JoinHandle};

use super::{fifo, panic_message, Log};

type Outcome = (&'static str, Result<usize, BrokenBarrier>);

fn party(barrier: &Barrier, log: &Log<Outcome>, name: &'static str) -> JoinHandle<()> {
    let (barrier, log) = (barrier.clone(), log.clone());
    spawn(async move { log.push((name, barrier.wait().await)) })
}

async fn join_all(handles: Vec<JoinHandle<()>>) {
    for handle in handles {
        handle.await.unwrap();
    }
}

// The last arriver passes at once with index parties-1; the others follow in arrival order.
#[test]
fn indices_follow_arrival_order() {
    let log = fifo(async {
        let barrier = Barrier::new(3);
        let log = Log::default();
        join_all(
            ["a", "b", "c"]
                .map(|name| party(&barrier, &log, name))
                .into(),
        )
        .await;
        log.take()
    });
    assert_eq!(log, [("c", Ok(2)), ("a", Ok(0)), ("b", Ok(1))]);
}

// Tasks arriving while a round drains wait for it, then form the next round.
#[test]
fn arrivals_during_draining_wait_for_the_next_round() {
    let log = fifo(async {
        let barrier = Barrier::new(2);
        let log = Log::default();
        join_all(
            ["a", "b", "c", "d"]
                .map(|name| party(&barrier, &log, name))
                .into(),
        )
        .await;
        log.take()
    });
    assert_eq!(
        log,
        [("b", Ok(1)), ("a", Ok(0)), ("d", Ok(1)), ("c", Ok(0))]
    );
}

// abort() breaks current and later waits until reset(); reset() fails current waiters.
#[test]
fn abort_and_reset_break_waits() {
    fifo(async {
        let barrier = Barrier::new(3);
        let log = Log::default();
        let first = party(&barrier, &log, "a");
        yield_now().await;
        barrier.abort();
        first.await.unwrap();
        assert_eq!(barrier.wait().await, Err(BrokenBarrier));
        barrier.reset();
        assert!(!barrier.is_broken());
        let second = party(&barrier, &log, "b");
        yield_now().await;
        assert_eq!(barrier.n_waiting(), 1);
        barrier.reset();
        second.await.unwrap();
        let third = party(&barrier, &log, "c");
        let fourth = party(&barrier, &log, "d");
        yield_now().await; // c and d arrive first
        assert_eq!(barrier.wait().await, Ok(2));
        join_all(vec![third, fourth]).await;
        assert_eq!(
            log.take(),
            [
                ("a", Err(BrokenBarrier)),
                ("b", Err(BrokenBarrier)),
                ("c", Ok(0)),
                ("d", Ok(1))
            ]
        );
    });
}

// A waiter dropped while filling leaves the count (CPython's test_filling_tasks_cancel_one).
#[test]
fn cancelled_waiter_leaves_the_count() {
    fifo(async {
        let barrier = Barrier::new(2);
        let log = Log::default();
        let a = party(&barrier, &log, "a");
        yield_now().await;
        assert_eq!(barrier.n_waiting(), 1);
        a.abort();
        assert_eq!(a.await, Err(JoinError::Cancelled));
        assert_eq!(barrier.n_waiting(), 0);
        join_all(["b", "c"].map(|name| party(&barrier, &log, name)).into()).await;
        assert_eq!(log.take(), [("c", Ok(1)), ("b", Ok(0))]);
    });
}

// Barrier::new(0) is refused with a message that says what is allowed.
#[test]
fn zero_parties_are_refused() {
    let message = panic_message(async {
        let _ = Barrier::new(0);
    });
    assert!(message.contains("Barrier::new(0)"), "{message}");
    assert!(message.contains("at least 1 party"), "{message}");
}
