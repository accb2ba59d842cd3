//! A call that reaches real tokio from inside a simulation (a library that depends on tokio
//! directly) fails with a report that says what happened and how to route it through the
//! facade.

use std::time::Duration;

use simloop::{Config, Failure, Sim};

/// What a library built on tokio itself does: `real` is tokio, not the facade.
async fn library_call() {
    real::time::sleep(Duration::from_millis(10)).await;
}

#[test]
fn real_tokio_inside_a_simulation_is_reported_with_the_way_out() {
    let run = Sim::new(Config::default()).run(async {
        simloop::task::spawn(library_call()).await.unwrap();
    });
    let failure = run.result.unwrap_err();
    let Failure::Panic { message, .. } = &failure else {
        panic!("expected a panic, got {failure}");
    };
    assert!(message.contains("Tokio 1.x runtime"), "{message}");
    let report = failure.to_string();
    assert!(
        report.contains("hint: this is real tokio's panic"),
        "{report}"
    );
    assert!(report.contains("package = \"simloop-tokio\""), "{report}");
    assert!(report.contains("[patch.crates-io]"), "{report}");
    assert!(report.contains("cargo tree -i tokio"), "{report}");
}

#[test]
fn real_tokio_spawn_inside_a_simulation_gets_the_same_hint() {
    let run = Sim::new(Config::default()).run(async {
        drop(real::spawn(async {}));
    });
    let report = run.result.unwrap_err().to_string();
    assert!(
        report.contains("hint: this is real tokio's panic"),
        "{report}"
    );
}
