//! The facade's task and time API, inside a simulation and on a real tokio runtime.

extern crate simloop_tokio as tokio;

use std::time::Duration;
use tokio::time::{interval, sleep, sleep_until, timeout, Instant, MissedTickBehavior};

#[test]
fn spawn_sleep_and_instant_use_the_virtual_clock_inside_a_simulation() {
    simloop::check(|| async {
        let start = Instant::now();
        assert!(matches!(start, Instant::Sim(_)));
        let handles: Vec<_> = (1..=3u64)
            .map(|s| tokio::spawn(async move { sleep(Duration::from_secs(s)).await }))
            .collect();
        for handle in handles {
            assert!(matches!(handle, tokio::task::JoinHandle::Sim(_)));
            handle.await.unwrap();
        }
        assert_eq!(start.elapsed(), Duration::from_secs(3));
        sleep_until(start + Duration::from_secs(10)).await;
        assert_eq!(Instant::now() - start, Duration::from_secs(10));
        tokio::task::yield_now().await;
        let blocking = tokio::task::spawn_blocking(|| 2 + 2).await.unwrap();
        assert_eq!(blocking, 4);
    });
}

#[test]
fn abort_gives_a_cancelled_join_error_inside_a_simulation() {
    simloop::check(|| async {
        let handle = tokio::spawn(sleep(Duration::from_secs(60)));
        handle.abort();
        let error = handle.await.unwrap_err();
        assert!(error.is_cancelled() && !error.is_panic());
        assert_eq!(error.to_string(), "task was cancelled");
        assert_eq!(simloop::time::now().since_start(), Duration::ZERO);
    });
}

#[test]
fn timeout_follows_tokio_rule_inside_a_simulation() {
    simloop::check(|| async {
        let start = Instant::now();
        let slow = timeout(Duration::from_secs(1), sleep(Duration::from_secs(2))).await;
        assert_eq!(slow.unwrap_err().to_string(), "deadline has elapsed");
        assert_eq!(start.elapsed(), Duration::from_secs(1));
        // Ready at the deadline: tokio polls the future first, so it wins.
        let tie = timeout(Duration::from_secs(1), sleep(Duration::from_secs(1))).await;
        assert!(tie.is_ok());
    });
}

#[test]
fn interval_ticks_and_skips_on_the_virtual_clock() {
    simloop::check(|| async {
        let start = Instant::now();
        let mut ticks = interval(Duration::from_secs(10));
        assert_eq!(ticks.tick().await - start, Duration::ZERO);
        assert_eq!(ticks.tick().await - start, Duration::from_secs(10));
        ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
        sleep(Duration::from_secs(25)).await; // now 35 s: the 20 s and 30 s ticks are missed
        assert_eq!(ticks.tick().await - start, Duration::from_secs(20));
        assert_eq!(ticks.tick().await - start, Duration::from_secs(40));
        assert_eq!(Instant::now() - start, Duration::from_secs(40));
    });
}

#[test]
fn interval_burst_catches_up_like_tokio() {
    simloop::check(|| async {
        let start = Instant::now();
        let mut ticks = interval(Duration::from_secs(10));
        ticks.tick().await;
        sleep(Duration::from_secs(35)).await;
        for n in 1..=3 {
            assert_eq!(ticks.tick().await - start, Duration::from_secs(10 * n));
        }
        assert_eq!(Instant::now() - start, Duration::from_secs(35));
    });
}

#[real::test(start_paused = true)]
async fn the_same_calls_go_to_tokio_outside_a_simulation() {
    assert!(!simloop::is_simulating());
    let start = Instant::now();
    assert!(matches!(start, Instant::Tokio(_)));
    let handle = tokio::spawn(async { sleep(Duration::from_secs(2)).await });
    assert!(matches!(handle, tokio::task::JoinHandle::Tokio(_)));
    handle.await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(2));
    assert!(
        timeout(Duration::from_secs(1), sleep(Duration::from_secs(2)))
            .await
            .is_err()
    );
    let mut ticks = interval(Duration::from_secs(10));
    ticks.tick().await;
    ticks.tick().await;
    assert_eq!(start.elapsed(), Duration::from_secs(13));
    let panicked = tokio::spawn(async { panic!("boom") }).await.unwrap_err();
    assert!(panicked.is_panic());
    assert_eq!(tokio::task::spawn_blocking(|| 7).await.unwrap(), 7);
}

#[test]
#[should_panic(expected = "cannot be compared")]
fn instants_of_both_worlds_do_not_mix() {
    let outside = Instant::now();
    simloop::run(0, async move {
        let _ = Instant::now() - outside;
    });
}

/// `pause`/`advance`/`resume` (feature `test-util`): tokio's outside, the virtual clock inside.
#[test]
fn test_util_time_controls_work_in_both_worlds() {
    simloop::check(|| async {
        tokio::time::pause();
        let start = Instant::now();
        let timer = tokio::spawn(sleep(Duration::from_secs(5)));
        tokio::time::advance(Duration::from_secs(10)).await;
        assert!(timer.is_finished());
        assert_eq!(start.elapsed(), Duration::from_secs(10));
        tokio::time::resume();
    });
    real::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(async {
            tokio::time::pause();
            let start = Instant::now();
            tokio::time::advance(Duration::from_secs(10)).await;
            assert_eq!(start.elapsed(), Duration::from_secs(10));
            tokio::time::resume();
        });
}

/// `JoinSet`: tasks joined as they finish, inside a simulation and on tokio.
async fn join_set_program() -> Vec<u64> {
    let start = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for secs in [3u64, 1, 2] {
        set.spawn(async move {
            sleep(Duration::from_secs(secs)).await;
            secs
        });
    }
    assert_eq!(set.len(), 3);
    let mut order = Vec::new();
    while let Some(done) = set.join_next().await {
        order.push(done.unwrap());
    }
    assert_eq!(start.elapsed(), Duration::from_secs(3));
    let mut aborted = tokio::task::JoinSet::new();
    aborted.spawn(sleep(Duration::from_secs(60)));
    aborted.abort_all();
    assert!(aborted
        .join_next()
        .await
        .unwrap()
        .unwrap_err()
        .is_cancelled());
    assert!(aborted.is_empty());
    let mut all = tokio::task::JoinSet::new();
    all.spawn(async { 1 });
    all.spawn(async { 2 });
    let mut outputs = all.join_all().await;
    outputs.sort();
    assert_eq!(outputs, [1, 2]);
    order
}

#[test]
fn join_set_inside_a_simulation() {
    simloop::check(|| async { assert_eq!(join_set_program().await, [1, 2, 3]) });
}

#[real::test(start_paused = true)]
async fn join_set_on_tokio() {
    assert_eq!(join_set_program().await, [1, 2, 3]);
}
