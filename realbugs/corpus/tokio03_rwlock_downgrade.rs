//! tokio 0.3 `RwLock`: `RwLockWriteGuard::downgrade` released the writer's permits but then let
//! the write guard's destructor release them again, so a writer could take the lock while the
//! downgraded read guard was still alive.

use std::rc::Rc;

use simloop::task::{spawn_named, yield_now};
use tokio03::sync::RwLock;

use super::{Half, Meta};

pub const META: Meta = Meta {
    name: "tokio 0.3 rwlock downgrade",
    dependency: "tokio03",
    krate: "tokio",
    buggy: "0.3.1",
    fixed: "0.3.2",
    link: "https://github.com/tokio-rs/tokio/pull/2957",
    bug: "downgrade() releases the write permits twice, so a writer gets in beside the read guard",
    property: "a value read under a (downgraded) read guard does not change while the guard lives",
    order: 10,
    half: Half::HeldOut,
};

/// A cache: a refresher writes a new value and downgrades to a read guard to serve it; an
/// invalidator, a little later, overwrites it.
pub async fn scenario() {
    let cache = Rc::new(RwLock::new(0u32));

    let c = Rc::clone(&cache);
    let refresher = spawn_named("refresher", async move {
        let mut guard = c.write().await;
        *guard = 1;
        let guard = guard.downgrade(); // publish, keep reading
        yield_now().await; // serve a request from the fresh value
        assert_eq!(*guard, 1, "the value changed under a read guard");
    });

    let c = Rc::clone(&cache);
    let invalidator = spawn_named("invalidator", async move {
        yield_now().await;
        yield_now().await;
        *c.write().await = 2;
    });

    refresher.await.expect("refresher");
    invalidator.await.expect("invalidator");
}
