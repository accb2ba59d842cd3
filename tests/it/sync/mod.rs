//! `simloop::sync`: asyncio's orders under `Fifo`, invariants over many seeds under `Random`.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use simloop::time::now;
use simloop::{Config, Failure, Sim, Strategy};

mod barrier;
mod condition;
mod deadlock;
mod event;
mod inline;
mod lock;
mod properties;
mod queue;
mod semaphore;

/// Runs `future` under `Strategy::Fifo` (asyncio's loop order) and returns its output.
#[track_caller]
pub fn fifo<F: Future>(future: F) -> F::Output {
    Sim::new(Config::default().with_strategy(Strategy::Fifo))
        .run(future)
        .unwrap()
}

/// Runs `future` and returns the message it (or a task) panicked with.
#[track_caller]
pub fn panic_message<F: Future>(future: F) -> String {
    let run = Sim::new(Config::default().with_strategy(Strategy::Fifo)).run(future);
    match run.result {
        Err(Failure::Panic { message, .. }) => message,
        Err(other) => panic!("expected a panic, got {other}"),
        Ok(_) => panic!("expected a panic, the run finished"),
    }
}

/// A shared, ordered record of what tasks did.
#[derive(Clone)]
pub struct Log<T>(Rc<RefCell<Vec<T>>>);

impl<T> Default for Log<T> {
    fn default() -> Self {
        Log(Rc::default())
    }
}

impl<T: Clone> Log<T> {
    pub fn push(&self, entry: T) {
        self.0.borrow_mut().push(entry);
    }

    pub fn take(&self) -> Vec<T> {
        std::mem::take(&mut *self.0.borrow_mut())
    }

    pub fn snapshot(&self) -> Vec<T> {
        self.0.borrow().clone()
    }
}

impl Log<(u64, String)> {
    /// Records `text` at the current virtual time, in milliseconds.
    pub fn at(&self, text: impl Into<String>) {
        let millis = now().since_start().as_millis() as u64;
        self.push((millis, text.into()));
    }
}
