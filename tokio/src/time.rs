//! Time: tokio's `time` API on simloop's virtual clock inside a simulation, on tokio's clock
//! outside.

use pin_project_lite::pin_project;
use std::future::Future;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// tokio's `MissedTickBehavior`, one type for both worlds.
pub use real::time::MissedTickBehavior;

/// A moment: tokio's `Instant` outside a simulation, a virtual instant inside one.
///
/// Comparing or subtracting instants of different worlds panics: they come from different
/// clocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Instant {
    /// tokio's clock (outside a simulation).
    Tokio(real::time::Instant),
    /// simloop's virtual clock (inside a simulation).
    Sim(simloop::time::Instant),
}

#[track_caller]
fn mixed() -> ! {
    panic!(
        "simloop-tokio: an `Instant` of a simulation met one of tokio's clock; instants from \
         inside and outside a simulation cannot be compared"
    )
}

impl Instant {
    /// Now: the virtual clock inside a simulation, tokio's clock outside.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop_tokio::time::{sleep, Instant};
    /// use std::time::Duration;
    ///
    /// simloop::run(0, async {
    ///     let start = Instant::now();
    ///     sleep(Duration::from_secs(5)).await;
    ///     assert_eq!(start.elapsed(), Duration::from_secs(5));
    /// });
    /// ```
    pub fn now() -> Instant {
        if simloop::is_simulating() {
            Instant::Sim(simloop::time::now())
        } else {
            Instant::Tokio(real::time::Instant::now())
        }
    }

    /// A tokio instant from a standard one.
    pub fn from_std(std: std::time::Instant) -> Instant {
        Instant::Tokio(real::time::Instant::from_std(std))
    }

    /// The standard instant.
    ///
    /// # Panics
    ///
    /// For a virtual instant: it is no moment of the real clock.
    #[track_caller]
    pub fn into_std(self) -> std::time::Instant {
        match self {
            Instant::Tokio(instant) => instant.into_std(),
            Instant::Sim(_) => panic!(
                "simloop-tokio: `Instant::into_std` on a virtual instant; virtual time has no \
                 std::time::Instant (use `duration_since` or `elapsed`)"
            ),
        }
    }

    /// Time from `earlier` to `self`, zero if `earlier` is later.
    #[track_caller]
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }

    /// Time from `earlier` to `self`, `None` if `earlier` is later.
    #[track_caller]
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        match (*self, earlier) {
            (Instant::Tokio(a), Instant::Tokio(b)) => a.checked_duration_since(b),
            (Instant::Sim(a), Instant::Sim(b)) => (a >= b).then(|| a.saturating_duration_since(b)),
            _ => mixed(),
        }
    }

    /// Time from `earlier` to `self`, zero if `earlier` is later.
    #[track_caller]
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        match (*self, earlier) {
            (Instant::Tokio(a), Instant::Tokio(b)) => a.saturating_duration_since(b),
            (Instant::Sim(a), Instant::Sim(b)) => a.saturating_duration_since(b),
            _ => mixed(),
        }
    }

    /// Time since `self`, on the clock `self` comes from.
    #[track_caller]
    pub fn elapsed(&self) -> Duration {
        match self {
            Instant::Tokio(instant) => instant.elapsed(),
            Instant::Sim(instant) => simloop::time::now().saturating_duration_since(*instant),
        }
    }

    /// `self + duration`, `None` if it overflows.
    pub fn checked_add(&self, duration: Duration) -> Option<Instant> {
        match self {
            Instant::Tokio(instant) => instant.checked_add(duration).map(Instant::Tokio),
            Instant::Sim(instant) => instant.checked_add(duration).map(Instant::Sim),
        }
    }

    /// `self - duration`, `None` if it underflows (before the simulation's start, for a
    /// virtual instant).
    pub fn checked_sub(&self, duration: Duration) -> Option<Instant> {
        match self {
            Instant::Tokio(instant) => instant.checked_sub(duration).map(Instant::Tokio),
            Instant::Sim(instant) => instant
                .since_start()
                .checked_sub(duration)
                .map(|offset| Instant::Sim(simloop::time::Instant::from_start(offset))),
        }
    }
}

impl PartialOrd for Instant {
    fn partial_cmp(&self, other: &Instant) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Instant {
    #[track_caller]
    fn cmp(&self, other: &Instant) -> std::cmp::Ordering {
        match (self, other) {
            (Instant::Tokio(a), Instant::Tokio(b)) => a.cmp(b),
            (Instant::Sim(a), Instant::Sim(b)) => a.cmp(b),
            _ => mixed(),
        }
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, duration: Duration) -> Instant {
        self.checked_add(duration)
            .expect("overflow when adding duration to instant")
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, duration: Duration) {
        *self = *self + duration;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;
    fn sub(self, duration: Duration) -> Instant {
        self.checked_sub(duration)
            .expect("overflow when subtracting duration from instant")
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, duration: Duration) {
        *self = *self - duration;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    #[track_caller]
    fn sub(self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }
}

impl From<std::time::Instant> for Instant {
    fn from(std: std::time::Instant) -> Instant {
        Instant::from_std(std)
    }
}

/// Waits until `duration` has passed: virtual time inside a simulation (an hour takes
/// microseconds), tokio's timer outside.
///
/// # Examples
///
/// ```
/// use simloop_tokio::time::{sleep, Instant};
/// use std::time::Duration;
///
/// simloop::run(0, async {
///     let start = Instant::now();
///     sleep(Duration::from_secs(3600)).await;
///     assert_eq!(start.elapsed(), Duration::from_secs(3600));
/// });
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    if simloop::is_simulating() {
        Sleep::sim(simloop::time::sleep(duration))
    } else {
        Sleep::tokio(real::time::sleep(duration))
    }
}

/// Waits until `deadline`.
///
/// # Panics
///
/// If `deadline` is of the other world (a virtual instant outside a simulation, or the
/// reverse).
#[track_caller]
pub fn sleep_until(deadline: Instant) -> Sleep {
    match (deadline, simloop::is_simulating()) {
        (Instant::Sim(deadline), true) => Sleep::sim(simloop::time::sleep_until(deadline)),
        (Instant::Tokio(deadline), false) => Sleep::tokio(real::time::sleep_until(deadline)),
        _ => mixed(),
    }
}

pin_project! {
    /// The future returned by [`sleep`] and [`sleep_until`]: tokio's timer outside a
    /// simulation, simloop's virtual timer inside one.
    #[must_use = "futures do nothing unless awaited"]
    #[derive(Debug)]
    pub struct Sleep {
        #[pin]
        inner: SleepInner,
    }
}

pin_project! {
    #[project = SleepProj]
    #[derive(Debug)]
    enum SleepInner {
        Tokio { #[pin] inner: real::time::Sleep },
        Sim { #[pin] inner: simloop::time::Sleep },
    }
}

impl Sleep {
    fn tokio(inner: real::time::Sleep) -> Sleep {
        Sleep {
            inner: SleepInner::Tokio { inner },
        }
    }

    fn sim(inner: simloop::time::Sleep) -> Sleep {
        Sleep {
            inner: SleepInner::Sim { inner },
        }
    }

    /// When it completes.
    pub fn deadline(&self) -> Instant {
        match &self.inner {
            SleepInner::Tokio { inner } => Instant::Tokio(inner.deadline()),
            SleepInner::Sim { inner } => Instant::Sim(inner.deadline()),
        }
    }

    /// Whether the deadline has passed.
    pub fn is_elapsed(&self) -> bool {
        match &self.inner {
            SleepInner::Tokio { inner } => inner.is_elapsed(),
            SleepInner::Sim { inner } => inner.is_elapsed(),
        }
    }

    /// Moves the deadline to `deadline`; the sleep is pending again if that is later than now.
    ///
    /// # Panics
    ///
    /// If `deadline` is of the other world.
    #[track_caller]
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        let mut inner = self.project().inner;
        match (inner.as_mut().project(), deadline) {
            (SleepProj::Tokio { inner }, Instant::Tokio(deadline)) => inner.reset(deadline),
            (SleepProj::Sim { .. }, Instant::Sim(deadline)) => inner.set(SleepInner::Sim {
                inner: simloop::time::sleep_until(deadline),
            }),
            _ => mixed(),
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match self.project().inner.project() {
            SleepProj::Tokio { inner } => inner.poll(cx),
            SleepProj::Sim { inner } => inner.poll(cx),
        }
    }
}

/// The error of [`timeout`].
pub mod error {
    use std::fmt;

    /// The deadline passed before the future completed.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Elapsed(pub(super) ());

    impl fmt::Display for Elapsed {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("deadline has elapsed")
        }
    }

    impl std::error::Error for Elapsed {}

    impl From<Elapsed> for std::io::Error {
        fn from(_: Elapsed) -> std::io::Error {
            std::io::ErrorKind::TimedOut.into()
        }
    }
}

use error::Elapsed;

/// Runs `future` until `duration` passes, with tokio's rule in both worlds: each poll polls the
/// future first, then the deadline, so a future ready at the deadline wins.
///
/// # Examples
///
/// ```
/// use simloop_tokio::time::{sleep, timeout};
/// use std::time::Duration;
///
/// simloop::run(0, async {
///     let slow = timeout(Duration::from_secs(1), sleep(Duration::from_secs(2))).await;
///     assert!(slow.is_err());
///     let fast = timeout(Duration::from_secs(1), async { 7 }).await;
///     assert_eq!(fast, Ok(7));
/// });
/// ```
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout {
        future,
        delay: sleep(duration),
    }
}

/// Runs `future` until `deadline`; see [`timeout`].
///
/// # Panics
///
/// If `deadline` is of the other world.
#[track_caller]
pub fn timeout_at<F: Future>(deadline: Instant, future: F) -> Timeout<F> {
    Timeout {
        future,
        delay: sleep_until(deadline),
    }
}

pin_project! {
    /// The future returned by [`timeout`] and [`timeout_at`].
    #[must_use = "futures do nothing unless awaited"]
    #[derive(Debug)]
    pub struct Timeout<F> {
        #[pin]
        future: F,
        #[pin]
        delay: Sleep,
    }
}

impl<F> Timeout<F> {
    /// The inner future.
    pub fn get_ref(&self) -> &F {
        &self.future
    }

    /// The inner future.
    pub fn get_mut(&mut self) -> &mut F {
        &mut self.future
    }

    /// The inner future, dropping the deadline.
    pub fn into_inner(self) -> F {
        self.future
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(output) = this.future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        this.delay.poll(cx).map(|()| Err(Elapsed(())))
    }
}

/// An interval whose first tick completes immediately; see [`Interval`].
///
/// # Panics
///
/// If `period` is zero.
///
/// # Examples
///
/// ```
/// use simloop_tokio::time::{interval, Instant};
/// use std::time::Duration;
///
/// simloop::run(0, async {
///     let start = Instant::now();
///     let mut ticks = interval(Duration::from_secs(10));
///     for n in 0..3 {
///         assert_eq!(ticks.tick().await - start, Duration::from_secs(10 * n));
///     }
/// });
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    interval_at(Instant::now(), period)
}

/// An interval whose first tick completes at `start`.
///
/// # Panics
///
/// If `period` is zero, or `start` is of the other world.
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(period > Duration::ZERO, "`period` must be non-zero.");
    match start {
        Instant::Tokio(start) => Interval::Tokio(real::time::interval_at(start, period)),
        Instant::Sim(_) => Interval::Sim(SimInterval {
            delay: Box::pin(sleep_until(start)),
            period,
            missed_tick_behavior: MissedTickBehavior::default(),
        }),
    }
}

/// Ticks every `period`: tokio's `Interval` outside a simulation; inside one, the same rules
/// (tokio's 5 ms lateness threshold and [`MissedTickBehavior`]) on the virtual clock.
#[derive(Debug)]
pub enum Interval {
    /// tokio's interval.
    Tokio(real::time::Interval),
    /// The virtual-time interval.
    Sim(SimInterval),
}

/// The state of an [`Interval`] inside a simulation.
#[derive(Debug)]
pub struct SimInterval {
    delay: Pin<Box<Sleep>>,
    period: Duration,
    missed_tick_behavior: MissedTickBehavior,
}

impl Interval {
    /// Waits for the next tick and returns its scheduled instant.
    pub async fn tick(&mut self) -> Instant {
        std::future::poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick.
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        match self {
            Interval::Tokio(interval) => interval.poll_tick(cx).map(Instant::Tokio),
            Interval::Sim(interval) => {
                if interval.delay.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                let timeout = interval.delay.deadline();
                let now = Instant::now();
                // tokio's rule: a tick more than 5 ms late counts as missed.
                let next = if now.saturating_duration_since(timeout) > Duration::from_millis(5) {
                    next_timeout(interval.missed_tick_behavior, timeout, now, interval.period)
                } else {
                    timeout + interval.period
                };
                interval.delay.as_mut().reset(next);
                Poll::Ready(timeout)
            }
        }
    }

    /// Makes the next tick one period from now.
    pub fn reset(&mut self) {
        match self {
            Interval::Tokio(interval) => interval.reset(),
            Interval::Sim(interval) => {
                let next = Instant::now() + interval.period;
                interval.delay.as_mut().reset(next);
            }
        }
    }

    /// The period.
    pub fn period(&self) -> Duration {
        match self {
            Interval::Tokio(interval) => interval.period(),
            Interval::Sim(interval) => interval.period,
        }
    }

    /// What happens when ticks are missed.
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        match self {
            Interval::Tokio(interval) => interval.missed_tick_behavior(),
            Interval::Sim(interval) => interval.missed_tick_behavior,
        }
    }

    /// Sets what happens when ticks are missed.
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        match self {
            Interval::Tokio(interval) => interval.set_missed_tick_behavior(behavior),
            Interval::Sim(interval) => interval.missed_tick_behavior = behavior,
        }
    }
}

/// tokio's `MissedTickBehavior::next_timeout`.
fn next_timeout(
    behavior: MissedTickBehavior,
    timeout: Instant,
    now: Instant,
    period: Duration,
) -> Instant {
    match behavior {
        MissedTickBehavior::Burst => timeout + period,
        MissedTickBehavior::Delay => now + period,
        MissedTickBehavior::Skip => {
            let late = now.saturating_duration_since(timeout).as_nanos();
            let into_period = u64::try_from(late % period.as_nanos()).unwrap_or(0);
            now + period - Duration::from_nanos(into_period)
        }
    }
}

/// Pauses tokio's clock (feature `test-util`). Inside a simulation the clock is always
/// virtual: nothing to do.
///
/// # Panics
///
/// Outside a simulation, where `tokio::time::pause` panics.
#[cfg(feature = "test-util")]
#[track_caller]
pub fn pause() {
    if !simloop::is_simulating() {
        real::time::pause();
    }
}

/// Resumes tokio's clock (feature `test-util`). Inside a simulation: nothing to do.
///
/// # Panics
///
/// Outside a simulation, where `tokio::time::resume` panics.
#[cfg(feature = "test-util")]
#[track_caller]
pub fn resume() {
    if !simloop::is_simulating() {
        real::time::resume();
    }
}

/// Moves tokio's paused clock forward by `duration` (feature `test-util`). Inside a
/// simulation the calling task sleeps `duration` of virtual time: the clock moves on and the
/// timers due meanwhile fire, as with tokio.
///
/// # Examples
///
/// ```
/// use simloop_tokio::time::{advance, Instant};
/// use std::time::Duration;
///
/// simloop::run(0, async {
///     let start = Instant::now();
///     advance(Duration::from_secs(30)).await;
///     assert_eq!(start.elapsed(), Duration::from_secs(30));
/// });
/// ```
#[cfg(feature = "test-util")]
pub async fn advance(duration: Duration) {
    if simloop::is_simulating() {
        simloop::time::sleep(duration).await
    } else {
        real::time::advance(duration).await
    }
}
