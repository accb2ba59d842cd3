//! async-channel 1.4: a receiver woken by a notification passed a notification on to another
//! receiver before checking whether it got a message, so two idle receivers woke each other
//! forever (100% CPU; in the simulation, virtual time never moves again).

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use simloop::task::{spawn_named, yield_now};
use simloop::time::sleep;

use super::{Half, Meta};

pub const META: Meta = Meta {
    name: "async-channel receivers ping-pong",
    dependency: "async_channel",
    krate: "async-channel",
    buggy: "1.4.1",
    fixed: "1.4.2",
    link: "https://github.com/smol-rs/async-channel/commit/499f60c820d4f2b7fd2553ba9d1cfe5338daf69f",
    bug: "a woken receiver notifies another one even when no message is left, and they wake each other forever",
    property: "two workers drain a paced queue and stop (no livelock: the step limit is not hit)",
    order: 8,
    half: Half::HeldOut,
};

/// Two workers share a job queue fed one job a millisecond.
pub async fn scenario() {
    let (tx, rx) = async_channel::unbounded::<u32>();
    let done = Rc::new(Cell::new(0u32));

    let mut workers = Vec::new();
    for name in ["worker-1", "worker-2"] {
        let (rx, done) = (rx.clone(), Rc::clone(&done));
        workers.push(spawn_named(name, async move {
            while rx.recv().await.is_ok() {
                yield_now().await; // do the job
                done.set(done.get() + 1);
            }
        }));
    }
    drop(rx);

    for job in 0..3 {
        sleep(Duration::from_millis(1)).await;
        tx.send(job).await.expect("workers are alive");
    }
    drop(tx);
    for worker in workers {
        worker.await.expect("worker");
    }
    assert_eq!(done.get(), 3);
}
