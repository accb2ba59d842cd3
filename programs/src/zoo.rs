//! The bug zoo: classic concurrency bugs from SCTBench (Thomson, Donaldson and Betts,
//! "Concurrency testing using controlled schedulers: an empirical study", TOPC 2016), ported to
//! simloop tasks under the porting rules of the project's bug-zoo notes:
//!
//! - each thread is a spawned task, in the original creation order; `main` is the test body and
//!   a join awaits the handle;
//! - every access to shared memory is an awaited scheduling point ([`Shared::read`] and
//!   [`Shared::write`] yield first), and so are lock acquire and release, spawn and join;
//! - a mutex is simloop's `Lock`;
//! - the bug shows as a failed assertion (a panic in a task) or as simloop's deadlock report.
//!
//! The zoo tests, `examples/zoo.rs` and the `zoo` fuzz target all run these programs.

use std::cell::Cell;
use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use simloop::sync::{Lock, LockGuard};
use simloop::task::{spawn_named, yield_now, JoinHandle};

/// A shared variable whose every access is a scheduling point, logged to the trace so failure
/// reports show who read and wrote what.
#[derive(Clone)]
pub struct Shared<T: Copy + Debug>(Rc<(&'static str, Cell<T>)>);

impl<T: Copy + Debug> Shared<T> {
    /// A variable called `name` (in the trace) holding `value`.
    pub fn new(name: &'static str, value: T) -> Self {
        Shared(Rc::new((name, Cell::new(value))))
    }

    /// Yields, then reads the value.
    pub async fn read(&self) -> T {
        yield_now().await;
        let value = self.0 .1.get();
        simloop::log!("read {} = {value:?}", self.0 .0);
        value
    }

    /// Yields, then writes `value`.
    pub async fn write(&self, value: T) {
        yield_now().await;
        simloop::log!("write {} = {value:?}", self.0 .0);
        self.0 .1.set(value);
    }
}

/// A mutex whose acquire and release are scheduling points.
#[derive(Clone)]
pub struct Mutex(Lock<()>);

impl Mutex {
    /// An unlocked mutex called `name`.
    pub fn new(name: &str) -> Self {
        Mutex(Lock::new(()).with_name(name))
    }

    /// Yields, then locks.
    pub async fn acquire(&self) -> LockGuard<'_, ()> {
        yield_now().await;
        self.0.lock().await
    }

    /// Unlocks, then yields.
    pub async fn release(guard: LockGuard<'_, ()>) {
        drop(guard);
        yield_now().await;
    }
}

/// Spawns `body` as task `name`; spawning is a scheduling point.
pub async fn start<F>(name: impl Into<String>, body: F) -> JoinHandle<()>
where
    F: Future<Output = ()> + 'static,
{
    let handle = spawn_named(name, body);
    yield_now().await;
    handle
}

/// Awaits every handle in order (a pthread_join each).
pub async fn join_all(handles: Vec<JoinHandle<()>>) {
    for handle in handles {
        handle.await.expect("zoo tasks are never aborted");
    }
}

/// account: the checker asserts the balance formula once both flags are set, which is wrong
/// whenever it runs after both the deposit and the withdrawal.
pub async fn account() {
    let (x, y, z) = (1, 2, 4);
    let lock = Mutex::new("m");
    let balance = Shared::new("balance", x);
    let deposit_done = Shared::new("deposit_done", false);
    let withdraw_done = Shared::new("withdraw_done", false);
    let checker = {
        let (lock, balance, d, w) = (
            lock.clone(),
            balance.clone(),
            deposit_done.clone(),
            withdraw_done.clone(),
        );
        start("checker", async move {
            let guard = lock.acquire().await;
            if d.read().await && w.read().await {
                assert_eq!(balance.read().await, (x - y) - z, "account: wrong balance");
            }
            Mutex::release(guard).await;
        })
        .await
    };
    let deposit = {
        let (lock, balance, d) = (lock.clone(), balance.clone(), deposit_done.clone());
        start("deposit", async move {
            let guard = lock.acquire().await;
            let b = balance.read().await;
            balance.write(b + y).await;
            d.write(true).await;
            Mutex::release(guard).await;
        })
        .await
    };
    let withdraw = {
        let (lock, balance, w) = (lock.clone(), balance.clone(), withdraw_done.clone());
        start("withdraw", async move {
            let guard = lock.acquire().await;
            let b = balance.read().await;
            balance.write(b - z).await;
            w.write(true).await;
            Mutex::release(guard).await;
        })
        .await
    };
    join_all(vec![checker, deposit, withdraw]).await;
}

/// lazy01: the checker fails if both additions ran before it; it was spawned last, so it must
/// run last for the bug.
pub async fn lazy01() {
    let lock = Mutex::new("mutex");
    let data = Shared::new("data", 0);
    let adder = |name: &'static str, amount: i32| {
        let (lock, data) = (lock.clone(), data.clone());
        start(name, async move {
            let guard = lock.acquire().await;
            let d = data.read().await;
            data.write(d + amount).await;
            Mutex::release(guard).await;
        })
    };
    let one = adder("add-1", 1).await;
    let two = adder("add-2", 2).await;
    let checker = {
        let (lock, data) = (lock.clone(), data.clone());
        start("checker", async move {
            let guard = lock.acquire().await;
            assert!(data.read().await < 3, "lazy01: data reached 3");
            Mutex::release(guard).await;
        })
        .await
    };
    join_all(vec![one, two, checker]).await;
}

/// deadlock01: T1 locks a then b, T2 locks b then a.
pub async fn deadlock01() {
    let a = Mutex::new("a");
    let b = Mutex::new("b");
    let ordered = |name: &'static str, first: Mutex, second: Mutex| {
        start(name, async move {
            let g1 = first.acquire().await;
            let g2 = second.acquire().await;
            Mutex::release(g2).await;
            Mutex::release(g1).await;
        })
    };
    let t1 = ordered("t1", a.clone(), b.clone()).await;
    let t2 = ordered("t2", b, a).await;
    join_all(vec![t1, t2]).await;
}

/// circular_buffer: loop counters advance even when the flag is not set, so the consumer's
/// `remove() == i` fails as soon as it spins once before a hand-over.
pub async fn circular_buffer() {
    const SIZE: usize = 10;
    const ROUNDS: i32 = 6;
    struct Buffer {
        slots: Shared<[i32; SIZE]>,
        first: Shared<usize>,
        next: Shared<usize>,
    }
    let buffer = Rc::new(Buffer {
        slots: Shared::new("buffer", [0; SIZE]),
        first: Shared::new("first", 0),
        next: Shared::new("next", 0),
    });
    let lock = Mutex::new("m");
    let send = Shared::new("send", true);
    let receive = Shared::new("receive", false);
    let producer = {
        let (buffer, lock, send, receive) =
            (buffer.clone(), lock.clone(), send.clone(), receive.clone());
        start("producer", async move {
            for i in 0..ROUNDS {
                let guard = lock.acquire().await;
                if send.read().await {
                    let next = buffer.next.read().await;
                    let mut slots = buffer.slots.read().await;
                    slots[next] = i;
                    buffer.slots.write(slots).await;
                    buffer.next.write((next + 1) % SIZE).await;
                    send.write(false).await;
                    receive.write(true).await;
                }
                Mutex::release(guard).await;
            }
        })
        .await
    };
    let consumer = {
        let (buffer, lock, send, receive) =
            (buffer.clone(), lock.clone(), send.clone(), receive.clone());
        start("consumer", async move {
            for i in 0..ROUNDS {
                let guard = lock.acquire().await;
                if receive.read().await {
                    let first = buffer.first.read().await;
                    let slots = buffer.slots.read().await;
                    buffer.first.write(first + 1).await;
                    assert_eq!(
                        slots[first], i,
                        "circular_buffer: removed the wrong element"
                    );
                    receive.write(false).await;
                    send.write(true).await;
                }
                Mutex::release(guard).await;
            }
        })
        .await
    };
    join_all(vec![producer, consumer]).await;
}

/// wronglock: A increments under `dataLock` and checks the value grew by one; seven B tasks
/// increment under another lock.
pub async fn wronglock() {
    let data_lock = Mutex::new("dataLock");
    let this_lock = Mutex::new("thisLock");
    let value = Shared::new("dataValue", 0);
    let mut handles = Vec::new();
    {
        let (lock, value) = (data_lock.clone(), value.clone());
        handles.push(
            start("a", async move {
                let guard = lock.acquire().await;
                let x = value.read().await;
                // `dataValue++` reads the variable again: two accesses, two scheduling points.
                let current = value.read().await;
                value.write(current + 1).await;
                assert_eq!(
                    value.read().await,
                    x + 1,
                    "wronglock: value changed under the lock"
                );
                Mutex::release(guard).await;
            })
            .await,
        );
    }
    for b in 0..7 {
        let (lock, value) = (this_lock.clone(), value.clone());
        handles.push(
            start(format!("b{b}"), async move {
                let guard = lock.acquire().await;
                let x = value.read().await;
                value.write(x + 1).await;
                Mutex::release(guard).await;
            })
            .await,
        );
    }
    join_all(handles).await;
}

/// twostage(n): n-1 writers set `data1 = 1` under L1, then `data2 = data1 + 1` under L2; the
/// reader fails if it runs entirely between some writer's two critical sections.
pub async fn twostage(n: usize) {
    let l1 = Mutex::new("L1");
    let l2 = Mutex::new("L2");
    let data1 = Shared::new("data1", 0);
    let data2 = Shared::new("data2", 0);
    let mut handles = Vec::new();
    for w in 0..n.saturating_sub(1) {
        let (l1, l2, data1, data2) = (l1.clone(), l2.clone(), data1.clone(), data2.clone());
        handles.push(
            start(format!("writer-{w}"), async move {
                let guard = l1.acquire().await;
                data1.write(1).await;
                Mutex::release(guard).await;
                let guard = l2.acquire().await;
                let d1 = data1.read().await;
                data2.write(d1 + 1).await;
                Mutex::release(guard).await;
            })
            .await,
        );
    }
    let (l1, l2) = (l1.clone(), l2.clone());
    handles.push(
        start("reader", async move {
            let guard = l1.acquire().await;
            // The original tests `data1Value == 0`, then reads `t1 = data1Value`: two reads.
            if data1.read().await == 0 {
                Mutex::release(guard).await;
                return;
            }
            let t1 = data1.read().await;
            Mutex::release(guard).await;
            let guard = l2.acquire().await;
            let t2 = data2.read().await;
            Mutex::release(guard).await;
            assert_eq!(
                t2,
                t1 + 1,
                "twostage: reader saw the first stage without the second"
            );
        })
        .await,
    );
    join_all(handles).await;
}

/// reorder(n): n-1 setters write `a = 1; b = -1`, the checker reads both with no lock and fails
/// when it reads while a setter is between its two writes.
pub async fn reorder(n: usize) {
    let a = Shared::new("a", 0);
    let b = Shared::new("b", 0);
    let mut handles = Vec::new();
    for s in 0..n.saturating_sub(1) {
        let (a, b) = (a.clone(), b.clone());
        handles.push(
            start(format!("setter-{s}"), async move {
                a.write(1).await;
                b.write(-1).await;
            })
            .await,
        );
    }
    handles.push(
        start("checker", async move {
            // C's `&&` and `||` short-circuit, and each operand is a fresh read: the check
            // fails only when it reads `a == 1` and then `b == 0`, which needs a setter paused
            // between its two writes (reading `a == 0` then `b == -1` falls through to the
            // second clause, which re-reads `a`).
            let ok = (a.read().await == 0 && b.read().await == 0)
                || (a.read().await == 1 && b.read().await == -1);
            assert!(ok, "reorder: checker saw a setter half-way");
        })
        .await,
    );
    join_all(handles).await;
}

/// The strategies the zoo is measured with, in the order of the table's columns: every
/// sampling strategy (not `fifo`, which is one schedule, nor `exhaustive`, which enumerates),
/// PCT at a few depths, and the default portfolio.
pub fn strategies() -> Vec<simloop::Strategy> {
    [
        "random",
        "pct:2",
        "pct:3",
        "pct:10",
        "pos",
        "urw",
        "detour",
        "portfolio",
    ]
    .iter()
    .map(|name| name.parse().expect("a strategy name"))
    .collect()
}

/// A zoo program, boxed so programs of different sizes fit one table.
pub type Program = fn() -> Pin<Box<dyn Future<Output = ()>>>;

/// Every public zoo program, by name.
pub const PROGRAMS: &[(&str, Program)] = &[
    ("account", || Box::pin(account())),
    ("lazy01", || Box::pin(lazy01())),
    ("deadlock01", || Box::pin(deadlock01())),
    ("circular_buffer", || Box::pin(circular_buffer())),
    ("wronglock", || Box::pin(wronglock())),
    ("twostage(2)", || Box::pin(twostage(2))),
    ("twostage(20)", || Box::pin(twostage(20))),
    ("twostage(50)", || Box::pin(twostage(50))),
    ("reorder(3)", || Box::pin(reorder(3))),
    ("reorder(5)", || Box::pin(reorder(5))),
    ("reorder(10)", || Box::pin(reorder(10))),
];
