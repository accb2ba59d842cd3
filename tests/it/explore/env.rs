//! SIMLOOP_* knobs: parsing, precedence, errors naming the variable.

use std::path::PathBuf;
use std::time::Duration;

use simloop::config::Shard;
use simloop::{Config, Strategy};

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

// Goal: every documented variable is read into its field.
#[test]
fn every_knob_is_applied() {
    let config = Config::default()
        .apply_vars(vars(&[
            ("SIMLOOP_SEED", "0x10"),
            ("SIMLOOP_ITERATIONS", "10_000"),
            ("SIMLOOP_STRATEGY", "pct:3"),
            ("SIMLOOP_REPLAY", "v1:5:3=1"),
            ("SIMLOOP_MAX_STEPS", "500"),
            ("SIMLOOP_MAX_TIME", "1500ms"),
            ("SIMLOOP_CHECK_DETERMINISM", "yes"),
            ("SIMLOOP_JOBS", "2"),
            ("SIMLOOP_SHARD", "1/4"),
            ("SIMLOOP_TRACE", "trace.json"),
        ]))
        .unwrap();
    assert_eq!(config.seed, 16);
    assert_eq!(config.iterations, 10_000);
    assert_eq!(config.strategy, Strategy::Pct { depth: 3 });
    assert_eq!(config.replay.unwrap().to_string(), "v1:5:3=1");
    assert_eq!(config.max_steps, 500);
    assert_eq!(config.max_time, Duration::from_millis(1500));
    assert!(config.check_determinism);
    assert_eq!(config.jobs, 2);
    assert_eq!(config.shard, Shard::new(1, 4).unwrap());
    assert_eq!(config.trace_path, Some(PathBuf::from("trace.json")));
}

// Goal: env overrides code, and code overrides the default.
#[test]
fn env_beats_code_beats_default() {
    let code = Config::default().with_seed(7).with_iterations(3);
    let config = code.apply_vars(vars(&[("SIMLOOP_SEED", "9")])).unwrap();
    assert_eq!(config.seed, 9);
    assert_eq!(config.iterations, 3);
    assert_eq!(config.max_steps, Config::default().max_steps);
}

// Goal: a malformed value is an error naming the variable and the expected form.
#[test]
fn malformed_values_name_the_variable() {
    for (name, value, expected) in [
        ("SIMLOOP_SEED", "-1", "u64"),
        ("SIMLOOP_ITERATIONS", "0", "positive"),
        ("SIMLOOP_STRATEGY", "fastest", "pct:<depth>"),
        ("SIMLOOP_STRATEGY", "pct:0", "pct:<depth>"),
        ("SIMLOOP_REPLAY", "v1:5:3=", "byte 7"),
        ("SIMLOOP_REPLAY", "v9:1:", "another version"),
        ("SIMLOOP_MAX_STEPS", "many", "positive"),
        ("SIMLOOP_MAX_TIME", "10 parsecs", "duration"),
        ("SIMLOOP_CHECK_DETERMINISM", "maybe", "true"),
        ("SIMLOOP_CHECK_DETERMINISM", "", "true"),
        ("SIMLOOP_CHECK_DETERMINISM", "  ", "true"),
        ("SIMLOOP_JOBS", "0", "positive"),
        ("SIMLOOP_SHARD", "4/4", "0 <= i < n"),
        ("SIMLOOP_SHARD", "1", "i/n"),
        ("SIMLOOP_TRACE", "", "file path"),
    ] {
        let error = Config::default()
            .apply_vars(vars(&[(name, value)]))
            .unwrap_err();
        assert_eq!(error.field(), name, "{name}={value}");
        let text = error.to_string();
        assert!(text.contains(expected), "{name}={value}: {text}");
    }
}

// Goal: an unknown SIMLOOP_* variable draws a warning that names it; others are ignored.
#[test]
fn unknown_variables_are_named() {
    let warnings = Config::unknown_variables(&vars(&[
        ("SIMLOOP_SEEDS", "1"),
        ("SIMLOOP_SEED", "1"),
        ("PATH", "/bin"),
    ]));
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].contains("SIMLOOP_SEEDS"));
    assert!(warnings[0].contains("SIMLOOP_SEED,"));
}

// Goal: shards split the iteration space with no overlap and no gap.
#[test]
fn shards_partition_the_iterations() {
    let count = 5;
    let mut owners = vec![0; 103];
    for index in 0..count {
        let shard: Shard = format!("{index}/{count}").parse().unwrap();
        for (iteration, owner) in owners.iter_mut().enumerate() {
            if shard.contains(iteration as u64) {
                *owner += 1;
            }
        }
    }
    assert!(owners.iter().all(|&n| n == 1));
}
