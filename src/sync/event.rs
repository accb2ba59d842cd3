//! `Event`: asyncio's one-bit broadcast (ASYNCIO.md §1.13).

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::common::{op, DescribeOp, Detail, Label};
use super::waiters::{WaiterKey, WaiterList, WaiterState, Wakeups};
use crate::id::TaskId;
use crate::rt::{self, WaitTarget};

struct EventState {
    set: bool,
    waiters: WaiterList,
}

struct EventCore {
    label: Label,
    state: RefCell<EventState>,
}

impl DescribeOp for EventCore {
    fn describe_op(&self, _op: usize, _names: &dyn Fn(TaskId) -> String) -> String {
        format!("{}.wait(), the event is not set", self.label.text())
    }
}

impl WaitTarget for EventCore {
    fn describe(&self, names: &dyn Fn(TaskId) -> String) -> String {
        self.describe_op(0, names)
    }
}

/// A flag tasks can wait for: asyncio's `Event`, as a cheap [`Clone`] handle.
///
/// [`set`](Event::set) wakes every current waiter, in the order they started waiting, and
/// later waits return at once until [`clear`](Event::clear). Clearing does not un-wake a waiter
/// that `set` already woke (`test_clear_with_waiters`).
///
/// # Examples
///
/// ```
/// use simloop::sync::Event;
/// use simloop::task::spawn;
/// use simloop::time::{now, sleep};
/// use std::time::Duration;
///
/// simloop::run(0, async {
///     let ready = Event::new();
///     let waiter = {
///         let ready = ready.clone();
///         spawn(async move {
///             ready.wait().await;
///             now()
///         })
///     };
///     sleep(Duration::from_secs(1)).await;
///     ready.set();
///     assert_eq!(waiter.await.unwrap().since_start(), Duration::from_secs(1));
/// });
/// ```
#[derive(Clone)]
pub struct Event {
    core: Rc<EventCore>,
}

impl Default for Event {
    fn default() -> Self {
        Event::new()
    }
}

impl Event {
    /// An event that is not set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!simloop::sync::Event::new().is_set());
    /// ```
    pub fn new() -> Event {
        Event {
            core: Rc::new(EventCore {
                label: Label::new("Event"),
                state: RefCell::new(EventState {
                    set: false,
                    waiters: WaiterList::default(),
                }),
            }),
        }
    }

    /// Names the event in the trace and in deadlock reports: `Event(name)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::{sync::Event, Config, Sim};
    ///
    /// let run = Sim::new(Config::default()).run(async {
    ///     Event::new().with_name("started").wait().await;
    /// });
    /// let report = run.result.unwrap_err().to_string();
    /// assert!(report.contains("waits on Event(started).wait(), the event is not set"));
    /// ```
    pub fn with_name(self, name: &str) -> Event {
        self.core.label.set_name(name);
        self
    }

    /// Sets the flag and wakes every task waiting, in the order they started waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// let event = simloop::sync::Event::new();
    /// event.set();
    /// assert!(event.is_set());
    /// ```
    pub fn set(&self) {
        let mut state = self.core.state.borrow_mut();
        if state.set {
            return;
        }
        state.set = true;
        let mut wakeups = Wakeups::default();
        state.waiters.notify_all(&mut wakeups);
        drop(state);
        self.core.label.record(Detail::Notable, op!("set()"));
        wakeups.wake();
    }

    /// Clears the flag; waiters already woken by [`set`](Event::set) still return.
    ///
    /// # Examples
    ///
    /// ```
    /// let event = simloop::sync::Event::new();
    /// event.set();
    /// event.clear();
    /// assert!(!event.is_set());
    /// ```
    pub fn clear(&self) {
        self.core.state.borrow_mut().set = false;
        self.core.label.record(Detail::Notable, op!("clear()"));
    }

    /// Whether the flag is set.
    ///
    /// # Examples
    ///
    /// ```
    /// let event = simloop::sync::Event::new();
    /// assert!(!event.is_set());
    /// ```
    pub fn is_set(&self) -> bool {
        self.core.state.borrow().set
    }

    /// Waits until the flag is set; returns at once, without yielding, if it is.
    ///
    /// # Examples
    ///
    /// ```
    /// simloop::run(0, async {
    ///     let event = simloop::sync::Event::new();
    ///     event.set();
    ///     event.wait().await; // already set: no wait
    /// });
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Dropping the future changes nothing else: `set` wakes every waiter, so there is no
    /// wake-up to pass on.
    pub fn wait(&self) -> EventWait<'_> {
        EventWait {
            event: self,
            waiter: None,
        }
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.core.state.borrow();
        f.debug_struct("Event")
            .field("name", &self.core.label.name())
            .field("set", &state.set)
            .field("waiting", &state.waiters.waiting_len())
            .finish()
    }
}

/// The future of [`Event::wait`].
///
/// # Cancel safety
///
/// See [`Event::wait`].
///
/// # Examples
///
/// ```
/// simloop::run(0, async {
///     let event = simloop::sync::Event::new();
///     let wait = event.wait();
///     event.set();
///     wait.await;
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct EventWait<'a> {
    event: &'a Event,
    waiter: Option<WaiterKey>,
}

impl Future for EventWait<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let core = &this.event.core;
        let mut state = core.state.borrow_mut();
        match this.waiter {
            None if state.set => {
                drop(state);
                core.label.record(Detail::Routine, op!("wait()"));
                return Poll::Ready(());
            }
            None => {
                this.waiter = Some(state.waiters.push(cx.waker().clone()));
                drop(state);
                core.label.record(Detail::Notable, op!("wait() waits"));
            }
            Some(key) if state.waiters.state(key) == WaiterState::Notified => {
                state.waiters.remove(key);
                this.waiter = None;
                return Poll::Ready(());
            }
            Some(key) => {
                state.waiters.update_waker(key, cx.waker());
                drop(state);
            }
        }
        rt::waiting_on(core);
        Poll::Pending
    }
}

impl Drop for EventWait<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.waiter.take() {
            self.event.core.state.borrow_mut().waiters.remove(key);
        }
    }
}

impl fmt::Debug for EventWait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventWait")
            .field("event", &self.event.core.label.text())
            .field("waiting", &self.waiter.is_some())
            .finish()
    }
}
