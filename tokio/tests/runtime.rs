//! `runtime::{Builder, Runtime, Handle}`: tokio's outside a simulation, the simulation inside
//! one; `block_on` inside a simulation fails the run with a report, never a hang.

extern crate simloop_tokio as tokio;

use std::time::Duration;
use tokio::runtime::{Builder, Handle, Runtime, RuntimeFlavor};

use simloop::{Config, Failure, Sim};

fn report_of<T: std::fmt::Debug>(run: simloop::Run<T>) -> (Failure, String) {
    let failure = run.result.unwrap_err();
    let report = failure.to_string();
    (failure, report)
}

#[test]
fn the_builder_builds_a_tokio_runtime_outside_a_simulation() {
    let runtime = Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    assert_eq!(
        runtime.handle().runtime_flavor(),
        RuntimeFlavor::CurrentThread
    );
    let slept = runtime.block_on(async {
        let start = tokio::time::Instant::now();
        let handle = Handle::current().spawn(tokio::time::sleep(Duration::from_secs(60)));
        assert!(matches!(handle, tokio::task::JoinHandle::Tokio(_)));
        handle.await.unwrap();
        start.elapsed()
    });
    assert_eq!(slept, Duration::from_secs(60)); // tokio's paused clock
    let task = runtime.spawn(async { 5 });
    assert_eq!(runtime.block_on(task).unwrap(), 5);
    let blocking = runtime.spawn_blocking(|| 6);
    assert_eq!(runtime.handle().block_on(blocking).unwrap(), 6);
    runtime.shutdown_timeout(Duration::from_secs(1));
}

#[test]
fn a_multi_thread_runtime_through_the_facade() {
    let runtime = Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("facade-worker")
        .enable_all()
        .build()
        .unwrap();
    assert_eq!(
        runtime.handle().runtime_flavor(),
        RuntimeFlavor::MultiThread
    );
    let name = runtime.block_on(async {
        tokio::spawn(async { std::thread::current().name().map(str::to_owned) })
            .await
            .unwrap()
    });
    assert_eq!(name.as_deref(), Some("facade-worker"));
    let _guard = runtime.enter();
    assert!(Handle::try_current().is_ok());
}

#[test]
fn outside_any_runtime_try_current_is_tokio_error() {
    assert!(Handle::try_current().is_err());
}

#[test]
fn inside_a_simulation_the_runtime_items_spawn_simloop_tasks() {
    simloop::check(|| async {
        let handle = Handle::current();
        assert_eq!(handle.runtime_flavor(), RuntimeFlavor::CurrentThread);
        assert!(Handle::try_current().is_ok());
        let task = handle.spawn(async {
            tokio::time::sleep(Duration::from_secs(2)).await;
            1
        });
        assert!(matches!(task, tokio::task::JoinHandle::Sim(_)));
        let runtime = Builder::new_current_thread().enable_all().build().unwrap();
        let _guard = runtime.enter();
        let other = runtime.spawn(async { 2 });
        assert!(matches!(other, tokio::task::JoinHandle::Sim(_)));
        let blocking = runtime.handle().spawn_blocking(|| 3);
        assert_eq!(
            task.await.unwrap() + other.await.unwrap() + blocking.await.unwrap(),
            6
        );
        assert_eq!(simloop::time::now().since_start(), Duration::from_secs(2));
        drop(_guard);
        runtime.shutdown_background();
    });
}

#[test]
fn runtime_block_on_inside_a_simulation_fails_with_a_report() {
    let run = Sim::new(Config::default()).run(async {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(tokio::time::sleep(Duration::from_secs(1)));
    });
    let (failure, report) = report_of(run);
    assert!(matches!(failure, Failure::Panic { .. }));
    assert!(
        report.contains("`Runtime::block_on` called inside a simulation"),
        "{report}"
    );
    assert!(report.contains("`.await` the future instead"), "{report}");
}

#[test]
fn a_tokio_runtime_built_outside_cannot_block_on_inside_a_simulation() {
    let runtime = Builder::new_current_thread().enable_all().build().unwrap();
    let handle = runtime.handle().clone();
    let run = Sim::new(Config::default()).run(async move {
        // A task of the simulation, to show the report names the call, not the task.
        tokio::spawn(async move { handle.block_on(async {}) })
            .await
            .unwrap();
    });
    let (_, report) = report_of(run);
    assert!(
        report.contains("`Handle::block_on` called inside a simulation"),
        "{report}"
    );
    drop(runtime);
}

#[test]
fn a_tokio_main_function_called_inside_a_simulation_fails_with_the_report() {
    #[tokio::main(flavor = "current_thread")]
    async fn main_body() -> u32 {
        1
    }
    let run = Sim::new(Config::default()).run(async { main_body() });
    let (_, report) = report_of(run);
    assert!(
        report.contains("let the simulation call that body's async function directly"),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokio_test_multi_thread_flavor_through_the_facade() {
    assert!(!simloop::is_simulating());
    assert_eq!(
        Handle::current().runtime_flavor(),
        RuntimeFlavor::MultiThread
    );
    let handles: Vec<_> = (0..4u32)
        .map(|n| tokio::spawn(async move { n * 2 }))
        .collect();
    let mut sum = 0;
    for handle in handles {
        sum += handle.await.unwrap();
    }
    assert_eq!(sum, 12);
}

#[tokio::test(start_paused = true)]
async fn tokio_test_start_paused_through_the_facade() {
    let start = tokio::time::Instant::now();
    tokio::time::sleep(Duration::from_secs(86_400)).await;
    assert_eq!(start.elapsed(), Duration::from_secs(86_400));
}
