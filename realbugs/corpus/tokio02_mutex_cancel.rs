//! tokio 0.2 `Mutex`: dropping a `lock()` future that was already queued left its waiter in
//! the semaphore's queue, so the next unlock handed the lock to nobody and it stayed locked.

use std::rc::Rc;

use simloop::task::{spawn_named, yield_now};
use tokio02::sync::Mutex;

use super::{Half, Meta};

pub const META: Meta = Meta {
    name: "tokio 0.2 mutex lock cancelled",
    dependency: "tokio02",
    krate: "tokio",
    buggy: "0.2.3",
    fixed: "0.2.4",
    link: "https://github.com/tokio-rs/tokio/pull/1902",
    bug: "a lock() future dropped while queued keeps its place, and the lock is handed to it",
    property: "after the holder unlocks, the next request gets the lock (no deadlock)",
    order: 4,
    half: Half::HeldOut,
};

/// A shared store behind an async mutex: a writer holds it for a while, a request handler
/// waits for it, its client hangs up after a while (the server aborts the handler, finished or
/// not), then another request comes in.
pub async fn scenario() {
    let store = Rc::new(Mutex::new(0u32));

    let s = Rc::clone(&store);
    let writer = spawn_named("writer", async move {
        let mut guard = s.lock().await;
        yield_now().await; // write to disk
        yield_now().await;
        *guard += 1;
    });

    let s = Rc::clone(&store);
    let request = spawn_named("request", async move {
        let mut guard = s.lock().await;
        *guard += 10;
    });

    for _ in 0..5 {
        yield_now().await; // the client waits a little
    }
    request.abort(); // then hangs up
    writer.await.expect("writer");

    let guard = store.lock().await;
    assert!(*guard >= 1, "the writer's update is missing");
}
