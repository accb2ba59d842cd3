//! tokio bounded `mpsc`: a `reserve_many` that failed or was cancelled while holding part of
//! its permits gave them back without waking the receiver, so a receiver draining a closed
//! channel never saw it become idle.

use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::task::yield_now;
use tokio::time::timeout;

use super::{Half, Meta};

pub const META: Meta = Meta {
    name: "tokio mpsc reserve_many cancel",
    dependency: "tokio_release",
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

/// Two producers and a consumer that shuts down gracefully: on the shutdown signal it closes
/// the channel and drains what was already admitted. One producer sends single messages, the
/// other a batch of two, giving up after 10 ms. The server keeps a sender of its own until the
/// drain ends, so the channel closes from the receiving side.
///
/// Written as a tokio user writes it (`tokio::spawn`, `tokio::select!`, `tokio::time::timeout`):
/// `tokio` is simloop-tokio, renamed, so the same code runs under tokio in production.
pub async fn scenario() {
    let (tx, mut rx) = mpsc::channel::<u32>(2);
    let batcher_tx = tx.clone();
    let server_tx = tx.clone();
    let (shutdown, mut stop) = oneshot::channel::<()>();

    let single = tokio::spawn(async move {
        for i in 0..2 {
            let Ok(permit) = tx.reserve().await else {
                return;
            };
            yield_now().await; // build the message
            permit.send(i);
        }
    });

    let batcher = tokio::spawn(async move {
        let reserved = timeout(Duration::from_millis(10), batcher_tx.reserve_many(2)).await;
        if let Ok(Ok(permits)) = reserved {
            for permit in permits {
                permit.send(100);
            }
        }
    });

    let consumer = tokio::spawn(async move {
        let mut received = 0;
        // Receive until the shutdown signal or the end of the channel.
        loop {
            tokio::select! {
                message = rx.recv() => match message {
                    Some(_) => received += 1,
                    None => return received,
                },
                _ = &mut stop => break,
            }
        }
        rx.close(); // shutting down: admit nothing new, drain the rest
        while rx.recv().await.is_some() {
            received += 1;
        }
        received
    });

    for _ in 0..6 {
        yield_now().await;
    }
    shutdown
        .send(())
        .expect("the consumer listens until it has shut down");
    single.await.expect("producer");
    batcher.await.expect("batcher");
    consumer.await.expect("consumer");
    drop(server_tx);
}
