//! The corpus: historical concurrency bugs of published executor-independent crates, each a
//! small service-shaped program pinned (by the crate that includes this module) either to the
//! release with the bug or to the release that fixed it. The source is the same in both builds.
//!
//! Every module has a `META` (the bug's record) and `pub async fn scenario()`, which returns
//! normally unless the bug strikes: then a task panics (an assertion names the broken
//! property) or the run deadlocks or livelocks, which simloop reports.

use std::future::Future;
use std::pin::Pin;

mod async_broadcast_inactive_close;
mod async_channel_recv_pingpong;
mod tokio02_mutex_cancel;
mod tokio03_rwlock_downgrade;
mod tokio_mpsc_reserve_cancel;
mod tokio_notify_waiters_permit;
mod tokio_recv_many_closed;
mod tokio_semaphore_forget_reopens;
mod tokio_util06_cancel_waker;
mod tokio_util_run_until_cancelled;

/// Which half of the corpus a bug belongs to, fixed before any strategy was measured on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Half {
    /// Strategy work may look at these bugs' results.
    Tuning,
    /// Kept aside: only for confirming a change chosen on the tuning half.
    HeldOut,
}

impl Half {
    pub fn label(self) -> &'static str {
        match self {
            Half::Tuning => "tuning",
            Half::HeldOut => "held-out",
        }
    }
}

/// One bug's record.
pub struct Meta {
    /// Short name, the row of the table.
    pub name: &'static str,
    /// The dependency name in the two manifests (`tokio02` is tokio 0.2, renamed).
    pub dependency: &'static str,
    /// The published crate.
    pub krate: &'static str,
    /// A release with the bug; the buggy build pins it.
    pub buggy: &'static str,
    /// The release the fixed build pins: the fix's release or a later one.
    pub fixed: &'static str,
    /// The issue or pull request that fixed it.
    pub link: &'static str,
    /// What the bug does, in one line.
    pub bug: &'static str,
    /// The property the scenario checks.
    pub property: &'static str,
    /// Discovery order (1-based); halves alternate by it.
    pub order: u32,
    pub half: Half,
}

/// A scenario, boxed so all fit one table.
pub type Scenario = fn() -> Pin<Box<dyn Future<Output = ()>>>;

/// The corpus in discovery order.
pub const BUGS: &[(&Meta, Scenario)] = &[
    (&tokio_notify_waiters_permit::META, || {
        Box::pin(tokio_notify_waiters_permit::scenario())
    }),
    (&tokio_semaphore_forget_reopens::META, || {
        Box::pin(tokio_semaphore_forget_reopens::scenario())
    }),
    (&tokio_mpsc_reserve_cancel::META, || {
        Box::pin(tokio_mpsc_reserve_cancel::scenario())
    }),
    (&tokio02_mutex_cancel::META, || {
        Box::pin(tokio02_mutex_cancel::scenario())
    }),
    (&tokio_recv_many_closed::META, || {
        Box::pin(tokio_recv_many_closed::scenario())
    }),
    (&tokio_util06_cancel_waker::META, || {
        Box::pin(tokio_util06_cancel_waker::scenario())
    }),
    (&tokio_util_run_until_cancelled::META, || {
        Box::pin(tokio_util_run_until_cancelled::scenario())
    }),
    (&async_channel_recv_pingpong::META, || {
        Box::pin(async_channel_recv_pingpong::scenario())
    }),
    (&async_broadcast_inactive_close::META, || {
        Box::pin(async_broadcast_inactive_close::scenario())
    }),
    (&tokio03_rwlock_downgrade::META, || {
        Box::pin(tokio03_rwlock_downgrade::scenario())
    }),
];
