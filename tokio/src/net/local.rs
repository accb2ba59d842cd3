//! Values that must stay on the simulation's thread, held through `Send` handles.
//!
//! simloop's sockets and their futures are `!Send` (one thread runs a simulation), while tokio's
//! are `Send`, and code written for tokio moves them into `tokio::spawn`, which asks for `Send`
//! at compile time. The facade keeps each simulated value in a thread-local table and hands
//! out a [`Local`]: a key, which is `Send` and `Sync`. Every use looks the value up on the
//! current thread; a simulation never leaves its thread, so the lookup finds it. Only a value
//! taken out of its simulation (to another thread, or kept after the simulation ended) is
//! missing, and then the use panics with a message saying so. No `unsafe`: the table is what
//! makes the handle `Send`.

use std::any::Any;
use std::cell::RefCell;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

thread_local! {
    /// The values of this thread's handles, in slots reused through a free list. Looked up by
    /// index, never iterated.
    static SLOTS: RefCell<Slots> = RefCell::new(Slots::default());
}

/// Keys are unique in the process, so a handle moved to another thread never finds a value
/// that is not its own, even in a slot of the same index. A key is never observable by the
/// program: it draws no randomness.
static NEXT_KEY: AtomicU64 = AtomicU64::new(0);

#[derive(Default)]
struct Slots {
    slots: Vec<Option<(u64, Rc<dyn Any>)>>,
    free: Vec<usize>,
}

impl Slots {
    fn insert(&mut self, key: u64, value: Rc<dyn Any>) -> usize {
        match self.free.pop() {
            Some(index) => {
                self.slots[index] = Some((key, value));
                index
            }
            None => {
                self.slots.push(Some((key, value)));
                self.slots.len() - 1
            }
        }
    }

    fn get(&self, index: usize, key: u64) -> Option<&Rc<dyn Any>> {
        match self.slots.get(index) {
            Some(Some((held, value))) if *held == key => Some(value),
            _ => None,
        }
    }

    fn remove(&mut self, index: usize, key: u64) -> Option<Rc<dyn Any>> {
        self.get(index, key)?;
        let (_, value) = self.slots[index].take()?;
        self.free.push(index);
        Some(value)
    }
}

/// A `Send` handle to a value kept on the current thread.
pub(crate) struct Local<T: 'static> {
    index: usize,
    key: u64,
    _value: PhantomData<fn() -> T>,
}

impl<T: 'static> Local<T> {
    pub(crate) fn new(value: T) -> Local<T> {
        let key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
        let index = SLOTS.with(|slots| slots.borrow_mut().insert(key, Rc::new(value)));
        Local {
            index,
            key,
            _value: PhantomData,
        }
    }

    /// The value. The table is not borrowed while the caller uses it, so the value may make
    /// and drop other handles.
    pub(crate) fn get(&self) -> Rc<T> {
        let value = SLOTS.with(|slots| slots.borrow().get(self.index, self.key).cloned());
        match value.map(Rc::downcast::<T>) {
            Some(Ok(value)) => value,
            _ => missing(),
        }
    }

    /// Takes the value out; the handle is gone.
    pub(crate) fn take(self) -> T {
        let value = SLOTS.with(|slots| slots.borrow_mut().remove(self.index, self.key));
        std::mem::forget(self);
        match value.map(Rc::downcast::<T>) {
            Some(Ok(value)) => Rc::try_unwrap(value)
                .unwrap_or_else(|_| panic!("simloop-tokio: a simulated socket is still in use")),
            _ => missing(),
        }
    }
}

fn missing() -> ! {
    panic!(
        "simloop-tokio: a simulated socket or its future was used outside the simulation that \
         made it (on another thread, or after the simulation ended); simulated sockets live \
         and die inside their simulation"
    )
}

impl<T: 'static> Drop for Local<T> {
    fn drop(&mut self) {
        // Dropped once the table is released: the value's destructor may drop handles too.
        let value = SLOTS
            .try_with(|slots| slots.borrow_mut().remove(self.index, self.key))
            .ok()
            .flatten();
        drop(value);
    }
}

/// A `!Send` simloop future behind a `Send` handle: polling it polls the future in place, on
/// the simulation's thread, in the task that awaits it (no task of its own, so the schedule is
/// the one the future would have had awaited directly). Dropping it drops the future.
pub(crate) struct LocalFuture<T: 'static> {
    future: Local<RefCell<Pin<Box<dyn Future<Output = T>>>>>,
}

impl<T: 'static> LocalFuture<T> {
    pub(crate) fn new(future: impl Future<Output = T> + 'static) -> LocalFuture<T> {
        let future: Pin<Box<dyn Future<Output = T>>> = Box::pin(future);
        LocalFuture {
            future: Local::new(RefCell::new(future)),
        }
    }
}

impl<T: 'static> Future for LocalFuture<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let future = self.future.get();
        let mut future = future.borrow_mut();
        future.as_mut().poll(cx)
    }
}
