//! tokio `Notify`: a `Notified` future created before `notify_waiters()` but first polled after
//! a following `notify_one()` took the stored permit as well, so the task that permit was for
//! waited forever.

use std::sync::Arc;

use simloop::task::{spawn_named, yield_now};
use tokio::sync::Notify;

use super::{Half, Meta};

pub const META: Meta = Meta {
    name: "tokio notify_waiters eats permit",
    dependency: "tokio_release",
    krate: "tokio",
    buggy: "1.50.0",
    fixed: "1.53.0",
    link: "https://github.com/tokio-rs/tokio/pull/7996",
    bug: "an unpolled Notified completed by notify_waiters() also consumes the permit of a later notify_one()",
    property: "the worker woken by notify_one() finishes (no deadlock)",
    order: 1,
    half: Half::Tuning,
};

/// One `Notify` serves two purposes: `notify_waiters()` tells every listener to reload its
/// configuration, `notify_one()` hands one job to one worker.
pub async fn scenario() {
    let notify = Arc::new(Notify::new());

    // Subscribe first, then read the current configuration, then wait for a change: the
    // pattern `Notified` is documented for.
    let changed = Arc::clone(&notify).notified_owned();
    let reloader = spawn_named("reloader", async move {
        yield_now().await; // read the configuration
        changed.await;
    });

    let n = Arc::clone(&notify);
    let worker = spawn_named("worker", async move {
        n.notified().await; // wait for a job
    });

    yield_now().await;
    notify.notify_waiters(); // configuration changed
    notify.notify_one(); // one job is ready

    reloader.await.expect("reloader");
    worker.await.expect("worker");
}
