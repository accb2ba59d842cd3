//! `#[tokio::main]`/`#[tokio::test]` through the facade (outside a simulation) and
//! `#[simloop::test]` (inside one).

extern crate simloop_tokio as tokio;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::test]
async fn tokio_test_runs_on_a_tokio_runtime() {
    assert!(!simloop::is_simulating());
    let handle = tokio::spawn(async { 40 + 2 });
    assert!(matches!(handle, tokio::task::JoinHandle::Tokio(_)));
    assert_eq!(handle.await.unwrap(), 42);
}

#[tokio::test(start_paused = true)]
async fn tokio_test_with_a_paused_clock() {
    let start = tokio::time::Instant::now();
    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert_eq!(start.elapsed(), Duration::from_secs(3600));
}

#[tokio::main(flavor = "current_thread")]
async fn a_tokio_main() -> u32 {
    tokio::spawn(async { 7 }).await.unwrap()
}

#[test]
fn tokio_main_builds_a_tokio_runtime() {
    assert_eq!(a_tokio_main(), 7);
}

static RUNS: AtomicU64 = AtomicU64::new(0);

#[simloop::test(iterations = 5, strategy = "pct:3")]
async fn simloop_test_sweeps_the_body() {
    assert!(simloop::is_simulating());
    let start = tokio::time::Instant::now();
    let a = tokio::spawn(tokio::time::sleep(Duration::from_secs(1)));
    let b = tokio::spawn(tokio::time::sleep(Duration::from_secs(2)));
    a.await.unwrap();
    b.await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(2));
}

/// Counted, so ignored by the harness: `simloop_test_runs_once_per_seed` calls it.
#[simloop::test(iterations = 5)]
#[ignore = "called by simloop_test_runs_once_per_seed"]
async fn counted() {
    RUNS.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn simloop_test_runs_once_per_seed() {
    // The attribute made `counted` a plain `fn counted()` that runs what `check_with` runs
    // with 5 iterations (each seed, and the determinism check's repeats).
    counted();
    let by_attribute = RUNS.swap(0, Ordering::SeqCst);
    simloop::check_with(simloop::Config::default().with_iterations(5), || async {
        RUNS.fetch_add(1, Ordering::SeqCst);
    });
    assert_eq!(by_attribute, RUNS.load(Ordering::SeqCst));
    assert!(by_attribute >= 5);
}

/// A lost update, found by the sweep: the failure report carries its replay line.
#[simloop::test(iterations = 200)]
#[should_panic(expected = "SIMLOOP_REPLAY=")]
async fn simloop_test_reports_a_failure_with_its_replay_line() {
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let counter = counter.clone();
            tokio::spawn(async move {
                let seen = counter.load(Ordering::SeqCst);
                tokio::task::yield_now().await;
                counter.store(seen + 1, Ordering::SeqCst);
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    assert_eq!(counter.load(Ordering::SeqCst), 2, "lost update");
}

#[simloop::test(strategy = "sideways")]
#[should_panic(expected = "#[simloop::test]: strategy = \"sideways\" is not a strategy")]
async fn simloop_test_names_a_bad_strategy() {}
