//! The workloads on simloop, in its default check configuration (`Config::default()`: the seeded
//! random strategy, the `Tail` trace), with simloop's own primitives.

use std::time::Duration;

use simloop::task::spawn;
use simloop::time::sleep;
use simloop::{Config, Sim};

use crate::workloads;

fn sim() -> Sim {
    Sim::new(Config::default())
}

pub fn w1_timers(durations: &[[Duration; 3]]) {
    let run = sim().run(async {
        let handles: Vec<_> = durations
            .iter()
            .map(|&sleeps| {
                spawn(async move {
                    for duration in sleeps {
                        sleep(duration).await;
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
    });
    run.result.unwrap();
    assert_eq!(
        run.elapsed,
        workloads::w1_expected_end(durations),
        "W1 simloop"
    );
}

pub fn w4_spawn_join(tasks: u64) {
    let sum = sim().run(async {
        let handles: Vec<_> = (0..tasks).map(|i| spawn(async move { i })).collect();
        let mut sum = 0;
        for handle in handles {
            sum += handle.await.unwrap();
        }
        sum
    });
    assert_eq!(sum.unwrap(), workloads::triangle(tasks), "W4 simloop");
}

/// `runs` simulations of an empty main future: the fixed cost of building and dropping one.
pub fn empty_runs(runs: u64) {
    for seed in 0..runs {
        let run = Sim::new(Config::default().with_seed(seed)).run(async {});
        run.result.unwrap();
    }
}
