//! `TaskGroup`: asyncio 3.11's structured concurrency, with the first error as the result.

use std::cell::RefCell;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::rc::Rc;

use super::{spawn_at, JoinHandle};
use crate::rt;

struct GroupState<T, E> {
    results: Vec<Option<T>>,
    first_error: Option<E>,
    children: Vec<rt::TaskRef>,
}

/// A set of tasks that succeed together or fail together.
///
/// Like asyncio's `TaskGroup`: the first child to return `Err` aborts every other child, and
/// [`join`](TaskGroup::join) returns that error once they are all gone; otherwise `join` returns
/// every value in spawn order. Later errors are dropped (asyncio would collect them into an
/// `ExceptionGroup`; the first one is what a test asserts on). Dropping the group without
/// joining aborts its children.
///
/// # Examples
///
/// ```
/// use simloop::task::TaskGroup;
/// use simloop::time::{now, sleep};
/// use std::time::Duration;
///
/// simloop::run(0, async {
///     let mut group = TaskGroup::new();
///     group.spawn(async { sleep(Duration::from_secs(5)).await; Ok(1) }).unwrap();
///     group.spawn(async { sleep(Duration::from_secs(1)).await; Err("boom") }).unwrap();
///     assert_eq!(group.join().await, Err("boom"));
///     // The 5-second sibling was aborted at t=1, not awaited.
///     assert_eq!(now().since_start(), Duration::from_secs(1));
/// });
/// ```
pub struct TaskGroup<T, E> {
    state: Rc<RefCell<GroupState<T, E>>>,
    handles: Vec<JoinHandle<()>>,
}

impl<T: 'static, E: 'static> Default for TaskGroup<T, E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: 'static, E: 'static> TaskGroup<T, E> {
    /// An empty group.
    pub fn new() -> Self {
        TaskGroup {
            state: Rc::new(RefCell::new(GroupState {
                results: Vec::new(),
                first_error: None,
                children: Vec::new(),
            })),
            handles: Vec::new(),
        }
    }

    /// Spawns `future` as a child task.
    ///
    /// # Errors
    ///
    /// [`TaskGroupClosed`] once a child has failed (asyncio raises `RuntimeError` "shutting
    /// down"); `future` is dropped without running.
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::task::TaskGroup;
    ///
    /// simloop::run(0, async {
    ///     let mut group = TaskGroup::<u32, ()>::new();
    ///     group.spawn(async { Ok(2) }).unwrap();
    ///     assert_eq!(group.join().await, Ok(vec![2]));
    /// });
    /// ```
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> Result<(), TaskGroupClosed>
    where
        F: Future<Output = Result<T, E>> + 'static,
    {
        let index = {
            let mut state = self.state.borrow_mut();
            if state.first_error.is_some() {
                return Err(TaskGroupClosed(()));
            }
            state.results.push(None);
            state.results.len() - 1
        };
        let state = Rc::clone(&self.state);
        let handle = spawn_at(None, Location::caller(), async move {
            let result = future.await;
            let siblings = {
                let mut state = state.borrow_mut();
                match result {
                    Ok(value) => {
                        state.results[index] = Some(value);
                        return;
                    }
                    Err(_) if state.first_error.is_some() => return,
                    Err(error) => {
                        state.first_error = Some(error);
                        state.children.clone()
                    }
                }
            };
            rt::abort_others("TaskGroup", &siblings);
        });
        self.state.borrow_mut().children.push(handle.task_ref());
        self.handles.push(handle);
        Ok(())
    }

    /// Waits until every child has finished or been aborted, then returns the values in spawn
    /// order, or the first error.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future aborts the children that are still running.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::task::TaskGroup;
    ///
    /// simloop::run(0, async {
    ///     let mut group = TaskGroup::<i32, String>::new();
    ///     for i in 0..3 {
    ///         group.spawn(async move { Ok(i) }).unwrap();
    ///     }
    ///     assert_eq!(group.join().await, Ok(vec![0, 1, 2]));
    /// });
    /// ```
    pub async fn join(mut self) -> Result<Vec<T>, E> {
        let handles = std::mem::take(&mut self.handles);
        let mut guard = AbortOnDrop(handles);
        for handle in guard.0.iter_mut() {
            // Each child either finished or was aborted; both mean it is gone.
            let _ = handle.await;
        }
        guard.0.clear();
        let mut state = self.state.borrow_mut();
        if let Some(error) = state.first_error.take() {
            return Err(error);
        }
        Ok(state
            .results
            .iter_mut()
            .map(|slot| {
                slot.take()
                    .expect("every child of a joined group returned a value")
            })
            .collect())
    }
}

impl<T, E> Drop for TaskGroup<T, E> {
    fn drop(&mut self) {
        for handle in &self.handles {
            rt::try_abort_task(handle.task_ref());
        }
    }
}

struct AbortOnDrop(Vec<JoinHandle<()>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        for handle in &self.0 {
            if !handle.is_finished() {
                rt::try_abort_task(handle.task_ref());
            }
        }
    }
}

/// The error of [`TaskGroup::spawn`] after a child has failed.
///
/// # Examples
///
/// ```
/// use simloop::task::TaskGroup;
/// use simloop::time::sleep;
/// use std::time::Duration;
///
/// simloop::run(0, async {
///     let mut group = TaskGroup::<(), &str>::new();
///     group.spawn(async { Err("first") }).unwrap();
///     sleep(Duration::from_secs(1)).await; // let it fail
///     assert!(group.spawn(async { Ok(()) }).is_err());
/// });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskGroupClosed(());

impl fmt::Display for TaskGroupClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task group is shutting down: a child already failed")
    }
}

impl Error for TaskGroupClosed {}
