//! The bodies of simloop's fuzz targets, shared by `cargo fuzz` and the test suite.
//!
//! Each target is a function of arbitrary bytes that panics when it finds a bug. Three things
//! run the same bodies:
//!
//! - `cargo fuzz run -s none <target>` feeds them libFuzzer's inputs (`fuzz/fuzz_targets/<target>.rs`
//!   is a one-line wrapper);
//! - `tests/it/fuzz_targets/` in the main crate feeds every target 2,000 byte strings from a
//!   seeded ChaCha stream, so `cargo test` covers them without a fuzzer;
//! - `cargo run --example fuzz_replay -- <artifact>` reruns a crash artifact and, for the
//!   targets that run simulations, prints the failure report and its `SIMLOOP_REPLAY` line.
//!
//! Bytes never make simloop panic on their own: a choice byte is folded onto the ready tasks
//! with `mod` (any value is valid), and text that is not a schedule is rejected with an error.
//!
//! To add a target: a module here, an entry in [`TARGETS`], `fuzz/fuzz_targets/<name>.rs`, and
//! a `[[bin]]` in `fuzz/Cargo.toml`.

pub mod guide_programs;
pub mod programs;
pub mod schedule_decoder;
pub mod scheduler_programs;
pub mod tcp_streams;
pub mod timer_heap;
pub mod zoo;

/// One fuzz target: its name (the `cargo fuzz` target name) and its body.
pub struct Target {
    /// The name `cargo fuzz run` takes.
    pub name: &'static str,
    /// Runs one input; panics on a bug.
    pub run: fn(&[u8]),
}

/// Every target, in the order CI runs them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "schedule_decoder",
        run: schedule_decoder::run,
    },
    Target {
        name: "timer_heap",
        run: timer_heap::run,
    },
    Target {
        name: "scheduler_programs",
        run: scheduler_programs::run,
    },
    Target {
        name: "guide_programs",
        run: guide_programs::run,
    },
    Target {
        name: "zoo",
        run: zoo::run,
    },
    Target {
        name: "tcp_streams",
        run: tcp_streams::run,
    },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|target| target.name == name)
}

/// Reruns `data` on the target called `name` and describes the outcome, for crash artifacts.
///
/// For `scheduler_programs` the description names the program, seed and number of choices,
/// gives simloop's failure report (with a full trace) if the run fails, and ends with the
/// `SIMLOOP_REPLAY` line of the run: `simloop::replay(line, program)` reruns exactly that
/// interleaving. For the other targets it says whether the body panics, and with what.
///
/// # Errors
///
/// When no target is called `name`.
pub fn replay(name: &str, data: &[u8]) -> Result<String, String> {
    let target = target(name).ok_or_else(|| {
        let names: Vec<&str> = TARGETS.iter().map(|target| target.name).collect();
        format!(
            "no fuzz target `{name}`; the targets are {}",
            names.join(", ")
        )
    })?;
    if target.name == "scheduler_programs" {
        let (decoded, run) = scheduler_programs::simulate(data, simloop::TraceLevel::Full);
        let mut out = format!(
            "program `{}`, seed {}, {} choices: ",
            decoded.program,
            decoded.seed,
            decoded.choices.len()
        );
        match &run.result {
            Ok(()) => out.push_str("the run passes\n"),
            Err(failure) => out.push_str(&format!("the run fails\n{failure}\n")),
        }
        out.push_str(&format!("SIMLOOP_REPLAY={}", run.schedule));
        return Ok(out);
    }
    let outcome = std::panic::catch_unwind(|| (target.run)(data));
    Ok(match outcome {
        Ok(()) => format!("target `{name}` passes on this input"),
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            format!("target `{name}` panics: {message}")
        }
    })
}
