//! Event: set wakes waiters in wait order; clear does not un-wake them (ASYNCIO.md §1.13).

use simloop::sync::Event;
use simloop::task::{spawn, yield_now, JoinHandle};

use super::{fifo, Log};

fn waiter(event: &Event, log: &Log<u32>, id: u32) -> JoinHandle<()> {
    let (event, log) = (event.clone(), log.clone());
    spawn(async move {
        event.wait().await;
        log.push(id);
    })
}

// CPython's test_wait: a task created before set() runs before the woken waiters: [3, 1, 2].
#[test]
fn set_wakes_in_wait_order_after_already_ready_tasks() {
    let result = fifo(async {
        let event = Event::new();
        let log = Log::default();
        let t1 = waiter(&event, &log, 1);
        let t2 = waiter(&event, &log, 2);
        yield_now().await;
        yield_now().await;
        assert!(log.snapshot().is_empty());
        let t3 = waiter(&event, &log, 3); // ready before set() wakes t1 and t2
        event.set();
        assert!(log.snapshot().is_empty(), "set() ran a waiter inline");
        yield_now().await;
        let result = log.take();
        for task in [t1, t2, t3] {
            task.await.unwrap();
        }
        result
    });
    assert_eq!(result, [3, 1, 2]);
}

// CPython's test_clear_with_waiters: waiters woken by set() return even if clear() follows.
#[test]
fn clear_does_not_unwake_woken_waiters() {
    let result = fifo(async {
        let event = Event::new();
        let log = Log::default();
        let t1 = waiter(&event, &log, 1);
        yield_now().await;
        event.set();
        event.clear();
        assert!(!event.is_set());
        t1.await.unwrap();
        // A later wait blocks again until the next set().
        let t2 = waiter(&event, &log, 2);
        yield_now().await;
        assert_eq!(log.snapshot(), [1]);
        event.set();
        t2.await.unwrap();
        log.take()
    });
    assert_eq!(result, [1, 2]);
}
