//! tokio-util 0.6 `CancellationToken`: the test deciding whether a waiting `cancelled()` future
//! had to store a new waker was inverted, so a future polled by one task and then awaited by
//! another kept the first task's waker and its new owner was never woken.

use std::time::Duration;

use futures::future::{select, Either};
use simloop::task::spawn_named;
use simloop::time::sleep;
use tokio_util06::sync::CancellationToken;

use super::{Half, Meta};

pub const META: Meta = Meta {
    name: "tokio-util 0.6 cancelled() waker",
    dependency: "tokio_util06",
    krate: "tokio-util",
    buggy: "0.6.9",
    fixed: "0.6.10",
    link: "https://github.com/tokio-rs/tokio/pull/4497",
    bug: "a cancelled() future keeps its first waker when polled from another task (fixed in 0.7.1 by the linked PR; 0.6.10 got the rewritten token)",
    property: "a background task waiting for cancellation wakes up when the token is cancelled",
    order: 6,
    half: Half::HeldOut,
};

/// A request waits up to 5 ms in the foreground for the shutdown signal, then hands the
/// remaining wait to a background task (the unfinished future `select` gives back) and goes
/// on; shutdown comes at 5 ms.
pub async fn scenario() {
    let token = CancellationToken::new();

    let t = token.clone();
    let canceller = spawn_named("shutdown", async move {
        sleep(Duration::from_millis(5)).await;
        t.cancel();
    });

    let t = token.clone();
    let cancelled = Box::pin(async move { t.cancelled().await });
    let deadline = Box::pin(sleep(Duration::from_millis(5)));
    let background = match select(cancelled, deadline).await {
        Either::Left(((), _)) => None,
        Either::Right(((), cancelled)) => Some(spawn_named("cleanup", cancelled)),
    };

    canceller.await.expect("shutdown");
    if let Some(background) = background {
        background.await.expect("cleanup");
    }
}
