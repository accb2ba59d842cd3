//! `task::{AbortHandle, Id, id, try_id, LocalSet}` and a panicking `spawn_blocking`, in both
//! worlds.

extern crate simloop_tokio as tokio;

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use simloop::{Config, Failure, Sim};
use tokio::task::{AbortHandle, Id, LocalSet};

#[test]
fn abort_handles_and_ids_inside_a_simulation() {
    simloop::check(|| async {
        let sleeper = tokio::spawn(tokio::time::sleep(Duration::from_secs(60)));
        let abort: AbortHandle = sleeper.abort_handle();
        assert!(matches!(abort, AbortHandle::Sim(_)));
        assert_eq!(abort.id(), sleeper.id());
        assert!(!abort.is_finished());
        abort.abort();
        assert!(abort.is_finished());
        assert!(sleeper.await.unwrap_err().is_cancelled());

        let child = tokio::spawn(async { (tokio::task::id(), tokio::task::try_id()) });
        let child_id = child.id();
        assert!(matches!(child_id, Id::Sim(_)));
        let (id, try_id) = child.await.unwrap();
        assert_eq!((id, try_id), (child_id, Some(child_id)));
        assert_ne!(tokio::task::id(), child_id);
        assert_eq!(simloop::time::now().since_start(), Duration::ZERO);
    });
}

#[real::test(start_paused = true)]
async fn abort_handles_and_ids_outside_a_simulation() {
    let sleeper = tokio::spawn(tokio::time::sleep(Duration::from_secs(60)));
    let abort = sleeper.abort_handle();
    assert!(matches!(abort, AbortHandle::Tokio(_)));
    assert_eq!(abort.id(), sleeper.id());
    abort.abort();
    assert!(sleeper.await.unwrap_err().is_cancelled());
    assert!(abort.is_finished());
    let child = tokio::spawn(async { tokio::task::id() });
    let id = child.id();
    assert!(matches!(id, Id::Tokio(_)));
    assert_eq!(child.await.unwrap(), id);
    assert_eq!(tokio::task::try_id(), None); // `block_on`'s future is no task
    assert_eq!(
        id.to_string(),
        match id {
            Id::Tokio(inner) => inner.to_string(),
            Id::Sim(_) => unreachable!(),
        }
    );
}

#[test]
fn a_local_set_inside_a_simulation_tracks_awaits_and_aborts_its_tasks() {
    simloop::check(|| async {
        let local = LocalSet::new();
        let log = Rc::new(Cell::new(0u32));
        let direct = {
            let log = log.clone();
            local.spawn_local(async move {
                tokio::time::sleep(Duration::from_secs(3)).await;
                log.set(log.get() + 1);
                "direct"
            })
        };
        let out = local
            .run_until(async {
                let log = log.clone();
                // `task::spawn_local` inside `run_until` joins the set, as in tokio.
                drop(tokio::task::spawn_local(async move {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    let log2 = log.clone();
                    // So does a task spawned by a task of the set.
                    drop(tokio::task::spawn_local(async move {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        log2.set(log2.get() + 10);
                    }));
                    log.set(log.get() + 100);
                }));
                "until"
            })
            .await;
        assert_eq!(out, "until");
        assert_eq!(log.get(), 0);
        let start = tokio::time::Instant::now();
        local.await;
        assert_eq!(log.get(), 111);
        assert_eq!(start.elapsed(), Duration::from_secs(3));
        assert_eq!(direct.await.unwrap(), "direct");

        // Dropping a set aborts the tasks it still runs.
        let dropped = LocalSet::new();
        let orphan = dropped.spawn_local(tokio::time::sleep(Duration::from_secs(60)));
        drop(dropped);
        assert!(orphan.await.unwrap_err().is_cancelled());
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    });
}

#[test]
fn a_local_set_outside_a_simulation_is_tokio() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let local = LocalSet::new();
    let shared = Rc::new(Cell::new(1));
    let value = {
        let shared = shared.clone();
        local.block_on(&runtime, async move {
            tokio::task::spawn_local(async move { shared.get() + 1 })
                .await
                .unwrap()
        })
    };
    assert_eq!(value, 2);
}

/// Under simloop a panicking task fails the run with its replay line, `spawn_blocking`'s too:
/// the panic is the bug the sweep looks for (tokio would hand it to the `JoinHandle` as a
/// `JoinError` with `is_panic()`, which outside a simulation the facade still does).
#[test]
fn a_panicking_spawn_blocking_fails_the_run_inside_a_simulation() {
    let run = Sim::new(Config::default()).run(async {
        let result = tokio::task::spawn_blocking(|| -> u32 { panic!("blocking boom") }).await;
        unreachable!("the run fails at the panic, not here: {result:?}");
    });
    let failure = run.result.unwrap_err();
    match &failure {
        Failure::Panic { message, .. } => assert_eq!(message, "blocking boom"),
        other => panic!("expected a panic failure, got {other}"),
    }
    assert!(failure.to_string().contains("SIMLOOP_REPLAY="));
}

#[real::test]
async fn a_panicking_spawn_blocking_is_a_join_error_outside_a_simulation() {
    let error = tokio::task::spawn_blocking(|| -> u32 { panic!("blocking boom") })
        .await
        .unwrap_err();
    assert!(error.is_panic());
    let payload = error.into_panic();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"blocking boom"));
}
