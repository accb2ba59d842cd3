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

use std::fmt;
use std::future::Future;
use std::ops::{Add, AddAssign, Sub};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::runtime::context;

mod radix_heap;
mod timeout;
pub(crate) mod timers;

pub use timeout::{timeout, timeout_at, Elapsed, Timeout};

/// A point in virtual time: nanoseconds since the simulation started.
///
/// `Copy + Ord`; adding a [`Duration`] saturates at the end of representable time instead of
/// overflowing, and subtracting saturates at the start.
///
/// # Examples
///
/// ```
/// use simloop::time::Instant;
/// use std::time::Duration;
///
/// let t = Instant::from_start(Duration::from_millis(1500));
/// assert_eq!(t.to_string(), "1.500s");
/// assert_eq!(t + Duration::from_secs(1) - t, Duration::from_secs(1));
/// assert_eq!(Instant::MAX + Duration::from_secs(1), Instant::MAX);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(u64);

impl Instant {
    /// The moment the simulation started.
    pub const START: Instant = Instant(0);
    /// The last representable instant (about 584 years after the start).
    pub const MAX: Instant = Instant(u64::MAX);

    /// The instant `offset` after the start (saturating).
    pub fn from_start(offset: Duration) -> Instant {
        Instant(duration_to_nanos(offset))
    }

    /// The instant `nanos` nanoseconds after the start.
    pub const fn from_nanos(nanos: u64) -> Instant {
        Instant(nanos)
    }

    /// Nanoseconds since the start.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Time since the simulation started.
    pub fn since_start(self) -> Duration {
        Duration::from_nanos(self.0)
    }

    /// `self + duration`, or `None` past [`Instant::MAX`].
    pub fn checked_add(self, duration: Duration) -> Option<Instant> {
        u64::try_from(duration.as_nanos())
            .ok()
            .and_then(|nanos| self.0.checked_add(nanos))
            .map(Instant)
    }

    /// Time from `earlier` to `self`, zero if `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Instant) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }
}

fn duration_to_nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, rhs: Duration) -> Instant {
        Instant(self.0.saturating_add(duration_to_nanos(rhs)))
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, rhs: Duration) {
        *self = *self + rhs;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;
    fn sub(self, rhs: Duration) -> Instant {
        Instant(self.0.saturating_sub(duration_to_nanos(rhs)))
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    fn sub(self, rhs: Instant) -> Duration {
        self.saturating_duration_since(rhs)
    }
}

/// Seconds with millisecond precision (`3.000s`), or nanosecond precision when needed
/// (`0.000250000s`).
impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0 / 1_000_000_000;
        let nanos = self.0 % 1_000_000_000;
        if nanos % 1_000_000 == 0 {
            write!(f, "{secs}.{:03}s", nanos / 1_000_000)
        } else {
            write!(f, "{secs}.{nanos:09}s")
        }
    }
}

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
///
/// A plain function for generic callers such as `Timeout<F>`, whose code is compiled in the
/// user's crate (unoptimized in a test build): the lookup is compiled here.
#[track_caller]
fn clock_ns(what: &'static str) -> u64 {
    context::with(what, |core| core.now_ns())
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
    state: SleepState,
}

#[derive(Debug)]
enum SleepState {
    New,
    Waiting(timers::TimerKey),
    Yielded,
    Done,
}

impl Sleep {
    fn new(deadline: Instant) -> Sleep {
        Sleep {
            deadline,
            state: SleepState::New,
        }
    }

    /// The instant this sleep ends.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline has passed (the sleep would complete when polled).
    pub fn is_elapsed(&self) -> bool {
        matches!(self.state, SleepState::Done) || now() >= self.deadline
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        context::with("simloop::time::sleep", |core| {
            let now = core.now_ns();
            match this.state {
                SleepState::Done => return Poll::Ready(()),
                SleepState::New if this.deadline.0 <= now => {
                    // asyncio's sleep(0): re-queue at the tail of the ready set, once.
                    this.state = SleepState::Yielded;
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                SleepState::New => {
                    this.state = SleepState::Waiting(core.add_timer(this.deadline.0, cx.waker()));
                }
                SleepState::Yielded => {
                    this.state = SleepState::Done;
                    return Poll::Ready(());
                }
                SleepState::Waiting(key) => {
                    let mut timers = core.timers.borrow_mut();
                    if !timers.is_pending(key) || this.deadline.0 <= now {
                        drop(timers);
                        this.state = SleepState::Done;
                        return Poll::Ready(());
                    }
                    timers.update_waker(key, cx.waker());
                }
            }
            // No wait reason: a task whose timer is pending is never part of a deadlock (the
            // clock moves on to the timer), and noting one touched the task's record at every
            // sleep, a cache miss per sleep with a million tasks.
            Poll::Pending
        })
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let SleepState::Waiting(key) = self.state {
            // Take the waker out while the heap is borrowed, drop it after.
            let waker = context::try_with(|core| core.timers.borrow_mut().cancel(key));
            drop(waker);
        }
    }
}
