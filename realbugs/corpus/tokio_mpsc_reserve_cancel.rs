//! tokio bounded `mpsc`: a `reserve_many` that failed or was cancelled while holding part of
//! its permits gave them back without waking the receiver, so a receiver draining a closed
//! channel never saw it become idle.

use std::time::Duration;

use simloop::task::{spawn_named, yield_now};
use simloop::time::timeout;
use tokio::sync::mpsc;

use super::{Half, Meta};

pub const META: Meta = Meta {
    name: "tokio mpsc reserve_many cancel",
    dependency: "tokio",
    krate: "tokio",
    buggy: "1.50.0",
    fixed: "1.53.0",
    link: "https://github.com/tokio-rs/tokio/pull/8260",
    bug:
        "a failed or cancelled reserve_many returns its partial permits without waking the receiver",
    property: "a receiver draining after close() ends (no deadlock)",
    order: 3,
    half: Half::Tuning,
};

/// Two producers and a consumer that shuts down gracefully: it closes the channel and drains
/// what was already admitted. One producer sends single messages, the other batches of two and
/// gives up on a batch after 10 ms. The server keeps a sender of its own until the drain ends.
pub async fn scenario() {
    let (tx, mut rx) = mpsc::channel::<u32>(2);
    let batcher_tx = tx.clone();
    // The server's own handle, kept until the consumer has drained: the channel closes from
    // the receiving side.
    let server_tx = tx.clone();

    let single = spawn_named("producer", async move {
        for i in 0..2 {
            let Ok(permit) = tx.reserve().await else {
                return;
            };
            yield_now().await; // build the message
            permit.send(i);
        }
    });

    let batcher = spawn_named("batcher", async move {
        let reserved = timeout(Duration::from_millis(10), batcher_tx.reserve_many(2)).await;
        if let Ok(Ok(permits)) = reserved {
            for permit in permits {
                permit.send(100);
            }
        }
    });

    let consumer = spawn_named("consumer", async move {
        yield_now().await;
        rx.close(); // shutting down: admit nothing new
        let mut drained = 0;
        while rx.recv().await.is_some() {
            drained += 1;
        }
        drained
    });

    single.await.expect("producer");
    batcher.await.expect("batcher");
    consumer.await.expect("consumer");
    drop(server_tx);
}
