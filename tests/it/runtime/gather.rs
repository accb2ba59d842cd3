//! gather and gather_settled (ASYNCIO.md §1.4 and §2).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use simloop::task::spawn;
use simloop::task::{gather, gather_settled};
use simloop::time::{now, sleep};

use crate::fifo;

async fn fetch_data_with_error(
    input: u32,
    log: Rc<RefCell<Vec<String>>>,
) -> Result<String, String> {
    if input == 2 {
        log.borrow_mut().push(format!("{} input 2 fails", now()));
        return Err("Simulated error for input 2".into());
    }
    log.borrow_mut()
        .push(format!("{} input {input} starts", now()));
    sleep(Duration::from_secs(2)).await;
    log.borrow_mut()
        .push(format!("{} input {input} done", now()));
    Ok(format!("Data for input {input}"))
}

// Goal: results come back in argument order, not completion order.
#[test]
fn results_keep_argument_order() {
    let result = fifo()
        .run(async {
            let job = |secs: u64| async move {
                sleep(Duration::from_secs(secs)).await;
                Ok::<_, ()>(secs)
            };
            gather([job(3), job(1), job(2)]).await
        })
        .unwrap();
    assert_eq!(result, Ok(vec![3, 1, 2]));
}

// Goal: the first error reaches the caller at t=0; the other tasks are not cancelled and finish at t=2.
#[test]
fn first_error_reaches_the_caller_at_once_and_others_keep_running() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    let run = fifo().run(async move {
        let tasks = (1..=3).map(|i| fetch_data_with_error(i, l.clone()));
        let error = gather(tasks).await.unwrap_err();
        l.borrow_mut().push(format!("{} caught: {error}", now()));
        sleep(Duration::from_secs(5)).await;
    });
    run.result.unwrap();
    assert_eq!(
        *log.borrow(),
        [
            "0.000s input 1 starts",
            "0.000s input 2 fails",
            "0.000s input 3 starts",
            "0.000s caught: Simulated error for input 2",
            "2.000s input 1 done",
            "2.000s input 3 done",
        ]
    );
}

// Goal: if main returns right after the error, the surviving gather children are reported as leaked.
#[test]
fn surviving_children_are_leaked_when_main_returns_first() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    let run = fifo().run(async move {
        let tasks = (1..=3).map(|i| fetch_data_with_error(i, l.clone()));
        gather(tasks).await.unwrap_err()
    });
    assert_eq!(run.result.unwrap(), "Simulated error for input 2");
    assert_eq!(run.leaked.len(), 2);
    assert_eq!(run.elapsed, Duration::ZERO);
}

// Goal: dropping an unfinished gather aborts its children.
#[test]
fn dropping_a_gather_aborts_its_children() {
    let finished = Rc::new(RefCell::new(0));
    let f = finished.clone();
    let run = fifo().run(async move {
        let jobs = (0..3).map(|_| {
            let f = f.clone();
            async move {
                sleep(Duration::from_secs(5)).await;
                *f.borrow_mut() += 1;
                Ok::<_, ()>(())
            }
        });
        let outcome = simloop::time::timeout(Duration::from_secs(1), gather(jobs)).await;
        assert!(outcome.is_err());
        sleep(Duration::from_secs(10)).await;
    });
    run.result.unwrap();
    assert_eq!(*finished.borrow(), 0);
    assert!(run.leaked.is_empty());
}

// Goal: gather_settled waits for all and returns errors in argument position.
#[test]
fn gather_settled_returns_every_result_in_argument_order() {
    let results = fifo()
        .run(async {
            let job = |i: u64| async move {
                sleep(Duration::from_secs(4 - i)).await;
                if i % 2 == 0 {
                    Err(format!("e{i}"))
                } else {
                    Ok(i)
                }
            };
            let results = gather_settled((0..4).map(job)).await;
            (results, now().since_start())
        })
        .unwrap();
    assert_eq!(
        results.0,
        vec![Err("e0".to_owned()), Ok(1), Err("e2".to_owned()), Ok(3)]
    );
    assert_eq!(results.1, Duration::from_secs(4));
}

// Goal: gather of nothing is an immediate empty result.
#[test]
fn empty_gather_returns_at_once() {
    let result = fifo()
        .run(async {
            let empty: Vec<std::future::Ready<Result<u8, ()>>> = Vec::new();
            gather(empty).await
        })
        .unwrap();
    assert_eq!(result, Ok(vec![]));
}

// Goal: the three gathered fetches of the seed's guide end at t=3, not 9.
#[test]
fn three_fetches_finish_at_three_seconds() {
    let run = fifo().run(async {
        let fetch = |i: u32| async move {
            sleep(Duration::from_secs(3)).await;
            Ok::<_, ()>(i)
        };
        let handle = spawn(gather([fetch(1), fetch(2), fetch(3)]));
        handle.await.unwrap()
    });
    assert_eq!(run.result.unwrap(), Ok(vec![1, 2, 3]));
    assert_eq!(run.elapsed, Duration::from_secs(3));
}
