//! Virtual time: [`Instant`], [`now`], [`sleep`] and [`timeout`].
//!
//! The clock is an integer number of nanoseconds since the simulation started. It moves only when
//! no task is ready: then it jumps to the earliest pending deadline and wakes every timer due at
//! that instant, in registration order (asyncio's heap order for small heaps; see ARCHITECTURE.md).
//! A run that sleeps for an hour takes microseconds.
//!
//! # Examples
//!
//! ```
//! use simloop::time::{now, sleep, Instant};
//! use std::time::Duration;
//!
//! simloop::run(0, async {
//!     sleep(Duration::from_secs(3)).await;
//!     assert_eq!(now().since_start(), Duration::from_secs(3));
//! });
//! ```

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::rt;

mod timeout;

pub use crate::instant::Instant;
pub use timeout::{timeout, timeout_at, Elapsed, Timeout};

/// The current virtual time.
///
/// # Panics
///
/// Outside a simulation.
///
/// # Examples
///
/// ```
/// simloop::run(0, async {
///     assert_eq!(simloop::time::now(), simloop::time::Instant::START);
/// });
/// ```
pub fn now() -> Instant {
    Instant(clock_ns("simloop::time::now"))
}

/// The clock of the simulation on this thread, or a panic that names `what`.
#[track_caller]
fn clock_ns(what: &'static str) -> u64 {
    rt::now_ns(what)
}

/// Waits until `duration` of virtual time has passed.
///
/// `sleep(Duration::ZERO)` is a bare yield, like asyncio's `sleep(0)`: every task already ready
/// runs before this one resumes. A duration past the end of representable time saturates.
///
/// # Panics
///
/// When polled outside a simulation.
///
/// # Cancel safety
///
/// Dropping the future removes its timer; the clock will not stop at that deadline for it.
///
/// # Examples
///
/// ```
/// use simloop::time::{now, sleep};
/// use std::time::Duration;
///
/// simloop::run(0, async {
///     sleep(Duration::from_millis(250)).await;
///     assert_eq!(now().to_string(), "0.250s");
/// });
/// ```
#[track_caller]
pub fn sleep(duration: Duration) -> Sleep {
    let start = clock_ns("simloop::time::sleep");
    Sleep::new(Instant(start) + duration)
}

/// Waits until the clock reads `deadline`; a deadline already passed is a bare yield.
///
/// # Panics
///
/// When polled outside a simulation.
///
/// # Cancel safety
///
/// As [`sleep`].
///
/// # Examples
///
/// ```
/// use simloop::time::{now, sleep_until, Instant};
/// use std::time::Duration;
///
/// simloop::run(0, async {
///     sleep_until(Instant::from_start(Duration::from_secs(2))).await;
///     assert_eq!(now().since_start(), Duration::from_secs(2));
/// });
/// ```
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::new(deadline)
}

/// The future returned by [`sleep`] and [`sleep_until`].
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct Sleep {
    deadline: Instant,
    timer: rt::SleepTimer,
}

impl Sleep {
    fn new(deadline: Instant) -> Sleep {
        Sleep {
            deadline,
            timer: rt::SleepTimer::default(),
        }
    }

    /// The instant this sleep ends.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline has passed (the sleep would complete when polled).
    pub fn is_elapsed(&self) -> bool {
        self.timer.is_done() || now() >= self.deadline
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        this.timer
            .poll("simloop::time::sleep", this.deadline.0, cx.waker())
    }
}
