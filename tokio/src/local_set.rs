//! `LocalSet`: tokio's outside a simulation; inside one, a set of simloop tasks (every simloop
//! task is local already) that the set can await and aborts when dropped, as tokio's does.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::runtime::Runtime;
use crate::task::JoinHandle;

/// A set of `!Send` tasks run on one thread: tokio's `LocalSet` outside a simulation. Inside
/// one, its tasks are simloop tasks, scheduled by the simulation like any other; the set tracks
/// the tasks spawned with [`LocalSet::spawn_local`] and, while it runs them or a
/// [`LocalSet::run_until`] future, with [`crate::task::spawn_local`]. Awaiting the set waits for
/// all of them; dropping it aborts those still running. The world is chosen by `new`.
///
/// # Examples
///
/// ```
/// use simloop_tokio as tokio;
/// use std::{cell::Cell, rc::Rc, time::Duration};
///
/// simloop::run(0, async {
///     let local = tokio::task::LocalSet::new();
///     let count = Rc::new(Cell::new(0));
///     let out = local
///         .run_until(async {
///             let count = count.clone();
///             tokio::task::spawn_local(async move {
///                 tokio::time::sleep(Duration::from_secs(1)).await;
///                 count.set(count.get() + 1);
///             });
///             7
///         })
///         .await;
///     assert_eq!(out, 7);
///     local.await; // the spawned task belongs to the set
///     assert_eq!(count.get(), 1);
/// });
/// ```
pub struct LocalSet {
    inner: Inner,
}

enum Inner {
    Tokio(real::task::LocalSet),
    Sim(Rc<SetState>),
}

#[derive(Default)]
struct SetState {
    /// Tasks of the set not ended yet.
    pending: Cell<usize>,
    /// The task awaiting the set.
    waker: RefCell<Option<Waker>>,
    /// Every task spawned into the set, for `Drop`.
    tasks: RefCell<Vec<simloop::task::AbortHandle>>,
}

thread_local! {
    /// The set whose task or `run_until` future is being polled on this thread.
    static CURRENT: RefCell<Option<Rc<SetState>>> = const { RefCell::new(None) };
}

/// Runs `poll` with `set` current, restoring the previous one after (sets nest).
fn entered<R>(set: &Rc<SetState>, poll: impl FnOnce() -> R) -> R {
    let previous = CURRENT.with(|current| current.replace(Some(Rc::clone(set))));
    let result = poll();
    CURRENT.with(|current| *current.borrow_mut() = previous);
    result
}

/// `task::spawn_local` inside a simulation: into the current set, if one runs.
#[track_caller]
pub(crate) fn spawn_sim<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    match CURRENT.with(|current| current.borrow().clone()) {
        Some(set) => spawn_into(&set, future),
        None => JoinHandle::Sim(simloop::task::spawn(future)),
    }
}

#[track_caller]
fn spawn_into<F>(set: &Rc<SetState>, future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    set.pending.set(set.pending.get() + 1);
    let handle = simloop::task::spawn(Member {
        future: Box::pin(future),
        set: Rc::clone(set),
    });
    set.tasks.borrow_mut().push(handle.abort_handle());
    JoinHandle::Sim(handle)
}

/// A task of a set: polled with the set current; counts itself out when it ends or is dropped.
struct Member<F> {
    future: Pin<Box<F>>,
    set: Rc<SetState>,
}

impl<F: Future> Future for Member<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        entered(&this.set, || this.future.as_mut().poll(cx))
    }
}

impl<F> Drop for Member<F> {
    fn drop(&mut self) {
        self.set.pending.set(self.set.pending.get() - 1);
        if self.set.pending.get() == 0 {
            if let Some(waker) = self.set.waker.borrow_mut().take() {
                waker.wake();
            }
        }
    }
}

impl Default for LocalSet {
    fn default() -> LocalSet {
        LocalSet::new()
    }
}

impl LocalSet {
    /// An empty set: of simloop tasks inside a simulation, tokio's outside.
    pub fn new() -> LocalSet {
        let inner = if simloop::is_simulating() {
            Inner::Sim(Rc::default())
        } else {
            Inner::Tokio(real::task::LocalSet::new())
        };
        LocalSet { inner }
    }

    /// Spawns a `!Send` future into the set.
    #[track_caller]
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        match &self.inner {
            Inner::Tokio(set) => JoinHandle::Tokio(set.spawn_local(future)),
            Inner::Sim(set) => spawn_into(set, future),
        }
    }

    /// Runs `future` with the set current: `task::spawn_local` inside it spawns into the set.
    /// Inside a simulation the set's tasks run whenever the simulation schedules them, during
    /// and after `run_until`; tokio runs them only while the set is polled.
    pub async fn run_until<F: Future>(&self, future: F) -> F::Output {
        match &self.inner {
            Inner::Tokio(set) => set.run_until(future).await,
            Inner::Sim(set) => {
                let mut future = std::pin::pin!(future);
                std::future::poll_fn(|cx| entered(set, || future.as_mut().poll(cx))).await
            }
        }
    }

    /// Runs `future` on `runtime` with the set current (outside a simulation).
    ///
    /// # Panics
    ///
    /// Inside a simulation, like [`Runtime::block_on`].
    #[track_caller]
    pub fn block_on<F: Future>(&self, runtime: &Runtime, future: F) -> F::Output {
        match (&self.inner, runtime.tokio()) {
            (Inner::Tokio(set), Some(runtime)) if !simloop::is_simulating() => {
                set.block_on(runtime, future)
            }
            _ => crate::runtime::block_on_inside("LocalSet::block_on"),
        }
    }
}

impl Future for LocalSet {
    type Output = ();

    /// Ready when every task of the set has ended.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &mut self.get_mut().inner {
            Inner::Tokio(set) => Pin::new(set).poll(cx),
            Inner::Sim(set) => {
                if set.pending.get() == 0 {
                    return Poll::Ready(());
                }
                *set.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl Drop for LocalSet {
    /// Aborts the set's tasks still running, as tokio's `LocalSet` drops them.
    fn drop(&mut self) {
        if let Inner::Sim(set) = &self.inner {
            if simloop::is_simulating() {
                let tasks = std::mem::take(&mut *set.tasks.borrow_mut());
                for task in tasks {
                    task.abort();
                }
            }
        }
    }
}

impl fmt::Debug for LocalSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Tokio(set) => fmt::Debug::fmt(set, f),
            Inner::Sim(set) => f
                .debug_struct("LocalSet")
                .field("pending", &set.pending.get())
                .finish(),
        }
    }
}
