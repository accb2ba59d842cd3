//! Speed work never changes what runs: pinned traces, digests and schedules of a busy program.
//!
//! These snapshots were taken before any executor optimisation; an optimisation that changes
//! the ready order, a random pick, timer order or the trace text changes them.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;
use std::time::Duration;

use simloop::task::{spawn, yield_now, JoinError};
use simloop::time::{sleep, timeout};
use simloop::{Config, Sim, Strategy, TraceLevel};

use crate::assert_snapshot;

mod structures;

/// `tasks` tasks mixing equal-deadline sleeps, yields, `sleep(0)`, timeouts and aborts, enough
/// of them to make the ready set compact itself; returns the order in which steps happened.
async fn busy(tasks: u64) -> Vec<u64> {
    let order = Rc::new(RefCell::new(Vec::new()));
    let handles: Vec<_> = (0..tasks)
        .map(|task| {
            let order = order.clone();
            spawn(async move {
                for round in 0..3 {
                    order.borrow_mut().push(task * 10 + round);
                    match (task + round) % 4 {
                        0 => sleep(Duration::from_millis(task % 7)).await,
                        1 => yield_now().await,
                        2 => sleep(Duration::ZERO).await,
                        _ => {
                            let long = sleep(Duration::from_millis(50));
                            let _ = timeout(Duration::from_millis(task % 5 + 1), long).await;
                        }
                    }
                }
            })
        })
        .collect();
    yield_now().await;
    for handle in handles.iter().step_by(10) {
        handle.abort();
    }
    for (index, handle) in handles.into_iter().enumerate() {
        let joined = handle.await;
        assert!(joined.is_ok() || (index % 10 == 0 && joined == Err(JoinError::Cancelled)));
    }
    let order = order.borrow().clone();
    order
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

// Goal: under Fifo the full trace of a small busy program stays byte for byte the same.
#[test]
fn fifo_trace_text_is_pinned() {
    let config = Config::default()
        .with_strategy(Strategy::Fifo)
        .with_trace(TraceLevel::Full);
    let run = Sim::new(config).run(busy(6));
    run.result.as_ref().unwrap();
    assert_snapshot!("perf_fifo_busy_trace", run.trace.text());
}

// Goal: under the default config (its portfolio rotates random, PCT and POS over the seeds), 40
// seeds keep their digest, schedule, steps, end and order.
#[test]
fn random_runs_are_pinned_per_seed() {
    let mut summary = String::new();
    for seed in 0..40 {
        let run = Sim::new(Config::default().with_seed(seed)).run(busy(150));
        let order = run.result.unwrap();
        let order_text = format!("{order:?}");
        writeln!(
            summary,
            "seed {seed}: digest {:016x} schedule {:016x} steps {} elapsed {:?} order {:016x}",
            run.trace.digest(),
            fnv(&run.schedule.to_string()),
            run.steps,
            run.elapsed,
            fnv(&order_text),
        )
        .unwrap();
    }
    assert_snapshot!("perf_random_busy_seeds", summary);
}

// Goal: the tail a default-config failure report shows is pinned too.
#[test]
fn tail_trace_is_pinned() {
    let run = Sim::new(Config::default().with_seed(7)).run(busy(150));
    run.result.as_ref().unwrap();
    assert_eq!(run.trace.events().count(), simloop::trace::TAIL_LEN);
    assert_snapshot!("perf_tail_busy_trace", run.trace.text());
}

/// Named tasks that log, block on a named queue and on a semaphore, and take a lock: events
/// whose digests carry texts (names, log lines, operations on primitives).
async fn texts(workers: u64) -> u64 {
    use simloop::sync::{Lock, Queue, Semaphore};
    use simloop::task::spawn_named;

    let queue = Queue::bounded(1).with_name("jobs");
    let permits = Semaphore::new(1);
    let lock = Rc::new(Lock::new(()).with_name("state"));
    let handles: Vec<_> = (0..workers)
        .map(|worker| {
            let (queue, permits, lock) = (queue.clone(), permits.clone(), lock.clone());
            spawn_named(format!("worker-{worker}"), async move {
                let _permit = permits.acquire().await;
                let _guard = lock.lock().await;
                simloop::log!("worker {worker} puts");
                queue.put(worker).await.unwrap();
            })
        })
        .collect();
    let mut sum = 0;
    for _ in 0..workers {
        sum += queue.get().await.unwrap();
    }
    for handle in handles {
        handle.await.unwrap();
    }
    sum
}

// Goal: the digest of runs whose events carry texts stays the same, so a change to how texts
// are digested (or to any event they come with) shows here.
#[test]
fn digests_with_texts_are_pinned() {
    let mut summary = String::new();
    for seed in 0..8 {
        let run = Sim::new(Config::default().with_seed(seed)).run(texts(6));
        assert_eq!(run.result.unwrap(), 15);
        writeln!(summary, "seed {seed}: digest {:016x}", run.trace.digest()).unwrap();
    }
    assert_snapshot!("perf_digests_with_texts", summary);
}
