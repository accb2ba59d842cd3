//! tokio `Semaphore`: `forget_permits` rewrote the state word without the closed bit, so a
//! semaphore closed for shutdown reopened when capacity was shrunk at the same time.

use std::rc::Rc;

use simloop::task::{spawn_named, yield_now};
use tokio::sync::Semaphore;

use super::{Half, Meta};

pub const META: Meta = Meta {
    name: "tokio semaphore reopens on forget",
    dependency: "tokio_release",
    krate: "tokio",
    buggy: "1.50.0",
    fixed: "1.53.0",
    link: "https://github.com/tokio-rs/tokio/pull/8021",
    bug: "forget_permits() on a closed semaphore clears the closed flag",
    property: "after shutdown closed the connection limiter, no client gets a slot",
    order: 2,
    half: Half::HeldOut,
};

/// A connection limiter with three slots: an autoscaler shrinks it by one while shutdown
/// closes it; a client arriving afterwards must be refused.
pub async fn scenario() {
    let slots = Rc::new(Semaphore::new(3));

    let s = Rc::clone(&slots);
    let scaler = spawn_named("autoscaler", async move {
        yield_now().await; // look at the load
        s.forget_permits(1);
    });

    let s = Rc::clone(&slots);
    let shutdown = spawn_named("shutdown", async move {
        yield_now().await; // stop the listener
        s.close();
    });

    let s = Rc::clone(&slots);
    let client = spawn_named("client", async move {
        // A client holding a slot across the shutdown.
        let permit = s.acquire().await;
        yield_now().await;
        drop(permit);
    });

    scaler.await.expect("autoscaler");
    shutdown.await.expect("shutdown");
    client.await.expect("client");

    let late = slots.acquire().await;
    assert!(
        late.is_err(),
        "a client got a connection slot after the limiter was closed"
    );
}
