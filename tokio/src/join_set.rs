//! `JoinSet`: tokio's outside a simulation, a list of simloop tasks inside one.

use crate::task::JoinError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A set of tasks, awaited in the order they finish: tokio's `JoinSet` outside a simulation;
/// inside one, simloop tasks. The world is chosen by the first `spawn`.
///
/// Inside a simulation, `join_next` polls the set's tasks in spawn order, so of several tasks
/// already finished it returns the earliest spawned (tokio returns them in the order they
/// finished); each poll costs one look at every task of the set.
///
/// # Examples
///
/// ```
/// use simloop_tokio as tokio;
/// use std::time::Duration;
///
/// simloop::run(0, async {
///     let mut set = tokio::task::JoinSet::new();
///     for secs in [3, 1, 2] {
///         set.spawn(async move {
///             tokio::time::sleep(Duration::from_secs(secs)).await;
///             secs
///         });
///     }
///     let mut order = Vec::new();
///     while let Some(done) = set.join_next().await {
///         order.push(done.unwrap());
///     }
///     assert_eq!(order, [1, 2, 3]);
/// });
/// ```
pub struct JoinSet<T> {
    inner: Inner<T>,
}

enum Inner<T> {
    Empty,
    Tokio(real::task::JoinSet<T>),
    Sim(Vec<simloop::task::JoinHandle<T>>),
}

impl<T> Default for JoinSet<T> {
    fn default() -> JoinSet<T> {
        JoinSet::new()
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len()).finish()
    }
}

impl<T> JoinSet<T> {
    /// An empty set.
    pub fn new() -> JoinSet<T> {
        JoinSet {
            inner: Inner::Empty,
        }
    }

    /// How many tasks the set holds (finished ones included, until joined).
    pub fn len(&self) -> usize {
        match &self.inner {
            Inner::Empty => 0,
            Inner::Tokio(set) => set.len(),
            Inner::Sim(handles) => handles.len(),
        }
    }

    /// Whether the set holds no task.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T: 'static> JoinSet<T> {
    /// Aborts every task; they stay in the set until joined.
    pub fn abort_all(&mut self) {
        match &mut self.inner {
            Inner::Empty => {}
            Inner::Tokio(set) => set.abort_all(),
            Inner::Sim(handles) => handles.iter().for_each(|handle| handle.abort()),
        }
    }

    /// Removes every task from the set, letting them run on.
    pub fn detach_all(&mut self) {
        match &mut self.inner {
            Inner::Empty => {}
            Inner::Tokio(set) => set.detach_all(),
            Inner::Sim(handles) => handles.clear(),
        }
    }

    fn sim(&mut self) -> &mut Vec<simloop::task::JoinHandle<T>> {
        if matches!(self.inner, Inner::Empty) {
            self.inner = Inner::Sim(Vec::new());
        }
        match &mut self.inner {
            Inner::Sim(handles) => handles,
            _ => panic!(
                "simloop-tokio: a JoinSet of tokio tasks used inside a simulation; create the \
                 set where its tasks run"
            ),
        }
    }

    fn tokio(&mut self) -> &mut real::task::JoinSet<T> {
        if matches!(self.inner, Inner::Empty) {
            self.inner = Inner::Tokio(real::task::JoinSet::new());
        }
        match &mut self.inner {
            Inner::Tokio(set) => set,
            _ => panic!(
                "simloop-tokio: a JoinSet of simulated tasks used outside its simulation; create \
                 the set where its tasks run"
            ),
        }
    }

    /// Polls for the next finished task; `Ready(None)` when the set is empty.
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        match &mut self.inner {
            Inner::Empty => Poll::Ready(None),
            Inner::Tokio(set) => set
                .poll_join_next(cx)
                .map(|next| next.map(|result| result.map_err(JoinError::from_tokio))),
            Inner::Sim(handles) => {
                if handles.is_empty() {
                    return Poll::Ready(None);
                }
                for index in 0..handles.len() {
                    if let Poll::Ready(result) = Pin::new(&mut handles[index]).poll(cx) {
                        handles.remove(index).detach();
                        return Poll::Ready(Some(result.map_err(|_| JoinError::cancelled())));
                    }
                }
                Poll::Pending
            }
        }
    }

    /// Waits for the next task to finish and returns its output; `None` when the set is empty.
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        std::future::poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// Aborts every task and waits for all of them to end.
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }

    /// Spawns `future` into the set.
    ///
    /// # Panics
    ///
    /// If the set already holds tasks of the other world.
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F)
    where
        F: Future<Output = T> + Send + 'static,
        T: Send,
    {
        if simloop::is_simulating() {
            let handle = simloop::task::spawn(future);
            self.sim().push(handle);
        } else {
            self.tokio().spawn(future);
        }
    }

    /// Spawns a `!Send` future into the set (outside a simulation: on the current `LocalSet`).
    ///
    /// # Panics
    ///
    /// If the set already holds tasks of the other world.
    #[track_caller]
    pub fn spawn_local<F>(&mut self, future: F)
    where
        F: Future<Output = T> + 'static,
    {
        if simloop::is_simulating() {
            let handle = simloop::task::spawn(future);
            self.sim().push(handle);
        } else {
            self.tokio().spawn_local(future);
        }
    }

    /// Waits for every task and returns their outputs, in the order they were joined.
    ///
    /// # Panics
    ///
    /// If a task panicked (tokio) or was cancelled.
    pub async fn join_all(mut self) -> Vec<T> {
        let mut outputs = Vec::with_capacity(self.len());
        while let Some(result) = self.join_next().await {
            match result {
                Ok(output) => outputs.push(output),
                Err(error) => panic!("JoinSet::join_all: a task failed: {error}"),
            }
        }
        outputs
    }
}

impl<T> Drop for JoinSet<T> {
    /// Aborts every task, as tokio's `JoinSet` does.
    fn drop(&mut self) {
        if let Inner::Sim(handles) = &mut self.inner {
            for handle in handles.drain(..) {
                if simloop::is_simulating() {
                    handle.abort();
                }
            }
        }
    }
}
