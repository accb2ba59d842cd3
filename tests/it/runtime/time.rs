//! Virtual time: sleep, timeout, saturation.

use std::time::Duration;

use simloop::task::{spawn, yield_now};
use simloop::time::{now, sleep, sleep_until, timeout, timeout_at, Elapsed, Instant};
use simloop::{Config, Failure, Sim};

use crate::fifo;

// Goal: sequential sleeps add up; the clock jumps instead of waiting.
#[test]
fn sequential_fetches_end_at_six_seconds() {
    let run = fifo().run(async {
        sleep(Duration::from_secs(3)).await;
        sleep(Duration::from_secs(3)).await;
        now()
    });
    assert_eq!(run.result.unwrap().since_start(), Duration::from_secs(6));
}

// Goal: a timeout fires exactly at its deadline and drops the inner future.
#[test]
fn timeout_fires_exactly_at_its_deadline() {
    let run = fifo().run(async {
        let r = timeout(Duration::from_millis(1500), sleep(Duration::from_secs(10))).await;
        (r, now().since_start())
    });
    let (result, at) = run.result.unwrap();
    assert_eq!(result, Err(Elapsed::new()));
    assert_eq!(at, Duration::from_millis(1500));
    // The inner sleep's timer was removed: the run ends at the timeout, not at 10 s.
    assert_eq!(run.elapsed, Duration::from_millis(1500));
}

// Goal: a future finishing before the deadline returns its value and the timer is removed.
#[test]
fn a_future_finishing_in_time_returns_its_value() {
    let run = fifo().run(async {
        let r = timeout(Duration::from_secs(5), async {
            sleep(Duration::from_secs(2)).await;
            "in time"
        })
        .await;
        (r, now().since_start())
    });
    assert_eq!(run.result.unwrap(), (Ok("in time"), Duration::from_secs(2)));
    assert_eq!(run.elapsed, Duration::from_secs(2));
}

// Goal: when the inner future and the deadline are due at the same instant, the timeout wins (asyncio).
#[test]
fn deadline_and_inner_wake_at_the_same_instant_time_out() {
    let result = fifo()
        .run(async { timeout(Duration::from_secs(3), sleep(Duration::from_secs(3))).await })
        .unwrap();
    assert_eq!(result, Err(Elapsed::new()));
}

// Goal: timeout(0) lets the body run until it first waits, then expires (test_timeout_zero_sleep_zero).
#[test]
fn zero_timeout_runs_the_body_until_it_first_waits() {
    let result = fifo()
        .run(async {
            let immediate = timeout(Duration::ZERO, async { 1 }).await;
            let yielding = timeout(Duration::ZERO, async {
                yield_now().await;
                2
            })
            .await;
            (immediate, yielding)
        })
        .unwrap();
    assert_eq!(result, (Ok(1), Err(Elapsed::new())));
}

// Goal: timeout_at and sleep_until use absolute virtual instants.
#[test]
fn absolute_deadlines() {
    let result = fifo()
        .run(async {
            sleep_until(Instant::from_start(Duration::from_secs(4))).await;
            let at = now();
            let r = timeout_at(at + Duration::from_secs(1), sleep(Duration::from_secs(2))).await;
            (at.since_start(), r, now().since_start())
        })
        .unwrap();
    assert_eq!(
        result,
        (
            Duration::from_secs(4),
            Err(Elapsed::new()),
            Duration::from_secs(5)
        )
    );
}

// Goal: a sleep past the representable range saturates and ends in a TimeLimit, never an overflow.
#[test]
fn huge_sleeps_saturate_into_a_time_limit() {
    let run = Sim::new(Config::default()).run(async {
        sleep(Duration::MAX).await;
    });
    assert!(matches!(run.result, Err(Failure::TimeLimit { .. })));
    let instant = Instant::MAX + Duration::MAX;
    assert_eq!(instant, Instant::MAX);
}

// Goal: a sleep in the past is a bare yield, like asyncio's sleep(negative).
#[test]
fn sleep_until_the_past_is_a_yield() {
    let result = fifo()
        .run(async {
            sleep(Duration::from_secs(1)).await;
            let child = spawn(async { now() });
            sleep_until(Instant::START).await;
            assert!(child.is_finished());
            child.await.unwrap()
        })
        .unwrap();
    assert_eq!(result.since_start(), Duration::from_secs(1));
}

// Goal: Instant arithmetic saturates and prints as seconds.
#[test]
fn instant_arithmetic_and_display() {
    let t = Instant::from_start(Duration::from_micros(250));
    assert_eq!(t.to_string(), "0.000250000s");
    assert_eq!(Instant::START - t, Duration::ZERO);
    assert_eq!((t - Duration::from_secs(1)), Instant::START);
    assert_eq!(Instant::START.checked_add(Duration::MAX), None);
}
