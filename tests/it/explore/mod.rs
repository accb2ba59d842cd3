//! Exploration: sweeps, replay, shrinking, determinism check, strategies, knobs.

mod determinism_default;
mod env;
mod everywhere;
mod limits;
mod replay;
mod reports;
mod shape;
mod strategies;
mod sweeps;

use std::cell::Cell;
use std::rc::Rc;

use simloop::task::{spawn_named, yield_now};

/// Two tasks read a shared counter, yield, and write back: an update is lost only when the
/// second reads before the first writes, which FIFO order never does here.
pub async fn lost_update() {
    let counter = Rc::new(Cell::new(0));
    let first = {
        let counter = counter.clone();
        spawn_named("first", async move {
            let seen = counter.get();
            yield_now().await;
            counter.set(seen + 1);
            simloop::log!("first wrote {}", seen + 1);
        })
    };
    let second = {
        let counter = counter.clone();
        spawn_named("second", async move {
            yield_now().await;
            let seen = counter.get();
            yield_now().await;
            counter.set(seen + 1);
            simloop::log!("second wrote {}", seen + 1);
        })
    };
    first.await.unwrap();
    second.await.unwrap();
    assert_eq!(counter.get(), 2, "lost update");
}
