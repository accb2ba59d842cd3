//! tokio `mpsc`: `recv_many` on a receiver closed with `close()`, with no message left and no
//! permit outstanding, asserted that the caller's buffer was empty, so a consumer that keeps
//! a partial batch across calls panicked during shutdown.

use std::cell::Cell;
use std::pin::pin;
use std::rc::Rc;

use futures::future::{select, Either};
use simloop::sync::Event;
use simloop::task::{spawn_named, yield_now};
use tokio::sync::mpsc;

use super::{Half, Meta};

pub const META: Meta = Meta {
    name: "tokio recv_many after close",
    dependency: "tokio_release",
    krate: "tokio",
    buggy: "1.50.0",
    fixed: "1.53.0",
    link: "https://github.com/tokio-rs/tokio/pull/7991",
    bug: "recv_many() on a closed, idle channel panics when the caller's buffer is not empty",
    property: "a batching consumer shuts down without panicking and loses no message",
    order: 5,
    half: Half::Tuning,
};

/// A producer sends six messages; a consumer writes them in batches of three; on shutdown it
/// closes its receiver and drains, still batching, then writes the last partial batch.
pub async fn scenario() {
    let (tx, mut rx) = mpsc::channel::<u32>(4);
    let shutdown = Rc::new(Event::new());
    let sent = Rc::new(Cell::new(0u32));

    let (stop, count) = (Rc::clone(&shutdown), Rc::clone(&sent));
    let producer = spawn_named("producer", async move {
        for i in 0..6 {
            if tx.send(i).await.is_err() {
                break;
            }
            count.set(count.get() + 1);
            yield_now().await;
        }
        stop.wait().await; // keep the sender until shutdown
    });

    let stop = Rc::clone(&shutdown);
    let consumer = spawn_named("consumer", async move {
        let mut batch = Vec::new();
        let mut written = 0;
        let mut closed = false;
        loop {
            let received = if closed {
                Some(rx.recv_many(&mut batch, 4).await)
            } else {
                let recv = pin!(rx.recv_many(&mut batch, 4));
                match select(recv, pin!(stop.wait())).await {
                    Either::Left((n, _)) => Some(n),
                    Either::Right(_) => None,
                }
            };
            match received {
                None => {
                    rx.close();
                    closed = true;
                }
                Some(0) => break,
                Some(_) if batch.len() >= 3 => {
                    written += batch.len();
                    batch.clear();
                    yield_now().await; // write the batch
                }
                Some(_) => {}
            }
        }
        written + batch.len()
    });

    for _ in 0..8 {
        yield_now().await;
    }
    shutdown.set();
    producer.await.expect("producer");
    let written = consumer.await.expect("consumer");
    assert_eq!(written as u32, sent.get(), "messages were lost");
}
