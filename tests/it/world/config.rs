//! World settings: validation naming the setting, and swarm mixes drawn per seed.

use std::time::Duration;

use simloop::sim::{fault_mix, FaultMix, Latency, Rate, WorldConfig};
use simloop::{Config, Sim};

fn refused(world: WorldConfig) -> String {
    let err = Sim::try_new(Config::default().with_world(world)).unwrap_err();
    err.to_string()
}

// Goal: rates outside 0..=1 and inverted bounds are refused, naming the setting.
#[test]
fn bad_rates_and_latencies_are_refused_by_name() {
    let base = WorldConfig::default;
    assert_eq!(
        refused(base().with_loss(Rate::fixed(1.5))),
        "invalid simloop config: world.loss 1.5 is outside 0..=1"
    );
    assert_eq!(
        refused(base().with_read_errors(Rate::fixed(-0.1))),
        "invalid simloop config: world.read_errors -0.1 is outside 0..=1"
    );
    assert_eq!(
        refused(base().with_fault_fires(Rate::between(0.9, 0.1))),
        "invalid simloop config: world.fault_fires min 0.9 is above max 0.1"
    );
    assert!(refused(base().with_torn_writes(Rate::fixed(f64::NAN))).contains("world.torn_writes"));
    let inverted = Latency::Uniform {
        min: Duration::from_millis(9),
        max: Duration::from_millis(1),
    };
    assert_eq!(
        refused(base().with_disk_latency(inverted)),
        "invalid simloop config: world.disk_latency min 9ms is above max 1ms"
    );
    let tail = Latency::Exponential {
        mean: Duration::from_secs(1),
        max: Duration::from_millis(10),
    };
    let err = Config::default()
        .with_world(base().with_latency(tail))
        .validate()
        .unwrap_err();
    assert_eq!(err.field(), "world.latency");
}

fn mix(config: &Config, seed: u64) -> FaultMix {
    Sim::new(config.clone().with_seed(seed))
        .run(async { fault_mix() })
        .unwrap()
}

// Goal: with swarm on, each seed draws its own mix within the bounds, with kinds switched off.
#[test]
fn swarm_draws_a_mix_per_seed_within_bounds() {
    let world = WorldConfig::default()
        .with_loss(Rate::between(0.01, 0.2))
        .with_errors(Rate::between(0.05, 0.1))
        .with_write_errors(Rate::fixed(0.3))
        .with_swarm(true);
    let config = Config::default().with_world(world);
    let mixes: Vec<FaultMix> = (0..200).map(|seed| mix(&config, seed)).collect();
    let off = mixes.iter().filter(|mix| mix.loss == 0.0).count();
    assert!((70..=130).contains(&off), "loss off in {off} of 200 seeds");
    for mix in &mixes {
        assert!(mix.loss == 0.0 || (0.01..=0.2).contains(&mix.loss), "{mix}");
        assert!(
            mix.errors == 0.0 || (0.05..=0.1).contains(&mix.errors),
            "{mix}"
        );
        assert!(mix.write_errors == 0.0 || mix.write_errors == 0.3, "{mix}");
        assert_eq!(mix.read_errors, 0.0, "never configured, never on");
    }
    let distinct = mixes
        .iter()
        .filter(|mix| mix.loss != 0.0)
        .map(|mix| mix.loss.to_bits());
    assert!(distinct.collect::<std::collections::BTreeSet<_>>().len() > 50);
    assert_eq!(
        mix(&config, 7),
        mix(&config, 7),
        "a seed always draws the same mix"
    );
}

// Goal: without swarm, a range is still drawn per seed and no kind is switched off.
#[test]
fn ranges_without_swarm_are_always_on() {
    let world = WorldConfig::default().with_loss(Rate::between(0.1, 0.2));
    let config = Config::default().with_world(world);
    for seed in 0..50 {
        let loss = mix(&config, seed).loss;
        assert!((0.1..=0.2).contains(&loss), "{loss}");
    }
}

// Goal: a latency above the documented maximum is refused by name, so a round trip (two legs
// added to the clock) cannot overflow.
#[test]
fn latencies_above_the_maximum_are_refused_by_name() {
    let huge = [
        Latency::Fixed(Duration::MAX),
        Latency::Uniform {
            min: Duration::ZERO,
            max: Duration::MAX,
        },
        Latency::Exponential {
            mean: Duration::from_secs(1),
            max: Duration::MAX,
        },
    ];
    for latency in huge {
        let err = Config::default()
            .with_world(WorldConfig::default().with_latency(latency))
            .validate()
            .unwrap_err();
        assert_eq!(err.field(), "world.latency", "{latency:?}");
        assert!(err.to_string().contains("at most"), "{err}");
        let err = Config::default()
            .with_world(WorldConfig::default().with_disk_latency(latency))
            .validate()
            .unwrap_err();
        assert_eq!(err.field(), "world.disk_latency", "{latency:?}");
    }
    // A per-link latency is checked the same way, at the call.
    let run = Sim::new(Config::default()).run(async {
        simloop::net::set_latency("a", "b", Latency::Fixed(Duration::MAX)).unwrap();
    });
    let report = run.result.unwrap_err().to_string();
    assert!(report.contains("at most"), "{report}");
}
