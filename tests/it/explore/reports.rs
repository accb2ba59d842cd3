//! Reports that point at the cause: a deadlocked task's own last events and what it waits on,
//! even when other tasks fill the report's tail.

use simloop::task::{spawn_named, yield_now};
use simloop::{Config, Failure, Sim, Strategy};

// Goal: a task blocked on a future simloop does not own is named as such, with its future's
// type, the step of
// its last poll and its own last events, though later events of another task push its own out of the
// report's tail (within the trace's recorded events); the report says how to get the full trace.
#[test]
fn a_deadlock_report_shows_each_blocked_tasks_own_events() {
    let run = Sim::new(Config::default().with_strategy(Strategy::Fifo)).run(async {
        let stuck = spawn_named("stuck", async {
            simloop::log!("about to wait on a foreign future");
            std::future::pending::<()>().await;
        });
        let noise = spawn_named("noise", async {
            for _ in 0..20 {
                yield_now().await;
            }
        });
        noise.await.unwrap();
        stuck.await.unwrap();
    });
    let Err(failure @ Failure::Deadlock { .. }) = run.result else {
        panic!("the run deadlocks");
    };
    let Failure::Deadlock { blocked, .. } = &failure else {
        unreachable!()
    };
    let stuck = blocked
        .iter()
        .find(|task| task.task.name.as_deref() == Some("stuck"))
        .expect("`stuck` is blocked");
    assert_eq!(stuck.waiting_on, None);
    assert!(
        stuck
            .future
            .contains("reports::a_deadlock_report_shows_each_blocked_tasks_own_events"),
        "{}",
        stuck.future
    );
    assert_eq!(stuck.last_poll.map(|(step, _)| step), Some(1));
    assert!(
        stuck
            .last_events
            .iter()
            .any(|line| line.contains("about to wait")),
        "{:?}",
        stuck.last_events
    );
    let report = failure.to_string();
    assert!(
        report.contains("waits on a future simloop does not own")
            && report.contains(&format!("inside its future `{}`", stuck.future))
            && report.contains("last polled at step 1"),
        "{report}"
    );
    assert!(
        report.contains("log: about to wait on a foreign future"),
        "{report}"
    );
    assert!(report.contains("SIMLOOP_TRACE="), "{report}");
}
