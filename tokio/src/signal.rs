//! Signals: a simulated Ctrl-C inside a simulation, tokio's `signal` outside.
//!
//! Inside a simulation [`ctrl_c`] waits for a Ctrl-C the test raises with [`raise_ctrl_c`]
//! (simloop's [`simloop::signal`]): a graceful shutdown path runs under the seed like any other
//! code, and nothing reaches the real process. The other items (`unix::signal`, Windows'
//! handlers) are not simulated: inside a simulation they fail with an error naming the item.
//!
//! # Examples
//!
//! ```
//! use simloop_tokio as tokio;
//! use std::time::Duration;
//!
//! async fn serve() -> &'static str {
//!     tokio::select! {
//!         _ = tokio::time::sleep(Duration::from_secs(3600)) => "timed out",
//!         _ = tokio::signal::ctrl_c() => "shut down",
//!     }
//! }
//!
//! simloop::check(|| async {
//!     let server = tokio::spawn(serve());
//!     tokio::time::sleep(Duration::from_secs(5)).await;
//!     tokio::signal::raise_ctrl_c();
//!     assert_eq!(server.await.unwrap(), "shut down");
//! });
//! ```

use std::io;

/// Raises a simulated Ctrl-C: every task waiting in [`ctrl_c`] wakes (simloop's
/// [`simloop::signal::raise_ctrl_c`]; a raise nobody waits for is lost).
///
/// # Panics
///
/// Outside a simulation: a test raises a real signal with the OS's own means.
pub use simloop::signal::raise_ctrl_c;

/// Waits for Ctrl-C: inside a simulation, the next [`raise_ctrl_c`] after this future first
/// polls; outside, tokio's `signal::ctrl_c`.
///
/// # Errors
///
/// Outside a simulation, tokio's (the handler could not be registered); never inside one.
pub async fn ctrl_c() -> io::Result<()> {
    if !simloop::is_simulating() {
        return real::signal::ctrl_c().await;
    }
    // simloop's wait holds the simulation's state (not `Send`): a task of its own keeps this
    // future `Send`, as tokio's is. The wait is registered here, at this future's first poll,
    // as tokio registers its handler; dropping this future ends the task (a `select!` loop
    // that polls a new `ctrl_c` each turn leaves no waiter behind).
    let wait = simloop::task::spawn_named("tokio::signal::ctrl_c", simloop::signal::ctrl_c());
    let _abort = AbortOnDrop(wait.abort_handle());
    wait.await.map_err(|_| {
        io::Error::new(
            io::ErrorKind::Interrupted,
            "simloop-tokio: the Ctrl-C wait was cancelled",
        )
    })
}

/// Aborts the waiting task when the `ctrl_c` future is dropped (nothing if it has ended).
struct AbortOnDrop(simloop::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if simloop::is_simulating() {
            self.0.abort();
        }
    }
}

/// Unix signals: tokio's `signal::unix`, not simulated.
#[cfg(unix)]
pub mod unix {
    use std::io;

    /// tokio's types.
    pub use real::signal::unix::{Signal, SignalKind};

    /// A stream of `kind` signals: tokio's outside a simulation.
    ///
    /// # Errors
    ///
    /// Inside a simulation, `Unsupported`, naming the item (use [`super::ctrl_c`] and
    /// [`super::raise_ctrl_c`], which are simulated); outside, tokio's.
    pub fn signal(kind: SignalKind) -> io::Result<Signal> {
        if simloop::is_simulating() {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "simloop-tokio: `tokio::signal::unix::signal` is not simulated; inside a \
                 simulation it would register a handler with the real process. Use \
                 `tokio::signal::ctrl_c`, which waits for `tokio::signal::raise_ctrl_c`",
            ));
        }
        real::signal::unix::signal(kind)
    }
}

/// Windows' console events: tokio's `signal::windows`, not simulated (inside a simulation
/// they need a tokio runtime and fail with real tokio's panic, which simloop's report explains).
#[cfg(windows)]
pub use real::signal::windows;
