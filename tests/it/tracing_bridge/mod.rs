//! The `tracing` bridge: `tracing` events become trace lines stamped with virtual time and task.

use std::time::Duration;

use simloop::task::spawn_named;
use simloop::time::sleep;
use simloop::tracing_bridge::{subscriber, SimSubscriber};
use simloop::{Config, Failure, Sim, Strategy, TraceLevel};
use tracing::Instrument;

fn full(strategy: Strategy) -> Sim {
    Sim::new(
        Config::default()
            .with_strategy(strategy)
            .with_trace(TraceLevel::Full),
    )
}

/// Two named workers log through `tracing` inside spans, at different virtual times.
async fn workers() {
    let handles: Vec<_> = [("alice", 2), ("bob", 1)]
        .into_iter()
        .map(|(name, secs)| {
            spawn_named(
                name,
                async move {
                    tracing::debug!("started");
                    sleep(Duration::from_secs(secs)).await;
                    let span = tracing::info_span!("reply", bytes = tracing::field::Empty);
                    span.record("bytes", 10 * secs);
                    span.in_scope(|| tracing::info!(secs, "done"));
                }
                .instrument(tracing::info_span!("worker", name)),
            )
        })
        .collect();
    for handle in handles {
        handle.await.unwrap();
    }
    tracing::warn!(target: "summary", workers = 2, "all done");
}

#[test]
fn events_land_in_the_trace_with_virtual_time_task_and_spans() {
    // Goal: each event is a user line with its virtual time, its task and its span context.
    let run =
        tracing::subscriber::with_default(subscriber(), || full(Strategy::Fifo).run(workers()));
    run.result.unwrap();
    crate::assert_snapshot!("tracing_bridge_user_lines", run.trace.user_lines());
}

#[test]
fn level_filter_and_targets_are_honoured() {
    // Goal: with_max_level drops detail and with_target names the target.
    let quiet = SimSubscriber::new()
        .with_max_level(tracing::level_filters::LevelFilter::INFO)
        .with_target(true);
    let run = tracing::subscriber::with_default(quiet, || full(Strategy::Fifo).run(workers()));
    let lines = run.trace.user_lines();
    assert!(!lines.contains("started"), "{lines}");
    assert!(
        lines.contains("WARN summary: all done workers=2"),
        "{lines}"
    );
}

#[test]
fn events_outside_a_simulation_are_dropped() {
    // Goal: events before and after a run go nowhere, and none leak into the next run.
    let run = tracing::subscriber::with_default(subscriber(), || {
        tracing::info!("before");
        let run = full(Strategy::Fifo).run(async { tracing::info!("inside") });
        tracing::info!("after");
        run
    });
    assert_eq!(
        run.trace.user_lines(),
        "    0.000s  main          log: INFO inside\n"
    );
}

#[test]
fn a_failure_report_shows_the_tracing_lines_before_it() {
    // Goal: users' existing instrumentation appears in the "last events" of a failure report.
    let run = tracing::subscriber::with_default(subscriber(), || {
        full(Strategy::Fifo).run(async {
            tracing::error!(balance = -3, "invariant broken");
            panic!("boom");
        })
    });
    let Err(failure @ Failure::Panic { .. }) = run.result else {
        panic!("the run panics");
    };
    assert!(
        failure
            .to_string()
            .contains("log: ERROR invariant broken balance=-3"),
        "{failure}"
    );
}

#[test]
fn traces_with_tracing_lines_are_deterministic() {
    // Goal: the same seed gives the same trace, tracing lines included.
    let text = |seed| {
        tracing::subscriber::with_default(subscriber(), || {
            Sim::new(
                Config::default()
                    .with_seed(seed)
                    .with_strategy(Strategy::Random)
                    .with_trace(TraceLevel::Full),
            )
            .run(workers())
            .trace
            .text()
        })
    };
    assert_eq!(text(5), text(5));
    assert!(text(5).contains("log: INFO worker{name=\"alice\"}:reply{bytes=20}: done secs=2"));
}
