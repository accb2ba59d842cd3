//! `gather` and `gather_settled`: asyncio's `gather`, with errors as values.

use std::cell::RefCell;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::{spawn_at, JoinHandle};
use crate::rt::{self, WaitReason};

struct Shared<T, E> {
    slots: Vec<Option<Result<T, E>>>,
    first_error: Option<E>,
    failed: bool,
    remaining: usize,
    waiter: Option<Waker>,
}

impl<T, E> Shared<T, E> {
    fn complete(&mut self, index: usize, result: Result<T, E>, fail_fast: bool) {
        self.remaining -= 1;
        match result {
            // asyncio: the first failure completes the gather; later ones are swallowed.
            Err(error) if fail_fast => {
                if !self.failed {
                    self.failed = true;
                    self.first_error = Some(error);
                }
            }
            result => self.slots[index] = Some(result),
        }
        if let Some(waker) = self.waiter.take() {
            waker.wake();
        }
    }
}

/// Spawns one task per future, in argument order, and collects what they return.
struct Children<T, E> {
    shared: Rc<RefCell<Shared<T, E>>>,
    handles: Vec<JoinHandle<()>>,
    done: bool,
}

impl<T: 'static, E: 'static> Children<T, E> {
    fn spawn<I, F>(futures: I, fail_fast: bool, site: &'static Location<'static>) -> Self
    where
        I: IntoIterator<Item = F>,
        F: Future<Output = Result<T, E>> + 'static,
    {
        let shared = Rc::new(RefCell::new(Shared {
            slots: Vec::new(),
            first_error: None,
            failed: false,
            remaining: 0,
            waiter: None,
        }));
        let handles: Vec<JoinHandle<()>> = futures
            .into_iter()
            .enumerate()
            .map(|(index, future)| {
                let child = Rc::clone(&shared);
                {
                    let mut shared = shared.borrow_mut();
                    shared.slots.push(None);
                    shared.remaining += 1;
                }
                spawn_at(None, site, async move {
                    let result = future.await;
                    child.borrow_mut().complete(index, result, fail_fast);
                })
            })
            .collect();
        Children {
            shared,
            handles,
            done: false,
        }
    }

    fn poll_outcome(&mut self, cx: &mut Context<'_>) -> Poll<Result<Vec<Result<T, E>>, E>> {
        let mut shared = self.shared.borrow_mut();
        if let Some(error) = shared.first_error.take() {
            self.done = true;
            return Poll::Ready(Err(error));
        }
        if shared.remaining == 0 {
            self.done = true;
            let results = shared
                .slots
                .iter_mut()
                .map(|slot| slot.take().expect("every gathered task reported a result"))
                .collect();
            return Poll::Ready(Ok(results));
        }
        shared.waiter = Some(cx.waker().clone());
        drop(shared);
        rt::waiting_for(WaitReason::Other("gather"));
        Poll::Pending
    }
}

impl<T, E> Drop for Children<T, E> {
    fn drop(&mut self) {
        // Dropping an unfinished gather cancels its children (asyncio: cancelling the gather).
        // Once it has returned, the children are left running, as asyncio leaves them.
        if !self.done {
            for handle in &self.handles {
                rt::try_abort_task(handle.task_ref());
            }
        }
    }
}

/// Runs the futures as concurrent tasks and returns their values in argument order, or the
/// first error in completion order.
///
/// Like asyncio's `gather(*aws)`: each future is wrapped in a task, in argument order, so they
/// first run in that order. When one fails, the error reaches the caller at once and the other
/// tasks keep running (asyncio does not cancel them); their later results are discarded.
/// Dropping the `Gather` before it completes aborts every child.
///
/// # Panics
///
/// Outside a simulation.
///
/// # Cancel safety
///
/// Dropping an unfinished `Gather` aborts its children; nothing is lost that it would have
/// returned.
///
/// # Examples
///
/// ```
/// use simloop::time::{now, sleep};
/// use std::time::Duration;
///
/// simloop::run(0, async {
///     let fetch = |i: u32| async move {
///         sleep(Duration::from_secs(3)).await;
///         Ok::<_, String>(i * 10)
///     };
///     let results = simloop::task::gather([fetch(1), fetch(2), fetch(3)]).await;
///     assert_eq!(results, Ok(vec![10, 20, 30]));
///     assert_eq!(now().since_start(), Duration::from_secs(3));
/// });
/// ```
#[track_caller]
pub fn gather<I, F, T, E>(futures: I) -> Gather<T, E>
where
    I: IntoIterator<Item = F>,
    F: Future<Output = Result<T, E>> + 'static,
    T: 'static,
    E: 'static,
{
    Gather {
        children: Children::spawn(futures, true, Location::caller()),
    }
}

/// The future returned by [`gather`].
#[must_use = "futures do nothing unless awaited; dropping a Gather aborts its tasks"]
pub struct Gather<T, E> {
    children: Children<T, E>,
}

impl<T: 'static, E: 'static> Future for Gather<T, E> {
    type Output = Result<Vec<T>, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.children.poll_outcome(cx).map(|outcome| {
            outcome.map(|results| {
                results
                    .into_iter()
                    .map(|result| result.unwrap_or_else(|_| unreachable!("errors end a gather")))
                    .collect()
            })
        })
    }
}

/// Runs the futures as concurrent tasks and returns every result, errors included, in argument
/// order: asyncio's `gather(*aws, return_exceptions=True)`.
///
/// # Panics
///
/// Outside a simulation.
///
/// # Cancel safety
///
/// Dropping an unfinished `GatherSettled` aborts its children.
///
/// # Examples
///
/// ```
/// simloop::run(0, async {
///     let job = |i: i32| async move { if i == 2 { Err("two") } else { Ok(i) } };
///     let results = simloop::task::gather_settled([job(1), job(2), job(3)]).await;
///     assert_eq!(results, vec![Ok(1), Err("two"), Ok(3)]);
/// });
/// ```
#[track_caller]
pub fn gather_settled<I, F, T, E>(futures: I) -> GatherSettled<T, E>
where
    I: IntoIterator<Item = F>,
    F: Future<Output = Result<T, E>> + 'static,
    T: 'static,
    E: 'static,
{
    GatherSettled {
        children: Children::spawn(futures, false, Location::caller()),
    }
}

/// The future returned by [`gather_settled`].
#[must_use = "futures do nothing unless awaited; dropping a GatherSettled aborts its tasks"]
pub struct GatherSettled<T, E> {
    children: Children<T, E>,
}

impl<T: 'static, E: 'static> Future for GatherSettled<T, E> {
    type Output = Vec<Result<T, E>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.children.poll_outcome(cx).map(|outcome| match outcome {
            Ok(results) => results,
            Err(_) => unreachable!("gather_settled never fails fast"),
        })
    }
}
