//! SIMLOOP_* knobs: reading the process environment, shards. (The parsing of each variable is
//! unit-tested beside it, in `src/config/env.rs`.)

use std::process::Command;

use simloop::config::Shard;
use simloop::Config;

/// Set in the child process the tests below start; holds the case the child checks.
const CHILD: &str = "ENV_TEST_CASE";

// Goal: `Config::try_from_env` reads the process environment: a variable's value reaches its
// field, and a malformed one is an error naming the variable.
#[test]
fn try_from_env_reads_the_process_environment() {
    match std::env::var(CHILD).as_deref() {
        Ok("good") => {
            let config = Config::try_from_env().unwrap();
            assert_eq!((config.seed, config.iterations), (9, 3));
            return;
        }
        Ok("bad") => {
            let error = Config::try_from_env().unwrap_err();
            assert_eq!(error.field(), "SIMLOOP_ITERATIONS");
            return;
        }
        _ => {}
    }
    for (case, vars) in [
        ("good", [("SIMLOOP_SEED", "9"), ("SIMLOOP_ITERATIONS", "3")]),
        (
            "bad",
            [("SIMLOOP_SEED", "9"), ("SIMLOOP_ITERATIONS", "lots")],
        ),
    ] {
        let child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "explore::env::try_from_env_reads_the_process_environment",
            ])
            .args(["--test-threads", "1"])
            .env(CHILD, case)
            .envs(vars)
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&child.stdout);
        assert!(
            child.status.success() && out.contains("1 passed"),
            "the {case} case failed in the child:\n{out}"
        );
    }
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
