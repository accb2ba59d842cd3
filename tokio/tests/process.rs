//! `tokio::process` through the facade: refused inside a simulation before anything reaches the
//! operating system, tokio's own outside.

use simloop_tokio as tokio;
use std::io::ErrorKind;
use std::path::PathBuf;

// Goal: inside a simulation no process starts: `spawn`, `status` and `output` each fail with
// `Unsupported`, naming the call. The command would create a file if it ran.
#[test]
fn processes_are_refused_inside_a_simulation_and_nothing_runs() {
    let marker: PathBuf = std::env::temp_dir().join(format!(
        "simloop-tokio-process-marker-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&marker);
    let touch = marker.clone();
    simloop::run(1, async move {
        let mut command = tokio::process::Command::new("touch");
        command.arg(&touch);
        let err = command.spawn().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unsupported);
        assert!(
            err.to_string().contains("tokio::process::Command::spawn"),
            "{err}"
        );
        let err = command.status().await.unwrap_err();
        assert!(err.to_string().contains("Command::status"), "{err}");
        let err = command.output().await.unwrap_err();
        assert!(err.to_string().contains("Command::output"), "{err}");
    });
    assert!(!marker.exists(), "a process ran inside the simulation");
}

// Goal: outside a simulation the same calls are tokio's and run the process.
#[test]
fn processes_run_outside_a_simulation() {
    let runtime = real::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let output = runtime
        .block_on(async {
            tokio::process::Command::new("echo")
                .arg("hello")
                .stdout(std::process::Stdio::piped())
                .output()
                .await
        })
        .unwrap();
    assert!(output.status.success());
    assert_eq!(output.stdout, b"hello\n");
}
