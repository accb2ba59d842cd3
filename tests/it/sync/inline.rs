//! What costs a scheduling step: nothing that need not wait (ASYNCIO.md §0.4), and exactly one
//! for every wake-up (§0.3).

use std::cell::Cell;
use std::rc::Rc;

use simloop::sync::{Barrier, Condition, Event, Lock, Queue, Semaphore};
use simloop::task::{spawn, yield_now};

use super::{fifo, Log};

// Operations that need not wait complete inside the same poll: no other task runs.
#[test]
fn operations_that_need_not_wait_do_not_yield() {
    fifo(async {
        let ran = Rc::new(Cell::new(false));
        let flag = ran.clone();
        let _other = spawn(async move { flag.set(true) });

        let queue = Queue::bounded(2);
        queue.put(1).await.unwrap();
        assert_eq!(queue.get().await, Ok(1));
        queue.task_done().unwrap();
        queue.join().await;
        let semaphore = Semaphore::new(1);
        let permit = semaphore.acquire().await;
        drop(permit);
        let lock = Lock::new(0);
        *lock.lock().await += 1;
        let event = Event::new();
        event.set();
        event.wait().await;
        assert_eq!(Barrier::new(1).wait().await, Ok(0));
        let cond = Condition::new(true);
        let guard = cond.lock().await;
        let guard = cond.wait_for(guard, |ready| *ready).await;
        drop(guard);

        assert!(
            !ran.get(),
            "another task ran during operations that need not wait"
        );
    });
}

// A woken task joins the tail of the ready set: tasks already ready run first.
#[test]
fn a_wake_up_costs_one_scheduling_step() {
    let order = fifo(async {
        let queue = Queue::unbounded();
        let log = Log::default();
        let getter = {
            let (queue, log) = (queue.clone(), log.clone());
            spawn(async move {
                let item = queue.get().await.unwrap();
                log.push(item);
            })
        };
        yield_now().await; // the getter waits
        let already_ready = {
            let log = log.clone();
            spawn(async move { log.push("already ready") })
        };
        queue.put("woken").await.unwrap();
        log.push("putter continues");
        getter.await.unwrap();
        already_ready.await.unwrap();
        log.take()
    });
    assert_eq!(order, ["putter continues", "already ready", "woken"]);
}
