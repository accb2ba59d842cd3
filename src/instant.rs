//! [`Instant`]: a point in virtual time. Plain data, importing nothing from the crate, so the
//! engine and the trace can use it; `simloop::time` re-exports it.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};
use std::time::Duration;

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
pub struct Instant(pub(crate) u64);

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
