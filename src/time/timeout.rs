//! `timeout` and `timeout_at`: asyncio 3.12's `asyncio.timeout()` on a virtual clock.

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;

use super::{clock_ns, sleep_until, Instant, Sleep};

/// The error of a [`timeout`] whose deadline passed first.
///
/// # Examples
///
/// ```
/// let err = simloop::time::Elapsed::new();
/// assert_eq!(err.to_string(), "deadline has elapsed");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Elapsed(());

impl Elapsed {
    /// An `Elapsed` value, for tests that build expected results.
    pub const fn new() -> Elapsed {
        Elapsed(())
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl Error for Elapsed {}

/// Runs `future` for at most `duration` of virtual time.
///
/// Follows asyncio 3.12's `timeout()`: the future runs inline in the caller's task (no new
/// task). When the deadline arrives before the future finishes, the future is dropped (its
/// destructors run, asyncio's `__aexit__`) and the result is `Err(Elapsed)`. A timer that fires
/// at the same instant as the future's own wake-up wins, as in asyncio, where the timeout's
/// callback cancels the task before it resumes. A zero duration lets the future run until it
/// first waits, then expires.
///
/// # Panics
///
/// Outside a simulation.
///
/// # Cancel safety
///
/// Dropping the `Timeout` drops the inner future and removes the timer.
///
/// # Examples
///
/// ```
/// use simloop::time::{now, sleep, timeout};
/// use std::time::Duration;
///
/// simloop::run(0, async {
///     let slow = timeout(Duration::from_secs(1), sleep(Duration::from_secs(5))).await;
///     assert!(slow.is_err());
///     assert_eq!(now().since_start(), Duration::from_secs(1));
///     let quick = timeout(Duration::from_secs(1), async { 7 }).await;
///     assert_eq!(quick, Ok(7));
/// });
/// ```
#[track_caller]
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    let start = clock_ns("simloop::time::timeout");
    timeout_at(Instant(start) + duration, future)
}

/// Runs `future` until the clock reads `deadline`; see [`timeout`].
///
/// # Cancel safety
///
/// As [`timeout`].
///
/// # Examples
///
/// ```
/// use simloop::time::{sleep, timeout_at, Instant};
/// use std::time::Duration;
///
/// simloop::run(0, async {
///     let deadline = Instant::from_start(Duration::from_secs(2));
///     let r = timeout_at(deadline, sleep(Duration::from_secs(1))).await;
///     assert_eq!(r, Ok(()));
/// });
/// ```
pub fn timeout_at<F: Future>(deadline: Instant, future: F) -> Timeout<F> {
    Timeout {
        inner: Some(future),
        timer: sleep_until(deadline),
        polled: false,
    }
}

pin_project! {
    /// The future returned by [`timeout`] and [`timeout_at`].
    #[must_use = "futures do nothing unless awaited"]
    pub struct Timeout<F> {
        #[pin]
        inner: Option<F>,
        timer: Sleep,
        polled: bool,
    }
}

impl<F> Timeout<F> {
    /// The deadline.
    pub fn deadline(&self) -> Instant {
        self.timer.deadline()
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let now = clock_ns("simloop::time::timeout");
        let expired = this.timer.deadline().0 <= now;
        // After the first poll, a passed deadline means the timer fired while the task was
        // suspended: asyncio cancels the task before it resumes, so the future is not polled.
        if *this.polled && expired {
            this.inner.set(None);
            return Poll::Ready(Err(Elapsed(())));
        }
        *this.polled = true;
        let Some(inner) = this.inner.as_mut().as_pin_mut() else {
            panic!("simloop: Timeout polled after it completed");
        };
        if let Poll::Ready(value) = inner.poll(cx) {
            this.inner.set(None);
            return Poll::Ready(Ok(value));
        }
        if expired {
            // A deadline already passed fires "soon" (asyncio's call_soon): the future ran until
            // it first waited, and expires when the task is next polled.
            cx.waker().wake_by_ref();
        } else {
            let _ = Pin::new(&mut *this.timer).poll(cx);
        }
        Poll::Pending
    }
}
