//! Fault sites: enabled per seed, fired per reach, reproduced by replay, listed in reports.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use simloop::sim::{faults_report, FaultSite, Rate, WorldConfig};
use simloop::task::spawn;
use simloop::time::sleep;
use simloop::{Config, Failure, Sim, Strategy, TraceLevel};

const SITES: [&str; 3] = ["a", "b", "c"];

fn reach_all(times: usize) -> Vec<FaultSite> {
    for _ in 0..times {
        for site in SITES {
            simloop::fault!(site);
        }
    }
    faults_report()
}

// Goal: a site fires only in seeds where it is enabled, at about the configured rates.
#[test]
fn sites_fire_only_when_enabled() {
    let (mut enabled, mut reached, mut fired) = (0u64, 0u64, 0u64);
    for seed in 0..400 {
        let run = Sim::new(Config::default().with_seed(seed)).run(async { reach_all(40) });
        for site in run.result.unwrap() {
            if site.enabled {
                enabled += 1;
                reached += site.reached;
                fired += site.fired;
            } else {
                assert_eq!(site.fired, 0, "seed {seed}: {site}");
            }
        }
    }
    let enabled_rate = enabled as f64 / 1200.0;
    let fire_rate = fired as f64 / reached as f64;
    assert!((enabled_rate - 0.25).abs() < 0.04, "enabled {enabled_rate}");
    assert!((fire_rate - 0.25).abs() < 0.02, "fired {fire_rate}");
}

// Goal: fault sites that are never enabled never fire; always-on sites always fire.
#[test]
fn rates_of_zero_and_one_are_exact() {
    let never = WorldConfig::default().with_fault_sites(Rate::NEVER);
    let run = Sim::new(Config::default().with_world(never)).run(async { reach_all(10) });
    assert!(run
        .result
        .unwrap()
        .iter()
        .all(|site| !site.enabled && site.fired == 0));
    let always = WorldConfig::default()
        .with_fault_sites(Rate::ALWAYS)
        .with_fault_fires(Rate::ALWAYS);
    let run = Sim::new(Config::default().with_world(always)).run(async { reach_all(10) });
    assert!(run.result.unwrap().iter().all(|site| site.fired == 10));
    assert!(!simloop::fault!("outside a simulation"));
}

/// Five tasks race through fault sites; returns who saw which site fire, in order.
async fn racing_sites() -> (Vec<(usize, bool)>, Vec<FaultSite>) {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let mut handles = Vec::new();
    for worker in 0..5 {
        let seen = Rc::clone(&seen);
        handles.push(spawn(async move {
            for _ in 0..10 {
                let fired = simloop::fault!("race");
                seen.borrow_mut().push((worker, fired));
                let pause = if simloop::fault!() { 2 } else { 1 };
                sleep(Duration::from_millis(pause)).await;
            }
        }));
    }
    for handle in handles {
        handle.await.unwrap();
    }
    let seen = seen.borrow().clone();
    (seen, faults_report())
}

// Goal: rerunning a seed with its recorded schedule fires the same sites at the same moments.
#[test]
fn the_same_seed_and_schedule_reproduce_the_faults() {
    let world = WorldConfig::default()
        .with_fault_sites(Rate::ALWAYS)
        .with_fault_fires(Rate::fixed(0.5));
    let config = Config::default()
        .with_seed(21)
        .with_strategy(Strategy::Random)
        .with_trace(TraceLevel::Full)
        .with_world(world);
    let first = Sim::new(config.clone()).run(racing_sites());
    assert!(
        !first.schedule.deviations().is_empty(),
        "the random strategy deviated"
    );
    let replay = config
        .clone()
        .with_strategy(Strategy::Replay(first.schedule.clone()));
    let replayed = Sim::new(replay).run(racing_sites());
    assert_eq!(replayed.trace.digest(), first.trace.digest());
    assert_eq!(replayed.trace.text(), first.trace.text());
    let (seen, report) = first.result.unwrap();
    assert_eq!(replayed.result.unwrap(), (seen.clone(), report.clone()));
    assert!(seen.iter().any(|(_, fired)| *fired) && seen.iter().any(|(_, fired)| !*fired));
    assert_eq!(report[0].name, "race");
    assert!(report[1].name.contains("faults.rs:"), "{}", report[1].name);
}

// Goal: the trace records when a site is enabled and each time it fires.
#[test]
fn the_trace_shows_enabled_and_fired_sites() {
    let world = WorldConfig::default()
        .with_fault_sites(Rate::ALWAYS)
        .with_fault_fires(Rate::ALWAYS);
    let config = Config::default()
        .with_trace(TraceLevel::Full)
        .with_world(world);
    let run = Sim::new(config).run(async {
        simloop::fault!("flaky");
        simloop::fault!("flaky");
    });
    let text = run.trace.text();
    assert_eq!(text.matches("fault(flaky).enabled").count(), 1, "{text}");
    assert_eq!(text.matches("fault(flaky).fired").count(), 2, "{text}");
}

// Goal: a failing run's report lists the seed's fault mix and every fault site reached.
#[test]
fn the_failure_report_lists_fault_sites() {
    let world = WorldConfig::default()
        .with_fault_sites(Rate::ALWAYS)
        .with_fault_fires(Rate::ALWAYS);
    let run = Sim::new(Config::default().with_world(world)).run(async {
        if simloop::fault!("drop-ack") {
            panic!("ack dropped");
        }
    });
    let failure = run.result.unwrap_err();
    assert!(matches!(failure, Failure::Panic { .. }));
    let context = failure.context();
    assert_eq!(context.world.len(), 2, "{:?}", context.world);
    assert!(context.world[0].starts_with("fault mix: loss off"));
    assert_eq!(
        context.world[1],
        "fault site drop-ack: enabled, fired 1 of 1"
    );
    let report = failure.to_string();
    assert!(
        report.contains("  simulated world:\n    fault mix:"),
        "{report}"
    );
}

/// Workers acknowledge messages; one whose ack is dropped by a fault site while another
/// worker is mid-send trips the invariant.
async fn acks() {
    let in_flight = Rc::new(RefCell::new(0u32));
    let mut handles = Vec::new();
    for _ in 0..4 {
        let in_flight = Rc::clone(&in_flight);
        handles.push(spawn(async move {
            for _ in 0..5 {
                *in_flight.borrow_mut() += 1;
                sleep(Duration::from_millis(1)).await;
                let dropped = simloop::fault!("drop-ack");
                assert!(
                    !(dropped && *in_flight.borrow() > 2),
                    "ack dropped under load"
                );
                *in_flight.borrow_mut() -= 1;
                simloop::task::yield_now().await;
            }
        }));
    }
    for handle in handles {
        handle.await.unwrap();
    }
}

// Goal: a failure caused by a fault site is reproduced by its replay line, faults and all.
#[test]
fn the_replay_line_reproduces_the_fault_sites() {
    let world = WorldConfig::default()
        .with_fault_sites(Rate::fixed(0.5))
        .with_fault_fires(Rate::fixed(0.3));
    let config = Config::default()
        .with_strategy(Strategy::Random)
        .with_iterations(200)
        .with_world(world);
    let report = simloop::explore(config.clone(), acks);
    let failure = report
        .failure
        .expect("some seed enables the site and fires it under load");
    let context = failure.context();
    assert!(context
        .world
        .iter()
        .any(|line| line.starts_with("fault site drop-ack: enabled")));
    let schedule = context
        .minimal
        .as_ref()
        .map_or(&context.schedule, |(s, _)| s);
    let line = context.replay_line();
    assert!(line.contains(&schedule.to_string()), "{line}");
    let again = simloop::explore(config.with_replay(schedule.clone()), acks);
    let replayed = again.failure.expect("the replay fails again");
    assert_eq!(replayed.headline(), failure.headline());
    assert_eq!(replayed.context().world, context.world);
    assert_eq!(replayed.context().last_events, context.last_events);
}
