//! The executor's fast structures keep their contracts: timer order, the tail's order, wait
//! reasons reused across many blocked tasks.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use simloop::task::{spawn, spawn_named, yield_now};
use simloop::time::{now, sleep, sleep_until, Instant};
use simloop::trace::TAIL_LEN;
use simloop::{Config, Failure, Sim, Strategy, TraceLevel};

fn fifo() -> Config {
    Config::default().with_strategy(Strategy::Fifo)
}

// Goal: thousands of timers, set at different times with many equal deadlines, fire in
// (deadline, registration) order, as asyncio's heap fires them.
#[test]
fn timers_fire_in_deadline_then_registration_order() {
    let fired = Rc::new(RefCell::new(Vec::new()));
    let log = fired.clone();
    Sim::new(fifo())
        .run(async move {
            let mut registered = 0u64;
            for round in 0..4u64 {
                for task in 0..500u64 {
                    // Deadlines collide across rounds and tasks; some land in the past round.
                    let deadline = Instant::from_start(Duration::from_micros(
                        (task * 7919 + round * 104_729) % 3_000 + 1_000 * round,
                    ));
                    let log = log.clone();
                    let order = registered;
                    registered += 1;
                    spawn(async move {
                        sleep_until(deadline).await;
                        log.borrow_mut().push((now(), deadline, order));
                    })
                    .detach();
                }
                // Let the round's tasks register their timers before the next round.
                yield_now().await;
                sleep(Duration::from_micros(700)).await;
            }
            sleep(Duration::from_secs(1)).await;
        })
        .unwrap();
    let fired = fired.borrow();
    assert_eq!(fired.len(), 2000);
    for pair in fired.windows(2) {
        let (first, second) = (pair[0], pair[1]);
        assert!(first.0 <= second.0, "{first:?} before {second:?}");
        if first.0 == second.0 && first.1 == second.1 {
            assert!(
                first.2 < second.2,
                "equal deadlines out of order: {first:?} {second:?}"
            );
        }
    }
}

// Goal: once the tail wraps, it holds exactly the last TAIL_LEN events of the full trace, in
// order, and the digest does not depend on the level.
#[test]
fn the_tail_is_the_end_of_the_full_trace() {
    let program = || async {
        let tasks: Vec<_> = (0..40u64)
            .map(|task| spawn(sleep(Duration::from_millis(task % 3))))
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    };
    for seed in 0..5 {
        let full = Sim::new(
            Config::default()
                .with_seed(seed)
                .with_trace(TraceLevel::Full),
        )
        .run(program());
        let tail = Sim::new(Config::default().with_seed(seed)).run(program());
        let all: Vec<_> = full.trace.events().cloned().collect();
        let kept: Vec<_> = tail.trace.events().cloned().collect();
        assert_eq!(kept.len(), TAIL_LEN);
        assert_eq!(kept[..], all[all.len() - TAIL_LEN..]);
        assert_eq!(tail.trace.dropped(), (all.len() - TAIL_LEN) as u64);
        assert_eq!(tail.trace.digest(), full.trace.digest());
    }
}

// Goal: after many tasks blocked and woke (wait reasons reused), a deadlock still names what
// each blocked task waits on, and sleeping tasks never appear blocked.
#[test]
fn wait_reasons_survive_reuse() {
    let run = Sim::new(fifo()).run(async {
        // Many joins that block and resolve, reusing the table of wait reasons.
        let quick: Vec<_> = (0..200)
            .map(|_| spawn(async { yield_now().await }))
            .collect();
        for handle in quick {
            handle.await.unwrap();
        }
        let stuck = spawn_named("stuck", std::future::pending::<()>());
        let waiter = spawn_named("waiter", async move { stuck.await.unwrap() });
        waiter.await.unwrap();
    });
    let Err(Failure::Deadlock { blocked, .. }) = &run.result else {
        panic!("expected a deadlock, got {:?}", run.result);
    };
    let described: Vec<_> = blocked
        .iter()
        .map(|task| (task.task.name.clone(), task.waiting_on.clone()))
        .collect();
    assert_eq!(
        described,
        [
            (Some("main".into()), Some("the end of task `waiter`".into())),
            (Some("stuck".into()), None),
            (
                Some("waiter".into()),
                Some("the end of task `stuck`".into())
            ),
        ]
    );
}
