//! Handles kept from one simulation and used in the next one on the same thread: a stale
//! handle does nothing to the running simulation (or fails it with a message that says so).

use std::cell::RefCell;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{Poll, Waker};
use std::time::Duration;

use simloop::sync::Event;
use simloop::task::{spawn, spawn_named, yield_now, JoinHandle};
use simloop::time::{sleep, Sleep};
use simloop::trace::EventKind;
use simloop::{Config, Failure, Run, Sim, Strategy, TraceLevel};

thread_local! {
    static HANDLE: RefCell<Option<JoinHandle<()>>> = const { RefCell::new(None) };
    static SLEEP: RefCell<Option<Sleep>> = const { RefCell::new(None) };
    static WAKER: RefCell<Option<Waker>> = const { RefCell::new(None) };
    static EVENT: RefCell<Option<Event>> = const { RefCell::new(None) };
}

fn sim() -> Sim {
    Sim::new(
        Config::default()
            .with_trace(TraceLevel::Full)
            .with_strategy(Strategy::Fifo),
    )
}

/// The second simulation of every test: a task `sleeper` (task #1) whose timer is the run's
/// first, and a main future that runs `stale` (the use of a handle from the first simulation)
/// once the sleeper waits, then awaits the sleeper.
fn second_run(stale: impl Fn() + 'static) -> Run<Duration> {
    sim().run(async move {
        let sleeper = spawn_named("sleeper", async {
            sleep(Duration::from_secs(1)).await;
        });
        yield_now().await;
        stale();
        sleeper.await.expect("the sleeper is not aborted");
        simloop::time::now().since_start()
    })
}

#[track_caller]
fn assert_unaffected(run: Run<Duration>) {
    let reference = second_run(|| {});
    assert_eq!(run.result.unwrap(), Duration::from_secs(1));
    assert_eq!(run.trace.text(), reference.trace.text());
}

// Goal: a JoinHandle of a finished simulation neither aborts nor reports on the next
// simulation's task of the same id.
#[test]
fn a_join_handle_from_an_ended_simulation_touches_nothing() {
    sim()
        .run(async {
            let child = spawn(async {});
            yield_now().await;
            HANDLE.with(|slot| *slot.borrow_mut() = Some(child));
        })
        .result
        .unwrap();
    let run = second_run(|| {
        HANDLE.with(|slot| {
            let handle = slot.borrow();
            let handle = handle.as_ref().unwrap();
            handle.abort();
            assert!(handle.is_finished());
        });
    });
    assert_unaffected(run);
    // Awaiting it gives the first simulation's result, and touches nothing either.
    let handle = HANDLE.with(|slot| slot.borrow_mut().take().unwrap());
    let cell = RefCell::new(Some(handle));
    let run = sim().run(async move {
        let handle = cell.borrow_mut().take().unwrap();
        handle.await
    });
    assert_eq!(run.result.unwrap(), Ok(()));
}

/// Leaves a `Sleep` with its timer registered in a simulation that then ends.
fn keep_a_registered_sleep() {
    sim()
        .run(async {
            let mut pending = sleep(Duration::from_secs(10));
            poll_fn(|cx| {
                assert!(Pin::new(&mut pending).poll(cx).is_pending());
                Poll::Ready(())
            })
            .await;
            SLEEP.with(|slot| *slot.borrow_mut() = Some(pending));
        })
        .result
        .unwrap();
}

// Goal: dropping a Sleep whose simulation ended cancels nothing in the next one (it used to
// cancel the next run's first timer: a false deadlock).
#[test]
fn dropping_a_sleep_from_an_ended_simulation_cancels_nothing() {
    keep_a_registered_sleep();
    let run = second_run(|| SLEEP.with(|slot| drop(slot.borrow_mut().take())));
    assert_unaffected(run);
}

// Goal: polling a Sleep whose simulation ended fails the run with a message that says so,
// instead of taking over the next run's timer.
#[test]
fn polling_a_sleep_from_an_ended_simulation_fails_clearly() {
    keep_a_registered_sleep();
    let run = sim().run(async {
        let sleeper = spawn(sleep(Duration::from_secs(1)));
        yield_now().await;
        let mut stale = SLEEP.with(|slot| slot.borrow_mut().take().unwrap());
        poll_fn(|cx| {
            let _ = Pin::new(&mut stale).poll(cx);
            Poll::Ready(())
        })
        .await;
        sleeper.await.unwrap();
    });
    let Err(Failure::Panic { message, .. }) = run.result else {
        panic!("the stale poll fails the run, got {:?}", run.result);
    };
    assert!(
        message.contains("another simulation"),
        "the message says why: {message}"
    );
}

// Goal: the main future's waker, kept from an ended simulation, does not poll the next
// simulation's main future.
#[test]
fn a_main_waker_from_an_ended_simulation_wakes_nothing() {
    sim()
        .run(poll_fn(|cx| {
            WAKER.with(|slot| *slot.borrow_mut() = Some(cx.waker().clone()));
            Poll::Ready(())
        }))
        .result
        .unwrap();
    let run = second_run(|| WAKER.with(|slot| slot.borrow().as_ref().unwrap().wake_by_ref()));
    assert_unaffected(run);
}

// Goal: a task's waker, kept from an ended simulation, schedules nothing in the next one.
#[test]
fn a_task_waker_from_an_ended_simulation_wakes_nothing() {
    sim()
        .run(async {
            let child = spawn(poll_fn(|cx| {
                WAKER.with(|slot| *slot.borrow_mut() = Some(cx.waker().clone()));
                Poll::Ready(())
            }));
            child.await.unwrap();
        })
        .result
        .unwrap();
    let run = second_run(|| WAKER.with(|slot| slot.borrow().as_ref().unwrap().wake_by_ref()));
    assert_unaffected(run);
}

// Goal: a primitive kept across simulations still works as plain data, but a waiter it
// registered in the first simulation wakes nothing in the second.
#[test]
fn a_primitive_waiter_from_an_ended_simulation_wakes_nothing() {
    sim()
        .run(async {
            let event = Event::new();
            let mut wait = Box::pin(event.wait());
            poll_fn(|cx| {
                assert!(wait.as_mut().poll(cx).is_pending());
                Poll::Ready(())
            })
            .await;
            // The registered waiter stays behind in the event.
            std::mem::forget(wait);
            EVENT.with(|slot| *slot.borrow_mut() = Some(event.clone()));
        })
        .result
        .unwrap();
    let run = second_run(|| EVENT.with(|slot| slot.borrow().as_ref().unwrap().set()));
    assert!(EVENT.with(|slot| slot.borrow().as_ref().unwrap().is_set()));
    let reference = second_run(|| {});
    assert_eq!(run.result.as_ref().ok(), Some(&Duration::from_secs(1)));
    // Setting the event records its operation, and wakes no one.
    let without_ops = |run: &Run<Duration>| {
        run.trace
            .text_filtered(|event| !matches!(event.kind, EventKind::Op { .. }))
    };
    assert_eq!(without_ops(&run), without_ops(&reference));
}

#[test]
fn an_abort_handle_cancels_the_task_and_outlives_its_join_handle() {
    Sim::new(Config::default())
        .run(async {
            let handle = spawn(sleep(Duration::from_secs(60)));
            let abort = handle.abort_handle();
            assert_eq!(abort.id(), handle.id());
            drop(handle); // detached: the abort handle still reaches the task
            assert!(!abort.is_finished());
            yield_now().await;
            abort.clone().abort();
            assert!(abort.is_finished());
            abort.abort(); // aborting an ended task does nothing
            let done = spawn(async {});
            let done_abort = done.abort_handle();
            done.await.unwrap();
            assert!(done_abort.is_finished());
            assert_eq!(simloop::time::now().since_start(), Duration::ZERO);
        })
        .unwrap();
}

#[test]
fn an_abort_handle_kept_from_an_ended_run_names_no_task_of_the_next() {
    let kept = simloop::run(0, async {
        spawn(sleep(Duration::from_secs(1))).abort_handle()
    });
    assert!(kept.is_finished());
    simloop::run(0, async move {
        let task = spawn(sleep(Duration::from_secs(1)));
        assert_eq!(kept.id(), task.id()); // same id, other simulation
        kept.abort();
        assert!(!task.abort_handle().is_finished());
        task.await.unwrap();
    });
}

#[test]
fn current_id_names_the_running_task() {
    assert_eq!(simloop::task::current_id(), None);
    simloop::run(0, async {
        assert_eq!(
            simloop::task::current_id(),
            Some(simloop::task::TaskId::MAIN)
        );
        let child = spawn(async { simloop::task::current_id() });
        let id = child.id();
        assert_eq!(child.await.unwrap(), Some(id));
    });
    assert_eq!(simloop::task::current_id(), None);
    assert!(!simloop::is_simulating());
}
