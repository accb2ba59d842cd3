//! Simulated process signals: Ctrl-C, raised by the test ([`raise_ctrl_c`]), awaited by the
//! code under test ([`ctrl_c`]), the way a service's graceful shutdown waits for `SIGINT`.
//!
//! A signal is an event of the simulation, like a crash of the disk: it lives in the
//! simulation's state, shows in the trace (`signal: raise SIGINT`) and never reaches the real
//! process. The tokio facade's `signal::ctrl_c` waits for it inside a simulation.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use crate::rt::Extension;
use crate::sync::Event;

/// The simulation's signal state: the event the current Ctrl-C waiters wait on. A raise sets it
/// and puts a fresh one in its place, so a waiter that starts after a raise waits for the next.
struct Signals {
    ctrl_c: RefCell<Event>,
    object: Rc<str>,
}

impl Extension for Signals {}

#[track_caller]
fn signals(what: &'static str) -> Rc<Signals> {
    crate::rt::extension(what, |_| Signals {
        ctrl_c: RefCell::new(Event::new().with_name("ctrl_c")),
        object: Rc::from("signal"),
    })
}

/// Delivers a simulated Ctrl-C (`SIGINT`) to the simulation: every task waiting in [`ctrl_c`]
/// wakes, in the order they started waiting. A raise with no waiter is lost, as a real signal
/// with no handler registered since the last one is (tokio's `ctrl_c` only sees signals that
/// arrive after it first polled).
///
/// The facade's `tokio::signal::ctrl_c` waits for it inside a simulation. Signals live in the
/// simulation, not in the test's process: nothing reaches the real process.
///
/// # Panics
///
/// Outside a simulation.
///
/// # Examples
///
/// ```
/// use simloop::signal::{ctrl_c, raise_ctrl_c};
/// use simloop::time::{now, sleep};
/// use std::time::Duration;
///
/// simloop::run(0, async {
///     let server = simloop::task::spawn(async {
///         ctrl_c().await; // a graceful shutdown
///         now().since_start()
///     });
///     sleep(Duration::from_secs(5)).await;
///     raise_ctrl_c();
///     assert_eq!(server.await.unwrap(), Duration::from_secs(5));
/// });
/// ```
#[track_caller]
pub fn raise_ctrl_c() {
    let signals = signals("signal::raise_ctrl_c");
    crate::rt::record_op(&signals.object, || "raise SIGINT".into());
    let fresh = Event::new().with_name("ctrl_c");
    signals.ctrl_c.replace(fresh).set();
}

/// Waits for the next simulated Ctrl-C ([`raise_ctrl_c`]) raised after this call (the wait is
/// registered when `ctrl_c` is called, not when the future is first polled, so code that hands
/// the future to another task misses no raise in between). A task that waits for one nobody
/// raises shows in a deadlock report as waiting on `Event(ctrl_c)`.
///
/// # Panics
///
/// Outside a simulation.
///
/// # Examples
///
/// ```
/// use simloop::{Config, Sim};
///
/// let run = Sim::new(Config::default()).run(async { simloop::signal::ctrl_c().await });
/// let report = run.result.unwrap_err().to_string();
/// assert!(report.contains("Event(ctrl_c)"));
///
/// simloop::run(0, async {
///     let wait = simloop::signal::ctrl_c(); // registered here
///     simloop::signal::raise_ctrl_c();
///     wait.await; // so this raise counts
/// });
/// ```
#[track_caller]
pub fn ctrl_c() -> impl Future<Output = ()> {
    let event = signals("signal::ctrl_c").ctrl_c.borrow().clone();
    async move { event.wait().await }
}
