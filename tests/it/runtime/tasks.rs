//! Tasks: abort, join, detach, leaks, names.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use simloop::task::{spawn, spawn_named, yield_now, JoinError, TaskGroup};
use simloop::time::{now, sleep};

use crate::fifo;

struct SetOnDrop(Rc<Cell<bool>>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

// Goal: a task aborted before its first poll never runs its body, and its awaiter sees Cancelled.
#[test]
fn abort_before_first_poll_never_runs_the_body() {
    let ran = Rc::new(Cell::new(false));
    let r = ran.clone();
    let result = fifo()
        .run(async move {
            let handle = spawn(async move { r.set(true) });
            handle.abort();
            handle.await
        })
        .unwrap();
    assert_eq!(result, Err(JoinError::Cancelled));
    assert!(!ran.get());
}

// Goal: aborting a sleeping task drops it (destructors run) and removes its timer from the clock.
#[test]
fn abort_of_a_sleeper_runs_destructors_and_removes_its_timer() {
    let dropped = Rc::new(Cell::new(false));
    let d = dropped.clone();
    let run = fifo().run(async move {
        let sleeper = spawn(async move {
            let _guard = SetOnDrop(d);
            sleep(Duration::from_secs(100)).await;
        });
        sleep(Duration::from_secs(1)).await;
        sleeper.abort();
        assert_eq!(sleeper.await, Err(JoinError::Cancelled));
        assert_eq!(now().since_start(), Duration::from_secs(1));
    });
    run.result.unwrap();
    assert!(dropped.get());
    // The clock never jumped to t=100 for the aborted sleeper.
    assert_eq!(run.elapsed, Duration::from_secs(1));
}

// Goal: a task that aborts itself in its first poll and then waits on something nobody will
// ever signal is still dropped at once (it had no waker kept yet for the abort to use).
#[test]
fn a_task_aborting_itself_in_its_first_poll_is_dropped() {
    use simloop::sync::Event;
    use std::cell::RefCell;

    let dropped = Rc::new(Cell::new(false));
    let d = dropped.clone();
    let run = fifo().run(async move {
        let own_handle = Rc::new(RefCell::new(None));
        let handle_slot: Rc<RefCell<Option<simloop::task::JoinHandle<()>>>> = own_handle.clone();
        let never = Event::new();
        let task = spawn(async move {
            let _guard = SetOnDrop(d);
            if let Some(handle) = handle_slot.borrow().as_ref() {
                handle.abort();
            }
            never.wait().await;
        });
        // The task finds its own handle in the cell at its first poll, and aborts itself.
        *own_handle.borrow_mut() = Some(task);
        yield_now().await;
        let task = own_handle.borrow_mut().take().unwrap();
        task.await
    });
    assert_eq!(run.result.unwrap(), Err(JoinError::Cancelled));
    assert!(dropped.get());
    assert!(run.leaked.is_empty());
}

// Goal: a dropped JoinHandle detaches: the task keeps running to completion.
#[test]
fn dropping_a_join_handle_detaches_the_task() {
    let finished = Rc::new(Cell::new(false));
    let f = finished.clone();
    let run = fifo().run(async move {
        drop(spawn(async move {
            sleep(Duration::from_secs(2)).await;
            f.set(true);
        }));
        sleep(Duration::from_secs(3)).await;
    });
    assert!(run.leaked.is_empty());
    assert!(finished.get());
}

// Goal: is_finished turns true once the task has ended.
#[test]
fn is_finished_reports_completion() {
    fifo()
        .run(async {
            let handle = spawn(async { 5 });
            assert!(!handle.is_finished());
            yield_now().await;
            assert!(handle.is_finished());
            assert_eq!(handle.await, Ok(5));
        })
        .unwrap();
}

// Goal: tasks pending when main finishes are dropped in creation order and listed as leaked.
#[test]
fn pending_tasks_are_dropped_in_creation_order_and_listed_as_leaked() {
    let order = Rc::new(std::cell::RefCell::new(Vec::new()));
    struct Record(Rc<std::cell::RefCell<Vec<&'static str>>>, &'static str);
    impl Drop for Record {
        fn drop(&mut self) {
            self.0.borrow_mut().push(self.1);
        }
    }
    let o = order.clone();
    let run = fifo().run(async move {
        for name in ["first", "second", "third"] {
            let record = Record(o.clone(), name);
            spawn_named(name, async move {
                let _record = record;
                sleep(Duration::from_secs(10)).await;
            })
            .detach();
        }
        yield_now().await;
    });
    run.result.unwrap();
    let names: Vec<_> = run.leaked.iter().map(|t| t.name.clone().unwrap()).collect();
    assert_eq!(names, ["first", "second", "third"]);
    assert_eq!(*order.borrow(), ["first", "second", "third"]);
    assert!(run.leaked[0].spawned_at.contains("tasks.rs"));
    assert_eq!(run.elapsed, Duration::ZERO);
}

// Goal: TaskGroup's first error aborts the siblings and join returns once they are gone.
#[test]
fn task_group_first_error_aborts_siblings() {
    let sibling_dropped = Rc::new(Cell::new(false));
    let s = sibling_dropped.clone();
    let run = fifo().run(async move {
        let mut group = TaskGroup::new();
        group
            .spawn(async move {
                let _guard = SetOnDrop(s);
                sleep(Duration::from_secs(10)).await;
                Ok(1)
            })
            .unwrap();
        group
            .spawn(async {
                sleep(Duration::from_millis(100)).await;
                Err("ZeroDivisionError")
            })
            .unwrap();
        let result = group.join().await;
        (result, now().since_start())
    });
    let (result, at) = run.result.unwrap();
    assert_eq!(result, Err("ZeroDivisionError"));
    assert_eq!(at, Duration::from_millis(100));
    assert!(sibling_dropped.get());
    assert!(run.leaked.is_empty());
}

// Goal: a TaskGroup with no failures returns values in spawn order.
#[test]
fn task_group_returns_values_in_spawn_order() {
    let result = fifo()
        .run(async {
            let mut group = TaskGroup::<u64, ()>::new();
            for i in (1..=3).rev() {
                group
                    .spawn(async move {
                        sleep(Duration::from_secs(i)).await;
                        Ok(i)
                    })
                    .unwrap();
            }
            group.join().await
        })
        .unwrap();
    assert_eq!(result, Ok(vec![3, 2, 1]));
}
