//! Small concurrent programs whose invariants hold under every interleaving asyncio allows.
//!
//! Each draws its shape (how many tasks, which delays) from the seed's user stream before it
//! spawns anything, so the seed fixes the shape and the scheduler's choices alone vary the
//! interleaving. An assertion that fails is a bug in simloop (or in this program's reading of
//! asyncio), never an expected outcome: the programs are correct by construction.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use simloop::random::{random, random_range};
use simloop::task::{spawn, yield_now, JoinError, TaskGroup};
use simloop::time::{now, sleep, timeout, Elapsed, Instant};

/// A program: builds the main future of one run.
pub type Program = fn() -> Pin<Box<dyn Future<Output = ()>>>;

/// Every program, by name; the selector byte of `scheduler_programs` indexes this (mod len).
pub const PROGRAMS: &[(&str, Program)] = &[
    ("guarded_counter", || Box::pin(guarded_counter())),
    ("gather_order", || Box::pin(gather_order())),
    ("timeouts", || Box::pin(timeouts())),
    ("aborts", || Box::pin(aborts())),
    ("task_group", || Box::pin(task_group())),
];

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// Counts its drops, to check that every future is dropped exactly once.
struct DropCount(Rc<Cell<u32>>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

/// Shared state of `guarded_counter`.
#[derive(Default)]
struct Counters {
    plain: Cell<usize>,
    guarded: Cell<usize>,
    locked: Cell<bool>,
    holders: Cell<usize>,
}

/// Workers increment two counters: one with no await between read and write (atomic under
/// cooperative scheduling), one with a yield inside a critical section guarded by a flag that
/// waiters spin on with `yield_now`. Neither may lose an update; the section never has two
/// holders.
async fn guarded_counter() {
    let workers = random_range(2..=4usize);
    let rounds = random_range(1..=3usize);
    let counters = Rc::new(Counters::default());
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let c = counters.clone();
            spawn(async move {
                for _ in 0..rounds {
                    let seen = c.plain.get();
                    c.plain.set(seen + 1);
                    yield_now().await;
                    while c.locked.get() {
                        yield_now().await;
                    }
                    c.locked.set(true);
                    c.holders.set(c.holders.get() + 1);
                    assert_eq!(c.holders.get(), 1, "two holders in the critical section");
                    let seen = c.guarded.get();
                    yield_now().await;
                    c.guarded.set(seen + 1);
                    c.holders.set(c.holders.get() - 1);
                    c.locked.set(false);
                    yield_now().await;
                }
            })
        })
        .collect();
    for handle in handles {
        handle.await.unwrap();
    }
    assert_eq!(counters.plain.get(), workers * rounds, "lost plain update");
    assert_eq!(
        counters.guarded.get(),
        workers * rounds,
        "lost guarded update"
    );
}

/// `gather` returns results in argument order whatever the completion order; each child
/// finishes exactly at its deadline; on an error it returns that error at once and the other
/// children keep running (asyncio's `gather` does not cancel them).
async fn gather_order() {
    let n = random_range(2..=5usize);
    let delays: Vec<u64> = (0..n).map(|_| random_range(0..=3u64)).collect();
    let failing = random::<bool>().then(|| random_range(0..n));
    let finished = Rc::new(RefCell::new(Vec::new()));
    let start = now();
    let jobs = delays.iter().enumerate().map(|(index, &delay)| {
        let finished = finished.clone();
        async move {
            sleep(secs(delay)).await;
            for _ in 0..index % 3 {
                yield_now().await;
            }
            assert_eq!(now() - start, secs(delay), "child {index} finished late");
            finished.borrow_mut().push(index);
            if failing == Some(index) {
                Err(index)
            } else {
                Ok(index * 10)
            }
        }
    });
    let result = simloop::task::gather(jobs).await;
    match failing {
        None => {
            let expected: Vec<usize> = (0..n).map(|index| index * 10).collect();
            assert_eq!(result, Ok(expected));
            assert_eq!(now() - start, secs(*delays.iter().max().unwrap()));
        }
        Some(index) => {
            assert_eq!(result, Err(index));
            assert_eq!(
                now() - start,
                secs(delays[index]),
                "gather waited past the error"
            );
        }
    }
    sleep(secs(4)).await;
    let finished = finished.borrow();
    assert_eq!(finished.len(), n, "a child was cancelled: {finished:?}");
    let times: Vec<u64> = finished.iter().map(|&index| delays[index]).collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "finish order {times:?}"
    );
}

/// One timeout's shape: its duration, the inner sleep, and an optional outer timeout.
struct TimeoutCase {
    limit: u64,
    work: u64,
    outer: Option<u64>,
}

/// Tasks run `timeout(limit, sleep(work))`, some inside an outer timeout. The result and the
/// time it takes follow from the durations alone: the earliest deadline wins and, at equal
/// deadlines, the outermost timeout wins (its check runs first when the task resumes, as
/// asyncio's timeout callback cancels the task before it resumes). The inner future is dropped
/// exactly once either way.
async fn timeouts() {
    let cases: Vec<TimeoutCase> = (0..random_range(1..=4usize))
        .map(|_| TimeoutCase {
            limit: random_range(1..=3u64),
            work: random_range(0..=3u64),
            outer: random::<bool>().then(|| random_range(1..=3u64)),
        })
        .collect();
    let handles: Vec<_> = cases
        .into_iter()
        .map(|case| spawn(timeout_case(case)))
        .collect();
    for handle in handles {
        handle.await.unwrap();
    }
}

async fn timeout_case(case: TimeoutCase) {
    let drops = Rc::new(Cell::new(0));
    let guard = DropCount(drops.clone());
    let start = now();
    let inner = timeout(secs(case.limit), async move {
        let _guard = guard;
        sleep(secs(case.work)).await;
        7
    });
    let (result, took) = match case.outer {
        None => (Ok(inner.await), case.limit.min(case.work)),
        Some(outer) => {
            let result = timeout(secs(outer), inner).await;
            (result, outer.min(case.limit).min(case.work))
        }
    };
    let expected = match case.outer {
        Some(outer) if outer <= case.limit.min(case.work) => Err(Elapsed::new()),
        _ if case.limit <= case.work => Ok(Err(Elapsed::new())),
        _ => Ok(Ok(7)),
    };
    assert_eq!(
        result, expected,
        "limit {} work {} outer {:?}",
        case.limit, case.work, case.outer
    );
    assert_eq!(now() - start, secs(took), "wrong end time");
    assert_eq!(
        drops.get(),
        1,
        "the inner future was not dropped exactly once"
    );
}

/// The main task aborts some sleeping workers after a while. A handle yields `Ok` exactly when
/// the worker's body finished, `Err(Cancelled)` otherwise; every worker future is dropped
/// exactly once, and no aborted worker's timer moves the clock.
async fn aborts() {
    let n = random_range(2..=4usize);
    let delays: Vec<u64> = (0..n).map(|_| random_range(0..=2u64)).collect();
    let abort_at = random_range(0..=2u64);
    let doomed: Vec<bool> = (0..n).map(|_| random::<bool>()).collect();
    let drops = Rc::new(Cell::new(0));
    let done: Rc<Vec<Cell<bool>>> = Rc::new((0..n).map(|_| Cell::new(false)).collect());
    let start = now();
    let handles: Vec<_> = delays
        .iter()
        .enumerate()
        .map(|(index, &delay)| {
            let guard = DropCount(drops.clone());
            let done = done.clone();
            spawn(async move {
                let _guard = guard;
                sleep(secs(delay)).await;
                yield_now().await;
                done[index].set(true);
            })
        })
        .collect();
    sleep(secs(abort_at)).await;
    for (handle, _) in handles.iter().zip(&doomed).filter(|(_, doomed)| **doomed) {
        handle.abort();
    }
    let mut latest = abort_at;
    for (index, handle) in handles.into_iter().enumerate() {
        let result = handle.await;
        assert_eq!(
            result.is_ok(),
            done[index].get(),
            "worker {index}: {result:?}"
        );
        if result.is_ok() {
            latest = latest.max(delays[index]);
        } else {
            assert_eq!(result, Err(JoinError::Cancelled));
            assert!(doomed[index], "worker {index} cancelled without an abort");
        }
    }
    assert_eq!(
        drops.get(),
        n as u32,
        "worker futures dropped {} times",
        drops.get()
    );
    assert_eq!(
        now() - start,
        secs(latest),
        "an aborted timer moved the clock"
    );
}

/// A task group whose children sleep and maybe fail: `join` returns every value in spawn order,
/// or the first error in completion order (one of the failing children with the earliest
/// deadline) once every sibling is gone.
async fn task_group() {
    let n = random_range(1..=4usize);
    let delays: Vec<u64> = (0..n).map(|_| random_range(0..=3u64)).collect();
    let fails: Vec<bool> = (0..n).map(|_| random_range(0..4u32) == 0).collect();
    let drops = Rc::new(Cell::new(0));
    let start: Instant = now();
    let mut group = TaskGroup::new();
    for (index, (&delay, &fail)) in delays.iter().zip(&fails).enumerate() {
        let guard = DropCount(drops.clone());
        group
            .spawn(async move {
                let _guard = guard;
                sleep(secs(delay)).await;
                if fail {
                    Err(index)
                } else {
                    Ok(index)
                }
            })
            .unwrap();
    }
    let result = group.join().await;
    assert_eq!(
        drops.get(),
        n as u32,
        "join returned before every child was gone"
    );
    let first_failure = (0..n).filter(|&i| fails[i]).map(|i| delays[i]).min();
    match (result, first_failure) {
        (Ok(values), None) => {
            assert_eq!(values, (0..n).collect::<Vec<_>>());
            assert_eq!(now() - start, secs(*delays.iter().max().unwrap()));
        }
        (Err(index), Some(earliest)) => {
            assert!(
                fails[index] && delays[index] == earliest,
                "error from child {index}"
            );
            assert_eq!(
                now() - start,
                secs(earliest),
                "join waited past the first error"
            );
        }
        (result, _) => panic!("join gave {result:?} with failures {fails:?}"),
    }
}
