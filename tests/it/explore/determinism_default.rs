//! The default sweep repeats its first iteration and a failing one, so a determinism leak is
//! reported as one instead of passing silently or as a failure that will not replay.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use simloop::config::Determinism;
use simloop::task::spawn_named;
use simloop::{explore, Config, Failure};

/// Spawns a task per key of a `HashMap`, in its iteration order: a new order in every run.
async fn spawns_in_hash_order() {
    let map: HashMap<u32, ()> = (0..16).map(|key| (key, ())).collect();
    let tasks: Vec<_> = map
        .keys()
        .map(|key| spawn_named(format!("k{key}"), async {}))
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

// Goal: with the default config a sweep catches a `HashMap` order leak at its first iteration,
// and the report names the usual causes.
#[test]
fn a_leak_is_reported_by_default() {
    let config = Config::default().with_iterations(5);
    assert_eq!(config.check_determinism, Determinism::FirstAndFailing);
    let failure = explore(config, spawns_in_hash_order)
        .failure
        .expect("the leak is found");
    assert!(
        matches!(failure, Failure::Nondeterminism { .. }),
        "{failure}"
    );
    assert_eq!(failure.context().iteration.map(|(i, _)| i), Some(0));
    let report = failure.to_string();
    assert!(report.contains("HashMap"), "{report}");
    assert!(report.contains("biased;"), "{report}");
    // The first differing event is main's spawn of its first task, named with main's site.
    assert!(
        report.contains(&format!("in task `main` (#0, spawned at {}", file!())),
        "{report}"
    );
}

static CALLS: AtomicU64 = AtomicU64::new(0);

// Goal: a failing iteration is run again before it is reported; if the second run differs,
// the failure is nondeterminism, not a panic whose replay line would not reproduce it.
#[test]
fn a_failing_iteration_is_repeated_before_it_is_reported() {
    let failure = explore(Config::default().with_iterations(5), || async {
        // The calibration run and the first iteration twice see 0, 1 and 2.
        let call = CALLS.fetch_add(1, Ordering::SeqCst);
        if call >= 3 {
            simloop::log!("call {call}");
            panic!("fails from the fourth run on");
        }
    })
    .failure
    .expect("the failure is found");
    assert!(
        matches!(failure, Failure::Nondeterminism { .. }),
        "{failure}"
    );
    assert_eq!(failure.context().iteration.map(|(i, _)| i), Some(1));
}
