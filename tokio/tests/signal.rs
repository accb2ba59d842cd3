//! `signal::ctrl_c` as a simulated event the test raises; other signal items fail naming
//! themselves inside a simulation.

extern crate simloop_tokio as tokio;

use std::io::ErrorKind;
use std::time::Duration;

use simloop::{Config, Failure, Sim};

async fn serve_until_ctrl_c() -> Duration {
    let start = tokio::time::Instant::now();
    tokio::signal::ctrl_c().await.unwrap();
    start.elapsed()
}

#[test]
fn ctrl_c_waits_until_the_test_raises_it() {
    simloop::check(|| async {
        let server = tokio::spawn(serve_until_ctrl_c()); // a `Send` future, as tokio's
        tokio::time::sleep(Duration::from_secs(30)).await;
        assert!(!server.is_finished());
        tokio::signal::raise_ctrl_c();
        assert_eq!(server.await.unwrap(), Duration::from_secs(30));
    });
}

#[test]
fn ctrl_c_in_select_picks_the_shutdown_branch() {
    simloop::check(|| async {
        let server = tokio::spawn(async {
            let mut ticks = 0;
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => ticks += 1,
                    _ = tokio::signal::ctrl_c() => return ticks,
                }
            }
        });
        tokio::time::sleep(Duration::from_millis(3500)).await;
        tokio::signal::raise_ctrl_c();
        assert_eq!(server.await.unwrap(), 3);
    });
}

#[test]
fn a_ctrl_c_never_raised_is_a_deadlock_not_a_hang() {
    let run = Sim::new(Config::default()).run(async { tokio::signal::ctrl_c().await });
    let failure = run.result.unwrap_err();
    assert!(matches!(failure, Failure::Deadlock { .. }), "{failure}");
    assert!(failure.to_string().contains("Event(ctrl_c)"), "{failure}");
}

#[cfg(unix)]
#[test]
fn unix_signal_fails_naming_the_item_inside_a_simulation() {
    simloop::check(|| async {
        let error =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Unsupported);
        assert!(error.to_string().contains("`tokio::signal::unix::signal`"));
    });
}

#[cfg(unix)]
#[real::test]
async fn outside_a_simulation_signal_is_tokio() {
    let stream = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::user_defined1());
    assert!(stream.is_ok());
    let ctrl_c = tokio::signal::ctrl_c();
    // Registered, not raised: still pending after a poll.
    assert!(real::time::timeout(Duration::from_millis(1), ctrl_c)
        .await
        .is_err());
}

#[test]
fn a_dropped_ctrl_c_leaves_no_waiting_task() {
    let run = Sim::new(Config::default()).run(async {
        for _ in 0..10 {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = tokio::signal::ctrl_c() => unreachable!("nobody raised it"),
            }
        }
    });
    assert!(run.leaked.is_empty(), "{:?}", run.leaked);
    run.unwrap();
}

#[test]
fn a_raise_right_after_the_first_poll_is_not_lost() {
    simloop::check(|| async {
        let mut wait = Box::pin(tokio::signal::ctrl_c());
        // Poll once: registered now, though its task has not run yet.
        assert!(futures_poll_once(wait.as_mut()).is_pending());
        tokio::signal::raise_ctrl_c();
        wait.await.unwrap();
    });
}

fn futures_poll_once<F: std::future::Future + Unpin>(future: F) -> std::task::Poll<F::Output> {
    let mut future = future;
    let waker = std::task::Waker::noop();
    std::pin::Pin::new(&mut future).poll(&mut std::task::Context::from_waker(waker))
}
