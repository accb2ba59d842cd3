//! async-broadcast 0.3: dropping the last receiver closed the channel only if it was an active
//! one; when an inactive receiver went last the channel stayed open with nobody to receive,
//! and a sender waiting for room waited forever.

use simloop::task::{spawn_named, yield_now};

use super::{Half, Meta};

pub const META: Meta = Meta {
    name: "async-broadcast inactive last drop",
    dependency: "async_broadcast",
    krate: "async-broadcast",
    buggy: "0.3.2",
    fixed: "0.3.3",
    link:
        "https://github.com/smol-rs/async-broadcast/commit/b45e7ed796c9da1ced4e275b17a4f3b7352be041",
    bug: "the channel stays open when the last receiver dropped is an inactive one; the next broadcast trips the crate's own assertion",
    property: "a publisher stops with an error once every receiver is gone (no deadlock)",
    order: 9,
    half: Half::Tuning,
};

/// A publisher, one subscriber that leaves after two events, and a supervisor holding an
/// inactive receiver to keep the channel open while subscribers come and go, which it drops
/// when it shuts down.
pub async fn scenario() {
    let (tx, mut rx) = async_broadcast::broadcast::<u32>(1);
    let keep_open = rx.clone().deactivate();

    let subscriber = spawn_named("subscriber", async move {
        for _ in 0..2 {
            if rx.recv().await.is_err() {
                break;
            }
        }
    });

    let supervisor = spawn_named("supervisor", async move {
        yield_now().await;
        yield_now().await;
        drop(keep_open);
    });

    let publisher = spawn_named("publisher", async move {
        let mut event = 0;
        while tx.broadcast(event).await.is_ok() {
            event += 1;
        }
    });

    subscriber.await.expect("subscriber");
    supervisor.await.expect("supervisor");
    publisher.await.expect("publisher");
}
