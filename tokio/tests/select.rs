//! The facade's `select!`: seeded inside a simulation, tokio's outside.

extern crate simloop_tokio as tokio;

use simloop::{Config, Sim, Strategy, TraceLevel};
use std::time::Duration;

/// Three ready branches; which one a seed takes.
async fn three_ready() -> u32 {
    let mut picks = 0;
    for _ in 0..8 {
        let pick = tokio::select! {
            a = async { 1 } => a,
            b = std::future::ready(2) => { b }
            c = async { 3 }, if true => c,
        };
        simloop::log!("picked {pick}");
        picks = picks * 10 + pick;
    }
    picks
}

fn run(seed: u64) -> (u32, String) {
    let config = Config::default()
        .with_seed(seed)
        .with_strategy(Strategy::Random)
        .with_trace(TraceLevel::Full);
    let run = Sim::new(config).run(three_ready());
    (run.result.unwrap(), run.trace.text())
}

#[test]
fn select_with_ready_branches_replays_under_a_seed_and_differs_across_seeds() {
    let (first, trace) = run(7);
    assert_eq!(
        run(7),
        (first, trace.clone()),
        "same seed, same picks, same trace"
    );
    let picks: std::collections::BTreeSet<u32> = (0..20).map(|seed| run(seed).0).collect();
    assert!(
        picks.len() > 1,
        "every seed picked the same branches: {picks:?}"
    );
    // Every branch is taken by some seed: the start is drawn over all of them.
    let digits: std::collections::BTreeSet<char> = picks
        .iter()
        .flat_map(|p| p.to_string().chars().collect::<Vec<_>>())
        .collect();
    assert_eq!(digits, ['1', '2', '3'].into_iter().collect());
}

#[test]
fn select_passes_the_determinism_check() {
    let report = simloop::explore(
        Config::default()
            .with_iterations(30)
            .with_check_determinism(true),
        || async {
            three_ready().await;
        },
    );
    assert!(report.failure.is_none(), "{}", report.failure.unwrap());
}

#[test]
fn select_supports_else_disabled_branches_and_biased() {
    simloop::check(|| async {
        let none: Option<u32> = None;
        let got = tokio::select! {
            Some(x) = async { none } => x,
            _ = std::future::pending::<()>(), if false => 0,
            else => 99,
        };
        assert_eq!(got, 99);
        let first = tokio::select! {
            biased;
            a = async { 1 } => a,
            b = async { 2 } => b,
        };
        assert_eq!(first, 1);
        let mut count = 0;
        let timed = tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(5)) => { count += 1; "timer" }
            (x, y) = async { tokio::time::sleep(Duration::from_secs(9)).await; (1, 2) } => {
                count += x + y;
                "pair"
            }
        };
        assert_eq!((timed, count), ("timer", 1));
        assert_eq!(simloop::time::now().since_start(), Duration::from_secs(5));
    });
}

#[real::test]
async fn select_is_tokio_select_outside_a_simulation() {
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..200 {
        seen.insert(tokio::select! {
            a = async { 1 } => a,
            b = async { 2 } => b,
        });
    }
    assert_eq!(seen.len(), 2, "tokio's own random start");
    tokio::join!(async {}, async {});
    let both: Result<(u8, u8), ()> = tokio::try_join!(async { Ok(1) }, async { Ok(2) });
    assert_eq!(both, Ok((1, 2)));
    let fut = async { 5 };
    tokio::pin!(fut);
    assert_eq!(fut.await, 5);
}
