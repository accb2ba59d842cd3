//! Programs that misbehave on purpose: destructors that panic or respawn during teardown, and a
//! poll that never returns. Those that would abort or hang the process run in a child process
//! (this test binary, re-run on one test) under a time limit.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use simloop::task::{spawn, spawn_named, yield_now};
use simloop::time::sleep;
use simloop::{Config, Failure, Sim, Strategy, TraceLevel};

/// Set in a child process to the name of the test it runs for real.
const CHILD: &str = "HOSTILE_CHILD";

/// Whether this process is the child that runs `name`.
fn is_child(name: &str) -> bool {
    std::env::var(CHILD).is_ok_and(|child| child == name)
}

/// What a child process did.
struct Child {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

/// Runs test `name` of this binary in a child process, with `env`, killing it after `limit`.
fn run_child(name: &str, env: &[(&str, &str)], limit: Duration) -> Child {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut command = Command::new(exe);
    command
        .args([
            &format!("runtime::hostile::{name}"),
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, name)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let started = Instant::now();
    let mut child = command.spawn().expect("the child starts");
    loop {
        if child.try_wait().expect("the child's status").is_some() {
            break;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = started.elapsed();
    let output = child.wait_with_output().expect("the child's output");
    Child {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        took,
    }
}

fn fifo_config() -> Config {
    Config::default()
        .with_strategy(Strategy::Fifo)
        .with_trace(TraceLevel::Full)
}

struct PanicOnDrop;

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        panic!("destructor failed");
    }
}

// Goal: a destructor that panics while the run is torn down is reported like any other panic,
// with the task and the replay line.
#[test]
fn a_destructor_panicking_during_teardown_is_reported() {
    for seed in 0..20 {
        let run = Sim::new(Config::default().with_seed(seed)).run(async {
            let guard = PanicOnDrop;
            spawn_named("guard", async move {
                let _guard = guard;
                sleep(Duration::from_secs(10)).await;
            })
            .detach();
            yield_now().await;
        });
        let Err(failure) = run.result else {
            panic!("seed {seed}: the destructor's panic was swallowed");
        };
        let Failure::Panic { task, message, .. } = &failure else {
            panic!("seed {seed}: expected a panic, got {failure}");
        };
        assert_eq!(task.name.as_deref(), Some("guard"), "seed {seed}");
        assert_eq!(message, "destructor failed", "seed {seed}");
        let report = failure.to_string();
        assert!(report.contains("SIMLOOP_REPLAY=v1:"), "{report}");
        assert_eq!(run.leaked.len(), 1);
    }
}

// Goal: when the run had already failed, a destructor's panic during teardown does not replace
// the first failure.
#[test]
fn a_teardown_panic_keeps_the_first_failure() {
    let run = Sim::new(fifo_config()).run(async {
        let guard = PanicOnDrop;
        spawn_named("guard", async move {
            let _guard = guard;
            sleep(Duration::from_secs(10)).await;
        })
        .detach();
        yield_now().await;
        panic!("the first failure");
    });
    let Err(Failure::Panic { task, message, .. }) = run.result else {
        panic!("expected main's panic");
    };
    assert_eq!(task.name.as_deref(), Some("main"));
    assert_eq!(message, "the first failure");
}

/// Respawns a task holding another `Respawn` when dropped, forever: the new task owns it from
/// the spawn on, so dropping the refused or unrun future spawns again.
struct Respawn;

impl Drop for Respawn {
    fn drop(&mut self) {
        let again = Respawn;
        spawn(async move {
            let _again = again;
            std::future::pending::<()>().await;
        })
        .detach();
    }
}

// Goal (child): a guard that respawns its task from `Drop` during teardown ends the run with a
// report instead of a stack overflow or an abort.
#[test]
fn child_respawn_from_drop_during_teardown() {
    if !is_child("child_respawn_from_drop_during_teardown") {
        return;
    }
    let run = Sim::new(fifo_config().with_max_tasks(64)).run(async {
        let guard = Respawn;
        spawn_named("guard", async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        })
        .detach();
        yield_now().await;
    });
    println!("result: {:?}", run.result.as_ref().map_err(Failure::kind));
    println!("leaked: {}", run.leaked.len());
}

// Goal (child): the same guard at `max_tasks` in the middle of a run ends in a task-limit
// report: the refused future is not dropped, so its `Drop` does not spawn again while the
// spawn's panic unwinds.
#[test]
fn child_respawn_from_drop_at_the_task_limit() {
    if !is_child("child_respawn_from_drop_at_the_task_limit") {
        return;
    }
    let run = Sim::new(fifo_config().with_max_tasks(8)).run(async {
        loop {
            let guard = Respawn;
            spawn(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
            })
            .detach();
        }
    });
    println!("result: {:?}", run.result.as_ref().map_err(Failure::kind));
}

#[test]
fn respawning_from_drop_during_teardown_ends_in_a_report() {
    let child = run_child(
        "child_respawn_from_drop_during_teardown",
        &[],
        Duration::from_secs(60),
    );
    assert_eq!(
        child.code,
        Some(0),
        "the child ended without a report after {:?}:\n{}\n{}",
        child.took,
        child.stdout,
        child.stderr
    );
    assert!(child.stdout.contains("result: Ok(())"), "{}", child.stdout);
    // The respawned task is listed as leaked beside the guard.
    assert!(child.stdout.contains("leaked: 2"), "{}", child.stdout);
}

#[test]
fn respawning_from_drop_at_the_task_limit_ends_in_a_task_limit_report() {
    let child = run_child(
        "child_respawn_from_drop_at_the_task_limit",
        &[],
        Duration::from_secs(60),
    );
    assert_eq!(
        child.code,
        Some(0),
        "the child ended without a report after {:?}:\n{}\n{}",
        child.took,
        child.stdout,
        child.stderr
    );
    assert!(
        child.stdout.contains("result: Err(\"task limit\")"),
        "{}",
        child.stdout
    );
}

// Goal (child): a named task that sleeps the thread inside a poll, under a sweep whose watchdog
// limit comes from SIMLOOP_WATCHDOG.
#[test]
fn child_a_poll_that_sleeps() {
    if !is_child("child_a_poll_that_sleeps") {
        return;
    }
    simloop::check_with(Config::default().with_iterations(5), || async {
        sleep(Duration::from_secs(2)).await;
        spawn_named("sleeper", async {
            std::thread::sleep(Duration::from_secs(3600));
        })
        .await
        .unwrap();
    });
}

// Goal (child): an unnamed task that spins inside a poll, watched through `Config::watchdog`.
#[test]
fn child_a_poll_that_spins() {
    if !is_child("child_a_poll_that_spins") {
        return;
    }
    let config = fifo_config()
        .with_seed(11)
        .with_watchdog(Some(Duration::from_millis(500)));
    let _ = Sim::new(config).run(async {
        yield_now().await;
        spawn(async {
            let (_sender, receiver) = std::sync::mpsc::channel::<()>();
            let mut spins = 0u64;
            loop {
                spins = std::hint::black_box(spins + 1);
                let _ = receiver.try_recv();
            }
        })
        .await
    });
}

#[track_caller]
fn assert_watchdog_report(child: &Child, parts: &[&str]) {
    assert_eq!(
        child.code,
        Some(Config::WATCHDOG_EXIT_CODE),
        "the child was not ended by the watchdog (after {:?}):\n{}\n{}",
        child.took,
        child.stdout,
        child.stderr
    );
    assert!(
        child.took < Duration::from_secs(30),
        "took {:?}",
        child.took
    );
    for part in parts {
        assert!(
            child.stderr.contains(part),
            "no `{part}` in:\n{}",
            child.stderr
        );
    }
}

// Goal: a poll that sleeps the thread is reported by the watchdog with the task, its spawn site,
// the virtual time, the step and the replay line, and the process exits with the watchdog's code.
#[test]
fn the_watchdog_reports_a_poll_that_sleeps() {
    let child = run_child(
        "child_a_poll_that_sleeps",
        &[("SIMLOOP_WATCHDOG", "1s"), ("SIMLOOP_SEED", "40")],
        Duration::from_secs(60),
    );
    assert_watchdog_report(
        &child,
        &[
            "simloop: watchdog: a poll of task `sleeper` (#1), spawned at tests/it/runtime/hostile.rs:",
            "has not returned after 1s of wall-clock time",
            "seed 40, strategy ",
            "virtual time 2.000s, step ",
            "replay: SIMLOOP_SEED=40 SIMLOOP_STRATEGY=",
            " SIMLOOP_ITERATIONS=1 cargo test runtime::hostile::child_a_poll_that_sleeps",
        ],
    );
}

// Goal: a poll that spins is reported the same way, with the limit from `Config::watchdog`.
#[test]
fn the_watchdog_reports_a_poll_that_spins() {
    let child = run_child("child_a_poll_that_spins", &[], Duration::from_secs(60));
    assert_watchdog_report(
        &child,
        &[
            "simloop: watchdog: a poll of task #1, spawned at tests/it/runtime/hostile.rs:",
            "has not returned after 500ms",
            "seed 11, strategy fifo, virtual time 0.000s, step 3",
            "replay: SIMLOOP_SEED=11 SIMLOOP_STRATEGY=fifo SIMLOOP_ITERATIONS=1 cargo test \
             runtime::hostile::child_a_poll_that_spins",
        ],
    );
}
