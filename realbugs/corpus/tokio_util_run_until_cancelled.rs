//! tokio-util 0.7 `CancellationToken::run_until_cancelled`: on a token already cancelled it
//! still polled the future first, so a worker looping over a ready queue kept taking jobs after
//! shutdown.

use std::cell::Cell;
use std::rc::Rc;

use simloop::task::{spawn_named, yield_now};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{Half, Meta};

pub const META: Meta = Meta {
    name: "tokio-util run_until_cancelled",
    dependency: "tokio_util",
    krate: "tokio-util",
    buggy: "0.7.15",
    fixed: "0.7.16",
    link: "https://github.com/tokio-rs/tokio/pull/7462",
    bug: "run_until_cancelled() on a cancelled token returns the future's output if it is ready",
    property: "after shutdown, a worker starts at most the one job that raced with it",
    order: 7,
    half: Half::Tuning,
};

/// A worker takes jobs from a queue until shutdown; a producer enqueues four jobs; shutdown
/// comes a little later, possibly while jobs are still queued.
pub async fn scenario() {
    let token = CancellationToken::new();
    let (tx, mut rx) = mpsc::unbounded_channel::<u32>();
    let after_shutdown = Rc::new(Cell::new(0u32));

    let (t, late) = (token.clone(), Rc::clone(&after_shutdown));
    let worker = spawn_named("worker", async move {
        while let Some(Some(_job)) = t.run_until_cancelled(rx.recv()).await {
            if t.is_cancelled() {
                late.set(late.get() + 1);
            }
            yield_now().await; // do the job
        }
    });

    let producer = spawn_named("producer", async move {
        for job in 0..4 {
            let _ = tx.send(job);
            yield_now().await;
        }
    });

    for _ in 0..6 {
        yield_now().await;
    }
    token.cancel();
    producer.await.expect("producer");
    worker.await.expect("worker");
    assert!(
        after_shutdown.get() <= 1,
        "the worker started {} jobs after shutdown",
        after_shutdown.get()
    );
}
