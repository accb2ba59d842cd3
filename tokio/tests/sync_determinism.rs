//! Which of tokio's `sync` types replay under a seed when simloop runs them (`docs/tokio.md`).

extern crate simloop_tokio as tokio;

use simloop::{explore, Config, Failure, Strategy, TraceLevel};
use std::cell::RefCell;
use std::rc::Rc;
use tokio::sync::{mpsc, watch, Mutex, Notify, Semaphore};

fn config() -> Config {
    Config::default()
        .with_strategy(Strategy::Fifo)
        .with_iterations(20)
        .with_trace(TraceLevel::Full)
        .with_check_determinism(true)
}

/// Eight receivers wait on `changed()`; the wake order is the order they print. tokio 1.26+
/// puts each waiter in one of eight `Notify`s picked by its thread-local random numbers, so the
/// order differs between two runs of one seed, and simloop's determinism check says so.
#[test]
fn watch_wake_order_is_not_deterministic_under_a_seed() {
    let report = explore(config(), || async {
        let (tx, rx) = watch::channel(0);
        let order = Rc::new(RefCell::new(Vec::new()));
        let waiters: Vec<_> = (0..8)
            .map(|n| {
                let mut rx = rx.clone();
                let order = order.clone();
                simloop::task::spawn(async move {
                    rx.changed().await.unwrap();
                    simloop::log!("receiver {n} woke");
                    order.borrow_mut().push(n);
                })
            })
            .collect();
        simloop::task::yield_now().await;
        tx.send(1).unwrap();
        for waiter in waiters {
            waiter.await.unwrap();
        }
    });
    let failure = report
        .failure
        .expect("tokio's watch wakes its receivers in a random order");
    assert!(
        matches!(failure, Failure::Nondeterminism { .. }),
        "{failure}"
    );
}

/// Notify, Mutex, Semaphore and mpsc keep their waiters in FIFO lists: the same seed gives the
/// same trace.
#[test]
fn notify_mutex_semaphore_and_mpsc_replay_under_a_seed() {
    let report = explore(config(), || async {
        let notify = Rc::new(Notify::new());
        let mutex = Rc::new(Mutex::new(Vec::new()));
        let semaphore = Rc::new(Semaphore::new(2));
        let (tx, mut rx) = mpsc::channel(2);
        let tasks: Vec<_> = (0..6)
            .map(|n| {
                let (notify, mutex, semaphore, tx) =
                    (notify.clone(), mutex.clone(), semaphore.clone(), tx.clone());
                simloop::task::spawn(async move {
                    notify.notified().await;
                    let _permit = semaphore.acquire().await.unwrap();
                    simloop::task::yield_now().await;
                    mutex.lock().await.push(n);
                    tx.send(n).await.unwrap();
                    simloop::log!("task {n} done");
                })
            })
            .collect();
        drop(tx);
        simloop::task::yield_now().await;
        notify.notify_waiters();
        let mut received = Vec::new();
        while let Some(n) = rx.recv().await {
            received.push(n);
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(received, *mutex.lock().await);
    });
    assert!(report.failure.is_none(), "{}", report.failure.unwrap());
}
