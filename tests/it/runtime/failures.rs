//! Failures: panics, deadlocks, limits, bad config, misuse outside a simulation.

use std::panic::catch_unwind;
use std::time::Duration;

use simloop::task::{spawn, spawn_named, yield_now};
use simloop::time::sleep;
use simloop::{Config, Failure, Sim, Strategy};

fn fifo_config() -> Config {
    Config::default().with_strategy(Strategy::Fifo)
}

fn message_of(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

// Goal: a deadlock lists every blocked task with its name, spawn site and what it waits on.
#[test]
fn deadlock_report_lists_blocked_tasks() {
    let run = Sim::new(fifo_config().with_seed(9)).run(async {
        let stuck = spawn_named("stuck", std::future::pending::<()>());
        stuck.await.unwrap();
    });
    let Err(failure @ Failure::Deadlock { .. }) = run.result else {
        panic!("expected a deadlock, got {:?}", run.result.map(|_| ()));
    };
    let Failure::Deadlock { blocked, .. } = &failure else {
        unreachable!()
    };
    assert_eq!(blocked.len(), 2);
    assert_eq!(blocked[0].task.name.as_deref(), Some("main"));
    assert_eq!(
        blocked[0].waiting_on.as_deref(),
        Some("the end of task `stuck`")
    );
    assert!(blocked[1].task.spawned_at.contains("failures.rs"));
    let report = failure.to_string();
    assert!(
        report.starts_with("simloop: deadlock: 2 tasks blocked"),
        "{report}"
    );
    assert!(
        report.contains("seed 9, strategy fifo, virtual time 0.000s, step 2"),
        "{report}"
    );
    assert!(report.contains("replay: SIMLOOP_REPLAY=v1:9:"), "{report}");
    assert!(report.contains("last events:"), "{report}");
}

// Goal: a panic in a task ends the run with Failure::Panic naming the task, message and location.
#[test]
fn a_task_panic_is_caught_and_reported() {
    let run = Sim::new(fifo_config()).run(async {
        let _other = spawn_named("bystander", sleep(Duration::from_secs(100)));
        let worker = spawn_named("worker", async {
            sleep(Duration::from_secs(2)).await;
            panic!("consumed out of order: item-2 before item-1");
        });
        worker.await.unwrap();
    });
    let failure = run.result.unwrap_err();
    let Failure::Panic {
        task,
        message,
        location,
        ..
    } = &failure
    else {
        panic!("expected a panic failure: {failure}");
    };
    assert_eq!(task.name.as_deref(), Some("worker"));
    assert_eq!(message, "consumed out of order: item-2 before item-1");
    assert!(location.as_deref().unwrap().contains("failures.rs"));
    let report = failure.to_string();
    assert!(
        report.contains("task `worker` panicked at tests/it/runtime/failures.rs"),
        "{report}"
    );
    assert!(report.contains("virtual time 2.000s"), "{report}");
    // Every other task was dropped cleanly; no timer kept the run alive.
    assert_eq!(run.elapsed, Duration::from_secs(2));
}

// Goal: max_steps ends a livelock with StepLimit.
#[test]
fn step_limit_ends_a_livelock() {
    let run = Sim::new(fifo_config().with_max_steps(1000)).run(async {
        loop {
            yield_now().await;
        }
    });
    match run.result {
        Err(Failure::StepLimit { limit, .. }) => assert_eq!(limit, 1000),
        other => panic!("expected a step limit, got {:?}", other.map(|_: ()| ())),
    }
    assert_eq!(run.steps, 1000);
}

// Goal: max_time ends a run whose next timer lies beyond it.
#[test]
fn time_limit_ends_a_long_run() {
    let run = Sim::new(fifo_config().with_max_time(Duration::from_secs(60))).run(async {
        loop {
            sleep(Duration::from_secs(7)).await;
        }
    });
    let failure = run.result.map(|_: ()| ()).unwrap_err();
    assert!(
        matches!(failure, Failure::TimeLimit { limit, .. } if limit == Duration::from_secs(60))
    );
    assert_eq!(
        failure.context().time.since_start(),
        Duration::from_secs(56)
    );
}

// Goal: max_tasks ends a spawn storm with TaskLimit.
#[test]
fn task_limit_ends_a_spawn_storm() {
    let run = Sim::new(fifo_config().with_max_tasks(10)).run(async {
        for _ in 0..100 {
            spawn(async {}).detach();
        }
    });
    assert!(matches!(
        run.result,
        Err(Failure::TaskLimit { limit: 10, .. })
    ));
}

// Goal: a config that cannot work is refused with a message naming the field.
#[test]
fn bad_config_is_refused_naming_the_field() {
    for (config, field) in [
        (Config::default().with_max_steps(0), "max_steps"),
        (Config::default().with_max_time(Duration::ZERO), "max_time"),
        (Config::default().with_max_tasks(0), "max_tasks"),
        (Config::default().with_iterations(0), "iterations"),
    ] {
        let error = Sim::try_new(config).unwrap_err();
        assert_eq!(error.field(), field);
        assert!(error.to_string().contains(field));
    }
}

// Goal: in-simulation functions called outside one panic with a message naming them.
#[test]
fn functions_outside_a_simulation_name_themselves() {
    type Call = Box<dyn Fn() + std::panic::RefUnwindSafe>;
    let cases: Vec<(&str, Call)> = vec![
        (
            "simloop::time::now",
            Box::new(|| {
                simloop::time::now();
            }),
        ),
        (
            "simloop::time::sleep",
            Box::new(|| drop(sleep(Duration::ZERO))),
        ),
        ("simloop::task::spawn", Box::new(|| drop(spawn(async {})))),
        ("simloop::log!", Box::new(|| simloop::log!("x"))),
        (
            "simloop::random",
            Box::new(|| {
                simloop::random::random::<u8>();
            }),
        ),
    ];
    for (name, call) in cases {
        let message = message_of(catch_unwind(&call).unwrap_err());
        assert!(message.contains(name), "{message}");
        assert!(message.contains("outside a simulation"), "{message}");
    }
}

// Goal: starting a simulation inside a simulation is a clear error, not a corrupted context.
#[test]
fn nested_simulation_is_a_clear_error() {
    let run = Sim::new(fifo_config())
        .run(async { Sim::new(Config::default()).run(async {}).result.is_ok() });
    let Err(Failure::Panic { message, .. }) = run.result else {
        panic!("expected the nested run to fail");
    };
    assert!(
        message.contains("cannot start inside another simulation"),
        "{message}"
    );
    // The outer context is intact: a new simulation works afterwards.
    assert_eq!(simloop::run(0, async { 1 }), 1);
}

/// A library that calls real tokio inside a simulation panics with tokio's message; the report
/// says what happened and how to route the call through the facade.
#[test]
fn a_real_tokio_panic_gets_a_hint_to_use_the_facade() {
    let run = Sim::new(fifo_config()).run(async {
        spawn(async {
            panic!("there is no reactor running, must be called from the context of a Tokio 1.x runtime")
        })
        .await
        .unwrap();
    });
    let report = run.result.unwrap_err().to_string();
    assert!(
        report.contains("hint: this is real tokio's panic"),
        "{report}"
    );
    assert!(report.contains("package = \"simloop-tokio\""), "{report}");
    assert!(report.contains("[patch.crates-io]"), "{report}");
    // Other panics get no such hint.
    let run = Sim::new(fifo_config()).run(async { panic!("boom") });
    assert!(!run.result.unwrap_err().to_string().contains("hint:"));
}
