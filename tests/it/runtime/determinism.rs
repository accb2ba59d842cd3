//! Same seed, same trace; different seeds, different interleavings.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::time::Duration;

use simloop::task::{spawn_named, yield_now};
use simloop::time::sleep;
use simloop::{Config, Sim, Strategy, TraceLevel};

use crate::{fifo, random};

/// Three workers that interleave at every yield; returns the order of their steps.
async fn racy() -> Vec<String> {
    let order = Rc::new(RefCell::new(Vec::new()));
    let workers: Vec<_> = (0..3)
        .map(|w| {
            let order = order.clone();
            spawn_named(format!("w{w}"), async move {
                for step in 0..3 {
                    order.borrow_mut().push(format!("w{w}.{step}"));
                    if (w + step) % 2 == 0 {
                        sleep(Duration::from_millis(1)).await;
                    } else {
                        yield_now().await;
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    let order = order.borrow().clone();
    order
}

// Goal: 1,000 seeds each run twice give identical trace text and digest.
#[test]
fn same_seed_same_trace_over_a_thousand_seeds() {
    for seed in 0..1000 {
        let first = random(seed).run(racy());
        let second = random(seed).run(racy());
        assert_eq!(first.trace.text(), second.trace.text(), "seed {seed}");
        assert_eq!(first.trace.digest(), second.trace.digest(), "seed {seed}");
        assert_eq!(first.schedule, second.schedule, "seed {seed}");
    }
}

// Goal: Random explores more than one interleaving of a racy program; Fifo always the same one.
#[test]
fn random_explores_interleavings_fifo_does_not() {
    let random_orders: BTreeSet<Vec<String>> = (0..100)
        .map(|seed| random(seed).run(racy()).unwrap())
        .collect();
    assert!(random_orders.len() > 1, "{random_orders:?}");
    let fifo_orders: BTreeSet<Vec<String>> = (0..100)
        .map(|seed| {
            Sim::new(
                Config::default()
                    .with_seed(seed)
                    .with_strategy(Strategy::Fifo),
            )
            .run(racy())
            .unwrap()
        })
        .collect();
    assert_eq!(fifo_orders.len(), 1);
}

// Goal: the user's random stream is separate: drawing more numbers does not change the schedule.
#[test]
fn user_randomness_does_not_reshuffle_the_schedule() {
    let program = |extra_draws: usize| async move {
        for _ in 0..extra_draws {
            simloop::random::random::<u64>();
        }
        let a = spawn_named("a", yield_now());
        let b = spawn_named("b", yield_now());
        a.await.unwrap();
        b.await.unwrap();
    };
    for seed in 0..50 {
        let plain = random(seed).run(program(0));
        let drawing = random(seed).run(program(5));
        assert_eq!(plain.schedule, drawing.schedule, "seed {seed}");
    }
}

// Goal: the trace level changes what is kept, never what runs.
#[test]
fn trace_level_does_not_change_the_run() {
    let with_level = |level| Sim::new(Config::default().with_seed(3).with_trace(level)).run(racy());
    let full = with_level(TraceLevel::Full);
    let tail = with_level(TraceLevel::Tail);
    let off = with_level(TraceLevel::Off);
    assert_eq!(full.trace.digest(), tail.trace.digest());
    assert_eq!(full.schedule, tail.schedule);
    assert_eq!(full.schedule, off.schedule);
    assert_eq!(off.trace.digest(), 0);
    assert!(tail.trace.events().count() <= simloop::trace::TAIL_LEN);
    assert_eq!(full.result.unwrap(), off.result.unwrap());
}

// Goal: schedules round-trip through their text form, and bad text names the position.
#[test]
fn schedule_text_round_trips_and_rejects_garbage() {
    let run = random(11).run(racy());
    let text = run.schedule.to_string();
    assert_eq!(text.parse::<simloop::Schedule>().unwrap(), run.schedule);
    for (bad, position) in [
        ("", 0),
        ("v2:1:", 0),
        ("v1:x:", 3),
        ("v1:5", 4),
        ("v1:5:3=", 7),
        ("v1:5:3=1,2=1", 9),
        ("v1:5:abc", 5),
    ] {
        let error = bad.parse::<simloop::Schedule>().unwrap_err();
        assert_eq!(error.position(), position, "{bad}: {error}");
    }
    let _ = fifo();
}
