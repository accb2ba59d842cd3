//! Reruns a `cargo fuzz` crash artifact and prints what happened, ending with the
//! `SIMLOOP_REPLAY` line for inputs that drive a simulation.
//!
//! ```text
//! cargo run --example fuzz_replay -- fuzz/artifacts/scheduler_programs/crash-<hash>
//! cargo run --example fuzz_replay -- <any file of bytes> <target>
//! ```
//!
//! The target is read from the artifact's directory (`fuzz/artifacts/<target>/...`) unless
//! given. Choice bytes are folded onto the ready tasks with `mod`, so every artifact decodes.

use std::path::Path;
use std::process::ExitCode;

use simloop_programs::fuzz;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(artifact) = args.first() else {
        eprintln!("usage: cargo run --example fuzz_replay -- <artifact> [target]");
        return ExitCode::FAILURE;
    };
    let target = args.get(1).cloned().or_else(|| target_from_path(artifact));
    let Some(target) = target else {
        eprintln!("cannot tell the target from {artifact}: pass it after the artifact");
        return ExitCode::FAILURE;
    };
    let data = match std::fs::read(artifact) {
        Ok(data) => data,
        Err(error) => {
            eprintln!("cannot read {artifact}: {error}");
            return ExitCode::FAILURE;
        }
    };
    match fuzz::replay(&target, &data) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}

/// `fuzz/artifacts/<target>/crash-...` names its target.
fn target_from_path(artifact: &str) -> Option<String> {
    let parent = Path::new(artifact).parent()?;
    let grandparent = parent.parent()?.file_name()?;
    (grandparent == "artifacts").then(|| parent.file_name()?.to_str().map(str::to_owned))?
}
