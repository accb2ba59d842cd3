//! The replay line works for every entry point that prints it, and reports name the user's
//! call as the main future's spawn site.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::Command;

use simloop::sync::Event;
use simloop::{check_with, explore, Config, Failure};

use super::lost_update;

/// Set in the child process of `explore_honours_simloop_replay`.
const CHILD: &str = "EVERYWHERE_TEST_CASE";

/// The main future waits on an event nobody sets.
async fn main_waits_forever() {
    Event::new().wait().await;
}

// Goal: `explore` reads `SIMLOOP_REPLAY`, so the line its report prints replays the failure
// instead of sweeping again.
#[test]
fn explore_honours_simloop_replay() {
    if let Ok(case) = std::env::var(CHILD) {
        let config = Config::default().with_iterations(50).with_seed(1_000);
        if case == "passing" {
            let report = explore(config, || async {});
            assert_eq!(report.iterations, 1, "one replay, not a sweep");
            return;
        }
        let report = explore(config, lost_update);
        assert_eq!(report.iterations, 1, "one replay, not a sweep");
        let failure = report.failure.expect("the replay fails again");
        assert_eq!(failure.context().schedule.to_string(), case);
        return;
    }
    let found = explore(Config::default().with_iterations(500), lost_update)
        .failure
        .expect("the sweep finds the lost update");
    let schedule = found
        .context()
        .minimal
        .as_ref()
        .map_or(&found.context().schedule, |(schedule, _)| schedule)
        .to_string();
    for (case, replay) in [("passing", "v1:7:"), (schedule.as_str(), schedule.as_str())] {
        let child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "explore::everywhere::explore_honours_simloop_replay",
            ])
            .args(["--test-threads", "1"])
            .env(CHILD, case)
            .env("SIMLOOP_REPLAY", replay)
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&child.stdout);
        assert!(
            child.status.success() && out.contains("1 passed"),
            "the {case} case failed in the child:\n{out}{}",
            String::from_utf8_lossy(&child.stderr)
        );
    }
}

// Goal: a sweep's report names the test's own call as `main`'s spawn site, not simloop's code.
#[test]
fn main_is_spawned_where_the_test_calls() {
    let failure = explore(Config::default().with_iterations(3), || {
        main_waits_forever()
    })
    .failure
    .expect("the main future deadlocks");
    let Failure::Deadlock { blocked, .. } = &failure else {
        panic!("not a deadlock: {failure}");
    };
    assert!(
        blocked[0].task.spawned_at.starts_with(file!()),
        "main spawned at {}",
        blocked[0].task.spawned_at
    );
    let panicked = catch_unwind(AssertUnwindSafe(|| {
        check_with(Config::default().with_iterations(3), || {
            main_waits_forever()
        });
    }))
    .expect_err("check_with panics with the report");
    let report = panicked
        .downcast_ref::<String>()
        .expect("a formatted report");
    assert!(
        report.contains(&format!("(#0, spawned at {}", file!())),
        "{report}"
    );
}
