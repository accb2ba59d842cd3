//! The proptest integration: strategies over interleavings, shrinking, replay lines.

use std::cell::Cell;
use std::rc::Rc;

use proptest::prelude::*;
use proptest::strategy::{Strategy as _, ValueTree};
use proptest::test_runner::{Config as Cases, RngAlgorithm, TestError, TestRng, TestRunner};
use simloop::task::{spawn, yield_now};
use simloop::{Config, Schedule, Sim, Strategy};

/// Two to four workers read a counter, yield, and write it back: a lost update.
async fn racy_counter(workers: usize) -> Result<(), TestCaseError> {
    let counter = Rc::new(Cell::new(0));
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let counter = counter.clone();
            spawn(async move {
                let seen = counter.get();
                yield_now().await;
                counter.set(seen + 1);
            })
        })
        .collect();
    for handle in handles {
        handle.await.unwrap();
    }
    prop_assert_eq!(counter.get(), workers, "lost update");
    Ok(())
}

fn runner() -> TestRunner {
    // Deliberately failing properties must not write regression files.
    let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let cases = Cases {
        failure_persistence: None,
        ..Cases::default()
    };
    TestRunner::new_with_rng(cases, rng)
}

#[test]
fn shrinking_ends_in_two_workers_and_a_short_schedule() {
    // Goal: proptest shrinks data and interleaving together down to a minimal readable case.
    let strategy = (simloop::proptest::configs(), 1..5usize);
    let result = runner().run(&strategy, |(config, workers)| {
        simloop::proptest::run(&config, racy_counter(workers))
    });
    let Err(TestError::Fail(reason, (config, workers))) = result else {
        panic!("the lost update is found: {result:?}");
    };
    assert_eq!(workers, 2);
    assert_eq!(config.seed, 0);
    let Strategy::Choices(choices) = &config.strategy else {
        panic!("a choices strategy");
    };
    // asyncio's own order loses the update, so the stream shrinks to zeros: no deviation.
    assert!(choices.as_slice().iter().all(|&c| c == 0), "{choices:?}");
    assert!(
        reason
            .message()
            .ends_with("\n  replay: SIMLOOP_REPLAY=v1:0:"),
        "{reason}"
    );
}

/// Spawns the named tasks, each appending its name; returns the order they ran in.
async fn arrival_order(names: Vec<&'static str>) -> Vec<&'static str> {
    let log = Rc::new(std::cell::RefCell::new(Vec::new()));
    let handles: Vec<_> = names
        .into_iter()
        .map(|name| {
            let log = log.clone();
            spawn(async move { log.borrow_mut().push(name) })
        })
        .collect();
    for handle in handles {
        handle.await.unwrap();
    }
    let order = log.borrow().clone();
    order
}

#[test]
fn an_order_bug_hidden_by_asyncio_shrinks_to_one_deviation_that_replays() {
    // Goal: a bug asyncio's order hides shrinks to a one-deviation schedule, and that line replays it.
    let result = runner().run(&simloop::proptest::configs(), |config| {
        simloop::proptest::run(&config, async {
            let order = arrival_order(vec!["a", "b", "c"]).await;
            prop_assert_eq!(order, vec!["a", "b", "c"]);
            Ok(())
        })
    });
    let Err(TestError::Fail(reason, config)) = result else {
        panic!("the order bug is found: {result:?}");
    };
    let line = reason.message().lines().last().unwrap().trim();
    let schedule: Schedule = line
        .strip_prefix("replay: SIMLOOP_REPLAY=")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(schedule.seed(), 0);
    assert_eq!(schedule.deviations().len(), 1, "{line} from {config:?}");
    let replayed = Sim::new(
        Config::default()
            .with_seed(0)
            .with_strategy(Strategy::Replay(schedule)),
    )
    .run(arrival_order(vec!["a", "b", "c"]));
    assert_ne!(replayed.result.unwrap(), vec!["a", "b", "c"]);
}

#[test]
fn a_failing_run_fails_the_case_with_simloops_report() {
    // Goal: a panic inside the simulation becomes a failed case whose message is the failure report.
    let config = Config::default().with_strategy(Strategy::Choices(Default::default()));
    let error = simloop::proptest::run(&config, async {
        spawn(async { panic!("worker broke") }).await.ok();
        Ok(())
    })
    .unwrap_err();
    let message = error.to_string();
    assert!(message.contains("worker broke"), "{message}");
    assert!(message.contains("SIMLOOP_REPLAY=v1:0:"), "{message}");
}

#[test]
fn rejections_pass_through_unchanged() {
    // Goal: prop_assume! inside the simulation rejects the case instead of failing it.
    let config = Config::default();
    let error = simloop::proptest::run(&config, async {
        prop_assume!(false, "not interesting");
        Ok(())
    })
    .unwrap_err();
    assert!(matches!(error, TestCaseError::Reject(_)), "{error:?}");
}

#[test]
fn the_same_case_gives_the_same_run() {
    // Goal: a generated config determines the run, so a persisted case reproduces exactly.
    let mut runner = runner();
    let tree = simloop::proptest::configs().new_tree(&mut runner).unwrap();
    let config = tree.current();
    let trace = |config: &Config| {
        let run = Sim::new(config.clone().with_trace(simloop::TraceLevel::Full))
            .run(arrival_order(vec!["a", "b", "c", "d"]));
        (run.trace.text(), run.schedule.to_string())
    };
    assert_eq!(trace(&config), trace(&config));
}

proptest! {
    #![proptest_config(Cases { cases: 64, ..Cases::default() })]

    #[test]
    fn gather_returns_argument_order_under_every_interleaving(
        config in simloop::proptest::configs(),
        secs in proptest::collection::vec(0..4u64, 1..6),
    ) {
        // Goal: data and interleaving vary together in one property that holds.
        simloop::proptest::run(&config, async {
            let jobs = secs.iter().enumerate().map(|(index, &s)| async move {
                simloop::time::sleep(std::time::Duration::from_secs(s)).await;
                yield_now().await;
                Ok::<_, ()>(index)
            });
            let done = simloop::task::gather(jobs).await.unwrap();
            prop_assert_eq!(done, (0..secs.len()).collect::<Vec<_>>());
            let longest = secs.iter().copied().max().unwrap_or(0);
            prop_assert_eq!(simloop::time::now().since_start().as_secs(), longest);
            Ok(())
        })?;
    }
}
