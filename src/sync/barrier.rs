//! `Barrier`: asyncio's (3.11+) barrier (ASYNCIO.md §1.15).

use std::cell::RefCell;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::common::{op, DescribeOp, Detail, Label};
use super::waiters::{WaiterKey, WaiterList, WaiterState, Wakeups};
use crate::id::TaskId;
use crate::rt::{self, WaitTarget};

/// CPython's `_BarrierState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Tasks are arriving.
    Filling,
    /// The last party arrived; the released tasks are leaving. Newcomers wait for them.
    Draining,
    /// `reset()` was called while tasks waited; they are leaving with an error.
    Resetting,
    /// `abort()` was called: every wait fails until `reset()`.
    Broken,
}

struct BarrierState {
    phase: Phase,
    /// Tasks inside `wait()` past the entry check: CPython's `_count`.
    count: usize,
    /// Every waiting task, entering or arrived: the waiters of CPython's condition. Every
    /// change of phase notifies all of them and each re-checks, as `wait_for` does.
    waiters: WaiterList,
}

struct BarrierCore {
    label: Label,
    parties: usize,
    state: RefCell<BarrierState>,
}

impl BarrierState {
    /// CPython's `_exit`: the last task out of a draining or resetting barrier refills it and
    /// lets the tasks that arrived meanwhile in.
    fn leave(&mut self, wakeups: &mut Wakeups) {
        self.count -= 1;
        if self.count == 0 {
            if matches!(self.phase, Phase::Draining | Phase::Resetting) {
                self.phase = Phase::Filling;
            }
            self.waiters.notify_all(wakeups);
        }
    }
}

impl DescribeOp for BarrierCore {
    fn describe_op(&self, _op: usize, _names: &dyn Fn(TaskId) -> String) -> String {
        let state = self.state.borrow();
        let label = self.label.text();
        match state.phase {
            Phase::Filling => format!(
                "{label}.wait(), {} of {} parties arrived",
                state.count, self.parties
            ),
            Phase::Draining => format!("{label}.wait(), the barrier is draining"),
            Phase::Resetting => format!("{label}.wait(), the barrier is resetting"),
            Phase::Broken => format!("{label}.wait(), the barrier is broken"),
        }
    }
}

impl WaitTarget for BarrierCore {
    fn describe(&self, names: &dyn Fn(TaskId) -> String) -> String {
        self.describe_op(0, names)
    }
}

/// A meeting point for a fixed number of tasks: asyncio's `Barrier`, as a cheap [`Clone`]
/// handle.
///
/// Each [`wait`](Barrier::wait) blocks until `parties` tasks have called it, then all of them
/// go on; each gets its arrival index `0..parties` (the last arriver gets `parties - 1` and
/// does not wait). The barrier then refills for the next round; tasks that arrive while the
/// previous round is still leaving wait for it to finish. [`abort`](Barrier::abort) breaks it
/// and [`reset`](Barrier::reset) makes the current waiters fail and the barrier reusable.
///
/// # Examples
///
/// ```
/// use simloop::sync::Barrier;
/// use simloop::task::spawn;
///
/// simloop::run(0, async {
///     let barrier = Barrier::new(3);
///     let handles: Vec<_> = (0..3)
///         .map(|_| {
///             let barrier = barrier.clone();
///             spawn(async move { barrier.wait().await })
///         })
///         .collect();
///     let mut indices = Vec::new();
///     for handle in handles {
///         indices.push(handle.await.unwrap().unwrap());
///     }
///     indices.sort();
///     assert_eq!(indices, [0, 1, 2]);
/// });
/// ```
#[derive(Clone)]
pub struct Barrier {
    core: Rc<BarrierCore>,
}

impl Barrier {
    /// A barrier for `parties` tasks.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(simloop::sync::Barrier::new(4).parties(), 4);
    /// ```
    ///
    /// # Panics
    ///
    /// If `parties` is 0: a barrier needs at least one party (asyncio raises `ValueError`).
    #[track_caller]
    pub fn new(parties: usize) -> Barrier {
        assert!(
            parties > 0,
            "simloop: Barrier::new(0): a barrier needs at least 1 party"
        );
        Barrier {
            core: Rc::new(BarrierCore {
                label: Label::new("Barrier"),
                parties,
                state: RefCell::new(BarrierState {
                    phase: Phase::Filling,
                    count: 0,
                    waiters: WaiterList::default(),
                }),
            }),
        }
    }

    /// Names the barrier in the trace and in deadlock reports: `Barrier(name)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::{sync::Barrier, Config, Sim};
    ///
    /// let run = Sim::new(Config::default()).run(async {
    ///     let _ = Barrier::new(2).with_name("start").wait().await; // the other party never comes
    /// });
    /// let report = run.result.unwrap_err().to_string();
    /// assert!(report.contains("waits on Barrier(start).wait(), 1 of 2 parties arrived"));
    /// ```
    pub fn with_name(self, name: &str) -> Barrier {
        self.core.label.set_name(name);
        self
    }

    /// Waits until `parties` tasks are waiting, and returns this task's arrival index.
    ///
    /// # Examples
    ///
    /// ```
    /// simloop::run(0, async {
    ///     let alone = simloop::sync::Barrier::new(1);
    ///     assert_eq!(alone.wait().await, Ok(0)); // the last (and only) party passes at once
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// [`BrokenBarrier`] if the barrier is aborted, or reset while this task waits.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future while it waits takes the task out of the count (asyncio's
    /// `test_filling_tasks_cancel_one`); dropping it after the barrier released it loses only
    /// its index.
    pub fn wait(&self) -> BarrierWait<'_> {
        BarrierWait {
            barrier: self,
            stage: Stage::Start,
        }
    }

    /// Breaks the barrier: every current and later `wait` fails with [`BrokenBarrier`] until
    /// [`reset`](Barrier::reset).
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::sync::{Barrier, BrokenBarrier};
    ///
    /// simloop::run(0, async {
    ///     let barrier = Barrier::new(2);
    ///     barrier.abort();
    ///     assert!(barrier.is_broken());
    ///     assert_eq!(barrier.wait().await, Err(BrokenBarrier));
    /// });
    /// ```
    pub fn abort(&self) {
        let mut state = self.core.state.borrow_mut();
        state.phase = Phase::Broken;
        let mut wakeups = Wakeups::default();
        state.waiters.notify_all(&mut wakeups);
        drop(state);
        self.core.label.record(Detail::Notable, op!("abort()"));
        wakeups.wake();
    }

    /// Makes the tasks waiting now fail with [`BrokenBarrier`] and the barrier usable again
    /// (also after [`abort`](Barrier::abort)).
    ///
    /// # Examples
    ///
    /// ```
    /// simloop::run(0, async {
    ///     let barrier = simloop::sync::Barrier::new(1);
    ///     barrier.abort();
    ///     barrier.reset();
    ///     assert_eq!(barrier.wait().await, Ok(0));
    /// });
    /// ```
    pub fn reset(&self) {
        let mut state = self.core.state.borrow_mut();
        if state.count > 0 {
            state.phase = Phase::Resetting;
        } else {
            state.phase = Phase::Filling;
        }
        let mut wakeups = Wakeups::default();
        state.waiters.notify_all(&mut wakeups);
        drop(state);
        self.core.label.record(Detail::Notable, op!("reset()"));
        wakeups.wake();
    }

    /// How many tasks must wait for the barrier to release them.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(simloop::sync::Barrier::new(2).parties(), 2);
    /// ```
    pub fn parties(&self) -> usize {
        self.core.parties
    }

    /// How many tasks wait in the current round (0 while a round drains).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(simloop::sync::Barrier::new(2).n_waiting(), 0);
    /// ```
    pub fn n_waiting(&self) -> usize {
        let state = self.core.state.borrow();
        if state.phase == Phase::Filling {
            state.count
        } else {
            0
        }
    }

    /// Whether [`abort`](Barrier::abort) broke the barrier.
    ///
    /// # Examples
    ///
    /// ```
    /// let barrier = simloop::sync::Barrier::new(2);
    /// barrier.abort();
    /// assert!(barrier.is_broken());
    /// ```
    pub fn is_broken(&self) -> bool {
        self.core.state.borrow().phase == Phase::Broken
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.core.state.borrow();
        f.debug_struct("Barrier")
            .field("name", &self.core.label.name())
            .field("parties", &self.core.parties)
            .field("count", &state.count)
            .field("phase", &state.phase)
            .finish()
    }
}

enum Stage {
    Start,
    /// Waiting for a draining or resetting round to leave.
    Entering(WaiterKey),
    /// Counted in, waiting for the last party.
    Arrived {
        index: usize,
        key: WaiterKey,
    },
    Done,
}

/// The future of [`Barrier::wait`].
///
/// # Cancel safety
///
/// See [`Barrier::wait`].
///
/// # Examples
///
/// ```
/// simloop::run(0, async {
///     let barrier = simloop::sync::Barrier::new(1);
///     let wait = barrier.wait();
///     assert_eq!(wait.await, Ok(0));
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct BarrierWait<'a> {
    barrier: &'a Barrier,
    stage: Stage,
}

impl BarrierWait<'_> {
    /// Advances through the stages as far as the barrier's state allows: `None` while the task
    /// must wait, else its result. CPython's `_block`, `_wait`/`_release` and `_exit` in one.
    fn advance(
        &mut self,
        state: &mut BarrierState,
        cx: &Context<'_>,
        wakeups: &mut Wakeups,
    ) -> Option<Result<usize, BrokenBarrier>> {
        let parties = self.barrier.core.parties;
        loop {
            match self.stage {
                Stage::Start => match state.phase {
                    Phase::Draining | Phase::Resetting => {
                        self.stage = Stage::Entering(state.waiters.push(cx.waker().clone()));
                        return None;
                    }
                    Phase::Broken => return Some(Err(BrokenBarrier)),
                    Phase::Filling => {
                        let index = state.count;
                        state.count += 1;
                        if index + 1 < parties {
                            let key = state.waiters.push(cx.waker().clone());
                            self.stage = Stage::Arrived { index, key };
                            return None;
                        }
                        // The last party releases the others and leaves at once.
                        state.phase = Phase::Draining;
                        state.waiters.notify_all(wakeups);
                        state.leave(wakeups);
                        return Some(Ok(index));
                    }
                },
                Stage::Entering(key) => {
                    if state.waiters.state(key) == WaiterState::Waiting {
                        state.waiters.update_waker(key, cx.waker());
                        return None;
                    }
                    state.waiters.remove(key);
                    self.stage = Stage::Start;
                }
                Stage::Arrived { index, key } => match state.waiters.state(key) {
                    WaiterState::Waiting => {
                        state.waiters.update_waker(key, cx.waker());
                        return None;
                    }
                    // Woken but the round is still filling: wait again, at the tail.
                    WaiterState::Notified if state.phase == Phase::Filling => {
                        state.waiters.requeue(key, cx.waker());
                        return None;
                    }
                    WaiterState::Notified => {
                        state.waiters.remove(key);
                        let result = match state.phase {
                            Phase::Broken | Phase::Resetting => Err(BrokenBarrier),
                            _ => Ok(index),
                        };
                        state.leave(wakeups);
                        return Some(result);
                    }
                },
                Stage::Done => panic!("simloop: BarrierWait polled after it completed"),
            }
        }
    }
}

impl Future for BarrierWait<'_> {
    type Output = Result<usize, BrokenBarrier>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let core = Rc::clone(&this.barrier.core);
        let newly_blocked = matches!(this.stage, Stage::Start);
        let mut wakeups = Wakeups::default();
        let result = this.advance(&mut core.state.borrow_mut(), cx, &mut wakeups);
        let Some(result) = result else {
            if newly_blocked {
                core.label.record(Detail::Notable, op!("wait() waits"));
            }
            rt::waiting_on(&core);
            return Poll::Pending;
        };
        this.stage = Stage::Done;
        match result {
            Ok(index) => core
                .label
                .record_with(Detail::Routine, || format!("wait() -> {index}")),
            Err(_) => core.label.record(Detail::Notable, op!("wait() -> broken")),
        }
        wakeups.wake();
        Poll::Ready(result)
    }
}

impl Drop for BarrierWait<'_> {
    fn drop(&mut self) {
        let mut state = self.barrier.core.state.borrow_mut();
        let mut wakeups = Wakeups::default();
        match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Entering(key) => {
                state.waiters.remove(key);
            }
            Stage::Arrived { key, .. } => {
                state.waiters.remove(key);
                state.leave(&mut wakeups);
            }
            Stage::Start | Stage::Done => {}
        }
        drop(state);
        wakeups.wake();
    }
}

impl fmt::Debug for BarrierWait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BarrierWait")
            .field("barrier", &self.barrier.core.label.text())
            .finish()
    }
}

/// The barrier was aborted, or reset while the task waited: asyncio's `BrokenBarrierError`.
///
/// # Examples
///
/// ```
/// use simloop::sync::BrokenBarrier;
///
/// assert_eq!(BrokenBarrier.to_string(), "the barrier was aborted or reset");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BrokenBarrier;

impl fmt::Display for BrokenBarrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the barrier was aborted or reset")
    }
}

impl Error for BrokenBarrier {}
