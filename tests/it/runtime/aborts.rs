//! When an abort lands: CPython's cancellation rules that simloop's abort follows under every
//! strategy, not only in asyncio's order.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use simloop::sync::{Barrier, Condition, Event, Lock, Queue, Semaphore};
use simloop::task::{spawn, yield_now, JoinError, JoinHandle, TaskGroup};
use simloop::time::{sleep, timeout};
use simloop::{explore, Config, Sim, Strategy};

/// The strategies a plain `Config` can name, bounded exhaustive search included.
fn strategies() -> Vec<Strategy> {
    vec![
        Strategy::Fifo,
        Strategy::Random,
        Strategy::Pct { depth: 3 },
        Strategy::Pos,
        Strategy::Urw,
        Strategy::Detour,
        Strategy::Portfolio,
        Strategy::Exhaustive { preemptions: 2 },
    ]
}

/// Runs `program` for 1,000 seeds (or schedules) under every strategy; fails with the report.
fn sweep_every_strategy<F, Fut>(program: F)
where
    F: Fn() -> Fut + Sync,
    Fut: Future<Output = ()>,
{
    for strategy in strategies() {
        let config = Config::default()
            .with_strategy(strategy.clone())
            .with_iterations(1_000);
        let report = explore(config, &program);
        if let Some(failure) = report.failure {
            panic!("under {strategy:?}:\n{failure}");
        }
    }
}

/// Counts its drop, as a `finally` block would log it.
struct Guard(Rc<Cell<usize>>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

/// Child `i`: holds a guard and works forever, sleeping or yielding, so that when its scope is
/// dropped some children are ready and some are waiting on a timer.
async fn child(i: u64, dropped: Rc<Cell<usize>>) -> Result<(), ()> {
    let _guard = Guard(dropped);
    loop {
        sleep(Duration::from_millis(100 * (i % 3 + 1))).await;
        yield_now().await;
    }
}

/// A task group of five children whose `join` a timeout drops: returns how many guards had run
/// when the awaiter resumed.
async fn group_under_timeout() -> usize {
    let dropped = Rc::new(Cell::new(0));
    let mut group = TaskGroup::<(), ()>::new();
    for i in 0..5 {
        group.spawn(child(i, Rc::clone(&dropped))).unwrap();
    }
    assert!(timeout(Duration::from_millis(500), group.join())
        .await
        .is_err());
    dropped.get()
}

/// The same group, its awaiter aborted from outside: returns how many guards had run when the
/// awaiter's handle gave `Cancelled`.
async fn group_awaiter_aborted() -> usize {
    let dropped = Rc::new(Cell::new(0));
    let inner = Rc::clone(&dropped);
    let awaiter = spawn(async move {
        let mut group = TaskGroup::<(), ()>::new();
        for i in 0..5 {
            group.spawn(child(i, Rc::clone(&inner))).unwrap();
        }
        let _ = group.join().await;
    });
    sleep(Duration::from_millis(500)).await;
    awaiter.abort();
    assert_eq!(awaiter.await, Err(JoinError::Cancelled));
    dropped.get()
}

/// Five gathered children under a timeout: guards run when the awaiter resumed.
async fn gather_under_timeout() -> usize {
    let dropped = Rc::new(Cell::new(0));
    let children: Vec<_> = (0..5).map(|i| child(i, Rc::clone(&dropped))).collect();
    assert!(
        timeout(Duration::from_millis(500), simloop::task::gather(children))
            .await
            .is_err()
    );
    dropped.get()
}

/// The share of 300 `Random` seeds in which `program` saw fewer than five guards run.
fn early_share<Fut: Future<Output = usize>>(program: impl Fn() -> Fut) -> f64 {
    let early = (0..300)
        .filter(|&seed| {
            let sim = Sim::new(
                Config::default()
                    .with_seed(seed)
                    .with_strategy(Strategy::Random),
            );
            sim.run(program()).unwrap() < 5
        })
        .count();
    early as f64 / 300.0
}

// Goal: the awaiter of a cancelled scope resumes only after every child's destructors ran, under
// `Random` too (CPython `test_taskgroups.py::test_cancellation`,
// `test_tasks.py::test_cancellation_broadcast`): measured over 300 seeds, the share must be 0.
#[test]
fn a_cancelled_scope_s_awaiter_resumes_after_every_child_s_cleanup_300_random_seeds() {
    let shares = [
        ("group under timeout", early_share(group_under_timeout)),
        ("group awaiter aborted", early_share(group_awaiter_aborted)),
        ("gather under timeout", early_share(gather_under_timeout)),
    ];
    println!("awaiter resumed before every child's cleanup: {shares:?}");
    assert!(shares.iter().all(|(_, share)| *share == 0.0), "{shares:?}");
}

// Goal: as above, over 1,000 seeds of every strategy (CPython `test_taskgroups.py::
// test_cancellation`).
#[test]
fn task_group_cleanup_comes_before_the_awaiter_resumes_under_every_strategy() {
    sweep_every_strategy(|| async {
        assert_eq!(group_under_timeout().await, 5);
        assert_eq!(group_awaiter_aborted().await, 5);
    });
}

// Goal: the same for `gather` (CPython `test_tasks.py::test_cancellation_broadcast`).
#[test]
fn gather_cleanup_comes_before_the_awaiter_resumes_under_every_strategy() {
    sweep_every_strategy(|| async {
        assert_eq!(gather_under_timeout().await, 5);
    });
}

// Goal: a task that aborts itself and returns without awaiting ends cancelled (CPython
// `test_tasks.py::test_cancel_at_end`).
#[test]
fn a_task_that_aborts_itself_and_returns_ends_cancelled_under_every_strategy() {
    sweep_every_strategy(|| async {
        let slot: Rc<RefCell<Option<JoinHandle<u32>>>> = Rc::default();
        let reached = Rc::new(Cell::new(false));
        let (own, flag) = (Rc::clone(&slot), Rc::clone(&reached));
        let handle = spawn(async move {
            yield_now().await;
            own.borrow()
                .as_ref()
                .expect("the handle is in place")
                .abort();
            flag.set(true);
            42
        });
        *slot.borrow_mut() = Some(handle);
        // Sleeping rather than yielding: a bounded exhaustive search then has no spin to explore.
        while !slot.borrow().as_ref().unwrap().is_finished() {
            sleep(Duration::from_millis(1)).await;
        }
        let handle = slot.borrow_mut().take().unwrap();
        assert!(reached.get(), "the body ran to its end");
        assert_eq!(handle.await, Err(JoinError::Cancelled));
    });
}

/// Spawns `wait`, which must block on a primitive at once, and yields until it has.
async fn queued<F: Future<Output = ()> + 'static>(wait: F) -> JoinHandle<()> {
    let started = Rc::new(Cell::new(false));
    let flag = Rc::clone(&started);
    let handle = spawn(async move {
        flag.set(true);
        wait.await;
    });
    while !started.get() {
        sleep(Duration::from_millis(1)).await;
    }
    handle
}

// Goal: an aborted lock waiter leaves the line at once, so a lock released right after the
// abort is free for a newcomer (CPython `test_locks.py::test_finished_waiter_cancelled`); the
// same for a semaphore's, a queue's, a condition's and a barrier's waiters.
#[test]
fn an_aborted_waiter_leaves_every_queue_at_once_under_every_strategy() {
    sweep_every_strategy(|| async {
        let lock = Rc::new(Lock::new(()));
        let guard = lock.try_lock().unwrap();
        let waiter = Rc::clone(&lock);
        let late = queued(async move {
            let _guard = waiter.lock().await;
        })
        .await;
        late.abort();
        drop(guard);
        assert!(lock.try_lock().is_ok(), "the aborted waiter kept its place");

        let semaphore = Rc::new(Semaphore::new(1));
        let permit = semaphore.try_acquire().unwrap();
        let waiter = Rc::clone(&semaphore);
        let late = queued(async move {
            let _permit = waiter.acquire().await;
        })
        .await;
        late.abort();
        drop(permit);
        assert!(
            semaphore.try_acquire().is_ok(),
            "the aborted waiter kept its place"
        );

        let queue = Rc::new(Queue::bounded(1));
        let waiter = Rc::clone(&queue);
        let late = queued(async move {
            let _ = waiter.get().await;
        })
        .await;
        late.abort();
        queue.try_put(7).unwrap();
        assert_eq!(
            queue.try_get().ok(),
            Some(7),
            "the aborted getter kept its place"
        );
        queue.try_put(8).unwrap();
        let waiter = Rc::clone(&queue);
        let late = queued(async move {
            let _ = waiter.put(9).await;
        })
        .await;
        late.abort();
        assert_eq!(queue.try_get().ok(), Some(8));
        assert!(
            queue.try_put(10).is_ok(),
            "the aborted putter kept its place"
        );

        let condition = Rc::new(Condition::new(()));
        let waiter = Rc::clone(&condition);
        let first = queued(async move {
            let guard = waiter.lock().await;
            let _guard = waiter.wait(guard).await;
        })
        .await;
        let waiter = Rc::clone(&condition);
        let second = queued(async move {
            let guard = waiter.lock().await;
            let _guard = waiter.wait(guard).await;
        })
        .await;
        first.abort();
        let guard = condition.lock().await;
        condition.notify(1);
        drop(guard);
        let woken = timeout(Duration::from_secs(1), second).await;
        assert_eq!(
            woken,
            Ok(Ok(())),
            "the notification went to the aborted waiter"
        );

        let barrier = Rc::new(Barrier::new(2));
        let waiter = Rc::clone(&barrier);
        let late = queued(async move {
            let _ = waiter.wait().await;
        })
        .await;
        late.abort();
        assert_eq!(barrier.n_waiting(), 0, "the aborted party is still counted");

        let event = Rc::new(Event::new());
        let waiter = Rc::clone(&event);
        let late = queued(async move { waiter.wait().await }).await;
        late.abort();
        event.set();
        assert_eq!(late.await, Err(JoinError::Cancelled));
    });
}
