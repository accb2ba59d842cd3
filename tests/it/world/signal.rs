//! Simulated Ctrl-C: raised by the test, awaited by the code under test.

use std::time::Duration;

use simloop::signal::{ctrl_c, raise_ctrl_c};
use simloop::task::{spawn, yield_now};
use simloop::time::{now, sleep};
use simloop::{Config, Failure, Sim};

#[test]
fn ctrl_c_wakes_every_waiter_at_the_raise() {
    simloop::check(|| async {
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                spawn(async {
                    ctrl_c().await;
                    now().since_start()
                })
            })
            .collect();
        sleep(Duration::from_secs(2)).await;
        raise_ctrl_c();
        for waiter in waiters {
            assert_eq!(waiter.await.unwrap(), Duration::from_secs(2));
        }
    });
}

#[test]
fn a_waiter_that_starts_after_a_raise_waits_for_the_next() {
    simloop::run(0, async {
        raise_ctrl_c(); // nobody listens: lost
        let waiter = spawn(async {
            ctrl_c().await;
            now().since_start()
        });
        yield_now().await;
        sleep(Duration::from_secs(1)).await;
        assert!(!waiter.is_finished());
        raise_ctrl_c();
        assert_eq!(waiter.await.unwrap(), Duration::from_secs(1));
    });
}

#[test]
fn a_ctrl_c_nobody_raises_is_a_deadlock_naming_it() {
    let run = Sim::new(Config::default()).run(async { ctrl_c().await });
    let failure = run.result.unwrap_err();
    assert!(matches!(failure, Failure::Deadlock { .. }));
    assert!(failure.to_string().contains("Event(ctrl_c)"), "{failure}");
}

#[test]
fn the_wait_is_registered_when_ctrl_c_is_called() {
    simloop::run(0, async {
        let early = ctrl_c();
        raise_ctrl_c();
        let late = ctrl_c();
        early.await; // the raise came after the call
        let waiter = spawn(late);
        sleep(Duration::from_secs(1)).await;
        assert!(!waiter.is_finished()); // the raise came before this call
        raise_ctrl_c();
        waiter.await.unwrap();
    });
}
