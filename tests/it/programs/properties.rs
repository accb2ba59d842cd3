//! Under Random and PCT, over 1,000 seeds each, the invariants of ASYNCIO.md §2 hold in every
//! schedule.

use std::time::Duration;

use simloop::explore;
use simloop::time::{now, Instant};

use super::guide as programs;
use super::{sweep, EXPLORING};

// Goal: gather's results keep argument order in every schedule, and it returns at t=3.
#[test]
fn gather_keeps_argument_order_in_every_schedule() {
    for strategy in EXPLORING {
        let report = explore(sweep(strategy), || async {
            let inputs: Vec<u32> = programs::gather_fetches()
                .await
                .iter()
                .map(|fetched| fetched.input)
                .collect();
            assert_eq!(inputs, [1, 2, 3]);
            assert_eq!(now().since_start(), Duration::from_secs(3));
        });
        report.assert_ok();
        assert_eq!(report.iterations, 1000);
    }
}

// Goal: the error reaches the caller at t=0 in every schedule, and the survivors finish at t=2.
#[test]
fn gather_error_reaches_the_caller_at_zero_in_every_schedule() {
    for strategy in EXPLORING {
        let report = explore(sweep(strategy), || async {
            let (at, error) = programs::gather_error(true).await.expect("input 2 fails");
            assert_eq!(at, Instant::START);
            assert_eq!(error.0, "Simulated error for input 2");
            assert_eq!(now().since_start(), Duration::from_secs(3));
        });
        report.assert_ok();
        assert!(report.distinct_traces > 1, "the sweep explored orders");
    }
}
