//! The README's examples, so the README cannot drift from what the crate does.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use simloop::task::{spawn, spawn_named};
use simloop::time::{now, sleep};
use simloop::{explore, Config, Failure};

async fn fetch_data(input: u32) -> u32 {
    simloop::log!("Fetching data...");
    sleep(Duration::from_secs(3)).await;
    simloop::log!("Data retrieved.");
    input * 10
}

// Goal: the README's 20-line test passes as written.
#[test]
fn fetches_run_concurrently() {
    simloop::check(|| async {
        let one = spawn(fetch_data(1));
        let two = spawn(fetch_data(2));
        assert_eq!(one.await.unwrap() + two.await.unwrap(), 30);
        assert_eq!(now().since_start(), Duration::from_secs(3)); // 3 s, not 6
    });
}

async fn record_visit(views: Rc<Cell<u32>>) {
    let seen = views.get();
    simloop::log!("read views = {seen}");
    sleep(Duration::from_secs(1)).await; // INSERT INTO visits ...
    views.set(seen + 1);
    simloop::log!("wrote views = {}", seen + 1);
}

async fn no_visit_is_lost() {
    let views = Rc::new(Cell::new(0));
    let mut workers = Vec::new();
    for id in 0..3 {
        workers.push(spawn_named(
            format!("worker-{id}"),
            record_visit(views.clone()),
        ));
        sleep(Duration::from_secs(1)).await; // visits arrive a second apart
    }
    for worker in workers {
        worker.await.unwrap();
    }
    assert_eq!(views.get(), 3, "lost update");
}

// Goal: the README's failing test fails as its report says: one deviation, replayable.
#[test]
fn the_readme_failure_report_is_what_check_prints() {
    let failure = explore(Config::default(), no_visit_is_lost)
        .failure
        .expect("the default sweep finds the lost update");
    assert!(matches!(failure, Failure::Panic { .. }));
    let (minimal, explanation) = failure.context().minimal.clone().unwrap();
    assert_eq!(minimal.deviations().len(), 1);
    assert!(explanation.contains("ran before `worker-"), "{explanation}");
    let replayed = explore(Config::default().with_replay(minimal), no_visit_is_lost)
        .failure
        .expect("the replay line reproduces it");
    assert_eq!(
        replayed.context().last_events,
        failure.context().last_events
    );
}

// Goal: the failure report in README.md is what `check` prints today for the README's test,
// line for line, apart from the panic's location and the test name in the replay line (the
// README shows the test as a user's file would hold it).
#[test]
fn the_readme_shows_the_report_check_prints() {
    let readme = include_str!("../../../README.md");
    let start = readme
        .find("simloop: task `main` panicked")
        .expect("README.md shows a failure report");
    let shown: Vec<&str> = readme[start..]
        .lines()
        .take_while(|line| !line.starts_with("```"))
        .collect();
    let failure = explore(Config::default(), no_visit_is_lost)
        .failure
        .expect("the default sweep finds the lost update");
    let printed = failure.to_string();
    let printed: Vec<&str> = printed.lines().collect();
    assert_eq!(
        shown.len(),
        printed.len(),
        "README:\n{shown:#?}\nprinted:\n{printed:#?}"
    );
    for (shown, printed) in shown.iter().zip(&printed) {
        let comparable = |line: &str| match line.find(" panicked at ") {
            Some(at) => line[..at].to_owned() + &line[line.rfind(": ").unwrap_or(at)..],
            None => match line.find(" cargo test ") {
                Some(at) => line[..at].to_owned(),
                None => line.to_owned(),
            },
        };
        assert_eq!(comparable(shown), comparable(printed));
    }
}
