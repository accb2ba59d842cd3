//! asyncio's loop order under `Fifo` (ASYNCIO.md §0).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use simloop::task::{spawn, spawn_named, yield_now};
use simloop::time::sleep;

use crate::fifo;

type Log = Rc<RefCell<Vec<String>>>;

fn log() -> Log {
    Rc::new(RefCell::new(Vec::new()))
}

fn push(log: &Log, line: impl Into<String>) {
    log.borrow_mut().push(line.into());
}

// Goal: a spawned task does not run until its creator suspends, then runs in spawn order.
#[test]
fn spawned_tasks_start_after_the_creator_suspends_in_spawn_order() {
    let lines = log();
    let l = lines.clone();
    fifo()
        .run(async move {
            for i in 0..3 {
                let l = l.clone();
                spawn(async move { push(&l, format!("child {i}")) }).detach();
            }
            push(&l, "main still running");
            yield_now().await;
            push(&l, "main resumed");
        })
        .unwrap();
    assert_eq!(
        *lines.borrow(),
        [
            "main still running",
            "child 0",
            "child 1",
            "child 2",
            "main resumed"
        ]
    );
}

// Goal: a woken task joins the tail, behind tasks that were already ready.
#[test]
fn a_woken_task_goes_to_the_tail_of_the_ready_set() {
    let lines = log();
    let l = lines.clone();
    fifo()
        .run(async move {
            let (v_log, w_log, u_log) = (l.clone(), l.clone(), l.clone());
            let v = spawn(async move {
                yield_now().await;
                push(&v_log, "v");
            });
            let w = spawn(async move {
                v.await.unwrap();
                push(&w_log, "w woke");
            });
            let u = spawn(async move {
                yield_now().await;
                push(&u_log, "u1");
                yield_now().await;
                push(&u_log, "u2");
            });
            w.await.unwrap();
            u.await.unwrap();
        })
        .unwrap();
    // When v finishes it wakes w, but u was already ready: u runs first.
    assert_eq!(*lines.borrow(), ["v", "u1", "w woke", "u2"]);
}

// Goal: sleep(0) is a bare yield: tasks already ready run before it returns (CPython test_sleep_zero).
#[test]
fn sleep_zero_lets_every_ready_task_run_first() {
    let lines = log();
    let l = lines.clone();
    let run = fifo().run(async move {
        let c = l.clone();
        spawn(async move { push(&c, "child") }).detach();
        sleep(Duration::ZERO).await;
        push(&l, "after sleep(0)");
    });
    assert_eq!(run.elapsed, Duration::ZERO);
    assert_eq!(*lines.borrow(), ["child", "after sleep(0)"]);
}

// Goal: timers due at the same instant fire in registration order under Fifo.
#[test]
fn equal_deadlines_fire_in_registration_order() {
    let lines = log();
    let l = lines.clone();
    fifo()
        .run(async move {
            let handles: Vec<_> = (0..20)
                .map(|i| {
                    let l = l.clone();
                    spawn(async move {
                        sleep(Duration::from_secs(1)).await;
                        push(&l, i.to_string());
                    })
                })
                .collect();
            for handle in handles {
                handle.await.unwrap();
            }
        })
        .unwrap();
    let expected: Vec<String> = (0..20).map(|i| i.to_string()).collect();
    assert_eq!(*lines.borrow(), expected);
}

// Goal: the seed's concurrent fetch_data example prints both "Fetching" at 0 and ends at t=3.
#[test]
fn concurrent_fetch_data_trace_snapshot() {
    async fn fetch_data(input: u32) -> u32 {
        simloop::log!("Fetching data...");
        sleep(Duration::from_secs(3)).await;
        simloop::log!("Data retrieved.");
        input
    }
    let run = fifo().run(async {
        let one = spawn_named("fetch-1", fetch_data(1));
        let two = spawn_named("fetch-2", fetch_data(2));
        let (a, b) = (one.await.unwrap(), two.await.unwrap());
        simloop::log!("Data one: {a}, Data two: {b}");
    });
    assert_eq!(run.elapsed, Duration::from_secs(3));
    crate::assert_snapshot!("concurrent_fetch_data_trace", run.trace.text());
}
