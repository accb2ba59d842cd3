//! Wakes from real threads, which are outside the model: they never abort the process, and
//! inside a simulation they end the run with `Failure::ForeignWake` naming the task. Each case
//! runs in a child process with a time limit, since the failure being tested is an abort.

use std::future::Future;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use futures::channel::oneshot;
use simloop::task::{spawn_named, yield_now};
use simloop::{Config, Failure, Sim, Strategy};

/// Runs the ignored test `name` of this binary in a child process and returns its output;
/// panics if it runs longer than a minute.
fn child(name: &str) -> Output {
    let mut process = Command::new(std::env::current_exe().expect("the test binary's path"))
        .args([
            name,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the test binary runs");
    let start = Instant::now();
    while process.try_wait().expect("the child's status").is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            process.kill().expect("the child can be killed");
            panic!("`{name}` ran for more than a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    process.wait_with_output().expect("the child's output")
}

#[track_caller]
fn assert_child_passes(name: &str) {
    let output = child(name);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "`{name}` ended with {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
}

/// A task `waiter` waits on a oneshot channel that `send` completes from another thread.
fn run_with_a_foreign_sender(send: fn(oneshot::Sender<u32>)) -> Result<Option<u32>, Failure> {
    Sim::new(Config::default().with_strategy(Strategy::Fifo))
        .run(async move {
            let (sender, receiver) = oneshot::channel();
            let waiter = spawn_named("waiter", async move { receiver.await.ok() });
            yield_now().await;
            std::thread::spawn(move || send(sender)).join().unwrap();
            yield_now().await;
            waiter.await.unwrap()
        })
        .result
}

#[track_caller]
fn assert_foreign_wake_of(result: Result<Option<u32>, Failure>, name: &str) {
    let failure = result.expect_err("a wake from another thread fails the run");
    let Failure::ForeignWake { ref task, .. } = failure else {
        panic!("a ForeignWake failure, got {failure}");
    };
    assert_eq!(task.name.as_deref(), Some(name));
    assert_eq!(failure.kind(), "foreign wake");
    let report = failure.to_string();
    assert!(report.contains(&format!("`{name}`")), "{report}");
    assert!(report.contains("another thread"), "{report}");
}

// Goal: a plain thread waking a task does not abort the process; the run fails naming the task.
#[test]
fn a_wake_from_a_plain_thread_fails_the_run() {
    assert_child_passes("runtime::foreign::plain_thread_child");
}

#[test]
#[ignore = "run in a child process by a_wake_from_a_plain_thread_fails_the_run"]
fn plain_thread_child() {
    let result = run_with_a_foreign_sender(|sender| sender.send(7).unwrap());
    assert_foreign_wake_of(result, "waiter");
}

// Goal: a thread that runs its own simulation and wakes a task of ours does not abort the
// process either (its simulation must not take our task); our run fails naming the task.
#[test]
fn a_wake_from_a_thread_running_a_simulation_fails_the_run() {
    assert_child_passes("runtime::foreign::simulating_thread_child");
}

#[test]
#[ignore = "run in a child process by a_wake_from_a_thread_running_a_simulation_fails_the_run"]
fn simulating_thread_child() {
    let result = run_with_a_foreign_sender(|sender| {
        let theirs = Sim::new(Config::default()).run(async move {
            sender.send(7).unwrap();
            yield_now().await;
        });
        theirs
            .result
            .expect("the other simulation is not disturbed");
    });
    assert_foreign_wake_of(result, "waiter");
}

// Goal: the main future woken from another thread fails the run the same way.
#[test]
fn a_wake_of_the_main_future_from_another_thread_fails_the_run() {
    let result = Sim::new(Config::default())
        .run(async {
            let (sender, mut receiver) = oneshot::channel::<u32>();
            std::future::poll_fn(|cx| {
                assert!(std::pin::Pin::new(&mut receiver).poll(cx).is_pending());
                std::task::Poll::Ready(())
            })
            .await;
            std::thread::spawn(move || sender.send(7).unwrap())
                .join()
                .unwrap();
            yield_now().await;
            receiver.await.ok()
        })
        .result;
    assert_foreign_wake_of(result, "main");
}

// Goal: a panic that aborts the process (one raised while another unwinds, out of a
// destructor) is printed even inside a simulation, where panics are otherwise silent.
#[test]
fn a_panic_that_aborts_is_printed() {
    let output = child("runtime::foreign::aborting_panic_child");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("the first panic"), "stderr:\n{stderr}");
    assert!(
        stderr.contains("a panic while unwinding"),
        "stderr:\n{stderr}"
    );
}

#[test]
#[ignore = "run in a child process by a_panic_that_aborts_is_printed"]
fn aborting_panic_child() {
    struct PanicsOnDrop;
    impl Drop for PanicsOnDrop {
        fn drop(&mut self) {
            panic!("a panic while unwinding");
        }
    }
    let _ = Sim::new(Config::default()).run(async {
        let _guard = PanicsOnDrop;
        panic!("the first panic");
    });
}
