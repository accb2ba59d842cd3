//! Under Random and PCT, over 1,000 seeds each, the invariants of ASYNCIO.md §2 hold in every
//! schedule.

use simloop::{explore, Strategy};

use super::guide::{self as programs, Ending};
use super::{sweep, EXPLORING};

// Goal: gather's results keep argument order in every schedule, and it returns at t=3.
#[test]
fn gather_keeps_argument_order_in_every_schedule() {
    for strategy in EXPLORING {
        let report = explore(sweep(strategy), programs::check_gather_fetches);
        report.assert_ok();
        assert_eq!(report.iterations, 1000);
    }
}

// Goal: the error reaches the caller at t=0 in every schedule, whether main returns or waits.
#[test]
fn gather_error_reaches_the_caller_at_zero_in_every_schedule() {
    for strategy in EXPLORING {
        for keep_running in [false, true] {
            let report = explore(sweep(strategy.clone()), || {
                programs::check_gather_error(keep_running)
            });
            report.assert_ok();
            assert!(report.distinct_traces > 1, "the sweep explored orders");
        }
    }
}

// Goal: producer/consumer consumes every item once, in production order, and ends at t=10.
#[test]
fn producer_consumer_keeps_order_in_every_schedule() {
    for ending in [Ending::Sentinel, Ending::Shutdown] {
        for strategy in EXPLORING {
            let report = explore(sweep(strategy), || {
                programs::check_producer_consumer(ending)
            });
            report.assert_ok();
            assert!(report.distinct_traces > 1, "the timer ties were explored");
        }
    }
}

// Goal: Semaphore(3) never lets more than 3 in and takes ceil(n/3) rounds, for several n.
#[test]
fn semaphore_limit_holds_in_every_schedule() {
    for strategy in EXPLORING {
        let report = explore(sweep(strategy), || programs::check_semaphore_limit(10));
        report.assert_ok();
    }
    for n in [1, 3, 4, 7] {
        let config = sweep(Strategy::Random).with_iterations(100);
        explore(config, || programs::check_semaphore_limit(n)).assert_ok();
    }
}

// Goal: the HTTP program keeps 3 requests in flight at most and takes 4 rounds, errors included.
#[test]
fn http_fetch_limit_holds_in_every_schedule() {
    let world = programs::http_world();
    for strategy in EXPLORING {
        let config = sweep(strategy).with_world(world.clone());
        explore(config, programs::check_http_fetch).assert_ok();
    }
}
